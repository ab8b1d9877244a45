// SPDX-License-Identifier: MIT
// A growable byte buffer with a consumed prefix: readers take bytes from the front, writers
// append at the back without zero-filling. No dependencies. Single owner, not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace bastion::base {

class Buffer {
 public:
  /// The first allocation (at least); it doubles as needed.
  static constexpr size_t kFirstCapacity = 16384;

  /// Unread bytes.
  std::string_view view() const noexcept { return {data_.get() + pos_, len_ - pos_}; }
  size_t size() const noexcept { return len_ - pos_; }
  bool empty() const noexcept { return len_ == pos_; }

  /// Returns a pointer to at least `n` writable bytes at the end (compacting or growing);
  /// follow with commit(k) for the k bytes actually written.
  char* prepare(size_t n) {
    if (cap_ - len_ < n) make_room(n);
    return data_.get() + len_;
  }
  size_t writable() const noexcept { return cap_ - len_; }
  void commit(size_t n) noexcept { len_ += n; }

  void append(std::string_view s) {
    if (s.empty()) return;  // memcpy from a null view's data() is undefined even for 0 bytes
    std::memcpy(prepare(s.size()), s.data(), s.size());
    commit(s.size());
  }

  /// Drops `n` bytes from the front.
  void consume(size_t n) noexcept {
    pos_ += n;
    if (pos_ == len_) pos_ = len_ = 0;
  }
  void clear() noexcept { pos_ = len_ = 0; }

  /// Frees the storage when it grew past `keep` bytes and is empty (idle connections stay small).
  void shrink_if_idle(size_t keep) noexcept {
    if (empty() && cap_ > keep) {
      data_.reset();
      cap_ = 0;
    }
  }

 private:
  void make_room(size_t n) {
    size_t used = len_ - pos_;
    if (pos_ > 0 && cap_ - used >= n) {
      std::memmove(data_.get(), data_.get() + pos_, used);
    } else {
      size_t want = cap_ == 0 ? kFirstCapacity : cap_ * 2;
      while (want - used < n) want *= 2;
      std::unique_ptr<char[]> fresh(new char[want]);
      if (used > 0) std::memcpy(fresh.get(), data_.get() + pos_, used);
      data_ = std::move(fresh);
      cap_ = want;
    }
    pos_ = 0;
    len_ = used;
  }

  std::unique_ptr<char[]> data_;
  size_t pos_ = 0;
  size_t len_ = 0;
  size_t cap_ = 0;
};

}  // namespace bastion::base
