// SPDX-License-Identifier: MIT
// Statements for the light Python parser. A statement that does not parse is skipped to
// the end of its logical line; a compound header that does not parse keeps its indented
// block (as an opaque Block), so one Python 2 line does not hide the code under it.
#include "check/py_parser.h"

#include <string>
#include <vector>

#include "check/py_parser_impl.h"

namespace bastion::check {
namespace detail {

NodeList<Stmt> PyParser::parse_file() {
  std::vector<Stmt*> out;
  while (cur().kind != PyTok::End) statement(out);
  return list(out);
}

void PyParser::skip_line() {
  while (!at_line_end()) advance();
  if (cur().kind == PyTok::Newline) advance();
}

void PyParser::skip_simple() {
  int depth = 0;
  while (!at_line_end()) {
    if (cur().kind == PyTok::Op) {
      std::string_view o = text(cur());
      if (o == "(" || o == "[" || o == "{") ++depth;
      if ((o == ")" || o == "]" || o == "}") && depth > 0) --depth;
      if (o == ";" && depth == 0) return;
    }
    advance();
  }
}

void PyParser::statement(std::vector<Stmt*>& out) {
  size_t start = i_;
  failed_ = false;
  switch (cur().kind) {
    case PyTok::End:
      return;
    case PyTok::Newline:
    case PyTok::Dedent:
      advance();
      return;
    case PyTok::Indent: {  // unexpected indent: keep its statements
      note_error(cur().line);
      advance();
      NodeList<Stmt> inner = block_until_dedent();
      for (Stmt* s : inner) out.push_back(s);
      return;
    }
    default:
      break;
  }
  if (op("@")) {
    std::vector<Expr*> decorators;
    while (op("@")) {
      advance();
      failed_ = false;
      Expr* d = named_test();
      if (failed_ || cur().kind != PyTok::Newline) {
        note_error(cur().line);
        skip_line();
        continue;
      }
      advance();
      decorators.push_back(d);
    }
    if (kw("def") || kw("class") || kw("async")) {
      std::string_view w = text(cur());
      if (Stmt* s = compound(w, list(decorators))) out.push_back(s);
    }
  } else if (cur().kind == PyTok::Name) {
    std::string_view w = text(cur());
    if (w == "if" || w == "while" || w == "for" || w == "try" || w == "with" || w == "def" ||
        w == "class" || w == "async") {
      if (Stmt* s = compound(w, {})) out.push_back(s);
    } else if (w == "match" && looks_like_match()) {
      if (Stmt* s = match_statement()) out.push_back(s);
    } else {
      simple_statements(out);
    }
  } else {
    simple_statements(out);
  }
  if (i_ == start && cur().kind != PyTok::End) advance();  // always make progress
}

void PyParser::simple_statements(std::vector<Stmt*>& out) {
  while (true) {
    failed_ = false;
    size_t start = i_;
    Stmt* s = small_statement();
    if (failed_) {
      note_error(at(start).line);
      skip_line();
      return;
    }
    if (s != nullptr) {
      s->end_line = at(i_ > 0 ? i_ - 1 : 0).line;
      out.push_back(s);
    }
    if (accept_op(";")) {
      if (!at_line_end()) continue;
    }
    if (cur().kind == PyTok::Newline) {
      advance();
      return;
    }
    if (at_line_end()) return;
    note_error(cur().line);
    skip_line();
    return;
  }
}

Stmt* PyParser::small_statement() {
  const PyToken& tok = cur();
  if (tok.kind == PyTok::Name) {
    std::string_view w = text(tok);
    if (w == "import") return import_statement();
    if (w == "from") return from_statement();
    if (w == "return") {
      Stmt* s = make<Stmt>();
      s->kind = StmtKind::Return;
      s->line = tok.line;
      s->col = tok.col;
      advance();
      if (!at_line_end() && !op(";")) s->value = testlist_star();
      return s;
    }
    if (w == "global" || w == "nonlocal") {
      Stmt* s = make<Stmt>();
      s->kind = w == "global" ? StmtKind::Global : StmtKind::Other;
      s->line = tok.line;
      s->col = tok.col;
      advance();
      std::vector<Alias> names;
      while (cur().kind == PyTok::Name) {
        names.push_back({text(cur()), {}, cur().line, cur().col});
        advance();
        if (!accept_op(",")) break;
      }
      s->aliases = static_cast<Alias*>(m_.arena.allocate(sizeof(Alias) * (names.size() + 1), alignof(Alias)));
      for (size_t k = 0; k < names.size(); ++k) new (&s->aliases[k]) Alias(names[k]);
      s->n_aliases = static_cast<uint32_t>(names.size());
      return s;
    }
    if (w == "pass" || w == "break" || w == "continue" || w == "del" || w == "raise" ||
        w == "assert" || w == "exec") {
      if (w == "exec" && at(i_ + 1).kind == PyTok::Op && text(at(i_ + 1)) != "(") return expression_statement();
      Stmt* s = make<Stmt>();
      s->kind = StmtKind::Other;
      s->line = tok.line;
      s->col = tok.col;
      advance();
      skip_simple();
      return s;
    }
  }
  return expression_statement();
}

Stmt* PyParser::expression_statement() {
  Stmt* s = make<Stmt>();
  s->line = cur().line;
  s->col = cur().col;
  Expr* e = kw("yield") ? yield_expr() : testlist_star();
  if (failed_) return s;
  if (op("=")) {
    std::vector<Expr*> parts{e};
    while (accept_op("=") && !failed_) parts.push_back(kw("yield") ? yield_expr() : testlist_star());
    s->kind = StmtKind::Assign;
    s->value = parts.back();
    parts.pop_back();
    s->targets = list(parts);
    return s;
  }
  if (cur().kind == PyTok::Op) {
    std::string_view o = text(cur());
    if (o.size() >= 2 && o.back() == '=' && o != "==" && o != "!=" && o != "<=" && o != ">=" && o != ":=") {
      advance();
      s->kind = StmtKind::AugAssign;
      s->targets = list(std::vector<Expr*>{e});
      s->value = kw("yield") ? yield_expr() : testlist_star();
      return s;
    }
    if (o == ":") {
      advance();
      test();  // the annotation
      s->kind = StmtKind::AnnAssign;
      s->targets = list(std::vector<Expr*>{e});
      if (accept_op("=")) s->value = kw("yield") ? yield_expr() : testlist_star();
      return s;
    }
  }
  s->kind = StmtKind::Expr;
  s->value = e;
  return s;
}

namespace {

// Joins a dotted name from consecutive Name and '.' tokens.
std::string dotted_name(PyParser& p) {
  std::string name;
  while (p.cur().kind == PyTok::Name) {
    name += p.text(p.cur());
    p.advance();
    if (!p.op(".") || p.at(p.i_ + 1).kind != PyTok::Name) break;
    name += '.';
    p.advance();
  }
  return name;
}

void store_aliases(PyParser& p, Stmt* s, const std::vector<Alias>& names) {
  s->aliases = static_cast<Alias*>(p.m_.arena.allocate(sizeof(Alias) * (names.size() + 1), alignof(Alias)));
  for (size_t k = 0; k < names.size(); ++k) new (&s->aliases[k]) Alias(names[k]);
  s->n_aliases = static_cast<uint32_t>(names.size());
}

}  // namespace

Stmt* PyParser::import_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::Import;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  std::vector<Alias> names;
  while (cur().kind == PyTok::Name && !failed_) {
    Alias a{{}, {}, cur().line, cur().col};
    a.name = keep(dotted_name(*this));
    if (kw("as")) {
      advance();
      if (cur().kind != PyTok::Name) {
        failed_ = true;
        break;
      }
      a.asname = text(cur());
      advance();
    }
    names.push_back(a);
    if (!accept_op(",")) break;
  }
  if (names.empty()) failed_ = true;
  store_aliases(*this, s, names);
  return s;
}

Stmt* PyParser::from_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::ImportFrom;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  while (op(".") || op("...")) {
    s->level += static_cast<int32_t>(text(cur()).size());
    advance();
  }
  if (!kw("import")) s->name = keep(dotted_name(*this));
  if (!kw("import")) {
    failed_ = true;
    return s;
  }
  advance();
  std::vector<Alias> names;
  if (op("*")) {
    names.push_back({"*", {}, cur().line, cur().col});
    advance();
  } else {
    bool paren = accept_op("(");
    while (cur().kind == PyTok::Name && !failed_) {
      Alias a{text(cur()), {}, cur().line, cur().col};
      advance();
      if (kw("as")) {
        advance();
        if (cur().kind == PyTok::Name) {
          a.asname = text(cur());
          advance();
        } else {
          failed_ = true;
        }
      }
      names.push_back(a);
      if (!accept_op(",")) break;
    }
    if (paren) expect_op(")");
  }
  if (names.empty()) failed_ = true;
  store_aliases(*this, s, names);
  return s;
}

