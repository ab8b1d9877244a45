// SPDX-License-Identifier: MIT
// `bastion check --app MODULE:APP`: the debug guard's dry run for CI pipelines. Imports the
// application the way a worker does (same interpreter setup, same loader, same import hooks),
// runs the guard, prints the findings and exits; it never binds a socket or serves. Main
// thread of a process that has not initialised Python yet.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "guard/guard.h"

namespace bastion::guard {

/// Exit statuses of the dry run (besides the load failures of base::ExitCode, 3 to 7).
inline constexpr int kCheckClean = 0;        // no refusing finding (warnings allowed)
inline constexpr int kCheckWouldRefuse = 1;  // the server would refuse (it exits with 9)
inline constexpr int kCheckUsage = 2;        // bad command line

struct CheckOptions {
  std::string app_uri;                  // --app MODULE:APP
  std::string format = "text";          // --format text|json
  std::string chdir;                    // --chdir DIR
  std::vector<std::string> pythonpath;  // --pythonpath A,B (repeatable)
  std::vector<std::string> raw_env;     // -e/--env KEY=VALUE (repeatable)
  bool help = false;                    // -h/--help
};

/// Parses argv (argv[0] == "check"). "--flag value" and "--flag=value" both work. Errors are
/// one line naming the flag. Pure.
base::Result<CheckOptions> parse_check_args(int argc, char** argv);

/// The report printed to stdout, one function per format. Pure.
std::string render_text(const std::string& app_uri, const std::vector<Finding>& findings);
std::string render_json(const std::string& app_uri, const std::vector<Finding>& findings);
/// JSON for an application that could not be loaded (exit status `code`).
std::string render_json_failure(const std::string& app_uri, int code, const std::string& message);


/// Runs the dry run and returns the process exit status: 0 clean, 1 would refuse, 2 usage,
/// 3 Python failed to start, 4-7 the application could not be loaded (as a worker would exit).
/// Initialises Python in this process (and never finalises it): call once, then exit.
int run_check_app(int argc, char** argv);

}  // namespace bastion::guard
