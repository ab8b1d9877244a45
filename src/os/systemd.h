// SPDX-License-Identifier: MIT
// systemd integration without libsystemd: socket activation (LISTEN_FDS / LISTEN_PID /
// LISTEN_FDNAMES, sd_listen_fds(3) semantics) and the sd_notify(3) datagram protocol over
// $NOTIFY_SOCKET (filesystem or abstract '@' address). Master main thread only. No HTTP.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace bastion::os {

/// First descriptor systemd passes (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;

struct ActivatedSocket {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES ("" when not given)
};

/// The sockets systemd passed to this process: empty when LISTEN_PID is not our pid or
/// LISTEN_FDS is unset. Marks them close-on-exec and always unsets LISTEN_PID, LISTEN_FDS and
/// LISTEN_FDNAMES so children (workers, anything the app spawns) do not adopt them again.
/// An error when the variables are malformed.
base::Result<std::vector<ActivatedSocket>> take_listen_fds();

/// An sd_notify(3) client. Does nothing when $NOTIFY_SOCKET is unset.
class Notifier {
 public:
  Notifier() = default;
  /// Reads (and unsets) NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID.
  static Notifier from_environment();

  bool enabled() const noexcept { return fd_.valid(); }
  /// Sends one state message ("READY=1\nSTATUS=..."). Never blocks; false on failure.
  bool send(std::string_view state) const;
  /// WATCHDOG_USEC when it applies to this process (WATCHDOG_PID unset or ours), else 0.
  int64_t watchdog_usec() const noexcept { return watchdog_usec_; }
  /// The socket, to close in forked children.
  int fd() const noexcept { return fd_.get(); }

 private:
  base::UniqueFd fd_;
  std::string address_;  // sun_path bytes; a leading '\0' for abstract sockets
  int64_t watchdog_usec_ = 0;
};

}  // namespace bastion::os
