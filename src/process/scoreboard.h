// SPDX-License-Identifier: MIT
// Shared memory between the master and its workers, mapped before fork: one slot per worker
// with its heartbeat and boot state. Workers write only their own slot; the master reads.
// Lock-free (relaxed atomics); any process.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>

namespace bastion::process {

struct WorkerSlot {
  std::atomic<int32_t> pid{0};
  std::atomic<int32_t> state{0};         // SlotState
  std::atomic<int64_t> heartbeat_ms{0};  // CLOCK_MONOTONIC milliseconds of the last beat
  std::atomic<uint64_t> requests{0};
};

enum SlotState : int32_t { kSlotFree = 0, kSlotBooting = 1, kSlotReady = 2, kSlotStopping = 3 };

class Scoreboard {
 public:
  /// Maps `capacity` slots of shared anonymous memory (survives fork).
  explicit Scoreboard(int capacity);
  ~Scoreboard();
  Scoreboard(const Scoreboard&) = delete;
  Scoreboard& operator=(const Scoreboard&) = delete;

  int capacity() const noexcept { return capacity_; }
  WorkerSlot& slot(int i) noexcept { return slots_[i]; }
  /// A free slot index, or -1.
  int acquire(pid_t pid) noexcept;
  void release(int i) noexcept;

 private:
  WorkerSlot* slots_;
  int capacity_;
};

}  // namespace bastion::process
