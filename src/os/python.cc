// SPDX-License-Identifier: MIT
// python_executable(): see python.h.
#include "os/python.h"

#include <unistd.h>

#include <cstdlib>

namespace bastion::os {

std::string python_executable() {
  if (const char* venv = getenv("VIRTUAL_ENV"); venv != nullptr && *venv != '\0') {
    std::string candidate = std::string(venv) + "/bin/python";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return BASTION_PYTHON_EXECUTABLE;
}

}  // namespace bastion::os
