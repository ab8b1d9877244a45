// SPDX-License-Identifier: MIT
// JSON string escaping shared by every JSON writer (check reports, the guard's dry run,
// --print-config=json). Pure; any thread. No dependencies.
#pragma once

#include <string>
#include <string_view>

namespace bastion::base {

/// The body of a JSON string for `s` (no surrounding quotes): quote, backslash and control
/// characters escaped, valid UTF-8 kept as is, each invalid byte replaced by U+FFFD.
std::string json_escape(std::string_view s);

/// `s` as a quoted JSON string literal.
inline std::string json_quote(std::string_view s) { return "\"" + json_escape(s) + "\""; }

}  // namespace bastion::base
