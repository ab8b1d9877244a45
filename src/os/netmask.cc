// SPDX-License-Identifier: MIT
#include "os/netmask.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>
#include <cstring>

namespace bastion::os {
namespace {

void v4_to_mapped(const in_addr& in, uint8_t out[16]) {
  std::memset(out, 0, 10);
  out[10] = out[11] = 0xff;
  std::memcpy(out + 12, &in, 4);
}

bool to_bytes(const SockAddr& addr, uint8_t out[16]) {
  if (addr.family() == AF_INET) {
    v4_to_mapped(reinterpret_cast<const sockaddr_in*>(&addr.storage)->sin_addr, out);
    return true;
  }
  if (addr.family() == AF_INET6) {
    std::memcpy(out, &reinterpret_cast<const sockaddr_in6*>(&addr.storage)->sin6_addr, 16);
    return true;
  }
  return false;
}

}  // namespace

base::Result<NetList> NetList::parse(const std::vector<std::string>& entries) {
  NetList list;
  for (const std::string& raw : entries) {
    std::string entry = raw;
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.pop_back();
    size_t start = entry.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    entry = entry.substr(start);
    if (entry == "*") {
      list.any_ = true;
      continue;
    }
    std::string host = entry;
    int prefix = -1;
    if (size_t slash = entry.find('/'); slash != std::string::npos) {
      host = entry.substr(0, slash);
      char* end = nullptr;
      long bits = strtol(entry.c_str() + slash + 1, &end, 10);
      if (end == entry.c_str() + slash + 1 || *end != '\0' || bits < 0 || bits > 128) {
        return base::Error{"invalid network '" + raw + "': bad prefix length"};
      }
      prefix = static_cast<int>(bits);
    }
    Net net{};
    in_addr v4;
    in6_addr v6;
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
      if (prefix > 32) return base::Error{"invalid network '" + raw + "': prefix over 32"};
      v4_to_mapped(v4, net.bytes);
      net.prefix = 96 + (prefix < 0 ? 32 : prefix);
    } else if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
      std::memcpy(net.bytes, &v6, 16);
      net.prefix = prefix < 0 ? 128 : prefix;
    } else {
      return base::Error{"invalid address '" + raw + "' (expected an IP, a CIDR block or *)"};
    }
    list.nets_.push_back(net);
  }
  return list;
}

bool NetList::contains(const SockAddr& addr) const noexcept {
  if (any_ || addr.family() == AF_UNIX) return true;
  uint8_t bytes[16];
  if (!to_bytes(addr, bytes)) return false;
  for (const Net& net : nets_) {
    int full = net.prefix / 8;
    int rest = net.prefix % 8;
    if (std::memcmp(bytes, net.bytes, static_cast<size_t>(full)) != 0) continue;
    if (rest != 0) {
      auto mask = static_cast<uint8_t>(0xff << (8 - rest));
      if ((bytes[full] & mask) != (net.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

}  // namespace bastion::os
