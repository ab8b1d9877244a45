// SPDX-License-Identifier: MIT
// Glob matching by backtracking with a step budget (patterns come from users and
// repositories; the budget keeps a pathological pattern from stalling a scan).
#include "check/glob.h"

namespace bastion::check {
namespace {

enum class ClassResult { NotAClass, Hit, Miss };

// pat[p] == '['. On a class, p moves past its ']'.
ClassResult class_match(std::string_view pat, size_t& p, char c) {
  size_t k = p + 1;
  bool neg = k < pat.size() && (pat[k] == '!' || pat[k] == '^');
  if (neg) ++k;
  bool hit = false;
  size_t first = k;
  while (k < pat.size() && (pat[k] != ']' || k == first)) {
    if (k + 2 < pat.size() && pat[k + 1] == '-' && pat[k + 2] != ']') {
      hit = hit || (c >= pat[k] && c <= pat[k + 2]);
      k += 3;
    } else {
      hit = hit || c == pat[k];
      ++k;
    }
  }
  if (k >= pat.size()) return ClassResult::NotAClass;
  p = k + 1;
  return hit != neg ? ClassResult::Hit : ClassResult::Miss;
}

bool match(std::string_view pat, size_t p, std::string_view s, size_t t, long& budget) {
  while (true) {
    if (--budget < 0) return false;
    if (p == pat.size()) return t == s.size();
    char c = pat[p];
    if (c == '*') {
      bool dbl = p + 1 < pat.size() && pat[p + 1] == '*';
      if (dbl) {
        size_t q = p + 2;
        bool slash_after = q < pat.size() && pat[q] == '/';
        bool at_seg_start = p == 0 || pat[p - 1] == '/';
        if (at_seg_start && (slash_after || q == pat.size())) {
          if (q == pat.size()) return true;  // trailing /**: everything below
          // "**/" matches zero or more whole directories.
          if (match(pat, q + 1, s, t, budget)) return true;
          for (size_t k = t; k < s.size(); ++k)
            if (s[k] == '/' && match(pat, q + 1, s, k + 1, budget)) return true;
          return false;
        }
        // "**" inside a segment acts like "*" that may cross '/'.
        for (size_t k = t; k <= s.size(); ++k)
          if (match(pat, q, s, k, budget)) return true;
        return false;
      }
      for (size_t k = t; k <= s.size(); ++k) {
        if (match(pat, p + 1, s, k, budget)) return true;
        if (k < s.size() && s[k] == '/') break;
      }
      return false;
    }
    if (t == s.size()) return false;
    if (c == '?') {
      if (s[t] == '/') return false;
    } else if (c == '[') {
      size_t q = p;
      ClassResult r = class_match(pat, q, s[t]);
      if (r == ClassResult::Hit && s[t] != '/') {
        p = q;
        ++t;
        continue;
      }
      if (r != ClassResult::NotAClass || s[t] != '[') return false;
    } else if (c == '\\' && p + 1 < pat.size()) {
      ++p;
      if (pat[p] != s[t]) return false;
    } else if (c != s[t]) {
      return false;
    }
    ++p;
    ++t;
  }
}

}  // namespace

bool path_glob_match(std::string_view pattern, std::string_view path) {
  long budget = 200000;
  return match(pattern, 0, path, 0, budget);
}

IgnoreFile::IgnoreFile(std::string base, std::string_view text) : base_(std::move(base)) {
  size_t p = 0;
  while (p <= text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(p, e - p);
    p = e + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t') &&
           !(line.size() > 1 && line[line.size() - 2] == '\\'))
      line.remove_suffix(1);
    if (line.empty() || line[0] == '#') {
      if (e == text.size()) break;
      continue;
    }
    Rule r;
    if (line[0] == '!') {
      r.negate = true;
      line.remove_prefix(1);
    } else if (line[0] == '\\') {
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      r.dir_only = true;
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    r.anchored = line.find('/') != std::string_view::npos;
    if (line[0] == '/') line.remove_prefix(1);
    r.pattern = std::string(line);
    if (rules_.size() < 10000) rules_.push_back(std::move(r));
    if (e == text.size()) break;
  }
}

int IgnoreFile::match(std::string_view rel, bool is_dir) const {
  std::string_view sub = rel;
  if (!base_.empty()) {
    if (rel.size() <= base_.size() || rel.compare(0, base_.size(), base_) != 0 || rel[base_.size()] != '/') return 0;
    sub = rel.substr(base_.size() + 1);
  }
  std::string_view name = sub.substr(sub.rfind('/') == std::string_view::npos ? 0 : sub.rfind('/') + 1);
  int result = 0;
  for (const Rule& r : rules_) {
    if (r.dir_only && !is_dir) continue;
    bool hit = r.anchored ? path_glob_match(r.pattern, sub) : path_glob_match(r.pattern, name);
    if (hit) result = r.negate ? -1 : 1;
  }
  return result;
}

}  // namespace bastion::check
