// SPDX-License-Identifier: MIT
#include "process/scoreboard.h"

#include <sys/mman.h>

#include <new>

#include "base/assert.h"

namespace bastion::process {

Scoreboard::Scoreboard(int capacity) : capacity_(capacity) {
  size_t bytes = sizeof(WorkerSlot) * static_cast<size_t>(capacity);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  BASTION_ASSERT(mem != MAP_FAILED);
  slots_ = static_cast<WorkerSlot*>(mem);
  for (int i = 0; i < capacity; ++i) new (&slots_[i]) WorkerSlot();
}

Scoreboard::~Scoreboard() {
  munmap(slots_, sizeof(WorkerSlot) * static_cast<size_t>(capacity_));
}

int Scoreboard::acquire(pid_t pid) noexcept {
  for (int i = 0; i < capacity_; ++i) {
    int32_t expected = kSlotFree;
    if (slots_[i].state.compare_exchange_strong(expected, kSlotBooting)) {
      slots_[i].pid.store(pid);
      slots_[i].heartbeat_ms.store(0);
      slots_[i].app_busy_since_ms.store(0);
      slots_[i].requests.store(0);
      slots_[i].reload_requests.store(0);
      slots_[i].reload_change_ms.store(0);
      return i;
    }
  }
  return -1;
}

void Scoreboard::release(int i) noexcept {
  slots_[i].pid.store(0);
  slots_[i].state.store(kSlotFree);
}

}  // namespace bastion::process
