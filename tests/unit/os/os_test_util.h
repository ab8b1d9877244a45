// SPDX-License-Identifier: MIT
// Shared helpers for the os unit tests that receive real datagrams (syslog, StatsD): a UDP
// socket bound to 127.0.0.1 on a free port, and one bounded receive. Test-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace bastion::os::test_util {

/// A UDP socket bound to 127.0.0.1 on a port the kernel picks (stored in `*port`); -1 on
/// failure. The caller closes it.
inline int bind_udp_loopback(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sin;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

/// One datagram from `fd`, or "" when none arrives within 2 s.
inline std::string receive(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, 2000) != 1) return "";
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace bastion::os::test_util
