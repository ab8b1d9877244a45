// SPDX-License-Identifier: MIT
// Runs the config-file child: posix_spawn of the interpreter with a small embedded program,
// the request as argv[1], and the JSON report read from a pipe on the child's stdout. The
// program moves the real stdout aside first, so print() calls in a config file go to stderr
// instead of corrupting the report.
#include "config/config_file.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/unique_fd.h"
#include "config/settings.h"

namespace bastion::config {
namespace {

constexpr size_t kMaxReport = 16u << 20;

// The child program. It mirrors Gunicorn's loading: a file is executed as module
// "__config__" (so __file__ is set and relative imports of sibling modules work from the
// current directory), python:NAME is imported. It reports settings, hooks and other names.
constexpr const char* kProgram = R"PY(
import ast, importlib, importlib.machinery, importlib.util, inspect, json, os, sys, traceback
_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
req = json.loads(sys.argv[1])
res = {"values": [], "others": [], "functions": [], "hooks": [], "warnings": [],
       "toml_values": [], "toml_found": False}

def finish(obj):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # os._exit below would drop what the file printed
        except Exception:
            pass
    _out.write(json.dumps(obj))
    _out.flush()
    os._exit(0)

def fail(message, file="", line=0, detail=""):
    finish({"error": {"message": message, "file": file or "", "line": line or 0,
                      "detail": detail}})

def enc(v, depth=0):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if -2**63 <= v < 2**63 else str(v)
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else {"$repr": repr(v)}
    if depth > 32:
        return {"$repr": repr(v)}
    if isinstance(v, (list, tuple)):
        return [enc(x, depth + 1) for x in v]
    if isinstance(v, (set, frozenset)):
        return [enc(x, depth + 1) for x in sorted(v, key=repr)]
    if isinstance(v, dict):
        return {str(k): enc(x, depth + 1) for k, x in v.items()}
    if inspect.isclass(v) or inspect.isroutine(v):
        return "%s.%s" % (getattr(v, "__module__", "?"), getattr(v, "__qualname__", "?"))
    return {"$repr": repr(v)}

def top_lines(path):
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except Exception:
        return {}
    lines = {}
    def names(t):
        if isinstance(t, ast.Name):
            yield t.id
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                yield from names(e)
        elif isinstance(t, ast.Starred):
            yield from names(t.value)
    def walk(body):
        for st in body:
            if isinstance(st, ast.Assign):
                for t in st.targets:
                    for n in names(t):
                        lines[n] = st.lineno
            elif isinstance(st, (ast.AnnAssign, ast.AugAssign)):
                for n in names(st.target):
                    lines[n] = st.lineno
            elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                lines[st.name] = st.lineno
                continue
            elif isinstance(st, (ast.Import, ast.ImportFrom)):
                for a in st.names:
                    lines[(a.asname or a.name).split(".")[0]] = st.lineno
            for field in ("body", "orelse", "finalbody", "handlers"):
                sub = getattr(st, field, None)
                if isinstance(sub, list):
                    walk(sub)
    walk(tree.body)
    return lines

def raise_site(e, path):
    tb = traceback.extract_tb(e.__traceback__)
    line = 0
    for fr in tb:
        if path and os.path.abspath(fr.filename) == path:
            line = fr.lineno
    inner = ""
    real = [fr for fr in tb if not fr.filename.startswith("<frozen")]
    if real and (not path or os.path.abspath(real[-1].filename) != path):
        inner = "%s, line %s" % (real[-1].filename, real[-1].lineno)
    return line, inner

def exc_text(e):
    return "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()[-1]

def exec_config(spec_text):
    if spec_text.startswith("python:"):
        name = spec_text[len("python:"):]
        try:
            mod = importlib.import_module(name)
        except BaseException as e:
            line, inner = raise_site(e, getattr(e, "filename", None))
            fail(exc_text(e), "python:" + name, getattr(e, "lineno", 0) or line,
                 "".join(traceback.format_exception(type(e), e, e.__traceback__)))
        path = os.path.abspath(getattr(mod, "__file__", "") or "")
        return vars(mod), (top_lines(path) if path.endswith(".py") else {}), path
    path = os.path.abspath(spec_text)
    if not os.path.exists(path):
        fail("config file %s doesn't exist" % spec_text, spec_text)
    name = "__config__"
    try:
        if os.path.splitext(path)[1] in (".py", ".pyc"):
            spec = importlib.util.spec_from_file_location(name, path)
        else:
            res["warnings"].append("config file %s should have a .py extension; "
                                   "executing it as Python" % spec_text)
            loader = importlib.machinery.SourceFileLoader(name, path)
            spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    except SyntaxError as e:
        fail("SyntaxError: %s" % e.msg, e.filename or path, e.lineno or 0,
             "".join(traceback.format_exception(type(e), e, e.__traceback__)))
    except BaseException as e:
        line, inner = raise_site(e, path)
        msg = exc_text(e) + (" (raised in %s)" % inner if inner else "")
        fail(msg, path, line, "".join(traceback.format_exception(type(e), e, e.__traceback__)))
    return vars(mod), top_lines(path), path

def hook_value(name, v, lo, hi, args, line, path):
    if isinstance(v, str):
        try:
            mod_name, obj_name = v.rsplit(".", 1)
            v = getattr(importlib.import_module(mod_name), obj_name)
        except Exception as e:
            fail("%s = %r cannot be imported: %s" % (name, v, exc_text(e)), path, line)
    if not callable(v):
        fail("%s must be a callable taking (%s), got %r" % (name, args, v), path, line)
    try:
        params = inspect.signature(v).parameters.values()
    except (TypeError, ValueError):
        return enc(v)
    pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    star = any(p.kind == p.VAR_POSITIONAL for p in params)
    needed = len([p for p in pos if p.default is p.empty])
    ok = (lo <= len(pos) <= hi) or (star and needed <= hi) or (needed <= lo <= len(pos))
    if not ok:
        fail("%s must accept %s argument%s (%s); it accepts %d" % (
            name, lo if lo == hi else "%d to %d" % (lo, hi), "" if hi == 1 else "s",
            args, len(pos)), path, line)
    return enc(v)

def collect(ns, lines, path):
    hooks = req["hooks"]
    settings = set(req["settings"])
    for k, v in list(ns.items()):
        if k.startswith("__") or inspect.ismodule(v):
            continue
        line = lines.get(k, 0)
        if k in hooks:
            lo, hi, args = hooks[k]
            res["hooks"].append({"name": k, "value": hook_value(k, v, lo, hi, args, line, path),
                                 "line": line})
        elif k in settings:
            res["values"].append({"name": k, "value": enc(v), "line": line})
        elif k.startswith("_"):
            continue
        elif inspect.isroutine(v) or inspect.isclass(v):
            res["functions"].append({"name": k, "value": None, "line": line})
        else:
            res["others"].append({"name": k, "value": None, "line": line})

def load_toml(path, whole):
    try:
        import tomllib
    except ImportError:
        try:
            import tomli as tomllib
        except ImportError:
            fail("reading %s needs Python 3.11+ (tomllib) or the tomli package" % path, path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except Exception as e:
        import re
        m = re.search(r"line (\d+)", str(e))
        fail("TOML: %s" % e, path, int(m.group(1)) if m else 0)
    tool = data.get("tool")
    table = tool.get("bastion") if isinstance(tool, dict) else None
    if table is None and whole:
        table = data
    if table is None:
        return
    if not isinstance(table, dict):
        fail("[tool.bastion] must be a table", path)
    res["toml_found"] = True
    for k, v in table.items():
        res["toml_values"].append({"name": k, "value": enc(v), "line": 0})

try:
    os.chdir(req["cwd"])
except OSError as e:
    fail("cannot change to %s: %s" % (req["cwd"], e.strerror))
cwd = os.getcwd()
if cwd not in sys.path:
    sys.path.insert(0, cwd)
if req["toml"]:
    res["toml_file"] = os.path.abspath(req["toml"])
    load_toml(req["toml"], req["toml_whole_file"])
if req["config"]:
    ns, lines, path = exec_config(req["config"])
    res["config_file"] = req["config"] if req["config"].startswith("python:") else path
    collect(ns, lines, res["config_file"])
finish(res)
)PY";

bool is_executable(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

struct ChildRun {
  std::string out;
  int status = 0;
};

// Spawns argv with `env`: stdin from /dev/null, stdout to `out_fd`, stderr inherited, other
// descriptors closed, signal mask and dispositions reset.
base::Result<pid_t> spawn_child(const std::vector<std::string>& argv, const Environ& env,
                                int out_fd) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Inherited descriptors without CLOEXEC (systemd's LISTEN_FDS) stay out of the child.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The master may block or catch signals; the child starts with a clean slate.
  sigset_t empty;
  sigset_t all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return base::make_error("cannot run " + args[0] + ": " + std::strerror(rc), 1);
  return pid;
}

// Runs argv and collects its stdout until EOF, the size cap or the deadline (then the child is
// killed). Always reaps the child.
base::Result<ChildRun> run_child(const std::vector<std::string>& argv, const Environ& env,
                                 int timeout_ms) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return base::make_error(std::string("pipe: ") + std::strerror(errno), 1);
  }
  base::UniqueFd rd(fds[0]);
  base::UniqueFd wr(fds[1]);
  auto pid = spawn_child(argv, env, wr.get());
  if (!pid.ok()) return std::move(pid).error();
  wr.reset();

