// SPDX-License-Identifier: MIT
// Incremental decoder for a chunked request body (RFC 9112 7.1): chunk sizes, extensions
// (validated and ignored), trailers (validated, bounded, forbidden names refused, then
// dropped). Pure: no I/O. One decoder per message; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/errors.h"

namespace bastion::http {

class ChunkedDecoder {
 public:
  /// `max_body`: total decoded bytes allowed (0 = unlimited) -> BodyTooLarge beyond it.
  /// `max_trailer`: bytes allowed for all trailer field lines (CRLFs included, the final empty
  /// line not) -> TrailersTooLarge; 0 = no trailer field accepted. Trailers are validated
  /// (forbidden: Content-Length, Transfer-Encoding, Host, Trailer, Authorization, TE,
  /// Content-Type -> BadTrailer) and then dropped: the application never sees them.
  ChunkedDecoder(uint64_t max_body, size_t max_trailer) noexcept
      : max_body_(max_body), max_trailer_(max_trailer) {}

  enum class Status : uint8_t { Data, NeedMore, Done, Error };

  struct Step {
    Status status;
    size_t consumed = 0;    // bytes of `input` used by this step (always advance by it)
    std::string_view data;  // Status::Data: decoded body bytes, a view into `input`
    ParseError error = ParseError::None;
  };

  /// Decodes from the front of `input` (bytes not consumed by earlier steps). The decoder keeps
  /// all partial-line state itself, so it always consumes every byte it was given except on
  /// Data (stops after the returned data) and Done (stops at the message end).
  /// Data: `data` is non-empty; call again with input.substr(consumed).
  /// NeedMore: everything usable was consumed (consumed may be > 0); wait for more bytes.
  /// Done: the last chunk and trailers were read; `consumed` ends exactly at the message end,
  /// so anything after it belongs to the next (pipelined) request; later calls return Done with
  /// consumed 0. Error: final; later calls return the same error. A chunk whose declared size
  /// would take the body past max_body is refused (BodyTooLarge) before its data arrives.
  Step next(std::string_view input) noexcept;

  /// Body bytes decoded so far.
  uint64_t decoded() const noexcept { return decoded_; }

  /// Longest chunk-size line (size and extensions) accepted, and the cap on all extension
  /// bytes in one message: extensions are ignored, so they must not become an unbounded sink.
  /// The number of chunks is not capped (only the body limit applies).
  static constexpr size_t kMaxSizeLine = 4096;
  static constexpr size_t kMaxExtensionBytes = 64 * 1024;

 private:
  enum class State : uint8_t {
    Size,           // chunk-size hex digits
    ExtStart,       // after ';': first byte of a chunk-ext-name
    ExtName,        // inside chunk-ext-name
    ExtValueStart,  // after '=': token or quoted-string
    ExtToken,       // inside a token value
    ExtQuoted,      // inside a quoted-string value
    ExtEscape,      // after '\' inside a quoted-string
    ExtAfterQuote,  // after the closing quote
    SizeLf,         // CR of the chunk-size line seen
    Data,           // chunk data, remaining_ bytes to go
    DataCr,         // CRLF after chunk data
    DataLf,
    TrailerStart,  // start of a trailer line, or of the final empty line
    TrailerName,
    TrailerValue,
    TrailerLf,  // CR of a trailer line seen
    EndLf,      // CR of the final empty line seen
    Done,
    Failed,
  };

  Step fail(ParseError error, size_t at) noexcept;
  ParseError size_line_byte(char c) noexcept;
  ParseError trailer_byte(char c) noexcept;

  uint64_t max_body_;
  size_t max_trailer_;
  State state_ = State::Size;
  ParseError error_ = ParseError::None;  // when Failed
  uint64_t remaining_ = 0;  // bytes left in the current chunk (the size while parsing it)
  uint64_t decoded_ = 0;
  unsigned size_digits_ = 0;
  size_t line_bytes_ = 0;  // bytes of the current chunk-size line
  size_t ext_bytes_ = 0;   // bytes of chunk-size lines in this message (extension abuse)
  bool in_ext_ = false;    // SizeLf reached from an extension
  size_t trailer_bytes_ = 0;
  unsigned name_len_ = 0;  // length of the current trailer name
  char name_[18] = {};     // its first bytes, lower-cased (forbidden names are <= 17)
};

}  // namespace bastion::http
