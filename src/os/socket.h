// SPDX-License-Identifier: MIT
// Thin socket wrappers: listeners (TCP v4/v6, unix), accepted-connection setup and address
// formatting. No HTTP, no Python. Any thread; errors are returned, never thrown.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace bastion::os {

/// A socket address with its length (fits IPv4, IPv6 and unix paths).
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

/// Host as text ("127.0.0.1", "::1", "" for unix) and port (0 for unix).
std::string host_of(const SockAddr& addr);
int port_of(const SockAddr& addr);
/// "127.0.0.1:8000", "[::1]:8000" or "unix:/path".
std::string to_string(const SockAddr& addr);

/// Binds and listens on host:port (numeric or resolvable host; "" or "0.0.0.0" = any v4,
/// "::" = any v6 with IPV6_V6ONLY). SO_REUSEADDR always, SO_REUSEPORT when asked. CLOEXEC,
/// blocking mode (workers switch to non-blocking). Error code is errno (EADDRINUSE ...).
base::Result<base::UniqueFd> listen_tcp(const std::string& host, int port, int backlog,
                                        bool reuse_port);
/// Binds and listens on a unix socket path (an existing stale socket file is replaced;
/// any other existing file is an error). Mode follows the process umask.
base::Result<base::UniqueFd> listen_unix(const std::string& path, int backlog);

/// The local address a listener is bound to.
base::Result<SockAddr> local_address(int fd);

bool set_nonblocking(int fd);
bool set_cloexec(int fd, bool on);

/// True for 127.0.0.0/8, ::1, ::ffff:127.x and unix sockets.
bool is_loopback(const SockAddr& addr);

}  // namespace bastion::os
