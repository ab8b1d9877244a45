// SPDX-License-Identifier: MIT
// The master's HUP reload: re-read the configuration, start a new generation of workers (and,
// with --preload, a new zygote), retire the old one once the new one is ready, or roll back.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>

#include "base/clock.h"
#include "base/log.h"
#include "process/master_impl.h"

namespace bastion::process::detail {

// HUP: re-read the configuration, start a new generation of workers (they import the app
// afresh), and retire the old generation only once the new one is ready, so a broken deploy
// leaves the running workers serving.
void Master::begin_reload() {
  if (stopping_) return;
  if (reload_.active || !booted_) {
    BLOG_INFO("%s; reloading once it completes", booted_ ? "a reload is in progress" : "still booting");
    reload_.pending = true;
    return;
  }
  notifier_.send("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC=" +
                 std::to_string(base::now_us()));
  reload_.old_cfg = cfg_;
  reload_.old_creds = creds_;
  reload_.old_generation = generation_;
  reload_.old_target = target_;
  config::Config next = cfg_;
  if (reload_fn_) {
    auto fresh = reload_fn_();
    if (fresh.ok()) {
      next = std::move(fresh.value());
      target_ = std::max(1, next.workers);
    } else {
      BLOG_ERROR("BST-E0707 reloading the configuration failed: %s; restarting the workers with "
                 "the current configuration", fresh.error().message.c_str());
    }
  }
  if (target_ == 0) target_ = std::max(1, next.workers);  // WINCH had stopped the workers
  apply_config(std::move(next));
  // Master-side hooks: the companion executes the new config file, then as Gunicorn's reload.
  hooks_.reconfigure(cfg_, target_);
  hooks_.nworkers_changed(target_, reload_.old_target);
  hooks_.on_reload();
  generation_ = ++generation_counter_;
  // --preload: a new zygote re-imports the code and forks the new generation; the old one
  // stays until the reload completes (or takes over again if the new one cannot import).
  old_zygote_ = std::move(zygote_);
  reload_.active = true;
  reload_.deadline_ms = base::now_ms() + boot_limit_ms();
  last_reload_ms_ = base::now_ms();
  next_spawn_ms_ = 0;
  BLOG_INFO("Reloading: starting %d new worker(s); the old ones retire once these are ready",
            target_);
}

void Master::apply_config(config::Config next) {
  if (next.errorlog != cfg_.errorlog) {
    std::string error;
    if (!base::log::open(next.errorlog, &error)) BLOG_ERROR("%s", error.c_str());
  }
  if (base::LogLevel level; base::parse_log_level(next.loglevel, &level)) base::log::set_level(level);
  if (next.pidfile != cfg_.pidfile) {
    pidfile_.remove();
    if (!next.pidfile.empty()) {
      if (auto st = pidfile_.create(next.pidfile, getpid()); !st.ok())
        BLOG_ERROR("%s", st.error().message.c_str());
    }
  }
  if (next.user != cfg_.user || next.group != cfg_.group || next.initgroups != cfg_.initgroups) {
    auto creds = os::resolve_credentials(next.user, next.group, next.initgroups);
    if (creds.ok()) {
      creds_ = creds.value();
    } else {
      BLOG_ERROR("BST-E0802 %s; the workers keep the previous user", creds.error().message.c_str());
    }
  }
  if (next.bind != cfg_.bind && !listeners_.from_systemd()) {
    Listeners fresh;
    auto st = fresh.open(next, &listeners_);
    if (!st.ok()) {
      BLOG_ERROR("BST-E0708 cannot bind the new addresses (%s); keeping the old ones",
                 st.error().message.c_str());
      listeners_.take_from(fresh);
      next.bind = cfg_.bind;
    } else {
      old_listeners_.take_from(listeners_);
      listeners_ = std::move(fresh);
      for (std::string where : listeners_.describe()) {
        if (!next.certfile.empty() && where.rfind("http://", 0) == 0) where.insert(4, "s");
        BLOG_INFO("Listening at: %s (%d)", where.c_str(), static_cast<int>(getpid()));
      }
      if (creds_.change) listeners_.chown_unix(creds_.uid, creds_.gid);
    }
  }
  cfg_ = std::move(next);
}

void Master::progress_reload() {
  if (!reload_.active) {
    if (reload_.pending && booted_) {
      reload_.pending = false;
      begin_reload();
    }
    return;
  }
  if (ready_count(generation_) >= target_) {
    int retired = 0;
    for (Child& c : children_) {
      if (c.generation != generation_ && !c.retiring) {
        retire(c, SIGTERM);
        ++retired;
      }
    }
    old_listeners_.close_all();  // the retiring workers keep their own copies while draining
    if (old_zygote_) old_zygote_->send_signal(SIGTERM);
    old_zygote_.reset();
    reload_.active = false;
    BLOG_INFO("Reload complete: %d new worker(s) ready, %d old worker(s) retiring", target_, retired);
    notifier_.send("READY=1\nSTATUS=" + last_status_);
  } else if (base::now_ms() > reload_.deadline_ms) {
    abort_reload("the new workers were not ready after " +
                 std::to_string(boot_limit_ms() / 1000) + " s");
  }
  if (!reload_.active && reload_.pending) {
    reload_.pending = false;
    begin_reload();
  }
}

void Master::abort_reload(const std::string& why) {
  BLOG_ERROR("BST-E0704 reload failed: %s; the old workers keep serving", why.c_str());
  for (Child& c : children_) {
    if (c.generation == generation_ && !c.retiring) {
      c.abort_ms = base::now_ms();
      c.abort_reason = "belonged to the failed reload";
      retire(c, SIGKILL);
      c.killed = true;
    }
  }
  // --preload: the new zygote goes; the old one (whose workers keep serving) stays.
  if (zygote_ && zygote_->generation() != reload_.old_generation) zygote_->send_signal(SIGKILL);
  zygote_ = std::move(old_zygote_);
  // Back to the previous generation, configuration and addresses.
  generation_ = reload_.old_generation;
  target_ = reload_.old_target;
  if (reload_.old_cfg.bind != cfg_.bind && !old_listeners_.empty()) {
    Listeners back;
    listeners_.take_from(old_listeners_);
    if (back.open(reload_.old_cfg, &listeners_).ok()) {
      listeners_.close_all();  // addresses only the failed configuration had
      listeners_ = std::move(back);
    }
  }
  cfg_ = reload_.old_cfg;
  creds_ = reload_.old_creds;
  hooks_.reconfigure(cfg_, target_);
  reload_.active = false;
  notifier_.send("READY=1\nSTATUS=Reload failed: " + why);
}

}  // namespace bastion::process::detail
