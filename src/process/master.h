// SPDX-License-Identifier: MIT
// The master ("arbiter"): binds the listeners (or adopts systemd's), forks and supervises the
// workers, turns signals into actions (TERM graceful, INT/QUIT fast, HUP reload, TTIN/TTOU,
// USR1 reopen logs, CHLD reap and replace, USR2 binary upgrade, WINCH stop the workers), kills workers whose heartbeat stops, stops
// instead of respawning forever when workers cannot boot, writes the pidfile and talks to
// systemd (sd_notify). Never runs Python and never touches a client socket. Main thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace bastion::process {

/// Produces the configuration to use after a HUP (re-reads the config file, environment and
/// command line). Called on the master's main thread; an error keeps the current config.
using ReloadConfig = std::function<base::Result<config::Config>()>;

/// How this process was started, for the USR2 binary upgrade (re-executing the binary).
struct StartContext {
  std::string executable;            // the binary, resolved at start (/proc/self/exe)
  std::vector<std::string> argv;     // the command line, argv[0] first; empty disables USR2
  std::string cwd;                   // the directory the command was started in
  pid_t upgraded_from = 0;           // the old master's pid when started by its USR2
};

/// The variable a USR2 upgrade passes to the new master: the old master's pid.
inline constexpr const char* kUpgradeEnv = "BASTION_UPGRADE_PID";

/// Runs until stopped; returns the process exit status (base/exit_codes.h). Without
/// `reload_config`, HUP restarts the workers with the current configuration; without
/// `start.argv`, USR2 is ignored.
int run_master(const config::Config& config, ReloadConfig reload_config = {},
               StartContext start = {});

}  // namespace bastion::process
