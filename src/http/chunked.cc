// SPDX-License-Identifier: MIT
// The chunked body decoder: a byte-at-a-time state machine for the framing, and zero-copy
// views for the chunk data. Strict per RFC 9112 7.1 (no whitespace around the size, no BWS
// before ';', CRLF only). Pure: no I/O.
#include "http/chunked.h"

#include <algorithm>
#include <string_view>

#include "http/chars.h"

namespace bastion::http {
namespace {

using chars::is;

// RFC 9110 6.5.1 / 9112 7.1.2: fields a trailer must not carry because they frame, route or
// authorise the message. Checked against the lower-cased name.
bool forbidden_trailer(std::string_view lower_name) noexcept {
  constexpr std::string_view kForbidden[] = {"content-length", "transfer-encoding", "host",
                                             "trailer",        "authorization",     "te",
                                             "content-type"};
  for (std::string_view f : kForbidden)
    if (lower_name == f) return true;
  return false;
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::fail(ParseError error, size_t at) noexcept {
  state_ = State::Failed;
  error_ = error;
  return {Status::Error, at, {}, error};
}

// One byte of a chunk-size line: chunk-size [ chunk-ext ] CR (the LF is SizeLf's).
ParseError ChunkedDecoder::size_line_byte(char c) noexcept {
  if (++line_bytes_ > kMaxSizeLine) return ParseError::BadChunkExtension;
  // Only extension bytes count toward the per-message cap: a body of many small chunks is
  // legitimate, ignored extensions piling up are not.
  if (state_ != State::Size && ++ext_bytes_ > kMaxExtensionBytes) return ParseError::BadChunkExtension;
  switch (state_) {
    case State::Size:
      if (is(c, chars::kHex)) {
        // 16 hex digits fill a uint64_t: more is refused rather than wrapped.
        if (++size_digits_ > 16) return ParseError::BadChunkSize;
        remaining_ = remaining_ << 4 | chars::hex_value(c);
        return ParseError::None;
      }
      if ((c != ';' && c != '\r') || size_digits_ == 0) return ParseError::BadChunkSize;
      // Refuse a chunk that would pass the body limit before any of its data arrives.
      if (max_body_ != 0 && remaining_ > max_body_ - decoded_) return ParseError::BodyTooLarge;
      in_ext_ = false;
      state_ = c == ';' ? State::ExtStart : State::SizeLf;
      return ParseError::None;
    case State::ExtStart:
      if (!is(c, chars::kTchar)) return ParseError::BadChunkExtension;
      state_ = State::ExtName;
      return ParseError::None;
    case State::ExtName:
    case State::ExtToken:
      if (is(c, chars::kTchar)) return ParseError::None;
      if (c == '=' && state_ == State::ExtName) {
        state_ = State::ExtValueStart;
        return ParseError::None;
      }
      break;  // ';' or CR, below
    case State::ExtValueStart:
      if (c == '"') {
        state_ = State::ExtQuoted;
      } else if (is(c, chars::kTchar)) {
        state_ = State::ExtToken;
      } else {
        return ParseError::BadChunkExtension;
      }
      return ParseError::None;
    case State::ExtQuoted:
      if (c == '"') {
        state_ = State::ExtAfterQuote;
      } else if (c == '\\') {
        state_ = State::ExtEscape;
      } else if (!is(c, chars::kQdtext)) {
        return ParseError::BadChunkExtension;  // CR, LF and other CTLs
      }
      return ParseError::None;
    case State::ExtEscape:
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
      if (!is(c, chars::kFieldValue)) return ParseError::BadChunkExtension;
      state_ = State::ExtQuoted;
      return ParseError::None;
    case State::ExtAfterQuote:
      break;
    default:
      return ParseError::BadChunkExtension;
  }
  // End of an extension: another one, or the end of the line.
  if (c == ';') {
    state_ = State::ExtStart;
  } else if (c == '\r') {
    in_ext_ = true;
    state_ = State::SizeLf;
  } else {
    return ParseError::BadChunkExtension;
  }
  return ParseError::None;
}

// One byte of the trailer section (RFC 9112 7.1.2): field lines, then the final CRLF.
ParseError ChunkedDecoder::trailer_byte(char c) noexcept {
  if (state_ == State::TrailerStart) {
    if (c == '\r') {
      state_ = State::EndLf;
      return ParseError::None;
    }
    if (c == '\n') return ParseError::BadChunkTerminator;  // bare LF where CRLF must be
    name_len_ = 0;
    state_ = State::TrailerName;
  }
  // Everything from here on is a field line, counted against the trailer cap.
  if (++trailer_bytes_ > max_trailer_) return ParseError::TrailersTooLarge;
  switch (state_) {
    case State::TrailerName:
      if (is(c, chars::kTchar)) {
        if (name_len_ < sizeof name_) name_[name_len_] = chars::lower(c);
        ++name_len_;
        return ParseError::None;
      }
      // Empty name, obs-fold (leading SP/HTAB), whitespace before ':' or a non-token byte.
      if (c != ':' || name_len_ == 0) return ParseError::BadTrailer;
      if (name_len_ <= sizeof name_ && forbidden_trailer(std::string_view(name_, name_len_)))
        return ParseError::BadTrailer;
      state_ = State::TrailerValue;
      return ParseError::None;
    case State::TrailerValue:
      if (is(c, chars::kFieldValue)) return ParseError::None;
      if (c != '\r') return ParseError::BadTrailer;
      state_ = State::TrailerLf;
      return ParseError::None;
    case State::TrailerLf:
      if (c != '\n') return ParseError::BadTrailer;
      state_ = State::TrailerStart;
      return ParseError::None;
    default:
      return ParseError::BadTrailer;
  }
}

ChunkedDecoder::Step ChunkedDecoder::next(std::string_view input) noexcept {
  if (state_ == State::Failed) return {Status::Error, 0, {}, error_};
  if (state_ == State::Done) return {Status::Done, 0, {}, ParseError::None};
  size_t pos = 0;
  const size_t size = input.size();
  while (pos < size) {
    const char c = input[pos];
    ParseError e = ParseError::None;
    switch (state_) {
      case State::Data: {
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(remaining_, static_cast<uint64_t>(size - pos)));
        remaining_ -= n;
        decoded_ += n;
        if (remaining_ == 0) state_ = State::DataCr;
        return {Status::Data, pos + n, input.substr(pos, n), ParseError::None};
      }
      case State::SizeLf:
        if (c != '\n') {
          e = in_ext_ ? ParseError::BadChunkExtension : ParseError::BadChunkSize;
        } else if (remaining_ == 0) {
          state_ = State::TrailerStart;  // last-chunk
        } else {
          state_ = State::Data;
        }
        break;
      case State::DataCr:
        if (c != '\r') e = ParseError::BadChunkTerminator;
        state_ = State::DataLf;
        break;
      case State::DataLf:
        if (c != '\n') e = ParseError::BadChunkTerminator;
        state_ = State::Size;
        size_digits_ = 0;
        line_bytes_ = 0;
        break;
      case State::EndLf:
        if (c != '\n') return fail(ParseError::BadChunkTerminator, pos);
        state_ = State::Done;
        return {Status::Done, pos + 1, {}, ParseError::None};
      case State::TrailerStart:
      case State::TrailerName:
      case State::TrailerValue:
      case State::TrailerLf:
        e = trailer_byte(c);
        break;
      case State::Done:
      case State::Failed:
        return fail(ParseError::BadChunkTerminator, pos);  // unreachable
      default:
        e = size_line_byte(c);
        break;
    }
    if (e != ParseError::None) return fail(e, pos);
    ++pos;
  }
  return {Status::NeedMore, pos, {}, ParseError::None};
}

}  // namespace bastion::http
