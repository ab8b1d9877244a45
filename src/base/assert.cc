// SPDX-License-Identifier: MIT
#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace bastion::base {

void panic(const char* file, int line, const char* message) noexcept {
  std::fprintf(stderr, "bastion: BST-E0001 panic at %s:%d: %s\n", file, line, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace bastion::base
