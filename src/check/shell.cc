// SPDX-License-Identifier: MIT
// The shell reader: a streaming lexer (so expansions see the variables assigned by earlier
// commands) and a command loop that tracks if/case/loop/function nesting.
#include "check/shell.h"

#include <algorithm>

namespace bastion::check {
namespace {

constexpr int kMaxNesting = 6;

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_op_char(char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>'; }

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_redirection(std::string_view op) {
  return op == "<" || op == ">" || op == ">>" || op == ">&" || op == "<&" || op == "&>" || op == ">|" ||
         op == "<<" || op == "<<-" || op == "<<<" || op == "&>>";
}

size_t skip_balanced(std::string_view s, size_t p, char open, char close) {
  // s[p] == open; returns the index after the matching close (or s.size()).
  int depth = 0;
  for (; p < s.size(); ++p) {
    char c = s[p];
    if (c == '\\') {
      ++p;
      continue;
    }
    if (c == '\'' && open != '\'') {
      size_t q = s.find('\'', p + 1);
      if (q == std::string_view::npos) return s.size();
      p = q;
      continue;
    }
    if (c == open) ++depth;
    else if (c == close && --depth == 0) return p + 1;
  }
  return s.size();
}

void expand_string(std::string_view s, const ShellVars& vars, bool compose, std::string& out, bool& unresolved,
                   int depth);

// Expands the `$...` at s[p] into `out`, advancing p.
void expand_dollar(std::string_view s, size_t& p, const ShellVars& vars, bool compose, std::string& out,
                   bool& unresolved, int depth) {
  char next = p + 1 < s.size() ? s[p + 1] : '\0';
  if (compose && next == '$') {
    out += '$';
    p += 2;
    return;
  }
  auto lookup = [&](std::string_view name) -> const ShellVar* {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? nullptr : &it->second;
  };
  if (next == '{') {
    size_t end = skip_balanced(s, p + 1, '{', '}');
    std::string_view inner = s.substr(p + 2, end > p + 3 ? end - p - 3 : 0);
    p = end;
    size_t n = 0;
    while (n < inner.size() && is_name_char(inner[n])) ++n;
    if (n == 0 || !is_name_start(inner[0])) {
      unresolved = true;
      return;
    }
    std::string_view name = inner.substr(0, n);
    std::string_view rest = inner.substr(n);
    bool colon = !rest.empty() && rest[0] == ':';
    std::string_view op = rest.substr(colon ? 1 : 0, rest.empty() ? 0 : 1);
    std::string_view word = rest.size() > (colon ? 2u : 1u) ? rest.substr(colon ? 2 : 1) : std::string_view();
    if (!rest.empty() && op != "-" && op != "=" && op != "+" && op != "?") {
      unresolved = true;  // ${X#y}, ${X/a/b}, ${X:0:3}: not modelled
      return;
    }
    const ShellVar* v = lookup(name);
    VarState st = v != nullptr ? v->state : VarState::Unset;
    if (st == VarState::Unknown) {
      unresolved = true;
      return;
    }
    bool empty_or_unset = st == VarState::Unset || (colon && v->value.empty());
    if (rest.empty()) {
      if (st == VarState::Known) out += v->value;
      return;
    }
    if (op == "-" || op == "=") {
      if (empty_or_unset) expand_string(word, vars, compose, out, unresolved, depth + 1);
      else out += v->value;
    } else if (op == "+") {
      if (!empty_or_unset) expand_string(word, vars, compose, out, unresolved, depth + 1);
    } else if (empty_or_unset) {
      unresolved = true;  // ${X:?message} fails when unset
    } else {
      out += v->value;
    }
    return;
  }
  if (next == '(') {
    p = skip_balanced(s, p + 1, '(', ')');
    unresolved = true;
    return;
  }
  if (is_name_start(next)) {
    size_t q = p + 1;
    while (q < s.size() && is_name_char(s[q])) ++q;
    const ShellVar* v = lookup(s.substr(p + 1, q - p - 1));
    if (v != nullptr && v->state == VarState::Unknown) unresolved = true;
    else if (v != nullptr && v->state == VarState::Known) out += v->value;
    p = q;
    return;
  }
  if ((next >= '1' && next <= '9') || next == '@' || next == '*') {
    // Positional parameters: the default invocation passes no arguments.
    p += 2;
    return;
  }
  if (next == '#') {
    out += '0';
    p += 2;
    return;
  }
  if (next == '0' || next == '?' || next == '!' || next == '$' || next == '-') {
    p += 2;
    unresolved = true;
    return;
  }
  out += '$';
  ++p;
}

void expand_string(std::string_view s, const ShellVars& vars, bool compose, std::string& out, bool& unresolved,
                   int depth) {
  if (depth > 8) {
    unresolved = true;
    return;
  }
  for (size_t p = 0; p < s.size();) {
    char c = s[p];
    if (c == '$') {
      expand_dollar(s, p, vars, compose, out, unresolved, depth);
    } else if (c == '\\' && p + 1 < s.size()) {
      out += s[p + 1];
      p += 2;
    } else if (c == '"') {
      ++p;
    } else if (c == '\'') {
      size_t q = s.find('\'', p + 1);
      if (q == std::string_view::npos) q = s.size();
      out.append(s.substr(p + 1, q - p - 1));
      p = q + 1;
    } else {
      out += c;
      ++p;
    }
  }
}

class ShellLexer {
 public:
  enum Kind : uint8_t { Word, Op, Newline, End };
  struct Tok {
    Kind kind = End;
    ShWord word;
    std::string op;
  };

  ShellLexer(std::string_view text, const SourceMap& map, bool nl_space, const ShellVars& vars, bool compose,
             std::vector<LineComment>& comments)
      : s_(text), map_(map), nl_space_(nl_space), vars_(vars), compose_(compose), comments_(comments) {}

  Tok next();

 private:
  void word(Tok& t);
  void double_quoted(size_t& p, ShWord& w);
  void skip_heredocs();

  std::string_view s_;
  const SourceMap& map_;
  bool nl_space_;
  const ShellVars& vars_;
  bool compose_;
  std::vector<LineComment>& comments_;
  size_t p_ = 0;
  bool want_delim_ = false;
  std::vector<std::pair<std::string, bool>> heredocs_;  // delimiter, strip tabs
  bool strip_next_ = false;
};

void ShellLexer::skip_heredocs() {
  for (const auto& [delim, strip] : heredocs_) {
    while (p_ < s_.size()) {
      size_t e = s_.find('\n', p_);
      if (e == std::string_view::npos) e = s_.size();
      std::string_view line = s_.substr(p_, e - p_);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (strip)
        while (!line.empty() && line[0] == '\t') line.remove_prefix(1);
      p_ = e < s_.size() ? e + 1 : e;
      if (line == delim) break;
    }
  }
  heredocs_.clear();
}

ShellLexer::Tok ShellLexer::next() {
  Tok t;
  while (p_ < s_.size()) {
    char c = s_[p_];
    if (c == ' ' || c == '\t' || c == '\r' || (c == '\n' && nl_space_)) {
      ++p_;
    } else if (c == '\\' && p_ + 1 < s_.size() && (s_[p_ + 1] == '\n' || s_[p_ + 1] == '\r')) {
      p_ += s_[p_ + 1] == '\r' && p_ + 2 < s_.size() && s_[p_ + 2] == '\n' ? 3u : 2u;
    } else if (c == '#') {
      size_t e = s_.find('\n', p_);
      if (e == std::string_view::npos) e = s_.size();
      comments_.push_back({map_.at(p_).line, std::string(s_.substr(p_ + 1, e - p_ - 1))});
      p_ = e;
    } else {
      break;
    }
  }
  if (p_ >= s_.size()) return t;
  char c = s_[p_];
  if (c == '\n') {
    t.kind = Newline;
    ++p_;
    if (!heredocs_.empty()) skip_heredocs();
    return t;
  }
  if (is_op_char(c)) {
    static constexpr std::string_view kOps[] = {"<<-", "&>>", "<<<", "&&", "||", ";;", ";&", "|&", ">>",
                                                "<<",  "&>",  ">&",  "<&", ">|", ";",  "&",  "|",  "(",
                                                ")",   "<",   ">"};
    for (std::string_view op : kOps) {
      if (s_.compare(p_, op.size(), op) == 0) {
        t.kind = Op;
        t.op = std::string(op);
        p_ += op.size();
        if (op == "<<" || op == "<<-") {
          want_delim_ = true;
          strip_next_ = op == "<<-";
        }
        return t;
      }
    }
  }
  t.kind = Word;
  word(t);
  if (want_delim_) {
    want_delim_ = false;
    heredocs_.emplace_back(t.word.text, strip_next_);
  }
  return t;
}

void ShellLexer::double_quoted(size_t& p, ShWord& w) {
  ++p;  // opening quote
  while (p < s_.size() && s_[p] != '"') {
    char c = s_[p];
    if (c == '\\' && p + 1 < s_.size()) {
      char n = s_[p + 1];
      if (n == '$' || n == '`' || n == '"' || n == '\\') w.text += n;
      else if (n != '\n') w.text.append({c, n});
      p += 2;
    } else if (c == '$') {
      expand_dollar(s_, p, vars_, compose_, w.text, w.unresolved, 0);
    } else if (c == '`') {
      size_t q = s_.find('`', p + 1);
      p = q == std::string_view::npos ? s_.size() : q + 1;
      w.unresolved = true;
    } else {
      w.text += c;
      ++p;
    }
  }
  if (p < s_.size()) ++p;  // closing quote
}

void ShellLexer::word(Tok& t) {
  ShWord& w = t.word;
  w.loc = map_.at(p_);
  size_t p = p_;
  bool name_so_far = true;
  while (p < s_.size()) {
    char c = s_[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || is_op_char(c)) break;
    if (c == '\\') {
      if (p + 1 < s_.size() && s_[p + 1] == '\n') {
        p += 2;
        continue;
      }
      if (p + 1 < s_.size()) w.text += s_[p + 1];
      p += 2;
      w.quoted = true;
      name_so_far = false;
    } else if (c == '\'') {
      size_t q = s_.find('\'', p + 1);
      if (q == std::string_view::npos) q = s_.size();
      w.text.append(s_.substr(p + 1, q - p - 1));
      p = q + 1;
      w.quoted = true;
      name_so_far = false;
    } else if (c == '"') {
      double_quoted(p, w);
      w.quoted = true;
      name_so_far = false;
    } else if (c == '$') {
      if (p + 1 < s_.size() && s_[p + 1] == '\'') {  // $'...' ANSI-C quoting
        size_t q = s_.find('\'', p + 2);
        if (q == std::string_view::npos) q = s_.size();
        w.text.append(s_.substr(p + 2, q - p - 2));
        p = q + 1;
      } else {
        expand_dollar(s_, p, vars_, compose_, w.text, w.unresolved, 0);
      }
      name_so_far = false;
    } else if (c == '`') {
      size_t q = s_.find('`', p + 1);
      p = q == std::string_view::npos ? s_.size() : q + 1;
      w.unresolved = true;
      name_so_far = false;
    } else if (c == '=' && name_so_far && w.assign_name.empty() && !w.text.empty() && is_name_start(w.text[0])) {
      w.assign_name = w.text;
      w.text.clear();
      ++p;
      name_so_far = false;
    } else {
      if (!is_name_char(c)) name_so_far = false;
      w.text += c;
      ++p;
    }
  }
  if (p == p_) ++p;  // never stall
  p_ = std::min(p, s_.size());
}

bool is_keyword(const ShWord& w, std::string_view kw) {
  return !w.quoted && w.assign_name.empty() && w.text == kw;
}

}  // namespace

SourceMap SourceMap::contiguous(std::string_view text, int32_t line, int32_t col) {
  SourceMap m;
  m.lines.push_back({0, line, col});
  for (size_t k = 0; k < text.size(); ++k)
    if (text[k] == '\n') m.lines.push_back({static_cast<uint32_t>(k + 1), ++line, 1});
  return m;
}

Loc SourceMap::at(size_t offset) const {
  if (lines.empty()) return {1, 1};
  auto it = std::upper_bound(lines.begin(), lines.end(), offset,
                             [](size_t off, const Line& l) { return off < l.offset; });
  if (it != lines.begin()) --it;
  return {it->line, it->col + static_cast<int32_t>(offset - it->offset)};
}

std::string shell_expand(std::string_view raw, const ShellVars& vars, bool compose, bool* unresolved) {
  std::string out;
  bool u = false;
  expand_string(raw, vars, compose, out, u, 0);
  if (unresolved != nullptr) *unresolved = u;
  return out;
}

bool shell_glob_match(std::string_view pat, std::string_view text) {
  size_t p = 0, t = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pat.size() && pat[p] == '[') {
      size_t close = pat.find(']', p + 2);
      if (close != std::string_view::npos) {
        bool neg = pat[p + 1] == '!' || pat[p + 1] == '^';
        bool hit = false;
        for (size_t k = p + (neg ? 2 : 1); k < close; ++k) {
          if (k + 2 < close && pat[k + 1] == '-') {
            hit = hit || (text[t] >= pat[k] && text[t] <= pat[k + 2]);
            k += 2;
          } else {
            hit = hit || text[t] == pat[k];
          }
        }
        if (hit != neg) {
          p = close + 1;
          ++t;
          continue;
        }
      }
    } else if (p < pat.size() && (pat[p] == '?' || pat[p] == text[t])) {
      ++p;
      ++t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool ShellScanner::dead() const {
  for (const Gate& g : gates_)
    if (g.current == Truth::False) return true;
  return false;
}

bool ShellScanner::maybe() const {
  if (force_maybe_) return true;
  for (const Gate& g : gates_)
    if (g.current == Truth::Unknown) return true;
  return false;
}

void ShellScanner::emit_env(const std::string& name, const ShWord& value, Loc loc) {
  out_.envs.push_back({name, value.text, !value.unresolved, loc, env_source_, maybe()});
}

Truth ShellScanner::condition(const std::vector<ShWord>& words) const {
  if (words.empty()) return Truth::Unknown;
  if (is_keyword(words[0], "true") || is_keyword(words[0], ":")) return Truth::True;
  if (is_keyword(words[0], "false")) return Truth::False;
  bool bracket = is_keyword(words[0], "[") || is_keyword(words[0], "[[") || is_keyword(words[0], "test");
  if (!bracket) return Truth::Unknown;
  std::vector<const ShWord*> args;
  for (size_t k = 1; k < words.size(); ++k) {
    if (is_keyword(words[k], "]") || is_keyword(words[k], "]]")) break;
    args.push_back(&words[k]);
  }
  bool negate = false;
  if (!args.empty() && is_keyword(*args[0], "!")) {
    negate = true;
    args.erase(args.begin());
  }
  for (const ShWord* a : args)
    if (a->unresolved) return Truth::Unknown;
  Truth r = Truth::Unknown;
  if (args.size() == 1) {
    r = args[0]->text.empty() ? Truth::False : Truth::True;
  } else if (args.size() == 2 && (args[0]->text == "-n" || args[0]->text == "-z")) {
    bool empty = args[1]->text.empty();
    r = (args[0]->text == "-z") == empty ? Truth::True : Truth::False;
  } else if (args.size() == 3) {
    const std::string& op = args[1]->text;
    const std::string& a = args[0]->text;
    const std::string& b = args[2]->text;
    if (op == "=" || op == "==") r = (is_keyword(words[0], "[[") ? shell_glob_match(b, a) : a == b) ? Truth::True : Truth::False;
    else if (op == "!=") r = a != b ? Truth::True : Truth::False;
  }
  if (negate && r != Truth::Unknown) r = r == Truth::True ? Truth::False : Truth::True;
  return r;
}

void ShellScanner::case_pattern(const std::vector<ShWord>& patterns) {
  Gate& g = gates_.back();
  g.expect_pattern = false;
  if (g.taken) {
    g.current = Truth::False;
    return;
  }
  if (!g.subject_known) {
    g.current = Truth::Unknown;
    return;
  }
  for (const ShWord& p : patterns) {
    if (p.unresolved) {
      g.current = Truth::Unknown;
      return;
    }
    if (p.quoted ? p.text == g.subject : shell_glob_match(p.text, g.subject)) {
      g.current = Truth::True;
      g.taken = true;
      return;
    }
  }
  g.current = Truth::False;
}

void ShellScanner::scan(std::string_view text, const SourceMap& map, bool newline_is_space) {
  if (nesting_ >= kMaxNesting) return;
  ++nesting_;
  size_t depth_at_start = gates_.size();
  ShellLexer lex(text, map, newline_is_space, vars_, compose_dollars_, comments_);
  std::vector<ShWord> words;
  bool skip_word = false;
  for (int guard = 0; guard < 1000000; ++guard) {
    ShellLexer::Tok t = lex.next();
    bool in_pattern = gates_.size() > depth_at_start && gates_.back().kind == Gate::Case && gates_.back().expect_pattern;
    if (t.kind == ShellLexer::Word) {
      if (skip_word) {
        skip_word = false;
        continue;
      }
      if (in_pattern && words.empty() && is_keyword(t.word, "esac")) {
        gates_.pop_back();
        continue;
      }
      words.push_back(std::move(t.word));
      continue;
    }
    if (t.kind == ShellLexer::Op) {
      if (is_redirection(t.op)) {
        skip_word = true;
        continue;
      }
      if (in_pattern) {
        if (t.op == ")") {
          case_pattern(words);
          words.clear();
        }
        continue;  // '(' and '|' inside a pattern list
      }
      if (t.op == "(" && words.size() == 1 && !words[0].quoted) {  // name() { ... }
        Gate g;
        g.kind = Gate::Group;
        g.current = Truth::Unknown;  // a function body runs only if called
        g.in_condition = true;       // until its '{'
        gates_.push_back(g);
        words.clear();
        continue;
      }
      finish(words, t.op);
      words.clear();
      if ((t.op == ";;" || t.op == ";&") && gates_.size() > depth_at_start && gates_.back().kind == Gate::Case)
        gates_.back().expect_pattern = true;
      continue;
    }
    finish(words, "\n");
    words.clear();
    if (t.kind == ShellLexer::End) break;
  }
  while (gates_.size() > depth_at_start) gates_.pop_back();  // unterminated if/case
  --nesting_;
}

// Opens or advances an if/while/until gate; its condition is evaluated, never launched.
void ShellScanner::open_condition(const std::vector<ShWord>& words, size_t i, std::string_view sep) {
  const ShWord& w = words[i];
  std::vector<ShWord> cond(words.begin() + static_cast<long>(i) + 1, words.end());
  Truth c = (sep == "&&" || sep == "||") ? Truth::Unknown : condition(cond);
  if (!is_keyword(w, "elif")) {
    Gate g;
    g.kind = is_keyword(w, "if") ? Gate::If : Gate::Loop;
    g.current = g.kind == Gate::If ? c : (c == Truth::False && is_keyword(w, "while") ? Truth::False : Truth::Unknown);
    g.in_condition = true;
    gates_.push_back(g);
  } else if (!gates_.empty() && gates_.back().kind == Gate::If) {
    Gate& g = gates_.back();
    if (g.current == Truth::True) g.taken = true;
    if (g.current == Truth::Unknown) g.maybe_taken = true;
    g.current = g.taken ? Truth::False : (c == Truth::True && g.maybe_taken ? Truth::Unknown : c);
    g.in_condition = true;
  }
}

// Handles a reserved word at words[i]. Returns Next to look at the following word, Stop
// when the rest of the command belongs to the construct, or Command when words[i] starts
// an ordinary command.
ShellScanner::Step ShellScanner::control_word(const std::vector<ShWord>& words, size_t& i, std::string_view sep) {
  const ShWord& w = words[i];
  if (is_keyword(w, "if") || is_keyword(w, "elif") || is_keyword(w, "while") || is_keyword(w, "until")) {
    open_condition(words, i, sep);
    return Step::Stop;
  }
  if (is_keyword(w, "then") || is_keyword(w, "do")) {
    if (!gates_.empty()) gates_.back().in_condition = false;
  } else if (is_keyword(w, "else")) {
    if (!gates_.empty() && gates_.back().kind == Gate::If) {
      Gate& g = gates_.back();
      if (g.current == Truth::True) g.taken = true;
      if (g.current == Truth::Unknown) g.maybe_taken = true;
      g.current = g.taken ? Truth::False : g.maybe_taken ? Truth::Unknown : Truth::True;
    }
  } else if (is_keyword(w, "fi") || is_keyword(w, "done") || is_keyword(w, "esac") || is_keyword(w, "}")) {
    if (!gates_.empty()) gates_.pop_back();
  } else if (is_keyword(w, "case")) {
    Gate g;
    g.kind = Gate::Case;
    g.expect_pattern = true;
    g.current = Truth::Unknown;
    if (i + 1 < words.size()) {
      g.subject = words[i + 1].text;
      g.subject_known = !words[i + 1].unresolved;
    }
    gates_.push_back(g);
    return Step::Stop;
  } else if (is_keyword(w, "for") || is_keyword(w, "select")) {
    Gate g;
    g.kind = Gate::Loop;
    g.current = Truth::Unknown;
    g.in_condition = true;  // until `do`
    gates_.push_back(g);
    return Step::Stop;
  } else if (is_keyword(w, "function")) {
    Gate g;
    g.kind = Gate::Group;
    g.current = Truth::Unknown;  // a function body runs only if called
    g.in_condition = true;       // until its '{'
    gates_.push_back(g);
    ++i;  // the name; `()` arrives as operators
  } else if (is_keyword(w, "{")) {
    if (!gates_.empty() && gates_.back().kind == Gate::Group && gates_.back().in_condition) {
      gates_.back().in_condition = false;  // a function body opens
    } else {
      Gate g;
      g.kind = Gate::Group;
      g.current = Truth::True;
      gates_.push_back(g);
    }
  } else if (!is_keyword(w, "!") && !is_keyword(w, "in")) {
    return Step::Command;
  }
  ++i;
  return Step::Next;
}

void ShellScanner::finish(std::vector<ShWord>& words, std::string_view sep) {
  size_t i = 0;
  while (i < words.size()) {
    Step step = control_word(words, i, sep);
    if (step == Step::Stop) return;
    if (step == Step::Command) break;
  }
  if (i >= words.size()) return;
  if (!gates_.empty() && gates_.back().in_condition) return;
  if (dead()) return;
  std::vector<ShWord> rest(words.begin() + static_cast<long>(i), words.end());
  command(std::move(rest));
}

// Shell builtins that set variables or launch nothing. Returns true when `words[i]` was one.
bool ShellScanner::builtin(const std::vector<ShWord>& words, size_t i) {
  size_t n = words.size();
  std::string_view w = words[i].text;
  if (w == "export" || w == "declare" || w == "typeset" || w == "readonly" || w == "local") {
    bool exported = w == "export";
    for (size_t k = i + 1; k < n; ++k) {
      if (words[k].assign_name.empty()) {
        if (words[k].text.find('x') != std::string::npos && words[k].text[0] == '-') exported = true;
        continue;
      }
      vars_[words[k].assign_name] = {words[k].unresolved ? VarState::Unknown : VarState::Known, words[k].text};
      if (exported || auto_export_) emit_env(words[k].assign_name, words[k], words[k].loc);
    }
    return true;
  }
  if (w == "unset") {
    for (size_t k = i + 1; k < n; ++k) vars_.erase(words[k].text);
    return true;
  }
  if (w == "set") {
    for (size_t k = i + 1; k < n; ++k) {
      if (words[k].text == "-a" || words[k].text == "allexport") auto_export_ = true;
      if (words[k].text == "+a") auto_export_ = false;
    }
    return true;
  }
  if (w == "read") {
    for (size_t k = i + 1; k < n; ++k)
      if (!words[k].text.empty() && words[k].text[0] != '-') vars_[words[k].text] = {VarState::Unknown, {}};
    return true;
  }
  if (w == "docker" && i + 1 < n && words[i + 1].text == "run") {  // docker run -e NAME=value
    for (size_t k = i + 2; k + 1 < n; ++k) {
      if (words[k].text != "-e" && words[k].text != "--env") continue;
      const ShWord& kv = words[k + 1];
      std::string name = kv.assign_name;
      ShWord value = kv;
      if (name.empty()) {
        size_t eq = kv.text.find('=');
        if (eq == std::string::npos) continue;
        name = kv.text.substr(0, eq);
        value.text = kv.text.substr(eq + 1);
      }
      emit_env(name, value, kv.loc);
    }
    return true;
  }
  return w == "eval" || w == "source" || w == "." || w == "echo" || w == "printf" || w == "cd";
}

// Steps over launch wrappers (exec, env, sudo, gosu, tini, poetry run, ...). Returns the
// index of the real command; `*done` when the command was consumed (sh -c "...").
size_t ShellScanner::unwrap(const std::vector<ShWord>& words, size_t i, bool* done) {
  size_t n = words.size();
  *done = false;
  while (i < n) {
    std::string_view w = words[i].text;
    std::string_view base = basename(w);
    if (w == "exec" || w == "command" || w == "nohup" || w == "time" || w == "builtin") {
      ++i;
    } else if (w == "env") {
      ++i;
      while (i < n && !words[i].text.empty() && words[i].text[0] == '-' && words[i].assign_name.empty())
        i += (words[i].text == "-u" || words[i].text == "-C") ? 2u : 1u;
      for (; i < n && !words[i].assign_name.empty(); ++i) emit_env(words[i].assign_name, words[i], words[i].loc);
    } else if (w == "sudo") {
      ++i;
      while (i < n && !words[i].text.empty() && words[i].text[0] == '-')
        i += (words[i].text == "-u" || words[i].text == "-g") ? 2u : 1u;
    } else if (base == "gosu" || base == "su-exec") {
      i += 2;
    } else if (base == "dumb-init" || base == "tini" || base == "tini-static") {
      for (++i; i < n && !words[i].text.empty() && words[i].text[0] == '-';) ++i;
    } else if ((w == "poetry" || w == "pipenv" || w == "uv" || w == "pdm" || w == "hatch" || w == "rye" ||
                w == "pixi") && i + 1 < n && words[i + 1].text == "run") {
      for (i += 2; i < n && !words[i].text.empty() && words[i].text[0] == '-';) ++i;
    } else if (base == "sh" || base == "bash" || base == "dash" || base == "ash" || base == "zsh") {
      for (size_t k = i + 1; k < n; ++k) {
        const std::string& opt = words[k].text;
        if (opt.empty() || opt[0] != '-') break;
        if (opt.find('c') != std::string::npos && k + 1 < n) {
          const ShWord& script = words[k + 1];
          SourceMap map = SourceMap::contiguous(script.text, script.loc.line, script.loc.col + (script.quoted ? 1 : 0));
          Loc saved = command_loc_;
          scan(script.text, map, false);
          command_loc_ = saved;
          *done = true;
          return n;
        }
      }
      return i;
    } else {
      return i;
    }
  }
  return i;
}

void ShellScanner::command(std::vector<ShWord> words) {
  size_t n = words.size();
  size_t i = 0;
  while (i < n && !words[i].assign_name.empty()) ++i;
  if (i == n) {  // plain assignments
    for (const ShWord& w : words) {
      vars_[w.assign_name] = {w.unresolved ? VarState::Unknown : VarState::Known, w.text};
      emit_env(w.assign_name, w, w.loc);
    }
    return;
  }
  for (size_t k = 0; k < i; ++k) emit_env(words[k].assign_name, words[k], words[k].loc);  // NAME=x cmd
  if (builtin(words, i)) return;
  bool done = false;
  i = unwrap(words, i, &done);
  if (done || i >= n || words[i].text.empty() || builtin(words, i)) return;  // `exec "$@"` with no arguments
  CommandFact fact;
  fact.loc = command_loc_.line != 0 ? command_loc_ : words[i].loc;
  fact.source = cmd_source_;
  fact.base_dir = base_dir_;
  fact.maybe = maybe();
  for (size_t k = i; k < n; ++k) {
    std::string text = words[k].assign_name.empty() ? words[k].text : words[k].assign_name + "=" + words[k].text;
    fact.words.push_back({std::move(text), words[k].loc});
  }
  out_.commands.push_back(std::move(fact));
}

}  // namespace bastion::check
