// SPDX-License-Identifier: MIT
// The parsed head of one HTTP/1.x request. Pure data: every string_view points into the
// caller's input buffer, which must outlive the RequestHead and stay unmoved.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace bastion::http {

struct HeaderField {
  std::string_view name;   // as received (case preserved), a valid token, never contains '_'
  std::string_view value;  // leading/trailing SP/HTAB trimmed; no CTLs except HTAB
};

enum class TargetForm : uint8_t { Origin, Absolute, Authority, Asterisk };
enum class BodyKind : uint8_t { None, Length, Chunked };

/// Filled by RequestParser::parse() on Complete. Any thread; owned by one connection.
struct RequestHead {
  std::string_view method;  ///< token, case preserved
  std::string_view target;  ///< raw request-target, exactly as received (RAW_URI)
  TargetForm form = TargetForm::Origin;
  /// Raw (still percent-encoded) path. For absolute-form the path part, or "/" when empty (a
  /// static literal then: the only view that does not point into the input). Empty for the
  /// authority and asterisk forms.
  std::string_view path;
  std::string_view query;            ///< raw query without '?', empty if none; fragment excluded
  std::string_view authority;        ///< host[:port] of an absolute- or authority-form target
  int version_minor = 1;             ///< HTTP/1.<minor>; only 0 and 1 are ever produced
  std::vector<HeaderField> headers;  ///< in arrival order; names with '_' already dropped

  /// The Host field value as sent ("" when absent, allowed on 1.0). With an absolute-form
  /// target RFC 9112 3.2.2 says to use `authority` instead; that choice is the server's.
  std::string_view host;
  BodyKind body = BodyKind::None;  ///< Length also for "Content-Length: 0"
  uint64_t content_length = 0;     ///< valid when body == Length; <= Limits::body when set
  bool keep_alive = true;          ///< 1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool expect_continue = false;    ///< "Expect: 100-continue" on HTTP/1.1
  bool upgrade = false;  ///< Connection: upgrade + Upgrade present (not served; informs the app)

  /// First field named `name` (ASCII case-insensitive), or nullptr.
  const HeaderField* find(std::string_view name) const noexcept;
  /// Resets to the default state, keeping vector capacity (no allocation on reuse).
  void clear() noexcept;
};

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace bastion::http
