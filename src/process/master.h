// SPDX-License-Identifier: MIT
// The master ("arbiter"): binds the listeners (or adopts systemd's), forks and supervises the
// workers, turns signals into actions (TERM graceful, INT/QUIT fast, HUP reload, TTIN/TTOU,
// USR1 reopen logs, CHLD reap and replace), kills workers whose heartbeat stops, stops
// instead of respawning forever when workers cannot boot, writes the pidfile and talks to
// systemd (sd_notify). Never runs Python and never touches a client socket. Main thread.
#pragma once

#include <functional>

#include "base/result.h"
#include "config/config.h"

namespace bastion::process {

/// Produces the configuration to use after a HUP (re-reads the config file, environment and
/// command line). Called on the master's main thread; an error keeps the current config.
using ReloadConfig = std::function<base::Result<config::Config>()>;

/// Runs until stopped; returns the process exit status (base/exit_codes.h). Without
/// `reload_config`, HUP restarts the workers with the current configuration.
int run_master(const config::Config& config, ReloadConfig reload_config = {});

}  // namespace bastion::process