  ChildRun run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{rd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;  // EINTR or the deadline
    char buf[65536];
    ssize_t got = ::read(rd.get(), buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;
    run.out.append(buf, static_cast<size_t>(got));
    if (run.out.size() > kMaxReport) {
      timed_out = true;  // treat a runaway child like a hung one
      break;
    }
  }
  if (timed_out) ::kill(*pid, SIGKILL);
  while (::waitpid(*pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    std::string limit = timeout_ms % 1000 == 0 ? std::to_string(timeout_ms / 1000) + " s"
                                               : std::to_string(timeout_ms) + " ms";
    return base::make_error("the config file did not finish within " + limit + " (killed)", 1);
  }
  return run;
}

std::vector<FileValue> read_values(const json::Value* list) {
  std::vector<FileValue> out;
  if (!list || !list->is_array()) return out;
  for (const json::Value& item : list->array) {
    FileValue fv;
    if (const json::Value* n = item.find("name"); n && n->is_string()) fv.name = n->s;
    if (const json::Value* v = item.find("value")) fv.value = *v;
    if (const json::Value* l = item.find("line"); l && l->type == json::Value::Type::Int) {
      fv.line = static_cast<int>(l->i);
    }
    out.push_back(std::move(fv));
  }
  return out;
}

std::string string_member(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.find(key);
  return v && v->is_string() ? v->s : "";
}

base::Error report_error(const json::Value& err) {
  std::string file = string_member(err, "file");
  std::string message = string_member(err, "message");
  const json::Value* line = err.find("line");
  std::string where = file;
  if (line && line->type == json::Value::Type::Int && line->i > 0) {
    where += ":" + std::to_string(line->i);
  }
  return base::make_error(where.empty() ? message : where + ": " + message, 1);
}

}  // namespace

const char* config_child_program() { return kProgram; }

Environ environ_from(char** envp) {
  Environ env;
  for (char** p = envp; p && *p; ++p) {
    std::string_view entry(*p);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string find_python(const std::string& preferred, const Environ& env) {
  if (!preferred.empty()) return preferred;
  if (auto venv = env.find("VIRTUAL_ENV"); venv != env.end() && !venv->second.empty()) {
    for (const char* name : {"/bin/python3", "/bin/python"}) {
      std::string candidate = venv->second + name;
      if (is_executable(candidate)) return candidate;
    }
  }
  auto path = env.find("PATH");
  std::string_view dirs = path != env.end() ? std::string_view(path->second)
                                            : std::string_view("/usr/local/bin:/usr/bin:/bin");
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    std::string_view dir = dirs.substr(start, colon - start);
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/python3";
    if (is_executable(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return "";
}

base::Result<FileResult> evaluate_config(const FileRequest& request) {
  std::string what = !request.config.empty() ? request.config : request.toml;
  if (request.python.empty()) {
    return base::make_error("cannot read " + what +
                                ": no python3 interpreter found (activate the virtualenv or "
                                "put python3 on PATH)",
                            1);
  }
  json::Value hooks_obj;
  hooks_obj.type = json::Value::Type::Object;
  for (const Hook& h : hooks()) {
    hooks_obj.set(std::string(h.name),
                  json::Value::list({json::Value::integer(h.min_args),
                                     json::Value::integer(h.max_args),
                                     json::Value::string(std::string(h.args))}));
  }
  std::vector<std::string> names;
  for (const Setting& s : settings()) names.emplace_back(s.name);
  json::Value req;
  req.set("cwd", json::Value::string(request.cwd.empty() ? "." : request.cwd));
  req.set("config", json::Value::string(request.config));
  req.set("toml", json::Value::string(request.toml));
  req.set("toml_whole_file", json::Value::boolean(request.toml_whole_file));
  req.set("settings", json::Value::list_of(names));
  req.set("hooks", hooks_obj);

  auto run = run_child({request.python, "-c", kProgram, json::dump(req)}, request.env,
                       request.timeout_ms);
  if (!run.ok()) return base::make_error("cannot read " + what + ": " + run.error().message, 1);
  auto report = json::parse(run->out);
  if (!report.ok() || !report->is_object()) {
    std::string how = WIFEXITED(run->status)
                          ? "exit status " + std::to_string(WEXITSTATUS(run->status))
                          : "signal " + std::to_string(WTERMSIG(run->status));
    return base::make_error("cannot read " + what + ": " + request.python +
                                " failed (" + how + ") without a report",
                            1);
  }
  if (const json::Value* err = report->find("error")) return report_error(*err);

  FileResult result;
  result.config_file = string_member(*report, "config_file");
  result.toml_file = string_member(*report, "toml_file");
  if (const json::Value* f = report->find("toml_found"); f && f->type == json::Value::Type::Bool) {
    result.toml_found = f->b;
  }
  result.values = read_values(report->find("values"));
  result.others = read_values(report->find("others"));
  result.functions = read_values(report->find("functions"));
  result.hooks = read_values(report->find("hooks"));
  result.toml_values = read_values(report->find("toml_values"));
  if (const json::Value* w = report->find("warnings"); w && w->is_array()) {
    for (const json::Value& item : w->array) {
      if (item.is_string()) result.warnings.push_back(item.s);
    }
  }
  return result;
}

}  // namespace bastion::config
