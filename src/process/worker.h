// SPDX-License-Identifier: MIT
// A worker process's life after fork: initialise CPython, import the application, run the
// debug guard, then serve on the inherited listeners until told to stop. Runs in the forked
// child only; never returns.
#pragma once

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
};

[[noreturn]] void run_worker(const WorkerContext& ctx);

}  // namespace bastion::process
