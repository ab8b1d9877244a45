// SPDX-License-Identifier: MIT
// A syslog client: Gunicorn's --log-syslog addresses (udp://HOST:PORT, tcp://HOST:PORT,
// unix://PATH[#dgram|#stream]) and facility names, and RFC 3164-style messages
// "<PRI>Mmm dd hh:mm:ss TAG: [PID] TEXT" sent without blocking. Depends on base only; no
// Python. One process-wide instance (SyslogSink::process()) is opened by the master before
// workers fork; every process re-creates its own socket on first use after a fork.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <mutex>
#include <string>
#include <string_view>

#include "base/log.h"
#include "base/result.h"

namespace bastion::os {

/// A parsed syslog address.
struct SyslogAddr {
  enum class Kind { Udp, Tcp, Unix };
  Kind kind = Kind::Udp;
  std::string host;     ///< Udp/Tcp: lowercased host; "" in the address means "localhost".
  int port = 514;       ///< Udp/Tcp.
  std::string path;     ///< Unix.
  int unix_type = 0;    ///< Unix: SOCK_DGRAM, SOCK_STREAM, or 0 = try datagram, then stream
                        ///< (Python's SysLogHandler does the same when no #type is given).
};

/// Parses an address as Gunicorn does; an error names the value ("'x' is not ...").
base::Result<SyslogAddr> parse_syslog_addr(std::string_view text);

/// The facility code (0..23) for a name ("user", "local0", "daemon", ..., any case), or -1.
int syslog_facility_code(std::string_view name);

/// RFC 5424 severity for an error-log level (CRITICAL 2, ERROR 3, WARNING 4, INFO 6, DEBUG 7).
int syslog_severity(base::LogLevel level);

/// One message: "<PRI>Mmm dd hh:mm:ss TAG: [PID] TEXT" with PRI = facility*8 + severity and
/// the local time `when`. Trailing newlines of `text` are dropped. Pure.
std::string format_syslog(int facility, int severity, std::time_t when, std::string_view tag,
                          pid_t pid, std::string_view text);

/// The process-wide sender. Thread-safe: send() may be called from any thread (it takes a
/// mutex; datagrams go out with MSG_DONTWAIT and are dropped when the socket is full).
class SyslogSink {
 public:
  struct Options {
    SyslogAddr addr;
    int facility = 1;       ///< user
    std::string tag_base;   ///< "gunicorn.<prefix>": messages are tagged "<tag_base>.error"
                            ///< or "<tag_base>.access", as Gunicorn tags them.
    bool access = true;     ///< Also the access log (false: disable_redirect_access_to_syslog).
  };

  /// The instance the logging paths use; disabled until configure().
  static SyslogSink& process();

  /// Enables the sink. The socket itself is created lazily on the first send (per process).
  void configure(Options options);
  bool enabled() const noexcept { return enabled_; }
  bool access_enabled() const noexcept { return enabled_ && options_.access; }

  /// Sends one error-log message ("error" tag) at `level`'s severity.
  void send_error(base::LogLevel level, std::string_view text);
  /// Sends one access-log line ("access" tag) at INFO severity.
  void send_access(std::string_view line);

 private:
  void send(int severity, std::string_view tag_suffix, std::string_view text);
  bool connect_locked();

  bool enabled_ = false;
  Options options_;
  std::mutex mu_;
  int fd_ = -1;
  int fd_type_ = 0;
  pid_t owner_ = 0;            ///< The process that created fd_.
  std::time_t retry_after_ = 0;  ///< After a failed connect, wait before trying again.
};

}  // namespace bastion::os
