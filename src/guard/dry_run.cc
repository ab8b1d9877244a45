// SPDX-License-Identifier: MIT
// `bastion check --app MODULE:APP`: the debug guard's dry run (see dry_run.h). No sockets.
#include "guard/dry_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/exit_codes.h"
#include "base/json.h"
#include "config/args.h"
#include "config/cli.h"
#include "config/config_file.h"
#include "os/executables.h"
#include "python/interpreter.h"
#include "python/ref.h"
#include "wsgi/app_loader.h"

extern char** environ;

namespace bastion::guard {
namespace {

constexpr const char* kUsage =
    "usage: bastion check --app MODULE:APP [--format text|json] [SERVER OPTIONS...]\n"
    "\n"
    "Imports the application the way a worker would, runs the debug guard (rules\n"
    "BG001-BG006, docs/security-guard.md) and prints its findings without serving.\n"
    "The configuration is loaded as the server loads it: the config file (-c, else\n"
    "./bastion.conf.py or ./gunicorn.conf.py), $GUNICORN_CMD_ARGS, $BASTION_CMD_ARGS and\n"
    "any server option given here (--chdir, --pythonpath, -e KEY=VALUE, --log-config...).\n"
    "Exit status: 0 the server would serve it, 1 the server would refuse it (and exit\n"
    "with status 9), 2 usage or configuration error, 3-7 the application cannot be loaded\n"
    "(same codes as the server).\n";

/// While the application loads, its prints (and any C library's) must not reach stdout, which
/// carries the report (the JSON must stay parseable): fd 1 points at stderr until restore().
class StdoutToStderr {
 public:
  StdoutToStderr() : saved_(dup(1)) {
    std::fflush(stdout);
    if (saved_ >= 0) dup2(2, 1);
  }
  ~StdoutToStderr() { restore(); }
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

  /// GIL held if Python is up: Python's own buffer is flushed to stderr first.
  void restore() {
    if (saved_ < 0) return;
    if (Py_IsInitialized()) {
      PyObject* out = PySys_GetObject("stdout");  // borrowed
      if (out != nullptr && out != Py_None) {
        py::PyRef r = py::PyRef::steal(PyObject_CallMethod(out, "flush", nullptr));
        if (!r) PyErr_Clear();
      }
    }
    std::fflush(stdout);
    dup2(saved_, 1);
    close(saved_);
    saved_ = -1;
  }

 private:
  int saved_;
};

/// The exception itself ("RuntimeError: ...") is a traceback's last line.
std::string last_line(std::string tb) {
  while (!tb.empty() && tb.back() == '\n') tb.pop_back();
  size_t nl = tb.rfind('\n');
  return nl == std::string::npos ? tb : tb.substr(nl + 1);
}

void print_load_failure(const std::string& app_uri, const std::string& format,
                        const DryRunResult& r) {
  if (!r.traceback.empty()) std::fprintf(stderr, "%s\n", r.traceback.c_str());
  std::fprintf(stderr, "bastion check: cannot load the application '%s': %s (exit status %d: %s)\n",
               app_uri.c_str(), r.message.c_str(), r.code, base::exit_code_text(r.code));
  if (format == "json") {
    std::fputs(render_json_failure(app_uri, r.code, r.message).c_str(), stdout);
  }
}

/// Takes "--name value" or "--name=value" at argv[*i] for one of the dry run's own options.
/// Returns 0 if argv[*i] is not `name`, 1 when taken, -1 when the value is missing.
int take_own(int argc, char** argv, int* i, std::string_view name, std::string* out) {
  std::string_view arg = argv[*i];
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
    *out = std::string(arg.substr(name.size() + 1));
    return 1;
  }
  if (arg != name) return 0;
  if (*i + 1 >= argc) return -1;
  *out = argv[++*i];
  return 1;
}

/// The report for --check-config: stderr only (stdout may carry --print-config's output).
int report_check(const config::Config& cfg, const DryRunResult& r, bool report_success) {
  if (r.code != 0) {
    if (!r.traceback.empty()) {
      std::fprintf(stderr, "\nError while loading the application:\n\n%s\n", r.traceback.c_str());
    }
    std::fprintf(stderr, "bastion: --check-config: FAILED: cannot load the application '%s': %s "
                 "(a worker would exit with status %d: %s)\n", cfg.app_uri.c_str(),
                 r.message.c_str(), r.code, base::exit_code_text(r.code));
    return 1;
  }
  size_t refusing = 0;
  size_t allowed = 0;
  for (const Finding& f : r.findings) {
    bool fatal = f.refuses && !cfg.allow_debug;
    if (fatal) ++refusing;
    if (f.refuses && cfg.allow_debug) ++allowed;
    if (fatal || report_success) {
      std::fprintf(stderr, "bastion: --check-config: %s%s\n", fatal ? "" : "warning: ",
                   format(f).c_str());
    }
  }
  if (refusing > 0) {
    std::fprintf(stderr, "bastion: --check-config: FAILED: the application '%s' is in debug mode "
                 "(%zu refusing finding(s) above, rule ids BG###): the server would refuse to "
                 "serve it and exit with status 9 (BST-E0601). Turn debug mode off, or pass "
                 "--allow-debug for local development on a loopback bind.\n",
                 cfg.app_uri.c_str(), refusing);
    return 1;
  }
  if (report_success) {
    std::fprintf(stderr, "bastion: --check-config: OK: configuration loaded, application '%s' "
                 "imported, %s\n", cfg.app_uri.c_str(),
                 allowed > 0 ? "debug mode ALLOWED by --allow-debug (never in production)"
                             : "debug guard passed");
  }
  return 0;
}

}  // namespace

