// SPDX-License-Identifier: MIT
// Command-line parsing driven by the settings table. Follows the argparse behaviour Gunicorn
// users rely on (abbreviations, "-w4", "--flag=value", "-" as a value) so existing command
// lines keep working; where argparse would be silent, this parser reports an error.
#include "config/args.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace bastion::config {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool is_negative_number(std::string_view tok) {
  if (tok.size() < 2 || tok[0] != '-') return false;
  bool digit = false;
  bool dot = false;
  for (char c : tok.substr(1)) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

// A token that can be a flag's value: not an option, though "-" and "-5" are values.
bool is_value_token(std::string_view tok) {
  return tok.empty() || tok[0] != '-' || tok == "-" || is_negative_number(tok);
}

std::vector<std::string> split_flags(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t space = list.find(' ', start);
    if (space == std::string_view::npos) space = list.size();
    if (space > start) out.emplace_back(list.substr(start, space - start));
    start = space + 1;
  }
  return out;
}

// Every long flag a user may type (hidden ones excluded).
const std::vector<std::string>& long_flags() {
  static const std::vector<std::string> flags = [] {
    std::vector<std::string> out{"--help", "--version"};
    for (const Setting& s : settings()) {
      for (std::string_view list : {s.flags, s.neg_flags}) {
        for (std::string& f : split_flags(list)) {
          if (f.starts_with("--")) out.push_back(std::move(f));
        }
      }
    }
    return out;
  }();
  return flags;
}

enum class Special { None, Help, Version, DumpDoc };

Special special_of(std::string_view flag) {
  if (flag == "--help" || flag == "-h") return Special::Help;
  if (flag == "--version" || flag == "-v") return Special::Version;
  if (flag == "--dump-config-doc") return Special::DumpDoc;
  return Special::None;
}

// Resolves a long flag, allowing a unique prefix as argparse does.
base::Result<std::string> resolve_long(std::string_view name) {
  if (special_of(name) != Special::None) return std::string(name);
  bool negative = false;
  if (find_flag(name, &negative)) return std::string(name);
  std::vector<std::string> matches;
  for (const std::string& f : long_flags()) {
    if (f.starts_with(name)) matches.push_back(f);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.size() > 1) {
    std::string list;
    for (const std::string& m : matches) list += (list.empty() ? "" : ", ") + m;
    return base::make_error("ambiguous option " + quoted(name) + " could match " + list);
  }
  std::string hint = closest(name, long_flags());
  return base::make_error("unrecognized option " + quoted(name) +
                          (hint.empty() ? " (see --help)" : " (did you mean " + hint + "?)"));
}

