// SPDX-License-Identifier: MIT
// The strict HTTP/1.1 request-head parser: an incremental line scanner that enforces limits
// early, then one validating pass over the complete head. Field semantics (Host, framing,
// Connection, Expect) live in fields.cc. Pure: no I/O, no Python, no allocation except the
// reused header vector.
#include "http/parser.h"

#include <algorithm>
#include <cstring>

#include "base/assert.h"
#include "http/chars.h"
#include "http/fields.h"

namespace bastion::http {
namespace {

using chars::is;

constexpr size_t kMaxRequestLine = 64 * 1024;  // used when limits.request_line == 0
constexpr size_t kDefaultHeaderTotal = 1024 * 1024;

Limits normalise(Limits l) noexcept {
  if (l.request_line == 0) l.request_line = kMaxRequestLine;
  if (l.header_total == 0) l.header_total = kDefaultHeaderTotal;
  if (l.header_fields == 0) l.header_fields = SIZE_MAX;
  if (l.header_field_size == 0) l.header_field_size = l.header_total;
  return l;
}

// ---- request line -------------------------------------------------------------------------

// "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3; HTTP-name is case-sensitive).
ParseError parse_version(std::string_view v, int* minor) noexcept {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is(v[5], chars::kDigit) || v[6] != '.' ||
      !is(v[7], chars::kDigit))
    return ParseError::BadVersion;
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return ParseError::VersionNotSupported;
  *minor = v[7] - '0';
  return ParseError::None;
}

// Splits path and query of an origin-form target (or the path part of an absolute one).
// A fragment ('#...') is not part of a request-target; if a client sends one anyway it is
// kept in `target` (RAW_URI) but excluded from path and query.
void split_path_query(std::string_view rest, RequestHead& out) noexcept {
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.path = rest;
    out.query = {};
  } else {
    out.path = rest.substr(0, q);
    out.query = rest.substr(q + 1);
  }
}

// RFC 9112 3.2: the four target forms, each allowed only where the RFC allows it.
ParseError classify_target(RequestHead& out) noexcept {
  const std::string_view t = out.target;
  if (out.method == "CONNECT") {  // authority-form only, and only for CONNECT (3.2.3)
    if (!valid_authority(t, /*require_port=*/true)) return ParseError::BadTarget;
    out.form = TargetForm::Authority;
    out.authority = t;
    return ParseError::None;
  }
  if (t[0] == '/') {
    out.form = TargetForm::Origin;
    split_path_query(t, out);
    return ParseError::None;
  }
  if (t == "*") {  // asterisk-form only for OPTIONS (3.2.4)
    if (out.method != "OPTIONS") return ParseError::BadTarget;
    out.form = TargetForm::Asterisk;
    return ParseError::None;
  }
  // absolute-form (3.2.2): only the http and https schemes are ours to serve.
  size_t scheme_len = 0;
  if (t.size() >= 7 && chars::iequals_lower(t.substr(0, 7), "http://")) scheme_len = 7;
  if (t.size() >= 8 && chars::iequals_lower(t.substr(0, 8), "https://")) scheme_len = 8;
  if (scheme_len == 0) return ParseError::BadTarget;
  const std::string_view rest = t.substr(scheme_len);
  const size_t end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, end);
  // userinfo ('@') is refused: RFC 9110 4.2.4 says to treat it as an error (phishing).
  if (authority.empty() || !valid_authority(authority, /*require_port=*/false))
    return ParseError::BadTarget;
  out.form = TargetForm::Absolute;
  out.authority = authority;
  split_path_query(rest.substr(end), out);
  if (out.path.empty()) out.path = "/";  // static storage, documented in request.h
  return ParseError::None;
}

