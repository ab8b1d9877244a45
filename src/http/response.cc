// SPDX-License-Identifier: MIT
// Response serialisation helpers: reason phrases, field validation, the status line, chunk
// framing, the cached Date value and percent-decoding. Pure: no I/O, no Python.
#include "http/response.h"

#include "http/chars.h"

namespace bastion::http {

using chars::is;

std::string_view reason_phrase(int status) noexcept {
  // The IANA HTTP Status Code Registry (RFC 9110 15 and the RFCs it lists).
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 102:
      return "Processing";
    case 103:
      return "Early Hints";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 205:
      return "Reset Content";
    case 206:
      return "Partial Content";
    case 207:
      return "Multi-Status";
    case 208:
      return "Already Reported";
    case 226:
      return "IM Used";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 305:
      return "Use Proxy";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 418:
      return "I'm a teapot";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 424:
      return "Failed Dependency";
    case 425:
      return "Too Early";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 451:
      return "Unavailable For Legal Reasons";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 506:
      return "Variant Also Negotiates";
    case 507:
      return "Insufficient Storage";
    case 508:
      return "Loop Detected";
    case 510:
      return "Not Extended";
    case 511:
      return "Network Authentication Required";
    default:
      return "";
  }
}

bool is_token(std::string_view name) noexcept {
  return !name.empty() && chars::all_of(name, chars::kTchar);
}

bool is_field_value(std::string_view value) noexcept {
  return chars::all_of(value, chars::kFieldValue);
}

bool is_hop_by_hop(std::string_view name) noexcept {
  constexpr std::string_view kHopByHop[] = {
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
      "te",         "trailer",    "transfer-encoding",  "upgrade"};
  for (std::string_view h : kHopByHop)
    if (chars::iequals_lower(name, h)) return true;
  return false;
}

bool parse_status_line(std::string_view status, int* code) noexcept {
  // PEP 3333: "200 OK". The reason may be empty ("200 ") but the space is required.
  if (status.size() < 4 || status[3] != ' ') return false;
  if (status[0] < '1' || status[0] > '9' || !is(status[1], chars::kDigit) ||
      !is(status[2], chars::kDigit))
    return false;
  if (!is_field_value(status.substr(4))) return false;  // no CR, LF, NUL: no response splitting
  *code = (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
  return true;
}

bool status_forbids_body(int status) noexcept {
  // RFC 9110 15.2, 15.3.5, 15.4.5. HEAD is the caller's business (it knows the method).
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void append_status_line(std::string& out, int version_minor, std::string_view status) {
  out += "HTTP/1.";
  out += version_minor == 0 ? '0' : '1';
  out += ' ';
  out += status;
  out += "\r\n";
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void append_chunk_header(std::string& out, uint64_t size) {
  char buf[16];
  size_t n = 0;
  do {
    buf[n++] = "0123456789abcdef"[size & 0xf];
    size >>= 4;
  } while (size != 0);
  while (n > 0) out += buf[--n];
  out += "\r\n";
}

std::string_view DateCache::get() noexcept { return at(time(nullptr)); }

std::string_view DateCache::at(time_t now) noexcept {
  if (now == last_ && len_ != 0) return {buf_, len_};
  struct tm tm {};
  if (gmtime_r(&now, &tm) == nullptr) return {buf_, len_};
  // IMF-fixdate (RFC 9110 5.6.7), formatted by hand: strftime would follow the C locale.
  static constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10 % 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int year = tm.tm_year + 1900;
  if (tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11 || year < 0 ||
      year > 9999)
    return {buf_, len_};
  char* p = buf_;
  for (int i = 0; i < 3; ++i) *p++ = kDays[tm.tm_wday][i];
  *p++ = ',';
  *p++ = ' ';
  two(p, tm.tm_mday);
  p += 2;
  *p++ = ' ';
  for (int i = 0; i < 3; ++i) *p++ = kMonths[tm.tm_mon][i];
  *p++ = ' ';
  two(p, year / 100);
  two(p + 2, year % 100);
  p += 4;
  *p++ = ' ';
  two(p, tm.tm_hour);
  p[2] = ':';
  two(p + 3, tm.tm_min);
  p[5] = ':';
  two(p + 6, tm.tm_sec);
  p += 8;
  for (char c : std::string_view(" GMT")) *p++ = c;
  len_ = static_cast<size_t>(p - buf_);
  last_ = now;
  return {buf_, len_};
}

void percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size() && is(in[i + 1], chars::kHex) && is(in[i + 2], chars::kHex)) {
      out += static_cast<char>(chars::hex_value(in[i + 1]) << 4 | chars::hex_value(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
}

}  // namespace bastion::http
