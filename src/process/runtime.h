// SPDX-License-Identifier: MIT
// The runtime module, bastion-worker.so: everything that runs CPython or OpenSSL (workers,
// the --preload zygote, the hook companion, `--check-config` and `bastion check --app`) is
// built into a shared object the master never loads, so the master's memory holds neither
// libpython nor libssl. The master opens the module file once at start (open_runtime) and a
// forked child maps that same file (load_runtime) before it runs any of the entry points below;
// replacing the file on disk (a deploy, then USR2) does not change what the running master's
// children load. The module resolves the base/os/config/process symbols it uses against the
// executable, which exports them.
// Threading: single-threaded callers only (the master's main thread, a freshly forked child,
// or the CLI before anything else runs).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "process/worker.h"
#include "process/zygote.h"

namespace bastion::process {

/// Bumped whenever RuntimeTable or a type it passes changes shape.
inline constexpr int kRuntimeAbi = 1;

/// The module's entry points: the object it exports as `bastion_runtime_v1`. The sizes let a
/// mismatched module (another build) be refused with a message instead of crashing.
struct RuntimeTable {
  int abi;
  const char* version;         // BASTION_VERSION the module was built from
  size_t config_size;          // sizeof(config::Config) in the module's build
  size_t worker_context_size;  // sizeof(WorkerContext)
  void (*run_worker)(const WorkerContext& ctx);                       // never returns
  void (*run_zygote)(const Zygote::Setup& setup, int sock, pid_t master);  // never returns
  void (*run_hook_companion)(const config::Config& cfg, int fd, pid_t master,
                             int num_workers);                            // never returns
  int (*check_config)(const config::Config& cfg, bool report_success);
  int (*check_app)(int argc, char** argv);
};

/// Finds the module next to the executable (`<dir>/bastion-worker.so`, then
/// `<dir>/../lib/bastion/bastion-worker.so`) and keeps it open; children forked later load
/// that descriptor. Call once in the master before the first fork. Error: not found (the
/// message names the paths tried).
base::Status open_runtime();

/// Maps the module into this process (once) and returns its entry points. On failure logs a
/// critical message naming the file and the loader's error, then _exit(3) (a worker boot
/// failure) — call only in a forked child or a CLI command that needs Python.
const RuntimeTable& load_runtime();

/// Entry points through the module (see RuntimeTable).
[[noreturn]] void run_zygote(const Zygote::Setup& setup, int sock, pid_t master);
[[noreturn]] void run_hook_companion(const config::Config& cfg, int fd, pid_t master,
                                     int num_workers);
/// `--check-config` / `--print-config` with an application: imports it in a child; 0 or 1.
int check_config(const config::Config& cfg, bool report_success);
/// `bastion check --app ...` (argv[0] is "check").
int run_check_app(int argc, char** argv);

}  // namespace bastion::process
