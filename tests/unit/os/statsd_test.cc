// SPDX-License-Identifier: MIT
// The StatsD client: address forms, Gunicorn's prefix rule, packet text with DogStatsD tags,
// and real packets received on a UDP socket bound to 127.0.0.1.
#include "os/statsd.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "os_test_util.h"

namespace bastion::os {
namespace {

using test_util::receive;

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
  uint16_t port = 0;
  int rx = test_util::bind_udp_loopback(&port);
  ASSERT_GE(rx, 0);

  StatsdClient client;
  EXPECT_FALSE(client.enabled());
  client.increment("ignored");  // disabled: nothing sent
  StatsdClient::Options o;
  ASSERT_TRUE(StatsdClient::parse_address("127.0.0.1:" + std::to_string(port), &o).ok());
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
