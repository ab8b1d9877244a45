// SPDX-License-Identifier: MIT
// Internal to src/http: the byte classes of RFC 9110/9112/3986 as one 256-entry table, so
// every per-byte check on the hot path is a single load and mask. No dependencies.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
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
  for (unsigned c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
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

// ---- eight bytes at a time -------------------------------------------------------------
// Field values and targets are the bulk of a head and are nearly always plain VCHAR, so they
// are skipped a word at a time and only the word holding the stop byte goes through the table.
// The tests below are exact for "any byte matches" (the classic haszero/hasless bit tricks).

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

constexpr bool any_byte_below(uint64_t w, uint8_t n) noexcept {  // n <= 128
  return ((w - kOnes * n) & ~w & kHighs) != 0;
}
constexpr bool any_byte_equal(uint64_t w, uint8_t b) noexcept {
  const uint64_t x = w ^ (kOnes * b);
  return ((x - kOnes) & ~x & kHighs) != 0;
}

/// Advances `p` over bytes of class `cls` (kFieldValue or kTarget) and returns the first byte
/// that is not; never reads at or past `end`, which must hold a non-member byte before it.
inline const char* skip_run(const char* p, const char* end, uint8_t cls) noexcept {
  // Below `floor` every byte is outside the class except HTAB for field values, which simply
  // ends the fast path; DEL is outside both classes.
  const uint8_t floor = cls == kTarget ? 0x21 : 0x20;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (any_byte_below(w, floor) || any_byte_equal(w, 0x7f)) break;
    p += 8;
  }
  while (is(*p, cls)) ++p;
  return p;
}

}  // namespace bastion::http::chars
