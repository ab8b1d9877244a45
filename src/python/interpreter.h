// SPDX-License-Identifier: MIT
// The embedded CPython interpreter of one worker: initialised after fork with PyConfig so that
// sys.path is exactly what the configured python3 (or the active virtualenv) sees, with Python's
// own signal handlers off (the C++ side owns signals). Main interpreter only. Knows nothing of
// HTTP. Create and destroy on the worker's main thread.
#pragma once

#include <Python.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace bastion::py {

struct InterpreterOptions {
  std::vector<std::string> argv{"bastion"};
  std::vector<std::string> path_prepend;  // --pythonpath entries, then the working directory
};

class Interpreter {
 public:
  /// Initialises CPython. On success the calling thread holds the GIL.
  static base::Result<Interpreter*> start(const InterpreterOptions& options);
  /// Finalises only in the process that initialised it (never in a forked child).
  static void shutdown();

  /// Formats the pending exception (type, message and traceback) as text and clears it.
  /// GIL held. Returns "" if no exception is pending.
  static std::string format_exception();
};

}  // namespace bastion::py
