// SPDX-License-Identifier: MIT
#include "process/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "event/loop.h"
#include "guard/guard.h"
#include "os/signals.h"
#include "python/interpreter.h"
#include "python/ref.h"
#include "server/server.h"
#include "server/threaded.h"
#include "wsgi/app_loader.h"
#include "wsgi/handler.h"
#include "wsgi/types.h"

namespace bastion::process {
namespace {

server::Options server_options(const config::Config& c) {
  server::Options o;
  o.limits.request_line = c.limit_request_line <= 0 ? 65536 : static_cast<size_t>(c.limit_request_line);
  o.limits.header_fields = c.limit_request_fields <= 0 ? 32768 : static_cast<size_t>(c.limit_request_fields);
  o.limits.header_field_size =
      c.limit_request_field_size <= 0 ? 8190 : static_cast<size_t>(c.limit_request_field_size);
  o.limits.header_total = o.limits.header_fields * (o.limits.header_field_size + 2) + 4 +
                          o.limits.request_line + 2;
  o.limits.body = static_cast<uint64_t>(c.limit_request_body);
  o.keepalive_ms = static_cast<int64_t>(c.keepalive) * 1000;
  o.header_timeout_ms = static_cast<int64_t>(c.header_timeout) * 1000;
  o.body_timeout_ms = static_cast<int64_t>(c.body_timeout) * 1000;
  o.send_timeout_ms = static_cast<int64_t>(c.send_timeout) * 1000;
  o.body_buffer_size = static_cast<size_t>(c.body_buffer_size);
  o.tmp_dir = c.worker_tmp_dir;
  o.worker_connections = c.worker_connections;
  o.sendfile = c.sendfile;
  if (auto nets = os::NetList::parse(c.forwarded_allow_ips); nets.ok()) o.trusted = nets.value();
  if (c.max_requests > 0) {
    int64_t jitter = c.max_requests_jitter > 0 ? (static_cast<int64_t>(getpid()) * 7919) %
                                                     (c.max_requests_jitter + 1)
                                               : 0;
    o.max_requests = c.max_requests + jitter;
  }
  return o;
}

/// SIGABRT from the master (a hung worker): dump every Python thread's stack to the error log.
void arm_traceback_dump() {
  py::PyRef fh = py::PyRef::steal(PyImport_ImportModule("faulthandler"));
  if (!fh) {
    PyErr_Clear();
    return;
  }
  py::PyRef r = py::PyRef::steal(PyObject_CallMethod(fh.get(), "register", "iiii", SIGABRT,
                                                     base::log::fd(), 1, 1));
  if (!r) PyErr_Clear();
}

/// Reads the worker's control signals from a signalfd inside the event loop.
struct SignalWatch final : event::IoHandler {
  int fd = -1;
  server::Server* server = nullptr;
  server::AccessLog* access_log = nullptr;
  bool quit = false;
  int64_t graceful_deadline = 0;
  int graceful_timeout_ms = 30000;
  event::Loop* loop = nullptr;
  void on_io(uint32_t) override {
    while (int sig = os::read_signal(fd)) {
      switch (sig) {
        case SIGTERM:
          if (!server->stopping()) {
            graceful_deadline = loop->now_ms() + graceful_timeout_ms;
            server->begin_graceful_stop();
          }
          break;
        case SIGINT:
        case SIGQUIT: quit = true; break;
        case SIGUSR1:
          base::log::reopen();
          access_log->reopen();
          break;
        default: break;
      }
    }
  }
};

}  // namespace

void run_worker(const WorkerContext& ctx) {
  const config::Config& cfg = *ctx.config;
  os::reset_signals();
  os::die_with_parent(SIGTERM);
  pid_t master = getppid();
  base::UniqueFd sigfd = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGHUP, SIGTTIN, SIGTTOU, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);
  std::string title = "bastion: worker [" + (cfg.proc_name.empty() ? cfg.app_uri : cfg.proc_name) + "]";
  os::set_process_title(title.c_str());
  BLOG_INFO("Booting worker with pid: %d", static_cast<int>(getpid()));

