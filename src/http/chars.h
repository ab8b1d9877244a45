// SPDX-License-Identifier: MIT
// Internal to src/http: the byte classes of RFC 9110/9112/3986 as one 256-entry table, so
// every per-byte check on the hot path is a single load and mask. No dependencies.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace bastion::http::chars {

enum : uint8_t {
  kTchar = 1u << 0,       // RFC 9110 5.6.2 tchar
  kFieldValue = 1u << 1,  // RFC 9110 5.5 field-vchar / obs-text, plus SP and HTAB
  kTarget = 1u << 2,      // request-target byte we accept: not CTL, not SP (obs-text allowed)
  kHost = 1u << 3,        // RFC 3986 reg-name / IPv4: unreserved, pct '%', sub-delims
  kHex = 1u << 4,         // HEXDIG (either case)
  kDigit = 1u << 5,       // DIGIT
  kQdtext = 1u << 6,      // RFC 9110 5.6.4 qdtext (HTAB, SP, VCHAR except '"' and '\', obs-text)
  kSpace = 1u << 7,       // SP or HTAB (the only whitespace HTTP knows; 0x85 and 0xA0 are not)
};

consteval std::array<uint8_t, 256> make_table() {
  std::array<uint8_t, 256> t{};
  constexpr std::string_view kTcharPunct = "!#$%&'*+-.^_`|~";
  constexpr std::string_view kHostPunct = "-._~%!$&'()*+,;=";
  for (unsigned c = 0; c < 256; ++c) {
    uint8_t v = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool vchar = c >= 0x21 && c <= 0x7e;
    const bool obs_text = c >= 0x80;
    if (alpha || digit || kTcharPunct.find(static_cast<char>(c)) != std::string_view::npos)
      v |= kTchar;
    if (vchar || obs_text || c == ' ' || c == '\t') v |= kFieldValue;
    if (vchar || obs_text) v |= kTarget;
    if (alpha || digit || kHostPunct.find(static_cast<char>(c)) != std::string_view::npos)
      v |= kHost;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (digit) v |= kDigit;
    if ((vchar && c != '"' && c != '\\') || obs_text || c == ' ' || c == '\t') v |= kQdtext;
    if (c == ' ' || c == '\t') v |= kSpace;
    t[c] = v;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kTable = make_table();

constexpr bool is(char c, uint8_t cls) noexcept {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}

consteval std::array<char, 256> make_lower() {
  std::array<char, 256> t{};
  for (unsigned c = 0; c < 256; ++c)
    t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return t;
}

inline constexpr std::array<char, 256> kLower = make_lower();

constexpr char lower(char c) noexcept { return kLower[static_cast<unsigned char>(c)]; }

/// Value of a hex digit (caller has checked kHex).
constexpr unsigned hex_value(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u <= '9') return u - '0';
  return (u | 0x20u) - 'a' + 10;
}

/// Trims SP/HTAB (only those) from both ends.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is(s[b], kSpace)) ++b;
  while (e > b && is(s[e - 1], kSpace)) --e;
  return s.substr(b, e - b);
}

/// True when every byte of `s` has class `cls` (empty -> true).
constexpr bool all_of(std::string_view s, uint8_t cls) noexcept {
  for (char c : s)
    if (!is(c, cls)) return false;
  return true;
}

/// Lower-case ASCII comparison of `s` with an already lower-case literal.
constexpr bool iequals_lower(std::string_view s, std::string_view lower_literal) noexcept {
  if (s.size() != lower_literal.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lower_literal[i]) return false;
  return true;
}

}  // namespace bastion::http::chars
