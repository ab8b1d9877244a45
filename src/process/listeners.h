// SPDX-License-Identifier: MIT
// The master's listening sockets, created from the configured binds (or adopted from systemd
// socket activation) before any worker is forked, and inherited by every worker. One shared
// socket per address: every worker accepts from the same queue (EPOLLEXCLUSIVE wakes one idle
// worker per connection), so a retiring worker never strands connections in a queue of its
// own. Master main thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "config/config.h"

namespace bastion::process {

class Listeners {
 public:
  /// Binds every `config.bind` entry. The error's code is an exit status
  /// (kExitAddressInUse for EADDRINUSE, kExitUsage for a malformed bind, else kExitFailure).
  /// With `reuse`, an address already bound there (same bind text) is moved over instead of
  /// bound again (HUP with a changed bind list).
  base::Status open(const config::Config& config, Listeners* reuse = nullptr);
  /// Adopts sockets passed by systemd (LISTEN_FDS) instead of binding `config.bind`. Returns
  /// false (and adopts nothing) when the process was not socket-activated.
  base::Result<bool> adopt_systemd();
  /// True when the sockets came from systemd (never unlinked, not re-bound on reload).
  bool from_systemd() const noexcept { return systemd_; }
  /// Gives unix socket files to the workers' user (when running as root and switching).
  void chown_unix(uid_t uid, gid_t gid) const;
  bool empty() const noexcept { return entries_.empty(); }
  /// Moves every socket of `other` into this set.
  void take_from(Listeners& other);
  std::vector<int> fds() const;
  /// "http://127.0.0.1:8000", "unix:/run/app.sock" for the startup log.
  std::vector<std::string> describe() const;
  /// True when every listener is loopback or a unix socket.
  bool all_loopback() const;
  /// Closes the sockets (and removes unix socket files we created).
  void close_all();
  /// From now on close_all() leaves the unix socket files in place (a newer master started by
  /// USR2 serves on them).
  void keep_files() noexcept;

 private:
  struct Entry {
    base::UniqueFd fd;
    std::string unix_path;
    std::string label;
    std::string spec;  // the --bind text it came from
    bool loopback = false;
  };
  std::vector<Entry> entries_;
  bool systemd_ = false;
};

}  // namespace bastion::process
