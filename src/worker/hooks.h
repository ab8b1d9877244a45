// SPDX-License-Identifier: MIT
// Gunicorn's server hooks, Python side: executes the config file again inside a worker's (or
// the hook companion's) interpreter and calls post_fork, post_worker_init, pre_request,
// post_request, worker_int, worker_abort and worker_exit with Gunicorn-like proxy objects.
// Master-side hooks run in the hook companion (process/hook_companion.h), whose event loop is here
// too. Never called in the master. Main thread of a worker or of the companion, except where
// noted; every function is a no-op when the config file defines none of its hooks.
#pragma once

#include <sys/types.h>

#include "config/config.h"

namespace bastion::worker::hooks {

/// True when `cfg` (its config file) defines a hook that runs in workers.
bool any_worker_hook(const config::Config& cfg);

/// Worker, before Python starts: remembers who this worker is (no Python). Without this call
/// every worker function below does nothing (e.g. in a process that preloads the app).
void prepare_worker(const config::Config& cfg, int age, pid_t master, int num_workers);

/// Worker, GIL held, interpreter started, application not imported yet: executes the config
/// file, runs post_fork(server, worker) and arms worker_abort. False (logged, with the
/// traceback) when the file cannot be executed or post_fork raised: a worker boot failure.
bool run_post_fork();

/// Worker, GIL held, application loaded: runs post_worker_init(worker) and installs the
/// request hooks (wsgi/request_hooks.h). False (logged) when it raised: a boot failure.
bool run_post_worker_init();

/// Worker, GIL NOT held, on the way out: worker_int(worker) when `interrupted` (INT/QUIT),
/// then worker_exit(server, worker). Exceptions are logged.
void run_worker_exit(bool interrupted);

/// The hook companion's life after fork: starts CPython, executes the config file and serves
/// the master's events from `fd` (a SOCK_SEQPACKET socket) until it closes. Never returns.
[[noreturn]] void run_companion(const config::Config& cfg, int fd, pid_t master, int num_workers);

}  // namespace bastion::worker::hooks
