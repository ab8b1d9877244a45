// SPDX-License-Identifier: MIT
// The runtime module's only exported symbol: its entry points (process/runtime.h). Built as
// bastion-worker.so from the worker-side layers (event, http, server, python, wsgi, guard,
// worker); everything else in it is hidden.
#include "guard/dry_run.h"
#include "process/runtime.h"
#include "worker/hooks.h"
#include "worker/python_logging.h"
#include "worker/worker.h"
#include "worker/zygote_process.h"

namespace {

using namespace bastion;

void run_worker(const process::WorkerContext& ctx) { worker::run_worker(ctx); }

void run_zygote(const process::Zygote::Setup& setup, int sock, pid_t master) {
  worker::run_zygote(setup, sock, master);
}

void run_hook_companion(const config::Config& cfg, int fd, pid_t master, int num_workers) {
  worker::hooks::run_companion(cfg, fd, master, num_workers);
}

int check_config(const config::Config& cfg, bool report_success) {
  return guard::check_config(cfg, &worker::apply_python_logging, report_success);
}

int check_app(int argc, char** argv) {
  return guard::run_check_app(argc, argv, &worker::apply_python_logging);
}

}  // namespace

extern "C" __attribute__((visibility("default")))
const bastion::process::RuntimeTable bastion_runtime_v1 = {
    bastion::process::kRuntimeAbi,
    BASTION_VERSION,
    sizeof(bastion::config::Config),
    sizeof(bastion::process::WorkerContext),
    &run_worker,
    &run_zygote,
    &run_hook_companion,
    &check_config,
    &check_app,
};