// method SP request-target SP HTTP-version CRLF (RFC 9112 3). `p` is the first byte of the
// line; on success it is left after the LF. The scanner has already guaranteed that every LF
// in the head is preceded by CR, so a CR followed by anything else is a bare CR.
ParseError parse_request_line(const char*& p, const char* end, RequestHead& out) noexcept {
  const char* const m = p;
  while (is(*p, chars::kTchar)) ++p;
  if (*p == '\r' || (*p == ' ' && p == m)) return ParseError::BadRequestLine;
  if (*p != ' ') return ParseError::BadMethod;  // the scanner usually caught it already
  out.method = std::string_view(m, static_cast<size_t>(p - m));

  const char* const t = ++p;
  p = chars::skip_run(p, end, chars::kTarget);
  if (*p != ' ') return *p == '\r' ? ParseError::BadRequestLine : ParseError::BadTarget;
  if (p == t) return ParseError::BadRequestLine;  // two spaces in a row
  out.target = std::string_view(t, static_cast<size_t>(p - t));

  const char* const v = ++p;
  while (is(*p, chars::kTarget)) ++p;
  if (*p != '\r') return *p == ' ' ? ParseError::BadRequestLine : ParseError::BadVersion;
  if (p + 1 >= end || p[1] != '\n') return ParseError::BadRequestLine;  // bare CR
  ParseError e = parse_version(std::string_view(v, static_cast<size_t>(p - v)), &out.version_minor);
  if (e != ParseError::None) return e;
  p += 2;
  return classify_target(out);
}

// ---- header fields ------------------------------------------------------------------------

// field-line = field-name ":" OWS field-value OWS CRLF (RFC 9112 5). `p` is at the first byte
// of a line that is not the final empty line; on success it is left after the LF.
ParseError parse_field_line(const char*& p, const char* end, HeaderField& field,
                            bool& has_underscore) noexcept {
  if (is(*p, chars::kSpace)) return ParseError::ObsFold;  // RFC 9112 5.2: reject obs-fold
  const char* const n = p;
  while (is(*p, chars::kTchar)) ++p;
  if (*p != ':' || p == n) {
    // A bare CR is a value-class error; everything else (no colon, whitespace before the
    // colon, NUL, non-ASCII, empty name) is a bad name (RFC 9112 5.1).
    if (*p == '\r' && (p + 1 >= end || p[1] != '\n')) return ParseError::BadHeaderValue;
    return ParseError::BadHeaderName;
  }
  field.name = std::string_view(n, static_cast<size_t>(p - n));
  has_underscore = std::memchr(n, '_', field.name.size()) != nullptr;
  ++p;
  while (is(*p, chars::kSpace)) ++p;
  const char* const v = p;
  p = chars::skip_run(p, end, chars::kFieldValue);
  if (*p != '\r' || p + 1 >= end || p[1] != '\n') return ParseError::BadHeaderValue;
  const char* e = p;
  while (e > v && is(e[-1], chars::kSpace)) --e;
  field.value = std::string_view(v, static_cast<size_t>(e - v));
  p += 2;
  return ParseError::None;
}

ParseError parse_fields(const char* p, const char* end, uint64_t body_limit,
                        RequestHead& out) noexcept {
  FieldState state(out.version_minor);
  HeaderField field;
  while (*p != '\r') {  // the scanner guarantees the head ends with an empty CRLF line
    bool has_underscore = false;
    ParseError e = parse_field_line(p, end, field, has_underscore);
    if (e != ParseError::None) return e;
    // Names with '_' are dropped (DESIGN 4): they would alias '-' names in HTTP_* keys.
    if (has_underscore) continue;
    e = state.on_field(field, out);
    if (e != ParseError::None) return e;
    out.headers.push_back(field);
  }
  return state.finish(out, body_limit);
}

}  // namespace

// ---- the scanner ----------------------------------------------------------------------------

RequestParser::RequestParser(const Limits& limits) noexcept : limits_(normalise(limits)) {
  max_field_content_ = limits_.header_field_size >= 2 ? limits_.header_field_size - 2 : 0;
}

// Rejects a request line whose method position holds a byte that can never start an HTTP
// request (a TLS ClientHello, binary junk) as soon as it arrives, instead of waiting for a
// CRLF that will never come. Stops at SP, CR or LF: the full parse judges those.
ParseError RequestParser::check_method_bytes(std::string_view input, size_t bound) noexcept {
  size_t i = std::max(scan_.method_pos, scan_.line_start);
  for (; i < bound; ++i) {
    const char c = input[i];
    if (is(c, chars::kTchar)) continue;
    if (c == ' ' || c == '\r' || c == '\n') {
      scan_.method_done = true;
      return ParseError::None;
    }
    return ParseError::BadMethod;
  }
  scan_.method_pos = i;
  return ParseError::None;
}

