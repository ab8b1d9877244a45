// SPDX-License-Identifier: MIT
// Expressions for the light Python parser: precedence climbing for binary operators,
// recursive descent elsewhere, bounded recursion. Comprehensions, lambdas, slices and
// yields are parsed past (their tokens consumed) and become Unknown nodes.
#include <string>

#include "check/py_parser.h"
#include "check/py_parser_impl.h"

namespace bastion::check {
namespace detail {
namespace {

// Binary operator precedence (higher binds tighter); 0 when `o` is not a binary operator.
int binary_prec(std::string_view o) {
  if (o.size() == 1) {
    switch (o[0]) {
      case '|': return 1;
      case '^': return 2;
      case '&': return 3;
      case '+': case '-': return 5;
      case '*': case '/': case '%': case '@': return 6;
      default: return 0;
    }
  }
  if (o == "<<" || o == ">>") return 4;
  if (o == "//") return 6;
  return 0;
}

bool is_reserved(std::string_view w) {
  // Every reserved word is 2..8 lowercase letters: most names fail this cheap test.
  if (w.size() < 2 || w.size() > 8 || w[0] < 'a' || w[0] > 'y') return false;
  constexpr std::string_view kWords[] = {
      "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else",
      "except", "finally", "for", "from", "global", "if", "import", "in", "is", "nonlocal",
      "or", "pass", "raise", "return", "try", "while", "with", "yield", "not", "lambda"};
  for (std::string_view k : kWords)
    if (w == k) return true;
  return false;
}

struct DepthGuard {
  explicit DepthGuard(PyParser& p) : p_(p) { ++p_.depth_; }
  ~DepthGuard() { --p_.depth_; }
  bool too_deep() const { return p_.depth_ > PyParser::kMaxDepth; }
  PyParser& p_;
};

}  // namespace

void PyParser::skip_to_close() {
  int depth = 0;
  while (!at_line_end()) {
    if (cur().kind == PyTok::Op) {
      std::string_view o = text(cur());
      if (o == "(" || o == "[" || o == "{") {
        ++depth;
      } else if (o == ")" || o == "]" || o == "}") {
        if (depth == 0) return;
        --depth;
      }
    }
    advance();
  }
}

Expr* PyParser::named_test() {
  if (cur().kind == PyTok::Name && at(i_ + 1).kind == PyTok::Op && text(at(i_ + 1)) == ":=") {
    Expr* e = node(ExprKind::Named, cur());
    e->text = text(cur());
    advance();
    advance();
    e->a = test();
    finish(e);
    return e;
  }
  return test();
}

Expr* PyParser::test() {
  DepthGuard guard(*this);
  if (guard.too_deep()) {
    failed_ = true;
    return unknown_at(cur());
  }
  if (kw("lambda")) return lambda_expr();
  Expr* e = or_test();
  if (kw("if") && !failed_) {
    Expr* ife = node(ExprKind::IfExp, t_[i_]);
    ife->line = e->line;
    ife->col = e->col;
    advance();
    ife->a = e;
    ife->b = or_test();
    if (!kw("else")) {
      failed_ = true;
      return ife;
    }
    advance();
    ife->c = test();
    finish(ife);
    return ife;
  }
  return e;
}

Expr* PyParser::lambda_expr() {
  Expr* e = unknown_at(cur());
  advance();
  int depth = 0;
  while (!at_line_end()) {  // parameters up to the ':' at bracket depth 0
    if (cur().kind == PyTok::Op) {
      std::string_view o = text(cur());
      if (o == "(" || o == "[" || o == "{") ++depth;
      if (o == ")" || o == "]" || o == "}") --depth;
      if (o == ":" && depth == 0) break;
    }
    advance();
  }
  if (!expect_op(":")) return e;
  test();
  finish(e);
  return e;
}

Expr* PyParser::yield_expr() {
  Expr* e = unknown_at(cur());
  advance();
  if (kw("from")) advance();
  if (!at_line_end() && !op(")") && !op("]") && !op("}") && !op("=") && !op(";")) testlist_star();
  finish(e);
  return e;
}

Expr* PyParser::or_test() {
  Expr* first = not_test();
  if (!kw("or") && !kw("and")) return first;
  // and binds tighter than or: collect and-groups, then the or.
  std::vector<Expr*> ors;
  Expr* group = first;
  while (!failed_) {
    if (kw("and")) {
      std::vector<Expr*> ands{group};
      while (kw("and") && !failed_) {
        advance();
        ands.push_back(not_test());
      }
      Expr* e = node(ExprKind::BoolOp, t_[i_]);
      e->op = 'a';
      e->line = ands[0]->line;
      e->col = ands[0]->col;
      e->list = list(ands);
      finish(e);
      group = e;
      continue;
    }
    ors.push_back(group);
    if (!kw("or")) break;
    advance();
    group = not_test();
  }
  if (ors.empty()) ors.push_back(group);  // an error stopped the loop inside an `and` chain
  if (ors.size() == 1) return ors[0];
  Expr* e = node(ExprKind::BoolOp, t_[i_]);
  e->op = 'o';
  e->line = ors[0]->line;
  e->col = ors[0]->col;
  e->list = list(ors);
  finish(e);
  return e;
}

Expr* PyParser::not_test() {
  if (kw("not")) {
    DepthGuard guard(*this);
    Expr* e = node(ExprKind::Not, cur());
    advance();
    if (guard.too_deep()) {
      failed_ = true;
      return e;
    }
    e->a = not_test();
    finish(e);
    return e;
  }
  return comparison();
}

Expr* PyParser::comparison() {
  Expr* left = bit_expr();
  std::vector<Expr*> parts;
  while (!failed_) {
    char o = 0;
    size_t width = 1;
    if (cur().kind == PyTok::Op) {
      std::string_view t = text(cur());
      if (t == "==") o = '=';
      else if (t == "!=" || t == "<>") o = '!';
      else if (t == "<") o = '<';
      else if (t == ">") o = '>';
      else if (t == "<=") o = 'l';
      else if (t == ">=") o = 'g';
    } else if (kw("in")) {
      o = 'i';
    } else if (kw("not") && at(i_ + 1).kind == PyTok::Name && text(at(i_ + 1)) == "in") {
      o = 'n';
      width = 2;
    } else if (kw("is")) {
      bool neg = at(i_ + 1).kind == PyTok::Name && text(at(i_ + 1)) == "not";
      o = neg ? 'S' : 's';
      width = neg ? 2 : 1;
    }
    if (o == 0) break;
    for (size_t k = 0; k < width; ++k) advance();
    Expr* right = bit_expr();
    Expr* c = node(ExprKind::Compare, t_[i_]);
    c->op = o;
    c->a = left;
    c->b = right;
    c->line = left->line;
    c->col = left->col;
    finish(c);
    parts.push_back(c);
    left = right;
  }
  if (parts.empty()) return left;
  if (parts.size() == 1) return parts[0];
  Expr* e = node(ExprKind::BoolOp, t_[i_]);  // a < b < c  ==  a < b and b < c
  e->op = 'a';
  e->line = parts[0]->line;
  e->col = parts[0]->col;
  e->list = list(parts);
  return e;
}

Expr* PyParser::bit_expr(int min_prec) {
  Expr* left = unary();
  while (!failed_ && cur().kind == PyTok::Op) {
    std::string_view o = text(cur());
    int prec = binary_prec(o);
    if (prec == 0 || prec < min_prec) break;
    advance();
    Expr* right = bit_expr(prec + 1);
    Expr* e = node(ExprKind::BinOp, t_[i_]);
    e->op = o[0];
    e->a = left;
    e->b = right;
    e->line = left->line;
    e->col = left->col;
    finish(e);
    left = e;
  }
  return left;
}

Expr* PyParser::unary() {
  if (op("-") || op("+") || op("~")) {
    DepthGuard guard(*this);
    Expr* e = node(ExprKind::Unary, cur());
    e->op = text(cur())[0];
    advance();
    if (guard.too_deep()) {
      failed_ = true;
      return e;
    }
    e->a = unary();
    finish(e);
    return e;
  }
  return power();
}

Expr* PyParser::power() {
  bool is_await = kw("await") && at(i_ + 1).kind != PyTok::Op;
  if (is_await) advance();
  Expr* base = primary();
  if (op("**")) {
    advance();
    Expr* e = node(ExprKind::BinOp, t_[i_]);
    e->op = 'p';
    e->a = base;
    e->b = unary();
    e->line = base->line;
    e->col = base->col;
    finish(e);
    base = e;
  }
  if (is_await) {
    Expr* u = node(ExprKind::Unknown, t_[i_]);
    u->line = base->line;
    u->col = base->col;
    return u;
  }
  return base;
}

void PyParser::call_args(std::vector<Expr*>& out) {
  // Called after '('; consumes up to and including ')'.
  while (!failed_ && !op(")")) {
    if (at_line_end()) {
      failed_ = true;
      return;
    }
    const PyToken& start = cur();
    Expr* arg = nullptr;
    if (op("*") || op("**")) {
      arg = node(op("*") ? ExprKind::StarArg : ExprKind::DStarArg, start);
      advance();
      arg->a = test();
    } else if (cur().kind == PyTok::Name && at(i_ + 1).kind == PyTok::Op && text(at(i_ + 1)) == "=") {
      arg = node(ExprKind::Keyword, start);
      arg->text = text(start);
      advance();
      advance();
      arg->a = test();
    } else {
      arg = named_test();
      if (kw("for") || kw("async")) {  // generator argument
        skip_to_close();
        arg = unknown_at(start);
      }
    }
    finish(arg);
    out.push_back(arg);
    if (!accept_op(",")) break;
  }
  expect_op(")");
}

Expr* PyParser::subscript_index() {
  // Called after '['; a slice or anything with ':' becomes Unknown.
  const PyToken& start = cur();
  std::vector<Expr*> items;
  bool slice = false;
  while (!failed_ && !op("]")) {
    if (at_line_end()) {
      failed_ = true;
      break;
    }
    if (op(":")) {
      slice = true;
      advance();
      continue;
    }
    items.push_back(star_or_test());
    if (op(":")) continue;
    if (!accept_op(",")) break;
    items.push_back(nullptr);  // marks a tuple index
  }
  expect_op("]");
  if (slice || items.empty()) return unknown_at(start);
  if (items.size() == 1) return items[0];
  std::vector<Expr*> elts;
  for (Expr* e : items)
    if (e != nullptr) elts.push_back(e);
  Expr* t = node(ExprKind::Tuple, start);
  t->list = list(elts);
  return t;
}

Expr* PyParser::primary() {
  Expr* e = atom();
  while (!failed_ && cur().kind == PyTok::Op) {
    std::string_view o = text(cur());
    if (o == ".") {
      advance();
      if (cur().kind != PyTok::Name) {
        failed_ = true;
        break;
      }
      Expr* a = node(ExprKind::Attribute, cur());
      a->a = e;
      a->text = text(cur());
      a->line = e->line;
      a->col = e->col;
      advance();
      finish(a);
      e = a;
    } else if (o == "(") {
      DepthGuard guard(*this);
      if (guard.too_deep()) {
        failed_ = true;
        break;
      }
      advance();
      Expr* c = node(ExprKind::Call, cur());
      c->a = e;
      c->line = e->line;
      c->col = e->col;
      std::vector<Expr*> args;
      call_args(args);
      c->list = list(args);
      finish(c);
      e = c;
    } else if (o == "[") {
      DepthGuard guard(*this);
      if (guard.too_deep()) {
        failed_ = true;
        break;
      }
      advance();
      Expr* s = node(ExprKind::Subscript, cur());
      s->a = e;
      s->b = subscript_index();
      s->line = e->line;
      s->col = e->col;
      finish(s);
      e = s;
    } else {
      break;
    }
  }
  return e;
}

Expr* PyParser::paren_atom() {
  const PyToken& start = cur();
  advance();
  if (op(")")) {
    advance();
    return node(ExprKind::Tuple, start);
  }
  if (kw("yield")) {
    Expr* y = yield_expr();
    expect_op(")");
    return y;
  }
  Expr* first = star_or_test();
  if (op(":=") && first->kind == ExprKind::Name) {  // (name := value)
    advance();
    Expr* n = node(ExprKind::Named, start);
    n->text = first->text;
    n->a = test();
    first = n;
  }
  if (kw("for") || kw("async")) {
    skip_to_close();
    expect_op(")");
    return unknown_at(start);
  }
  if (!op(",")) {
    expect_op(")");
    return first;
  }
  std::vector<Expr*> elts{first};
  while (accept_op(",") && !op(")") && !failed_) elts.push_back(star_or_test());
  expect_op(")");
  Expr* t = node(ExprKind::Tuple, start);
  t->list = list(elts);
  finish(t);
  return t;
}

Expr* PyParser::list_atom() {
  const PyToken& start = cur();
  advance();
  std::vector<Expr*> elts;
  if (!op("]")) {
    elts.push_back(star_or_test());
    if (kw("for") || kw("async")) {
      skip_to_close();
      expect_op("]");
      return unknown_at(start);
    }
    while (accept_op(",") && !op("]") && !failed_) elts.push_back(star_or_test());
  }
  expect_op("]");
  Expr* l = node(ExprKind::List, start);
  l->list = list(elts);
  finish(l);
  return l;
}

Expr* PyParser::brace_atom() {
  const PyToken& start = cur();
  advance();
  std::vector<Expr*> items;
  bool is_dict = true;
  bool first = true;
  while (!op("}") && !failed_) {
    if (at_line_end()) {
      failed_ = true;
      break;
    }
    if (op("**")) {
      Expr* d = node(ExprKind::DStarArg, cur());
      advance();
      d->a = bit_expr();
      items.push_back(nullptr);
      items.push_back(d);
    } else {
      Expr* k = star_or_test();
      if (first && !op(":")) is_dict = false;
      if (is_dict) {
        if (!expect_op(":")) break;
        items.push_back(k);
        items.push_back(test());
      } else {
        items.push_back(k);
      }
    }
    if (first && (kw("for") || kw("async"))) {
      skip_to_close();
      expect_op("}");
      return unknown_at(start);
    }
    first = false;
    if (!accept_op(",")) break;
  }
  expect_op("}");
  Expr* e = node(is_dict ? ExprKind::Dict : ExprKind::Set, start);
  e->list = list(items);
  finish(e);
  return e;
}

Expr* PyParser::atom() {
  const PyToken& tok = cur();
  switch (tok.kind) {
    case PyTok::Name: {
      std::string_view w = text(tok);
      if (w == "True" || w == "False" || w == "None") {
        advance();
        return node(w == "True" ? ExprKind::True : w == "False" ? ExprKind::False : ExprKind::None, tok);
      }
      if (w == "yield") return yield_expr();
      if (w == "lambda") return lambda_expr();
      if (is_reserved(w)) {
        failed_ = true;
        return unknown_at(tok);
      }
      Expr* e = node(ExprKind::Name, tok);
      e->text = w;
      advance();
      return e;
    }
    case PyTok::Number: {
      Expr* e = node(ExprKind::Num, tok);
      e->text = text(tok);
      advance();
      return e;
    }
    case PyTok::String:
      return strings();
    case PyTok::Op: {
      std::string_view o = text(tok);
      if (o == "(") return paren_atom();
      if (o == "[") return list_atom();
      if (o == "{") return brace_atom();
      if (o == "...") {
        advance();
        return node(ExprKind::Ellipsis, tok);
      }
      failed_ = true;
      return unknown_at(tok);
    }
    default:
      failed_ = true;
      return unknown_at(tok);
  }
}

Expr* PyParser::star_or_test() {
  if (op("*")) {
    Expr* e = node(ExprKind::StarArg, cur());
    advance();
    e->a = bit_expr();
    finish(e);
    return e;
  }
  return named_test();
}

Expr* PyParser::star_or_expr() {
  if (op("*")) {
    Expr* e = node(ExprKind::StarArg, cur());
    advance();
    e->a = bit_expr();
    finish(e);
    return e;
  }
  return bit_expr();
}

bool PyParser::can_start_expr() const {
  const PyToken& tok = cur();
  if (tok.kind == PyTok::Name) {
    std::string_view w = text(tok);
    return !is_reserved(w) || w == "not" || w == "lambda" || w == "yield";
  }
  if (tok.kind == PyTok::Number || tok.kind == PyTok::String) return true;
  if (tok.kind != PyTok::Op) return false;
  std::string_view o = text(tok);
  return o == "(" || o == "[" || o == "{" || o == "-" || o == "+" || o == "~" || o == "*" ||
         o == "...";
}

Expr* PyParser::testlist_star() {
  const PyToken& start = cur();
  Expr* first = star_or_test();
  if (!op(",")) return first;
  std::vector<Expr*> elts{first};
  while (accept_op(",") && !failed_) {
    if (!can_start_expr()) break;
    elts.push_back(star_or_test());
  }
  Expr* t = node(ExprKind::Tuple, start);
  t->list = list(elts);
  finish(t);
  return t;
}

Expr* PyParser::exprlist() {
  const PyToken& start = cur();
  Expr* first = star_or_expr();
  if (!op(",")) return first;
  std::vector<Expr*> elts{first};
  while (accept_op(",") && !kw("in") && !failed_) elts.push_back(star_or_expr());
  Expr* t = node(ExprKind::Tuple, start);
  t->list = list(elts);
  return t;
}

}  // namespace detail

}  // namespace bastion::check
