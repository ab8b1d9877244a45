// SPDX-License-Identifier: MIT
// Path globs for --exclude and .gitignore: `*` and `?` stop at '/', `**` crosses
// directories, `[...]` classes, and gitignore's anchoring, negation and directory-only
// rules. Only the STL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::check {

/// Matches a whole '/'-separated path against a glob with `**` support.
bool path_glob_match(std::string_view pattern, std::string_view path);

/// The rules of one .gitignore file.
class IgnoreFile {
 public:
  /// `base` is the directory holding the file, relative to the scan root ("" for the root).
  IgnoreFile(std::string base, std::string_view text);

  /// Applies this file's rules to `rel` (relative to the scan root): returns +1 ignored,
  /// -1 explicitly re-included (!pattern), 0 no rule matched.
  int match(std::string_view rel, bool is_dir) const;

 private:
  struct Rule {
    std::string pattern;
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;
  };
  std::string base_;
  std::vector<Rule> rules_;
};

}  // namespace bastion::check
