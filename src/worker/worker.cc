// SPDX-License-Identifier: MIT
#include "worker/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "event/loop.h"
#include "os/signals.h"
#include "python/interpreter.h"
#include "worker/reloader.h"
#include "worker/capture_output.h"
#include "worker/hooks.h"
#include "worker/worker_boot.h"
#include "python/ref.h"
#include "server/server.h"
#include "server/threaded.h"
#include "server/tls.h"
#include "wsgi/handler.h"
#include "wsgi/types.h"

namespace bastion::worker {
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
  o.proxy_protocol = !c.proxy_protocol.empty() && c.proxy_protocol != "off";
  o.proxy_versions = c.proxy_protocol == "v1"   ? http::ProxyVersions::V1
                     : c.proxy_protocol == "v2" ? http::ProxyVersions::V2
                                                : http::ProxyVersions::Any;
  if (auto nets = os::NetList::parse(c.proxy_allow_ips); nets.ok()) o.proxy_allow = nets.value();
  // --max-requests is enforced by the worker loop (recycle_limit), not by the server: the
  // worker keeps serving until the master has its replacement ready.
  o.max_requests = 0;
  return o;
}

/// This worker's --max-requests limit with its --max-requests-jitter share
/// (max_requests + a random 0..jitter, as Gunicorn does); 0 = never recycle.
int64_t recycle_limit(const config::Config& c) {
  if (c.max_requests <= 0) return 0;
  int64_t jitter = 0;
  if (c.max_requests_jitter > 0) {
    std::random_device rd;
    jitter = static_cast<int64_t>(rd() % (static_cast<unsigned>(c.max_requests_jitter) + 1));
  }
  return c.max_requests + jitter;
}

/// A periodic wake-up for the event loop (each loop round stamps the heartbeat).
struct BeatTimer final : event::IoHandler {
  base::UniqueFd fd;
  void arm(event::Loop& loop, int interval_ms) {
    fd.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!fd) return;
    itimerspec spec{};
    spec.it_interval.tv_sec = interval_ms / 1000;
    spec.it_interval.tv_nsec = static_cast<long>(interval_ms % 1000) * 1000000L;
    spec.it_value = spec.it_interval;
    timerfd_settime(fd.get(), 0, &spec, nullptr);
    loop.add(fd.get(), EPOLLIN, this);
  }
  void on_io(uint32_t) override {
    uint64_t expirations = 0;
    [[maybe_unused]] ssize_t n = read(fd.get(), &expirations, sizeof expirations);
  }
};

/// Reads the worker's control signals from a signalfd inside the event loop.
struct SignalWatch final : event::IoHandler {
  int fd = -1;
  server::Server* server = nullptr;
  server::AccessLog* access_log = nullptr;
  bool quit = false;
  int64_t graceful_deadline = 0;
  int graceful_timeout_ms = 30000;
  event::Loop* loop = nullptr;
  std::vector<int> listeners;     // our copies of the shared listening sockets
  bool listeners_closed = false;

  /// Closes our copies right after the server drained them: the shorter the gap, the fewer
  /// connections can arrive in between, and at a full stop (the last copy closed) those
  /// would be reset by the kernel.
  void close_listeners() {
    if (listeners_closed) return;
    listeners_closed = true;
    for (int l : listeners) close(l);
  }

  void on_io(uint32_t) override {
    while (int sig = os::read_signal(fd)) {
      switch (sig) {
        case SIGTERM:
          if (!server->stopping()) {
            graceful_deadline = loop->now_ms() + graceful_timeout_ms;
            server->begin_graceful_stop();
            close_listeners();
          }
          break;
        case SIGINT:
        case SIGQUIT: quit = true; break;
        case SIGUSR1:
          base::log::reopen();
          if (traceback_dump_fd() >= 0) dup3(base::log::fd(), traceback_dump_fd(), O_CLOEXEC);
          access_log->reopen();
          break;
        default: break;
      }
    }
  }
};

