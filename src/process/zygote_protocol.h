// SPDX-License-Identifier: MIT
// The --preload zygote's wire protocol, shared by the master's handle (process/zygote.cc) and
// the zygote process (worker/zygote_process.cc). One fixed-size Message per SOCK_SEQPACKET
// packet:
//   zygote -> master  kReady                once the application is imported and inspected
//   master -> zygote  kFork {slot, age, multiprocess}
//   zygote -> master  kForked {slot, pid}   or {slot, pid = -errno} when the fork failed
// Both ends are single-threaded; the functions keep errno from the failed call.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>

namespace bastion::process::zygote_protocol {

enum MessageType : int32_t { kReady = 1, kFork = 2, kForked = 3 };

struct Message {
  int32_t type = 0;
  int32_t slot = -1;
  int32_t age = 0;
  int32_t multiprocess = 0;
  int32_t pid = 0;  // kForked: the worker's pid, or -errno
};

inline bool send_message(int fd, const Message& m) {
  return send(fd, &m, sizeof m, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof m);
}

/// Reads one message; 1 = got one, 0 = none pending (EAGAIN), -1 = channel closed or broken.
inline int recv_message(int fd, Message* m, bool wait) {
  ssize_t n = recv(fd, m, sizeof *m, wait ? 0 : MSG_DONTWAIT);
  if (n == static_cast<ssize_t>(sizeof *m)) return 1;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  return -1;
}

}  // namespace bastion::process::zygote_protocol
