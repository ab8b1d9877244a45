// SPDX-License-Identifier: MIT
// The epoll event loop: fd readiness dispatch, a cached clock, deferred (after-poll) work and
// an eventfd waker. Knows nothing of HTTP or Python. Loop thread only, except Waker::wake()
// which any thread may call.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "base/unique_fd.h"

namespace bastion::event {

/// Receives readiness for one registered fd. Implementations must not delete themselves
/// inside on_io(); they ask their owner to reap them in the after-poll step instead.
class IoHandler {
 public:
  virtual void on_io(uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

class Loop {
 public:
  Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  bool add(int fd, uint32_t events, IoHandler* handler);
  bool modify(int fd, uint32_t events, IoHandler* handler);
  void remove(int fd);

  /// Waits up to `timeout_ms` (-1 = forever) and dispatches ready handlers, then runs the
  /// after-poll callbacks. `before_wait`/`after_wait` run around the blocking epoll_wait
  /// (the worker releases the GIL there). Returns the number of events dispatched.
  int run_once(int timeout_ms);

  /// Runs `fn` after the current dispatch round (or after the next one when called
  /// outside dispatch). Loop thread only.
  void defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

  /// Monotonic milliseconds, refreshed after every wait.
  int64_t now_ms() const noexcept { return now_ms_; }

  void set_wait_hooks(std::function<void()> before_wait, std::function<void()> after_wait) {
    before_wait_ = std::move(before_wait);
    after_wait_ = std::move(after_wait);
  }

 private:
  base::UniqueFd epfd_;
  std::vector<epoll_event> events_;
  std::vector<std::function<void()>> deferred_;
  std::vector<std::function<void()>> running_;
  std::function<void()> before_wait_;
  std::function<void()> after_wait_;
  int64_t now_ms_ = 0;
};

/// eventfd-based wake-up: any thread calls wake(); the loop thread sees EPOLLIN on fd() and
/// calls drain().
class Waker {
 public:
  Waker();
  int fd() const { return fd_.get(); }
  void wake() noexcept;   // any thread, async-signal-safe
  void drain() noexcept;  // loop thread

 private:
  base::UniqueFd fd_;
};

}  // namespace bastion::event
