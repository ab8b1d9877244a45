// SPDX-License-Identifier: MIT
// Syslog addresses, facilities, message format, and real sends to a UDP socket on 127.0.0.1
// and to a unix datagram socket in a temporary directory.
#include "os/syslog.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "os_test_util.h"

namespace bastion::os {
namespace {

using test_util::receive;

TEST(SyslogAddr, Forms) {
  auto udp = parse_syslog_addr("udp://LocalHost:5514");
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(udp->kind, SyslogAddr::Kind::Udp);
  EXPECT_EQ(udp->host, "localhost");
  EXPECT_EQ(udp->port, 5514);
  auto tcp = parse_syslog_addr("tcp://[::1]:601");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->kind, SyslogAddr::Kind::Tcp);
  EXPECT_EQ(tcp->host, "::1");
  EXPECT_EQ(tcp->port, 601);
  auto bare = parse_syslog_addr("udp://");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "localhost");
  EXPECT_EQ(bare->port, 514);
  auto unix_default = parse_syslog_addr("unix:///dev/log");
  ASSERT_TRUE(unix_default.ok());
  EXPECT_EQ(unix_default->path, "/dev/log");
  EXPECT_EQ(unix_default->unix_type, 0);
  auto dgram = parse_syslog_addr("unix:///run/log#dgram");
  ASSERT_TRUE(dgram.ok());
  EXPECT_EQ(dgram->path, "/run/log");
  EXPECT_EQ(dgram->unix_type, SOCK_DGRAM);
  EXPECT_FALSE(parse_syslog_addr("localhost:514").ok());
  EXPECT_FALSE(parse_syslog_addr("udp://host:port").ok());
  EXPECT_FALSE(parse_syslog_addr("unix:///x#raw").ok());
  EXPECT_FALSE(parse_syslog_addr("unix://").ok());
}

TEST(SyslogFacility, Names) {
  EXPECT_EQ(syslog_facility_code("user"), 1);
  EXPECT_EQ(syslog_facility_code("DAEMON"), 3);
  EXPECT_EQ(syslog_facility_code("local7"), 23);
  EXPECT_EQ(syslog_facility_code("authpriv"), 10);
  EXPECT_EQ(syslog_facility_code("nope"), -1);
}

TEST(SyslogFormat, Rfc3164) {
  std::tm tm{};
  tm.tm_year = 126;
  tm.tm_mon = 10;
  tm.tm_mday = 8;
  tm.tm_hour = 9;
  tm.tm_min = 5;
  tm.tm_sec = 7;
  tm.tm_isdst = -1;
  std::time_t when = mktime(&tm);
  std::string msg = format_syslog(16, 3, when, "gunicorn.app.error", 42, "boom\n");
  EXPECT_EQ(msg, "<131>Nov  8 09:05:07 gunicorn.app.error: [42] boom");
  EXPECT_EQ(syslog_severity(base::LogLevel::Critical), 2);
  EXPECT_EQ(syslog_severity(base::LogLevel::Warning), 4);
  EXPECT_EQ(syslog_severity(base::LogLevel::Info), 6);
  EXPECT_EQ(syslog_severity(base::LogLevel::Debug), 7);
}

TEST(SyslogSink, UdpLoopback) {
  uint16_t port = 0;
  int rx = test_util::bind_udp_loopback(&port);
  ASSERT_GE(rx, 0);
  SyslogSink sink;
  SyslogSink::Options o;
  o.addr = parse_syslog_addr("udp://127.0.0.1:" + std::to_string(port)).value();
  o.facility = syslog_facility_code("local3");
  o.tag_base = "gunicorn.myapp";
  sink.configure(o);
  sink.send_error(base::LogLevel::Error, "worker failed");
  std::string got = receive(rx);
  EXPECT_EQ(got.rfind("<155>", 0), 0u) << got;  // local3 (19) * 8 + error (3)
  EXPECT_NE(got.find(" gunicorn.myapp.error: [" + std::to_string(getpid()) + "] worker failed"),
            std::string::npos) << got;
  sink.send_access("127.0.0.1 - - \"GET / HTTP/1.1\" 200 2");
  got = receive(rx);
  EXPECT_EQ(got.rfind("<158>", 0), 0u) << got;  // info (6)
  EXPECT_NE(got.find("gunicorn.myapp.access: "), std::string::npos) << got;
  close(rx);
}

TEST(SyslogSink, UnixDatagramAndNoAccess) {
  char dir_template[] = "/tmp/bastion-syslog-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string path = std::string(dir_template) + "/log";
  int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.data(), path.size());
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
  SyslogSink sink;
  SyslogSink::Options o;
  o.addr = parse_syslog_addr("unix://" + path).value();
  o.tag_base = "gunicorn.x";
  o.access = false;
  sink.configure(o);
  EXPECT_TRUE(sink.enabled());
  EXPECT_FALSE(sink.access_enabled());
  sink.send_access("not sent");
  sink.send_error(base::LogLevel::Warning, "careful");
  std::string got = receive(rx);
  EXPECT_EQ(got.rfind("<12>", 0), 0u) << got;  // user (1) * 8 + warning (4)
  EXPECT_NE(got.find("gunicorn.x.error: ["), std::string::npos) << got;
  EXPECT_NE(got.find("] careful"), std::string::npos) << got;
  close(rx);
  unlink(path.c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace bastion::os
