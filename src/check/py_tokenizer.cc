// SPDX-License-Identifier: MIT
// The Python tokenizer. One pass over the bytes, no regex, no allocation per character.
// Recovery rules (for broken or Python 2 files) are noted where they differ from CPython.
#include "check/py_tokenizer.h"

#include <cstddef>
#include <string_view>

namespace bastion::check {
namespace {

bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_name_start(unsigned char c) { return is_alpha(c) || c == '_' || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || is_digit(c); }

// Keywords that can only begin a statement. When one starts a physical line inside an
// unclosed bracket, the bracket was never going to close: CPython would stop with a syntax
// error, we close it and carry on so one typo does not hide the rest of the file.
bool is_statement_keyword(std::string_view w) {
  constexpr std::string_view kWords[] = {"def",   "class",   "import", "return", "try",
                                         "except", "finally", "while",  "with",   "elif",
                                         "raise", "pass",    "global", "del",    "assert"};
  for (std::string_view k : kWords)
    if (w == k) return true;
  return false;
}

// Returns the prefix flags when `w` is a valid string prefix (any case), else 0xff.
uint8_t string_prefix_flags(std::string_view w) {
  if (w.size() > 2) return 0xff;
  uint8_t flags = 0;
  for (char ch : w) {
    switch (ch | 0x20) {
      case 'r': if (flags & kStrRaw) return 0xff; flags |= kStrRaw; break;
      case 'b': if (flags & (kStrBytes | kStrFormat)) return 0xff; flags |= kStrBytes; break;
      case 'f': case 't': if (flags & (kStrBytes | kStrFormat)) return 0xff; flags |= kStrFormat; break;
      case 'u': if (w.size() != 1 && (w[1] | 0x20) != 'r') return 0xff; break;  // u, ur (Python 2)
      default: return 0xff;
    }
  }
  return flags;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src), n_(src.size()) {}
  PyTokens run();

 private:
  void line_start();
  void newline();
  void after_newline_in_brackets();
  void scan_name();
  void scan_number();
  void scan_string(size_t start, size_t quote_pos, uint8_t flags);
  size_t scan_quoted(size_t p, char q, bool triple, bool fmt, int nest);
  size_t scan_fexpr(size_t p, char q, bool triple, int nest);
  void scan_op();
  void bump_line(size_t next_line_start) { ++line_; line_start_ = next_line_start; }
  int32_t col_at(size_t off);
  void emit(PyTok kind, size_t off, size_t len, int32_t line, int32_t col, uint8_t flags = 0,
            uint8_t prefix = 0, uint8_t quote = 0);
  void emit_here(PyTok kind, size_t off, size_t len) { emit(kind, off, len, line_, col_at(off)); }
  void note_error(int32_t line) {
    if (out_.first_error_line == 0) out_.first_error_line = line;
  }

