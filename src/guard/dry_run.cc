// SPDX-License-Identifier: MIT
// `bastion check --app MODULE:APP`: the debug guard's dry run (see dry_run.h). No sockets.
#include "guard/dry_run.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/exit_codes.h"
#include "base/json.h"
#include "python/interpreter.h"
#include "python/ref.h"
#include "wsgi/app_loader.h"

namespace bastion::guard {
namespace {

constexpr const char* kUsage =
    "usage: bastion check --app MODULE:APP [--format text|json] [--chdir DIR]\n"
    "                     [--pythonpath DIR[,DIR...]] [-e KEY=VALUE]...\n"
    "\n"
    "Imports the application the way a worker would, runs the debug guard (rules\n"
    "BG001-BG006, docs/security-guard.md) and prints its findings without serving.\n"
    "Exit status: 0 the server would serve it, 1 the server would refuse it (and exit\n"
    "with status 9), 2 usage error, 3-7 the application cannot be loaded (same codes as\n"
    "the server).\n";

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

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

void print_load_failure(const CheckOptions& opts, wsgi::LoadFailure failure) {
  if (!failure.traceback.empty()) {
    std::fprintf(stderr, "%s\n", failure.traceback.c_str());
    // The exception itself ("RuntimeError: ...") is the traceback's last line.
    std::string tb = failure.traceback;
    while (!tb.empty() && tb.back() == '\n') tb.pop_back();
    size_t nl = tb.rfind('\n');
    failure.message += ": " + (nl == std::string::npos ? tb : tb.substr(nl + 1));
  }
  std::fprintf(stderr, "bastion check: cannot load the application '%s': %s (exit status %d: %s)\n",
               opts.app_uri.c_str(), failure.message.c_str(), failure.exit_code,
               base::exit_code_text(failure.exit_code));
  if (opts.format == "json") {
    std::fputs(render_json_failure(opts.app_uri, failure.exit_code, failure.message).c_str(), stdout);
  }
}

}  // namespace

base::Result<CheckOptions> parse_check_args(int argc, char** argv) {
  CheckOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view flag = arg;
    std::string inline_value;
    bool has_inline = false;
    if (arg.substr(0, 2) == "--" && arg.find('=') != std::string_view::npos) {
      flag = arg.substr(0, arg.find('='));
      inline_value = std::string(arg.substr(arg.find('=') + 1));
      has_inline = true;
    } else if (arg.size() > 2 && arg.substr(0, 2) == "-e") {
      flag = "-e";
      inline_value = std::string(arg.substr(2));
      has_inline = true;
    }
    auto value = [&](std::string* out) -> bool {
      if (has_inline) {
        *out = inline_value;
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (flag == "-h" || flag == "--help") {
      opts.help = true;
      continue;
    }
    bool known = flag == "--app" || flag == "--format" || flag == "--chdir" ||
                 flag == "--pythonpath" || flag == "-e" || flag == "--env";
    if (!known) {
      return base::make_error("unrecognized argument '" + std::string(arg) +
                              "' (bastion check --app takes --format, --chdir, --pythonpath, -e)");
    }
    if (!value(&v)) return base::make_error(std::string(flag) + ": expected a value");
    if (flag == "--app") {
      opts.app_uri = v;
    } else if (flag == "--format") {
      if (v != "text" && v != "json") {
        return base::make_error("--format: expected text or json, got '" + v + "'");
      }
      opts.format = v;
    } else if (flag == "--chdir") {
      opts.chdir = v;
    } else if (flag == "--pythonpath") {
      for (std::string& dir : split_commas(v)) opts.pythonpath.push_back(std::move(dir));
    } else {
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        return base::make_error(std::string(flag) + ": expected KEY=VALUE, got '" + v + "'");
      }
      opts.raw_env.push_back(v);
    }
  }
  if (!opts.help && opts.app_uri.empty()) {
    return base::make_error("--app: no application given (bastion check --app MODULE:APP)");
  }
  return opts;
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

int run_check_app(int argc, char** argv) {
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
  if (!opts.chdir.empty() && ::chdir(opts.chdir.c_str()) != 0) {
    std::fprintf(stderr, "bastion check: error: --chdir %s: %s\n", opts.chdir.c_str(), std::strerror(errno));
    return kCheckUsage;
  }
  // Same order as a worker: the -e variables first (Python itself may read some of them),
  // then the interpreter, then the hooks, then the import.
  for (const std::string& kv : opts.raw_env) {
    size_t eq = kv.find('=');
    setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  StdoutToStderr quiet;
  py::InterpreterOptions py_options;
  py_options.path_prepend = opts.pythonpath;
  auto interp = py::Interpreter::start(py_options);
  if (!interp.ok()) {
    quiet.restore();
    std::fprintf(stderr, "bastion check: %s\n", interp.error().message.c_str());
    return base::kExitWorkerBoot;
  }
  install_import_hooks();
  wsgi::LoadFailure failure;
  py::PyRef app = wsgi::load_app(opts.app_uri, &failure);
  if (!app) {
    quiet.restore();
    print_load_failure(opts, failure);
    return failure.exit_code;
  }
  config::Config cfg;
  cfg.app_uri = opts.app_uri;
  cfg.raw_env = opts.raw_env;
  cfg.pythonpath = opts.pythonpath;
  std::vector<Finding> findings = inspect(app.get(), cfg);
  quiet.restore();
  std::string report = opts.format == "json" ? render_json(opts.app_uri, findings)
                                             : render_text(opts.app_uri, findings);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
  // Python is never finalised here (like a worker that exits at once): no application atexit
  // code runs after the report.
  return refuses(findings) ? kCheckWouldRefuse : kCheckClean;
}

}  // namespace bastion::guard
