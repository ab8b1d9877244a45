// SPDX-License-Identifier: MIT
// Tokenizer: strings of every shape, line structure, recovery, and odd bytes.
#include "check/py_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/py_parser.h"

namespace bastion::check {
namespace {

struct Tok {
  PyTok kind;
  std::string text;
  int line;
};

std::vector<Tok> toks(std::string_view src) {
  PyTokens t = tokenize_python(src);
  std::vector<Tok> out;
  for (const PyToken& k : t.tokens) out.push_back({k.kind, std::string(k.text(src)), k.line});
  return out;
}

std::vector<std::string> strings(std::string_view src) {
  std::vector<std::string> out;
  PyTokens t = tokenize_python(src);
  for (const PyToken& k : t.tokens)
    if (k.kind == PyTok::String) out.emplace_back(k.text(src));
  return out;
}

TEST(PyTokenizer, SimpleLineStructure) {
  auto t = toks("x = 1\nif x:\n    y = 2\n");
  ASSERT_GE(t.size(), 12u);
  EXPECT_EQ(t[0].kind, PyTok::Name);
  EXPECT_EQ(t[1].text, "=");
  EXPECT_EQ(t[3].kind, PyTok::Newline);
  EXPECT_EQ(t[4].text, "if");
  EXPECT_EQ(t[7].kind, PyTok::Newline);
  EXPECT_EQ(t[8].kind, PyTok::Indent);
  EXPECT_EQ(t[8].line, 3);
  EXPECT_EQ(t.back().kind, PyTok::End);
  EXPECT_EQ(t[t.size() - 2].kind, PyTok::Dedent);
}

TEST(PyTokenizer, StringPrefixesAndQuotes) {
  auto s = strings("a = r'x\\'y' + b\"z\" + Rb'q' + u'u' + f'{x}' + rf\"{y}\" + ur'py2' + t'{z}'");
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0], "r'x\\'y'");
  EXPECT_EQ(s[2], "Rb'q'");
  EXPECT_EQ(s[6], "ur'py2'");
}

TEST(PyTokenizer, TripleQuotedSpansLines) {
  std::string src = "doc = '''line1\nline2 ' \" ''\nend'''\nx = 1\n";
  PyTokens t = tokenize_python(src);
  ASSERT_EQ(t.tokens[2].kind, PyTok::String);
  EXPECT_TRUE(t.tokens[2].flags & kStrTriple);
  EXPECT_EQ(t.tokens[4].line, 4);  // x
}

TEST(PyTokenizer, FStringNestedQuotes) {
  // PEP 701: the same quote inside a replacement field; braces inside nested strings.
  auto s = strings("x = f\"{d[\"k\"]} {'}'} {{literal}} {v!r:>{w}}\"\ny = 2\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], "f\"{d[\"k\"]} {'}'} {{literal}} {v!r:>{w}}\"");
}

TEST(PyTokenizer, BracketsAcrossLinesAndContinuations) {
  auto t = toks("app.run(\n  host='h',\n  debug=True)\nz = 1 + \\\n  2\n");
  int newlines = 0;
  for (const Tok& k : t) newlines += k.kind == PyTok::Newline;
  EXPECT_EQ(newlines, 2);
  bool saw_debug = false;
  for (const Tok& k : t)
    if (k.text == "debug") {
      saw_debug = true;
      EXPECT_EQ(k.line, 3);
    }
  EXPECT_TRUE(saw_debug);
}

TEST(PyTokenizer, CommentsKeptAndCrlf) {
  std::string src = "x = 1  # nosec B201\r\n# whole line\r\ny = 2\r\n";
  PyTokens t = tokenize_python(src);
  ASSERT_EQ(t.comments.size(), 2u);
  EXPECT_EQ(t.comments[0].line, 1);
  EXPECT_EQ(t.comments[0].text, " nosec B201");
  EXPECT_EQ(t.comments[1].line, 2);
  int newlines = 0;
  for (const PyToken& k : t.tokens) newlines += k.kind == PyTok::Newline;
  EXPECT_EQ(newlines, 2);
}

TEST(PyTokenizer, TabsIndentLikeCPython) {
  auto t = toks("if x:\n\ty = 1\n        z = 2\n");
  int indents = 0, dedents = 0;
  for (const Tok& k : t) {
    indents += k.kind == PyTok::Indent;
    dedents += k.kind == PyTok::Dedent;
  }
  EXPECT_EQ(indents, 1);  // a tab and eight spaces are the same level
  EXPECT_EQ(dedents, 1);
}

TEST(PyTokenizer, UnclosedBracketRecoversAtStatementKeyword) {
  PyTokens t = tokenize_python("app = Flask(__name__\ndef index():\n    return 1\n");
  EXPECT_NE(t.first_error_line, 0);
  bool def_at_line_start = false;
  for (size_t k = 1; k < t.tokens.size(); ++k)
    if (t.tokens[k].kind == PyTok::Name && t.tokens[k].line == 2 && t.tokens[k - 1].kind == PyTok::Newline)
      def_at_line_start = true;
  EXPECT_TRUE(def_at_line_start);
}

TEST(PyTokenizer, UnterminatedStringIsFlagged) {
  PyTokens t = tokenize_python("x = 'abc\ny = 1\n");
  EXPECT_EQ(t.first_error_line, 1);
  EXPECT_TRUE(t.tokens[2].flags & kStrUnterminated);
  EXPECT_EQ(t.tokens[4].line, 2);
}

TEST(PyTokenizer, Python2AndOddBytes) {
  PyTokens t = tokenize_python("print `x`, 0777, 10L\nx = 1 $ 2 ?\n\x01\x02");
  EXPECT_NE(t.first_error_line, 0);
  EXPECT_EQ(t.tokens.back().kind, PyTok::End);
}

TEST(PyTokenizer, NumbersOfAllShapes) {
  auto t = toks("a = 0x_1F + 0o17 + 0b1 + 1_000.5e-3j + .5 + 1.\n");
  int numbers = 0;
  for (const Tok& k : t) numbers += k.kind == PyTok::Number;
  EXPECT_EQ(numbers, 6);
}

TEST(PyTokenizer, ColumnsCountCharacters) {
  std::string src = "s = 'é'; x = 1\n";
  PyTokens t = tokenize_python(src);
  // s = 'é' ; x  -> x is the 10th character.
  for (const PyToken& k : t.tokens) {
    if (k.kind == PyTok::Name && k.text(src) == "x") {
      EXPECT_EQ(k.col, 10);
    }
  }
}

TEST(PyTokenizer, DecodeStringLiterals) {
  std::string out;
  uint8_t flags = decode_python_string("'a\\tb\\x41\\u00e9\\N'", 0, 1, 0, out);
  EXPECT_EQ(out, "a\tbA\xc3\xa9\\N");
  EXPECT_EQ(flags, 0);
  out.clear();
  flags = decode_python_string("f'{{x}}'", 1, 1, kStrFormat, out);
  EXPECT_EQ(out, "{x}");
  EXPECT_EQ(flags & kStrFormat, 0);  // no replacement field: a plain literal
  out.clear();
  flags = decode_python_string("f'{x}'", 1, 1, kStrFormat, out);
  EXPECT_NE(flags & kStrFormat, 0);
}

TEST(PyTokenizer, BomIsStrippedByParser) {
  auto m = parse_python("\xEF\xBB\xBFx = 1\n");
  ASSERT_EQ(m->body.size, 1u);
  EXPECT_EQ(m->body[0]->col, 1);
  EXPECT_EQ(m->first_error_line, 0);
}

}  // namespace
}  // namespace bastion::check