  std::string_view s_;
  size_t n_;
  size_t pos_ = 0;
  int32_t line_ = 1;
  size_t line_start_ = 0;
  bool at_line_start_ = true;
  bool line_has_tokens_ = false;
  bool unterminated_ = false;
  int depth_ = 0;         // open brackets
  int open_indent_ = 0;   // indentation of the line that opened the outermost bracket
  std::vector<int> indents_{0};
  size_t col_off_ = 0;    // column cache: col_val_ is the column of byte col_off_
  int32_t col_val_ = 1;
  size_t col_line_ = 0;
  PyTokens out_;
};

int32_t Lexer::col_at(size_t off) {
  if (col_line_ != line_start_ || off < col_off_) {
    col_line_ = line_start_;
    col_off_ = line_start_;
    col_val_ = 1;
  }
  for (; col_off_ < off && col_off_ < n_; ++col_off_)
    if ((static_cast<unsigned char>(s_[col_off_]) & 0xC0) != 0x80) ++col_val_;
  return col_val_;
}

void Lexer::emit(PyTok kind, size_t off, size_t len, int32_t line, int32_t col, uint8_t flags,
                 uint8_t prefix, uint8_t quote) {
  PyToken t;
  t.kind = kind;
  t.flags = flags;
  t.prefix = prefix;
  t.quote = quote;
  t.off = static_cast<uint32_t>(off);
  t.len = static_cast<uint32_t>(len);
  t.line = line;
  t.col = col;
  out_.tokens.push_back(t);
  if (kind != PyTok::Newline && kind != PyTok::Indent && kind != PyTok::Dedent)
    line_has_tokens_ = true;
}

// Indentation at the start of a logical line: spaces count 1, a tab moves to the next
// multiple of 8 and a form feed resets (CPython's rules). Blank and comment-only lines
// do not change indentation.
void Lexer::line_start() {
  size_t p = pos_;
  int ind = 0;
  for (; p < n_; ++p) {
    char c = s_[p];
    if (c == ' ') ++ind;
    else if (c == '\t') ind = (ind / 8 + 1) * 8;
    else if (c == '\f') ind = 0;
    else break;
  }
  pos_ = p;
  if (p >= n_) return;
  char c = s_[p];
  if (c == '#' || c == '\n' || c == '\r') return;  // blank line: stays at line start
  if (c == '\\' && p + 1 < n_ && (s_[p + 1] == '\n' || s_[p + 1] == '\r')) return;
  at_line_start_ = false;
  if (ind > indents_.back()) {
    indents_.push_back(ind);
    emit_here(PyTok::Indent, p, 0);
    return;
  }
  while (ind < indents_.back()) {
    indents_.pop_back();
    emit_here(PyTok::Dedent, p, 0);
  }
  if (ind > indents_.back()) {  // dedent to a level never seen: CPython's IndentationError
    note_error(line_);
    indents_.push_back(ind);
  }
}

void Lexer::newline() {
  size_t p = pos_;
  size_t nl = p;
  if (s_[p] == '\r' && p + 1 < n_ && s_[p + 1] == '\n') p += 2;
  else ++p;
  pos_ = p;
  if (depth_ == 0) {
    if (line_has_tokens_) {
      emit_here(PyTok::Newline, nl, 0);
      line_has_tokens_ = false;
    }
    bump_line(p);
    at_line_start_ = true;
    return;
  }
  bump_line(p);
  after_newline_in_brackets();
}

void Lexer::after_newline_in_brackets() {
  size_t p = pos_;
  int ind = 0;
  for (; p < n_ && (s_[p] == ' ' || s_[p] == '\t'); ++p) ind = s_[p] == '\t' ? (ind / 8 + 1) * 8 : ind + 1;
  size_t w = p;
  while (p < n_ && is_name_char(static_cast<unsigned char>(s_[p]))) ++p;
  if (p == w || ind > open_indent_ || !is_statement_keyword(s_.substr(w, p - w))) return;
  note_error(line_);
  depth_ = 0;
  if (line_has_tokens_) {
    emit(PyTok::Newline, pos_, 0, line_, 1);
    line_has_tokens_ = false;
  }
  at_line_start_ = true;
}

void Lexer::scan_name() {
  size_t start = pos_;
  size_t p = pos_;
  while (p < n_ && is_name_char(static_cast<unsigned char>(s_[p]))) ++p;
  if (p < n_ && (s_[p] == '\'' || s_[p] == '"') && p - start <= 2) {
    uint8_t flags = string_prefix_flags(s_.substr(start, p - start));
    if (flags != 0xff) {
      scan_string(start, p, flags);
      return;
    }
  }
  emit_here(PyTok::Name, start, p - start);
  pos_ = p;
}

void Lexer::scan_number() {
  size_t start = pos_;
  size_t p = pos_;
  auto digits = [&](auto pred) {
    while (p < n_ && (pred(static_cast<unsigned char>(s_[p])) || s_[p] == '_')) ++p;
  };
  if (s_[p] == '0' && p + 1 < n_ && ((s_[p + 1] | 0x20) == 'x' || (s_[p + 1] | 0x20) == 'o' ||
                                     (s_[p + 1] | 0x20) == 'b')) {
    p += 2;
    digits([](unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); });
  } else {
    digits(is_digit);
    if (p < n_ && s_[p] == '.') {
      ++p;
      digits(is_digit);
    }
    if (p < n_ && (s_[p] | 0x20) == 'e') {
      size_t q = p + 1;
      if (q < n_ && (s_[q] == '+' || s_[q] == '-')) ++q;
      if (q < n_ && is_digit(static_cast<unsigned char>(s_[q]))) {
        p = q;
        digits(is_digit);
      }
    }
  }
  if (p < n_ && ((s_[p] | 0x20) == 'j' || (s_[p] | 0x20) == 'l')) ++p;
  emit_here(PyTok::Number, start, p - start);
  pos_ = p;
}

