// SPDX-License-Identifier: MIT
// --preload: the zygote, a process the master forks after binding that starts CPython,
// imports the application once (debug guard included) and then forks workers on the master's
// request, so their memory starts as a copy-on-write share of the imported application and
// the master itself never runs Python. Each worker is forked through a short-lived
// intermediate process and is adopted by the master (a child subreaper), so the master reaps
// and supervises it like any other worker. Master main thread for the Zygote handle; the
// zygote process itself is single-threaded C++ around the interpreter.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "config/config.h"
#include "os/privileges.h"
#include "process/scoreboard.h"

namespace bastion::process {

/// The master's handle on one zygote process. Destroying the handle closes the request
/// channel; the zygote exits when it sees it closed (it also dies with the master).
class Zygote {
 public:
  struct Setup {
    const config::Config* config = nullptr;  // the generation's configuration (outlives fork)
    std::vector<int> listeners;              // inherited by the zygote, then by every worker
    Scoreboard* board = nullptr;             // shared slots (mapped before fork)
    const os::Credentials* credentials = nullptr;  // workers switch to these after fork
    std::vector<int> close_in_child;         // master descriptors the zygote must not keep
    std::function<void()> in_child;          // more clean-up, run first thing in the zygote
    int generation = 0;
  };

  /// Forks the zygote; it starts importing at once. The master must be a child subreaper
  /// (os::become_subreaper) for the workers to be adopted by it. Error: socketpair/fork.
  static base::Result<std::unique_ptr<Zygote>> start(const Setup& setup);
  ~Zygote();
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  static constexpr int kBroken = 1;

  pid_t pid() const noexcept { return pid_; }
  /// The master's end of the request channel (to close in other children).
  int fd() const noexcept { return fd_.get(); }
  int generation() const noexcept { return generation_; }
  int64_t born_ms() const noexcept { return born_ms_; }
  /// True once the zygote reported that the application is imported (reads its messages
  /// without blocking).
  bool poll_ready();
  bool ready() const noexcept { return ready_; }
  /// Asks the zygote to fork a worker that will use scoreboard slot `slot`, and waits (at
  /// most a few seconds) for the new worker's pid. Error: the zygote's fork failed (code 0),
  /// or the zygote is gone or stuck (code kBroken: replace it).
  base::Result<pid_t> fork_worker(int slot, int age, bool multiprocess);
  /// Sends `sig` to the zygote (once it is dead, nothing).
  void send_signal(int sig) const;

  /// For a zygote still importing `limit_ms` after it started: SIGABRT (its Python stack
  /// goes to the error log), then SIGKILL `grace_ms` later. Its death is then reaped as a
  /// boot failure. Call every master tick until ready.
  void enforce_boot_limit(int64_t now, int64_t limit_ms, int64_t grace_ms);

 private:
  int64_t abort_ms_ = 0;  // SIGABRT sent
  bool killed_ = false;   // SIGKILL sent
  Zygote() = default;
  pid_t pid_ = 0;
  base::UniqueFd fd_;  // our end of the SOCK_SEQPACKET pair
  int generation_ = 0;
  int64_t born_ms_ = 0;
  bool ready_ = false;
};

}  // namespace bastion::process