NodeList<Stmt> PyParser::block_until_dedent() {
  std::vector<Stmt*> v;
  while (cur().kind != PyTok::Dedent && cur().kind != PyTok::End) statement(v);
  if (cur().kind == PyTok::Dedent) advance();
  return list(v);
}

NodeList<Stmt> PyParser::suite() {
  if (cur().kind == PyTok::Newline) {
    advance();
    if (cur().kind == PyTok::Indent) {
      advance();
      return block_until_dedent();
    }
    note_error(cur().line);
    return {};
  }
  std::vector<Stmt*> v;
  simple_statements(v);
  failed_ = false;
  return list(v);
}

Stmt* PyParser::recover_header(size_t /*header_start*/, int32_t line, int32_t col) {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::Block;
  s->line = line;
  s->col = col;
  note_error(line);
  while (!at_line_end()) advance();
  bool colon_end = i_ > 0 && at(i_ - 1).kind == PyTok::Op && text(at(i_ - 1)) == ":";
  if (cur().kind == PyTok::Newline) advance();
  failed_ = false;
  if (colon_end && cur().kind == PyTok::Indent) {
    advance();
    s->body = block_until_dedent();
  }
  return s;
}

Stmt* PyParser::compound(std::string_view w, NodeList<Expr> decorators) {
  size_t start = i_;
  int32_t line = cur().line;
  int32_t col = cur().col;
  failed_ = false;
  if (w == "async") {
    advance();
    if (!kw("def") && !kw("for") && !kw("with")) return recover_header(start, line, col);
    w = text(cur());
  }
  Stmt* s = nullptr;
  if (w == "if") s = if_statement(false);
  else if (w == "while") s = if_statement(true);
  else if (w == "for") s = for_statement();
  else if (w == "try") s = try_statement();
  else if (w == "with") s = with_statement();
  else if (w == "def") s = def_statement(decorators);
  else s = class_statement(decorators);
  if (s != nullptr) {
    s->line = line;
    s->col = col;
  }
  return s;
}

