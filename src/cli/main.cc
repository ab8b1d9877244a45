// SPDX-License-Identifier: MIT
// Entry point: subcommand dispatch. `bastion check --app MODULE:APP` runs the runtime guard as
// a dry run, `bastion check [PATH...]` the static checker; everything else loads the
// configuration (settings table: defaults < env < config file < *_CMD_ARGS < command line)
// and serves through the master.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/exit_codes.h"
#include "base/log.h"
#include "check/cli.h"
#include "config/cli.h"
#include "config/report.h"
#include "os/daemon.h"
#include "os/executables.h"
#include "os/signals.h"
#include "process/master.h"
#include "process/runtime.h"
#include "process/telemetry.h"

extern char** environ;

namespace {

bool has_flag(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == flag || (a.size() > flag.size() && a.substr(0, flag.size()) == flag &&
                      a[flag.size()] == '='))
      return true;
  }
  return false;
}

int serve(int argc, char** argv) {
  namespace config = bastion::config;
  // USR2 re-executes this binary with this command line (process/master.h): remember both
  // now, before the process title reuses argv's memory and before a deploy replaces the file.
  bastion::process::StartContext start;
  start.argv.assign(argv, argv + argc);
  start.executable = bastion::os::self_executable();
  if (const char* from = getenv(bastion::process::kUpgradeEnv); from != nullptr) {
    start.upgraded_from = static_cast<pid_t>(std::atol(from));
    unsetenv(bastion::process::kUpgradeEnv);  // describes this process only
  }
  config::LoadOptions options;
  options.python = bastion::os::python_executable();
  // Relative paths (config file, pyproject.toml, --chdir) stay anchored at the directory
  // bastion was started in, also when a HUP re-reads them after --chdir.
  char start_dir[4096];
  if (getcwd(start_dir, sizeof start_dir) != nullptr) options.cwd = start_dir;
  start.cwd = options.cwd;
  auto loaded = config::load(argc, argv, config::environ_from(environ), options);
  if (!loaded.ok()) {
    std::fprintf(stderr, "bastion: error: %s\n", loaded.error().message.c_str());
    return loaded.error().code;
  }
  config::Loaded& l = loaded.value();
  switch (l.action) {
    case config::Action::Help: std::fputs(config::usage_text().c_str(), stdout); return 0;
    case config::Action::Version: std::printf("bastion %s\n", BASTION_VERSION); return 0;
    case config::Action::DumpDoc: std::fputs(config::config_doc_markdown().c_str(), stdout); return 0;
    case config::Action::Serve: break;
  }
  const config::Config& cfg = l.config;
  std::string error;
  if (!bastion::base::log::open(cfg.errorlog, &error)) {
    std::fprintf(stderr, "bastion: error: --error-logfile: %s\n", error.c_str());
    return bastion::base::kExitUsage;
  }
  bastion::base::LogLevel level;
  if (bastion::base::parse_log_level(cfg.loglevel, &level)) bastion::base::log::set_level(level);
  for (const std::string& w : l.warnings) BLOG_WARN("%s", w.c_str());
  if (cfg.print_config) config::print_config(cfg, l.sources, stdout);
  if (cfg.print_config || cfg.check_config) {
    // As Gunicorn: load the application too and exit 0 or 1. The import runs in a child, so
    // this process stays Python-free. --print-config without an application only prints.
    if (cfg.app_uri.empty()) return 0;
    return bastion::process::check_config(cfg, cfg.check_config);
  }
  if (!cfg.chdir.empty() && chdir(cfg.chdir.c_str()) != 0) {
    std::fprintf(stderr, "bastion: error: --chdir %s: %s\n", cfg.chdir.c_str(), strerror(errno));
    return bastion::base::kExitUsage;
  }
  // The workers' runtime module (CPython, OpenSSL): found now, loaded only by the children.
  if (auto runtime = bastion::process::open_runtime(); !runtime.ok()) {
    BLOG_CRIT("BST-E0709 %s", runtime.error().message.c_str());
    return bastion::base::kExitWorkerBoot;
  }
  // HUP re-reads every source (config file, *_CMD_ARGS, the same command line) from scratch.
  // From the copy taken above: the master's process title reuses (overwrites) argv's memory.
  std::vector<std::string> args(start.argv.begin() + 1, start.argv.end());
  bastion::process::ReloadConfig reload = [args, options]() -> bastion::base::Result<config::Config> {
    auto again = config::load_args(args, config::environ_from(environ), options);
    if (!again.ok()) return std::move(again).error();
    for (const std::string& w : again.value().warnings) BLOG_WARN("%s", w.c_str());
    return std::move(again.value().config);
  };
  // The new master of a USR2 upgrade is already detached: its parent is the old daemon.
  if (cfg.daemon && start.upgraded_from == 0) {
    if (cfg.errorlog == "-" && !cfg.enable_stdio_inheritance) {
      std::fprintf(stderr, "bastion: warning: --daemon with --error-logfile '-' sends the error "
                           "log to /dev/null; set --error-logfile FILE (or syslog = True)\n");
    }
    // Detach now: the command returns once the master is ready, or with its exit status.
    if (auto detached = bastion::os::daemonize(cfg.enable_stdio_inheritance); !detached.ok()) {
      std::fprintf(stderr, "bastion: error: %s\n", detached.error().message.c_str());
      return detached.error().code;
    }
  }
  bastion::process::install_telemetry(cfg);  // syslog and StatsD sinks, inherited by workers
  int status = bastion::process::run_master(cfg, reload, std::move(start));
  bastion::os::report_daemon_exit(status);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  bastion::os::init_process_title(argc, argv);
  if (argc >= 2 && std::string_view(argv[1]) == "check") {
    if (has_flag(argc - 1, argv + 1, "--app")) return bastion::process::run_check_app(argc - 1, argv + 1);
    return bastion::check::run_cli(argc - 1, argv + 1);
  }
  return serve(argc, argv);
}
