// SPDX-License-Identifier: MIT
// Monotonic and wall clocks in the units the server uses. Any thread.
#pragma once

#include <cstdint>
#include <ctime>

namespace bastion::base {

/// Milliseconds on CLOCK_MONOTONIC (coarse: ~1-4 ms resolution, a few ns to read).
inline int64_t now_ms() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

/// Microseconds on CLOCK_MONOTONIC (precise; for request durations).
inline int64_t now_us() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace bastion::base