// Scans the body of a string that opens at `p` (just after the quotes) and returns the
// offset after its closing quotes, or where it stopped when unterminated.
size_t Lexer::scan_quoted(size_t p, char q, bool triple, bool fmt, int nest) {
  while (p < n_) {
    char c = s_[p];
    if (c == '\\') {
      if (p + 1 < n_ && s_[p + 1] == '\r' && p + 2 < n_ && s_[p + 2] == '\n') {
        bump_line(p + 3);
        p += 3;
      } else if (p + 1 < n_ && (s_[p + 1] == '\n' || s_[p + 1] == '\r')) {
        bump_line(p + 2);
        p += 2;
      } else {
        p += 2;
      }
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (!triple) {
        unterminated_ = true;
        return p;
      }
      size_t next = (c == '\r' && p + 1 < n_ && s_[p + 1] == '\n') ? p + 2 : p + 1;
      bump_line(next);
      p = next;
      continue;
    }
    if (c == q) {
      if (!triple) return p + 1;
      if (p + 2 < n_ && s_[p + 1] == q && s_[p + 2] == q) return p + 3;
      ++p;
      continue;
    }
    if (fmt && c == '{' && nest < 16) {
      if (p + 1 < n_ && s_[p + 1] == '{') {
        p += 2;
        continue;
      }
      p = scan_fexpr(p + 1, q, triple, nest + 1);
      if (unterminated_) return p;
      continue;
    }
    ++p;
  }
  unterminated_ = true;
  return p;
}

// The expression part of an f-string replacement field, up to its closing brace. Nested
// strings may reuse the outer quote (PEP 701); older code never does, so this is safe.
size_t Lexer::scan_fexpr(size_t p, char q, bool triple, int nest) {
  int depth = 1;
  while (p < n_) {
    char c = s_[p];
    if (c == '{' || c == '(' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ')' || c == ']') {
      if (--depth == 0) return p + 1;
    } else if (c == '\'' || c == '"') {
      bool inner_fmt = false;
      for (size_t b = p; b > 0 && b + 2 >= p && is_alpha(static_cast<unsigned char>(s_[b - 1])); --b)
        if ((s_[b - 1] | 0x20) == 'f') inner_fmt = true;
      bool inner_triple = p + 2 < n_ && s_[p + 1] == c && s_[p + 2] == c;
      if (!triple && c == q && !inner_triple && p + 1 < n_ && s_[p + 1] == c) {
        p += 2;  // an empty string with the outer quote: "" inside f"{...}"
        continue;
      }
      p = scan_quoted(p + (inner_triple ? 3 : 1), c, inner_triple, inner_fmt, nest + 1);
      if (unterminated_) return p;
      continue;
    } else if (c == '\n' || c == '\r') {
      if (!triple) {
        unterminated_ = true;
        return p;
      }
      size_t next = (c == '\r' && p + 1 < n_ && s_[p + 1] == '\n') ? p + 2 : p + 1;
      bump_line(next);
      p = next;
      continue;
    }
    ++p;
  }
  unterminated_ = true;
  return p;
}

