// SPDX-License-Identifier: MIT
// Source of the `_bastion_guard` Python module (see guard_source.h): the import hooks and the
// rules BG000-BG006, run inside the worker's interpreter with the GIL held. The module never
// imports Flask, Werkzeug or Django itself: it looks only at what the application imported.
#include "guard/guard_source.h"

namespace bastion::guard {

// Why Python: every rule reads Python objects (Flask config, Werkzeug wrappers, Django
// settings), and attribute access on them can run arbitrary code. Written in Python the rules
// are short, and every failure is an ordinary exception that the C++ side turns into BG000.
const char kGuardSource[] = R"PY(
import collections
import functools
import inspect as _inspect
import linecache
import os
import sys
import types

# --- state --------------------------------------------------------------------------------
# "load" while the application is imported (and its factory called), "serve" afterwards.
_phase = "load"
_ENV_VARS = ("FLASK_DEBUG", "FLASK_ENV", "WERKZEUG_DEBUG_PIN")
_env_at_start = {}
_run_calls = []      # intercepted Flask.run() / run_simple() calls
_flask_apps = []     # (app, site) for every Flask app created while loading
_debuggers = []      # (DebuggedApplication, site) created while loading
_debug_sites = {}    # id(config) -> (config, value, site) of the last DEBUG assignment
_hook_errors = []
_framework_dirs = set()

_MAX_DEPTH = 16
_MAX_NODES = 2000
_SCALARS = (str, bytes, bytearray, int, float, complex, bool, type(None))
_WRAPPER_ATTRS = ("wsgi_app", "app", "application", "__wrapped__", "wrapped", "wrapped_app",
                  "_app", "_application", "_wsgi_app", "_wrapped", "inner", "inner_app",
                  "next_app", "wsgi", "handler")
_PLACEHOLDER_KEYS = {
    "", "dev", "devkey", "development", "developmentkey", "changeme", "changethis",
    "changemeplease", "pleasechangeme", "replaceme", "secret", "secretkey", "mysecret",
    "mysecretkey", "supersecret", "supersecretkey", "topsecret", "verysecret",
    "verysecretkey", "notsecret", "notasecret", "yoursecretkey", "yoursecret", "test",
    "testing", "testkey", "default", "defaultkey", "password", "passw0rd", "key", "flask",
    "flaskkey", "insecure", "insecurekey", "example", "sample", "todo", "fixme", "foo",
    "bar", "foobar", "xxx", "abc", "abc123", "123", "1234", "12345", "123456", "none",
    "null", "local", "localdev", "debug", "s3cr3t", "hunter2", "qwerty",
}


# --- where things happen --------------------------------------------------------------------
def _is_internal(filename):
    if filename.startswith("<bastion") or filename.startswith("<frozen"):
        return True
    return any(filename.startswith(d) for d in _framework_dirs)


def _add_framework_dir(module):
    path = getattr(module, "__file__", None)
    if path:
        # The top-level package directory (flask/ or werkzeug/), with a trailing separator.
        top = module.__name__.split(".")[0]
        d = os.path.dirname(os.path.abspath(path))
        while os.path.basename(d) != top and os.path.dirname(d) != d:
            d = os.path.dirname(d)
        _framework_dirs.add(os.path.join(d, ""))


def _caller_site():
    """(module, file, line) of the innermost frame outside Flask, Werkzeug and this module."""
    frame = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    return (frame.f_globals.get("__name__") or "?", frame.f_code.co_filename, frame.f_lineno)


def _site_where(site, default):
    """The "file.py:12" of the `where` field (relative to the working directory when inside it)."""
    if not site:
        return default
    return _site_text(site, source=False)


def _site_text(site, source=True):
    if not site:
        return "an unknown place"
    module, filename, line = site
    shown = filename
    try:
        rel = os.path.relpath(filename)
        if not rel.startswith(".."):
            shown = rel
    except ValueError:
        pass
    text = "%s:%d" % (shown, line)
    code = linecache.getline(filename, line).strip() if source else ""
    if code:
        text += " `%s`" % (code if len(code) <= 100 else code[:97] + "...")
    return text


# --- import hooks ---------------------------------------------------------------------------
def _truthy_flask(value):
    """Flask's own rule (flask.helpers.get_debug_flag): everything but '', 0, false, no."""
    return bool(value) and value.lower() not in ("0", "false", "no")


def _flask_debug_on(app):
    """Whether a Flask app is in debug mode, and how that shows. Raises if unreadable."""
    shown = []
    attr = app.debug
    if attr:
        shown.append("app.debug is %r" % (attr,))
    config = app.config
    value = config.get("DEBUG") if hasattr(config, "get") else None
    if value and (value is not attr or not shown):
        shown.append("config['DEBUG'] = %r" % (value,))
    return bool(attr) or bool(value), ", ".join(shown)


def _record_run(call, site, reasons, app):
    if _phase == "load":
        _run_calls.append({"call": call, "site": site, "reasons": reasons, "app": app})
    else:
        sys.stderr.write("bastion: BG004 %s called at %s while serving: ignored, no development "
                         "server started\n" % (call, _site_text(site)))


def _guardable_class(module, name):
    """The class `name` of `module` if it is not patched yet (then marks its directory as the
    framework's, so call sites are attributed to the application), else None."""
    cls = getattr(module, name, None)
    if not isinstance(cls, type) or cls.__dict__.get("_bastion_guarded"):
        return None
    _add_framework_dir(module)
    return cls


def _record_instances(cls, sink):
    """Wraps cls.__init__ so every instance made while the app loads lands in `sink` with the
    call site that made it."""
    original_init = cls.__init__

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if _phase == "load":
            sink.append((self, _caller_site()))

