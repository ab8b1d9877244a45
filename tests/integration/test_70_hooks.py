"""Gunicorn's server hooks from a config file (issue 6, scope 5): every hook is called with
Gunicorn's arguments and in Gunicorn's order; worker hooks run in the workers, master hooks in
the hook companion (the master runs no Python); a raising request hook does not fail the
request; the documentation-style gunicorn.conf.py serves unchanged."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, BIN, Server  # noqa: E402
from proc_support import children_of, cmdline, http_get, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")
HOOKS_CONF = os.path.join(APPS, "hooks", "hooks.conf.py")
DOC_CONF = os.path.join(APPS, "config", "gunicorn.conf.py")


def read_records(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


class HookLog:
    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix="bastion-hooks-", suffix=".jsonl")
        os.close(fd)

    def records(self):
        return read_records(self.path)

    def named(self, hook):
        return [r for r in self.records() if r["hook"] == hook]

    def wait(self, hook, pred=lambda r: True, count=1, timeout=15.0):
        found = wait_until(lambda: (lambda m: m if len(m) >= count else None)(
            [r for r in self.named(hook) if pred(r)]), timeout)
        if not found:
            raise AssertionError("no %s record (want %d) in:\n%s"
                                 % (hook, count, "\n".join(map(json.dumps, self.records()))))
        return found

    def index(self, hook, pred=lambda r: True):
        for i, r in enumerate(self.records()):
            if r["hook"] == hook and pred(r):
                return i
        raise AssertionError("no %s record in:\n%s"
                             % (hook, "\n".join(map(json.dumps, self.records()))))

    def close(self):
        os.unlink(self.path)


def workers_of(master):
    return [p for p in children_of(master) if "bastion: worker" in cmdline(p)]


def companions_of(master):
    return [p for p in children_of(master) if "bastion: hooks" in cmdline(p)]


def serve(log, *args, workers=2, conf=HOOKS_CONF, **kw):
    return Server("proc_app:app", "-c", conf, *args, workers=workers, cwd=PROC_APPS,
                  env={"BASTION_HOOK_LOG": log.path}, **kw)


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.log = HookLog()
        self.addCleanup(self.log.close)

    def test_every_hook_in_order_with_gunicorn_arguments(self):
        log = self.log
        srv = serve(log).start()
        try:
            master = srv.proc.pid
            log.wait("post_worker_init", count=2)
            self.assertEqual(len(companions_of(master)), 1, srv.output())
            # Start: nworkers_changed(2, None), on_starting, when_ready, then per worker
            # pre_fork (pid not known yet) -> post_fork (in the worker) -> post_worker_init.
            recs = log.records()
            self.assertEqual([r["hook"] for r in recs[:4]],
                             ["nworkers_changed", "on_starting", "when_ready", "pre_fork"])
            self.assertEqual((recs[0]["new"], recs[0]["old"]), (2, None))
            first = recs[1]
            self.assertEqual(first["server_pid"], master)
            self.assertEqual(first["workers"], 2)
            self.assertEqual(first["bind"], [srv.bind])
            self.assertEqual(first["num_workers"], 2)
            for age in (1, 2):
                pre = log.index("pre_fork", lambda r, a=age: r["worker"]["age"] == a)
                post = log.index("post_fork", lambda r, a=age: r["worker"]["age"] == a)
                init = log.index("post_worker_init", lambda r, a=age: r["worker"]["age"] == a)
                self.assertLess(pre, post)
                self.assertLess(post, init)
            pre_fork = log.named("pre_fork")[0]
            self.assertEqual(pre_fork["worker"]["pid"], "[booting]")
            for r in log.named("post_fork"):
                self.assertEqual(r["server_pid"], master)
                self.assertEqual(r["worker"]["ppid"], master)
                self.assertEqual(r["proc"], r["worker"]["pid"])  # runs in the worker itself
                self.assertTrue(r["worker"]["alive"])
            self.assertEqual(sorted(r["worker"]["pid"] for r in log.named("post_fork")),
                             sorted(workers_of(master)))
            pf = log.named("post_fork")[0]
            self.assertIn("[INFO] hooks: post_fork in %d, age %d" % (pf["proc"], pf["worker"]["age"]),
                          srv.output())  # worker.log.info with %-arguments

            # A request: pre_request(worker, req) and post_request(worker, req, environ, resp).
            status, body = http_get(srv.port, "/?a=1")
            self.assertEqual(status, 200)
            post = log.wait("post_request")[0]
            pre = log.named("pre_request")[0]
            self.assertEqual((pre["method"], pre["path"], pre["query"], pre["uri"]),
                             ("GET", "/", "a=1", "/?a=1"))
            self.assertEqual(pre["version"], [1, 1])
            self.assertIn(["HOST", "x"], pre["headers"])
            self.assertEqual((post["method"], post["path"], post["path_info"]), ("GET", "/", "/"))
            self.assertEqual((post["status"], post["status_code"]), ("200 OK", 200))
            self.assertEqual(post["sent"], len(body))
            self.assertIn(["Content-Type", "text/plain"], post["headers"])
            self.assertEqual(pre["worker_pid"], post["worker_pid"])

            # TTIN: nworkers_changed(3, 2), and a third worker through pre_fork/post_fork.
            srv.send_signal(signal.SIGTTIN)
            log.wait("nworkers_changed", lambda r: (r["new"], r["old"]) == (3, 2))
            log.wait("post_worker_init", lambda r: r["worker"]["age"] == 3)

            # A worker killed: child_exit(server, worker) with its pid and age in the master.
            victim = log.named("post_fork")[0]["worker"]
            os.kill(victim["pid"], signal.SIGKILL)
            gone = log.wait("child_exit", lambda r: r["worker"]["pid"] == victim["pid"])[0]
            self.assertEqual(gone["worker"]["age"], victim["age"])
            self.assertEqual(gone["server_pid"], master)
            self.assertFalse(gone["worker"]["alive"])

            # SIGQUIT to a worker: worker_int(worker), then worker_exit(server, worker).
            quitter = log.named("post_fork")[1]["worker"]["pid"]
            os.kill(quitter, signal.SIGQUIT)
            wint = log.wait("worker_int", lambda r: r["worker"]["pid"] == quitter)[0]
            wexit = log.wait("worker_exit", lambda r: r["worker"]["pid"] == quitter)[0]
            self.assertEqual(wint["proc"], quitter)
            self.assertEqual(wexit["server_pid"], master)
            self.assertLess(log.index("worker_int", lambda r: r["worker"]["pid"] == quitter),
                            log.index("worker_exit", lambda r: r["worker"]["pid"] == quitter))
            log.wait("child_exit", lambda r: r["worker"]["pid"] == quitter)

            # HUP: the config is executed again; nworkers_changed(2, 3) then on_reload.
            srv.send_signal(signal.SIGHUP)
            log.wait("on_reload")
            changed = log.index("nworkers_changed", lambda r: (r["new"], r["old"]) == (2, 3))
            self.assertLess(changed, log.index("on_reload"))
            wait_until(lambda: "Reload complete" in srv.output(), 15)
            before_stop = len(workers_of(master))
            self.assertGreaterEqual(before_stop, 2)
        finally:
            self.assertEqual(srv.stop(), 0)
        # TERM: worker_exit in each worker, child_exit for each, on_exit last, in the master's
        # companion; and the companion is gone with the master.
        recs = log.records()
        self.assertEqual(recs[-1]["hook"], "on_exit")
        self.assertEqual(recs[-1]["server_pid"], master)
        exits = [r["worker"]["pid"] for r in log.named("worker_exit")]
        reaped = [r["worker"]["pid"] for r in log.named("child_exit")]
        for pid in exits:
            self.assertIn(pid, reaped)
        self.assertFalse(wait_until(lambda: not companions_of(master), 5) is None)

    def test_hup_executes_the_changed_config_file_again(self):
        body = textwrap.dedent('''
            import json, os
            VERSION = %d
            def _record(hook):
                fd = os.open(os.environ["BASTION_HOOK_LOG"], os.O_WRONLY | os.O_APPEND)
                os.write(fd, (json.dumps({"hook": hook, "version": VERSION}) + "\\n").encode())
                os.close(fd)
            def on_reload(server):
                _record("on_reload")
            def post_fork(server, worker):
                _record("post_fork")
        ''')
        with tempfile.TemporaryDirectory(prefix="bastion-hooks-") as d:
            conf = os.path.join(d, "gunicorn.conf.py")
            with open(conf, "w") as f:
                f.write(body % 1)
            srv = serve(self.log, workers=1, conf=conf).start()
            try:
                self.log.wait("post_fork", lambda r: r["version"] == 1)
                with open(conf, "w") as f:
                    f.write(body % 2)
                srv.send_signal(signal.SIGHUP)
                self.log.wait("on_reload", lambda r: r["version"] == 2)
                self.log.wait("post_fork", lambda r: r["version"] == 2)
            finally:
                srv.stop()

    def test_raising_pre_request_hook_still_answers(self):
        srv = serve(self.log, workers=1).start()
        try:
            self.log.wait("post_worker_init")
            status, body = http_get(srv.port, "/?raise=1")
            self.assertEqual(status, 200)
            self.assertTrue(body.startswith("ok "))
            post = self.log.wait("post_request")[0]
            self.assertEqual(post["status_code"], 200)
            out = srv.output()
            self.assertIn("BST-E0730 Exception in pre_request hook", out)
            self.assertIn("RuntimeError: pre_request hook failed on purpose", out)
            self.assertIn("hooks.conf.py\", line", out)
        finally:
            srv.stop()

    def test_worker_abort_runs_before_the_stack_dump(self):
        srv = serve(self.log, "--timeout", "2", workers=1).start()
        try:
            self.log.wait("post_worker_init")
            pid = self.log.named("post_fork")[0]["worker"]["pid"]

            def hang():
                try:
                    http_get(srv.port, "/hang", timeout=15)
                except OSError:
                    pass
            t = threading.Thread(target=hang, daemon=True)
            t.start()
            abort = self.log.wait("worker_abort", lambda r: r["worker"]["pid"] == pid)[0]
            self.assertEqual(abort["proc"], pid)
            self.log.wait("child_exit", lambda r: r["worker"]["pid"] == pid)
            out = wait_until(lambda: (lambda o: o if "hang_here_forever" in o else None)(
                srv.output()), 10)
            self.assertIsNotNone(out, srv.output())
            self.assertIn("hooks: worker_abort %d" % pid, out)
            self.assertLess(out.index("hooks: worker_abort"), out.index("hang_here_forever"))
            t.join(15)
        finally:
            srv.stop()


class Files(unittest.TestCase):
    def test_gunicorn_documentation_example_serves_unchanged(self):
        # tests/apps/config/gunicorn.conf.py: post_fork, pre_fork, pre_exec, when_ready,
        # worker_int and worker_abort calling server.log / worker.log.
        srv = Server("proc_app:app", "-c", DOC_CONF, "--log-level", "info", workers=1,
                     cwd=PROC_APPS).start()
        try:
            status, _ = http_get(srv.port, "/")
            self.assertEqual(status, 200)
            master = srv.proc.pid
            worker = wait_until(lambda: workers_of(master))[0]
            out = srv.output()
            self.assertIn("Server is ready. Spawning workers", out)
            self.assertIn("Worker spawned (pid: %d)" % worker, out)
            self.assertNotIn("does not run", out)
            os.kill(worker, signal.SIGQUIT)
            self.assertTrue(wait_until(
                lambda: "worker received INT or QUIT signal" in srv.output(), 10), srv.output())
            # pre_exec runs on USR2, before the new master is forked.
            os.kill(master, signal.SIGUSR2)
            self.assertTrue(wait_until(
                lambda: "Forked child, re-executing." in srv.output(), 10), srv.output())
            new_master = wait_until(lambda: [p for p in children_of(master)
                                             if "bastion: master" in cmdline(p)], 10)
            self.assertTrue(new_master, srv.output())
            out = srv.output()
            self.assertLess(out.index("Forked child, re-executing."),
                            out.index("Binary upgrade: started a new master"))
            os.kill(new_master[0], signal.SIGTERM)
            self.assertTrue(wait_until(lambda: new_master[0] not in children_of(master), 15))
        finally:
            srv.stop()

    def test_no_master_hooks_no_companion(self):
        srv = Server("proc_app:app", workers=1, cwd=PROC_APPS).start()
        try:
            self.assertTrue(wait_until(lambda: workers_of(srv.proc.pid)))
            self.assertEqual(companions_of(srv.proc.pid), [])
        finally:
            srv.stop()

    def test_syntax_error_in_config_file_names_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write("workers = 2\n\ndef post_fork(server, worker)\n    pass\n")
        try:
            r = subprocess.run([BIN, "-c", f.name, "proc_app:app"], cwd=PROC_APPS,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("%s:3" % f.name, r.stderr)
            self.assertIn("SyntaxError", r.stderr)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
