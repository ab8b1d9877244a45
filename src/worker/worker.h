// SPDX-License-Identifier: MIT
// A worker process's life after fork: initialise CPython, import the application, run the
// debug guard, then serve on the inherited listeners until told to stop. Runs in the forked
// child only (entered through the runtime module, process/runtime.h); never returns.
#pragma once

#include "process/worker.h"
#include "python/ref.h"

namespace bastion::worker {

using process::WorkerContext;
using process::WorkerSlot;

/// A worker forked by the master: boots CPython and imports the application itself.
[[noreturn]] void run_worker(const WorkerContext& ctx);

/// --preload: a worker forked (via an intermediate process) by the zygote, which already
/// imported `app`. The caller ran PyOS_AfterFork_Child() and holds the GIL; `ctx.master`
/// must be set: the worker waits until it has been re-parented to the master (a
/// subreaper) before it arms the parent-death signal.
[[noreturn]] void run_preloaded_worker(const WorkerContext& ctx, py::PyRef app);

}  // namespace bastion::worker
