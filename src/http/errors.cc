// SPDX-License-Identifier: MIT
// The ParseError table: status, stable name and canned response for every error, all built
// at compile time so that answering a bad request never allocates. No I/O.
#include "http/errors.h"

#include <array>
#include <cstddef>

namespace bastion::http {
namespace {

struct Row {
  ParseError error;
  int status;
  std::string_view name;
  std::string_view reason;  // status reason phrase
  std::string_view detail;  // the problem, in words; never request data
};

// One row per enumerator, in enum order (checked by a static_assert below).
constexpr Row kRows[] = {
    {ParseError::None, 400, "None", "Bad Request", "malformed request"},  // defensive default
    {ParseError::BadRequestLine, 400, "BadRequestLine", "Bad Request", "malformed request line"},
    {ParseError::BadMethod, 400, "BadMethod", "Bad Request", "invalid request method"},
    {ParseError::BadTarget, 400, "BadTarget", "Bad Request", "invalid request target"},
    {ParseError::UriTooLong, 414, "UriTooLong", "URI Too Long", "request line too long"},
    {ParseError::BadVersion, 400, "BadVersion", "Bad Request", "malformed HTTP version"},
    {ParseError::VersionNotSupported, 505, "VersionNotSupported", "HTTP Version Not Supported",
     "only HTTP/1.0 and HTTP/1.1 are supported"},
    {ParseError::BadHeaderName, 400, "BadHeaderName", "Bad Request", "invalid header field name"},
    {ParseError::BadHeaderValue, 400, "BadHeaderValue", "Bad Request",
     "invalid header field value"},
    {ParseError::ObsFold, 400, "ObsFold", "Bad Request", "obsolete line folding is not allowed"},
    {ParseError::HeaderFieldTooLarge, 431, "HeaderFieldTooLarge", "Request Header Fields Too Large",
     "header field line too long"},
    {ParseError::TooManyHeaders, 431, "TooManyHeaders", "Request Header Fields Too Large",
     "too many header fields"},
    {ParseError::HeadersTooLarge, 431, "HeadersTooLarge", "Request Header Fields Too Large",
     "request header section too large"},
    {ParseError::MissingHost, 400, "MissingHost", "Bad Request", "missing Host header"},
    {ParseError::DuplicateHost, 400, "DuplicateHost", "Bad Request", "more than one Host header"},
    {ParseError::DuplicateField, 400, "DuplicateField", "Bad Request",
     "repeated singleton header field"},
    {ParseError::BadContentLength, 400, "BadContentLength", "Bad Request",
     "invalid Content-Length"},
    {ParseError::FramingConflict, 400, "FramingConflict", "Bad Request",
     "both Transfer-Encoding and Content-Length"},
    {ParseError::BadTransferEncoding, 400, "BadTransferEncoding", "Bad Request",
     "invalid Transfer-Encoding"},
    {ParseError::UnsupportedTransferCoding, 501, "UnsupportedTransferCoding", "Not Implemented",
     "unsupported transfer coding"},
    {ParseError::BodyTooLarge, 413, "BodyTooLarge", "Content Too Large", "request body too large"},
    {ParseError::ExpectationFailed, 417, "ExpectationFailed", "Expectation Failed",
     "unsupported expectation"},
    {ParseError::BadChunkSize, 400, "BadChunkSize", "Bad Request", "invalid chunk size"},
    {ParseError::BadChunkExtension, 400, "BadChunkExtension", "Bad Request",
     "invalid chunk extension"},
    {ParseError::BadChunkTerminator, 400, "BadChunkTerminator", "Bad Request",
     "missing CRLF after chunk data"},
    {ParseError::BadTrailer, 400, "BadTrailer", "Bad Request",
     "invalid or forbidden trailer field"},
    {ParseError::TrailersTooLarge, 431, "TrailersTooLarge", "Request Header Fields Too Large",
     "trailer section too large"},
    {ParseError::HeaderTimeout, 408, "HeaderTimeout", "Request Timeout",
     "request header not received in time"},
    {ParseError::BodyTimeout, 408, "BodyTimeout", "Request Timeout",
     "request body not received in time"},
    {ParseError::BadProxyHeader, 400, "BadProxyHeader", "Bad Request",
     "contradicting forwarding headers"},
    {ParseError::BodyStorage, 500, "BodyStorage", "Internal Server Error",
     "the request body could not be stored"},
    {ParseError::UntrustedProxyHeader, 403, "UntrustedProxyHeader", "Forbidden",
     "PROXY protocol header from a peer that is not an allowed proxy"},
};

constexpr size_t kCount = static_cast<size_t>(ParseError::Count_);
static_assert(std::size(kRows) == kCount, "one row per ParseError");

consteval bool rows_in_order() {
  for (size_t i = 0; i < kCount; ++i)
    if (static_cast<size_t>(kRows[i].error) != i) return false;
  return true;
}
static_assert(rows_in_order(), "kRows must follow the enum order");

// A fixed buffer filled at compile time; 320 bytes hold the longest response.
struct Canned {
  std::array<char, 320> buf{};
  size_t len = 0;

  constexpr void add(std::string_view s) {
    for (char c : s) buf[len++] = c;
  }
  constexpr void add(size_t n) {
    char digits[20] = {};
    size_t k = 0;
    do {
      digits[k++] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    while (k > 0) buf[len++] = digits[--k];
  }
};

consteval Canned make_canned(const Row& row) {
  Canned c;
  const int s = row.status;
  const char code[3] = {static_cast<char>('0' + s / 100), static_cast<char>('0' + s / 10 % 10),
                        static_cast<char>('0' + s % 10)};
  const std::string_view code_sv(code, 3);
  // Body: "<code> <reason>: <detail>\n".
  const size_t body_len = 3 + 1 + row.reason.size() + 2 + row.detail.size() + 1;
  c.add("HTTP/1.1 ");
  c.add(code_sv);
  c.add(" ");
  c.add(row.reason);
  c.add("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
  c.add(body_len);
  c.add("\r\nConnection: close\r\n\r\n");
  c.add(code_sv);
  c.add(" ");
  c.add(row.reason);
  c.add(": ");
  c.add(row.detail);
  c.add("\n");
  return c;
}

consteval std::array<Canned, kCount> make_all() {
  std::array<Canned, kCount> all{};
  for (size_t i = 0; i < kCount; ++i) all[i] = make_canned(kRows[i]);
  return all;
}

constexpr std::array<Canned, kCount> kCanned = make_all();

constexpr size_t index_of(ParseError error) noexcept {
  const auto i = static_cast<size_t>(error);
  return i < kCount ? i : 0;
}

}  // namespace

int status_for(ParseError error) noexcept { return kRows[index_of(error)].status; }

std::string_view name_of(ParseError error) noexcept {
  const auto i = static_cast<size_t>(error);
  return i < kCount ? kRows[i].name : std::string_view("Unknown");
}

std::string_view canned_response(ParseError error) noexcept {
  const Canned& c = kCanned[index_of(error)];
  return std::string_view(c.buf.data(), c.len);
}

}  // namespace bastion::http
