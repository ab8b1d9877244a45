// SPDX-License-Identifier: MIT
// A worker's Python boot: start CPython, create the WSGI types, import the application and
// run the debug guard on it. Shared by a worker that boots itself and by a process that
// imports the application once before forking workers (--preload). Main thread of a process
// that has not started Python yet; failures end the process with the matching exit status.
#pragma once

#include "config/config.h"
#include "python/ref.h"

namespace bastion::worker {

/// Starts the interpreter (sys.path from --pythonpath), arms the traceback dump, creates the
/// WSGI types, installs the guard's import hooks, imports `cfg.app_uri` and inspects it.
/// Logs and _exit()s with base/exit_codes.h status on any failure or a debug refusal.
/// Returns a new reference to the application; the calling thread holds the GIL.
py::PyRef boot_application(const config::Config& cfg);

/// The descriptor faulthandler writes Python stacks to (a private duplicate of the error
/// log, re-pointed with dup3() on a log reopen); -1 before boot_application.
int traceback_dump_fd();

}  // namespace bastion::worker
