// SPDX-License-Identifier: MIT
// The worker's Python boot (see worker_boot.h). No sockets, no event loop here.
#include "worker/worker_boot.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/exit_codes.h"
#include "base/log.h"
#include "guard/guard.h"
#include "worker/hooks.h"
#include "worker/python_logging.h"
#include "python/interpreter.h"
#include "wsgi/app_loader.h"
#include "wsgi/types.h"

namespace bastion::worker {
namespace {

/// faulthandler writes to this descriptor: a private duplicate of the error log, so that a
/// log reopen (USR1) can re-point it with dup3() without touching Python.
int g_dump_fd = -1;

/// SIGABRT from the master (a hung worker), or a crash in a C extension (SIGSEGV, SIGBUS,
/// SIGFPE, SIGILL): dump every Python thread's stack to the error log, then die of the signal.
/// faulthandler.enable() covers exactly these fatal signals (register() refuses them).
void arm_traceback_dump() {
  g_dump_fd = fcntl(base::log::fd(), F_DUPFD_CLOEXEC, 10);
  if (g_dump_fd < 0) return;
  py::PyRef fh = py::PyRef::steal(PyImport_ImportModule("faulthandler"));
  if (!fh) {
    PyErr_Clear();
    return;
  }
  py::PyRef r = py::PyRef::steal(PyObject_CallMethod(fh.get(), "enable", "ii", g_dump_fd, 1));
  if (!r) PyErr_Clear();
}

}  // namespace

int traceback_dump_fd() { return g_dump_fd; }

py::PyRef boot_application(const config::Config& cfg) {
  py::InterpreterOptions py_options;
  py_options.path_prepend = cfg.pythonpath;
  auto interp = py::Interpreter::start(py_options);
  if (!interp.ok()) {
    BLOG_CRIT("BST-E0501 %s", interp.error().message.c_str());
    _exit(base::kExitWorkerBoot);
  }
  arm_traceback_dump();
  if (!wsgi::init_types()) {
    BLOG_CRIT("BST-E0502 cannot create the WSGI types:\n%s", py::Interpreter::format_exception().c_str());
    _exit(base::kExitWorkerBoot);
  }

  if (!configure_worker_python_logging(cfg)) _exit(base::kExitWorkerBoot);
  if (!hooks::run_post_fork()) _exit(base::kExitWorkerBoot);  // server hooks, before the import
  guard::install_import_hooks();
  wsgi::LoadFailure failure;
  py::PyRef app = wsgi::load_app(cfg.app_uri, &failure);
  if (!app) {
    if (!failure.traceback.empty()) {
      BLOG_ERROR("BST-E0503 %s\n%s", failure.message.c_str(), failure.traceback.c_str());
    }
    BLOG_CRIT("BST-E0504 cannot load the application '%s': %s", cfg.app_uri.c_str(),
              failure.message.c_str());
    _exit(failure.exit_code);
  }

  bool refused = false;
  int allowed = 0;
  std::string refusals;  // echoed on stderr when the error log is a file
  for (const guard::Finding& finding : guard::inspect(app.get(), cfg)) {
    std::string line = guard::format(finding);
    if (finding.refuses) refusals += line + "\n";
    if (!finding.refuses) {
      BLOG_WARN("%s", line.c_str());
    } else if (cfg.allow_debug) {
      BLOG_WARN("%s (allowed by --allow-debug: never do this in production)", line.c_str());
      ++allowed;
    } else {
      BLOG_CRIT("%s", line.c_str());
      refused = true;
    }
  }
  if (cfg.allow_debug) {
    // Loud on every start, findings or not: the guard is off for this server.
    BLOG_WARN("BST-E0603 !!! --allow-debug: the debug guard is OFF (%d refusing finding(s) "
              "allowed). Debug mode shows tracebacks and source and may open a Python console: "
              "local development on a loopback bind only, NEVER in production !!!", allowed);
  }
  if (refused) {
    BLOG_CRIT("BST-E0601 refusing to serve an application in debug mode (CWE-489); fix the "
              "findings above, or pass --allow-debug for local development on a loopback bind");
    if (base::log::fd() != STDERR_FILENO) {
      std::string text = "bastion: BST-E0601 refusing to serve an application in debug mode "
                         "(exit status 9):\n" + refusals;
      ssize_t ignored = write(STDERR_FILENO, text.data(), text.size());
      static_cast<void>(ignored);
    }
    _exit(base::kExitDebugRefused);
  }
  return app;
}

}  // namespace bastion::worker
