// SPDX-License-Identifier: MIT
// `bastion check --app MODULE:APP` (the debug guard's dry run for CI pipelines) and the
// server's --check-config: import the application the way a worker does (same configuration
// loader, same interpreter setup, same import hooks), run the guard, report and exit; never
// bind a socket or serve. Main thread of a process that has not initialised Python yet.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "guard/guard.h"

namespace bastion::guard {

/// Exit statuses of the dry run (besides the load failures of base::ExitCode, 3 to 7).
inline constexpr int kCheckClean = 0;        // no refusing finding (warnings allowed)
inline constexpr int kCheckWouldRefuse = 1;  // the server would refuse (it exits with 9)
inline constexpr int kCheckUsage = 2;        // bad command line

struct CheckOptions {
  std::string app_uri;                  // --app MODULE:APP
  std::string format = "text";          // --format text|json
  bool help = false;                    // -h/--help
  /// Every other argument, in order: server options (-c, --chdir, --pythonpath, -e, ...)
  /// that config::load_args() reads together with the config file and *_CMD_ARGS.
  std::vector<std::string> server_args;
  // What the server options on the command line itself say (for tests and messages); the
  // run uses the fully loaded configuration instead.
  std::string chdir;                    // --chdir DIR
  std::vector<std::string> pythonpath;  // --pythonpath A,B (repeatable)
  std::vector<std::string> raw_env;     // -e/--env KEY=VALUE (repeatable)
};

/// Parses argv (argv[0] == "check"): --app, --format and --help are the dry run's own; any
/// other argument must be a valid server option (same parser and value checks as `bastion`),
/// kept in server_args. Errors are one line naming the flag. Pure (no files read).
base::Result<CheckOptions> parse_check_args(int argc, char** argv);

/// Called after the interpreter started and before the application is imported (the
/// worker's Python logging setup). Returns false with `*error` set to fail the run. GIL held.
using BeforeImport = bool (*)(const config::Config& cfg, std::string* error);

/// What importing the application as a worker would produced.
struct DryRunResult {
  int code = 0;                   ///< 0 loaded; else the worker's exit status (3-7).
  std::string message;            ///< Why it failed (with the exception's last line).
  std::string traceback;          ///< The Python traceback, if any.
  std::vector<Finding> findings;  ///< The guard's findings when loaded.
};

/// Does in this process what a worker does before serving: chdir to cfg.chdir, sets
/// cfg.raw_env, starts Python with cfg.pythonpath, runs `before_import` (may be null),
/// installs the guard's import hooks, imports cfg.app_uri and inspects it. The application's
/// output during the import goes to stderr (fd 1 is pointed at fd 2 meanwhile). Initialises
/// Python in this process and never finalises it: call once, then exit.
DryRunResult dry_run(const config::Config& cfg, BeforeImport before_import);

/// --check-config (and --print-config): runs dry_run() in a forked child so that this
/// process never starts Python, prints the reason for a failure on stderr (a load error, or
/// each refusing guard finding with its rule id unless cfg.allow_debug), and with
/// `report_success` a one-line "OK" on stderr. Returns Gunicorn's status: 0 ok, 1 failed.
/// Main thread; waits for the child (bounded by nothing but the import itself).
int check_config(const config::Config& cfg, BeforeImport before_import, bool report_success);

/// The report printed to stdout, one function per format. Pure.
std::string render_text(const std::string& app_uri, const std::vector<Finding>& findings);
std::string render_json(const std::string& app_uri, const std::vector<Finding>& findings);
/// JSON for an application that could not be loaded (exit status `code`).
std::string render_json_failure(const std::string& app_uri, int code, const std::string& message);


/// Runs the dry run and returns the process exit status: 0 clean, 1 would refuse, 2 usage,
/// 3 Python failed to start, 4-7 the application could not be loaded (as a worker would exit).
/// Initialises Python in this process (and never finalises it): call once, then exit.
int run_check_app(int argc, char** argv, BeforeImport before_import = nullptr);

}  // namespace bastion::guard