// A line ending at `lf` (preceded by CR, within limits) was found.
ParseError RequestParser::line_complete(size_t lf) noexcept {
  const bool empty = lf == scan_.line_start + 1;
  if (scan_.lines == 0) {
    if (empty) {
      // RFC 9112 2.2: ignore at least one empty line before the request line; we ignore
      // exactly one, so a stream of CRLFs cannot keep a connection busy.
      if (scan_.line_start != 0) return ParseError::BadRequestLine;
      scan_.head_start = lf + 1;
      scan_.method_pos = lf + 1;
      scan_.method_done = false;
    } else {
      scan_.lines = 1;
    }
  } else if (empty) {
    scan_.head_end = lf + 1;
  } else {
    if (scan_.lines > limits_.header_fields) return ParseError::TooManyHeaders;
    ++scan_.lines;
  }
  scan_.line_start = lf + 1;
  return ParseError::None;
}

// Looks for the end of the head, enforcing limits at the byte where they are crossed. Every
// check is a function of byte positions only, so whole and piecewise input agree.
ParseError RequestParser::scan_head(std::string_view input) noexcept {
  const size_t size = input.size();
  size_t pos = scan_.scanned;
  while (scan_.head_end == 0) {
    const bool request_line = scan_.lines == 0;
    const size_t max_content = request_line ? limits_.request_line : max_field_content_;
    const size_t line_limit = scan_.line_start + max_content;  // first byte past the limit
    const size_t total_limit = limits_.header_total;           // first byte past the total
    if (request_line && !scan_.method_done) {
      ParseError e = check_method_bytes(input, std::min({size, line_limit, total_limit}));
      if (e != ParseError::None) return e;
    }
    // An LF may sit at most at line_limit + 1 (after a CR at line_limit).
    const size_t search_end = std::min({size, line_limit + 2, total_limit});
    const void* hit =
        pos < search_end ? std::memchr(input.data() + pos, '\n', search_end - pos) : nullptr;
    if (hit == nullptr) {
      scan_.scanned = std::max(pos, search_end);
      // No LF yet: the error, if any, is the limit crossed at the lowest byte position
      // (a tie goes to the line limit, the more specific one).
      size_t line_pos = SIZE_MAX;
      if (size > line_limit) {
        const char c = input[line_limit];
        if (c != '\r' && c != '\n')
          line_pos = line_limit;
        else if (c == '\r' && size > line_limit + 1 && input[line_limit + 1] != '\n')
          line_pos = line_limit + 1;
      }
      const size_t total_pos = size > total_limit ? total_limit : SIZE_MAX;
      if (line_pos == SIZE_MAX && total_pos == SIZE_MAX) return ParseError::None;
      if (line_pos <= total_pos)
        return request_line ? ParseError::UriTooLong : ParseError::HeaderFieldTooLarge;
      return ParseError::HeadersTooLarge;
    }
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - input.data());
    const bool has_cr = lf > scan_.line_start && input[lf - 1] == '\r';
    const size_t content = lf - scan_.line_start - (has_cr ? 1 : 0);
    if (content > max_content)
      return request_line ? ParseError::UriTooLong : ParseError::HeaderFieldTooLarge;
    if (!has_cr) return request_line ? ParseError::BadRequestLine : ParseError::BadHeaderValue;
    ParseError e = line_complete(lf);
    if (e != ParseError::None) return e;
    pos = lf + 1;
    scan_.scanned = pos;
  }
  return ParseError::None;
}

ParseResult RequestParser::parse(std::string_view input, RequestHead& out) noexcept {
  if (scan_.error != ParseError::None) return {ParseStatus::Error, 0, scan_.error};
  BASTION_ASSERT(input.size() >= scan_.scanned);
  if (scan_.head_end == 0) {
    scan_.error = scan_head(input);
    if (scan_.error != ParseError::None) return {ParseStatus::Error, 0, scan_.error};
    if (scan_.head_end == 0) return {ParseStatus::NeedMore, 0, ParseError::None};
  }
  out.clear();
  const char* p = input.data() + scan_.head_start;
  const char* const end = input.data() + scan_.head_end;
  ParseError e = parse_request_line(p, end, out);
  if (e == ParseError::None) e = parse_fields(p, end, limits_.body, out);
  if (e != ParseError::None) {
    scan_.error = e;
    return {ParseStatus::Error, 0, e};
  }
  return {ParseStatus::Complete, scan_.head_end, ParseError::None};
}

}  // namespace bastion::http
