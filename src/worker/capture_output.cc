// SPDX-License-Identifier: MIT
// --capture-output (see capture_output.h).
#include "worker/capture_output.h"

#include <cstdio>

#include "base/log.h"

namespace bastion::worker {

void capture_worker_output(const config::Config& cfg) {
  if (!cfg.capture_output || cfg.errorlog.empty() || cfg.errorlog == "-") return;
  std::fflush(stdout);
  std::fflush(stderr);
  base::log::set_capture_stdio(true);
}

}  // namespace bastion::worker
