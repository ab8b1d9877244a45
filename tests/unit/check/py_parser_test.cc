// SPDX-License-Identifier: MIT
// Parser: statement shapes the evaluator relies on, and recovery from broken input.
#include "check/py_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace bastion::check {
namespace {

const Stmt* first(const PyModule& m, StmtKind kind) {
  for (const Stmt* s : m.body)
    if (s->kind == kind) return s;
  return nullptr;
}

TEST(PyParser, AssignmentAndCallWithKeywords) {
  auto m = parse_python("app.run(host='0.0.0.0',\n        debug=True, **opts)\nx = y = 1\n");
  ASSERT_EQ(m->body.size, 2u);
  const Stmt* call = m->body[0];
  ASSERT_EQ(call->kind, StmtKind::Expr);
  ASSERT_EQ(call->value->kind, ExprKind::Call);
  ASSERT_EQ(call->value->list.size, 3u);
  EXPECT_EQ(call->value->list[1]->kind, ExprKind::Keyword);
  EXPECT_EQ(call->value->list[1]->text, "debug");
  EXPECT_EQ(call->value->list[1]->line, 2);
  EXPECT_EQ(call->value->list[2]->kind, ExprKind::DStarArg);
  const Stmt* assign = m->body[1];
  ASSERT_EQ(assign->kind, StmtKind::Assign);
  EXPECT_EQ(assign->targets.size, 2u);
}

TEST(PyParser, CompoundStatements) {
  auto m = parse_python(
      "import os, flask as fl\nfrom .config import (A, B as C)\n"
      "@app.route('/')\nasync def view(a, b: int = 1, *args, c=2, **kw) -> str:\n    return a\n"
      "class Dev(Base, metaclass=M):\n    DEBUG = True\n"
      "if x:\n    pass\nelif y:\n    pass\nelse:\n    pass\n"
      "try:\n    pass\nexcept (A, B) as e:\n    pass\nfinally:\n    pass\n"
      "with open(p) as f, ctx():\n    pass\nfor i, j in items:\n    pass\nwhile True:\n    break\n");
  EXPECT_EQ(m->first_error_line, 0);
  const Stmt* imp = first(*m, StmtKind::ImportFrom);
  ASSERT_NE(imp, nullptr);
  EXPECT_EQ(imp->level, 1);
  EXPECT_EQ(imp->n_aliases, 2u);
  EXPECT_EQ(imp->aliases[1].asname, "C");
  const Stmt* def = first(*m, StmtKind::FunctionDef);
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->n_params, 5u);
  EXPECT_EQ(def->exprs.size, 1u);  // decorator
  const Stmt* cls = first(*m, StmtKind::ClassDef);
  ASSERT_NE(cls, nullptr);
  EXPECT_EQ(cls->body.size, 1u);
  const Stmt* ifs = first(*m, StmtKind::If);
  ASSERT_NE(ifs, nullptr);
  ASSERT_EQ(ifs->orelse.size, 1u);
  EXPECT_EQ(ifs->orelse[0]->kind, StmtKind::If);  // elif
  const Stmt* tr = first(*m, StmtKind::Try);
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->handlers.size, 1u);
  EXPECT_EQ(tr->finalbody.size, 1u);
}

TEST(PyParser, MatchIsSoftKeyword) {
  auto m = parse_python("match = 1\nmatch command:\n    case 'run':\n        go()\n    case _:\n        pass\n");
  EXPECT_EQ(m->first_error_line, 0);
  ASSERT_EQ(m->body.size, 2u);
  EXPECT_EQ(m->body[0]->kind, StmtKind::Assign);
  ASSERT_EQ(m->body[1]->kind, StmtKind::Match);
  EXPECT_EQ(m->body[1]->handlers.size, 2u);
}

TEST(PyParser, ExpressionsModelled) {
  auto m = parse_python("v = not a or b and c if x in (1, 2) else {'k': [1, *r], **d}\nw = (y := 3)\n");
  EXPECT_EQ(m->first_error_line, 0);
  ASSERT_EQ(m->body.size, 2u);
  EXPECT_EQ(m->body[0]->value->kind, ExprKind::IfExp);
  EXPECT_EQ(m->body[1]->value->kind, ExprKind::Named);
}

TEST(PyParser, ComprehensionsLambdasSlicesBecomeUnknown) {
  auto m = parse_python("a = [x for x in y if x]\nb = lambda q, *r: q\nc = s[1:2]\nd = f(x for x in y)\n");
  EXPECT_EQ(m->first_error_line, 0);
  ASSERT_EQ(m->body.size, 4u);
  EXPECT_EQ(m->body[0]->value->kind, ExprKind::Unknown);
  EXPECT_EQ(m->body[1]->value->kind, ExprKind::Unknown);
}

TEST(PyParser, Python2StatementsAreSkippedNotFatal) {
  auto m = parse_python(
      "print 'hello'\nexec 'x = 1'\ntry:\n    pass\nexcept Exception, e:\n    app.debug = True\n"
      "def f((a, b)):\n    app.run(debug=True)\nx = 1\n");
  EXPECT_NE(m->first_error_line, 0);
  // The statements after the Python 2 ones are still there.
  bool saw_x = false;
  for (const Stmt* s : m->body)
    if (s->kind == StmtKind::Assign && s->line == 9) saw_x = true;
  EXPECT_TRUE(saw_x);
  const Stmt* tr = first(*m, StmtKind::Try);
  ASSERT_NE(tr, nullptr);
  ASSERT_EQ(tr->handlers.size, 1u);
  EXPECT_EQ(tr->handlers[0]->body.size, 1u);  // except E, e: keeps its body
}

TEST(PyParser, BrokenHeaderKeepsItsBlock) {
  auto m = parse_python("if x y:\n    app.debug = True\nz = 1\n");
  ASSERT_GE(m->body.size, 2u);
  EXPECT_EQ(m->body[0]->kind, StmtKind::Block);
  EXPECT_EQ(m->body[0]->body.size, 1u);
}

TEST(PyParser, DeepNestingIsBounded) {
  std::string src = "x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\nz = 1\ny = [" +
                    std::string(50000, '[') + "\n";
  auto m = parse_python(src);
  EXPECT_NE(m->first_error_line, 0);
  bool saw_z = false;
  for (const Stmt* s : m->body)
    if (s->kind == StmtKind::Assign && s->targets[0]->text == "z") saw_z = true;
  EXPECT_TRUE(saw_z);
}

TEST(PyParser, UnexpectedIndentKeepsStatements) {
  auto m = parse_python("x = 1\n    y = 2\nz = 3\n");
  EXPECT_NE(m->first_error_line, 0);
  EXPECT_EQ(m->body.size, 3u);
}

}  // namespace
}  // namespace bastion::check
