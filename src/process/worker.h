// SPDX-License-Identifier: MIT
// A worker process's life after fork: initialise CPython, import the application, run the
// debug guard, then serve on the inherited listeners until told to stop. Runs in the forked
// child only; never returns.
#pragma once

#include <sys/types.h>

#include <vector>

#include "config/config.h"
#include "os/privileges.h"
#include "process/scoreboard.h"
#include "python/ref.h"

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

/// A worker forked by the master: boots CPython and imports the application itself.
[[noreturn]] void run_worker(const WorkerContext& ctx);

/// --preload: a worker forked (via an intermediate process) by the zygote, which already
/// imported `app`. The caller ran PyOS_AfterFork_Child() and holds the GIL; `ctx.master`
/// must be set: the worker waits until it has been re-parented to the master (a
/// subreaper) before it arms the parent-death signal.
[[noreturn]] void run_preloaded_worker(const WorkerContext& ctx, py::PyRef app);

}  // namespace bastion::process
