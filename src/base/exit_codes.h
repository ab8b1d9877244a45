// SPDX-License-Identifier: MIT
// Process exit statuses: documented for operators (docs/exit-codes.md), stable across releases.
// A worker exits with one of the boot codes; the master stops and exits with the same code
// instead of respawning in a loop. No dependencies.
#pragma once

namespace bastion::base {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,         // unexpected failure (see the error log)
  kExitUsage = 2,           // bad command line or configuration value
  kExitWorkerBoot = 3,      // a worker could not boot (Python failed to initialise, ...)
  kExitAppRaised = 4,       // importing the application raised an exception
  kExitModuleNotFound = 5,  // the application module cannot be found
  kExitAppAttribute = 6,    // the module has no such attribute (or the factory call failed)
  kExitAppNotCallable = 7,  // the application object is not callable
  kExitAddressInUse = 8,    // a bind address is already in use
  kExitDebugRefused = 9,    // the debug guard refused to serve (CWE-489)
  kExitPidfile = 10,        // another live master holds the pidfile
};

/// Short description of `code` for logs ("application import failed").
const char* exit_code_text(int code) noexcept;

}  // namespace bastion::base
