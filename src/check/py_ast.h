// SPDX-License-Identifier: MIT
// The light Python syntax tree that `bastion check` evaluates: statements and expressions
// with source positions, allocated in one arena per module. Only the STL.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "check/py_tokenizer.h"

namespace bastion::check {

enum class ExprKind : uint8_t {
  Name,       // text = identifier
  Attribute,  // a.text
  Call,       // a(list...); list items are positional exprs, Keyword, StarArg or DStarArg
  Keyword,    // text=a (call argument)
  StarArg,    // *a
  DStarArg,   // **a (call argument or dict entry)
  Str,        // text = decoded value; flags = PyStrFlag bits
  Num,        // text = literal as written
  True, False, None, Ellipsis,
  Subscript,  // a[b]
  Dict,       // list = key, value, key, value ...; key null for **value
  List, Tuple, Set,
  BoolOp,     // op 'a' (and) / 'o' (or); list = operands
  Not,        // not a
  Unary,      // op '-', '+', '~'
  BinOp,      // a op b; op is the first char of the operator ('*' for '**' too: see op2)
  Compare,    // a op b; op: '=' ==, '!' !=, '<', '>', 'l' <=, 'g' >=, 'i' in, 'n' not in, 's' is, 'S' is not
  IfExp,      // a if b else c
  Named,      // text := a
  JoinedStr,  // f-string: list = Str parts and replacement-field expressions, in order
  Unknown,    // lambda, comprehension, yield, await, slice, anything not modelled
};

struct Expr;

/// A fixed array of child pointers living in the module arena.
template <typename T>
struct NodeList {
  T** items = nullptr;
  uint32_t size = 0;
  T* operator[](uint32_t i) const { return items[i]; }
  T** begin() const { return items; }
  T** end() const { return items + size; }
  bool empty() const { return size == 0; }
};

struct Expr {
  ExprKind kind = ExprKind::Unknown;
  char op = 0;
  uint8_t flags = 0;
  int32_t line = 0;
  int32_t col = 0;
  int32_t end_line = 0;  // last line the expression touches (for multi-line calls)
  std::string_view text;
  Expr* a = nullptr;
  Expr* b = nullptr;
  Expr* c = nullptr;
  NodeList<Expr> list;
};

enum class StmtKind : uint8_t {
  Expr,        // value
  Assign,      // targets = value (chained assignment has several targets)
  AugAssign,   // targets[0] op= value
  AnnAssign,   // targets[0]: annotation = value (value may be null)
  Import,      // aliases
  ImportFrom,  // from name (level dots) import aliases; aliases[0].name == "*" for star
  If,          // if value: body else: orelse (elif is a nested If in orelse)
  For,         // for targets[0] in value: body else: orelse
  While,       // while value: body else: orelse
  With,        // with exprs (context managers; targets hold the `as` targets): body
  Try,         // body, handlers (each a Block), orelse, finalbody
  FunctionDef, // name(params): body; exprs = decorators
  ClassDef,    // name(exprs = bases and keywords): body; targets = decorators
  Return,      // value (may be null)
  Global,      // names in aliases
  Match,       // match value: handlers (each a Block, one per case)
  Block,       // an opaque block: an except/case clause, or a header we could not parse
  Other,       // pass, break, del, raise, assert, ... (value may hold an expression)
};

struct Alias {
  std::string_view name;    // dotted module name, or imported name
  std::string_view asname;  // empty when absent
  int32_t line = 0;
  int32_t col = 0;
};

struct Param {
  std::string_view name;
  Expr* default_value = nullptr;
  char kind = 0;  // 0 normal, '*' *args, 'd' **kwargs
};

struct Stmt {
  StmtKind kind = StmtKind::Other;
  int32_t line = 0;
  int32_t col = 0;
  int32_t end_line = 0;
  std::string_view name;
  int32_t level = 0;
  Expr* value = nullptr;
  NodeList<Expr> targets;
  NodeList<Expr> exprs;
  NodeList<Stmt> body;
  NodeList<Stmt> orelse;
  NodeList<Stmt> handlers;
  NodeList<Stmt> finalbody;
  Alias* aliases = nullptr;
  uint32_t n_aliases = 0;
  Param* params = nullptr;
  uint32_t n_params = 0;
};

/// A parsed module. Owns its source text (all views point into it or into the arena).
/// Not copyable or movable (views would dangle); hold it by pointer.
struct PyModule {
  PyModule() = default;
  PyModule(const PyModule&) = delete;
  PyModule& operator=(const PyModule&) = delete;

  std::string source;
  std::pmr::monotonic_buffer_resource arena;
  NodeList<Stmt> body;
  std::vector<PyComment> comments;
  int32_t first_error_line = 0;  // 0 when the whole file parsed
  int32_t lines = 0;
};

}  // namespace bastion::check
