// SPDX-License-Identifier: MIT
// Invariant checks that crash loudly with file and line. No dependencies.
#pragma once

namespace bastion::base {

/// Writes "file:line: message" to stderr and aborts. Async-signal-unsafe; for broken
/// invariants only, never for expected failures (those are return values).
[[noreturn]] void panic(const char* file, int line, const char* message) noexcept;

}  // namespace bastion::base

/// Aborts with file and line when `cond` is false. Active in every build type:
/// a broken invariant in production is better as a crash than as corrupted state.
#define BASTION_ASSERT(cond)                                                   \
  do {                                                                         \
    if (!(cond)) [[unlikely]]                                                  \
      ::bastion::base::panic(__FILE__, __LINE__, "assertion failed: " #cond); \
  } while (0)

#define BASTION_PANIC(msg) ::bastion::base::panic(__FILE__, __LINE__, (msg))
