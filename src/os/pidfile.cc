// SPDX-License-Identifier: MIT
#include "os/pidfile.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/exit_codes.h"

namespace bastion::os {
namespace {

/// True when `pid` is alive and looks like a bastion process. Processes we may not inspect
/// (another user's, EPERM) count as live bastion masters: refusing is the safe mistake.
bool held_by_live_master(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!cmd) return true;
  std::stringstream text;
  text << cmd.rdbuf();
  // The master's title is "bastion: master [...]"; before it is set, argv[0] names the binary.
  return text.str().find("bastion") != std::string::npos;
}

}  // namespace

pid_t read_pidfile(const std::string& path) {
  std::ifstream in(path);
  long value = 0;
  if (!(in >> value) || value <= 0 || value > 0x3fffffff) return 0;
  return static_cast<pid_t>(value);
}

base::Status Pidfile::create(const std::string& path, pid_t pid) {
  pid_t other = read_pidfile(path);
  if (other != 0 && other != pid && held_by_live_master(other)) {
    return base::Error{"pidfile " + path + " is held by a running master (pid " +
                           std::to_string(other) + "); stop it first or use another --pid",
                       base::kExitPidfile};
  }
  // Write a temporary file next to the target and rename it over: readers never see a
  // half-written pid, and a stale file is replaced in one step.
  std::string tmp = path + ".tmp." + std::to_string(pid);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return base::Error{"cannot write pidfile " + path + ": " + strerror(errno), base::kExitFailure};
  }
  fchmod(fd, 0644);  // independent of --umask and the process umask
  std::string text = std::to_string(pid) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return base::Error{"cannot write pidfile " + path + ": " + strerror(err), base::kExitFailure};
  }
  path_ = path;
  pid_ = pid;
  return base::Ok{};
}

void Pidfile::remove() noexcept {
  if (path_.empty()) return;
  if (read_pidfile(path_) == pid_) ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace bastion::os
