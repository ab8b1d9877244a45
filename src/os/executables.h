// SPDX-License-Identifier: MIT
// The programs Bastion runs: itself (re-executed by USR2; its runtime module sits beside it)
// and python3 — the interpreter it was built to embed, or the active virtualenv's, used to
// run config files in a child (config layer) and as the embedded interpreter's program name
// (python layer), so both see the same sys.path. No state; any thread.
#pragma once

#include <string>

namespace bastion::os {

/// This process's executable, resolved (/proc/self/exe); "" when it cannot be read. Read it
/// before a deploy can replace the file if the path must name the running binary.
std::string self_executable();

/// $VIRTUAL_ENV/bin/python when $VIRTUAL_ENV is set and that file is executable, else the
/// python3 found at build time (its real path).
std::string python_executable();

}  // namespace bastion::os
