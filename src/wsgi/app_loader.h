// SPDX-License-Identifier: MIT
// Imports the WSGI application named by an app URI ("pkg.mod:app", "mod:create_app('x')",
// "mod" meaning "mod:application" then "mod:app"), the way Gunicorn resolves it: factory
// arguments are parsed as literals, never evaluated. Worker main thread, GIL held.
#pragma once

#include <string>

#include "base/exit_codes.h"
#include "python/ref.h"

namespace bastion::wsgi {

struct LoadFailure {
  int exit_code = base::kExitAppRaised;  // kExitModuleNotFound, kExitAppAttribute, ...
  std::string message;                   // one line for stderr
  std::string traceback;                 // for the error log when the import raised
};

/// Returns the application (new reference), or null with `failure` filled in.
py::PyRef load_app(const std::string& uri, LoadFailure* failure);

}  // namespace bastion::wsgi
