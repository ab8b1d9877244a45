// SPDX-License-Identifier: MIT
// ChunkedDecoder: sizes, extensions, data terminators, trailers and limits, each body fed
// whole, byte by byte and in random pieces, with pipelined bytes after it left untouched.
#include "http/chunked.h"

#include <gtest/gtest.h>

#include <string>

#include "http_test_util.h"

namespace bastion::http {
namespace {

using namespace std::string_literals;
using Status = ChunkedDecoder::Status;
using test::decode_split;
using test::Split;

constexpr Split kSplits[] = {Split::Whole, Split::Bytewise, Split::Random};
const std::string kNext = "GET /next HTTP/1.1\r\n";  // a pipelined request after the body

struct GoodCase {
  const char* why;
  std::string input;
  std::string body;
};

const GoodCase kGood[] = {
    {"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"},
    {"empty body", "0\r\n\r\n", ""},
    {"zeros", "000\r\n\r\n", ""},
    {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"},
    {"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
    {"lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
    {"leading zeros", "0005\r\nhello\r\n0\r\n\r\n", "hello"},
    {"16 digits", "0000000000000005\r\nhello\r\n0000000000000000\r\n\r\n", "hello"},
    {"extensions", "5;foo=bar\r\nhello\r\n0;x;y=z\r\n\r\n", "hello"},
    {"quoted extension", "5;a=\"b \\\" c\";d\r\nhello\r\n0\r\n\r\n", "hello"},
    {"quoted obs-text and tab", "5;a=\"\xe9\t\"\r\nhello\r\n0\r\n\r\n", "hello"},
    {"empty quoted", "5;a=\"\"\r\nhello\r\n0\r\n\r\n", "hello"},
    {"trailers", "5\r\nhello\r\n0\r\nVary: *\r\nX-Sum: abc\r\n\r\n", "hello"},
    {"trailer empty value", "0\r\nX:\r\n\r\n", ""},
    {"trailer with OWS", "0\r\nX: \t a b \t\r\n\r\n", ""},
    {"trailer named like a forbidden prefix", "0\r\nHostname: a\r\nTE-x: b\r\n\r\n", ""},
    {"CRLF inside data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"},
    {"NUL inside data", "3\r\na\0b\r\n0\r\n\r\n"s, "a\0b"s},
    {"big chunk", "3e8\r\n" + std::string(1000, 'x') + "\r\n0\r\n\r\n", std::string(1000, 'x')},
};

TEST(ChunkedAccept, EveryCaseInEverySplit) {
  for (const GoodCase& c : kGood) {
    const std::string input = c.input + kNext;
    for (Split split : kSplits) {
      const auto out = decode_split(input, split);
      EXPECT_EQ(out.status, Status::Done) << c.why << " " << name_of(out.error);
      EXPECT_EQ(out.body, c.body) << c.why;
      EXPECT_EQ(out.consumed, c.input.size()) << c.why << " split " << static_cast<int>(split);
    }
  }
}

struct BadCase {
  const char* why;
  std::string input;
  ParseError error;
};

const BadCase kBad[] = {
    {"underscore in size", "6_0\r\n", ParseError::BadChunkSize},
    {"trailing space", "0 \r\n\r\n", ParseError::BadChunkSize},
    {"leading space", " 0\r\n\r\n", ParseError::BadChunkSize},
    {"space before ext", "5 ;a\r\nhello\r\n", ParseError::BadChunkSize},
    {"tab after size", "5\t\r\nhello\r\n", ParseError::BadChunkSize},
    {"bare LF after size", "5\n;\r\nhello\r\n", ParseError::BadChunkSize},
    {"bare CR after size", "5\rhello\r\n", ParseError::BadChunkSize},
    {"ext without size", ";foo=bar\r\n", ParseError::BadChunkSize},
    {"empty size line", "\r\n", ParseError::BadChunkSize},
    {"minus", "-5\r\nhello\r\n", ParseError::BadChunkSize},
    {"plus", "+5\r\nhello\r\n", ParseError::BadChunkSize},
    {"0x prefix", "0x5\r\nhello\r\n", ParseError::BadChunkSize},
    {"not hex", "g\r\n", ParseError::BadChunkSize},
    {"17 digits", "00000000000000005\r\nhello\r\n", ParseError::BadChunkSize},
    {"20 digits", "FFFFFFFFFFFFFFFFFFFF\r\n", ParseError::BadChunkSize},
    {"non-ASCII digit", "\xd9\xa1\r\n", ParseError::BadChunkSize},
    {"empty ext name", "5;\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext starts with =", "5;=x\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext empty value", "5;a=\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext space in name", "5;a b\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext space in value", "5;a=b c\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext space after ;", "5; a\r\nhello\r\n", ParseError::BadChunkExtension},
    {"bare CR in ext", "5;a\rb\r\nhello\r\n", ParseError::BadChunkExtension},
    {"bare LF in ext", "5;a\nb\r\nhello\r\n", ParseError::BadChunkExtension},
    {"CR in quoted ext", "5;a=\"x\r\n\"\r\nhello\r\n", ParseError::BadChunkExtension},
    {"CTL in quoted ext", "5;a=\"\x01\"\r\nhello\r\n", ParseError::BadChunkExtension},
    {"CTL after backslash", "5;a=\"\\\x01\"\r\nhello\r\n", ParseError::BadChunkExtension},
    {"junk after quoted", "5;a=\"x\"y\r\nhello\r\n", ParseError::BadChunkExtension},
    {"two = in ext", "5;a=b=c\r\nhello\r\n", ParseError::BadChunkExtension},
    {"ext line too long", "5;" + std::string(5000, 'a') + "\r\n", ParseError::BadChunkExtension},
    {"data too long", "3\r\nhello\r\n0\r\n\r\n", ParseError::BadChunkTerminator},
    {"missing CRLF after data", "5\r\nhelloX\r\n", ParseError::BadChunkTerminator},
    {"bare LF after data", "5\r\nhello\n0\r\n\r\n", ParseError::BadChunkTerminator},
    {"CR CR after data", "5\r\nhello\r\r0\r\n\r\n", ParseError::BadChunkTerminator},
    {"bare LF as final line", "0\r\n\n", ParseError::BadChunkTerminator},
    {"bare CR as final line", "0\r\n\rX", ParseError::BadChunkTerminator},
    {"trailer Content-Length", "0\r\nContent-Length: 5\r\n\r\n", ParseError::BadTrailer},
    {"trailer Transfer-Encoding", "0\r\ntransfer-encoding: chunked\r\n\r\n",
     ParseError::BadTrailer},
    {"trailer Host", "0\r\nHOST: a\r\n\r\n", ParseError::BadTrailer},
    {"trailer Trailer", "0\r\nTrailer: x\r\n\r\n", ParseError::BadTrailer},
    {"trailer Authorization", "0\r\nAuthorization: x\r\n\r\n", ParseError::BadTrailer},
    {"trailer TE", "0\r\nTE: trailers\r\n\r\n", ParseError::BadTrailer},
    {"trailer Content-Type", "0\r\nContent-Type: a/b\r\n\r\n", ParseError::BadTrailer},
    {"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", ParseError::BadTrailer},
    {"trailer space before colon", "0\r\nX : a\r\n\r\n", ParseError::BadTrailer},
    {"trailer empty name", "0\r\n: a\r\n\r\n", ParseError::BadTrailer},
    {"trailer without colon", "0\r\nX\r\n\r\n", ParseError::BadTrailer},
    {"trailer CTL", "0\r\nX: a\x01\r\n\r\n", ParseError::BadTrailer},
    {"trailer bare CR", "0\r\nX: a\rb\r\n\r\n", ParseError::BadTrailer},
    {"trailer bare LF", "0\r\nX: a\n\r\n", ParseError::BadTrailer},
    {"trailer non-token name", "0\r\nX\xc3\xa9: a\r\n\r\n", ParseError::BadTrailer},
};

TEST(ChunkedReject, EveryCaseInEverySplit) {
  for (const BadCase& c : kBad) {
    for (Split split : kSplits) {
      const auto out = decode_split(c.input, split);
      EXPECT_EQ(out.status, Status::Error) << c.why;
      EXPECT_EQ(name_of(out.error), name_of(c.error))
          << c.why << " split " << static_cast<int>(split);
    }
  }
}

TEST(ChunkedLimits, BodyLimit) {
  for (Split split : kSplits) {
    EXPECT_EQ(decode_split("a\r\n0123456789\r\n0\r\n\r\n", split, 10).status, Status::Done);
    EXPECT_EQ(decode_split("b\r\n", split, 10).error, ParseError::BodyTooLarge);
    EXPECT_EQ(decode_split("5\r\nhello\r\n6\r\n", split, 10).error, ParseError::BodyTooLarge);
    EXPECT_EQ(decode_split("FFFFFFFFFFFFFFFF\r\n", split, 1u << 20).error,
              ParseError::BodyTooLarge);
    // 0 = unlimited: a huge declared chunk just waits for its data.
    EXPECT_EQ(decode_split("FFFFFFFFFFFFFFFF\r\nabc", split, 0).status, Status::NeedMore);
  }
}

TEST(ChunkedLimits, TrailerLimit) {
  for (Split split : kSplits) {
    EXPECT_EQ(decode_split("0\r\nX: 12345\r\n\r\n", split, 0, 10).status, Status::Done);
    EXPECT_EQ(decode_split("0\r\nX: 123456\r\n\r\n", split, 0, 10).error,
              ParseError::TrailersTooLarge);
    EXPECT_EQ(decode_split("0\r\nA: 1\r\nB: 2\r\n\r\n", split, 0, 10).error,
              ParseError::TrailersTooLarge);
    EXPECT_EQ(decode_split("0\r\n\r\n", split, 0, 0).status, Status::Done);
    EXPECT_EQ(decode_split("0\r\nA: 1\r\n\r\n", split, 0, 0).error, ParseError::TrailersTooLarge);
  }
}

TEST(ChunkedLimits, ExtensionBytesPerMessageAreCapped) {
  std::string body;
  const std::string ext(1000, 'e');
  for (int i = 0; i < 70; ++i) body += "1;" + ext + "\r\nx\r\n";
  body += "0\r\n\r\n";
  EXPECT_EQ(decode_split(body, Split::Whole).error, ParseError::BadChunkExtension);
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "1;" + ext + "\r\nx\r\n";
  ok += "0\r\n\r\n";
  EXPECT_EQ(decode_split(ok, Split::Whole).status, Status::Done);
}

TEST(ChunkedLimits, ManySmallChunksAreNotCapped) {
  // 50,000 chunks carry 650 KB of size lines: only extension bytes count toward the cap.
  std::string body;
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    body += "a\r\n0123456789\r\n";
    expected += "0123456789";
  }
  body += "0\r\n\r\n";
  test::ChunkedOutcome out = decode_split(body, Split::Whole);
  EXPECT_EQ(out.status, Status::Done);
  EXPECT_EQ(out.body, expected);
}

TEST(ChunkedApi, StepsAndFinalStates) {
  ChunkedDecoder dec(0, 8192);
  std::string_view in = "5\r\nhel";
  auto step = dec.next(in);
  ASSERT_EQ(step.status, Status::Data);
  EXPECT_EQ(step.data, "hel");
  EXPECT_EQ(step.consumed, in.size());
  EXPECT_EQ(dec.decoded(), 3u);
  step = dec.next("");
  EXPECT_EQ(step.status, Status::NeedMore);
  EXPECT_EQ(step.consumed, 0u);
  // A partial trailer line is consumed, not left for the caller to keep.
  step = dec.next("lo\r\n0\r\nX-Partial: va");
  ASSERT_EQ(step.status, Status::Data);
  EXPECT_EQ(step.data, "lo");
  step = dec.next("\r\n0\r\nX-Partial: va");
  EXPECT_EQ(step.status, Status::NeedMore);
  EXPECT_EQ(step.consumed, 18u);
  step = dec.next("lue\r\n\r\nNEXT");
  EXPECT_EQ(step.status, Status::Done);
  EXPECT_EQ(step.consumed, 7u);
  EXPECT_EQ(dec.decoded(), 5u);
  step = dec.next("NEXT");
  EXPECT_EQ(step.status, Status::Done);
  EXPECT_EQ(step.consumed, 0u);

  ChunkedDecoder bad(0, 8192);
  EXPECT_EQ(bad.next("x").error, ParseError::BadChunkSize);
  EXPECT_EQ(bad.next("0\r\n\r\n").error, ParseError::BadChunkSize);  // errors are final
}

TEST(ChunkedApi, RandomSplitsMatchWhole) {
  for (const GoodCase& c : kGood) {
    for (uint32_t seed = 1; seed <= 30; ++seed) {
      const auto out = decode_split(c.input, Split::Random, 0, 8192, seed);
      EXPECT_EQ(out.body, c.body) << c.why << " seed " << seed;
    }
  }
  for (const BadCase& c : kBad) {
    for (uint32_t seed = 1; seed <= 30; ++seed)
      EXPECT_EQ(decode_split(c.input, Split::Random, 0, 8192, seed).error, c.error) << c.why;
  }
}

}  // namespace
}  // namespace bastion::http
