// SPDX-License-Identifier: MIT
// The Python half of the server hooks: executes the config file again (as Gunicorn's loader
// does), and provides Gunicorn-like proxy objects (server, worker, req, resp, cfg, log) and
// the companion's event loop. Embedded as a string; run inside a worker's or the hook
// companion's interpreter by process/hooks.cc. Never run in the master.
#pragma once

namespace bastion::worker {

inline constexpr const char* kHooksRuntime = R"PY(
import importlib, importlib.machinery, importlib.util, inspect, json, os, sys, traceback

_emit = None          # set by C++: _emit(level, text) writes to Bastion's error log
HOOK_NAMES = ()       # set by C++: every hook name Bastion knows
HOOKS = {}            # name -> callable, from the config file
ARITY = {}            # name -> positional arguments the callable takes (post_request)
SERVER = None
WORKER = None
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40,
           "critical": 50, "fatal": 50}


def _text(msg, args):
    if args:
        try:
            return str(msg) % args
        except Exception:
            return "%s %r" % (msg, args)
    return str(msg)


def _tb(exc_info):
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or exc_info[0] is None:
        return ""
    return "".join(traceback.format_exception(*exc_info)).rstrip()


class Log(object):
    """Gunicorn's logger surface (server.log, worker.log): Bastion's error log."""

    def _log(self, level, msg, args, exc_info=None):
        text = _text(msg, args)
        if exc_info:
            tb = _tb(exc_info)
            if tb:
                text += "\n" + tb
        _emit(level, text)

    def debug(self, msg, *args, **kwargs):
        self._log(10, msg, args, kwargs.get("exc_info"))

    def info(self, msg, *args, **kwargs):
        self._log(20, msg, args, kwargs.get("exc_info"))

    def warning(self, msg, *args, **kwargs):
        self._log(30, msg, args, kwargs.get("exc_info"))

    warn = warning

    def error(self, msg, *args, **kwargs):
        self._log(40, msg, args, kwargs.get("exc_info"))

    def critical(self, msg, *args, **kwargs):
        self._log(50, msg, args, kwargs.get("exc_info"))

    def exception(self, msg, *args, **kwargs):
        self._log(40, msg, args, kwargs.get("exc_info", True))

    def log(self, lvl, msg, *args, **kwargs):
        if isinstance(lvl, str):
            lvl = _LEVELS.get(lvl.lower(), 20)
        self._log(int(lvl), msg, args, kwargs.get("exc_info"))

    def reopen_files(self):
        pass

    def close_on_exec(self):
        pass


def _noop(*args, **kwargs):
    return None


class Config(object):
    """Read access to the resolved settings: cfg.workers, cfg.bind, cfg.post_fork..."""

    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in HOOK_NAMES:
            return HOOKS.get(name, _noop)
        raise AttributeError("No configuration setting for: %s" % name)

    def __setattr__(self, name, value):
        object.__getattribute__(self, "_values")[name] = value

    def set(self, name, value):
        object.__getattribute__(self, "_values")[name] = value

    def get(self, name, default=None):
        return object.__getattribute__(self, "_values").get(name, default)

    @property
    def settings(self):
        return dict(object.__getattribute__(self, "_values"))

    @property
    def is_ssl(self):
        return bool(self.get("certfile") or self.get("keyfile"))

    @property
    def worker_class_str(self):
        return self.get("worker_class")

    @property
    def address(self):
        return list(self.get("bind") or [])

    def __repr__(self):
        return "<bastion Config %r>" % (object.__getattribute__(self, "_values"),)


class Worker(object):
    """Gunicorn's worker as hooks see it."""

    def __init__(self, pid, ppid, age, cfg, log):
        self.pid = pid
        self.ppid = ppid
        self.age = age
        self.cfg = cfg
        self.log = log
        self.alive = True
        self.booted = False
        self.aborted = False
        self.nr = 0
        self.tmp = None
        self.timeout = cfg.get("timeout", 30)
        self.max_requests = cfg.get("max_requests", 0) or sys.maxsize

    def __str__(self):
        return "<Worker %s>" % self.pid

    __repr__ = __str__


