// SPDX-License-Identifier: MIT
// --bind syntax: every form Gunicorn accepts, and clear errors for the rest.
#include "config/bind.h"

#include <gtest/gtest.h>

namespace bastion::config {
namespace {

struct Case {
  const char* spec;
  Bind::Kind kind;
  const char* host;
  int port;
  const char* path;
  int fd;
  const char* canonical;
};

TEST(Bind, AcceptedForms) {
  const Case cases[] = {
      {"127.0.0.1:8000", Bind::Kind::Tcp, "127.0.0.1", 8000, "", -1, "127.0.0.1:8000"},
      {"0.0.0.0:80", Bind::Kind::Tcp, "0.0.0.0", 80, "", -1, "0.0.0.0:80"},
      {"localhost", Bind::Kind::Tcp, "localhost", 8000, "", -1, "localhost:8000"},
      {"Example.COM:9000", Bind::Kind::Tcp, "example.com", 9000, "", -1, "example.com:9000"},
      {":5000", Bind::Kind::Tcp, "0.0.0.0", 5000, "", -1, "0.0.0.0:5000"},
      {"[::1]:8080", Bind::Kind::Tcp, "::1", 8080, "", -1, "[::1]:8080"},
      {"[::]", Bind::Kind::Tcp, "::", 8000, "", -1, "[::]:8000"},
      {"tcp://10.0.0.1:81", Bind::Kind::Tcp, "10.0.0.1", 81, "", -1, "10.0.0.1:81"},
      {"unix:/run/app.sock", Bind::Kind::Unix, "", 8000, "/run/app.sock", -1,
       "unix:/run/app.sock"},
      {"unix:///tmp/x.sock", Bind::Kind::Unix, "", 8000, "/tmp/x.sock", -1, "unix:/tmp/x.sock"},
      {"unix:rel.sock", Bind::Kind::Unix, "", 8000, "rel.sock", -1, "unix:rel.sock"},
      {"fd://3", Bind::Kind::Fd, "", 8000, "", 3, "fd://3"},
  };
  for (const Case& c : cases) {
    auto b = parse_bind(c.spec);
    ASSERT_TRUE(b.ok()) << c.spec << ": " << b.error().message;
    EXPECT_EQ(b->kind, c.kind) << c.spec;
    if (c.kind == Bind::Kind::Tcp) {
      EXPECT_EQ(b->host, c.host) << c.spec;
      EXPECT_EQ(b->port, c.port) << c.spec;
    }
    EXPECT_EQ(b->path, c.path) << c.spec;
    EXPECT_EQ(b->fd, c.fd) << c.spec;
    EXPECT_EQ(b->to_string(), c.canonical) << c.spec;
  }
}

TEST(Bind, RejectedForms) {
  struct Bad {
    const char* spec;
    const char* why;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"::1:8000", "brackets"},
      {"[::1", "missing ']'"},
      {"[::1]8000", "':PORT'"},
      {"[nothost]:80", "not an IPv6 address"},
      {"127.0.0.1:http", "not a valid port"},
      {"127.0.0.1:65536", "not a valid port"},
      {"127.0.0.1:", "not a valid port"},
      {"*:8000", "not *"},
      {"http://127.0.0.1:8000", "not a URL"},
      {"unix:", "path is empty"},
      {"fd://x", "not a valid file descriptor"},
      {"fd://", "not a valid file descriptor"},
      {"host name:80", "whitespace"},
      {"ho/st:80", "not a host name"},
  };
  for (const Bad& c : cases) {
    auto b = parse_bind(c.spec);
    ASSERT_FALSE(b.ok()) << c.spec;
    EXPECT_NE(b.error().message.find(c.why), std::string::npos)
        << c.spec << " -> " << b.error().message;
  }
}

TEST(Bind, Loopback) {
  EXPECT_TRUE(parse_bind("127.0.0.1:1")->is_loopback());
  EXPECT_TRUE(parse_bind("127.8.9.10:1")->is_loopback());
  EXPECT_TRUE(parse_bind("[::1]:1")->is_loopback());
  EXPECT_TRUE(parse_bind("localhost")->is_loopback());
  EXPECT_TRUE(parse_bind("unix:/x")->is_loopback());
  EXPECT_FALSE(parse_bind("0.0.0.0:1")->is_loopback());
  EXPECT_FALSE(parse_bind(":80")->is_loopback());
  EXPECT_FALSE(parse_bind("[::]:80")->is_loopback());
  EXPECT_FALSE(parse_bind("10.1.1.1")->is_loopback());
}

}  // namespace
}  // namespace bastion::config
