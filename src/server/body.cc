// SPDX-License-Identifier: MIT
#include "server/body.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bastion::server {
namespace {

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool Body::spill() {
  std::string dir;
  if (tmp_dir_ != nullptr && !tmp_dir_->empty()) {
    dir = *tmp_dir_;
  } else if (const char* env = getenv("TMPDIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = "/tmp";
  }
  // O_TMPFILE never has a name, so nothing is left behind if the worker dies.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string templ = dir + "/bastion-body-XXXXXX";
    fd = mkostemp(templ.data(), O_CLOEXEC);
    if (fd < 0) return false;
    unlink(templ.c_str());
  }
  file_.reset(fd);
  std::string_view held = mem_.view();
  if (!write_all(fd, held.data(), held.size())) return false;
  mem_.clear();
  mem_.shrink_if_idle(0);
  return true;
}

bool Body::append(std::string_view data) {
  if (data.empty()) return true;
  if (!file_.valid() && mem_.size() + data.size() > memory_limit_) {
    if (!spill()) return false;
  }
  size_ += data.size();
  if (file_.valid()) return write_all(file_.get(), data.data(), data.size());
  mem_.append(data);
  return true;
}

int64_t Body::read_at(uint64_t offset, char* dst, size_t n) const {
  if (offset >= size_) return 0;
  uint64_t left = size_ - offset;
  if (n > left) n = static_cast<size_t>(left);
  if (!file_.valid()) {
    std::memcpy(dst, mem_.view().data() + offset, n);
    return static_cast<int64_t>(n);
  }
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(file_.get(), dst + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return static_cast<int64_t>(done);
}

void Body::clear() noexcept {
  file_.reset();
  size_ = 0;
  mem_.clear();
}

}  // namespace bastion::server
