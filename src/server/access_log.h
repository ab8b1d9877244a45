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
  bool enabled() const noexcept { return fd_ >= 0; }
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
  std::string line_;
};

}  // namespace bastion::server
