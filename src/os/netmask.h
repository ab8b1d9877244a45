// SPDX-License-Identifier: MIT
// A list of trusted peers for --forwarded-allow-ips: addresses, CIDR blocks or "*".
// Unix-socket peers always match (Gunicorn does the same). Immutable after parse; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "os/socket.h"

namespace bastion::os {

class NetList {
 public:
  /// Parses entries like "127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8", "*".
  static base::Result<NetList> parse(const std::vector<std::string>& entries);
  bool contains(const SockAddr& addr) const noexcept;
  bool any() const noexcept { return any_; }

 private:
  struct Net {
    uint8_t bytes[16];  // IPv4 stored as ::ffff:a.b.c.d
    int prefix;         // bits, in the 128-bit space
  };
  std::vector<Net> nets_;
  bool any_ = false;
};

}  // namespace bastion::os
