// SPDX-License-Identifier: MIT
// The access log: Gunicorn's format language (%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s
// "%(f)s" "%(a)s" by default) compiled once into atoms, one line written per request with a
// single write(2). Loop thread only (one AccessLog per worker). No Python.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "os/socket.h"
#include "os/statsd.h"
#include "os/syslog.h"

namespace bastion::server {

class ResponseSource;

/// What the connection knows about one finished request.
struct AccessRecord {
  const http::RequestHead* head = nullptr;
  const os::SockAddr* peer = nullptr;
  int status = 0;
  uint64_t body_bytes = 0;            // response body bytes sent
  int64_t duration_us = 0;
  std::string_view response_fields;   // the app's "Name: value\r\n" lines
  ResponseSource* source = nullptr;   // for %({name}e)s; may be null
};

class AccessLog {
 public:
  /// `path`: "" = off, "-" = stdout, else a file (O_APPEND). Returns false with a message.
  bool open(const std::string& path, const std::string& format, std::string* error);
  void reopen();
  /// True when a request must be reported: an access log file, syslog (unless
  /// disable_redirect_access_to_syslog) or StatsD (the process-wide sinks as configured when
  /// open() ran). A plain null check per request when all are off.
  bool enabled() const noexcept { return fd_ >= 0 || syslog_ != nullptr || statsd_ != nullptr; }
  void write(const AccessRecord& rec);

 private:
  enum class Kind : uint8_t { Literal, Atom, ReqHeader, RespHeader, Env };
  struct Part {
    Kind kind;
    char atom;
    std::string text;  // literal text or {name}
  };
  void append_atom(std::string& out, const Part& part, const AccessRecord& rec);

  std::vector<Part> parts_;
  std::string path_;
  int fd_ = -1;
  os::SyslogSink* syslog_ = nullptr;   // process-wide; null = access lines not sent
  os::StatsdClient* statsd_ = nullptr;  // process-wide; null = no request metrics
  std::string line_;
};

}  // namespace bastion::server