base::Result<CheckOptions> parse_check_args(int argc, char** argv) {
  CheckOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      opts.help = true;
      continue;
    }
    std::string value;
    int taken = take_own(argc, argv, &i, "--app", &value);
    if (taken == 1) {
      opts.app_uri = value;
      continue;
    }
    if (taken == 0) taken = take_own(argc, argv, &i, "--format", &value);
    if (taken == 1) {
      if (value != "text" && value != "json") {
        return base::make_error("--format: expected text or json, got '" + value + "'");
      }
      opts.format = value;
      continue;
    }
    if (taken < 0) return base::make_error(std::string(arg) + ": expected a value");
    opts.server_args.emplace_back(arg);
  }
  if (opts.help) return opts;
  if (opts.app_uri.empty()) {
    return base::make_error("--app: no application given (bastion check --app MODULE:APP)");
  }
  // The server options are checked now with the server's own parser and value checks; the
  // run loads them again together with the config file and the environment.
  auto parsed = config::parse_args(opts.server_args);
  if (!parsed.ok()) return base::make_error(parsed.error().message);
  if (!parsed->positionals.empty()) {
    return base::make_error("unexpected argument '" + parsed->positionals.front() +
                            "' (the application is given with --app)");
  }
  // As the loader merges one source: a repeatable (List) flag accumulates, any other flag's
  // last value wins.
  config::Config given;
  std::vector<const config::Setting*> lists;
  for (const config::ParsedArgs::Item& item : parsed->items) {
    config::json::Value value = item.value;
    if (item.setting->kind == config::Kind::List) {
      bool seen = false;
      for (const config::Setting* s : lists) seen = seen || s == item.setting;
      value = seen ? config::current_value(*item.setting, given) : config::json::Value::list({});
      if (!seen) lists.push_back(item.setting);
      value.array.push_back(item.value);
    }
    if (auto st = config::assign(*item.setting, value, &given); !st.ok()) {
      return base::make_error(item.flag + ": " + st.error().message);
    }
  }
  opts.chdir = given.chdir;
  opts.pythonpath = given.pythonpath;
  opts.raw_env = given.raw_env;
  return opts;
}

