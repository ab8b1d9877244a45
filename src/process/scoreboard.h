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
  std::atomic<int64_t> heartbeat_ms{0};  // CLOCK_MONOTONIC ms of the loop's last round
  // CLOCK_MONOTONIC ms at which the longest-running call into the application still in
  // progress started (--threads > 1, where the loop keeps beating while a Python thread is
  // stuck); 0 when none. With --threads 1 a stuck call stops the loop's beat instead.
  std::atomic<int64_t> app_busy_since_ms{0};
  std::atomic<uint64_t> requests{0};
  // --reload: bumped by the worker each time a watched source file changed (debounced);
  // the master reloads (as for HUP) when it sees the count move.
  std::atomic<uint32_t> reload_requests{0};
  std::atomic<int64_t> reload_change_ms{0};  // CLOCK_MONOTONIC ms of the latest change seen
};

/// kSlotStopping: the worker stopped accepting (TERM, parent gone) and is finishing its
/// connections; the master starts its replacement at once if it did not ask for the stop.
/// kSlotRecycle: the worker reached --max-requests and still serves; the master starts a
/// replacement and sends TERM to this one once the replacement is ready.
enum SlotState : int32_t {
  kSlotFree = 0,
  kSlotBooting = 1,
  kSlotReady = 2,
  kSlotStopping = 3,
  kSlotRecycle = 4,
};

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
