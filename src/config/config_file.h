// SPDX-License-Identifier: MIT
// Evaluation of Python config files (gunicorn.conf.py style), python:MODULE configs and TOML
// tables ([tool.bastion] in pyproject.toml) in a short-lived child interpreter, so that the
// calling process (the master) never runs Python. The child execs the file the way Gunicorn
// does and reports its top-level names as JSON on a pipe; nothing here links Python.
// Calls block until the child exits (bounded by a timeout). Main thread only: it forks and
// waits for that one child, so the caller must not reap unknown children (waitpid(-1)) from a
// signal handler while a call runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/json.h"

namespace bastion::config {

/// An environment: variable name -> value.
using Environ = std::map<std::string, std::string>;
/// Copies a NULL-terminated "KEY=VALUE" array (e.g. `environ`) into an Environ.
Environ environ_from(char** envp);

/// The interpreter that evaluates config files: `preferred` if not empty, else
/// $VIRTUAL_ENV/bin/python3 (or .../python) when it exists, else "python3" searched on the
/// PATH of `env`. Returns "" when none is found.
std::string find_python(const std::string& preferred, const Environ& env);

/// What to evaluate. At least one of `config` and `toml` is set.
struct FileRequest {
  std::string python;        ///< Interpreter path (see find_python).
  std::string cwd;           ///< The child runs here; relative paths are resolved from here.
  Environ env;               ///< The child's whole environment.
  std::string config;        ///< "" = none; "python:MODULE"; else a file path (any extension
                             ///< but .toml is executed as Python, as Gunicorn does).
  std::string toml;          ///< "" = none; a TOML file. Its [tool.bastion] table is read, or
                             ///< the whole document when it has no such table and
                             ///< `toml_whole_file` is set (a bastion.toml given with -c).
  bool toml_whole_file = false;
  int timeout_ms = 30000;    ///< The child is killed after this long.
};

/// One top-level name from a config file or one key of a TOML table.
struct FileValue {
  std::string name;
  json::Value value;  ///< Python values as JSON; classes and functions as "module.qualname";
                      ///< anything else as {"$repr": "..."}.
  int line = 0;       ///< Line of the (last) top-level assignment; 0 if unknown.
};

struct FileResult {
  std::string config_file;           ///< Absolute path executed, or "python:MODULE"; "" if none.
  std::vector<FileValue> values;     ///< Top-level names that are settings, in file order.
  std::vector<FileValue> others;     ///< Other public top-level names (no values): typo checks.
  std::vector<FileValue> functions;  ///< Other top-level functions and classes (no values).
  std::vector<FileValue> hooks;      ///< Callables named like server hooks (value: qualname).
  std::string toml_file;             ///< Absolute path of the TOML file read; "" if none.
  bool toml_found = false;           ///< The TOML table existed.
  std::vector<FileValue> toml_values;  ///< Keys of the TOML table, in order.
  std::vector<std::string> warnings;   ///< From the child (e.g. a non-.py config name).
};

/// Runs the child and parses its report. Errors (exit status 1, for the caller to use) name the
/// file and line: "/srv/gunicorn.conf.py:3: NameError: name 'x' is not defined", a missing
/// file, a TOML syntax error, a missing interpreter, a timeout.
base::Result<FileResult> evaluate_config(const FileRequest& request);

/// The embedded Python program the child runs (exposed for tests and docs).
const char* config_child_program();

}  // namespace bastion::config
