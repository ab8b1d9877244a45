// SPDX-License-Identifier: MIT
// Private to py_parser*.cc: the recursive-descent parser over the token vector.
// Errors are a flag (failed_) checked by the statement loop, which resynchronises at the
// end of the logical line. No exceptions.
#pragma once

#include <string_view>
#include <vector>

#include "check/py_ast.h"
#include "check/py_tokenizer.h"

namespace bastion::check::detail {

class PyParser {
 public:
  PyParser(PyModule& module, const std::vector<PyToken>& tokens)
      : m_(module), t_(tokens), src_(module.source) {}
  /// A parser over other text (an f-string replacement field) sharing the module arena.
  PyParser(PyModule& module, const std::vector<PyToken>& tokens, std::string_view src, int depth)
      : m_(module), t_(tokens), src_(src), depth_(depth) {}

  NodeList<Stmt> parse_file();

  // Expressions (py_parser_expr.cc).
  Expr* test();
  Expr* named_test();
  Expr* or_test();
  Expr* star_or_test();
  Expr* star_or_expr();
  Expr* bit_expr(int min_prec = 1);
  Expr* testlist_star();   // a, *b, c  (tuple when there is a comma)
  Expr* exprlist();        // for-loop targets
  void call_args(std::vector<Expr*>& out);

 private:
  // Statements (py_parser.cc).
  void statement(std::vector<Stmt*>& out);
  void simple_statements(std::vector<Stmt*>& out);
  Stmt* small_statement();
  Stmt* import_statement();
  Stmt* from_statement();
  Stmt* expression_statement();
  Stmt* compound(std::string_view kw, NodeList<Expr> decorators);
  Stmt* if_statement(bool is_while);
  Stmt* for_statement();
  Stmt* try_statement();
  Stmt* with_statement();
  Stmt* def_statement(NodeList<Expr> decorators);
  Stmt* class_statement(NodeList<Expr> decorators);
  Stmt* match_statement();
  bool looks_like_match() const;
  NodeList<Stmt> suite();
  NodeList<Stmt> block_until_dedent();
  Stmt* recover_header(size_t header_start, int32_t line, int32_t col);
  void skip_line();
  void skip_simple();
  bool params(std::vector<Param>& out);

  // Expression helpers (py_parser_expr.cc).
  Expr* comparison();
  Expr* not_test();
  Expr* unary();
  Expr* power();
  Expr* primary();
  Expr* atom();
  Expr* paren_atom();
  Expr* list_atom();
  Expr* brace_atom();
  Expr* strings();
  void fstring_parts(const PyToken& tok, std::string& pending, std::vector<Expr*>& parts);
  Expr* field_expression(std::string_view text, const PyToken& at_tok, bool plain);
  Expr* subscript_index();
  Expr* lambda_expr();
  Expr* yield_expr();
  void skip_to_close();
  bool can_start_expr() const;

 public:
  // Token access.
  const PyToken& cur() const { return t_[i_]; }
  const PyToken& at(size_t k) const { return t_[k < t_.size() ? k : t_.size() - 1]; }
  std::string_view text(const PyToken& tok) const { return tok.text(src_); }
  bool op(std::string_view o) const { return cur().kind == PyTok::Op && text(cur()) == o; }
  bool kw(std::string_view k) const { return cur().kind == PyTok::Name && text(cur()) == k; }
  bool at_line_end() const {
    PyTok k = cur().kind;
    return k == PyTok::Newline || k == PyTok::End || k == PyTok::Indent || k == PyTok::Dedent;
  }
  void advance() {
    if (i_ + 1 < t_.size()) ++i_;
  }
  bool accept_op(std::string_view o) {
    if (!op(o)) return false;
    advance();
    return true;
  }
  bool expect_op(std::string_view o) {
    if (accept_op(o)) return true;
    failed_ = true;
    return false;
  }

  template <typename T>
  T* make() {
    void* p = m_.arena.allocate(sizeof(T), alignof(T));
    return new (p) T();
  }
  template <typename T>
  NodeList<T> list(const std::vector<T*>& v) {
    NodeList<T> l;
    if (v.empty()) return l;
    l.items = static_cast<T**>(m_.arena.allocate(sizeof(T*) * v.size(), alignof(T*)));
    for (size_t k = 0; k < v.size(); ++k) l.items[k] = v[k];
    l.size = static_cast<uint32_t>(v.size());
    return l;
  }
  std::string_view keep(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(m_.arena.allocate(s.size(), 1));
    for (size_t k = 0; k < s.size(); ++k) p[k] = s[k];
    return {p, s.size()};
  }
  Expr* node(ExprKind kind, const PyToken& at_tok) {
    Expr* e = make<Expr>();
    e->kind = kind;
    e->line = at_tok.line;
    e->col = at_tok.col;
    e->end_line = at_tok.line;
    return e;
  }
  Expr* unknown_at(const PyToken& at_tok) { return node(ExprKind::Unknown, at_tok); }
  void finish(Expr* e) {
    if (i_ > 0 && at(i_ - 1).line > e->end_line) e->end_line = at(i_ - 1).line;
  }
  void note_error(int32_t line) {
    if (m_.first_error_line == 0 || line < m_.first_error_line) m_.first_error_line = line;
  }

  PyModule& m_;
  const std::vector<PyToken>& t_;
  std::string_view src_;
  size_t i_ = 0;
  bool failed_ = false;
  int depth_ = 0;
  static constexpr int kMaxDepth = 160;
};

}  // namespace bastion::check::detail