DryRunResult dry_run(const config::Config& cfg, BeforeImport before_import) {
  DryRunResult r;
  if (!cfg.chdir.empty() && ::chdir(cfg.chdir.c_str()) != 0) {
    r.code = base::kExitWorkerBoot;
    r.message = "--chdir " + cfg.chdir + ": " + std::strerror(errno);
    return r;
  }
  // Same order as a worker: the -e variables first (Python itself may read some of them),
  // then the interpreter, Python logging, the hooks, then the import.
  for (const std::string& kv : cfg.raw_env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  StdoutToStderr quiet;
  py::InterpreterOptions py_options;
  py_options.path_prepend = cfg.pythonpath;
  auto interp = py::Interpreter::start(py_options);
  if (!interp.ok()) {
    r.code = base::kExitWorkerBoot;
    r.message = interp.error().message;
    return r;
  }
  std::string error;
  if (before_import != nullptr && !before_import(cfg, &error)) {
    r.code = base::kExitWorkerBoot;
    r.message = "cannot configure Python logging: " + last_line(error);
    r.traceback = error;
    return r;
  }
  install_import_hooks();
  wsgi::LoadFailure failure;
  py::PyRef app = wsgi::load_app(cfg.app_uri, &failure);
  if (!app) {
    r.code = failure.exit_code;
    r.message = failure.message;
    r.traceback = failure.traceback;
    if (!failure.traceback.empty()) r.message += ": " + last_line(failure.traceback);
    return r;
  }
  r.findings = inspect(app.get(), cfg);
  quiet.restore();
  return r;
}

int check_config(const config::Config& cfg, BeforeImport before_import, bool report_success) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "bastion: --check-config: cannot fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    DryRunResult r = dry_run(cfg, before_import);
    int status = report_check(cfg, r, report_success);
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(status);  // Python is never finalised: no application atexit code runs
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : 1;
  std::fprintf(stderr, "bastion: --check-config: FAILED: the check process died of signal %d "
               "while importing the application\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return 1;
}

std::string render_text(const std::string& app_uri, const std::vector<Finding>& findings) {
  std::string out;
  size_t refusing = 0;
  for (const Finding& f : findings) {
    if (f.refuses) ++refusing;
    out += f.rule + (f.refuses ? " error: " : " warning: ") + f.message + "\n";
    out += "  where: " + f.where + "\n";
    out += "  fix:   " + f.fix + "\n";
  }
  if (!findings.empty()) out += "\n";
  std::string counts = std::to_string(refusing) + " refusing finding(s), " +
                       std::to_string(findings.size() - refusing) + " warning(s)";
  if (refusing > 0) {
    out += "bastion check: " + app_uri + " would be REFUSED (" + counts +
           "): bastion would exit with status 9 before serving any request\n";
  } else {
    out += "bastion check: " + app_uri + " passes the debug guard (" + counts + ")\n";
  }
  return out;
}

std::string render_json(const std::string& app_uri, const std::vector<Finding>& findings) {
  size_t refusing = 0;
  std::string items;
  for (const Finding& f : findings) {
    if (f.refuses) ++refusing;
    if (!items.empty()) items += ",";
    items += "\n    {\"rule\": \"" + base::json_escape(f.rule) + "\", \"severity\": \"" +
             (f.refuses ? "error" : "warning") + "\", \"refuses\": " + (f.refuses ? "true" : "false") +
             ", \"message\": \"" + base::json_escape(f.message) + "\", \"where\": \"" +
             base::json_escape(f.where) + "\", \"fix\": \"" + base::json_escape(f.fix) + "\"}";
  }
  bool refuse = refusing > 0;
  return "{\n  \"app\": \"" + base::json_escape(app_uri) + "\",\n  \"would_refuse\": " +
         (refuse ? "true" : "false") + ",\n  \"exit_status\": " +
         std::to_string(refuse ? kCheckWouldRefuse : kCheckClean) + ",\n  \"server_exit_status\": " +
         std::to_string(refuse ? base::kExitDebugRefused : base::kExitOk) +
         ",\n  \"counts\": {\"refusing\": " + std::to_string(refusing) + ", \"warnings\": " +
         std::to_string(findings.size() - refusing) + "},\n  \"findings\": [" + items +
         (items.empty() ? "]" : "\n  ]") + "\n}\n";
}

std::string render_json_failure(const std::string& app_uri, int code, const std::string& message) {
  return "{\n  \"app\": \"" + base::json_escape(app_uri) + "\",\n  \"would_refuse\": null,\n  \"exit_status\": " +
         std::to_string(code) + ",\n  \"server_exit_status\": " + std::to_string(code) +
         ",\n  \"error\": \"" + base::json_escape(message) + "\",\n  \"findings\": []\n}\n";
}

int run_check_app(int argc, char** argv, BeforeImport before_import) {
  auto parsed = parse_check_args(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "bastion check: error: %s\n%s", parsed.error().message.c_str(), kUsage);
    return kCheckUsage;
  }
  const CheckOptions& opts = parsed.value();
  if (opts.help) {
    std::fputs(kUsage, stdout);
    return kCheckClean;
  }
  // The whole server configuration, as `bastion ... MODULE:APP` would load it.
  config::LoadOptions load_options;
  load_options.python = os::python_executable();
  char start_dir[4096];
  if (getcwd(start_dir, sizeof start_dir) != nullptr) load_options.cwd = start_dir;
  std::vector<std::string> args = opts.server_args;
  args.push_back("--");
  args.push_back(opts.app_uri);
  auto loaded = config::load_args(args, config::environ_from(environ), load_options);
  if (!loaded.ok()) {
    std::fprintf(stderr, "bastion check: error: %s\n", loaded.error().message.c_str());
    return kCheckUsage;
  }
  for (const std::string& w : loaded->warnings) {
    std::fprintf(stderr, "bastion check: warning: %s\n", w.c_str());
  }
  const config::Config& cfg = loaded->config;
  DryRunResult r = dry_run(cfg, before_import);
  if (r.code != 0) {
    print_load_failure(opts.app_uri, opts.format, r);
    return r.code;
  }
  std::string report = opts.format == "json" ? render_json(opts.app_uri, r.findings)
                                             : render_text(opts.app_uri, r.findings);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
  // Python is never finalised here (like a worker that exits at once): no application atexit
  // code runs after the report.
  return refuses(r.findings) ? kCheckWouldRefuse : kCheckClean;
}

}  // namespace bastion::guard