class Server(object):
    """Gunicorn's arbiter as hooks see it: the master's pid, settings and worker count."""

    def __init__(self, pid, cfg, log, num_workers):
        self.pid = pid
        self.cfg = cfg
        self.log = log
        self.num_workers = num_workers
        self.WORKERS = {}
        self.master_name = "Master"
        self.timeout = cfg.get("timeout", 30)
        self.proc_name = cfg.get("proc_name") or "bastion"

    def __str__(self):
        return "<Server %s>" % self.pid

    __repr__ = __str__


class Request(object):
    """The request as pre_request/post_request see it (Gunicorn's req)."""

    def __init__(self, method, uri, path, query, version, headers, environ, number):
        self.method = method
        self.uri = uri
        self.path = path
        self.query = query
        self.fragment = uri.partition("#")[2]
        self.version = version
        self.headers = headers
        self.trailers = []
        self.req_number = number
        self.scheme = environ.get("wsgi.url_scheme", "http")
        peer = environ.get("REMOTE_ADDR")
        self.remote_addr = (peer, environ.get("REMOTE_PORT")) if peer else None
        self.body = None

    def should_close(self):
        for name, value in self.headers:
            if name == "CONNECTION":
                return value.lower().strip() == "close"
        return self.version <= (1, 0)

    def __repr__(self):
        return "<Request %s %s>" % (self.method, self.uri)


class Response(object):
    """The response as post_request sees it (Gunicorn's resp)."""

    def __init__(self, status, fields, length, sent):
        self.status = status
        try:
            self.status_code = int(status.split(None, 1)[0])
        except (ValueError, IndexError):
            self.status_code = None
        headers = []
        for line in fields.split("\r\n"):
            if line:
                name, _, value = line.partition(":")
                headers.append((name, value.strip()))
        self.headers = headers
        self.response_length = length if length >= 0 else None
        self.sent = sent
        self.headers_sent = bool(status)
        self.chunked = length < 0

    def __repr__(self):
        return "<Response %s>" % self.status


def _arity(fn, most):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return most
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return most
    pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return max(1, min(most, len(pos)))


def _exec_config(spec):
    """Executes the config file the way the loader (and Gunicorn) does; its namespace."""
    if spec.startswith("python:"):
        name = spec[len("python:"):]
        if name in sys.modules:
            return vars(importlib.reload(sys.modules[name]))
        return vars(importlib.import_module(name))
    name = "__config__"
    if os.path.splitext(spec)[1] in (".py", ".pyc"):
        mspec = importlib.util.spec_from_file_location(name, spec)
    else:
        loader = importlib.machinery.SourceFileLoader(name, spec)
        mspec = importlib.util.spec_from_file_location(name, spec, loader=loader)
    mod = importlib.util.module_from_spec(mspec)
    sys.modules[name] = mod
    mspec.loader.exec_module(mod)
    return vars(mod)


def _error(text):
    _emit(40, text)


def _where(e, spec):
    if isinstance(e, SyntaxError) and e.filename:
        return "%s:%s" % (e.filename, e.lineno or 0)
    line = 0
    for fr in traceback.extract_tb(e.__traceback__):
        if os.path.abspath(fr.filename) == os.path.abspath(spec):
            line = fr.lineno
    return "%s:%d" % (spec, line) if line else spec


def load(spec, cfg_json, names):
    """Executes the config file and takes its hooks. False (logged) when it cannot be
    executed; the hooks loaded before are then kept."""
    global HOOK_NAMES
    HOOK_NAMES = tuple(names)
    try:
        ns = _exec_config(spec)
    except BaseException as e:
        _error("BST-E0733 cannot execute the config file for its server hooks: %s: %s\n%s"
               % (_where(e, spec), "".join(traceback.format_exception_only(type(e), e)).strip(),
                  _tb(e)))
        return False
    hooks, arity = {}, {}
    for name in HOOK_NAMES:
        fn = ns.get(name)
        if isinstance(fn, str) and "." in fn:
            try:
                mod_name, attr = fn.rsplit(".", 1)
                fn = getattr(importlib.import_module(mod_name), attr)
            except Exception as e:
                _error("BST-E0733 %s = %r cannot be imported: %s" % (name, fn, e))
                fn = None
        if callable(fn):
            hooks[name] = fn
            arity[name] = _arity(fn, 4 if name == "post_request" else 3)
    HOOKS.clear()
    HOOKS.update(hooks)
    ARITY.clear()
    ARITY.update(arity)
    return True


