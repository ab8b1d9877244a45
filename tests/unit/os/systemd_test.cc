// SPDX-License-Identifier: MIT
// Unit tests for the sd_notify client and LISTEN_FDS parsing (os/systemd.h).
#include "os/systemd.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace bastion::os {
namespace {

std::string recv_text(int fd) {
  char buf[512];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

TEST(Notifier, DisabledWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  Notifier n = Notifier::from_environment();
  EXPECT_FALSE(n.enabled());
  EXPECT_FALSE(n.send("READY=1"));
}

TEST(Notifier, SendsToAbstractSocketAndUnsetsTheVariables) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  std::string name = "bastion-unit-notify-" + std::to_string(getpid());
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path + 1, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&un), len), 0);
  setenv("NOTIFY_SOCKET", ("@" + name).c_str(), 1);
  setenv("WATCHDOG_USEC", "5000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  Notifier n = Notifier::from_environment();
  EXPECT_EQ(getenv("NOTIFY_SOCKET"), nullptr);
  EXPECT_EQ(getenv("WATCHDOG_USEC"), nullptr);
  ASSERT_TRUE(n.enabled());
  EXPECT_EQ(n.watchdog_usec(), 5000000);
  ASSERT_TRUE(n.send("READY=1\nSTATUS=ok"));
  EXPECT_EQ(recv_text(fd), "READY=1\nSTATUS=ok");
  close(fd);
}

TEST(Notifier, WatchdogForAnotherPidIsIgnored) {
  setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  setenv("WATCHDOG_USEC", "5000000", 1);
  setenv("WATCHDOG_PID", "1", 1);
  Notifier n = Notifier::from_environment();
  EXPECT_EQ(n.watchdog_usec(), 0);
}

TEST(ListenFds, NotForUs) {
  setenv("LISTEN_PID", "1", 1);
  setenv("LISTEN_FDS", "2", 1);
  auto r = take_listen_fds();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
  EXPECT_EQ(getenv("LISTEN_PID"), nullptr);
  EXPECT_EQ(getenv("LISTEN_FDS"), nullptr);
}

TEST(ListenFds, AdoptsNamedDescriptors) {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  int saved = dup(kListenFdsStart);  // keep whatever fd 3 is in this process
  ASSERT_EQ(dup2(sock, kListenFdsStart), kListenFdsStart);
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "1", 1);
  setenv("LISTEN_FDNAMES", "web", 1);
  auto r = take_listen_fds();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].fd, kListenFdsStart);
  EXPECT_EQ(r.value()[0].name, "web");
  EXPECT_EQ(getenv("LISTEN_FDNAMES"), nullptr);
  if (saved >= 0) {
    dup2(saved, kListenFdsStart);
    close(saved);
  } else {
    close(kListenFdsStart);
  }
  close(sock);
}

TEST(ListenFds, MalformedCountIsAnError) {
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "many", 1);
  EXPECT_FALSE(take_listen_fds().ok());
}

}  // namespace
}  // namespace bastion::os
