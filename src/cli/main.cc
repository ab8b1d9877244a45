// SPDX-License-Identifier: MIT
// Entry point: subcommand dispatch. `bastion check ...` runs the static checker; everything
// else serves an application through the master.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "base/exit_codes.h"
#include "base/log.h"
#include "config/config.h"
#include "os/signals.h"
#include "process/master.h"

namespace {

// Interim command line (replaced by the settings table's parser).
int parse(int argc, char** argv, bastion::config::Config& cfg) {
  bool bind_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bastion: error: %s needs a value\n", flag);
        std::exit(bastion::base::kExitUsage);
      }
      return argv[++i];
    };
    if (a == "-b" || a == "--bind") {
      if (!bind_given) cfg.bind.clear();
      bind_given = true;
      cfg.bind.push_back(value("--bind"));
    } else if (a == "-w" || a == "--workers") {
      cfg.workers = std::atoi(value("--workers"));
    } else if (a == "--threads") {
      cfg.threads = std::atoi(value("--threads"));
    } else if (a == "--access-logfile") {
      cfg.accesslog = value("--access-logfile");
    } else if (a == "--allow-debug") {
      cfg.allow_debug = true;
    } else if (a == "-t" || a == "--timeout") {
      cfg.timeout = std::atoi(value("--timeout"));
    } else if (a == "--max-requests") {
      cfg.max_requests = std::atoi(value("--max-requests"));
    } else if (a == "--keep-alive") {
      cfg.keepalive = std::atoi(value("--keep-alive"));
    } else if (a == "--chdir") {
      cfg.chdir = value("--chdir");
    } else if (a == "--version") {
      std::printf("bastion %s\n", BASTION_VERSION);
      std::exit(0);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "bastion: error: unrecognized argument %s\n", argv[i]);
      return bastion::base::kExitUsage;
    } else {
      cfg.app_uri = std::string(a);
    }
  }
  if (cfg.app_uri.empty()) {
    std::fprintf(stderr, "bastion: error: no application given (usage: bastion [OPTIONS] MODULE:APP)\n");
    return bastion::base::kExitUsage;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bastion::os::init_process_title(argc, argv);
  bastion::config::Config cfg;
  if (int rc = parse(argc, argv, cfg); rc != 0) return rc;
  if (!cfg.chdir.empty() && chdir(cfg.chdir.c_str()) != 0) {
    std::fprintf(stderr, "bastion: error: --chdir %s: %s\n", cfg.chdir.c_str(), strerror(errno));
    return bastion::base::kExitUsage;
  }
  return bastion::process::run_master(cfg);
}