    cls.__init__ = __init__


def _patch_flask_app(module):
    cls = _guardable_class(module, "Flask")
    if cls is None:
        return
    _record_instances(cls, _flask_apps)

    def run(self, host=None, port=None, debug=None, load_dotenv=True, **options):
        # Mirrors Flask.run's own precedence: debug=, else FLASK_DEBUG, else app.debug; an
        # explicit use_debugger= wins for the debugger.
        reasons = []
        if debug:
            reasons.append("debug=%r" % (debug,))
        if options.get("use_debugger"):
            reasons.append("use_debugger=%r" % (options["use_debugger"],))
        if debug is None and "use_debugger" not in options:
            if _truthy_flask(os.environ.get("FLASK_DEBUG")):
                reasons.append("FLASK_DEBUG=%r" % os.environ.get("FLASK_DEBUG"))
            else:
                try:
                    if _flask_debug_on(self)[0]:
                        reasons.append("app.debug is True")
                except Exception:
                    reasons.append("app.debug unreadable")
        _record_run("Flask.run()", _caller_site(), reasons, self)
        return None

    run.__doc__ = "Intercepted by Bastion: a worker never starts Flask's development server."
    cls.run = run
    cls._bastion_guarded = True


def _patch_flask_config(module):
    cls = _guardable_class(module, "Config")
    if cls is None:
        return
    base_setitem = cls.__setitem__
    base_update = cls.update
    missing = object()

    def __setitem__(self, key, value):
        base_setitem(self, key, value)
        if key == "DEBUG" and _phase == "load":
            _debug_sites[id(self)] = (self, value, _caller_site())

    def update(self, *args, **kwargs):
        before = dict.get(self, "DEBUG", missing)
        base_update(self, *args, **kwargs)
        after = dict.get(self, "DEBUG", missing)
        if _phase == "load" and after is not missing and (after is not before or "DEBUG" in kwargs):
            _debug_sites[id(self)] = (self, after, _caller_site())

    cls.__setitem__ = __setitem__
    cls.update = update
    cls._bastion_guarded = True


def _patch_serving(module):
    original = getattr(module, "run_simple", None)
    if original is None or getattr(original, "_bastion_guarded", False):
        return
    _add_framework_dir(module)
    try:
        signature = _inspect.signature(original)
    except (TypeError, ValueError):
        signature = None

    def run_simple(*args, **kwargs):
        params = dict(kwargs)
        if signature is not None:
            try:
                params = dict(signature.bind_partial(*args, **kwargs).arguments)
            except TypeError:
                pass
        reasons = []
        if params.get("use_debugger"):
            reasons.append("use_debugger=%r" % (params["use_debugger"],))
        application = params.get("application")
        if application is not None:
            for obj, path, kind in _walk(application, "application")[0]:
                if kind == "debugger":
                    reasons.append("the application passed is wrapped in %s" % type(obj).__name__)
                elif kind == "flask":
                    try:
                        if _flask_debug_on(obj)[0]:
                            reasons.append("the Flask app passed has debug on")
                    except Exception:
                        reasons.append("the Flask app passed has an unreadable debug flag")
        _record_run("werkzeug.serving.run_simple()", _caller_site(), reasons, application)
        return None

