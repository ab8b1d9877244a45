// SPDX-License-Identifier: MIT
// Private to the master's .cc files: the Master class, the record of one worker (Child) and
// the loop's timing constants. Not for any other file; the public entry point is master.h.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/unique_fd.h"
#include "config/config.h"
#include "os/pidfile.h"
#include "os/privileges.h"
#include "os/systemd.h"
#include "process/hook_companion.h"
#include "process/listeners.h"
#include "process/master.h"
#include "process/scoreboard.h"
#include "process/zygote.h"

namespace bastion::process::detail {

inline constexpr int kTickMs = 200;             // the loop wakes at least this often
inline constexpr int kBootTickMs = 20;          // ... and this often while a worker is booting
inline constexpr int64_t kKillGraceMs = 2000;   // SIGABRT (or a graceful overrun) -> SIGKILL
inline constexpr int64_t kCrashWindowMs = 30000;
inline constexpr size_t kCrashesFree = 3;       // crashes within the window respawned at once
inline constexpr int64_t kBackoffBaseMs = 250;  // then 250 ms, 500 ms, 1 s, ... up to the cap
inline constexpr int64_t kBackoffMaxMs = 16000;
inline constexpr int kMinBootLimitS = 60;       // a worker may take this long to import the app

struct Child {
  pid_t pid = 0;
  int slot = -1;
  int age = 0;
  int generation = 0;
  int64_t born_ms = 0;
  bool ready = false;      // reported ready at least once
  bool retiring = false;   // told to stop (TERM), or stopping by itself (parent gone)
  bool recycling = false;  // reached --max-requests: serves until its replacement is ready
  int64_t retire_ms = 0;   // when it started retiring
  int64_t abort_ms = 0;    // SIGABRT sent (hung), or SIGKILL sent for an overrun
  bool killed = false;     // SIGKILL sent
  uint32_t reload_seen = 0;  // --reload: the slot's reload_requests count last seen
  const char* abort_reason = nullptr;
};

inline bool is_boot_code(int code) {
  return code == base::kExitWorkerBoot || code == base::kExitAppRaised ||
         code == base::kExitModuleNotFound || code == base::kExitAppAttribute ||
         code == base::kExitAppNotCallable || code == base::kExitDebugRefused;
}

// The master's state and its steps. Split over master.cc (setup, loop, signals, stop),
// master_children.cc (spawn, reap, heartbeats, worker count), master_reload.cc (HUP) and
// master_upgrade.cc (USR2 binary upgrade, WINCH).
// Threading: everything runs on the master's main thread, one step at a time from run()'s
// loop; no member is touched from a signal handler (signals arrive through the signalfd) nor
// from another thread. Children forked from it keep a copy and must not return into it.
class Master {
 public:
  Master(const config::Config& cfg, ReloadConfig reload, StartContext start)
      : cfg_(cfg), reload_fn_(std::move(reload)), start_(std::move(start)) {}
  int run();

 private:
  int setup();
  void tick();
  void handle_signal(int sig);
  bool spawn();
  pid_t fork_from_zygote(int slot);
  bool zygote_ready();
  bool reap_zygote(pid_t pid, int status);
  void reap();
  void on_exit(const Child& c, int status, bool booting, bool recycled);
  void boot_failed(const Child& c, int code);
  void record_crash();
  void check_children();
  void observe(Child& c, int64_t now);
  bool enforce_kill(Child& c, int64_t now);
  void check_timeout(Child& c, int64_t now);
  void manage();
  void retire(Child& c, int sig);
  void begin_reload();
  void apply_config(config::Config next);
  void progress_reload();
  void abort_reload(const std::string& why);
  void report();
  int stop(bool graceful);
  void set_title();
  // USR2 / WINCH (master_upgrade.cc).
  void begin_upgrade();
  void upgrade_ended(int status);
  void stop_workers();

  int ready_count(int generation) const;
  int live_count(int generation) const;
  int64_t boot_limit_ms() const {
    return static_cast<int64_t>(std::max(cfg_.timeout, kMinBootLimitS)) * 1000;
  }
  bool any_booting() const {
    if (zygote_ && !zygote_->ready()) return true;
    return std::any_of(children_.begin(), children_.end(), [](const Child& c) { return !c.ready; });
  }

  config::Config cfg_;
  ReloadConfig reload_fn_;
  Scoreboard board_{1024};
  Listeners listeners_;
  Listeners old_listeners_;  // binds a reload replaced; closed once the old workers retire
  std::vector<Child> children_;
  HookCompanion hooks_;  // runs the config file's master-side hooks (a Python-free master)
  std::unique_ptr<Zygote> zygote_;      // --preload: imports the app, forks this generation
  std::unique_ptr<Zygote> old_zygote_;  // the previous generation's, until a reload completes
  int64_t last_reload_ms_ = 0;           // when the latest reload began (--reload requests)
  base::UniqueFd sigfd_;
  os::Notifier notifier_;
  os::Pidfile pidfile_;
  os::Credentials creds_;
  int target_ = 1;
  int age_ = 0;
  int generation_ = 1;
  int generation_counter_ = 1;
  bool booted_ = false;          // the first worker became ready
  bool announced_ = false;       // READY=1 sent
  bool stopping_ = false;
  bool graceful_ = true;
  int exit_code_ = base::kExitOk;
  int halt_code_ = 0;
  std::vector<int64_t> crashes_;  // unexpected deaths within kCrashWindowMs
  int64_t next_spawn_ms_ = 0;     // respawn backoff
  int64_t next_watchdog_ms_ = 0;
  std::string last_status_;
  StartContext start_;           // how to re-execute this binary on USR2
  pid_t upgrade_pid_ = 0;        // the new master a USR2 started, while it lives
  bool upgraded_ = false;        // a USR2 passed our sockets on: never unlink unix socket files

  struct Reload {
    bool active = false;
    bool pending = false;        // another HUP arrived meanwhile
    int old_generation = 0;
    int old_target = 0;
    int64_t deadline_ms = 0;
    config::Config old_cfg;
    os::Credentials old_creds;
  } reload_;
};

}  // namespace bastion::process::detail
