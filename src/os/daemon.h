// SPDX-License-Identifier: MIT
// -D/--daemon: detach from the terminal (fork, setsid, fork), as Gunicorn does, but the
// command that started the daemon does not return until the server is ready: it exits 0
// once the master reports READY=1, or with the master's own exit status (bind failure,
// import error, debug refusal...) when it stops first, so scripts see startup failures.
// Main thread, before any other thread or child exists. No HTTP, no Python.
#pragma once

#include "base/result.h"

namespace bastion::os {

/// Detaches the calling process. Returns only in the daemon (the grandchild), with
/// NOTIFY_SOCKET pointing at a private socket the original process listens on (the master's
/// sd_notify READY=1 releases it) and stdin on /dev/null; stdout and stderr go to /dev/null
/// too unless `keep_stdio` (enable_stdio_inheritance). The original process never returns:
/// it _exit()s with 0 after READY=1, with the status passed to report_daemon_exit(), or with
/// 1 when the daemon disappears without a word. An error (nothing forked) when the
/// sockets or the first fork cannot be created.
base::Status daemonize(bool keep_stdio);

/// Tells the waiting original process (if it still waits) the daemon's exit status. Call
/// once, just before the daemon's main returns. No-op when not daemonized. Never blocks.
void report_daemon_exit(int status) noexcept;

}  // namespace bastion::os
