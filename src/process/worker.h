// SPDX-License-Identifier: MIT
// What the master hands a worker it forks: the listeners, the heartbeat slot, who to become.
// The worker itself (CPython, the application, the event loop) lives in the runtime module
// (process/runtime.h), which only forked children load: run_worker() is its entry point.
#pragma once

#include <sys/types.h>

#include <vector>

#include "config/config.h"
#include "os/privileges.h"
#include "process/scoreboard.h"

namespace bastion::process {

struct WorkerContext {
  const config::Config* config = nullptr;
  std::vector<int> listeners;    // listening sockets (blocking mode, shared with siblings)
  WorkerSlot* slot = nullptr;    // our heartbeat slot
  int age = 0;                   // spawn counter, for logs
  bool multiprocess = false;
  const os::Credentials* credentials = nullptr;  // who to become after fork (may be null)
  pid_t master = 0;  // the master's pid; 0 = our parent (a preloaded worker starts elsewhere)
};

/// In a child the master just forked: loads the runtime module and becomes a worker. Never
/// returns (a module that cannot be loaded is a worker boot failure, exit 3).
[[noreturn]] void run_worker(const WorkerContext& ctx);

}  // namespace bastion::process
