// SPDX-License-Identifier: MIT
// The syslog client (see syslog.h). No Python, no event loop: plain non-blocking sends.
#include "os/syslog.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bastion::os {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

/// Connects `fd` within `timeout_ms` (the socket is non-blocking). True on success.
bool connect_within(int fd, const sockaddr* addr, socklen_t len, int timeout_ms) {
  if (::connect(fd, addr, len) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd pfd{fd, POLLOUT, 0};
  if (poll(&pfd, 1, timeout_ms) != 1) return false;
  int err = 0;
  socklen_t err_len = sizeof err;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0;
}

int open_inet(const SyslogAddr& a, int type) {
  addrinfo hints{};
  hints.ai_socktype = type;
  addrinfo* res = nullptr;
  std::string port = std::to_string(a.port);
  if (getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (!connect_within(fd, ai->ai_addr, ai->ai_addrlen, 1000)) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

int open_unix(const std::string& path, int type) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) return -1;
  std::memcpy(sun.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (!connect_within(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof sun, 1000)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

base::Result<SyslogAddr> parse_syslog_addr(std::string_view text) {
  SyslogAddr a;
  if (text.substr(0, 7) == "unix://") {
    a.kind = SyslogAddr::Kind::Unix;
    std::string_view rest = text.substr(7);
    size_t hash = rest.find('#');
    if (hash != std::string_view::npos) {
      std::string_view type = rest.substr(hash + 1);
      if (type == "dgram") {
        a.unix_type = SOCK_DGRAM;
      } else if (type == "stream") {
        a.unix_type = SOCK_STREAM;
      } else {
        return base::make_error(quoted(text) + ": the socket type after '#' must be dgram or "
                                "stream");
      }
      rest = rest.substr(0, hash);
    }
    if (rest.empty()) return base::make_error(quoted(text) + " names no socket path");
    a.path = std::string(rest);
    return a;
  }
  std::string_view rest;
  if (text.substr(0, 6) == "udp://") {
    a.kind = SyslogAddr::Kind::Udp;
    rest = text.substr(6);
  } else if (text.substr(0, 6) == "tcp://") {
    a.kind = SyslogAddr::Kind::Tcp;
    rest = text.substr(6);
  } else {
    return base::make_error(quoted(text) + " is not a syslog address: use udp://HOST:PORT, "
                            "tcp://HOST:PORT or unix://PATH");
  }
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return base::make_error(quoted(text) + ": missing ']'");
    a.host = lower(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() == ':') port = after.substr(1);
  } else {
    size_t colon = rest.find(':');
    a.host = lower(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (a.host.empty()) a.host = "localhost";
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) > 65535) {
      return base::make_error(quoted(port) + " is not a valid port number");
    }
    a.port = std::stoi(std::string(port));
  }
  return a;
}

int syslog_facility_code(std::string_view name) {
  static constexpr struct {
    const char* name;
    int code;
  } kFacilities[] = {
      {"auth", 4},    {"authpriv", 10}, {"cron", 9},    {"daemon", 3},  {"ftp", 11},
      {"kern", 0},    {"lpr", 6},       {"mail", 2},    {"news", 7},    {"security", 4},
      {"syslog", 5},  {"user", 1},      {"uucp", 8},    {"local0", 16}, {"local1", 17},
      {"local2", 18}, {"local3", 19},   {"local4", 20}, {"local5", 21}, {"local6", 22},
      {"local7", 23}};
  for (const auto& f : kFacilities) {
    if (name.size() == std::strlen(f.name) && strncasecmp(name.data(), f.name, name.size()) == 0)
      return f.code;
  }
  return -1;
}

int syslog_severity(base::LogLevel level) {
  switch (level) {
    case base::LogLevel::Critical: return 2;
    case base::LogLevel::Error: return 3;
    case base::LogLevel::Warning: return 4;
    case base::LogLevel::Info: return 6;
    case base::LogLevel::Debug: return 7;
  }
  return 6;
}

std::string format_syslog(int facility, int severity, std::time_t when, std::string_view tag,
                          pid_t pid, std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::tm tm_now{};
  localtime_r(&when, &tm_now);
  char stamp[32];
  // RFC 3164: "Mmm dd hh:mm:ss" with the day space-padded; the C locale month names.
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(stamp, sizeof stamp, "%s %2d %02d:%02d:%02d", kMonths[tm_now.tm_mon % 12],
                tm_now.tm_mday, tm_now.tm_hour, tm_now.tm_min, tm_now.tm_sec);
  std::string out = "<" + std::to_string(facility * 8 + severity) + ">" + stamp + " ";
  out.append(tag);
  out += ": [" + std::to_string(static_cast<int>(pid)) + "] ";
  out.append(text);
  return out;
}

SyslogSink& SyslogSink::process() {
  static SyslogSink sink;
  return sink;
}

void SyslogSink::configure(Options options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  retry_after_ = 0;
  enabled_ = true;
}

void SyslogSink::send_error(base::LogLevel level, std::string_view text) {
  send(syslog_severity(level), "error", text);
}

void SyslogSink::send_access(std::string_view line) {
  if (options_.access) send(6, "access", line);
}

bool SyslogSink::connect_locked() {
  pid_t me = getpid();
  if (fd_ >= 0 && owner_ == me) return true;
  // After a fork the inherited socket belongs to the parent: leave it open (the parent still
  // uses it) and make our own, so stream messages from two processes never interleave.
  fd_ = -1;
  owner_ = me;
  std::time_t now = std::time(nullptr);
  if (now < retry_after_) return false;
  const SyslogAddr& a = options_.addr;
  switch (a.kind) {
    case SyslogAddr::Kind::Udp: fd_ = open_inet(a, SOCK_DGRAM); fd_type_ = SOCK_DGRAM; break;
    case SyslogAddr::Kind::Tcp: fd_ = open_inet(a, SOCK_STREAM); fd_type_ = SOCK_STREAM; break;
    case SyslogAddr::Kind::Unix:
      fd_type_ = a.unix_type != 0 ? a.unix_type : SOCK_DGRAM;
      fd_ = open_unix(a.path, fd_type_);
      if (fd_ < 0 && a.unix_type == 0) {
        fd_type_ = SOCK_STREAM;
        fd_ = open_unix(a.path, fd_type_);
      }
      break;
  }
  if (fd_ < 0) retry_after_ = now + 1;
  return fd_ >= 0;
}

void SyslogSink::send(int severity, std::string_view tag_suffix, std::string_view text) {
  if (!enabled_) return;
  std::string tag = options_.tag_base + "." + std::string(tag_suffix);
  std::string msg = format_syslog(options_.facility, severity, std::time(nullptr), tag, getpid(), text);
  std::lock_guard lock(mu_);
  if (!connect_locked()) return;
  if (fd_type_ == SOCK_STREAM) msg.push_back('\n');  // non-transparent framing (RFC 6587)
  ssize_t n = ::send(fd_, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  bool udp = options_.addr.kind == SyslogAddr::Kind::Udp;
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !(udp && errno == ECONNREFUSED)) {
    // The collector went away (a restarted syslogd, a closed TCP peer): reconnect later. A
    // UDP "connection refused" is only an ICMP echo of an earlier datagram: keep the socket.
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace bastion::os
