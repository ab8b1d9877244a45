// SPDX-License-Identifier: MIT
// The master's pidfile (-p/--pid): written atomically after the listeners are bound, refused
// while another live bastion master holds it, replaced when stale, removed on exit.
// Master main thread only. No HTTP, no Python.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"

namespace bastion::os {

class Pidfile {
 public:
  Pidfile() = default;
  Pidfile(const Pidfile&) = delete;
  Pidfile& operator=(const Pidfile&) = delete;
  /// Removes the file if it still names this process.
  ~Pidfile() { remove(); }

  /// Writes `pid` to `path` (temp file + rename, mode 0644). Fails with code kExitPidfile
  /// when the file names another live bastion process, or kExitFailure when it cannot be
  /// written. A file naming a dead process (or an unrelated one, after pid reuse) is replaced.
  base::Status create(const std::string& path, pid_t pid);
  /// Deletes the file if it still holds our pid (a newer master may have replaced it).
  void remove() noexcept;
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  pid_t pid_ = 0;
};

/// The pid stored in a pidfile, or 0 when it is missing or unreadable.
pid_t read_pidfile(const std::string& path);

}  // namespace bastion::os
