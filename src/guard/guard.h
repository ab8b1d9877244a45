// SPDX-License-Identifier: MIT
// The runtime debug guard (CWE-489): inspects the imported application and the worker's
// environment before the first request and reports debug mode (rules BG001-BG006). Fails
// closed: an inspection that cannot decide is a refusing finding (BG000). Worker main thread,
// GIL held. No sockets. The rules themselves are Python (guard_source.cc), run in the worker's
// own interpreter; they never import Flask, Werkzeug or Django, only look at what the
// application imported.
#pragma once

#include <Python.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace bastion::guard {

struct Finding {
  std::string rule;     // "BG001"; "BG000" when the guard itself could not decide
  std::string message;  // what was found and where ("Flask app 'app' is in debug mode ...")
  std::string fix;      // how to fix it
  bool refuses = true;  // false for warnings (BG006, BG004 without debug arguments)
  std::string where;    // "module:attribute.path", "environment variable X" or "file.py:12"
};

/// Call before importing the application (GIL held): installs import hooks so that
/// Flask.run() / werkzeug.serving.run_simple() calls made while the app loads record a BG004
/// finding and return at once instead of starting a development server, and so that Flask
/// apps and DEBUG assignments made while loading are remembered with their file and line.
/// Never raises: a failure is remembered and reported by inspect() as BG000. Calling it again
/// re-arms the recording for another load (the hooks are installed once per interpreter).
void install_import_hooks();

/// Runs every rule against `app` (borrowed) and the process environment (GIL held). The
/// attribute path in messages starts at the name the app URI gives (config.app_uri).
/// Refusing findings come first. Never leaves a Python exception pending: an inspection
/// that raises becomes a refusing BG000 finding (and its traceback goes to the error log).
std::vector<Finding> inspect(PyObject* app, const config::Config& config);

/// True when at least one finding refuses.
bool refuses(const std::vector<Finding>& findings);

/// "BG001 Flask app ... -- fix: ..." one line for logs and stderr.
std::string format(const Finding& finding);

/// The attribute path's first element and the module for an app URI: "pkg.mod:make()" gives
/// {"make()", "pkg.mod"}; a bare "pkg.mod" gives {"", "pkg.mod"} (the rules then use the name
/// the loader picked, "application" or "app"). Pure.
struct AppLabel {
  std::string label;
  std::string module;
};
AppLabel app_label(const std::string& app_uri);

}  // namespace bastion::guard
