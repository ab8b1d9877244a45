// SPDX-License-Identifier: MIT
// A thin inotify wrapper for --reload: watches the directories that hold a set of files and
// reports which of those files were written, replaced (editors that save by rename), created
// or removed. No HTTP, no Python. One owning thread; not thread-safe.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace bastion::os {

class FileWatch {
 public:
  /// Opens a non-blocking, close-on-exec inotify instance. Error: inotify_init1's errno text.
  static base::Result<FileWatch> open();

  /// Watches `path` (an absolute file path): its directory is watched and events are
  /// filtered to this name. Error: the directory cannot be watched (gone, no permission,
  /// out of inotify watches).
  base::Status add(const std::string& path);
  /// The descriptor to poll for readability.
  int fd() const noexcept { return fd_.get(); }
  /// Number of files watched.
  size_t size() const noexcept { return files_.size(); }
  /// Drains the pending events and appends each watched file that changed to `changed`
  /// (possibly several times). Never blocks.
  void read_changes(std::vector<std::string>* changed);

 private:
  base::UniqueFd fd_;
  std::unordered_map<int, std::string> dirs_;  // watch descriptor -> directory
  std::set<std::string> files_;
};

}  // namespace bastion::os
