// SPDX-License-Identifier: MIT
// Every way a request can be refused, and the one table that maps each to an HTTP
// status and a ready-made response. Pure: no I/O, no Python.
#pragma once

#include <cstdint>
#include <string_view>

namespace bastion::http {

enum class ParseError : uint8_t {
  None = 0,
  BadRequestLine,       // 400: token count, separators, bare CR/LF, leading junk
  BadMethod,            // 400: method is not a token (RFC 9110 5.6.2)
  BadTarget,            // 400: not origin/absolute/authority(CONNECT)/asterisk(OPTIONS) form, CTLs
  UriTooLong,           // 414: request line longer than limit_request_line
  BadVersion,           // 400: not HTTP/D.D
  VersionNotSupported,  // 505: HTTP/D.D other than 1.0 and 1.1
  BadHeaderName,        // 400: empty name, non-token, whitespace before colon
  BadHeaderValue,       // 400: CTL (other than HTAB), bare CR or LF in a value
  ObsFold,              // 400: obs-fold continuation line
  HeaderFieldTooLarge,  // 431: one field line longer than limit_request_field_size
  TooManyHeaders,       // 431: more fields than limit_request_fields
  HeadersTooLarge,      // 431: header section larger than the total cap
  MissingHost,          // 400: HTTP/1.1 without Host
  DuplicateHost,        // 400: more than one Host
  DuplicateField,       // 400: repeated singleton field (Content-Type)
  BadContentLength,     // 400: not 1*DIGIT, repeated, list form, overflow
  FramingConflict,      // 400: Transfer-Encoding together with Content-Length
  BadTransferEncoding,  // 400: chunked not last, chunked twice, TE on HTTP/1.0, empty coding
  UnsupportedTransferCoding,  // 501: a coding other than chunked
  BodyTooLarge,               // 413: declared or received body above limit_request_body
  ExpectationFailed,          // 417: Expect other than 100-continue
  BadChunkSize,               // 400: chunk-size not hex, too long, overflow
  BadChunkExtension,          // 400: malformed chunk extension, bare CR/LF in it
  BadChunkTerminator,         // 400: missing CRLF after chunk data or final chunk
  BadTrailer,                 // 400: malformed trailer field, forbidden trailer name
  TrailersTooLarge,           // 431: trailer section over its cap
  HeaderTimeout,              // 408: request head not complete within header_timeout
  BodyTimeout,                // 408: body not complete within body_timeout
  BadProxyHeader,             // 400: forwarded/scheme headers that contradict each other
  BodyStorage,                // 500: the body could not be spooled (temporary directory full)
  UntrustedProxyHeader,       // 403: a PROXY protocol header from a peer outside proxy_allow_ips
  Count_
};

/// HTTP status code for `error` (400, 403, 408, 413, 414, 417, 431, 500, 501, 505). Any thread.
/// ParseError::None (and any out-of-range value) maps to a generic 400: an error path that
/// lost its reason still answers with a refusal, never a success.
int status_for(ParseError error) noexcept;

/// Short stable name for logs and tests, e.g. "BadContentLength" (the enumerator's name;
/// the corpus .expect.json files use it). "Unknown" for out-of-range values.
std::string_view name_of(ParseError error) noexcept;

/// A complete HTTP/1.1 error response for `error`, with `Connection: close`, a
/// Content-Length and a short text/plain body naming the problem. Never contains
/// request data (no reflection). Static storage built at compile time; any thread.
std::string_view canned_response(ParseError error) noexcept;

}  // namespace bastion::http
