// SPDX-License-Identifier: MIT
// Response helpers: reason table, token/value validation, WSGI status lines, framing appends,
// DateCache and percent_decode.
#include "http/response.h"

#include <gtest/gtest.h>

#include <string>

namespace bastion::http {
namespace {

using namespace std::string_literals;

TEST(Response, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(299), "");
  EXPECT_EQ(reason_phrase(0), "");
  EXPECT_EQ(reason_phrase(-1), "");
  // Every registered code has a phrase.
  for (int code : {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
                   302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
                   410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 425, 426, 428, 429,
                   431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511})
    EXPECT_FALSE(reason_phrase(code).empty()) << code;
}

TEST(Response, TokensAndValues) {
  EXPECT_TRUE(is_token("Content-Type"));
  EXPECT_TRUE(is_token("X.Custom|Pipe!#$%&'*+^`~_"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("A B"));
  EXPECT_FALSE(is_token("A:"));
  EXPECT_FALSE(is_token("A\r\nB"));
  EXPECT_FALSE(is_token("\xc3\xa9"));
  EXPECT_FALSE(is_token("a(b)"));
  EXPECT_TRUE(is_field_value(""));
  EXPECT_TRUE(is_field_value("text/html; charset=utf-8"));
  EXPECT_TRUE(is_field_value("a\tb \xe9\xff"));
  EXPECT_FALSE(is_field_value("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(is_field_value("a\nb"));
  EXPECT_FALSE(is_field_value("a\rb"));
  EXPECT_FALSE(is_field_value("a\0b"s));
  EXPECT_FALSE(is_field_value("a\x7f"));
  EXPECT_FALSE(is_field_value("a\x0b"));
}

TEST(Response, HopByHop) {
  for (const char* n : {"Connection", "keep-alive", "PROXY-AUTHENTICATE", "Proxy-Authorization",
                        "TE", "Trailer", "transfer-encoding", "Upgrade"})
    EXPECT_TRUE(is_hop_by_hop(n)) << n;
  for (const char* n : {"Content-Length", "Content-Type", "Set-Cookie", "Keep-Alive2", "T", ""})
    EXPECT_FALSE(is_hop_by_hop(n)) << n;
}

TEST(Response, StatusLine) {
  int code = 0;
  EXPECT_TRUE(parse_status_line("200 OK", &code));
  EXPECT_EQ(code, 200);
  EXPECT_TRUE(parse_status_line("404 Not Found", &code));
  EXPECT_EQ(code, 404);
  EXPECT_TRUE(parse_status_line("200 ", &code));
  EXPECT_TRUE(parse_status_line("999 Custom Thing", &code));
  EXPECT_EQ(code, 999);
  EXPECT_TRUE(parse_status_line("100 Continue", &code));
  EXPECT_TRUE(parse_status_line("200 \xc3\xa9t\xc3\xa9", &code));
  code = 0;
  for (const std::string& bad : {"200"s, "200OK"s, "20 OK"s, "2000 OK"s, "099 X"s, "abc OK"s,
                                 "2x0 OK"s, " 200 OK"s, "200 OK\r\n"s, "200 OK\r\nSet-Cookie: a"s,
                                 "200 O\nK"s, "200 O\0K"s, ""s, "-20 OK"s, "200\tOK"s})
    EXPECT_FALSE(parse_status_line(bad, &code)) << bad;
  EXPECT_EQ(code, 0);
}

TEST(Response, BodylessStatuses) {
  for (int s : {100, 101, 103, 199, 204, 304}) EXPECT_TRUE(status_forbids_body(s)) << s;
  for (int s : {200, 201, 205, 301, 400, 404, 500}) EXPECT_FALSE(status_forbids_body(s)) << s;
}

TEST(Response, Appends) {
  std::string out;
  append_status_line(out, 1, "200 OK");
  append_header(out, "Content-Type", "text/plain");
  append_status_line(out, 0, "404 Not Found");
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nHTTP/1.0 404 Not Found\r\n");
  out.clear();
  append_chunk_header(out, 0);
  append_chunk_header(out, 10);
  append_chunk_header(out, 4096);
  append_chunk_header(out, UINT64_MAX);
  EXPECT_EQ(out, "0\r\na\r\n1000\r\nffffffffffffffff\r\n");
}

TEST(Response, DateCache) {
  DateCache cache;
  EXPECT_EQ(cache.at(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(cache.at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(cache.at(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(cache.at(1735689599), "Tue, 31 Dec 2024 23:59:59 GMT");
  EXPECT_EQ(cache.at(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
  // Cached within the second: same storage, same text.
  const std::string_view a = cache.at(1700000000);
  const std::string_view b = cache.at(1700000000);
  EXPECT_EQ(a.data(), b.data());
  EXPECT_EQ(a, "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(cache.at(1700000001), "Tue, 14 Nov 2023 22:13:21 GMT");
  const std::string_view now = cache.get();
  EXPECT_EQ(now.size(), 29u);
  EXPECT_EQ(now.substr(25), " GMT");
}

TEST(Response, PercentDecode) {
  std::string out = "old content";
  percent_decode("/a%20b", out);
  EXPECT_EQ(out, "/a b");
  percent_decode("%2F%2f%41%7e", out);
  EXPECT_EQ(out, "//A~");
  percent_decode("%00x", out);
  EXPECT_EQ(out, "\0x"s);
  percent_decode("%C3%A9", out);
  EXPECT_EQ(out, "\xc3\xa9");
  percent_decode("%ff", out);
  EXPECT_EQ(out, "\xff");
  // Invalid escapes are copied through.
  percent_decode("%", out);
  EXPECT_EQ(out, "%");
  percent_decode("a%2", out);
  EXPECT_EQ(out, "a%2");
  percent_decode("%zz%2g%%41", out);
  EXPECT_EQ(out, "%zz%2g%A");
  percent_decode("+plus+", out);
  EXPECT_EQ(out, "+plus+");  // '+' is not a space in a path
  percent_decode("", out);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace bastion::http
