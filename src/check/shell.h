// SPDX-License-Identifier: MIT
// A POSIX-shell reader good enough to find how a process is launched: word splitting with
// quotes and ${VAR:-default} expansion, here-documents, if/case gates decided from
// variables the script itself sets, exports, `VAR=x cmd` prefixes, wrappers (exec, env,
// gosu, tini, ...) and `sh -c "..."`. Used for shell scripts, Dockerfile shell-form
// commands, compose commands and Procfiles. Only the STL and check/facts.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "check/facts.h"
#include "check/project.h"

namespace bastion::check {

/// Maps offsets in a piece of text to file positions. The text may be a slice of a file
/// (one entry per line) or rebuilt from several places (a YAML block scalar).
struct SourceMap {
  struct Line {
    uint32_t offset = 0;  // offset in the text where this line starts
    int32_t line = 1;     // its file line
    int32_t col = 1;      // file column of that offset
  };
  std::vector<Line> lines;

  /// A map for `text` that starts at file position (line, col) and continues one file line
  /// per '\n'.
  static SourceMap contiguous(std::string_view text, int32_t line, int32_t col);
  Loc at(size_t offset) const;
};

/// A shell variable as the scanner knows it.
enum class VarState : uint8_t { Unset, Known, Unknown };
struct ShellVar {
  VarState state = VarState::Unset;
  std::string value;
};
using ShellVars = std::unordered_map<std::string, ShellVar>;

/// One word after quote removal and expansion.
struct ShWord {
  std::string text;
  Loc loc;
  bool unresolved = false;   // contained $(...), `...`, $1, or an unknown variable
  bool quoted = false;       // any part was quoted (so it is never a keyword)
  std::string assign_name;   // NAME for a NAME=value word (text is then the value)
};

/// Reads shell text and records environment settings and launch commands into `out`.
/// Not thread-safe; one per file.
class ShellScanner {
 public:
  ShellScanner(FileFacts& out, EnvSource env_source, CommandSource cmd_source, std::string base_dir)
      : out_(out), env_source_(env_source), cmd_source_(cmd_source), base_dir_(std::move(base_dir)) {}

  /// Variables visible to expansions (Dockerfile ENV, compose interpolation).
  ShellVars& vars() { return vars_; }
  /// Treats every command found as conditional (e.g. a non-default target).
  void set_maybe(bool maybe) { force_maybe_ = maybe; }
  /// The loc recorded as the start of the next commands (0 = each command's first word).
  void set_command_loc(Loc loc) { command_loc_ = loc; }
  /// When set, `${VAR}` without a default in the text expands to nothing (compose and
  /// Dockerfile semantics) and `$$` is a literal `$`.
  void set_compose_dollars(bool on) { compose_dollars_ = on; }

  /// Scans a script (or a shell-form command). `newline_is_space` for folded YAML text.
  void scan(std::string_view text, const SourceMap& map, bool newline_is_space = false);
  /// Handles one already-split command (an exec-form array).
  void command(std::vector<ShWord> words);

  /// Comments seen (for suppressions).
  std::vector<LineComment>& comments() { return comments_; }

 private:
  enum class Step : uint8_t { Next, Stop, Command };
  void finish(std::vector<ShWord>& words, std::string_view sep);
  Step control_word(const std::vector<ShWord>& words, size_t& i, std::string_view sep);
  void open_condition(const std::vector<ShWord>& words, size_t i, std::string_view sep);
  bool builtin(const std::vector<ShWord>& words, size_t i);
  size_t unwrap(const std::vector<ShWord>& words, size_t i, bool* done);
  void case_pattern(const std::vector<ShWord>& patterns);
  void emit_env(const std::string& name, const ShWord& value, Loc loc);
  Truth condition(const std::vector<ShWord>& words) const;
  bool dead() const;
  bool maybe() const;

  FileFacts& out_;
  EnvSource env_source_;
  CommandSource cmd_source_;
  std::string base_dir_;
  ShellVars vars_;
  bool auto_export_ = false;
  bool force_maybe_ = false;
  bool compose_dollars_ = false;
  Loc command_loc_;
  int nesting_ = 0;
  struct Gate {
    enum Kind : uint8_t { If, Case, Loop, Group } kind = If;
    Truth current = Truth::Unknown;   // the branch being read
    bool taken = false;               // an earlier branch was definitely taken
    bool maybe_taken = false;         // an earlier branch may have been taken
    bool in_condition = false;
    bool expect_pattern = false;
    std::string subject;
    bool subject_known = false;
  };
  std::vector<Gate> gates_;
  std::vector<LineComment> comments_;
};

/// Expands `$VAR`, `${VAR:-default}` and quotes in `raw` with `vars` (unset variables are
/// empty; `compose` makes `$$` a literal `$`). Sets *unresolved for $(...) or unknown values.
std::string shell_expand(std::string_view raw, const ShellVars& vars, bool compose, bool* unresolved);

/// Glob match for shell case patterns and file globs: *, ?, [...] (no '/' special).
bool shell_glob_match(std::string_view pattern, std::string_view text);

}  // namespace bastion::check
