// SPDX-License-Identifier: MIT
// JSON parsing and printing for the configuration layer. A recursive-descent parser with a
// depth limit; inputs are small (a config file's settings), so clarity beats speed here.
#include "config/json.h"

#include "base/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace bastion::config::json {

Value Value::null() { return Value(); }

Value Value::boolean(bool v) {
  Value out;
  out.type = Type::Bool;
  out.b = v;
  return out;
}

Value Value::integer(int64_t v) {
  Value out;
  out.type = Type::Int;
  out.i = v;
  return out;
}

Value Value::number(double v) {
  Value out;
  out.type = Type::Double;
  out.d = v;
  return out;
}

Value Value::string(std::string v) {
  Value out;
  out.type = Type::String;
  out.s = std::move(v);
  return out;
}

Value Value::list(std::vector<Value> items) {
  Value out;
  out.type = Type::Array;
  out.array = std::move(items);
  return out;
}

Value Value::list_of(const std::vector<std::string>& items) {
  Value out;
  out.type = Type::Array;
  for (const std::string& item : items) out.array.push_back(string(item));
  return out;
}

const Value* Value::find(std::string_view key) const {
  if (type != Type::Object) return nullptr;
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Value::set(std::string key, Value v) {
  type = Type::Object;
  object.push_back(Member{std::move(key), std::move(v)});
}

bool Value::operator==(const Value& other) const {
  if (type != other.type) return false;
  switch (type) {
    case Type::Null: return true;
    case Type::Bool: return b == other.b;
    case Type::Int: return i == other.i;
    case Type::Double: return d == other.d;
    case Type::String: return s == other.s;
    case Type::Array: return array == other.array;
    case Type::Object: return object == other.object;
  }
  return false;
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  base::Result<Value> run() {
    Value v;
    if (!value(&v, 0)) return fail();
    skip_ws();
    if (pos_ != text_.size()) {
      error_ = "trailing characters";
      return fail();
    }
    return v;
  }

 private:
  base::Error fail() const {
    return base::make_error("invalid JSON at offset " + std::to_string(pos_) + ": " + error_);
  }

  void skip_ws() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      error_ = "unexpected token";
      return false;
    }
    pos_ += word.size();
    return true;
  }

  bool value(Value* out, int depth) {
    if (depth > kMaxDepth) {
      error_ = "nested too deeply";
      return false;
    }
    skip_ws();
    if (pos_ >= text_.size()) {
      error_ = "unexpected end";
      return false;
    }
    char c = text_[pos_];
    if (c == 'n') return literal("null");
    if (c == 't') {
      *out = Value::boolean(true);
      return literal("true");
    }
    if (c == 'f') {
      *out = Value::boolean(false);
      return literal("false");
    }
    if (c == '"') {
      out->type = Value::Type::String;
      return string(&out->s);
    }
    if (c == '[') return array(out, depth);
    if (c == '{') return object(out, depth);
    return number(out);
  }

  bool array(Value* out, int depth) {
    out->type = Value::Type::Array;
    ++pos_;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      Value item;
      if (!value(&item, depth + 1)) return false;
      out->array.push_back(std::move(item));
      skip_ws();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      error_ = "expected ',' or ']'";
      return false;
    }
  }

  bool object(Value* out, int depth) {
    out->type = Value::Type::Object;
    ++pos_;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      std::string key;
      if (pos_ >= text_.size() || text_[pos_] != '"' || !string(&key)) {
        if (error_.empty()) error_ = "expected a string key";
        return false;
      }
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        error_ = "expected ':'";
        return false;
      }
      ++pos_;
      Value item;
      if (!value(&item, depth + 1)) return false;
      out->object.push_back(Member{std::move(key), std::move(item)});
      skip_ws();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      error_ = "expected ',' or '}'";
      return false;
    }
  }

  bool hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return false;
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
      else return false;
    }
    *out = v;
    return true;
  }

  static void put_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool escape(std::string* out) {
    if (pos_ >= text_.size()) return false;
    char e = text_[pos_++];
    switch (e) {
      case '"': out->push_back('"'); return true;
      case '\\': out->push_back('\\'); return true;
      case '/': out->push_back('/'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    uint32_t cp = 0;
    if (!hex4(&cp)) return false;
    // A lone surrogate (Python's json.dumps emits them for surrogateescape'd bytes) is kept
    // as its three-byte form rather than rejected; a valid pair becomes one code point.
    if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
      size_t save = pos_;
      pos_ += 2;
      uint32_t low = 0;
      if (hex4(&low) && low >= 0xDC00 && low < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        pos_ = save;
      }
    }
    put_utf8(cp, out);
    return true;
  }

  bool string(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) {
        error_ = "control character in string";
        return false;
      }
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (!escape(out)) {
        error_ = "bad escape";
        return false;
      }
    }
    error_ = "unterminated string";
    return false;
  }

  bool number(Value* out) {
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    bool is_int = true;
    size_t digits = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_int = false;
      } else {
        break;
      }
      ++pos_;
    }
    if (digits == 0) {
      pos_ = start;
      error_ = "unexpected character";
      return false;
    }
    std::string token(text_.substr(start, pos_ - start));
    char* end = nullptr;
    errno = 0;
    if (is_int) {
      long long v = std::strtoll(token.c_str(), &end, 10);
      if (errno == 0 && *end == '\0') {
        *out = Value::integer(static_cast<int64_t>(v));
        return true;
      }
    }
    errno = 0;
    double d = std::strtod(token.c_str(), &end);
    if (*end != '\0') {
      error_ = "bad number";
      return false;
    }
    *out = Value::number(d);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

