// SPDX-License-Identifier: MIT
// The scanned tree as the Python evaluator sees it: module lookup for imports inside the
// tree, per-module summaries (analysed once, on first use) and file-existence caching.
// Depends on base/ and the check analyzers only. Single-threaded: one Project per scan.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "check/facts.h"
#include "check/py_ast.h"
#include "check/value.h"

namespace bastion::check {

/// A suppression-relevant comment kept after the syntax tree is released.
struct LineComment {
  int32_t line = 0;
  std::string text;
};

/// Lines [first, last] of a statement that spans several lines: a suppression comment on
/// any of them covers findings inside it.
struct LineSpan {
  int32_t first = 0;
  int32_t last = 0;
};

/// One Python module: its facts and what importers need (final globals, the tree they
/// point into). The heavy parts are released when no other module imported it.
struct ModuleSummary {
  std::string path;  // absolute
  std::unique_ptr<PyModule> ast;
  Env globals;
  FileFacts facts;
  std::vector<LineComment> comments;
  std::vector<LineSpan> spans;  // multi-line simple statements (only when comments exist)
  std::vector<std::shared_ptr<Object>> owned;  // objects whose lifetime is the module's
  std::string error;          // set when the file could not be read (the note's text)
  int32_t first_error_line = 0;
  bool runs_dev_server = false;   // `python this.py` starts the Werkzeug server
  bool flask_script = false;      // uses Flask-Script (`python manage.py runserver`)
  int32_t dev_server_line = 0;
  bool imported = false;          // keep: another module holds values from it
  bool in_progress = false;
  bool facts_taken = false;
  bool released = false;
};

class Project {
 public:
  /// `roots` are absolute directories (or files) given on the command line.
  explicit Project(std::vector<std::string> roots);

  /// The summary of the Python file at absolute `path`, analysing it on first use.
  /// Null while that module is being analysed (an import cycle) or when nesting is too deep.
  ModuleSummary* module_at(const std::string& path);

  enum class Lookup { Found, NotInTree, Busy };
  /// Resolves `import dotted` (relative when level > 0) from the file `from_path`.
  Lookup import_module(const std::string& from_path, std::string_view dotted, int level,
                       ModuleSummary** out);
  /// Absolute path of the in-tree file for a module, or "" (no analysis).
  std::string module_file(const std::string& from_path, std::string_view dotted, int level);

  /// True when `path` names an existing regular file (cached).
  bool file_exists(const std::string& path);
  /// The root that contains `path` ("" if none).
  const std::string& root_of(const std::string& path) const;

  /// Resolves a script named in a launch command (`python app.py`) from `base_dir`:
  /// relative to it, then with leading directories of an absolute path dropped (a
  /// container WORKDIR), searching up to the root. "" when not found.
  std::string find_script(const std::string& base_dir, const std::string& script);
  /// A unique file named `rel` at most three folders below `dir`, or "".
  std::string find_below(const std::string& dir, const std::string& rel);
  /// Whether running the Python file at `path` starts the development server (with
  /// `first_arg`, the first argument after the script: `runserver` for Flask-Script).
  bool script_runs_dev_server(const std::string& path, std::string_view first_arg = {});

  /// Marks `path` as released (its tree and globals are dropped unless imported).
  void release(ModuleSummary* m);
  /// Every summary analysed so far (for files reached only through from_pyfile()).
  const std::unordered_map<std::string, std::unique_ptr<ModuleSummary>>& modules() const { return modules_; }

 private:
  std::vector<std::string> roots_;
  std::unordered_map<std::string, std::unique_ptr<ModuleSummary>> modules_;
  std::unordered_map<std::string, bool> exists_;
  std::unordered_map<std::string, std::string> module_files_;
  int nesting_ = 0;
};

/// Lexically normalises an absolute path ("a/./b/../c" -> "a/c").
std::string normalize_path(const std::string& path);
/// Directory part of a path ("/a/b.py" -> "/a").
std::string dir_of(const std::string& path);

}  // namespace bastion::check
