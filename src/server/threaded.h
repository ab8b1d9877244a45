// SPDX-License-Identifier: MIT
// --threads N > 1: runs the application on a pool of N threads instead of inline on the loop
// thread. ThreadedHandler wraps the real Handler; each request becomes a job that a pool
// thread drives to completion (start + every pull + destruction of the inner source), so the
// loop thread never waits for the GIL. Results travel back as owned byte buffers through a
// per-request Channel, and the loop is woken with the Waker.
//
// Threading contract:
// - ThreadedHandler::start(), ThreadedSource::pull() and ~ThreadedSource(): loop thread only.
// - The inner Handler and its sources: pool threads only (thread_enter/thread_exit hooks run
//   once per pool thread, e.g. to attach a Python thread state for the thread's whole life).
// - A connection that goes away cancels its job; the pool thread notices at its next step,
//   stops pulling and destroys the inner source (running the iterable's close()) itself.
// No Python here: the hooks are the only link to it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "event/loop.h"
#include "server/handler.h"

namespace bastion::server {

class Channel;

class ThreadedHandler final : public Handler, private event::IoHandler {
 public:
  struct Hooks {
    std::function<void()> thread_enter;  // on each pool thread before its first job
    std::function<void()> thread_exit;   // on each pool thread before it ends
  };

  /// `inner` must outlive this object. Starts `threads` pool threads.
  ThreadedHandler(event::Loop& loop, Handler& inner, int threads, Hooks hooks,
                  size_t high_water);
  /// Stops the pool: waits for running jobs to finish (they were cancelled or completed).
  ~ThreadedHandler() override;

  std::unique_ptr<ResponseSource> start(const RequestInfo& info) override;

  /// Set by the server: called on the loop thread for every connection whose response
  /// has new events. The argument is the opaque `wake_token` given to start().
  void set_ready_callback(std::function<void(uint64_t)> cb) { ready_ = std::move(cb); }

  /// Jobs queued or running (for graceful stop).
  size_t busy() const;

  /// base::now_ms() at which the longest-running call into the inner handler (start() or one
  /// pull()) still in progress began; 0 when no pool thread is inside one. Any thread. The
  /// worker publishes it to the master, whose --timeout bounds it.
  int64_t oldest_call_start_ms() const noexcept;

  // Called by pool threads (via Channel).
  void notify(uint64_t token);

 private:
  void on_io(uint32_t events) override;
  void run_thread(size_t index);

  event::Loop& loop_;
  Handler& inner_;
  Hooks hooks_;
  size_t high_water_;
  event::Waker waker_;
  std::function<void(uint64_t)> ready_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::shared_ptr<Channel>> queue_;
  std::vector<uint64_t> ready_tokens_;
  size_t running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
  std::unique_ptr<std::atomic<int64_t>[]> call_since_;  // per pool thread; 0 = not in a call
  size_t thread_count_ = 0;
};

}  // namespace bastion::server