/// What every worker does first after fork, before Python runs application code: become the
/// configured user, die with the master, take its signals on a signalfd, set its title.
/// `master` is the master's pid. Returns the signalfd.
base::UniqueFd become_worker(const WorkerContext& ctx, pid_t master) {
  const config::Config& cfg = *ctx.config;
  // Listeners are bound (by the master); now become the configured user, before Python runs
  // a line of application code. Changing credentials clears the parent-death signal, so it
  // is set afterwards.
  if (ctx.credentials != nullptr) {
    if (auto dropped = os::drop_privileges(*ctx.credentials); !dropped.ok()) {
      BLOG_CRIT("BST-E0505 cannot switch the worker to uid %u gid %u: %s",
                static_cast<unsigned>(ctx.credentials->uid),
                static_cast<unsigned>(ctx.credentials->gid), dropped.error().message.c_str());
      _exit(base::kExitWorkerBoot);
    }
  }
  // A preloaded worker starts as the grandchild of the zygote; its parent exits at once and
  // the master (a subreaper) adopts it. Wait for that before arming the parent-death signal,
  // which follows whoever the parent is at that moment.
  for (int i = 0; i < 5000 && getppid() != master; ++i) usleep(1000);
  os::die_with_parent(SIGTERM);
  if (getppid() != master) _exit(base::kExitOk);  // the master died before prctl took effect
  base::UniqueFd sigfd = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGHUP, SIGTTIN, SIGTTOU, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);
  std::string title = "bastion: worker [" + (cfg.proc_name.empty() ? cfg.app_uri : cfg.proc_name) + "]";
  os::set_process_title(title.c_str());
  BLOG_INFO("Booting worker with pid: %d", static_cast<int>(getpid()));
  return sigfd;
}

/// HTTPS (docs/tls.md): the worker's TLS context, built from the PEM bytes the master read
/// (this process may no longer be able to open the files). Built before the application is
/// imported, so a bad certificate or key stops the first worker, and with it the server, at
/// once. Null without certfile.
std::unique_ptr<server::TlsContext> make_tls_context(const config::Config& c) {
  if (c.certfile.empty()) return nullptr;
  server::TlsSettings s;
  s.cert_pem = c.tls_cert_pem;
  s.key_pem = c.tls_key_pem;
  s.ca_pem = c.tls_ca_pem;
  s.cert_file = c.certfile;
  s.key_file = c.keyfile;
  s.ca_file = c.ca_certs;
  s.cert_reqs = c.cert_reqs;
  s.ciphers = c.ciphers;
  s.suppress_ragged_eofs = c.suppress_ragged_eofs;
  auto tls = server::TlsContext::create(s);
  if (!tls.ok()) {
    BLOG_CRIT("BST-E0112 cannot serve HTTPS: %s", tls.error().message.c_str());
    _exit(base::kExitWorkerBoot);
  }
  return std::move(tls).value();
}

/// Serves `app` on the inherited listeners until told to stop; the worker's life after its
/// Python boot, shared by both kinds of worker. The calling thread holds the GIL.
[[noreturn]] void serve(const WorkerContext& ctx, py::PyRef app, base::UniqueFd sigfd, pid_t master,
                        std::unique_ptr<server::TlsContext> tls);

}  // namespace

void run_worker(const WorkerContext& ctx) {
  const config::Config& cfg = *ctx.config;
  os::reset_signals();
  pid_t master = ctx.master != 0 ? ctx.master : getppid();
  base::UniqueFd sigfd = become_worker(ctx, master);
  std::unique_ptr<server::TlsContext> tls = make_tls_context(cfg);

  for (const std::string& kv : cfg.raw_env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }

  capture_worker_output(cfg);  // --capture-output: fds 1 and 2 -> the error log file
  hooks::prepare_worker(cfg, ctx.age, master, cfg.workers);  // post_fork runs in the boot
  py::PyRef app = boot_application(cfg);
  serve(ctx, std::move(app), std::move(sigfd), master, std::move(tls));
}

void run_preloaded_worker(const WorkerContext& ctx, py::PyRef app) {
  // The zygote's signal mask (it blocks its signals for a signalfd) and dispositions are
  // inherited: start clean. --env was applied in the zygote, before the import.
  os::reset_signals();
  base::UniqueFd sigfd = become_worker(ctx, ctx.master);
  std::unique_ptr<server::TlsContext> tls = make_tls_context(*ctx.config);
  hooks::prepare_worker(*ctx.config, ctx.age, ctx.master, ctx.config->workers);
  if (!hooks::run_post_fork()) _exit(base::kExitWorkerBoot);
  serve(ctx, std::move(app), std::move(sigfd), ctx.master, std::move(tls));
}

