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
  /// `max_trailer`: bytes allowed for the whole trailer section -> TrailersTooLarge.
  ChunkedDecoder(uint64_t max_body, size_t max_trailer) noexcept
      : max_body_(max_body), max_trailer_(max_trailer) {}

  enum class Status : uint8_t { Data, NeedMore, Done, Error };

  struct Step {
    Status status;
    size_t consumed = 0;     // bytes of `input` used by this step (always advance by it)
    std::string_view data;   // Status::Data: decoded body bytes, a view into `input`
    ParseError error = ParseError::None;
  };

  /// Decodes from the front of `input` (bytes not consumed by earlier steps).
  /// Data: `data` is non-empty; call again with input.substr(consumed).
  /// NeedMore: everything usable was consumed (consumed may be > 0); wait for more bytes.
  /// Done: the last chunk and trailers were read; `consumed` ends exactly at the message end,
  /// so anything after it belongs to the next (pipelined) request. Error: final.
  Step next(std::string_view input) noexcept;

  uint64_t decoded() const noexcept { return decoded_; }

 private:
  enum class State : uint8_t { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, Done };
  uint64_t max_body_;
  size_t max_trailer_;
  State state_ = State::Size;
  uint64_t remaining_ = 0;     // bytes left in the current chunk
  uint64_t decoded_ = 0;
  unsigned size_digits_ = 0;
  size_t trailer_bytes_ = 0;
  // Internal scratch for a partial line (extension / trailer) scanning.
  size_t line_bytes_ = 0;
  bool ext_in_quote_ = false;
  bool last_chunk_ = false;
};

}  // namespace bastion::http
