// SPDX-License-Identifier: MIT
// Field semantics for the request parser: Host (RFC 9112 3.2), message framing (RFC 9112 6),
// Connection (RFC 9110 7.6.1), Expect (RFC 9110 10.1.1). The framing rules are where request
// smuggling lives, so every ambiguity is an error. Pure: no I/O.
#include "http/fields.h"

#include "http/chars.h"

namespace bastion::http {
namespace {

using chars::is;

enum class Known : uint8_t {
  Other,
  Host,
  ContentLength,
  TransferEncoding,
  Connection,
  Expect,
  ContentType,
  Upgrade
};

// Dispatch on length first: one size compare rejects almost every ordinary field.
Known classify(std::string_view name) noexcept {
  switch (name.size()) {
    case 4:
      return chars::iequals_lower(name, "host") ? Known::Host : Known::Other;
    case 6:
      return chars::iequals_lower(name, "expect") ? Known::Expect : Known::Other;
    case 7:
      return chars::iequals_lower(name, "upgrade") ? Known::Upgrade : Known::Other;
    case 10:
      return chars::iequals_lower(name, "connection") ? Known::Connection : Known::Other;
    case 12:
      return chars::iequals_lower(name, "content-type") ? Known::ContentType : Known::Other;
    case 14:
      return chars::iequals_lower(name, "content-length") ? Known::ContentLength : Known::Other;
    case 17:
      return chars::iequals_lower(name, "transfer-encoding") ? Known::TransferEncoding
                                                             : Known::Other;
    default:
      return Known::Other;
  }
}

// Content-Length = 1*DIGIT (RFC 9110 8.6), no sign, no list, no inner space. Values above
// 2^63 - 1 are refused: nothing downstream (off_t, Python's CONTENT_LENGTH) can hold them.
bool parse_length(std::string_view v, uint64_t* out) noexcept {
  if (v.empty()) return false;
  constexpr uint64_t kMax = INT64_MAX;
  uint64_t n = 0;
  for (char c : v) {
    if (!is(c, chars::kDigit)) return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (n > (kMax - d) / 10) return false;
    n = n * 10 + d;
  }
  *out = n;
  return true;
}

// Calls fn(element) for each comma-separated element, OWS-trimmed (RFC 9110 5.6.1).
template <typename Fn>
void for_each_element(std::string_view value, Fn&& fn) noexcept {
  for (;;) {
    const size_t comma = value.find(',');
    fn(chars::trim_ows(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

bool valid_port(std::string_view port) noexcept {
  if (port.size() > 5 || !chars::all_of(port, chars::kDigit)) return false;
  unsigned n = 0;
  for (char c : port) n = n * 10 + static_cast<unsigned>(c - '0');
  return n <= 65535;
}

}  // namespace

bool valid_authority(std::string_view a, bool require_port) noexcept {
  std::string_view host;
  std::string_view rest;
  if (!a.empty() && a[0] == '[') {
    // IP-literal: accepted loosely as hex digits, ':' and '.', or an IPvFuture 'v'.
    const size_t close = a.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = a.substr(1, close - 1);
    for (char c : host)
      if (!is(c, chars::kHost) && c != ':') return false;
    rest = a.substr(close + 1);
  } else {
    const size_t colon = a.find(':');
    host = a.substr(0, colon);
    if (host.empty() || !chars::all_of(host, chars::kHost)) return false;
    rest = colon == std::string_view::npos ? std::string_view() : a.substr(colon);
  }
  if (rest.empty()) return !require_port;
  if (rest[0] != ':') return false;
  const std::string_view port = rest.substr(1);
  if (port.empty()) return !require_port;
  return valid_port(port);
}

bool valid_host_value(std::string_view value) noexcept {
  return value.empty() || valid_authority(value, /*require_port=*/false);
}

ParseError FieldState::on_field(const HeaderField& field, RequestHead& out) noexcept {
  switch (classify(field.name)) {
    case Known::Other:
      return ParseError::None;
    case Known::Host:
      // RFC 9112 3.2: 400 for more than one Host line or an invalid Host value.
      if (++hosts_ > 1) return ParseError::DuplicateHost;
      if (!valid_host_value(field.value)) return ParseError::BadHeaderValue;
      out.host = field.value;
      return ParseError::None;
    case Known::ContentLength:
      // RFC 9112 6.3 allows merging identical repeats; we refuse any repeat (DESIGN 4), so a
      // front end and bastion can never disagree on which line counted.
      if (content_length_ || !parse_length(field.value, &length_))
        return ParseError::BadContentLength;
      content_length_ = true;
      return ParseError::None;
    case Known::TransferEncoding:
      // RFC 9112 6.1: chunked is HTTP/1.1 only; a 1.0 message with TE is a framing fault.
      if (minor_ == 0) return ParseError::BadTransferEncoding;
      on_transfer_encoding(field.value);
      return ParseError::None;
    case Known::ContentType:
      if (content_type_) return ParseError::DuplicateField;
      content_type_ = true;
      return ParseError::None;
    case Known::Connection:
      on_connection(field.value);
      return ParseError::None;
    case Known::Upgrade:
      upgrade_field_ = true;
      return ParseError::None;
    case Known::Expect:
      expect_ = true;
      // RFC 9110 10.1.1: 100-continue is the only expectation defined.
      if (!chars::iequals_lower(field.value, "100-continue")) expect_other_ = true;
      return ParseError::None;
  }
  return ParseError::None;
}

// The set of all TE elements must be exactly one "chunked", last (RFC 9112 6.1, 7). Elements
// are compared byte-exactly after trimming SP/HTAB only, so "\xa0chunked" or "\x85chunked" is
// a malformed coding here, never a disguised chunked.
void FieldState::on_transfer_encoding(std::string_view value) noexcept {
  te_ = true;
  for_each_element(value, [this](std::string_view element) {
    const size_t semi = element.find(';');
    const std::string_view coding = chars::trim_ows(element.substr(0, semi));
    if (coding.empty() || !chars::all_of(coding, chars::kTchar)) {
      te_malformed_ = true;
    } else if (chars::iequals_lower(coding, "chunked")) {
      if (te_chunked_ || semi != std::string_view::npos) te_malformed_ = true;
      te_chunked_ = true;
      te_last_chunked_ = true;
    } else {
      te_other_ = true;
      te_last_chunked_ = false;
    }
  });
}

void FieldState::on_connection(std::string_view value) noexcept {
  for_each_element(value, [this](std::string_view token) {
    if (chars::iequals_lower(token, "close"))
      close_ = true;
    else if (chars::iequals_lower(token, "keep-alive"))
      keep_alive_token_ = true;
    else if (chars::iequals_lower(token, "upgrade"))
      upgrade_token_ = true;
  });
}

ParseError FieldState::finish(RequestHead& out, uint64_t body_limit) const noexcept {
  if (minor_ == 1 && hosts_ == 0) return ParseError::MissingHost;
  if (te_) {
    // RFC 9112 6.1: TE with CL "ought to be handled as an error" (smuggling); it is checked
    // before the coding list so that TE: gzip + CL is a 400, not a 501.
    if (content_length_) return ParseError::FramingConflict;
    if (te_malformed_ || (te_chunked_ && !te_last_chunked_)) return ParseError::BadTransferEncoding;
    if (te_other_ || !te_chunked_) return ParseError::UnsupportedTransferCoding;
    out.body = BodyKind::Chunked;
  } else if (content_length_) {
    if (body_limit != 0 && length_ > body_limit) return ParseError::BodyTooLarge;
    out.body = BodyKind::Length;
    out.content_length = length_;
  }
  if (minor_ == 1 && expect_) {
    if (expect_other_) return ParseError::ExpectationFailed;
    out.expect_continue = true;
  }
  // RFC 9112 9.3: 1.1 is persistent unless "close"; 1.0 only with "keep-alive".
  out.keep_alive = minor_ == 1 ? !close_ : (keep_alive_token_ && !close_);
  out.upgrade = upgrade_token_ && upgrade_field_;
  return ParseError::None;
}

}  // namespace bastion::http
