// SPDX-License-Identifier: MIT
// --capture-output in a worker: descriptors 1 and 2 (so print(), sys.stderr, C extensions and
// child processes the application starts) become duplicates of the error log file, as under
// Gunicorn, and follow it on a USR1 reopen. Main thread of a worker, before Python starts.
#pragma once

#include "config/config.h"

namespace bastion::worker {

/// Redirects fds 1 and 2 to the error log when cfg.capture_output is set and cfg.errorlog is
/// a file (with "-" the output already goes to stderr, and stdout is left alone, as Gunicorn
/// does). Flushes C stdio first. No-op otherwise.
void capture_worker_output(const config::Config& cfg);

}  // namespace bastion::worker
