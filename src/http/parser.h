// SPDX-License-Identifier: MIT
// Strict HTTP/1.1 request-head parser (RFC 9110/9112), a pure function over bytes: no I/O,
// no allocation beyond the header vector, no globals. Any thread; one RequestParser per
// connection. See docs/http-conformance.md for every accept/reject rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/errors.h"
#include "http/request.h"

namespace bastion::http {

struct Limits {
  size_t request_line = 4094;       // bytes, CRLF excluded; 0 = unlimited (capped at 64 KiB)
  size_t header_fields = 100;       // count
  size_t header_field_size = 8190;  // one "name: value" line, CRLF included
  size_t header_total = 100 * (8190 + 2) + 4;  // whole head incl. request line
  uint64_t body = 100ull << 20;     // bytes; 0 = unlimited
  size_t trailer_total = 8192;      // bytes of trailer section in a chunked body
};

enum class ParseStatus : uint8_t { Complete, NeedMore, Error };

struct ParseResult {
  ParseStatus status;
  size_t consumed = 0;          // Complete: bytes of the head incl. the final CRLFCRLF
  ParseError error = ParseError::None;
};

/// Incremental head parser. Feed it the whole buffered input each time more bytes arrive;
/// it remembers how far it has already scanned so the total work is linear.
/// One leading empty line (CRLF) before the request line is skipped (RFC 9112 2.2) and counted
/// in `consumed`.
class RequestParser {
 public:
  explicit RequestParser(const Limits& limits) noexcept : limits_(limits) {}

  /// `input` is everything received for this message so far, starting at its first byte.
  /// On Complete, `out` is filled (views into `input`) and framing is validated:
  /// Content-Length/Transfer-Encoding rules, Host rules, Expect, body limit when declared.
  /// NeedMore means: read more and call again with the longer buffer. Errors are final.
  /// Limits are enforced before the head is complete (an over-long request line is 414 as
  /// soon as the limit is passed without a CRLF).
  ParseResult parse(std::string_view input, RequestHead& out) noexcept;

  /// Forget scan progress; call before parsing the next message on the connection.
  void reset() noexcept { scanned_ = 0; }

 private:
  Limits limits_;
  size_t scanned_ = 0;
};

}  // namespace bastion::http