namespace {

void serve(const WorkerContext& ctx, py::PyRef app, base::UniqueFd sigfd, pid_t master,
           std::unique_ptr<server::TlsContext> tls) {
  const config::Config& cfg = *ctx.config;
  wsgi::EnvironSettings env_settings;
  env_settings.multithread = cfg.threads > 1;
  env_settings.multiprocess = ctx.multiprocess;
  env_settings.secure_scheme_headers = cfg.secure_scheme_headers;
  if (const char* sn = getenv("SCRIPT_NAME"); sn != nullptr) env_settings.script_name = sn;
  env_settings.server_software = "bastion/" BASTION_VERSION;
  auto handler = std::make_unique<wsgi::WsgiHandler>(app.get(), env_settings);
  app.reset();
  // --reload: list the imported modules' files now, while we hold the GIL.
  std::unique_ptr<Reloader> reloader = cfg.reload ? Reloader::create(cfg, ctx.slot) : nullptr;
  // From here the loop thread holds the GIL only inside handler calls.
  if (!hooks::run_post_worker_init()) _exit(base::kExitWorkerBoot);
  handler->set_thread_state(PyEval_SaveThread());

  event::Loop loop;
  server::AccessLog access_log;
  std::string error;
  if (!access_log.open(cfg.accesslog, cfg.access_log_format, &error)) BLOG_ERROR("%s", error.c_str());
  server::Options options = server_options(cfg);
  options.tls = tls.get();  // outlives the server: both live until this function exits
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
  // --threads 1: the loop thread holds the GIL for whole loop rounds and lets go of it only
  // while epoll waits, so one release/acquire per round replaces several per request (the
  // handler's own GilAcquire calls then nest for free). Application threads run while the
  // loop waits, or when CPython's switch interval makes the app's code yield. With a pool
  // (--threads N) the loop thread must never hold it.
  const bool loop_holds_gil = !threaded;
  if (loop_holds_gil) {
    PyThreadState* ts = handler->thread_state();
    PyEval_RestoreThread(ts);
    loop.set_wait_hooks([] { PyEval_SaveThread(); }, [ts] { PyEval_RestoreThread(ts); });
  }
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
  // The loop wakes at least once a second on its own; a short --timeout needs more frequent
  // heartbeats than that, so a timer wakes it every timeout/4 as well.
  BeatTimer beat;
  if (cfg.timeout > 0 && cfg.timeout < 4) beat.arm(loop, cfg.timeout * 250);
  if (reloader) reloader->attach(loop);

  ctx.slot->heartbeat_ms.store(base::now_ms());
  ctx.slot->state.store(process::kSlotReady);
  watch.listeners = ctx.listeners;
  const int64_t recycle_after = recycle_limit(cfg);
  bool recycle_asked = false;
  while (!watch.quit) {
    if (!srv.run_once()) break;
    ctx.slot->heartbeat_ms.store(loop.now_ms(), std::memory_order_relaxed);
    ctx.slot->app_busy_since_ms.store(threaded ? threaded->oldest_call_start_ms() : 0,
                                      std::memory_order_relaxed);
    ctx.slot->requests.store(srv.requests_served(), std::memory_order_relaxed);
    if (getppid() != master) {
      BLOG_INFO("Parent changed, shutting down: worker %d", static_cast<int>(getpid()));
      srv.begin_graceful_stop();
      master = getppid();
    }
    if (recycle_after > 0 && !recycle_asked && !srv.stopping() &&
        static_cast<int64_t>(srv.requests_served()) >= recycle_after) {
      // Recycling overlaps: this worker goes on serving until the master has started its
      // replacement and that one is ready; then the master sends TERM as for any retirement.
      recycle_asked = true;
      BLOG_INFO("Worker reached max_requests (%lld); it retires once its replacement is ready",
                static_cast<long long>(recycle_after));
      ctx.slot->state.store(process::kSlotRecycle);
    }
    if (srv.stopping() && ctx.slot->state.load() != process::kSlotStopping) {
      // However the stop began (TERM, parent gone): tell the master, which
      // starts a replacement now, and close our copies of the listeners (the server drained
      // them already). Once every process has closed them, the kernel refuses new
      // connections instead of queueing them where nobody will accept.
      ctx.slot->state.store(process::kSlotStopping);
      watch.close_listeners();
      if (watch.graceful_deadline == 0) {
        watch.graceful_deadline = loop.now_ms() + watch.graceful_timeout_ms;
      }
    }
    if (srv.stopping() && loop.now_ms() > watch.graceful_deadline) break;
  }
  BLOG_INFO("Worker exiting (pid: %d)", static_cast<int>(getpid()));
  hooks::run_worker_exit(watch.quit);  // worker_int (INT/QUIT), worker_exit
  // A fast stop, or connections still open after the graceful timeout: leave at once rather
  // than finalise Python under live requests.
  if (watch.quit || srv.connection_count() > 0) _exit(base::kExitOk);
  // Clean stop: run atexit handlers and finalisers the way `python app.py` would.
  threaded.reset();  // joins the pool threads (they take the GIL themselves)
  if (!loop_holds_gil) PyEval_RestoreThread(handler->thread_state());  // else held already
  handler.reset();
  wsgi::release_types();
  py::Interpreter::shutdown();
  _exit(base::kExitOk);
}

}  // namespace
}  // namespace bastion::worker
