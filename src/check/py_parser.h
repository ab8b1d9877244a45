// SPDX-License-Identifier: MIT
// Builds the light syntax tree (check/py_ast.h) from Python source. Tolerant: a statement
// that does not parse is skipped (and recorded in first_error_line), never fatal.
// Only the STL and the tokenizer.
#pragma once

#include <memory>
#include <string>

#include "check/py_ast.h"

namespace bastion::check {

/// Parses `source` (a leading UTF-8 byte-order mark is removed). Always returns a module;
/// nesting deeper than a fixed limit is treated as a syntax error, so stack use is bounded.
/// Thread-safe (no shared state).
std::unique_ptr<PyModule> parse_python(std::string source);

/// Decodes a string literal token (prefix, quotes and escapes) into `out`. An f-string's
/// replacement fields are kept verbatim. Returns the PyStrFlag bits of the literal, with
/// kStrFormat cleared when the f-string has no replacement field.
uint8_t decode_python_string(std::string_view token_text, uint8_t prefix_len, uint8_t quote_len,
                             uint8_t flags, std::string& out);

}  // namespace bastion::check
