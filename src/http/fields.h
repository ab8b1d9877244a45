// SPDX-License-Identifier: MIT
// Internal to src/http: the meaning of the request fields the server itself acts on (Host,
// Content-Length, Transfer-Encoding, Connection, Expect, Content-Type, Upgrade), applied
// field by field and then as a whole. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/errors.h"
#include "http/request.h"

namespace bastion::http {

/// uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2): a reg-name or IPv4 of unreserved,
/// pct-encoded and sub-delim bytes, or an IP-literal in brackets; port = up to 5 digits,
/// <= 65535 (empty allowed unless `require_port`). Refuses userinfo ('@'), whitespace, '/',
/// '?', '#', and an empty host when a port is given.
bool valid_authority(std::string_view authority, bool require_port) noexcept;

/// Host field value: empty (RFC 9110 7.2 allows it) or valid_authority(value, false).
bool valid_host_value(std::string_view value) noexcept;

/// Collects the framing-relevant fields of one head. on_field() is called for every stored
/// field in order and reports errors tied to one field line; finish() applies the rules that
/// need the whole set and fills the derived RequestHead members.
class FieldState {
 public:
  explicit FieldState(int version_minor) noexcept : minor_(version_minor) {}

  ParseError on_field(const HeaderField& field, RequestHead& out) noexcept;
  /// `body_limit`: Limits::body (0 = unlimited), checked against a declared Content-Length.
  ParseError finish(RequestHead& out, uint64_t body_limit) const noexcept;

 private:
  void on_transfer_encoding(std::string_view value) noexcept;
  void on_connection(std::string_view value) noexcept;

  int minor_;
  unsigned hosts_ = 0;
  bool content_type_ = false;
  bool content_length_ = false;
  uint64_t length_ = 0;
  // Transfer-Encoding, accumulated over every TE field line.
  bool te_ = false;
  bool te_malformed_ = false;  // empty element, non-token, params on chunked, chunked twice
  bool te_other_ = false;      // a coding other than chunked
  bool te_chunked_ = false;    // chunked seen
  bool te_last_chunked_ = false;
  // Connection / Upgrade / Expect.
  bool close_ = false;
  bool keep_alive_token_ = false;
  bool upgrade_token_ = false;
  bool upgrade_field_ = false;
  bool expect_ = false;
  bool expect_other_ = false;
};

}  // namespace bastion::http
