# Every Gunicorn server hook, each appending one JSON line (its name and its arguments' key
# attributes) to the file named by $BASTION_HOOK_LOG. Fixture for
# tests/integration/test_70_hooks.py; serve tests/apps/process/proc_app.py with it.
import json
import os

workers = 2
graceful_timeout = 5

_LOG = os.environ.get("BASTION_HOOK_LOG", os.devnull)


def _record(hook, **fields):
    fields["hook"] = hook
    fields["proc"] = os.getpid()
    data = (json.dumps(fields, default=repr) + "\n").encode()
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _worker(worker):
    return {"pid": worker.pid, "ppid": worker.ppid, "age": worker.age, "alive": worker.alive}


def on_starting(server):
    server.log.info("hooks: on_starting, %d worker(s)", server.num_workers)
    _record("on_starting", server_pid=server.pid, workers=server.cfg.workers,
            bind=server.cfg.bind, num_workers=server.num_workers, timeout=server.cfg.timeout)


def when_ready(server):
    _record("when_ready", server_pid=server.pid)


def on_reload(server):
    _record("on_reload", server_pid=server.pid, num_workers=server.num_workers)


def nworkers_changed(server, new_value, old_value):
    _record("nworkers_changed", server_pid=server.pid, new=new_value, old=old_value)


def pre_fork(server, worker):
    _record("pre_fork", server_pid=server.pid, worker=_worker(worker))


def post_fork(server, worker):
    worker.log.info("hooks: post_fork in %s, age %d", worker.pid, worker.age)
    _record("post_fork", server_pid=server.pid, worker=_worker(worker),
            workers=server.cfg.workers, num_workers=server.num_workers)


def post_worker_init(worker):
    _record("post_worker_init", worker=_worker(worker))


def pre_request(worker, req):
    _record("pre_request", worker_pid=worker.pid, method=req.method, path=req.path,
            query=req.query, uri=req.uri, version=list(req.version), headers=req.headers)
    if "raise" in req.query:
        raise RuntimeError("pre_request hook failed on purpose")


def post_request(worker, req, environ, resp):
    _record("post_request", worker_pid=worker.pid, method=req.method, path=req.path,
            path_info=environ.get("PATH_INFO"), status=resp.status,
            status_code=resp.status_code, sent=resp.sent, headers=resp.headers)


def child_exit(server, worker):
    _record("child_exit", server_pid=server.pid, worker=_worker(worker))


def worker_int(worker):
    worker.log.warning("hooks: worker_int %s", worker.pid)
    _record("worker_int", worker=_worker(worker))


def worker_abort(worker):
    worker.log.error("hooks: worker_abort %s", worker.pid)
    _record("worker_abort", worker=_worker(worker))


def worker_exit(server, worker):
    _record("worker_exit", server_pid=server.pid, worker=_worker(worker))


def on_exit(server):
    _record("on_exit", server_pid=server.pid)