void Lexer::scan_string(size_t start, size_t quote_pos, uint8_t flags) {
  int32_t line = line_;
  int32_t col = col_at(start);
  char q = s_[quote_pos];
  bool triple = quote_pos + 2 < n_ && s_[quote_pos + 1] == q && s_[quote_pos + 2] == q;
  unterminated_ = false;
  size_t end = scan_quoted(quote_pos + (triple ? 3 : 1), q, triple, (flags & kStrFormat) != 0, 0);
  if (triple) flags |= kStrTriple;
  if (unterminated_) {
    flags |= kStrUnterminated;
    note_error(line);
  }
  emit(PyTok::String, start, end - start, line, col, flags, static_cast<uint8_t>(quote_pos - start),
       triple ? 3 : 1);
  pos_ = end;
}

void Lexer::scan_op() {
  static constexpr std::string_view kOps3[] = {"**=", "//=", ">>=", "<<=", "..."};
  static constexpr std::string_view kOps2[] = {"**", "//", ">>", "<<", "<=", ">=", "==", "!=",
                                               "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
                                               "^=", "@=", ":=", "<>"};
  std::string_view rest = s_.substr(pos_, 3);
  for (std::string_view op : kOps3)
    if (rest.size() >= 3 && rest.substr(0, 3) == op) {
      emit_here(PyTok::Op, pos_, 3);
      pos_ += 3;
      return;
    }
  for (std::string_view op : kOps2)
    if (rest.size() >= 2 && rest.substr(0, 2) == op) {
      emit_here(PyTok::Op, pos_, 2);
      pos_ += 2;
      return;
    }
  char c = s_[pos_];
  constexpr std::string_view kOps1 = "+-*/%@&|^~<>()[]{},:.;=!";
  if (kOps1.find(c) == std::string_view::npos) {
    emit_here(PyTok::Error, pos_, 1);
    note_error(line_);
    ++pos_;
    return;
  }
  if (c == '(' || c == '[' || c == '{') {
    if (depth_ == 0) open_indent_ = indents_.back();
    if (depth_ < 1000000) ++depth_;
  } else if ((c == ')' || c == ']' || c == '}') && depth_ > 0) {
    --depth_;
  }
  emit_here(PyTok::Op, pos_, 1);
  ++pos_;
}

PyTokens Lexer::run() {
  out_.tokens.reserve(n_ / 3 + 16);
  while (true) {
    if (at_line_start_ && depth_ == 0) line_start();
    while (pos_ < n_ && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\f')) ++pos_;
    if (pos_ >= n_) break;
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c == '#') {
      size_t e = pos_;
      while (e < n_ && s_[e] != '\n' && s_[e] != '\r') ++e;
      out_.comments.push_back({line_, s_.substr(pos_ + 1, e - pos_ - 1)});
      pos_ = e;
    } else if (c == '\n' || c == '\r') {
      newline();
    } else if (c == '\\') {
      size_t p = pos_ + 1;
      if (p < n_ && (s_[p] == '\n' || s_[p] == '\r')) {
        p += (s_[p] == '\r' && p + 1 < n_ && s_[p + 1] == '\n') ? 2u : 1u;
        pos_ = p;
        bump_line(p);
      } else {
        emit_here(PyTok::Error, pos_, 1);
        note_error(line_);
        ++pos_;
      }
    } else if (is_name_start(c)) {
      scan_name();
    } else if (is_digit(c) || (c == '.' && pos_ + 1 < n_ && is_digit(static_cast<unsigned char>(s_[pos_ + 1])))) {
      scan_number();
    } else if (c == '\'' || c == '"') {
      scan_string(pos_, pos_, 0);
    } else if (c < 0x20 || c == 0x7f) {
      ++pos_;  // stray control byte: skipped, like a space
      note_error(line_);
    } else {
      scan_op();
    }
  }
  if (line_has_tokens_) emit_here(PyTok::Newline, n_, 0);
  while (indents_.size() > 1) {
    indents_.pop_back();
    emit_here(PyTok::Dedent, n_, 0);
  }
  emit_here(PyTok::End, n_, 0);
  return std::move(out_);
}

}  // namespace

PyTokens tokenize_python(std::string_view src) { return Lexer(src).run(); }

}  // namespace bastion::check
