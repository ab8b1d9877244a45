// SPDX-License-Identifier: MIT
// The master's listening sockets, created from the configured binds before any worker is
// forked and inherited by every worker. Master main thread.
#pragma once

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
  base::Status open(const config::Config& config);
  std::vector<int> fds() const;
  /// "http://127.0.0.1:8000", "unix:/run/app.sock" for the startup log.
  std::vector<std::string> describe() const;
  /// True when every listener is loopback or a unix socket.
  bool all_loopback() const;
  /// Closes the sockets (and removes unix socket files we created).
  void close_all();

 private:
  struct Entry {
    base::UniqueFd fd;
    std::string unix_path;
    std::string label;
    bool loopback = false;
  };
  std::vector<Entry> entries_;
};

}  // namespace bastion::process
