// SPDX-License-Identifier: MIT
// The file walker for `bastion check`: recursive, deterministic (sorted), honours
// .gitignore (including the repository's ancestors and .git/info/exclude), --exclude
// globs, skips tests unless asked, virtualenvs and VCS folders, and classifies files by
// name (or shebang for extensionless scripts). Depends on base/ and check/ only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/facts.h"
#include "check/finding.h"

namespace bastion::check {

struct WalkEntry {
  std::string abs_path;
  std::string display;  // the path printed in findings
  FileKind kind = FileKind::Python;
};

struct WalkOptions {
  std::vector<std::string> excludes;
  bool include_tests = false;
};

/// The kind of a file from its name alone, or nullopt (not scanned or needs a shebang).
std::optional<FileKind> classify_name(std::string_view name);
/// Test files and folders: tests/, test/, test_*.py, *_test.py, conftest.py.
bool is_test_file_name(std::string_view name);

class Walker {
 public:
  explicit Walker(WalkOptions options) : opts_(std::move(options)) {}

  /// Adds the files at or under `arg` (a file or directory as typed by the user).
  /// Returns false when `arg` does not exist (the caller reports a usage error).
  bool add(const std::string& arg, std::vector<WalkEntry>& out, std::vector<Note>& notes);

 private:
  struct Ignore;
  void walk_dir(const std::string& abs, const std::string& rel, const std::string& prefix,
                std::vector<Ignore>& ignores, std::vector<WalkEntry>& out, std::vector<Note>& notes,
                int depth);
  bool excluded(std::string_view rel, std::string_view name) const;

  WalkOptions opts_;
};

}  // namespace bastion::check
