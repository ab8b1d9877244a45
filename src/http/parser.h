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

/// Size and count limits, Gunicorn's names and defaults. A RequestParser copies them.
struct Limits {
  size_t request_line = 4094;       // bytes, CRLF excluded; 0 = unlimited (capped at 64 KiB)
  size_t header_fields = 100;       // count of field lines; 0 = unlimited
  size_t header_field_size = 8190;  // one "name: value" line, CRLF included; 0 = only the total
  size_t header_total = 100 * (8190 + 2) + 4;  // whole head incl. request line and any leading
                                               // CRLF; 0 = 1 MiB
  uint64_t body = 100ull << 20;                // bytes; 0 = unlimited
  size_t trailer_total = 8192;  // bytes of trailer field lines in a chunked body; 0 = none
};

enum class ParseStatus : uint8_t { Complete, NeedMore, Error };

struct ParseResult {
  ParseStatus status;
  size_t consumed = 0;  // Complete: bytes of the head incl. the final CRLFCRLF
  ParseError error = ParseError::None;
};

/// Incremental head parser. Feed it the whole buffered input each time more bytes arrive;
/// it remembers how far it has already scanned so the total work is linear.
/// One leading empty line (CRLF) before the request line is skipped (RFC 9112 2.2) and counted
/// in `consumed`.
///
/// How the work is split: while the head is incomplete, parse() only looks for the end of each
/// line (memchr) and checks the limits, bare LF and the method bytes, so a limit or an obvious
/// non-HTTP client (a TLS hello) is refused as soon as its byte arrives. Once the empty line is
/// seen, the head is validated and split in one pass. The error reported is always the same
/// however the bytes were split across calls (tests feed every case whole, byte by byte and in
/// random pieces).
class RequestParser {
 public:
  /// Zero limits are normalised as documented on Limits.
  explicit RequestParser(const Limits& limits) noexcept;

  /// `input` is everything received for this message so far, starting at its first byte.
  /// On Complete, `out` is filled (views into `input`) and framing is validated:
  /// Content-Length/Transfer-Encoding rules, Host rules, Expect, body limit when declared.
  /// NeedMore means: read more and call again with the longer buffer (the buffer may move,
  /// only offsets are kept). Errors are final: later calls return the same error until reset().
  /// `out` is clear()ed and refilled on each Complete; on NeedMore/Error its content is
  /// unspecified. Limits are enforced before the head is complete (an over-long request line
  /// is 414 as soon as the limit is passed without a CRLF). Passing a shorter input than an
  /// earlier call without reset() is a broken invariant (abort).
  ParseResult parse(std::string_view input, RequestHead& out) noexcept;

  /// Forget scan progress; call before parsing the next message on the connection.
  void reset() noexcept { scan_ = Scan{}; }

  /// The normalised limits in force.
  const Limits& limits() const noexcept { return limits_; }

 private:
  struct Scan {
    size_t scanned = 0;     // bytes already searched for LF
    size_t line_start = 0;  // offset of the line being scanned
    size_t head_start = 0;  // 2 when a leading CRLF was skipped
    size_t lines = 0;       // complete lines so far (the request line is line 1)
    size_t method_pos = 0;  // next request-line byte to check as a method byte
    bool method_done = false;
    size_t head_end = 0;  // offset just past the final CRLF once found, else 0
    ParseError error = ParseError::None;
  };

  ParseError scan_head(std::string_view input) noexcept;
  ParseError check_method_bytes(std::string_view input, size_t bound) noexcept;
  ParseError line_complete(size_t lf) noexcept;

  Limits limits_;
  size_t max_field_content_ = 0;  // header_field_size - 2 (CRLF), the longest field line
  Scan scan_;
};

}  // namespace bastion::http
