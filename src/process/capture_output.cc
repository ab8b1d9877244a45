// SPDX-License-Identifier: MIT
// --capture-output (see capture_output.h).
#include "process/capture_output.h"

#include <cstdio>

#include "base/log.h"

namespace bastion::process {

void capture_worker_output(const config::Config& cfg) {
  if (!cfg.capture_output || cfg.errorlog.empty() || cfg.errorlog == "-") return;
  std::fflush(stdout);
  std::fflush(stderr);
  base::log::set_capture_stdio(true);
}

}  // namespace bastion::process
