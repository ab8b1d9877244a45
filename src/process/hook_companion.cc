// SPDX-License-Identifier: MIT
// The hook companion, master side (see hook_companion.h): fork, the event protocol and the
// bounded waits. No Python here; the forked child hands over to hooks::run_companion().
#include "process/hook_companion.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "config/settings.h"
#include "os/signals.h"
#include "process/runtime.h"

namespace bastion::process {
namespace {

constexpr int64_t kRestartGapMs = 1000;  // a companion that keeps dying restarts at most this often

json::Value object() {
  json::Value v;
  v.type = json::Value::Type::Object;
  return v;
}

/// Closes every descriptor above 2 except `keep` (listeners, the signalfd, systemd's fds...).
void close_other_fds(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = 3;
  for (int k : keep) {
    if (k < 3 || static_cast<unsigned>(k) < from) continue;
    if (static_cast<unsigned>(k) > from) close_range(from, static_cast<unsigned>(k) - 1, 0);
    from = static_cast<unsigned>(k) + 1;
  }
  close_range(from, ~0U, 0);
}

}  // namespace

std::string settings_json(const config::Config& cfg) {
  json::Value root = object();
  for (const config::Setting& s : config::settings()) {
    root.set(std::string(s.name), config::current_value(s, cfg));
  }
  return json::dump(root);
}

HookCompanion::~HookCompanion() { stop(); }

bool HookCompanion::defined(std::string_view hook) const {
  return wanted_ && std::find(cfg_.hooks.begin(), cfg_.hooks.end(), hook) != cfg_.hooks.end();
}

void HookCompanion::start(const config::Config& cfg, int num_workers) {
  cfg_ = cfg;
  num_workers_ = num_workers;
  wanted_ = config::defines_hook_in(cfg, "master") && !cfg.config_file.empty();
  if (!wanted_) return;
  launch();
  nworkers_changed(num_workers, -1);
  hook("on_starting", object(), true);
}

void HookCompanion::launch() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    BLOG_ERROR("BST-E0732 cannot start the hook companion: socketpair: %s", strerror(errno));
    return;
  }
  base::UniqueFd mine(sv[0]);
  base::UniqueFd theirs(sv[1]);
  pid_t master = getpid();
  started_ms_ = base::now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    BLOG_ERROR("BST-E0732 cannot start the hook companion: fork: %s", strerror(errno));
    return;
  }
  if (pid == 0) {
    os::reset_signals();
    os::die_with_parent(SIGTERM);
    if (getppid() != master) _exit(0);
    load_runtime();  // before the descriptors are closed: it maps the master's open module
    int fd = theirs.release();
    close_other_fds({fd, base::log::fd()});
    std::string title =
        "bastion: hooks [" + (cfg_.proc_name.empty() ? cfg_.app_uri : cfg_.proc_name) + "]";
    os::set_process_title(title.c_str());
    run_hook_companion(cfg_, fd, master, num_workers_);
  }
  pid_ = pid;
  sock_ = std::move(mine);
  BLOG_INFO("Started the hook companion (pid: %d) for the config file's master-side hooks",
            static_cast<int>(pid));
}

bool HookCompanion::ensure_running() {
  if (sock_) return true;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);  // hung or dying; the master reaps it as an unknown child
    pid_ = 0;
  }
  if (base::now_ms() - started_ms_ < kRestartGapMs) {
    if (!warned_restart_) {
      BLOG_WARN(
          "BST-E0732 the hook companion keeps dying; hook events are dropped until it "
          "can be restarted");
      warned_restart_ = true;
    }
    return false;
  }
  launch();
  return static_cast<bool>(sock_);
}

void HookCompanion::stop() {
  if (pid_ <= 0) return;
  pid_t pid = std::exchange(pid_, 0);
  sock_.reset();  // EOF: the companion leaves its loop
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) != 0) return;
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

bool HookCompanion::reaped(pid_t pid, int status) {
  if (pid_ <= 0 || pid != pid_) return false;
  if (WIFSIGNALED(status)) {
    BLOG_WARN(
        "BST-E0732 the hook companion (pid: %d) was killed by signal %d; it is restarted "
        "for the next hook",
        static_cast<int>(pid), WTERMSIG(status));
  } else {
    BLOG_WARN(
        "BST-E0732 the hook companion (pid: %d) exited with status %d; it is restarted "
        "for the next hook",
        static_cast<int>(pid), WEXITSTATUS(status));
  }
  pid_ = 0;
  sock_.reset();
  return true;
}