  for (const std::string& kv : cfg.raw_env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }

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
  for (const guard::Finding& finding : guard::inspect(app.get(), cfg)) {
    std::string line = guard::format(finding);
    if (!finding.refuses) {
      BLOG_WARN("%s", line.c_str());
    } else if (cfg.allow_debug) {
      BLOG_WARN("%s (allowed by --allow-debug: never do this in production)", line.c_str());
    } else {
      BLOG_CRIT("%s", line.c_str());
      refused = true;
    }
  }
  if (refused) {
    BLOG_CRIT("BST-E0601 refusing to serve an application in debug mode (CWE-489); fix the "
              "findings above, or pass --allow-debug for local development on a loopback bind");
    _exit(base::kExitDebugRefused);
  }

  wsgi::EnvironSettings env_settings;
  env_settings.multithread = cfg.threads > 1;
  env_settings.multiprocess = ctx.multiprocess;
  env_settings.secure_scheme_headers = cfg.secure_scheme_headers;
  if (const char* sn = getenv("SCRIPT_NAME"); sn != nullptr) env_settings.script_name = sn;
  env_settings.server_software = "bastion/" BASTION_VERSION;
  auto handler = std::make_unique<wsgi::WsgiHandler>(app.get(), env_settings);
  app.reset();
  // From here the loop thread holds the GIL only inside handler calls.
  handler->set_thread_state(PyEval_SaveThread());

  event::Loop loop;
  server::AccessLog access_log;
  std::string error;
  if (!access_log.open(cfg.accesslog, cfg.access_log_format, &error)) BLOG_ERROR("%s", error.c_str());
  server::Options options = server_options(cfg);
  // --threads N > 1: a pool of N attached Python threads runs the application; the loop
  // thread only does I/O.
  std::unique_ptr<server::ThreadedHandler> threaded;
  if (cfg.threads > 1) {
    server::ThreadedHandler::Hooks hooks{py::attach_thread, py::detach_thread};
    threaded = std::make_unique<server::ThreadedHandler>(loop, *handler, cfg.threads, hooks,
                                                         options.output_high_water);
  }
  server::Handler& entry = threaded ? static_cast<server::Handler&>(*threaded)
                                    : static_cast<server::Handler&>(*handler);
  server::Server srv(loop, options, entry, access_log);
  if (threaded) threaded->set_ready_callback([&srv](uint64_t id) { srv.resume(id); });
  for (int fd : ctx.listeners) srv.add_listener(fd);

  SignalWatch watch;
  watch.fd = sigfd.get();
  watch.server = &srv;
  watch.access_log = &access_log;
  watch.loop = &loop;
  watch.graceful_timeout_ms = cfg.graceful_timeout * 1000;
  loop.add(sigfd.get(), EPOLLIN, &watch);

  ctx.slot->heartbeat_ms.store(base::now_ms());
  ctx.slot->state.store(kSlotReady);
  while (!watch.quit) {
    if (!srv.run_once()) break;
    ctx.slot->heartbeat_ms.store(loop.now_ms(), std::memory_order_relaxed);
    ctx.slot->requests.store(srv.requests_served(), std::memory_order_relaxed);
    if (getppid() != master) {
      BLOG_INFO("Parent changed, shutting down: worker %d", static_cast<int>(getpid()));
      srv.begin_graceful_stop();
      watch.graceful_deadline = loop.now_ms() + watch.graceful_timeout_ms;
      master = getppid();
    }
    if (srv.stopping() && watch.graceful_deadline > 0 && loop.now_ms() > watch.graceful_deadline) break;
  }
  BLOG_INFO("Worker exiting (pid: %d)", static_cast<int>(getpid()));
  // A fast stop, or connections still open after the graceful timeout: leave at once rather
  // than finalise Python under live requests.
  if (watch.quit || srv.connection_count() > 0) _exit(base::kExitOk);
  // Clean stop: run atexit handlers and finalisers the way `python app.py` would.
  threaded.reset();  // joins the pool threads (they take the GIL themselves)
  PyEval_RestoreThread(handler->thread_state());
  handler.reset();
  wsgi::release_types();
  py::Interpreter::shutdown();
  _exit(base::kExitOk);
}

}  // namespace bastion::process
