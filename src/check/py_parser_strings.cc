// SPDX-License-Identifier: MIT
// String literals for the light Python parser: escapes, adjacent-literal concatenation and
// f-strings, whose replacement fields are parsed with a nested parser (bounded depth).
#include <string>
#include <vector>

#include "check/py_parser.h"
#include "check/py_parser_impl.h"

namespace bastion::check {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | ((cp >> 18) & 0x07));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// One backslash escape starting at body[k] == '\\'; returns the index after it.
size_t decode_escape(std::string_view body, size_t k, std::string& out) {
  if (k + 1 >= body.size()) {
    out += '\\';
    return k + 1;
  }
  char c = body[k + 1];
  switch (c) {
    case '\n': return k + 2;
    case '\r': return (k + 2 < body.size() && body[k + 2] == '\n') ? k + 3 : k + 2;
    case 'n': out += '\n'; return k + 2;
    case 't': out += '\t'; return k + 2;
    case 'r': out += '\r'; return k + 2;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      unsigned v = 0;
      size_t j = k + 1;
      for (int n = 0; n < 3 && j < body.size() && body[j] >= '0' && body[j] <= '7'; ++n, ++j)
        v = v * 8 + static_cast<unsigned>(body[j] - '0');
      append_utf8(out, v);
      return j;
    }
    case 'x': case 'u': case 'U': {
      int want = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      unsigned v = 0;
      size_t j = k + 2;
      int n = 0;
      for (; n < want && j < body.size() && hex_digit(body[j]) >= 0; ++n, ++j)
        v = v * 16 + static_cast<unsigned>(hex_digit(body[j]));
      if (n == 0 || v > 0x10FFFF) {
        out.append(body.substr(k, 2));
        return k + 2;
      }
      append_utf8(out, v);
      return j;
    }
    case 'a': out += '\a'; return k + 2;
    case 'b': out += '\b'; return k + 2;
    case 'f': out += '\f'; return k + 2;
    case 'v': out += '\v'; return k + 2;
    case '\\': case '\'': case '"': out += c; return k + 2;
    default:
      out += '\\';
      out += c;
      return k + 2;
  }
}

}  // namespace

uint8_t decode_python_string(std::string_view tok, uint8_t prefix_len, uint8_t quote_len,
                             uint8_t flags, std::string& out) {
  size_t begin = static_cast<size_t>(prefix_len) + quote_len;
  if (begin > tok.size()) return flags;
  size_t end = tok.size();
  if ((flags & kStrUnterminated) == 0 && end >= begin + quote_len) end -= quote_len;
  std::string_view body = tok.substr(begin, end - begin);
  bool raw = (flags & kStrRaw) != 0;
  bool fmt = (flags & kStrFormat) != 0;
  bool has_field = false;
  for (size_t k = 0; k < body.size();) {
    char c = body[k];
    if (c == '\\' && !raw) {
      k = decode_escape(body, k, out);
      continue;
    }
    if (c == '\\' && raw && k + 1 < body.size()) {  // raw: the backslash and next char stay
      out += c;
      out += body[k + 1];
      k += 2;
      continue;
    }
    if (fmt && (c == '{' || c == '}')) {
      if (k + 1 < body.size() && body[k + 1] == c) {
        out += c;
        k += 2;
        continue;
      }
      if (c == '{') has_field = true;
    }
    out += c;
    ++k;
  }
  if (fmt && !has_field) flags = static_cast<uint8_t>(flags & ~kStrFormat);
  return flags;
}