def call(name, *args):
    """Runs one hook; an exception is logged with its traceback. False when it raised."""
    fn = HOOKS.get(name)
    if fn is None:
        return True
    if name == "post_request":
        args = args[:ARITY.get(name, 4)]
    try:
        fn(*args)
        return True
    except BaseException as e:
        tb = e.__traceback__.tb_next or e.__traceback__  # from the hook's own frame
        text = "".join(traceback.format_exception(type(e), e, tb)).rstrip()
        _error("BST-E0730 Exception in %s hook\n%s" % (name, text))
        return False


# --- worker side ---------------------------------------------------------------------------

def setup_worker(spec, cfg_json, names, pid, ppid, age, num_workers):
    global SERVER, WORKER
    ok = load(spec, cfg_json, names)
    cfg = Config(json.loads(cfg_json))
    log = Log()
    SERVER = Server(ppid, cfg, log, num_workers)
    WORKER = Worker(pid, ppid, age, cfg, log)
    SERVER.WORKERS[pid] = WORKER
    return (ok, tuple(HOOKS))


def fire(name):
    if name == "post_worker_init":
        WORKER.booted = True
    if name == "worker_abort":
        WORKER.aborted = True
    if name in ("worker_exit", "worker_int", "worker_abort"):
        WORKER.alive = False
    if name in ("post_fork", "worker_exit"):
        return call(name, SERVER, WORKER)
    return call(name, WORKER)


def pre_request(method, uri, path, query, minor, headers, environ, number):
    req = Request(method, uri, path, query, (1, minor), headers, environ, number)
    call("pre_request", WORKER, req)
    return req


def post_request(req, environ, status, fields, length, sent):
    WORKER.nr += 1
    if "post_request" in HOOKS:
        call("post_request", WORKER, req, environ, Response(status, fields, length, sent))


# --- the hook companion (master-side hooks) -------------------------------------------------

def companion_main(fd, spec, cfg_json, names, master_pid, num_workers):
    global SERVER
    import socket
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0, fd)
    log = Log()
    load(spec, cfg_json, names)
    SERVER = Server(master_pid, Config(json.loads(cfg_json)), log, num_workers)
    booting = {}  # age -> the Worker pre_fork saw, until the master reports its pid
    while True:
        try:
            data = sock.recv(1 << 20)
        except InterruptedError:
            continue
        except OSError:
            os._exit(0)
        if not data:
            os._exit(0)
        try:
            ev = json.loads(data)
        except ValueError:
            continue
        if ev.get("n") is not None:
            SERVER.num_workers = ev["n"]
        kind = ev.get("ev")
        if kind == "config":
            if load(ev["file"], ev["cfg"], names):
                SERVER.cfg = Config(json.loads(ev["cfg"]))
        elif kind == "spawned":
            w = booting.pop(ev["age"], None) or Worker(ev["pid"], master_pid, ev["age"],
                                                       SERVER.cfg, log)
            w.pid = ev["pid"]
            SERVER.WORKERS[w.pid] = w
        elif kind == "hook":
            name = ev["name"]
            if name == "pre_fork":
                w = Worker("[booting]", master_pid, ev["age"], SERVER.cfg, log)
                booting[ev["age"]] = w
                call(name, SERVER, w)
            elif name == "child_exit":
                w = SERVER.WORKERS.pop(ev["pid"], None) or Worker(ev["pid"], master_pid,
                                                                  ev["age"], SERVER.cfg, log)
                w.alive = False
                call(name, SERVER, w)
            elif name == "nworkers_changed":
                call(name, SERVER, ev["new"], ev.get("old"))
            else:
                call(name, SERVER)
        if ev.get("id") is not None:
            try:
                sock.send(json.dumps({"ack": ev["id"]}).encode())
            except OSError:
                os._exit(0)
)PY";

}  // namespace bastion::worker
