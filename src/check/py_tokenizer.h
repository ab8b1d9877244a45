// SPDX-License-Identifier: MIT
// A tolerant Python tokenizer for `bastion check`: Python 2 and 3 (up to 3.12 f-strings),
// never fails and never loops. Pure: no I/O, no CPython; depends on nothing but the STL.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace bastion::check {

enum class PyTok : uint8_t {
  Name,     // identifiers and keywords (the parser tells them apart)
  Number,   // any numeric literal, including Python 2 `10L` and `0777`
  String,   // one string literal with its prefix and quotes
  Op,       // operator or delimiter
  Newline,  // end of a logical line
  Indent,
  Dedent,
  Error,    // a byte that cannot start a token, or an unterminated string
  End,
};

/// Flags on a String token.
enum PyStrFlag : uint8_t {
  kStrRaw = 1,
  kStrBytes = 2,
  kStrFormat = 4,        // f-string (or t-string)
  kStrTriple = 8,
  kStrUnterminated = 16,
};

struct PyToken {
  PyTok kind = PyTok::End;
  uint8_t flags = 0;     // PyStrFlag bits for strings
  uint8_t prefix = 0;    // String: length of the prefix (r, b, f, rb, ...)
  uint8_t quote = 0;     // String: 1 or 3 quote characters
  uint32_t off = 0;      // byte offset of the token in the source
  uint32_t len = 0;
  int32_t line = 1;      // 1-based
  int32_t col = 1;       // 1-based, counted in characters (UTF-8 continuation bytes skipped)

  std::string_view text(std::string_view src) const { return src.substr(off, len); }
};

/// A comment's text (without the '#') and its line, kept for suppression comments.
struct PyComment {
  int32_t line = 0;
  std::string_view text;
};

struct PyTokens {
  std::vector<PyToken> tokens;     // always ends with End
  std::vector<PyComment> comments;
  int32_t first_error_line = 0;    // 0 when the tokenizer saw nothing odd
};

/// Tokenizes `src` (a byte-order mark must already be stripped). Views point into `src`,
/// which must outlive the result. Handles CRLF/CR line ends, tabs, backslash continuations,
/// brackets across lines (with recovery when a bracket is never closed), every string prefix,
/// triple quotes and nested f-string quotes. Any input is accepted; odd bytes become Error
/// tokens. Thread-safe (no shared state).
PyTokens tokenize_python(std::string_view src);

}  // namespace bastion::check
