// SPDX-License-Identifier: MIT
#include "event/loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/assert.h"
#include "base/clock.h"

namespace bastion::event {

Loop::Loop() : epfd_(epoll_create1(EPOLL_CLOEXEC)), events_(256) {
  BASTION_ASSERT(epfd_.valid());
  now_ms_ = base::now_ms();
}

bool Loop::add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Loop::modify(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_.get(), EPOLL_CTL_MOD, fd, &ev) == 0;
}

void Loop::remove(int fd) { epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

int Loop::run_once(int timeout_ms) {
  // Pending deferred work must not wait for I/O.
  if (!deferred_.empty()) timeout_ms = 0;
  if (before_wait_) before_wait_();
  int n = epoll_wait(epfd_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (after_wait_) after_wait_();
  now_ms_ = base::now_ms();
  if (n < 0) {
    BASTION_ASSERT(errno == EINTR);
    n = 0;
  }
  for (int i = 0; i < n; ++i) {
    auto* handler = static_cast<IoHandler*>(events_[static_cast<size_t>(i)].data.ptr);
    handler->on_io(events_[static_cast<size_t>(i)].events);
  }
  if (static_cast<size_t>(n) == events_.size()) events_.resize(events_.size() * 2);
  // Deferred callbacks may defer more work; that runs on the next round.
  running_.swap(deferred_);
  for (auto& fn : running_) fn();
  running_.clear();
  return n;
}

Waker::Waker() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) { BASTION_ASSERT(fd_.valid()); }

void Waker::wake() noexcept {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(fd_.get(), &one, sizeof one);
}

void Waker::drain() noexcept {
  uint64_t value;
  [[maybe_unused]] ssize_t n = read(fd_.get(), &value, sizeof value);
}

}  // namespace bastion::event
