// SPDX-License-Identifier: MIT
// The master's side of the master-side server hooks (on_starting, when_ready, on_reload,
// pre_fork, child_exit, nworkers_changed, on_exit). The master stays Python-free: when the
// config file defines one of these hooks, it forks a small "hook companion" process that
// starts CPython, executes the config file and runs the hooks (process/hooks.h); the master
// sends it one JSON event per SOCK_SEQPACKET message. on_starting, pre_fork and on_exit wait
// for the companion's acknowledgement (bounded by --graceful-timeout, then a warning);
// everything else is asynchronous but delivered in order. The companion dies with the master
// (PR_SET_PDEATHSIG, and EOF on its socket), is restarted on the next event if it died, and
// holds no listener. Master's main thread only; every call is a no-op without master hooks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "config/config.h"
#include "config/json.h"

namespace bastion::process {

namespace json = config::json;

/// The resolved settings as one JSON object (setting name -> value), the `cfg` hooks see.
std::string settings_json(const config::Config& cfg);

class HookCompanion {
 public:
  HookCompanion() = default;
  HookCompanion(const HookCompanion&) = delete;
  HookCompanion& operator=(const HookCompanion&) = delete;
  ~HookCompanion();

  /// At master start, before the first worker: starts the companion when `cfg` defines a
  /// master-side hook, then runs nworkers_changed(num_workers, None) and on_starting (waits).
  void start(const config::Config& cfg, int num_workers);
  void when_ready();
  /// Just before worker number `age` is forked (waits).
  void pre_fork(int age);
  /// After the fork: tells the companion the new worker's pid (server.WORKERS).
  void spawned(pid_t pid, int age);
  void child_exit(pid_t pid, int age);
  /// old_value < 0 stands for None.
  void nworkers_changed(int new_value, int old_value);
  /// After a HUP re-read (or a reload rolled back to `cfg`): the companion executes the config
  /// file again (it is started or stopped when master-side hooks appear or disappear).
  void reconfigure(const config::Config& cfg, int num_workers);
  void on_reload();
  /// USR2, just before the new master is forked (waits).
  void pre_exec();
  /// Just before the master exits (waits), then stops the companion.
  void on_exit();
  /// The master reaped `pid`. True when it was the companion (logged; restarted on the next
  /// event). Call for every pid that is not a worker.
  bool reaped(pid_t pid, int status);
  /// In a freshly forked worker: closes the master's end of the socket without stopping the
  /// companion.
  void forget_in_child() {
    sock_.reset();
    pid_ = 0;
  }

 private:
  bool defined(std::string_view hook) const;
  bool ensure_running();
  void launch();
  void stop();
  void hook(const char* name, json::Value ev, bool wait);
  void send(json::Value ev, bool wait, const char* what);
  void wait_ack(int64_t id, const char* what);

  config::Config cfg_;
  bool wanted_ = false;
  int num_workers_ = 1;
  pid_t pid_ = 0;
  base::UniqueFd sock_;
  int64_t next_id_ = 1;
  int64_t started_ms_ = 0;
  bool warned_restart_ = false;
};

}  // namespace bastion::process