namespace detail {

Expr* PyParser::strings() {
  const PyToken& first = cur();
  std::string value;
  std::string piece;
  uint8_t flags = 0;
  std::vector<Expr*> parts;  // only for f-strings with replacement fields
  while (cur().kind == PyTok::String) {
    const PyToken& tok = cur();
    piece.clear();
    uint8_t f = decode_python_string(text(tok), tok.prefix, tok.quote, tok.flags, piece);
    flags |= f;
    if ((f & kStrFormat) != 0 && (tok.flags & kStrUnterminated) == 0) {
      fstring_parts(tok, value, parts);
    } else if (value.size() < (1u << 20)) {
      value += piece;
    }
    advance();
  }
  Expr* e = node(ExprKind::Str, first);
  e->flags = flags;
  if (!parts.empty() || (flags & kStrFormat) != 0) {
    if (!value.empty() || parts.empty()) {
      Expr* lit = node(ExprKind::Str, first);
      lit->text = keep(value);
      parts.push_back(lit);
    }
    e->kind = ExprKind::JoinedStr;
    e->list = list(parts);
  } else {
    e->text = keep(value);
  }
  finish(e);
  return e;
}

// Splits one f-string token into literal text (appended to `pending`) and replacement
// fields (each flushing `pending` as a Str part, then adding the field's expression).
void PyParser::fstring_parts(const PyToken& tok, std::string& pending, std::vector<Expr*>& parts) {
  std::string_view t = text(tok);
  size_t begin = static_cast<size_t>(tok.prefix) + tok.quote;
  if (begin + tok.quote > t.size()) return;
  std::string_view body = t.substr(begin, t.size() - begin - tok.quote);
  bool raw = (tok.flags & kStrRaw) != 0;
  auto flush = [&] {
    if (pending.empty()) return;
    Expr* lit = node(ExprKind::Str, tok);
    lit->text = keep(pending);
    parts.push_back(lit);
    pending.clear();
  };
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '\\' && !raw) {
      i = decode_escape(body, i, pending);
      continue;
    }
    if ((c == '{' || c == '}') && i + 1 < body.size() && body[i + 1] == c) {
      pending += c;
      i += 2;
      continue;
    }
    if (c != '{') {
      pending += c;
      ++i;
      continue;
    }
    // A replacement field: the expression ends at a top-level '!', ':', '=' (self-documenting)
    // or '}'; a conversion or format spec makes the text unknowable (kept Unknown).
    size_t j = i + 1;
    int depth = 0;
    char quote = 0;
    for (; j < body.size(); ++j) {
      char d = body[j];
      if (quote != 0) {
        if (d == '\\') ++j;
        else if (d == quote) quote = 0;
        continue;
      }
      if (d == '\'' || d == '"') quote = d;
      else if (d == '(' || d == '[' || d == '{') ++depth;
      else if (d == ')' || d == ']') --depth;
      else if (d == '}' && depth-- == 0) break;
      else if (depth == 0 && (d == ':' || (d == '!' && j + 1 < body.size() && body[j + 1] != '='))) break;
    }
    std::string_view expr = body.substr(i + 1, j - i - 1);
    bool plain = j < body.size() && body[j] == '}';
    if (!expr.empty() && expr.back() == '=') plain = false;  // f"{x=}"
    // Skip to the field's closing brace (a format spec may nest fields).
    int nest = 0;
    for (; j < body.size(); ++j) {
      if (body[j] == '{') ++nest;
      if (body[j] == '}' && nest-- == 0) break;
    }
    flush();
    parts.push_back(field_expression(expr, tok, plain));
    i = j + 1;
  }
}

Expr* PyParser::field_expression(std::string_view field, const PyToken& at_tok, bool plain) {
  if (!plain || field.empty() || field.size() > 4096 || depth_ > kMaxDepth - 20) return unknown_at(at_tok);
  std::string_view src = keep(field);
  PyTokens toks = tokenize_python(src);
  for (PyToken& k : toks.tokens) {
    k.line += at_tok.line - 1;
    if (k.line == at_tok.line) k.col += at_tok.col;
  }
  PyParser sub(m_, toks.tokens, src, depth_ + 8);
  Expr* e = sub.testlist_star();
  if (sub.failed_ || (sub.cur().kind != PyTok::Newline && sub.cur().kind != PyTok::End)) return unknown_at(at_tok);
  return e;
}

}  // namespace detail
}  // namespace bastion::check
