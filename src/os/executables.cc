// SPDX-License-Identifier: MIT
// self_executable() and python_executable(): see executables.h.
#include "os/executables.h"

#include <unistd.h>

#include <cstdlib>

namespace bastion::os {

std::string self_executable() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  return n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
}

std::string python_executable() {
  if (const char* venv = getenv("VIRTUAL_ENV"); venv != nullptr && *venv != '\0') {
    std::string candidate = std::string(venv) + "/bin/python";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return BASTION_PYTHON_EXECUTABLE;
}

}  // namespace bastion::os
