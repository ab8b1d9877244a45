// SPDX-License-Identifier: MIT
// The configuration loader for `bastion [OPTIONS] MODULE:APP`: merges, lowest precedence
// first, built-in defaults < environment-derived defaults ($WEB_CONCURRENCY, $PORT,
// $FORWARDED_ALLOW_IPS, $SENDFILE) < [tool.bastion] in ./pyproject.toml < the config file
// (-c, else ./bastion.conf.py, else ./gunicorn.conf.py) < $GUNICORN_CMD_ARGS <
// $BASTION_CMD_ARGS < the command line, and validates the result. No Python in this process:
// config files are evaluated by a child interpreter (config_file.h). Main thread only (see
// config_file.h on children); re-entrant, so a HUP can call load() again with the same inputs.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/result.h"
#include "config/config.h"
#include "config/config_file.h"
#include "config/settings.h"

namespace bastion::config {

/// Exit status for usage errors: an unknown flag, a bad value from any source, a missing
/// config file, conflicting settings (argparse uses 2 as well).
inline constexpr int kExitUsage = base::kExitUsage;
/// Exit status when a config file cannot be evaluated (it raised, has a syntax error, no
/// interpreter, timeout), as Gunicorn exits 1 for a broken config file.
inline constexpr int kExitConfigFile = base::kExitFailure;

/// What the command line asks for besides serving. --print-config and --check-config are
/// settings (Config::print_config, Config::check_config): they still need the app loaded.
enum class Action {
  Serve,    ///< Run (or, with print_config/check_config set, check) the application.
  Help,     ///< --help: print usage_text() to stdout, exit 0. Nothing else was loaded.
  Version,  ///< --version: print the version, exit 0. Nothing else was loaded.
  DumpDoc,  ///< --dump-config-doc (hidden): print config_doc_markdown(), exit 0.
};

struct LoadOptions {
  /// Interpreter that evaluates config files. "" = $VIRTUAL_ENV/bin/python3, else python3 on
  /// the PATH of `env` (main.cc passes os::python_executable()).
  std::string python;
  /// Directory that relative paths (config file, --chdir, pyproject.toml) start from.
  /// "" = the process's current directory.
  std::string cwd;
  /// A config file that runs longer than this is killed and reported.
  int config_timeout_ms = 30000;
};

struct Loaded {
  Action action = Action::Serve;
  Config config;                      ///< Fully validated; config.hooks lists the hooks found.
  Sources sources;                    ///< Where each non-default setting came from.
  std::vector<std::string> warnings;  ///< One line each, for the error log at WARNING level:
                                      ///< typos, accepted-but-unused settings, unrun hooks.
};

/// Loads the configuration for the serve command. `argv[0]` is the program name; `env` is
/// the process environment (environ_from(environ)) and is also the environment of the
/// config-file child. On failure, Error::message is one line without a prefix (print it as
/// "bastion: error: <message>") naming the flag, variable or file:line and the fix, and
/// Error::code is kExitUsage or kExitConfigFile. For Action::Serve without --print-config, a
/// missing application (no MODULE:APP and no wsgi_app) is a usage error.
base::Result<Loaded> load(int argc, char** argv, const Environ& env,
                          const LoadOptions& options = {});
/// Same, with the arguments after the program name as strings (tests, HUP re-reads).
base::Result<Loaded> load_args(const std::vector<std::string>& args, const Environ& env,
                               const LoadOptions& options = {});

}  // namespace bastion::config
