// SPDX-License-Identifier: MIT
// Response serialisation helpers: status reasons, header validation, the cached Date value,
// status line and chunk framing. Pure: no I/O, no Python.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace bastion::http {

/// Standard reason phrase for `status` ("OK", "Not Found"), or "" when unknown.
std::string_view reason_phrase(int status) noexcept;

/// True if `name` is a non-empty RFC 9110 token.
bool is_token(std::string_view name) noexcept;
/// True if `value` has only VCHAR, obs-text, SP and HTAB (no CR, LF, NUL, DEL or other CTL).
/// The empty value is valid.
bool is_field_value(std::string_view value) noexcept;
/// Hop-by-hop and server-owned response fields an app must not set: Connection, Keep-Alive,
/// Proxy-Authenticate, Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade.
bool is_hop_by_hop(std::string_view name) noexcept;

/// Validates a WSGI status string "NNN Reason": three digits, 100..999, a space, a reason
/// of field-value characters (may be empty: "200 "). On success stores the code; on failure
/// leaves `*code` untouched. Rejects CR/LF/NUL anywhere, so the status can never split a
/// response.
bool parse_status_line(std::string_view status, int* code) noexcept;

/// True when a response with `status` has no body (1xx, 204, 304). A response to HEAD has
/// none either; the caller knows the method and checks that itself.
bool status_forbids_body(int status) noexcept;

/// "HTTP/1.<minor> " + status text + CRLF.
void append_status_line(std::string& out, int version_minor, std::string_view status);
/// "name: value" CRLF.
void append_header(std::string& out, std::string_view name, std::string_view value);
/// Chunk-size line for a chunk of `size` bytes: hex + CRLF.
void append_chunk_header(std::string& out, uint64_t size);

/// Cached RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), recomputed at most once a
/// second. One per thread (not thread-safe); the loop owns its own.
class DateCache {
 public:
  std::string_view get() noexcept;           // uses time(nullptr)
  std::string_view at(time_t now) noexcept;  // for tests
 private:
  time_t last_ = -1;
  char buf_[32] = {};
  size_t len_ = 0;
};

/// Decodes %XX escapes (either hex case) into `out`, replacing its content (bytes; the WSGI
/// latin-1 string is made by the caller). Invalid escapes ("%", "%2", "%zz") are copied through
/// unchanged, as Gunicorn and Waitress do; '+' stays '+' (it is not a space in a path).
void percent_decode(std::string_view in, std::string& out);

}  // namespace bastion::http