bool in_choices_ci(std::string_view choices, std::string_view word) {
  std::string w(word);
  for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t start = 0;
  for (;;) {
    size_t bar = choices.find('|', start);
    if (choices.substr(start, bar - start) == w) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

class ArgParser {
 public:
  explicit ArgParser(const std::vector<std::string>& args) : args_(args) {}

  base::Result<ParsedArgs> run() {
    bool only_positional = false;
    for (i_ = 0; i_ < args_.size(); ++i_) {
      const std::string& tok = args_[i_];
      base::Status st = base::Ok{};
      if (only_positional || tok == "-" || tok.empty() || tok[0] != '-' ||
          is_negative_number(tok)) {
        out_.positionals.push_back(tok);
      } else if (tok == "--") {
        only_positional = true;
      } else if (tok.starts_with("--")) {
        st = long_option(tok);
      } else {
        st = short_cluster(tok);
      }
      if (!st.ok()) return std::move(st).error();
    }
    return std::move(out_);
  }

 private:
  bool handle_special(std::string_view flag) {
    switch (special_of(flag)) {
      case Special::Help: out_.help = true; return true;
      case Special::Version: out_.version = true; return true;
      case Special::DumpDoc: out_.dump_doc = true; return true;
      case Special::None: return false;
    }
    return false;
  }

  base::Status long_option(const std::string& tok) {
    size_t eq = tok.find('=');
    std::string typed = tok.substr(0, eq);
    auto flag = resolve_long(typed);
    if (!flag.ok()) return std::move(flag).error();
    if (handle_special(*flag)) {
      if (eq != std::string::npos) return base::make_error(*flag + " takes no value");
      return base::Ok{};
    }
    bool negative = false;
    const Setting* s = find_flag(*flag, &negative);
    std::optional<std::string> inline_value;
    if (eq != std::string::npos) inline_value = tok.substr(eq + 1);
    return option(s, negative, *flag, inline_value);
  }

  base::Status short_cluster(const std::string& tok) {
    for (size_t pos = 1; pos < tok.size(); ++pos) {
      std::string flag = std::string("-") + tok[pos];
      if (handle_special(flag)) continue;
      bool negative = false;
      const Setting* s = find_flag(flag, &negative);
      if (!s) {
        std::string hint = pos == 1 ? closest(tok, long_flags()) : "";
        return base::make_error("unrecognized option " + quoted(pos == 1 ? tok : flag) +
                                (hint.empty() ? " (see --help)"
                                              : " (did you mean " + hint + "?)"));
      }
      if (s->kind == Kind::Bool || negative) {
        add(s, flag, json::Value::boolean(!negative));
        continue;
      }
      std::string rest = tok.substr(pos + 1);
      if (!rest.empty() && rest[0] == '=') rest.erase(0, 1);
      std::optional<std::string> inline_value;
      if (!rest.empty()) inline_value = rest;
      return option(s, false, flag, inline_value);
    }
    return base::Ok{};
  }

  base::Status option(const Setting* s, bool negative, const std::string& flag,
                      const std::optional<std::string>& inline_value) {
    if (negative) {
      if (inline_value) return base::make_error(flag + " takes no value");
      add(s, flag, json::Value::boolean(false));
      return base::Ok{};
    }
    if (s->kind == Kind::Bool) {
      // argparse refuses "--preload=x"; accepting true/false here is harmless and handy.
      add(s, flag, inline_value ? json::Value::string(*inline_value) : json::Value::boolean(true));
      return base::Ok{};
    }
    if (s->kind == Kind::FlagChoice) {
      if (inline_value) {
        add(s, flag, json::Value::string(*inline_value));
      } else if (i_ + 1 < args_.size() && in_choices_ci(s->choices, args_[i_ + 1])) {
        add(s, flag, json::Value::string(args_[++i_]));
      } else {
        add(s, flag, json::Value::boolean(true));
      }
      return base::Ok{};
    }
    if (inline_value) {
      add(s, flag, json::Value::string(*inline_value));
      return base::Ok{};
    }
    if (i_ + 1 >= args_.size() || !is_value_token(args_[i_ + 1])) {
      std::string meta = s->meta.empty() ? "a value" : std::string(s->meta);
      return base::make_error(flag + ": expected " + meta + " after it");
    }
    add(s, flag, json::Value::string(args_[++i_]));
    return base::Ok{};
  }

  void add(const Setting* s, const std::string& flag, json::Value value) {
    out_.items.push_back({s, flag, std::move(value)});
  }

  const std::vector<std::string>& args_;
  size_t i_ = 0;
  ParsedArgs out_;
};

}  // namespace

base::Result<ParsedArgs> parse_args(const std::vector<std::string>& args) {
  return ArgParser(args).run();
}

base::Result<std::vector<std::string>> shlex_split(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t k = 0; k < text.size(); ++k) {
    char c = text[k];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else word.push_back(c);
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && k + 1 < text.size() &&
                 std::string_view("\\\"$`\n").find(text[k + 1]) != std::string_view::npos) {
        if (text[k + 1] != '\n') word.push_back(text[k + 1]);
        ++k;
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\') {
      if (k + 1 >= text.size()) return base::make_error("no character after the final backslash");
      word.push_back(text[++k]);
    } else {
      word.push_back(c);
    }
  }
  if (quote) return base::make_error(std::string("no closing quotation (") + quote + ")");
  if (in_word) out.push_back(std::move(word));
  return out;
}

int edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t r = 0; r <= n; ++r) d[r][0] = static_cast<int>(r);
  for (size_t c = 0; c <= m; ++c) d[0][c] = static_cast<int>(c);
  for (size_t r = 1; r <= n; ++r) {
    for (size_t c = 1; c <= m; ++c) {
      int cost = a[r - 1] == b[c - 1] ? 0 : 1;
      d[r][c] = std::min({d[r - 1][c] + 1, d[r][c - 1] + 1, d[r - 1][c - 1] + cost});
      if (r > 1 && c > 1 && a[r - 1] == b[c - 2] && a[r - 2] == b[c - 1]) {
        d[r][c] = std::min(d[r][c], d[r - 2][c - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string low(word);
  for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const int limit = word.size() <= 5 ? 1 : 2;
  std::string best;
  int best_d = limit + 1;
  for (const std::string& cand : candidates) {
    if (cand == word) continue;
    int dist = cand == low ? 0 : edit_distance(word, cand);
    if (dist < best_d) {
      best_d = dist;
      best = cand;
    }
  }
  return best;
}

}  // namespace bastion::config
