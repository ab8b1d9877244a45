// SPDX-License-Identifier: MIT
// inotify directory watches filtered to a set of files (see inotify.h).
#include "os/inotify.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bastion::os {

base::Result<FileWatch> FileWatch::open() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return base::make_error(std::string("inotify_init1: ") + strerror(errno));
  FileWatch w;
  w.fd_.reset(fd);
  return w;
}

base::Status FileWatch::add(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return base::make_error("not an absolute file path: " + path);
  }
  std::string dir = path.substr(0, slash);
  if (files_.count(path) != 0) return base::Ok{};
  // One watch per directory (inotify returns the same descriptor for a directory already
  // watched). IN_CLOSE_WRITE: written in place; IN_MOVED_TO/IN_CREATE: saved by rename or
  // re-created; IN_DELETE: removed.
  constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE |
                             IN_ATTRIB;
  int wd = inotify_add_watch(fd_.get(), dir.c_str(), kMask);
  if (wd < 0) return base::make_error("cannot watch " + dir + ": " + strerror(errno));
  dirs_[wd] = dir;
  files_.insert(path);
  return base::Ok{};
}

void FileWatch::read_changes(std::vector<std::string>* changed) {
  alignas(inotify_event) char buf[8192];
  while (true) {
    ssize_t n = read(fd_.get(), buf, sizeof buf);
    if (n <= 0) return;  // EAGAIN: drained
    size_t off = 0;
    while (off + sizeof(inotify_event) <= static_cast<size_t>(n)) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      off += sizeof(inotify_event) + ev->len;
      if (ev->len == 0) continue;
      auto dir = dirs_.find(ev->wd);
      if (dir == dirs_.end()) continue;
      std::string path = dir->second + "/" + ev->name;
      if (files_.count(path) != 0) changed->push_back(std::move(path));
    }
  }
}

}  // namespace bastion::os
