// SPDX-License-Identifier: MIT
#include "server/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "server/handler.h"

namespace bastion::server {
namespace {

void append_int(std::string& out, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  out.append(buf, static_cast<size_t>(n));
}

/// Finds `name` (case-insensitive) in "Name: value\r\n" lines.
std::string_view find_field(std::string_view fields, std::string_view name) {
  while (!fields.empty()) {
    size_t eol = fields.find("\r\n");
    std::string_view line = fields.substr(0, eol);
    fields = eol == std::string_view::npos ? std::string_view() : fields.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (http::iequals(line.substr(0, colon), name)) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return value;
    }
  }
  return {};
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// The user name from "Authorization: Basic base64(user:pass)", or "-".
std::string basic_auth_user(const http::RequestHead& head) {
  const http::HeaderField* auth = head.find("Authorization");
  if (auth == nullptr || auth->value.size() < 6 || !http::iequals(auth->value.substr(0, 6), "basic "))
    return "-";
  std::string decoded;
  int bits = 0;
  unsigned acc = 0;
  for (char c : auth->value.substr(6)) {
    int v = b64_value(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos || colon == 0) return "-";
  return decoded.substr(0, colon);
}

}  // namespace

bool AccessLog::open(const std::string& path, const std::string& format, std::string* error) {
  parts_.clear();
  // Compile "%(x)s" / "%({name}i)s" atoms; everything else is literal.
  size_t i = 0;
  std::string literal;
  while (i < format.size()) {
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '%') {
      literal.push_back('%');
      i += 2;
      continue;
    }
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '(') {
      size_t close = format.find(")s", i + 2);
      if (close != std::string::npos) {
        std::string key = format.substr(i + 2, close - i - 2);
        if (!literal.empty()) parts_.push_back({Kind::Literal, 0, std::move(literal)});
        literal.clear();
        if (key.size() >= 3 && key.front() == '{' && key[key.size() - 2] == '}') {
          char kind = key.back();
          std::string name = key.substr(1, key.size() - 3);
          Kind k = kind == 'i' ? Kind::ReqHeader : kind == 'o' ? Kind::RespHeader : Kind::Env;
          parts_.push_back({k, kind, std::move(name)});
        } else if (key.size() == 1) {
          parts_.push_back({Kind::Atom, key[0], {}});
        } else {
          parts_.push_back({Kind::Literal, 0, "-"});
        }
        i = close + 2;
        continue;
      }
    }
    literal.push_back(format[i++]);
  }
  if (!literal.empty()) parts_.push_back({Kind::Literal, 0, std::move(literal)});

  if (fd_ > 2) ::close(fd_);
  fd_ = -1;
  path_ = path;
  syslog_ = os::SyslogSink::process().access_enabled() ? &os::SyslogSink::process() : nullptr;
  statsd_ = os::StatsdClient::process().enabled() ? &os::StatsdClient::process() : nullptr;
  if (path.empty()) return true;
  if (path == "-") {
    fd_ = 1;
    return true;
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0 && error != nullptr) *error = "cannot open access log " + path + ": " + strerror(errno);
  return fd_ >= 0;
}

void AccessLog::reopen() {
  if (path_.empty() || path_ == "-") return;
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (fd_ > 2) ::close(fd_);
  fd_ = fd;
}

void AccessLog::append_atom(std::string& out, const Part& part, const AccessRecord& rec) {
  const http::RequestHead& head = *rec.head;
  auto header_or_dash = [&](std::string_view name) {
    const http::HeaderField* f = head.find(name);
    out.append(f != nullptr ? f->value : std::string_view("-"));
  };
  switch (part.kind) {
    case Kind::Literal: out.append(part.text); return;
    case Kind::ReqHeader: header_or_dash(part.text); return;
    case Kind::RespHeader: {
      std::string_view v = find_field(rec.response_fields, part.text);
      out.append(v.empty() ? std::string_view("-") : v);
      return;
    }
    case Kind::Env: {
      std::string v = rec.source != nullptr ? rec.source->env_value(part.text) : std::string();
      out.append(v.empty() ? std::string("-") : v);
      return;
    }
    case Kind::Atom: break;
  }
  switch (part.atom) {
    case 'h': {
      std::string host = os::host_of(*rec.peer);
      out.append(host.empty() ? std::string("-") : host);
      return;
    }
    case 'l': out.push_back('-'); return;
    case 'u': out.append(basic_auth_user(head)); return;
    case 't': {
      time_t now = time(nullptr);
      tm tm_now;
      localtime_r(&now, &tm_now);
      char buf[40];
      size_t n = strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S %z]", &tm_now);
      out.append(buf, n);
      return;
    }
    case 'r':
      out.append(head.method).push_back(' ');
      out.append(head.target).append(head.version_minor == 0 ? " HTTP/1.0" : " HTTP/1.1");
      return;
    case 'm': out.append(head.method); return;
    case 'U': out.append(head.path); return;
    case 'q': out.append(head.query); return;
    case 'H': out.append(head.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1"); return;
    case 's': append_int(out, rec.status); return;
    case 'B': append_int(out, static_cast<int64_t>(rec.body_bytes)); return;
    case 'b':
      if (rec.body_bytes == 0) out.push_back('-');
      else append_int(out, static_cast<int64_t>(rec.body_bytes));
      return;
    case 'f': header_or_dash("Referer"); return;
    case 'a': header_or_dash("User-Agent"); return;
    case 'T': append_int(out, rec.duration_us / 1000000); return;
    case 'M': append_int(out, rec.duration_us / 1000); return;
    case 'D': append_int(out, rec.duration_us); return;
    case 'L': {
      char buf[32];
      int n = snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(rec.duration_us / 1000000),
                       static_cast<long long>(rec.duration_us % 1000000));
      out.append(buf, static_cast<size_t>(n));
      return;
    }
    case 'p':
      out.push_back('<');
      append_int(out, getpid());
      out.push_back('>');
      return;
    default: out.push_back('-'); return;
  }
}

void AccessLog::write(const AccessRecord& rec) {
  if (statsd_ != nullptr) statsd_->request_done(rec.status, rec.duration_us);
  if (fd_ < 0 && syslog_ == nullptr) return;
  line_.clear();
  for (const Part& part : parts_) append_atom(line_, part, rec);
  if (syslog_ != nullptr) syslog_->send_access(line_);
  if (fd_ < 0) return;
  line_.push_back('\n');
  const char* p = line_.data();
  size_t left = line_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace bastion::server