void HookCompanion::send(json::Value ev, bool wait, const char* what) {
  if (!wanted_ || !ensure_running()) return;
  ev.set("n", json::Value::integer(num_workers_));
  int64_t id = 0;
  if (wait) {
    id = next_id_++;
    ev.set("id", json::Value::integer(id));
  }
  std::string msg = json::dump(ev);
  if (::send(sock_.get(), msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
    BLOG_WARN("BST-E0732 cannot pass the %s event to the hook companion: %s", what,
              strerror(errno));
    if (errno != EAGAIN) sock_.reset();
    return;
  }
  if (wait) wait_ack(id, what);
}

void HookCompanion::wait_ack(int64_t id, const char* what) {
  int64_t limit_ms = static_cast<int64_t>(std::max(1, cfg_.graceful_timeout)) * 1000;
  int64_t deadline = base::now_ms() + limit_ms;
  while (sock_) {
    int64_t left = deadline - base::now_ms();
    if (left <= 0) {
      BLOG_WARN(
          "BST-E0731 the %s hook did not finish within %lld s (--graceful-timeout); "
          "continuing without it (the hook companion is restarted)",
          what, static_cast<long long>(limit_ms / 1000));
      if (pid_ > 0) kill(pid_, SIGKILL);
      sock_.reset();
      return;
    }
    pollfd p{sock_.get(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[256];
    ssize_t got = recv(sock_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got <= 0) {
      sock_.reset();  // the companion died; reaped() logs it
      return;
    }
    auto ack = json::parse(std::string_view(buf, static_cast<size_t>(got)));
    if (!ack.ok()) continue;
    const json::Value* v = ack->find("ack");
    if (v != nullptr && v->type == json::Value::Type::Int && v->i >= id) return;
  }
}

void HookCompanion::hook(const char* name, json::Value ev, bool wait) {
  if (!defined(name)) return;
  ev.set("ev", json::Value::string("hook"));
  ev.set("name", json::Value::string(name));
  send(std::move(ev), wait, name);
}

void HookCompanion::when_ready() { hook("when_ready", object(), false); }

void HookCompanion::pre_fork(int age) {
  json::Value ev = object();
  ev.set("age", json::Value::integer(age));
  hook("pre_fork", std::move(ev), true);
}

void HookCompanion::spawned(pid_t pid, int age) {
  if (!wanted_ || !sock_) return;
  json::Value ev = object();
  ev.set("ev", json::Value::string("spawned"));
  ev.set("pid", json::Value::integer(pid));
  ev.set("age", json::Value::integer(age));
  send(std::move(ev), false, "spawned");
}

void HookCompanion::child_exit(pid_t pid, int age) {
  json::Value ev = object();
  ev.set("pid", json::Value::integer(pid));
  ev.set("age", json::Value::integer(age));
  hook("child_exit", std::move(ev), false);
}

void HookCompanion::nworkers_changed(int new_value, int old_value) {
  num_workers_ = new_value;
  json::Value ev = object();
  ev.set("new", json::Value::integer(new_value));
  ev.set("old", old_value < 0 ? json::Value::null() : json::Value::integer(old_value));
  hook("nworkers_changed", std::move(ev), false);
}

void HookCompanion::reconfigure(const config::Config& cfg, int num_workers) {
  bool want = config::defines_hook_in(cfg, "master") && !cfg.config_file.empty();
  cfg_ = cfg;
  num_workers_ = num_workers;
  if (!want) {
    stop();
    wanted_ = false;
    return;
  }
  bool running = wanted_ && sock_;
  wanted_ = true;
  if (!running) {
    if (pid_ > 0) kill(pid_, SIGKILL);
    pid_ = 0;
    launch();  // a fresh companion executes the new configuration
    return;
  }
  json::Value ev = object();
  ev.set("ev", json::Value::string("config"));
  ev.set("file", json::Value::string(cfg.config_file));
  ev.set("cfg", json::Value::string(settings_json(cfg)));
  send(std::move(ev), false, "reload");
}

void HookCompanion::on_reload() { hook("on_reload", object(), false); }

void HookCompanion::pre_exec() { hook("pre_exec", object(), true); }

void HookCompanion::on_exit() {
  hook("on_exit", object(), true);
  stop();
}

}  // namespace bastion::process
