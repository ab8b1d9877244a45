// SPDX-License-Identifier: MIT
// RequestParser: every accept and reject rule of docs/http-conformance.md, each input fed
// whole, byte by byte and in random pieces (the outcome must not depend on the split).
#include "http/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http_test_util.h"

namespace bastion::http {
namespace {

using namespace std::string_literals;
using test::parse_split;
using test::Split;

constexpr Split kSplits[] = {Split::Whole, Split::Bytewise, Split::Random};

#define H11 " HTTP/1.1\r\nHost: example.com\r\n"

// ---- rejects ---------------------------------------------------------------------------------

struct RejectCase {
  const char* why;
  std::string input;
  ParseError error;
};

std::string repeat(char c, size_t n) { return std::string(n, c); }

std::string many_headers(size_t n) {
  std::string s = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (size_t i = 0; i < n; ++i) s += "X-H" + std::to_string(i) + ": v\r\n";
  return s + "\r\n";
}

const RejectCase kRejects[] = {
    // Request line.
    {"two tokens", "GET HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"one token", "GET\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"bare LF separators", "GET\n/\nHTTP/1.1\r\n\r\n", ParseError::BadRequestLine},
    {"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", ParseError::BadRequestLine},
    {"bare CR in request line", "GET /\rHTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"bare CR before CRLF", "GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"CR at end of method", "GET\r / HTTP/1.1\r\n\r\n", ParseError::BadRequestLine},
    {"double space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"double space before version", "GET /  HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::BadRequestLine},
    {"trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"leading space", " GET / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"extra token", "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"two leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::BadRequestLine},
    {"empty request", "\r\n\r\n", ParseError::BadRequestLine},
    {"leading bare LF", "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadRequestLine},
    {"colon in method", "bla:rgh /" H11 "\r\n", ParseError::BadMethod},
    {"NUL in method", "GET\0PROXY /" H11 "\r\n"s, ParseError::BadMethod},
    {"non-ASCII method", "GET\xc3\x9f /" H11 "\r\n", ParseError::BadMethod},
    {"method then colon", "GET: /" H11 "\r\n", ParseError::BadMethod},
    {"tab separator", "GET\t/\tHTTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadMethod},
    {"TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s, ParseError::BadMethod},
    {"brackets in method", "G(ET) /" H11 "\r\n", ParseError::BadMethod},
    {"FTP version", "GET / FTP/1.1\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"HTTP/111", "GET / HTTP/111\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"HTTP/0.99", "GET / HTTP/0.99\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"lower-case http", "GET / http/1.1\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"HTTP/1", "GET / HTTP/1\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"HTTP/1.1.1", "GET / HTTP/1.1.1\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"HTTP/11.1", "GET / HTTP/11.1\r\nHost: x\r\n\r\n", ParseError::BadVersion},
    {"NUL in version", "GET / HTTP/1.1\0\r\n\r\n"s, ParseError::BadVersion},
    {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", ParseError::VersionNotSupported},
    {"HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", ParseError::VersionNotSupported},
    {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", ParseError::VersionNotSupported},
    {"HTTP/9.9", "GET / HTTP/9.9\r\n\r\n", ParseError::VersionNotSupported},
    {"relative target", "GET foo/bar" H11 "\r\n", ParseError::BadTarget},
    {"asterisk on GET", "GET *" H11 "\r\n", ParseError::BadTarget},
    {"authority on GET", "GET example.com:443" H11 "\r\n", ParseError::BadTarget},
    {"origin on CONNECT", "CONNECT /x" H11 "\r\n", ParseError::BadTarget},
    {"CONNECT without port", "CONNECT example.com" H11 "\r\n", ParseError::BadTarget},
    {"CONNECT with empty port", "CONNECT example.com:" H11 "\r\n", ParseError::BadTarget},
    {"CONNECT absolute", "CONNECT http://example.com/" H11 "\r\n", ParseError::BadTarget},
    {"CTL in target",
     "GET /a\x01"
     "b" H11 "\r\n",
     ParseError::BadTarget},
    {"DEL in target", "GET /a\x7f" H11 "\r\n", ParseError::BadTarget},
    {"NUL in target", "GET /\0 HTTP/1.1\r\n\r\n"s, ParseError::BadTarget},
    {"garbage target", "GET s://]ufd/:" H11 "\r\n", ParseError::BadTarget},
    {"ftp scheme", "GET ftp://example.com/" H11 "\r\n", ParseError::BadTarget},
    {"userinfo", "GET http://user@example.com/" H11 "\r\n", ParseError::BadTarget},
    {"empty authority", "GET http:///x" H11 "\r\n", ParseError::BadTarget},
    {"bad port in target", "GET http://example.com:8x/" H11 "\r\n", ParseError::BadTarget},
    {"port too big", "GET http://example.com:65536/" H11 "\r\n", ParseError::BadTarget},
    {"unclosed IPv6", "GET http://[::1/" H11 "\r\n", ParseError::BadTarget},
    {"request line too long", "GET /" + repeat('a', 4100) + H11 "\r\n", ParseError::UriTooLong},
    {"too long, no CRLF yet", "GET /" + repeat('a', 5000), ParseError::UriTooLong},
    {"too long, bare LF", "GET /" + repeat('a', 4090) + " HTTP/1.1\n", ParseError::UriTooLong},
    // Header names.
    {"NUL in name", "GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n"s, ParseError::BadHeaderName},
    {"space before colon", "GET /" H11 "Content-Length : 3\r\n\r\n", ParseError::BadHeaderName},
    {"tab before colon", "GET /" H11 "X-A\t: b\r\n\r\n", ParseError::BadHeaderName},
    {"empty name", "GET /" H11 ": value\r\n\r\n", ParseError::BadHeaderName},
    {"no colon", "GET /" H11 "Foo\r\n\r\n", ParseError::BadHeaderName},
    {"non-ASCII name", "GET /" H11 "Content-Length\xc3\x9f: 3\r\n\r\n", ParseError::BadHeaderName},
    {"separator in name", "GET /" H11 "X(a): b\r\n\r\n", ParseError::BadHeaderName},
    {"slash in name", "GET /" H11 "X/a: b\r\n\r\n", ParseError::BadHeaderName},
    // Header values.
    {"bare LF in value", "GET /" H11 "X: a\nContent-Length: 5\r\n\r\n", ParseError::BadHeaderValue},
    {"bare CR in value", "GET /" H11 "X: a\rb\r\n\r\n", ParseError::BadHeaderValue},
    {"bare CR after name", "GET /" H11 "X\r: b\r\n\r\n", ParseError::BadHeaderValue},
    {"bare LF line end", "GET /" H11 "X: a\n\r\n", ParseError::BadHeaderValue},
    {"BEL in value", "GET /" H11 "X: a\x07\r\n\r\n", ParseError::BadHeaderValue},
    {"DEL in value", "GET /" H11 "X: a\x7f\r\n\r\n", ParseError::BadHeaderValue},
    {"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"s, ParseError::BadHeaderValue},
    {"VT in value",
     "GET /" H11 "X: \x0b"
     "a\r\n\r\n",
     ParseError::BadHeaderValue},
    {"ESC in value", "GET /" H11 "X: \x1b[0m\r\n\r\n", ParseError::BadHeaderValue},
    {"obs-fold", "GET /" H11 "X: a\r\n b\r\n\r\n", ParseError::ObsFold},
    {"obs-fold with tab", "GET /" H11 "X: a\r\n\tb\r\n\r\n", ParseError::ObsFold},
    {"whitespace before first field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", ParseError::ObsFold},
    {"field too long", "GET /" H11 "X: " + repeat('a', 8190) + "\r\n\r\n",
     ParseError::HeaderFieldTooLarge},
    {"field too long, no CRLF yet", "GET /" H11 "X: " + repeat('a', 9000),
     ParseError::HeaderFieldTooLarge},
    {"too many fields", many_headers(100), ParseError::TooManyHeaders},
    // Host.
    {"missing Host", "GET / HTTP/1.1\r\n\r\n", ParseError::MissingHost},
    {"missing Host (absolute form)", "GET http://a/ HTTP/1.1\r\n\r\n", ParseError::MissingHost},
    {"duplicate Host", "GET /" H11 "Host: example.com\r\n\r\n", ParseError::DuplicateHost},
    {"duplicate Host, case", "GET /" H11 "HOST: other\r\n\r\n", ParseError::DuplicateHost},
    {"duplicate Host on 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
     ParseError::DuplicateHost},
    {"Host with space", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", ParseError::BadHeaderValue},
    {"Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", ParseError::BadHeaderValue},
    {"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", ParseError::BadHeaderValue},
    {"Host with query", "GET / HTTP/1.1\r\nHost: a?b\r\n\r\n", ParseError::BadHeaderValue},
    {"Host with fragment", "GET / HTTP/1.1\r\nHost: a#b\r\n\r\n", ParseError::BadHeaderValue},
    {"Host bad port", "GET / HTTP/1.1\r\nHost: a:80a\r\n\r\n", ParseError::BadHeaderValue},
    {"Host port too big", "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", ParseError::BadHeaderValue},
    {"Host two colons", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", ParseError::BadHeaderValue},
    {"Host empty with port", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", ParseError::BadHeaderValue},
    {"Host non-ASCII", "GET / HTTP/1.1\r\nHost: \xc3\xa9.com\r\n\r\n", ParseError::BadHeaderValue},
    {"Host bad IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", ParseError::BadHeaderValue},
    {"Host junk after IPv6", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", ParseError::BadHeaderValue},
    {"duplicate Content-Type", "POST /" H11 "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\n",
     ParseError::DuplicateField},
    // Content-Length.
    {"CL negative", "POST /" H11 "Content-Length: -1\r\n\r\n", ParseError::BadContentLength},
    {"CL words", "POST /" H11 "Content-Length: bla-bla-bla\r\n\r\n", ParseError::BadContentLength},
    {"CL plus", "POST /" H11 "Content-Length: +1\r\n\r\n", ParseError::BadContentLength},
    {"CL minus zero", "POST /" H11 "Content-Length: -0\r\n\r\n", ParseError::BadContentLength},
    {"CL underscore", "POST /" H11 "Content-Length: 0_1\r\n\r\n", ParseError::BadContentLength},
    {"CL inner space", "POST /" H11 "Content-Length: 0 1\r\n\r\n", ParseError::BadContentLength},
    {"CL inner space 2", "POST /" H11 "Content-Length: 3 1\r\n\r\n", ParseError::BadContentLength},
    {"CL list", "POST /" H11 "Content-Length: 5, 5\r\n\r\n", ParseError::BadContentLength},
    {"CL repeated equal", "POST /" H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
     ParseError::BadContentLength},
    {"CL repeated different", "POST /" H11 "Content-Length: 5\r\ncontent-length: 6\r\n\r\n",
     ParseError::BadContentLength},
    {"CL empty", "POST /" H11 "Content-Length:\r\n\r\n", ParseError::BadContentLength},
    {"CL hex", "POST /" H11 "Content-Length: 0x10\r\n\r\n", ParseError::BadContentLength},
    {"CL 2^63", "POST /" H11 "Content-Length: 9223372036854775808\r\n\r\n",
     ParseError::BadContentLength},
    {"CL 2^64", "POST /" H11 "Content-Length: 18446744073709551616\r\n\r\n",
     ParseError::BadContentLength},
    {"CL huge", "POST /" H11 "Content-Length: 99999999999999999999999999\r\n\r\n",
     ParseError::BadContentLength},
    {"CL non-ASCII digit", "POST /" H11 "Content-Length: \xd9\xa1\r\n\r\n",
     ParseError::BadContentLength},
    {"CL above body limit", "POST /" H11 "Content-Length: 104857601\r\n\r\n",
     ParseError::BodyTooLarge},
    // Transfer-Encoding.
    {"CL.TE", "POST /" H11 "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::FramingConflict},
    {"TE.CL", "POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
     ParseError::FramingConflict},
    {"TE tab chunked + CL",
     "POST /" H11 "Transfer-Encoding: \tchunked\r\nContent-Length: 3\r\n\r\n",
     ParseError::FramingConflict},
    {"TE gzip + CL", "POST /" H11 "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n",
     ParseError::FramingConflict},
    {"TE VT chunked",
     "POST /" H11 "Transfer-Encoding: \x0b"
     "chunked\r\n\r\n",
     ParseError::BadHeaderValue},
    {"TE FF chunked", "POST /" H11 "Transfer-Encoding: chunked\x0c\r\n\r\n",
     ParseError::BadHeaderValue},
    {"TE NBSP chunked",
     "POST /" H11 "Transfer-Encoding: \xa0"
     "chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE chunked NBSP", "POST /" H11 "Transfer-Encoding: chunked\xa0\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE NEL chunked",
     "POST /" H11 "Transfer-Encoding: \x85"
     "chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE chunked twice in a list", "POST /" H11 "Transfer-Encoding: chunked, chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE chunked on two lines",
     "POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE identity chunked identity chunked",
     "POST /" H11 "Transfer-Encoding: identity, chunked, identity, chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE chunked then gzip", "POST /" H11 "Transfer-Encoding: chunked, gzip\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE chunked then gzip, two lines",
     "POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE empty element", "POST /" H11 "Transfer-Encoding: chunked,\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE leading empty element", "POST /" H11 "Transfer-Encoding: , chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE empty value", "POST /" H11 "Transfer-Encoding:\r\n\r\n", ParseError::BadTransferEncoding},
    {"TE chunked with parameter", "POST /" H11 "Transfer-Encoding: chunked;q=1\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE quoted chunked", "POST /" H11 "Transfer-Encoding: \"chunked\"\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::BadTransferEncoding},
    {"TE gzip, chunked", "POST /" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n",
     ParseError::UnsupportedTransferCoding},
    {"TE gzip", "POST /" H11 "Transfer-Encoding: gzip\r\n\r\n",
     ParseError::UnsupportedTransferCoding},
    {"TE identity", "POST /" H11 "Transfer-Encoding: identity\r\n\r\n",
     ParseError::UnsupportedTransferCoding},
    {"TE identity, chunked", "POST /" H11 "Transfer-Encoding: identity, chunked\r\n\r\n",
     ParseError::UnsupportedTransferCoding},
    {"TE unknown", "POST /" H11 "Transfer-Encoding: x-custom\r\n\r\n",
     ParseError::UnsupportedTransferCoding},
    {"TE obs-fold", "POST /" H11 "Transfer-Encoding:\r\n chunked\r\n\r\n", ParseError::ObsFold},
    {"TE space before colon", "POST /" H11 "Transfer-Encoding : chunked\r\n\r\n",
     ParseError::BadHeaderName},
    // Expect.
    {"Expect other", "POST /" H11 "Expect: 101-continue\r\n\r\n", ParseError::ExpectationFailed},
    {"Expect list", "POST /" H11 "Expect: 100-continue, x\r\n\r\n", ParseError::ExpectationFailed},
    {"Expect empty", "POST /" H11 "Expect:\r\n\r\n", ParseError::ExpectationFailed},
};

TEST(ParserReject, EveryRuleInEverySplit) {
  for (const RejectCase& c : kRejects) {
    for (Split split : kSplits) {
      RequestHead head;
      const ParseResult r = parse_split(c.input, split, head);
      EXPECT_EQ(r.status, ParseStatus::Error) << c.why << " split " << static_cast<int>(split);
      EXPECT_EQ(name_of(r.error), name_of(c.error))
          << c.why << " split " << static_cast<int>(split);
    }
  }
}

TEST(ParserReject, ErrorsAreFinal) {
  RequestParser parser{Limits{}};
  RequestHead head;
  const std::string bad = "GET / HTTP/1.1\nHost: x\r\n\r\n";
  EXPECT_EQ(parser.parse(bad, head).error, ParseError::BadRequestLine);
  EXPECT_EQ(parser.parse(bad, head).error, ParseError::BadRequestLine);
  parser.reset();
  EXPECT_EQ(parser.parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", head).status, ParseStatus::Complete);
}

// ---- accepts ---------------------------------------------------------------------------------

struct AcceptCase {
  const char* why;
  std::string input;
  std::string method, target, path, query;
  int minor = 1;
  bool keep_alive = true;
  BodyKind body = BodyKind::None;
  uint64_t content_length = 0;
  TargetForm form = TargetForm::Origin;
};

const AcceptCase kAccepts[] = {
    {"minimal", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/", "/", ""},
    {"query", "GET /a?b=1&c HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/a?b=1&c", "/a", "b=1&c"},
    {"empty query", "GET /a? HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/a?", "/a", ""},
    {"fragment", "GET /a?b#frag HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/a?b#frag", "/a", "b"},
    {"fragment, no query", "GET /p#x?y HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/p#x?y", "/p", ""},
    {"quotes in target", "GET /\"a\"?'b' HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/\"a\"?'b'",
     "/\"a\"", "'b'"},
    {"raw UTF-8 target", "GET /\xc3\xa0%20k HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/\xc3\xa0%20k",
     "/\xc3\xa0%20k", ""},
    {"slashes kept", "GET ///keeping_slashes HTTP/1.1\r\nHost: x\r\n\r\n", "GET",
     "///keeping_slashes", "///keeping_slashes", ""},
    {"token method", "-BLARGH / HTTP/1.1\r\nHost: x\r\n\r\n", "-BLARGH", "/", "/", ""},
    {"lower-case method", "get / HTTP/1.1\r\nHost: x\r\n\r\n", "get", "/", "/", ""},
    {"HTTP/1.0 no Host", "GET / HTTP/1.0\r\n\r\n", "GET", "/", "/", "", 0, false},
    {"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", "/", "",
     0, true},
    {"HTTP/1.0 keep-alive, close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "GET",
     "/", "/", "", 0, false},
    {"HTTP/1.1 close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET", "/", "/",
     "", 1, false},
    {"HTTP/1.1 close in list", "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, CLOSE\r\n\r\n", "GET",
     "/", "/", "", 1, false},
    {"leading CRLF", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/", "/", ""},
    {"Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "POST", "/", "/",
     "", 1, true, BodyKind::Length, 5},
    {"Content-Length 0", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "GET", "/", "/",
     "", 1, true, BodyKind::Length, 0},
    {"Content-Length leading zeros", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 007\r\n\r\n",
     "POST", "/", "/", "", 1, true, BodyKind::Length, 7},
    {"Content-Length at limit", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n",
     "POST", "/", "/", "", 1, true, BodyKind::Length, 104857600},
    {"mixed-case CL", "POST / HTTP/1.1\r\nHost: x\r\nconTENT-Length: 3\r\n\r\n", "POST", "/", "/",
     "", 1, true, BodyKind::Length, 3},
    {"CL with OWS", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \t 3 \t\r\n\r\n", "POST", "/",
     "/", "", 1, true, BodyKind::Length, 3},
    {"HTTP/1.0 CL", "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", "POST", "/", "/", "", 0, false,
     BodyKind::Length, 3},
    {"chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "POST", "/",
     "/", "", 1, true, BodyKind::Chunked},
    {"CHUNKED", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED\r\n\r\n", "POST", "/",
     "/", "", 1, true, BodyKind::Chunked},
    {"chunked with OWS", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \t chunked \t\r\n\r\n",
     "POST", "/", "/", "", 1, true, BodyKind::Chunked},
    {"underscore TE dropped",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\nContent-Length: 7\r\n\r\n",
     "POST", "/", "/", "", 1, true, BodyKind::Length, 7},
    {"underscore CL dropped",
     "POST / HTTP/1.1\r\nHost: x\r\nContent_Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n",
     "POST", "/", "/", "", 1, true, BodyKind::Chunked},
    {"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS", "*", "", "", 1, true,
     BodyKind::None, 0, TargetForm::Asterisk},
    {"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT",
     "example.com:443", "", "", 1, true, BodyKind::None, 0, TargetForm::Authority},
    {"CONNECT IPv6", "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", "CONNECT",
     "[::1]:8443", "", "", 1, true, BodyKind::None, 0, TargetForm::Authority},
    {"absolute", "GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET",
     "http://example.com/p?q=1", "/p", "q=1", 1, true, BodyKind::None, 0, TargetForm::Absolute},
    {"absolute https, empty path", "GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
     "GET", "https://example.com", "/", "", 1, true, BodyKind::None, 0, TargetForm::Absolute},
    {"absolute, query, no path", "GET http://a?x HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "http://a?x",
     "/", "x", 1, true, BodyKind::None, 0, TargetForm::Absolute},
    {"absolute IPv6", "GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "GET",
     "http://[::1]:8080/x", "/x", "", 1, true, BodyKind::None, 0, TargetForm::Absolute},
    {"absolute upper-case scheme", "GET HTTP://a/b HTTP/1.1\r\nHost: a\r\n\r\n", "GET",
     "HTTP://a/b", "/b", "", 1, true, BodyKind::None, 0, TargetForm::Absolute},
    {"Expect on 1.0 ignored", "POST / HTTP/1.0\r\nExpect: whatever\r\n\r\n", "POST", "/", "/", "",
     0, false},
    {"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET", "/", "/", ""},
    {"max request line", "GET /" + repeat('a', 4094 - 14) + " HTTP/1.1\r\nHost: x\r\n\r\n", "GET",
     "/" + repeat('a', 4080), "/" + repeat('a', 4080), ""},
};

TEST(ParserAccept, EveryFormInEverySplit) {
  for (const AcceptCase& c : kAccepts) {
    for (Split split : kSplits) {
      RequestHead head;
      const ParseResult r = parse_split(c.input, split, head);
      ASSERT_EQ(r.status, ParseStatus::Complete)
          << c.why << " split " << static_cast<int>(split) << " error " << name_of(r.error);
      EXPECT_EQ(r.consumed, c.input.size()) << c.why;
      EXPECT_EQ(head.method, c.method) << c.why;
      EXPECT_EQ(head.target, c.target) << c.why;
      EXPECT_EQ(head.path, c.path) << c.why;
      EXPECT_EQ(head.query, c.query) << c.why;
      EXPECT_EQ(head.version_minor, c.minor) << c.why;
      EXPECT_EQ(head.keep_alive, c.keep_alive) << c.why;
      EXPECT_EQ(head.body, c.body) << c.why;
      EXPECT_EQ(head.content_length, c.content_length) << c.why;
      EXPECT_EQ(head.form, c.form) << c.why;
    }
  }
}

RequestHead parse_ok(std::string_view input, const Limits& limits = Limits{}) {
  RequestHead head;
  RequestParser parser(limits);
  const ParseResult r = parser.parse(input, head);
  EXPECT_EQ(r.status, ParseStatus::Complete) << name_of(r.error);
  return head;
}

TEST(ParserAccept, HeaderValuesTrimmedAndKeptInOrder) {
  const std::string in =
      "GET / HTTP/1.1\r\nHost: x\r\nA: \t v1 \t\r\nif-match: \"a\"\r\nIf-Match: \"b\"\r\n"
      "X-Empty:\r\nX-Inner: a \t b\r\nX.Custom|Pipe!#$%&'*+^`~: 1\r\nX-Obs: \xe9\xff\r\n"
      "X-Colon: a:b:c\r\nX_Under: dropped\r\n\r\n";
  const RequestHead h = parse_ok(in);
  ASSERT_EQ(h.headers.size(), 9u);
  EXPECT_EQ(h.headers[1].name, "A");
  EXPECT_EQ(h.headers[1].value, "v1");
  EXPECT_EQ(h.headers[2].value, "\"a\"");
  EXPECT_EQ(h.headers[3].value, "\"b\"");
  EXPECT_EQ(h.headers[4].value, "");
  EXPECT_EQ(h.headers[5].value, "a \t b");
  EXPECT_EQ(h.headers[6].name, "X.Custom|Pipe!#$%&'*+^`~");
  EXPECT_EQ(h.headers[7].value, "\xe9\xff");
  EXPECT_EQ(h.headers[8].value, "a:b:c");
  EXPECT_EQ(h.find("x_under"), nullptr);
}

TEST(ParserAccept, FindIsCaseInsensitive) {
  const RequestHead h = parse_ok("GET / HTTP/1.1\r\nHost: x\r\nX-Colon: a:b:c\r\n\r\n");
  ASSERT_NE(h.find("x-colon"), nullptr);
  EXPECT_EQ(h.find("X-COLON")->value, "a:b:c");
  EXPECT_EQ(h.find("x-missing"), nullptr);
  EXPECT_EQ(h.host, "x");
}

TEST(ParserAccept, UnderscoreNamesNeverStored) {
  const RequestHead h =
      parse_ok("GET / HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: evil\r\n_: y\r\nA-B: c\r\n\r\n");
  ASSERT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(h.headers[1].name, "A-B");
}

TEST(ParserAccept, AuthorityAndHost) {
  RequestHead h = parse_ok("GET http://example.com:8080/x HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_EQ(h.authority, "example.com:8080");
  EXPECT_EQ(h.host, "other");  // the field as sent; RFC 9112 3.2.2 tells the server to prefer
                               // the target's authority, which the server layer does
  h = parse_ok("GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n");
  EXPECT_EQ(h.host, "127.0.0.1:80");
  EXPECT_TRUE(h.authority.empty());
  for (const char* host :
       {"[::1]", "[::1]:80", "a.b-c_d~e", "xn--bcher-kva.example", "h:", "a%20b", "[v1.x]"}) {
    const std::string in = std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n";
    EXPECT_EQ(parse_ok(in).host, host);
  }
}

TEST(ParserAccept, ExpectContinueAndUpgrade) {
  RequestHead h =
      parse_ok("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_TRUE(h.expect_continue);
  h = parse_ok("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(h.expect_continue);
  EXPECT_FALSE(h.upgrade);
  h = parse_ok("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_TRUE(h.upgrade);
  EXPECT_TRUE(h.keep_alive);
  h = parse_ok("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_FALSE(h.upgrade);  // Upgrade without the Connection token is not an upgrade
  h = parse_ok("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_FALSE(h.expect_continue);  // 1.0 clients do not wait for 100 (RFC 9110 10.1.1)
}

// ---- incremental behaviour and limits --------------------------------------------------------

TEST(ParserIncremental, NeedMoreUntilTheEmptyLine) {
  const std::string in = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestParser parser{Limits{}};
  RequestHead head;
  for (size_t n = 0; n < in.size(); ++n)
    ASSERT_EQ(parser.parse(std::string_view(in).substr(0, n), head).status, ParseStatus::NeedMore)
        << n;
  EXPECT_EQ(parser.parse(in, head).status, ParseStatus::Complete);
}

TEST(ParserIncremental, PipelinedBytesAreNotConsumed) {
  const std::string first = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string in = first + "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestParser parser{Limits{}};
  RequestHead head;
  ParseResult r = parser.parse(in, head);
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(r.consumed, first.size());
  EXPECT_EQ(head.path, "/1");
  parser.reset();
  r = parser.parse(std::string_view(in).substr(r.consumed), head);
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(head.path, "/2");
}

TEST(ParserIncremental, LeadingCrlfCountsInConsumed) {
  RequestParser parser{Limits{}};
  RequestHead head;
  const std::string in = "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nrest";
  const ParseResult r = parser.parse(in, head);
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(r.consumed, in.size() - 4);
  EXPECT_EQ(head.method, "GET");
}

TEST(ParserIncremental, HeaderVectorCapacityIsReused) {
  RequestParser parser{Limits{}};
  RequestHead head;
  const std::string in = many_headers(20);
  ASSERT_EQ(parser.parse(in, head).status, ParseStatus::Complete);
  const auto* data = head.headers.data();
  const size_t cap = head.headers.capacity();
  for (int i = 0; i < 3; ++i) {
    parser.reset();
    ASSERT_EQ(parser.parse(in, head).status, ParseStatus::Complete);
  }
  EXPECT_EQ(head.headers.data(), data);
  EXPECT_EQ(head.headers.capacity(), cap);
}

TEST(ParserIncremental, OversizedLineRefusedBeforeItEnds) {
  RequestParser parser{Limits{}};
  RequestHead head;
  const std::string in = "GET /" + repeat('a', 4089);  // 4094 bytes: still allowed
  EXPECT_EQ(parser.parse(in, head).status, ParseStatus::NeedMore);
  EXPECT_EQ(parser.parse(in + "\r", head).status, ParseStatus::NeedMore);  // CR may end it
  RequestParser p2{Limits{}};
  EXPECT_EQ(p2.parse(in + "a", head).error, ParseError::UriTooLong);
  RequestParser p3{Limits{}};
  EXPECT_EQ(p3.parse(in + "\rx", head).error, ParseError::UriTooLong);
}

struct LimitCase {
  const char* why;
  Limits limits;
  std::string input;
  ParseError error;  // None = must be accepted
};

Limits with(size_t line, size_t fields, size_t field_size, size_t total) {
  Limits l;
  l.request_line = line;
  l.header_fields = fields;
  l.header_field_size = field_size;
  l.header_total = total;
  return l;
}

const LimitCase kLimitCases[] = {
    {"fields at limit", with(4094, 2, 8190, 819204), "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n",
     ParseError::None},
    {"fields over limit", with(4094, 2, 8190, 819204),
     "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\nC: d\r\n\r\n", ParseError::TooManyHeaders},
    {"underscore fields count", with(4094, 2, 8190, 819204),
     "GET / HTTP/1.1\r\nHost: x\r\nA_: b\r\nC_: d\r\n\r\n", ParseError::TooManyHeaders},
    {"field size exact (incl. CRLF)", with(4094, 100, 9, 819204),
     "GET / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::None},
    {"field size over by one", with(4094, 100, 9, 819204), "GET / HTTP/1.1\r\nHost: xy\r\n\r\n",
     ParseError::HeaderFieldTooLarge},
    {"total exact", with(4094, 100, 8190, 27), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::None},
    {"total over by one", with(4094, 100, 8190, 26), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::HeadersTooLarge},
    {"total over in request line", with(4094, 100, 8190, 10), "GET /aaaaaaaaaaa HTTP/1.1\r\n",
     ParseError::HeadersTooLarge},
    {"line limit wins a tie", with(5, 100, 8190, 5), "GET /abc HTTP/1.1\r\n",
     ParseError::UriTooLong},
    {"request line exact", with(14, 100, 8190, 819204), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::None},
    {"request line over by one", with(13, 100, 8190, 819204), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::UriTooLong},
    {"request_line 0 = 64 KiB", with(0, 100, 8190, 819204),
     "GET /" + repeat('a', 60000) + " HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::None},
    {"request_line 0 still capped", with(0, 100, 8190, 819204),
     "GET /" + repeat('a', 70000) + " HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::UriTooLong},
    {"header_fields 0 = unlimited", with(4094, 0, 8190, 819204), many_headers(500),
     ParseError::None},
    {"field size 0 = total only", with(4094, 100, 0, 819204),
     "GET / HTTP/1.1\r\nHost: x\r\nX: " + repeat('a', 20000) + "\r\n\r\n", ParseError::None},
    {"total 0 = 1 MiB", with(4094, 0, 0, 0),
     "GET / HTTP/1.1\r\nHost: x\r\nX: " + repeat('a', 1100000) + "\r\n\r\n",
     ParseError::HeadersTooLarge},
};

TEST(ParserLimits, EnforcedAtTheRightByte) {
  for (const LimitCase& c : kLimitCases) {
    for (Split split : kSplits) {
      RequestHead head;
      const ParseResult r = parse_split(c.input, split, head, c.limits);
      if (c.error == ParseError::None) {
        EXPECT_EQ(r.status, ParseStatus::Complete) << c.why << " " << name_of(r.error);
      } else {
        EXPECT_EQ(r.status, ParseStatus::Error) << c.why;
        EXPECT_EQ(name_of(r.error), name_of(c.error))
            << c.why << " split " << static_cast<int>(split);
      }
    }
  }
}

TEST(ParserLimits, BodyLimitZeroIsUnlimited) {
  Limits l;
  l.body = 0;
  const RequestHead h =
      parse_ok("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n", l);
  EXPECT_EQ(h.content_length, 9223372036854775807ull);
}

TEST(ParserLimits, RandomSplitsAgreeWithWhole) {
  for (const RejectCase& c : kRejects) {
    RequestHead whole_head;
    const ParseResult whole = parse_split(c.input, Split::Whole, whole_head);
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      RequestHead head;
      const ParseResult r = parse_split(c.input, Split::Random, head, Limits{}, seed);
      EXPECT_EQ(r.error, whole.error) << c.why << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace bastion::http