    functools.update_wrapper(run_simple, original)
    run_simple._bastion_guarded = True
    module.run_simple = run_simple
    package = sys.modules.get("werkzeug")
    if package is not None and getattr(package, "run_simple", None) is original:
        package.run_simple = run_simple


def _patch_debug(module):
    cls = _guardable_class(module, "DebuggedApplication")
    if cls is None:
        return
    _record_instances(cls, _debuggers)
    cls._bastion_guarded = True


_PATCHES = {
    "flask.app": _patch_flask_app,
    "flask.config": _patch_flask_config,
    "werkzeug.serving": _patch_serving,
    "werkzeug.debug": _patch_debug,
}


def _apply(patch, module):
    try:
        patch(module)
    except Exception as e:
        _hook_errors.append("patching %s failed: %s: %s" % (module.__name__, type(e).__name__, e))


class _Finder:
    """Lets the import system load the patched modules normally, then patches them before the
    importing module sees them: a module-level app.run() meets the patched method."""

    @staticmethod
    def _next_spec(name, path, target):
        for finder in sys.meta_path:
            if isinstance(finder, _Finder):
                continue
            find = getattr(finder, "find_spec", None)
            if find is not None:
                spec = find(name, path, target)
                if spec is not None:
                    return spec
        return None

    def find_spec(self, name, path=None, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        try:
            spec = self._next_spec(name, path, target)
        except Exception as e:
            # Let the import system try on its own; without the patch BG004 cannot be
            # guaranteed, so inspect() refuses with BG000.
            _hook_errors.append("finding %s failed: %s: %s" % (name, type(e).__name__, e))
            return None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        inner = spec.loader.exec_module

        def exec_module(module):
            inner(module)
            _apply(patch, module)

        try:
            spec.loader.exec_module = exec_module
        except (AttributeError, TypeError):
            _hook_errors.append("cannot hook the import of %s" % name)
        return spec


def install():
    """Installs the hooks (once) and (re)arms recording for one load of the application."""
    global _env_at_start, _phase
    _phase = "load"
    for records in (_run_calls, _flask_apps, _debuggers, _hook_errors):
        del records[:]
    _debug_sites.clear()
    _env_at_start = {k: os.environ[k] for k in _ENV_VARS if k in os.environ}
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    for name, patch in _PATCHES.items():
        module = sys.modules.get(name)
        if module is not None:
            _apply(patch, module)


# --- the middleware chain -------------------------------------------------------------------
def _kind(obj):
    try:
        mro = type(obj).__mro__
    except Exception:
        return None
    for cls in mro:
        module = getattr(cls, "__module__", "") or ""
        name = getattr(cls, "__name__", "")
        if (module == "flask" or module.startswith("flask.")) and name in ("Flask", "App"):
            return "flask"
        if name in ("DebuggedApplication", "EvalException"):
            return "debugger"
        if module.startswith("django.") and name == "WSGIHandler":
            return "django"
    return None


def _instance_dict(obj):
    try:
        d = object.__getattribute__(obj, "__dict__")
    except Exception:
        return {}
    return d if isinstance(d, dict) else {}


def _app_like(value):
    return callable(value) and not isinstance(value, (type, types.ModuleType))


def _items(suffix, value):
    """The app-like members of a mount table or list."""
    if isinstance(value, dict) and len(value) <= 256:
        for key, item in list(value.items()):
            if _app_like(item):
                yield "%s[%r]" % (suffix, key), item
    elif isinstance(value, (list, tuple)) and len(value) <= 256:
        for i, item in enumerate(value):
            if _app_like(item):
                yield "%s[%d]" % (suffix, i), item


def _children(obj, kind):
    if kind == "flask":
        inner = _instance_dict(obj).get("wsgi_app")  # app.wsgi_app = Middleware(app.wsgi_app)
        if inner is not None:
            yield ".wsgi_app", inner
        return
    if kind == "django" or isinstance(obj, (type, types.ModuleType) + _SCALARS):
        return
    if isinstance(obj, types.MethodType):
        yield ".__self__", obj.__self__
        return
    if isinstance(obj, functools.partial):
        yield ".func", obj.func
        for i, arg in enumerate(obj.args):
            if _app_like(arg):
                yield ".args[%d]" % i, arg
        return
    if isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return
    if isinstance(obj, types.FunctionType):
        wrapped = obj.__dict__.get("__wrapped__")
        if wrapped is not None:
            yield ".__wrapped__", wrapped
        for name, cell in zip(obj.__code__.co_freevars, obj.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if _app_like(value):
                yield ".<closure %s>" % name, value
            else:
                yield from _items(".<closure %s>" % name, value)
        return
    named = set()
    for name in _WRAPPER_ATTRS:
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        named.add(name)
        if _app_like(value):
            yield "." + name, value
        else:
            yield from _items("." + name, value)
    for name, value in list(_instance_dict(obj).items()):
        if name in named or not isinstance(name, str):
            continue
        if _app_like(value):
            yield "." + name, value
        else:
            yield from _items("." + name, value)


def _walk(root, label):
    """Breadth-first over the served object and everything it wraps: [(obj, path, kind)].
    Cycle-safe (objects are kept alive while walking, so ids stay unique) and bounded."""
    nodes, seen, keep = [], set(), []
    queue = collections.deque([(root, label, 0)])
    while queue and len(nodes) < _MAX_NODES:
        obj, path, depth = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        keep.append(obj)
        kind = _kind(obj)
        nodes.append((obj, path, kind))
        if depth >= _MAX_DEPTH:
            continue
        try:
            for suffix, child in _children(obj, kind):
                if child is not None and id(child) not in seen:
                    queue.append((child, path + suffix, depth + 1))
        except Exception:
            pass  # the scan beyond the named attributes is best effort
    return nodes, seen


# --- rules ----------------------------------------------------------------------------------
class _Report:
    def __init__(self, module_name):
        self.module = module_name
        self.findings = []
        self.env_apps = []  # Flask apps in debug mode only because of FLASK_DEBUG

    def add(self, rule, refuses, message, where, fix):
        item = (rule, bool(refuses), message, where, fix)
        if item not in self.findings:
            self.findings.append(item)

    def failed(self, what, where, error):
        self.add("BG000", True,
                 "the debug guard could not check %s (%s: %s), so it cannot prove debug mode is "
                 "off" % (what, type(error).__name__, error), where,
                 "make the object readable (the error comes from the application or a library it "
                 "uses); to serve anyway on a loopback bind for local development, pass "
                 "--allow-debug")


_FIX_BG001 = ("turn debug mode off for production: remove `app.debug = True` / `DEBUG = True` "
              "(or derive it from a variable that is unset in production); for local "
              "development use `flask run --debug`, or `bastion --allow-debug` on 127.0.0.1")


def _debug_site(app):
    """Where the application switched DEBUG on while loading, if the hooks saw it."""
    try:
        entry = _debug_sites.get(id(app.config))
        if entry is not None and entry[0] is app.config and entry[1]:
            return entry[2]
    except Exception:
        pass
    return None


def _from_environment(report, app, where_text):
    """True when FLASK_DEBUG alone explains the debug flag: BG003 then reports the app
    instead of a second, redundant BG001."""
    if _debug_site(app) is None and _truthy_flask(os.environ.get("FLASK_DEBUG")):
        report.env_apps.append("%r (%s)" % (_app_name(app), where_text))
        return True
    return False


def _debug_origin(app):
    site = _debug_site(app)
    return "; DEBUG was set at %s" % _site_text(site) if site else ""


def _app_name(app):
    try:
        return str(app.name)
    except Exception:
        return "?"


def _rule_flask(report, app, path):
    where = "%s:%s" % (report.module, path)
    try:
        on, shown = _flask_debug_on(app)
    except Exception as e:
        report.failed("the debug flag of the Flask app at `%s`" % path, where, e)
        return
    if on and not _from_environment(report, app, "`%s`" % path):
        report.add("BG001", True,
                   "Flask app %r is in debug mode (%s), served as `%s` in module %r%s"
                   % (_app_name(app), shown, path, report.module, _debug_origin(app)),
                   where, _FIX_BG001)
    _rule_secret_key(report, app, path, where)


def _rule_debugger(report, obj, path, where=None, site=None):
    where = where or "%s:%s" % (report.module, path)
    try:
        evalex = bool(getattr(obj, "evalex", True))
    except Exception:
        evalex = True
    state = _instance_dict(obj)
    if evalex:
        what = "its interactive Python console is on (evalex=True)"
        if "_pin" in state and state["_pin"] is None:
            what += " and no PIN protects it (pin_security=False)"
    else:
        what = "it shows tracebacks with source code to clients (evalex=False)"
    place = ("created at %s, not reachable from the served object through known wrapper "
             "attributes" % _site_text(site)) if site else "at `%s` in module %r" % (path, report.module)
    report.add("BG002", True,
               "Werkzeug debugger %s wraps the application, %s: %s"
               % (type(obj).__name__, place, what), where,
               "remove the DebuggedApplication wrapper (and any use_debugger=True): anyone who "
               "reaches it can run Python code in the worker")


def _secret_problem(key):
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if not isinstance(key, str):
        return None
    folded = "".join(c for c in key.lower() if c.isalnum())
    if key.strip().lower() in _PLACEHOLDER_KEYS or folded in _PLACEHOLDER_KEYS:
        return "is a well-known placeholder (%r)" % key
    if key.startswith("django-insecure-"):
        return "is the insecure key generated by `django-admin startproject`"
    if len(key) < 16:
        return "is only %d characters long" % len(key)
    return None


def _rule_secret_key(report, app, path, where):
    try:
        key = app.config.get("SECRET_KEY")
    except Exception:
        return
    fix = ("set SECRET_KEY from a secret store or the environment (e.g. "
           "`app.config['SECRET_KEY'] = os.environ['SECRET_KEY']`, generated with "
           "`python -c 'import secrets; print(secrets.token_hex(32))'`)")
    if not key:
        report.add("BG006", False,
                   "Flask app %r (`%s`) has no SECRET_KEY: sessions, flash messages and CSRF "
                   "tokens cannot be signed" % (_app_name(app), path), where, fix)
        return
    problem = _secret_problem(key)
    if problem:
        report.add("BG006", False,
                   "Flask app %r (`%s`): SECRET_KEY %s; anyone can forge its session cookies"
                   % (_app_name(app), path, problem), where, fix)


def _env_source(var, value, raw_env):
    from_cli = None
    for item in raw_env:
        key, eq, val = item.partition("=")
        if eq and key.strip() == var:
            from_cli = val
    if from_cli is not None and from_cli == value:
        return "set with -e/--env or raw_env"
    start = _env_at_start.get(var)
    if start == value:
        return "inherited from the environment bastion was started with"
    if start is not None:
        return "changed by the application while it was imported (it was %r)" % start
    return "set by the application while it was imported: os.environ or a .env loader"


def _rule_env(report, raw_env):
    checks = (
        ("FLASK_DEBUG", _truthy_flask,
         "Flask turns debug mode on for every app this worker creates (Flask treats every value "
         "except '', '0', 'false' and 'no' as on)",
         "unset FLASK_DEBUG in the production environment (or set it to 0)"),
        ("FLASK_ENV", lambda v: v.strip().lower() == "development",
         "development mode: debug on in Flask before 2.3, and a sign of a development "
         "configuration", "unset FLASK_ENV (or set it to production)"),
        ("WERKZEUG_DEBUG_PIN", lambda v: v.strip().lower() == "off",
         "the Werkzeug debugger console would accept anyone, without a PIN",
         "unset WERKZEUG_DEBUG_PIN"),
    )
    for var, on, meaning, fix in checks:
        value = os.environ.get(var)
        if value is None or not on(value):
            continue
        affected = ""
        if var == "FLASK_DEBUG" and report.env_apps:
            affected = "; it put Flask app %s in debug mode" % ", ".join(report.env_apps)
        report.add("BG003", True,
                   "environment variable %s=%r (%s): %s%s"
                   % (var, value, _env_source(var, value, raw_env), meaning, affected),
                   "environment variable " + var, fix)


def _rule_django(report, handler_paths):
    conf = sys.modules.get("django.conf")
    where = "%s:%s" % (report.module, handler_paths[0]) if handler_paths else "django.conf.settings"
    if conf is None:
        if handler_paths:
            report.failed("Django settings (django.conf is not imported)", where,
                          RuntimeError("no settings"))
        return
    settings = getattr(conf, "settings", None)
    try:
        # Reading an attribute configures lazy settings from DJANGO_SETTINGS_MODULE, as the
        # first request would; with neither a handler nor that variable there is nothing to read.
        if not settings.configured and not handler_paths and not os.environ.get("DJANGO_SETTINGS_MODULE"):
            return
        debug = settings.DEBUG
        module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE")
        key = getattr(settings, "SECRET_KEY", None)
    except Exception as e:
        if handler_paths:
            report.failed("Django settings.DEBUG", where, e)
        return
    shown = ("settings module %r" % module) if module else "settings.configure()"
    if debug:
        served = (" for the Django application served as `%s`" % handler_paths[0]) if handler_paths else ""
        report.add("BG005", True,
                   "Django settings.DEBUG is %r (%s)%s: error pages show tracebacks, settings "
                   "and SQL" % (debug, shown, served), where,
                   "set DEBUG = False in the production settings (e.g. `DEBUG = "
                   "os.environ.get('DJANGO_DEBUG') == '1'` with the variable unset) and list "
                   "ALLOWED_HOSTS")
    problem = _secret_problem(key) if key else "is missing"
    if problem:
        report.add("BG006", False, "Django SECRET_KEY %s (%s)" % (problem, shown), where,
                   "set SECRET_KEY from a secret store or the environment")


def _rule_run_calls(report):
    fix_tail = ("delete the call, or move it under `if __name__ == \"__main__\":` so that only "
                "`python app.py` runs it; Bastion serves the application object itself")
    for call in _run_calls:
        site = call["site"]
        where = _site_where(site, report.module)
        reasons = call["reasons"]
        message = ("%s was called while the application was loading (%s); Bastion intercepted "
                   "it and started no development server" % (call["call"], _site_text(site)))
        if reasons:
            message += ", and the call asks for debug mode (%s)" % ", ".join(reasons)
        report.add("BG004", bool(reasons), message, where, fix_tail)
        if reasons and call["call"].startswith("Flask"):
            report.add("BG001", True,
                       "Flask app %r asks for debug mode through %s (%s) at %s"
                       % (_app_name(call["app"]), call["call"], ", ".join(reasons),
                          _site_text(site)), where, _FIX_BG001)
        elif reasons:
            report.add("BG002", True,
                       "%s at %s would serve the application through the Werkzeug debugger (%s)"
                       % (call["call"], _site_text(site), ", ".join(reasons)), where,
                       "remove use_debugger=True and any DebuggedApplication wrapper")


def _rule_unreachable(report, seen):
    for app, site in _flask_apps:
        if id(app) in seen:
            continue
        try:
            on, shown = _flask_debug_on(app)
        except Exception as e:
            report.failed("the debug flag of Flask app %r created at %s"
                          % (_app_name(app), _site_text(site)), report.module, e)
            continue
        if on and not _from_environment(report, app, "created at %s" % _site_text(site, False)):
            report.add("BG001", True,
                       "Flask app %r created at %s is in debug mode (%s); it is not reachable "
                       "from the served object through known wrapper attributes, but it lives "
                       "in this worker%s" % (_app_name(app), _site_text(site), shown,
                                             _debug_origin(app)),
                       _site_where(site, report.module), _FIX_BG001)
    for debugger, site in _debuggers:
        if id(debugger) not in seen:
            _rule_debugger(report, debugger, "?", _site_where(site, report.module),
                           site or ("?", "?", 0))


def inspect(app, label, module_name, raw_env, hook_error):
    """Runs every rule; returns [(rule, refuses, message, where, fix)], refusing first."""
    global _phase
    if not label:
        module = sys.modules.get(module_name)
        label = "application" if hasattr(module, "application") else "app"
    report = _Report(module_name)
    try:
        if hook_error:
            report.failed("the import hooks", module_name, RuntimeError(hook_error))
        for error in _hook_errors:
            report.failed("the import hooks", module_name, RuntimeError(error))
        try:
            nodes, seen = _walk(app, label)
        except Exception as e:
            report.failed("the served object `%s`" % label, "%s:%s" % (module_name, label), e)
            nodes, seen = [], set()
        django_paths = []
        for obj, path, kind in nodes:
            if kind == "flask":
                _rule_flask(report, obj, path)
            elif kind == "debugger":
                _rule_debugger(report, obj, path)
            elif kind == "django":
                django_paths.append(path)
        # The environment rule comes last: it names the apps the other rules left to it.
        steps = ((_rule_run_calls, (report,)), (_rule_django, (report, django_paths)),
                 (_rule_unreachable, (report, seen)), (_rule_env, (report, list(raw_env))))
        for step, args in steps:
            try:
                step(*args)
            except Exception as e:
                report.failed(step.__name__[6:] + " rule", module_name, e)
    finally:
        _phase = "serve"
        del _flask_apps[:]
        del _debuggers[:]
        _debug_sites.clear()
    clean = lambda s: str(s).encode("utf-8", "backslashreplace").decode("utf-8")
    findings = [(rule, refuses, clean(message), clean(where), clean(fix))
                for rule, refuses, message, where, fix in report.findings]
    return sorted(findings, key=lambda f: (not f[1], f[0]))
)PY";

}  // namespace bastion::guard
