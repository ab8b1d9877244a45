// SPDX-License-Identifier: MIT
// `bastion check [PATH...]`: the command-line front end of the static scanner. The lead's
// main() dispatches `bastion check ...` here (argv[0] is "check"); `--app` belongs to the
// runtime guard and is routed elsewhere before this is called. Depends on base/ and check/.
#pragma once

namespace bastion::check {

/// Runs the scanner. Exit status: 0 no findings, 1 findings, 2 usage error (unknown option,
/// missing path, unknown rule id, --app). Writes findings to stdout (or --output FILE) and
/// notes and the summary to stderr. Main thread only.
int run_cli(int argc, char** argv);

}  // namespace bastion::check