Stmt* PyParser::if_statement(bool is_while) {
  Stmt* s = make<Stmt>();
  s->kind = is_while ? StmtKind::While : StmtKind::If;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  s->value = named_test();
  if (failed_ || !accept_op(":")) return recover_header(i_, s->line, s->col);
  s->body = suite();
  if (!is_while && kw("elif")) {
    Stmt* nested = if_statement(false);
    s->orelse = list(std::vector<Stmt*>{nested});
  } else if (kw("else")) {
    int32_t line = cur().line;
    advance();
    if (!accept_op(":")) {
      Stmt* b = recover_header(i_, line, 1);
      s->orelse = list(std::vector<Stmt*>{b});
    } else {
      s->orelse = suite();
    }
  }
  return s;
}

Stmt* PyParser::for_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::For;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  Expr* target = exprlist();
  if (failed_ || !kw("in")) return recover_header(i_, s->line, s->col);
  advance();
  s->targets = list(std::vector<Expr*>{target});
  s->value = testlist_star();
  if (failed_ || !accept_op(":")) return recover_header(i_, s->line, s->col);
  s->body = suite();
  if (kw("else")) {
    advance();
    if (accept_op(":")) s->orelse = suite();
    else skip_line();
  }
  return s;
}

Stmt* PyParser::try_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::Try;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  if (!accept_op(":")) return recover_header(i_, s->line, s->col);
  s->body = suite();
  std::vector<Stmt*> handlers;
  while (kw("except")) {
    Stmt* h = make<Stmt>();
    h->kind = StmtKind::Block;
    h->line = cur().line;
    h->col = cur().col;
    advance();
    accept_op("*");
    failed_ = false;
    if (!op(":")) {
      h->value = test();
      if (kw("as")) {
        advance();
        if (cur().kind == PyTok::Name) advance();
      } else if (accept_op(",")) {  // Python 2: except E, e:
        test();
      }
    }
    if (failed_ || !accept_op(":")) {
      handlers.push_back(recover_header(i_, h->line, h->col));
      continue;
    }
    h->body = suite();
    handlers.push_back(h);
  }
  s->handlers = list(handlers);
  if (kw("else")) {
    advance();
    if (accept_op(":")) s->orelse = suite();
    else skip_line();
  }
  if (kw("finally")) {
    advance();
    if (accept_op(":")) s->finalbody = suite();
    else skip_line();
  }
  return s;
}

Stmt* PyParser::with_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::With;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  std::vector<Expr*> items;
  std::vector<Expr*> targets;
  while (!failed_) {
    items.push_back(test());
    if (kw("as")) {
      advance();
      targets.push_back(star_or_expr());
    }
    if (!accept_op(",")) break;
  }
  if (failed_ || !accept_op(":")) return recover_header(i_, s->line, s->col);
  s->exprs = list(items);
  s->targets = list(targets);
  s->body = suite();
  return s;
}

bool PyParser::params(std::vector<Param>& out) {
  while (!op(")") && !failed_) {
    Param p;
    if (op("*") || op("**")) {
      p.kind = op("*") ? '*' : 'd';
      advance();
    } else if (op("/")) {
      advance();
      if (!accept_op(",")) break;
      continue;
    }
    if (cur().kind == PyTok::Name) {
      p.name = text(cur());
      advance();
      if (accept_op(":")) test();
      if (accept_op("=")) p.default_value = test();
    } else if (p.kind != '*') {
      failed_ = true;
      return false;
    }
    if (!p.name.empty()) out.push_back(p);
    if (!accept_op(",")) break;
  }
  return expect_op(")");
}

