// SPDX-License-Identifier: MIT
// The master's life: one single-threaded loop that wakes on a signalfd (or at least every
// tick), then reaps, watches heartbeats, moves a reload forward, keeps the worker count, and
// reports to systemd. Every action happens here, never in a signal handler. This file holds
// setup, the loop, signal dispatch and stop; the steps are in master_children.cc,
// master_reload.cc and master_upgrade.cc (the class: master_impl.h).
#include "process/master.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "os/signals.h"
#include "process/master_impl.h"
#include "process/telemetry.h"

namespace bastion::process::detail {

void Master::handle_signal(int sig) {
  switch (sig) {
    case SIGCHLD: reap(); break;
    case SIGTERM:
      BLOG_INFO("Handling signal: term");
      stopping_ = true;
      graceful_ = true;
      break;
    case SIGINT:
    case SIGQUIT:
      BLOG_INFO("Handling signal: %s", sig == SIGINT ? "int" : "quit");
      stopping_ = true;
      graceful_ = false;
      break;
    case SIGHUP:
      BLOG_INFO("Handling signal: hup");
      begin_reload();
      break;
    case SIGTTIN:
      ++target_;
      BLOG_INFO("Handling signal: ttin; workers: %d", target_);
      hooks_.nworkers_changed(target_, target_ - 1);
      break;
    case SIGTTOU:
      if (target_ > 1) {
        --target_;
        hooks_.nworkers_changed(target_, target_ + 1);
      }
      BLOG_INFO("Handling signal: ttou; workers: %d", target_);
      break;
    case SIGUSR1:
      BLOG_INFO("Handling signal: usr1; reopening log files");
      base::log::reopen();
      for (const Child& c : children_) kill(c.pid, SIGUSR1);
      if (zygote_) zygote_->send_signal(SIGUSR1);
      if (old_zygote_) old_zygote_->send_signal(SIGUSR1);
      break;
    case SIGUSR2:
      BLOG_INFO("Handling signal: usr2");
      begin_upgrade();
      break;
    case SIGWINCH:
      // As Gunicorn: only a daemon honours WINCH (in a terminal it means a window resize).
      // During an upgrade it is the documented second step, so the old master honours it too.
      if (!cfg_.daemon && upgrade_pid_ == 0) {
        BLOG_DEBUG("Handling signal: winch; ignored (not daemonized, no upgrade in progress)");
        break;
      }
      BLOG_INFO("Handling signal: winch");
      stop_workers();
      break;
    default: break;
  }
}

void Master::report() {
  int ready = ready_count(generation_);
  // StatsD: gunicorn.workers gauge, gunicorn.backlog with --enable-backlog-metric.
  report_master_metrics(static_cast<int>(children_.size()), listeners_.fds(),
                        cfg_.enable_backlog_metric);
  std::string status = std::to_string(ready) + " of " + std::to_string(target_) + " worker(s) ready";
  if (reload_.active) status += " (reloading)";
  if (!announced_ && booted_ && ready >= target_) {
    announced_ = true;
    notifier_.send("READY=1\nSTATUS=" + status + "\nMAINPID=" + std::to_string(getpid()));
    last_status_ = status;
  } else if (status != last_status_) {
    notifier_.send("STATUS=" + status);
    last_status_ = status;
  }
}

void Master::tick() {
  int64_t now = base::now_ms();
  if (notifier_.watchdog_usec() > 0 && now >= next_watchdog_ms_) {
    notifier_.send("WATCHDOG=1");
    next_watchdog_ms_ = now + std::max<int64_t>(notifier_.watchdog_usec() / 2000, 1);
  }
  int timeout = any_booting() ? kBootTickMs : kTickMs;
  if (notifier_.watchdog_usec() > 0)
    timeout = static_cast<int>(std::clamp<int64_t>(next_watchdog_ms_ - now, 1, timeout));
  pollfd pfd{sigfd_.get(), POLLIN, 0};
  poll(&pfd, 1, timeout);
  while (int sig = os::read_signal(sigfd_.get())) handle_signal(sig);
  reap();
}

int Master::stop(bool graceful) {
  stopping_ = true;
  notifier_.send("STOPPING=1\nSTATUS=Stopping");
  // The zygotes fork no more workers, and give up their copies of the listeners.
  for (std::unique_ptr<Zygote>* z : {&zygote_, &old_zygote_}) {
    if (*z) (*z)->send_signal(SIGTERM);
    z->reset();
  }
  // Close our copies first: once each worker has drained the queue and closed its own copy,
  // new connections are refused instead of waiting in a queue nobody will read.
  if (upgraded_) {  // a newer master serves on the same unix socket files: leave them
    listeners_.keep_files();
    old_listeners_.keep_files();
  }
  listeners_.close_all();
  old_listeners_.close_all();
  for (Child& c : children_) retire(c, graceful ? SIGTERM : SIGQUIT);
  int64_t limit = graceful ? static_cast<int64_t>(cfg_.graceful_timeout) * 1000 : kKillGraceMs;
  int64_t deadline = base::now_ms() + limit;
  while (!children_.empty() && base::now_ms() < deadline) {
    pollfd pfd{sigfd_.get(), POLLIN, 0};
    poll(&pfd, 1, 50);
    while (int sig = os::read_signal(sigfd_.get())) {
      if ((sig == SIGINT || sig == SIGQUIT) && graceful) {
        BLOG_INFO("Handling signal: %s; switching to a fast stop", sig == SIGINT ? "int" : "quit");
        graceful = false;  // an impatient operator
        for (Child& c : children_) kill(c.pid, SIGQUIT);
        deadline = std::min(deadline, base::now_ms() + kKillGraceMs);
      }
    }
    reap();
    if (notifier_.watchdog_usec() > 0 && base::now_ms() >= next_watchdog_ms_) {
      notifier_.send("WATCHDOG=1");
      next_watchdog_ms_ = base::now_ms() + std::max<int64_t>(notifier_.watchdog_usec() / 2000, 1);
    }
  }
  if (!children_.empty()) {
    BLOG_WARN("killing %zu worker(s) still running after the %s timeout", children_.size(),
              graceful ? "graceful" : "shutdown");
    for (Child& c : children_) kill(c.pid, SIGKILL);
    int64_t give_up = base::now_ms() + 5000;
    while (!children_.empty() && base::now_ms() < give_up) {
      usleep(10000);
      reap();
    }
  }
  pidfile_.remove();
  BLOG_INFO("Shutting down: Master");
  hooks_.on_exit();
  return exit_code_;
}

int Master::setup() {
  sigfd_ = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2,
                          SIGCHLD, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);
  notifier_ = os::Notifier::from_environment();
  if (cfg_.errorlog != "-" && !cfg_.errorlog.empty()) {
    std::string error;
    if (!base::log::open(cfg_.errorlog, &error)) {
      BLOG_CRIT("%s", error.c_str());
      return base::kExitUsage;
    }
  }
  if (base::LogLevel level; base::parse_log_level(cfg_.loglevel, &level)) base::log::set_level(level);
  target_ = std::max(1, cfg_.workers);
  // Master-side hooks: the companion starts, nworkers_changed and on_starting run (waited for).
  hooks_.start(cfg_, target_);

