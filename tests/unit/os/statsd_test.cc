// SPDX-License-Identifier: MIT
// The StatsD client: address forms, Gunicorn's prefix rule, packet text with DogStatsD tags,
// and real packets received on a UDP socket bound to 127.0.0.1.
#include "os/statsd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bastion::os {
namespace {

std::string receive(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, 2000) != 1) return "";
  char buf[2048];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(Statsd, Address) {
  StatsdClient::Options o;
  ASSERT_TRUE(StatsdClient::parse_address("localhost:8125", &o).ok());
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, 8125);
  ASSERT_TRUE(StatsdClient::parse_address("[::1]:9125", &o).ok());
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 9125);
  ASSERT_TRUE(StatsdClient::parse_address("unix:///run/statsd.sock", &o).ok());
  EXPECT_EQ(o.path, "/run/statsd.sock");
  EXPECT_FALSE(StatsdClient::parse_address("localhost", &o).ok());
  EXPECT_FALSE(StatsdClient::parse_address("host:abc", &o).ok());
}

TEST(Statsd, Prefix) {
  EXPECT_EQ(StatsdClient::normalize_prefix(""), "");
  EXPECT_EQ(StatsdClient::normalize_prefix("app"), "app.");
  EXPECT_EQ(StatsdClient::normalize_prefix("app."), "app.");
  EXPECT_EQ(StatsdClient::normalize_prefix("app..."), "app.");
  EXPECT_EQ(StatsdClient::normalize_prefix("a.b"), "a.b.");
}

TEST(Statsd, PacketsOverUdp) {
  int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(rx, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
  socklen_t len = sizeof sin;
  getsockname(rx, reinterpret_cast<sockaddr*>(&sin), &len);

  StatsdClient client;
  EXPECT_FALSE(client.enabled());
  client.increment("ignored");  // disabled: nothing sent
  StatsdClient::Options o;
  ASSERT_TRUE(StatsdClient::parse_address("127.0.0.1:" + std::to_string(ntohs(sin.sin_port)), &o).ok());
  o.prefix = "web";
  o.tags = "env:test,app:x";
  client.configure(o);
  ASSERT_TRUE(client.enabled());
  EXPECT_EQ(client.packet("gunicorn.workers", "3", "g"), "web.gunicorn.workers:3|g|#env:test,app:x");
  client.gauge("gunicorn.workers", 3);
  EXPECT_EQ(receive(rx), "web.gunicorn.workers:3|g|#env:test,app:x");
  client.request_done(404, 12345);
  std::set<std::string> got{receive(rx), receive(rx), receive(rx)};
  EXPECT_EQ(got, (std::set<std::string>{"web.gunicorn.request.duration:12.345|ms|#env:test,app:x",
                                        "web.gunicorn.requests:1|c|@1.0|#env:test,app:x",
                                        "web.gunicorn.request.status.404:1|c|@1.0|#env:test,app:x"}));
  close(rx);
}

}  // namespace
}  // namespace bastion::os