Stmt* PyParser::def_statement(NodeList<Expr> decorators) {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::FunctionDef;
  s->line = cur().line;
  s->col = cur().col;
  s->exprs = decorators;
  advance();
  if (cur().kind != PyTok::Name) return recover_header(i_, s->line, s->col);
  s->name = text(cur());
  advance();
  std::vector<Param> ps;
  if (!expect_op("(") || !params(ps)) return recover_header(i_, s->line, s->col);
  if (accept_op("->")) test();
  if (failed_ || !accept_op(":")) return recover_header(i_, s->line, s->col);
  s->params = static_cast<Param*>(m_.arena.allocate(sizeof(Param) * (ps.size() + 1), alignof(Param)));
  for (size_t k = 0; k < ps.size(); ++k) new (&s->params[k]) Param(ps[k]);
  s->n_params = static_cast<uint32_t>(ps.size());
  s->body = suite();
  return s;
}

Stmt* PyParser::class_statement(NodeList<Expr> decorators) {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::ClassDef;
  s->line = cur().line;
  s->col = cur().col;
  s->targets = decorators;
  advance();
  if (cur().kind != PyTok::Name) return recover_header(i_, s->line, s->col);
  s->name = text(cur());
  advance();
  if (accept_op("(")) {
    std::vector<Expr*> bases;
    call_args(bases);
    s->exprs = list(bases);
  }
  if (failed_ || !accept_op(":")) return recover_header(i_, s->line, s->col);
  s->body = suite();
  return s;
}

bool PyParser::looks_like_match() const {
  const PyToken& next = at(i_ + 1);
  if (next.kind == PyTok::Op) {
    std::string_view o = text(next);
    if (o != "(" && o != "[" && o != "{" && o != "-" && o != "*") return false;
  } else if (next.kind != PyTok::Name && next.kind != PyTok::String && next.kind != PyTok::Number) {
    return false;
  }
  size_t k = i_;
  while (k < t_.size() && t_[k].kind != PyTok::Newline && t_[k].kind != PyTok::End) ++k;
  if (k + 2 >= t_.size() || k == 0) return false;
  const PyToken& colon = t_[k - 1];
  return colon.kind == PyTok::Op && text(colon) == ":" && t_[k + 1].kind == PyTok::Indent &&
         t_[k + 2].kind == PyTok::Name && text(t_[k + 2]) == "case";
}

Stmt* PyParser::match_statement() {
  Stmt* s = make<Stmt>();
  s->kind = StmtKind::Match;
  s->line = cur().line;
  s->col = cur().col;
  advance();
  s->value = testlist_star();
  if (failed_ || !accept_op(":") || cur().kind != PyTok::Newline) return recover_header(i_, s->line, s->col);
  advance();
  if (cur().kind != PyTok::Indent) return s;
  advance();
  std::vector<Stmt*> cases;
  while (kw("case")) {
    Stmt* c = make<Stmt>();
    c->kind = StmtKind::Block;
    c->line = cur().line;
    c->col = cur().col;
    int depth = 0;
    while (!at_line_end()) {  // the pattern and guard, up to the ':' at depth 0
      if (cur().kind == PyTok::Op) {
        std::string_view o = text(cur());
        if (o == "(" || o == "[" || o == "{") ++depth;
        if (o == ")" || o == "]" || o == "}") --depth;
        if (o == ":" && depth <= 0) break;
      }
      advance();
    }
    if (!accept_op(":")) {
      skip_line();
      continue;
    }
    c->body = suite();
    cases.push_back(c);
  }
  while (cur().kind != PyTok::Dedent && cur().kind != PyTok::End) {  // stray lines in the block
    std::vector<Stmt*> junk;
    statement(junk);
  }
  if (cur().kind == PyTok::Dedent) advance();
  s->handlers = list(cases);
  return s;
}

}  // namespace detail

std::unique_ptr<PyModule> parse_python(std::string source) {
  auto module = std::make_unique<PyModule>();
  if (source.size() >= 3 && source.compare(0, 3, "\xEF\xBB\xBF") == 0) source.erase(0, 3);
  module->source = std::move(source);
  PyTokens toks = tokenize_python(module->source);
  module->comments = std::move(toks.comments);
  module->first_error_line = toks.first_error_line;
  module->lines = toks.tokens.back().line;
  detail::PyParser parser(*module, toks.tokens);
  module->body = parser.parse_file();
  return module;
}

}  // namespace bastion::check
