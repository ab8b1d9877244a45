// SPDX-License-Identifier: MIT
// The master ("arbiter"): binds the listeners, forks and supervises the workers, turns
// signals into actions (TERM graceful, INT/QUIT fast, HUP reload, TTIN/TTOU, USR1 reopen
// logs), kills workers whose heartbeat stops, and stops instead of respawning forever when
// workers cannot boot. Never runs Python and never touches a client socket. Main thread.
#pragma once

#include "config/config.h"

namespace bastion::process {

/// Runs until stopped; returns the process exit status (base/exit_codes.h).
int run_master(const config::Config& config);

}  // namespace bastion::process
