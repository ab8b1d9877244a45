// SPDX-License-Identifier: MIT
#include "config/bind.h"

#include <charconv>

namespace bastion::config {
namespace {

bool parse_int(std::string_view text, int lo, int hi, int* out) {
  if (text.empty()) return false;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < lo || value > hi) return false;
  *out = value;
  return true;
}

base::Error bad(std::string_view spec, const char* why) {
  return base::Error{"invalid bind '" + std::string(spec) + "': " + why +
                     " (expected HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N)"};
}

}  // namespace

base::Result<Bind> parse_bind(std::string_view spec) {
  Bind bind;
  std::string_view s = spec;
  if (s.empty()) return bad(spec, "empty value");
  if (s.substr(0, 7) == "unix://" || s.substr(0, 5) == "unix:") {
    bind.kind = Bind::Kind::Unix;
    bind.path = std::string(s.substr(s.substr(0, 7) == "unix://" ? 7 : 5));
    if (bind.path.empty()) return bad(spec, "missing socket path");
    return bind;
  }
  if (s.substr(0, 5) == "fd://") {
    bind.kind = Bind::Kind::Fd;
    if (!parse_int(s.substr(5), 0, 1 << 20, &bind.fd)) return bad(spec, "fd must be a number");
    return bind;
  }
  if (s.substr(0, 6) == "tcp://") s.remove_prefix(6);
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return bad(spec, "missing ']'");
    bind.host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return bind;
    if (rest.front() != ':' || !parse_int(rest.substr(1), 0, 65535, &bind.port))
      return bad(spec, "port must be 0-65535");
    return bind;
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    bind.host = std::string(s);
    return bind;
  }
  if (s.find(':') != colon) return bad(spec, "IPv6 addresses must be in brackets");
  bind.host = std::string(s.substr(0, colon));
  if (!parse_int(s.substr(colon + 1), 0, 65535, &bind.port)) return bad(spec, "port must be 0-65535");
  if (bind.host.empty()) bind.host = "0.0.0.0";
  return bind;
}

}  // namespace bastion::config
