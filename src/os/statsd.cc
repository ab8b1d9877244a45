// SPDX-License-Identifier: MIT
// The StatsD client (see statsd.h).
#include "os/statsd.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace bastion::os {
namespace {

int open_udp(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

int open_unix_dgram(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) return -1;
  std::memcpy(sun.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof sun) != 0) {
    ::close(fd);
    fd = -1;
  }
  return fd;
}

}  // namespace

base::Status StatsdClient::parse_address(std::string_view text, Options* options) {
  if (text.substr(0, 7) == "unix://") {
    if (text.size() == 7) return base::make_error("'" + std::string(text) + "' names no path");
    options->path = std::string(text.substr(7));
    options->host.clear();
    return base::Ok{};
  }
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return base::make_error("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size() && text[close + 1] == ':') port = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos) {
    return base::make_error("'" + std::string(text) + "' is not HOST:PORT or unix://PATH");
  }
  options->host = std::string(host);
  options->port = std::stoi(std::string(port));
  options->path.clear();
  return base::Ok{};
}

std::string StatsdClient::normalize_prefix(std::string_view prefix) {
  // Gunicorn: re.sub(r"^(.+[^.]+)\.*$", "\g<1>.", prefix): a non-trivial prefix ends in
  // exactly one dot.
  std::string p(prefix);
  size_t end = p.find_last_not_of('.');
  if (end == std::string::npos || end == 0) return p;
  p.resize(end + 1);
  return p + ".";
}

StatsdClient& StatsdClient::process() {
  static StatsdClient client;
  return client;
}

void StatsdClient::configure(Options options) {
  std::lock_guard lock(mu_);
  options.prefix = normalize_prefix(options.prefix);
  options_ = std::move(options);
  fd_ = -1;
  owner_ = 0;
  enabled_.store(true);
}

std::string StatsdClient::packet(std::string_view name, std::string_view value,
                                 std::string_view type) const {
  std::string out;
  out.reserve(options_.prefix.size() + name.size() + value.size() + type.size() +
              options_.tags.size() + 8);
  out += options_.prefix;
  out += name;
  out += ':';
  out += value;
  out += '|';
  out += type;
  if (!options_.tags.empty()) {
    out += "|#";
    out += options_.tags;
  }
  return out;
}

void StatsdClient::increment(std::string_view name, int64_t value) {
  if (!enabled()) return;
  send(packet(name, std::to_string(value), "c|@1.0"));
}

void StatsdClient::gauge(std::string_view name, int64_t value) {
  if (!enabled()) return;
  send(packet(name, std::to_string(value), "g"));
}

void StatsdClient::histogram(std::string_view name, int64_t value) {
  if (!enabled()) return;
  send(packet(name, std::to_string(value), "h"));
}

void StatsdClient::timing_us(std::string_view name, int64_t microseconds) {
  if (!enabled()) return;
  if (microseconds < 0) microseconds = 0;
  char ms[32];
  std::snprintf(ms, sizeof ms, "%lld.%03lld", static_cast<long long>(microseconds / 1000),
                static_cast<long long>(microseconds % 1000));
  send(packet(name, ms, "ms"));
}

void StatsdClient::request_done(int status, int64_t duration_us) {
  if (!enabled()) return;
  timing_us("gunicorn.request.duration", duration_us);
  increment("gunicorn.requests");
  char name[48];
  std::snprintf(name, sizeof name, "gunicorn.request.status.%d", status);
  increment(name);
}

void StatsdClient::send(const std::string& packet) {
  std::lock_guard lock(mu_);
  pid_t me = getpid();
  if (fd_ < 0 || owner_ != me) {
    // First use in this process (the master's socket is left to the master after a fork).
    if (owner_ == me) return;  // this process already failed to open one
    owner_ = me;
    fd_ = options_.path.empty() ? open_udp(options_.host, options_.port)
                                : open_unix_dgram(options_.path);
    if (fd_ < 0) return;
  }
  [[maybe_unused]] ssize_t n =
      ::send(fd_, packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace bastion::os
