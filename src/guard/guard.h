// SPDX-License-Identifier: MIT
// The runtime debug guard (CWE-489): inspects the imported application and the worker's
// environment before the first request and reports debug mode (rules BG001-BG006). Fails
// closed: an inspection that cannot decide is a refusing finding. Worker main thread, GIL held.
// No sockets.
#pragma once

#include <Python.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace bastion::guard {

struct Finding {
  std::string rule;     // "BG001"
  std::string message;  // what was found and where ("Flask app 'app' (module app) has debug=True")
  std::string fix;      // how to fix it
  bool refuses = true;  // false for warnings (BG006)
};

/// Call before importing the application: makes Flask.run() / werkzeug run_simple() calls made
/// at import time harmless (they record a BG004 finding instead of starting a dev server).
void install_import_hooks();

/// Runs every rule against `app` (borrowed) and the process environment.
std::vector<Finding> inspect(PyObject* app, const config::Config& config);

/// "BG001 Flask app ... -- fix: ..." one line for logs and stderr.
std::string format(const Finding& finding);

}  // namespace bastion::guard
