// SPDX-License-Identifier: MIT
// A fully received request body: kept in memory up to a threshold, spooled to an unlinked
// temporary file above it (slow uploads never hold a Python thread). Written by the loop
// thread while the body arrives; read by the application only after it is complete, so it
// needs no locking. No HTTP, no Python.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/buffer.h"
#include "base/unique_fd.h"

namespace bastion::server {

class Body {
 public:
  /// `memory_limit`: bytes kept in memory before spooling; `tmp_dir`: where the spool file
  /// lives ("" = $TMPDIR or /tmp).
  void configure(size_t memory_limit, const std::string* tmp_dir) noexcept {
    memory_limit_ = memory_limit;
    tmp_dir_ = tmp_dir;
  }

  /// Appends received bytes. False when the spool file cannot be written (disk full): the
  /// caller answers 500 and closes.
  bool append(std::string_view data);

  /// A body of `length` bytes is coming: allocate it in memory at once when it will stay there
  /// (no regrowth copies while it arrives).
  void expect(uint64_t length) {
    if (in_memory() && size_ + length <= memory_limit_) mem_.prepare(static_cast<size_t>(length));
  }
  /// Bytes that may still be written in memory with prepare()/commit() (0 once spooled).
  uint64_t memory_room() const noexcept {
    return in_memory() && size_ < memory_limit_ ? memory_limit_ - size_ : 0;
  }
  /// Receiving straight into the body (a socket read without an intermediate buffer): room for
  /// `n` <= memory_room() bytes, then commit(k) for the k bytes actually written.
  char* prepare(size_t n) { return mem_.prepare(n); }
  void commit(size_t n) noexcept {
    mem_.commit(n);
    size_ += n;
  }

  uint64_t size() const noexcept { return size_; }
  bool in_memory() const noexcept { return !file_.valid(); }
  /// The whole body when in_memory().
  std::string_view memory() const noexcept { return mem_.view(); }

  /// Copies up to `n` bytes from `offset` into `dst`; returns bytes copied (0 at the end,
  /// -1 on an I/O error).
  int64_t read_at(uint64_t offset, char* dst, size_t n) const;

  /// Empties the body for the next request, keeping its memory: a connection that uploads
  /// again reuses the pages instead of faulting in fresh ones per request.
  void clear() noexcept;
  /// Frees the memory of an empty body that grew past `keep` bytes (an idle connection's,
  /// see Connection::trim_if_idle()).
  void trim(size_t keep) noexcept { if (size_ == 0) mem_.shrink_if_idle(keep); }

  /// Exchanges contents and settings (hands a received body to a pool thread's job).
  void swap(Body& other) noexcept {
    std::swap(mem_, other.mem_);
    std::swap(file_, other.file_);
    std::swap(size_, other.size_);
    std::swap(memory_limit_, other.memory_limit_);
    std::swap(tmp_dir_, other.tmp_dir_);
  }

 private:
  bool spill();

  base::Buffer mem_;
  base::UniqueFd file_;
  uint64_t size_ = 0;
  size_t memory_limit_ = 1 << 20;
  const std::string* tmp_dir_ = nullptr;
};

}  // namespace bastion::server
