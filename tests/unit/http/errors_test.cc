// SPDX-License-Identifier: MIT
// The ParseError table: every error has a status, a unique name and a well-formed canned
// response that never carries request data.
#include "http/errors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bastion::http {
namespace {

constexpr int kCount = static_cast<int>(ParseError::Count_);

TEST(Errors, StatusTable) {
  EXPECT_EQ(status_for(ParseError::BadRequestLine), 400);
  EXPECT_EQ(status_for(ParseError::UriTooLong), 414);
  EXPECT_EQ(status_for(ParseError::VersionNotSupported), 505);
  EXPECT_EQ(status_for(ParseError::HeaderFieldTooLarge), 431);
  EXPECT_EQ(status_for(ParseError::TooManyHeaders), 431);
  EXPECT_EQ(status_for(ParseError::HeadersTooLarge), 431);
  EXPECT_EQ(status_for(ParseError::TrailersTooLarge), 431);
  EXPECT_EQ(status_for(ParseError::BodyTooLarge), 413);
  EXPECT_EQ(status_for(ParseError::ExpectationFailed), 417);
  EXPECT_EQ(status_for(ParseError::UnsupportedTransferCoding), 501);
  EXPECT_EQ(status_for(ParseError::HeaderTimeout), 408);
  EXPECT_EQ(status_for(ParseError::BodyTimeout), 408);
  EXPECT_EQ(status_for(ParseError::FramingConflict), 400);
  EXPECT_EQ(status_for(ParseError::BodyStorage), 500);
  EXPECT_EQ(status_for(ParseError::UntrustedProxyHeader), 403);
  EXPECT_EQ(status_for(ParseError::None), 400);  // defensive: never a success
  EXPECT_EQ(name_of(ParseError::BadContentLength), "BadContentLength");
  EXPECT_EQ(name_of(ParseError::Count_), "Unknown");
}

TEST(Errors, CannedResponsesAreWellFormed) {
  std::set<std::string> names;
  for (int i = 0; i < kCount; ++i) {
    const auto e = static_cast<ParseError>(i);
    const std::string_view name = name_of(e);
    EXPECT_TRUE(names.insert(std::string(name)).second) << name;
    const std::string resp(canned_response(e));
    const int status = status_for(e);
    ASSERT_FALSE(resp.empty()) << name;
    EXPECT_EQ(resp.rfind("HTTP/1.1 " + std::to_string(status) + " ", 0), 0u) << resp;
    EXPECT_NE(resp.find("\r\nConnection: close\r\n"), std::string::npos) << name;
    EXPECT_NE(resp.find("\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
    const size_t head_end = resp.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos) << name;
    const std::string body = resp.substr(head_end + 4);
    const std::string cl = "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    EXPECT_NE(resp.find(cl), std::string::npos) << name << ": " << resp;
    EXPECT_FALSE(body.empty());
    EXPECT_EQ(body.back(), '\n');
    EXPECT_EQ(body.rfind(std::to_string(status), 0), 0u) << body;
    for (char c : resp) EXPECT_TRUE(c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7f)) << name;
  }
  // Static storage: the same bytes every time.
  EXPECT_EQ(canned_response(ParseError::BadMethod).data(),
            canned_response(ParseError::BadMethod).data());
}

}  // namespace
}  // namespace bastion::http