void dump_to(const Value& v, std::string* out) {
  switch (v.type) {
    case Value::Type::Null: *out += "null"; return;
    case Value::Type::Bool: *out += v.b ? "true" : "false"; return;
    case Value::Type::Int: *out += std::to_string(v.i); return;
    case Value::Type::Double: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.d);
      *out += std::isfinite(v.d) ? buf : "null";
      return;
    }
    case Value::Type::String: *out += quote(v.s); return;
    case Value::Type::Array:
      out->push_back('[');
      for (size_t k = 0; k < v.array.size(); ++k) {
        if (k) out->push_back(',');
        dump_to(v.array[k], out);
      }
      out->push_back(']');
      return;
    case Value::Type::Object:
      out->push_back('{');
      for (size_t k = 0; k < v.object.size(); ++k) {
        if (k) out->push_back(',');
        *out += quote(v.object[k].first);
        out->push_back(':');
        dump_to(v.object[k].second, out);
      }
      out->push_back('}');
      return;
  }
}

void repr_to(const Value& v, std::string* out) {
  switch (v.type) {
    case Value::Type::Null: *out += "None"; return;
    case Value::Type::Bool: *out += v.b ? "True" : "False"; return;
    case Value::Type::Int: *out += std::to_string(v.i); return;
    case Value::Type::Double: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.d);
      std::string text = buf;
      if (text.find_first_of(".en") == std::string::npos) text += ".0";
      *out += text;
      return;
    }
    case Value::Type::String: *out += py_repr_string(v.s); return;
    case Value::Type::Array:
      out->push_back('[');
      for (size_t k = 0; k < v.array.size(); ++k) {
        if (k) *out += ", ";
        repr_to(v.array[k], out);
      }
      out->push_back(']');
      return;
    case Value::Type::Object:
      out->push_back('{');
      for (size_t k = 0; k < v.object.size(); ++k) {
        if (k) *out += ", ";
        *out += py_repr_string(v.object[k].first);
        *out += ": ";
        repr_to(v.object[k].second, out);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

base::Result<Value> parse(std::string_view text) { return Parser(text).run(); }

std::string dump(const Value& v) {
  std::string out;
  dump_to(v, &out);
  return out;
}

std::string quote(std::string_view s) { return base::json_quote(s); }

std::string py_repr_string(std::string_view s) {
  char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos)
               ? '"'
               : '\'';
  std::string out(1, q);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == q || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back(q);
  return out;
}

std::string py_repr(const Value& v) {
  std::string out;
  repr_to(v, &out);
  return out;
}

}  // namespace bastion::config::json
