// SPDX-License-Identifier: MIT
// The Python evaluator: runs a module's statements abstractly (constants, imports inside
// the tree, Flask app state, os.environ, decidable `if` gates) and records the facts the
// rules judge. Never executes user code. Depends on base/ and check/ only.
#pragma once

#include <string>

#include "check/project.h"

namespace bastion::check {

/// Parses `source` and evaluates it into `m` (facts, globals, flags). Imports inside the
/// tree are resolved through `project`, which may analyse other modules first. Bounded in
/// time and stack by fixed budgets; never fails (syntax errors set first_error_line).
void analyze_python(ModuleSummary& m, std::string source, Project& project);

}  // namespace bastion::check
