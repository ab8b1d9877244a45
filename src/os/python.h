// SPDX-License-Identifier: MIT
// Which python3 Bastion runs: the interpreter it was built to embed, or the active
// virtualenv's. Used to run config files in a child (config layer) and as the embedded
// interpreter's program name (python layer), so both see the same sys.path. No state.
#pragma once

#include <string>

namespace bastion::os {

/// $VIRTUAL_ENV/bin/python when $VIRTUAL_ENV is set and that file is executable, else the
/// python3 found at build time (its real path).
std::string python_executable();

}  // namespace bastion::os
