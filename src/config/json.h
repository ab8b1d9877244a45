// SPDX-License-Identifier: MIT
// A small JSON value for the configuration layer: the config-file child reports settings as
// JSON, values from every source are carried as json::Value until validated, and
// --print-config=json writes JSON. Also prints values as Python literals (Gunicorn's
// --print-config shows Python reprs). Depends on base only; no Python.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace bastion::config::json {

struct Member;

/// One JSON value. Objects keep their insertion order (a Python dict's order).
/// Plain data: copy freely; any thread.
struct Value {
  enum class Type { Null, Bool, Int, Double, String, Array, Object };

  Type type = Type::Null;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Value> array;
  std::vector<Member> object;  ///< Members in insertion order (duplicates are kept).

  static Value null();
  static Value boolean(bool v);
  static Value integer(int64_t v);
  static Value number(double v);
  static Value string(std::string v);
  static Value list(std::vector<Value> items);
  static Value list_of(const std::vector<std::string>& items);

  bool is_null() const { return type == Type::Null; }
  bool is_string() const { return type == Type::String; }
  bool is_array() const { return type == Type::Array; }
  bool is_object() const { return type == Type::Object; }
  /// The member `key` of an object, or nullptr (also when this is not an object).
  const Value* find(std::string_view key) const;
  /// Appends a member to an object (no duplicate check).
  void set(std::string key, Value v);

  bool operator==(const Value& other) const;
};

/// One member of an object.
struct Member {
  std::string first;  ///< The key.
  Value second;       ///< The value.
  bool operator==(const Member& other) const = default;
};

/// Parses one JSON document (RFC 8259; surrounding whitespace allowed). Integers that fit in
/// int64 become Int, other numbers Double. Errors name the byte offset.
base::Result<Value> parse(std::string_view text);

/// Compact JSON text (no spaces), non-ASCII bytes passed through as UTF-8.
std::string dump(const Value& v);
/// A JSON string literal with quotes and escapes.
std::string quote(std::string_view s);

/// The value as Python would print it with repr(): None, True, 'text', [1, 'a'], {'k': 'v'}.
std::string py_repr(const Value& v);
/// Python's repr() of a str: single quotes unless the text holds ' and no ".
std::string py_repr_string(std::string_view s);

}  // namespace bastion::config::json
