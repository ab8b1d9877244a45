// SPDX-License-Identifier: MIT
// Parses one --bind value the way Gunicorn does: HOST:PORT, [V6]:PORT, HOST (port 8000),
// :PORT (all interfaces), tcp://HOST:PORT, unix:PATH, unix://PATH, fd://N. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace bastion::config {

struct Bind {
  enum class Kind { Tcp, Unix, Fd };
  Kind kind = Kind::Tcp;
  std::string host;  // Tcp: "" means all IPv4 interfaces; brackets removed from IPv6
  int port = 8000;   // Tcp
  std::string path;  // Unix
  int fd = -1;       // Fd
};

base::Result<Bind> parse_bind(std::string_view spec);

}  // namespace bastion::config