  auto creds = os::resolve_credentials(cfg_.user, cfg_.group, cfg_.initgroups);
  if (!creds.ok()) {
    BLOG_CRIT("BST-E0802 %s", creds.error().message.c_str());
    return creds.error().code;
  }
  creds_ = creds.value();

  auto adopted = listeners_.adopt_systemd();
  if (!adopted.ok()) {
    BLOG_CRIT("BST-E0803 %s", adopted.error().message.c_str());
    return adopted.error().code;
  }
  if (!adopted.value()) {
    auto bound = listeners_.open(cfg_);
    if (!bound.ok()) {
      BLOG_CRIT("BST-E0801 %s", bound.error().message.c_str());
      return bound.error().code;
    }
  }
  if (cfg_.allow_debug && !listeners_.all_loopback()) {
    BLOG_CRIT("BST-E0602 --allow-debug is refused on a non-loopback bind: the Werkzeug debugger "
              "would be reachable from the network. Bind to 127.0.0.1, ::1 or a unix socket.");
    return base::kExitDebugRefused;
  }
  if (creds_.change) listeners_.chown_unix(creds_.uid, creds_.gid);
  if (!cfg_.pidfile.empty()) {
    if (auto st = pidfile_.create(cfg_.pidfile, getpid()); !st.ok()) {
      BLOG_CRIT("BST-E0804 %s", st.error().message.c_str());
      return st.error().code;
    }
  }
  BLOG_INFO("Starting bastion %s", BASTION_VERSION);
  for (std::string where : listeners_.describe()) {
    if (!cfg_.certfile.empty() && where.rfind("http://", 0) == 0) where.insert(4, "s");  // TLS
    BLOG_INFO("Listening at: %s (%d)", where.c_str(), static_cast<int>(getpid()));
  }
  BLOG_INFO("Using worker: event loop, %d Python thread(s) per worker", std::max(1, cfg_.threads));
  if (creds_.change) {
    BLOG_INFO("Workers run as uid %u, gid %u", static_cast<unsigned>(creds_.uid),
              static_cast<unsigned>(creds_.gid));
  }
  if (start_.upgraded_from > 0) {
    BLOG_INFO("Started by the USR2 of master pid %d (binary upgrade); send it WINCH, then TERM",
              static_cast<int>(start_.upgraded_from));
  }
  set_title();
  hooks_.when_ready();
  return 0;
}

// "bastion: master [app]"; "(old)" while a newer master from USR2 runs beside it.
void Master::set_title() {
  std::string title = "bastion: master [" + (cfg_.proc_name.empty() ? cfg_.app_uri : cfg_.proc_name) + "]";
  if (upgrade_pid_ != 0) title += " (old)";
  os::set_process_title(title.c_str());
}

int Master::run() {
  if (int rc = setup(); rc != 0) {
    pidfile_.remove();
    return rc;
  }
  while (true) {
    if (stopping_) return stop(graceful_);
    if (halt_code_ != 0) {
      BLOG_CRIT("BST-E0705 worker failed to boot: %s; stopping (exit status %d)",
                base::exit_code_text(halt_code_), halt_code_);
      exit_code_ = halt_code_;
      return stop(false);
    }
    manage();
    tick();
    check_children();
    progress_reload();
    report();
  }
}

}  // namespace bastion::process::detail

namespace bastion::process {

int run_master(const config::Config& config, ReloadConfig reload_config, StartContext start) {
  detail::Master master(config, std::move(reload_config), std::move(start));
  return master.run();
}

}  // namespace bastion::process
