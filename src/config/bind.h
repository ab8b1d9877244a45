// SPDX-License-Identifier: MIT
// The --bind address syntax (Gunicorn's): HOST:PORT, [V6]:PORT, bare HOST (port 8000),
// bare :PORT (all IPv4 interfaces), tcp://HOST:PORT, unix:PATH, unix://PATH and fd://N.
// Pure parsing: no sockets are created here and no names are resolved. Any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace bastion::config {

/// The port used when a bind address names only a host ("127.0.0.1" means 127.0.0.1:8000).
inline constexpr int kDefaultBindPort = 8000;

/// One listening address, ready for the server to create a listener from.
struct Bind {
  enum class Kind { Tcp, Unix, Fd };

  Kind kind = Kind::Tcp;
  /// Tcp: an IPv4/IPv6 literal (without brackets) or a host name, lowercased. An empty host
  /// (":8000") becomes "0.0.0.0", as Gunicorn binds it.
  std::string host;
  int port = kDefaultBindPort;  ///< Tcp: 0..65535.
  std::string path;             ///< Unix: the socket path as given (may be relative).
  int fd = -1;                  ///< Fd: an inherited, already listening descriptor.

  bool is_ipv6() const { return kind == Kind::Tcp && host.find(':') != std::string::npos; }
  /// True for unix sockets, inherited fds, 127.0.0.0/8, ::1 and "localhost".
  bool is_loopback() const;
  /// Canonical text: "127.0.0.1:8000", "[::1]:8000", "unix:/run/app.sock", "fd://3".
  std::string to_string() const;
};

/// Parses one --bind value. Errors are one line naming the value and what is wrong, e.g.
/// "'::1:8000': IPv6 addresses need brackets, as in [::1]:8000".
base::Result<Bind> parse_bind(std::string_view spec);

}  // namespace bastion::config
