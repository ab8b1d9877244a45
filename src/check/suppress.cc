// SPDX-License-Identifier: MIT
// Suppression comment parsing.
#include "check/suppress.h"

#include <cctype>
#include <string>

namespace bastion::check {
namespace {

bool same_id(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (std::toupper(static_cast<unsigned char>(a[k])) != std::toupper(static_cast<unsigned char>(b[k]))) return false;
  return true;
}

// Reads ids like B201 or BC001 separated by spaces or commas. Returns true when any id was
// found; sets *hit when one names `rule`.
bool read_ids(std::string_view s, const RuleInfo& rule, bool* hit) {
  bool any = false;
  size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && (s[p] == ' ' || s[p] == ',' || s[p] == ':' || s[p] == '\t')) ++p;
    size_t b = p;
    while (p < s.size() && std::isalpha(static_cast<unsigned char>(s[p]))) ++p;
    size_t letters = p - b;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
    if (letters == 0 || p - b == letters) break;
    std::string_view id = s.substr(b, p - b);
    any = true;
    if (same_id(id, rule.id)) *hit = true;
    for (std::string_view bid : rule.bandit_ids)
      if (same_id(id, bid)) *hit = true;
  }
  return any;
}

}  // namespace

bool comment_suppresses(std::string_view c, const RuleInfo& rule) {
  size_t n = c.find("nosec");
  if (n != std::string_view::npos) {
    bool hit = false;
    if (!read_ids(c.substr(n + 5), rule, &hit)) return true;
    if (hit) return true;
  }
  size_t b = c.find("bastion:");
  if (b != std::string_view::npos) {
    std::string_view rest = c.substr(b + 8);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    if (rest.rfind("ignore", 0) == 0) {
      rest.remove_prefix(6);
      if (rest.empty() || rest[0] != '[') return true;
      size_t close = rest.find(']');
      bool hit = false;
      read_ids(rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1), rule, &hit);
      return hit;
    }
  }
  return false;
}

bool is_suppressed(const std::vector<LineComment>& comments, int32_t line, const RuleInfo& rule, bool previous_line) {
  for (const LineComment& c : comments) {
    if (c.line == line || (previous_line && c.line == line - 1))
      if (comment_suppresses(c.text, rule)) return true;
  }
  return false;
}

bool is_suppressed(const std::vector<LineComment>& comments, const std::vector<LineSpan>& spans, int32_t line,
                   const RuleInfo& rule, bool previous_line) {
  if (is_suppressed(comments, line, rule, previous_line)) return true;
  for (const LineSpan& s : spans) {
    if (line < s.first || line > s.last) continue;
    for (const LineComment& c : comments)
      if (c.line >= s.first && c.line <= s.last && comment_suppresses(c.text, rule)) return true;
  }
  return false;
}

}  // namespace bastion::check
