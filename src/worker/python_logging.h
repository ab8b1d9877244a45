// SPDX-License-Identifier: MIT
// Gunicorn's Python logging settings in a worker: logconfig (logging.config.fileConfig),
// logconfig_json (a JSON file for dictConfig) and logconfig_dict (dictConfig), applied in the
// worker's interpreter before the application is imported. They configure the application's
// and its libraries' Python logging only: Bastion's error and access logs are written by C++
// and never pass through Python's `logging`. Needs a started interpreter and the GIL; no
// sockets, no event loop.
#pragma once

#include <string>

#include "config/config.h"

namespace bastion::worker {

/// Applies the first configured of logconfig_dict, logconfig_json, logconfig (Gunicorn's
/// precedence), with Gunicorn's defaults under a dict (root INFO to stdout, the
/// "gunicorn.error" logger to stderr, existing loggers kept; the dict's handlers, formatters,
/// filters and loggers are merged into the defaults' by name). Returns true when none is set or
/// it was applied; false with `*error` set to the Python exception (one line per frame).
/// Calling thread holds the GIL.
bool apply_python_logging(const config::Config& cfg, std::string* error);

/// The worker's call: apply_python_logging, logging a failure as BST-E0520 (CRITICAL).
/// Returns false on failure; the worker then exits with base::kExitWorkerBoot.
bool configure_worker_python_logging(const config::Config& cfg);

}  // namespace bastion::worker
