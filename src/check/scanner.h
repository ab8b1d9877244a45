// SPDX-License-Identifier: MIT
// One `bastion check` run: walk the paths, analyse every file (Python through the
// evaluator, launch files through their scanners), apply the selected rules and the
// suppression comments, and return sorted, de-duplicated findings with notes and stats.
// Depends on base/ and check/ only. Single-threaded.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "check/finding.h"
#include "check/rule.h"

namespace bastion::check {

struct ScanOptions {
  std::vector<std::string> paths;        // files or directories; empty means "."
  std::vector<std::string> excludes;     // --exclude globs
  bool include_tests = false;
  Severity min_severity = Severity::Low;
  std::vector<std::string> select;       // rule ids; empty means all
  std::vector<std::string> ignore;       // rule ids
  unsigned jobs = 0;                     // worker threads; 0 picks one per CPU (at most 8)
};

struct ScanStats {
  size_t files = 0;
  size_t bytes = 0;
};

struct ScanResult {
  std::vector<Finding> findings;  // sorted by path, line, column, rule
  std::vector<Note> notes;
  ScanStats stats;
  std::vector<const Rule*> rules;  // the rules that ran (for reporters)
};

/// Runs a scan. Errors: a path that does not exist, or an unknown rule id in select/ignore.
/// Files are split into contiguous chunks, one per worker thread, each with its own Project
/// (module cache); the result does not depend on the number of threads.
base::Result<ScanResult> run_scan(const ScanOptions& options);

}  // namespace bastion::check
