// SPDX-License-Identifier: MIT
// The --preload zygote process's entry point, run in the child the master forked for it (via
// the runtime module, process/runtime.h). Never returns.
#pragma once

#include <sys/types.h>

#include "process/zygote.h"

namespace bastion::worker {

/// Imports the application, reports kReady on `sock`, then serves fork requests until the
/// master closes the channel or dies. `setup` is the master's copy (valid after fork).
[[noreturn]] void run_zygote(const process::Zygote::Setup& setup, int sock, pid_t master);

}  // namespace bastion::worker
