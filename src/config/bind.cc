// SPDX-License-Identifier: MIT
// --bind parsing. Mirrors Gunicorn's util.parse_address (its prefixes, default port and the
// empty-host case) but rejects at start what Gunicorn would only fail on when binding.
#include "config/bind.h"

#include <arpa/inet.h>

#include <cctype>

namespace bastion::config {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool parse_port(std::string_view text, int* out) {
  if (text.empty() || text.size() > 5) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  *out = v;
  return true;
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

base::Result<Bind> parse_tcp(std::string_view spec, std::string_view netloc) {
  Bind bind;
  std::string_view host = netloc;
  std::string_view port_text;
  bool has_port = false;
  if (!netloc.empty() && netloc.front() == '[') {
    size_t close = netloc.find(']');
    if (close == std::string_view::npos) {
      return base::make_error(quoted(spec) + ": missing ']' after the IPv6 address");
    }
    host = netloc.substr(1, close - 1);
    std::string_view rest = netloc.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return base::make_error(quoted(spec) + ": expected ':PORT' after ']'");
      }
      port_text = rest.substr(1);
      has_port = true;
    }
    in6_addr v6;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) != 1) {
      return base::make_error(quoted(spec) + ": " + quoted(host) + " is not an IPv6 address");
    }
  } else {
    size_t colon = netloc.find(':');
    if (colon != std::string_view::npos) {
      if (netloc.find(':', colon + 1) != std::string_view::npos) {
        return base::make_error(quoted(spec) +
                                ": IPv6 addresses need brackets, as in [::1]:8000");
      }
      host = netloc.substr(0, colon);
      port_text = netloc.substr(colon + 1);
      has_port = true;
    }
    if (host == "*") {
      return base::make_error(quoted(spec) +
                              ": use 0.0.0.0 (all IPv4) or [::] (all IPv6), not *");
    }
    if (!host.empty() && !valid_host_name(host)) {
      return base::make_error(quoted(spec) + ": " + quoted(host) +
                              " is not a host name or IP address");
    }
  }
  bind.host = host.empty() ? "0.0.0.0" : lower(host);
  if (has_port && !parse_port(port_text, &bind.port)) {
    return base::make_error(quoted(spec) + ": " + quoted(port_text) +
                            " is not a valid port number (0-65535)");
  }
  return bind;
}

}  // namespace

bool Bind::is_loopback() const {
  if (kind != Kind::Tcp) return true;
  if (host == "localhost" || host == "::1") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

std::string Bind::to_string() const {
  switch (kind) {
    case Kind::Unix: return "unix:" + path;
    case Kind::Fd: return "fd://" + std::to_string(fd);
    case Kind::Tcp: break;
  }
  if (is_ipv6()) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

base::Result<Bind> parse_bind(std::string_view spec) {
  if (spec.empty()) return base::make_error("empty bind address (expected HOST:PORT)");
  for (char c : spec) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
      return base::make_error(quoted(spec) + ": whitespace in a bind address");
    }
  }
  if (spec.substr(0, 5) == "unix:") {
    std::string_view path = spec.substr(5);
    if (path.substr(0, 2) == "//") path = path.substr(2);
    if (path.empty()) return base::make_error(quoted(spec) + ": the unix socket path is empty");
    Bind bind;
    bind.kind = Bind::Kind::Unix;
    bind.path = std::string(path);
    return bind;
  }
  if (spec.substr(0, 5) == "fd://") {
    std::string_view digits = spec.substr(5);
    int fd = 0;
    bool ok = !digits.empty() && digits.size() <= 9;
    for (char c : digits) {
      if (c < '0' || c > '9') ok = false;
      else fd = fd * 10 + (c - '0');
    }
    if (!ok) {
      return base::make_error(quoted(spec) + ": " + quoted(digits) +
                              " is not a valid file descriptor");
    }
    Bind bind;
    bind.kind = Bind::Kind::Fd;
    bind.fd = fd;
    return bind;
  }
  std::string_view netloc = spec;
  if (netloc.substr(0, 6) == "tcp://") {
    netloc = netloc.substr(6);
  } else if (netloc.find("://") != std::string_view::npos) {
    return base::make_error(quoted(spec) +
                            ": expected HOST:PORT, unix:PATH or fd://N (not a URL)");
  }
  return parse_tcp(spec, netloc);
}

}  // namespace bastion::config
