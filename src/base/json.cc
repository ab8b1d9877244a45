// SPDX-License-Identifier: MIT
#include "base/json.h"

namespace bastion::base {
namespace {

/// Length of the valid UTF-8 sequence starting at s[k] (lead byte >= 0x80), or 0.
size_t utf8_sequence(std::string_view s, size_t k) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = byte(k);
  size_t n;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (k + n > s.size()) return 0;
  unsigned cp = c & (0xFFu >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    if ((byte(k + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k + i) & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

}  // namespace

std::string json_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t k = 0; k < s.size();) {
    auto c = static_cast<unsigned char>(s[k]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(s, k);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++k;
      } else {
        out.append(s.substr(k, n));
        k += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++k;
  }
  return out;
}

}  // namespace bastion::base
