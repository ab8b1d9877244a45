// SPDX-License-Identifier: MIT
#include "os/systemd.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "os/socket.h"

namespace bastion::os {
namespace {

bool parse_long(const char* text, long* out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

std::vector<std::string> split_names(const char* names) {
  std::vector<std::string> out;
  if (names == nullptr) return out;
  std::string_view rest = names;
  while (true) {
    size_t colon = rest.find(':');
    out.emplace_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return out;
}

}  // namespace

base::Result<std::vector<ActivatedSocket>> take_listen_fds() {
  const char* pid_text = getenv("LISTEN_PID");
  const char* fds_text = getenv("LISTEN_FDS");
  std::vector<std::string> names = split_names(getenv("LISTEN_FDNAMES"));
  std::vector<ActivatedSocket> out;
  long pid = 0;
  long count = 0;
  bool for_us = parse_long(pid_text, &pid) && pid == static_cast<long>(getpid());
  bool counted = parse_long(fds_text, &count);
  // Unset first, whatever happens next: the variables describe this process only.
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (pid_text == nullptr || !for_us) return out;
  if (!counted || count < 0 || count > 1024) {
    return base::Error{std::string("LISTEN_FDS is not a valid count: '") +
                           (fds_text ? fds_text : "") + "'",
                       EINVAL};
  }
  for (long i = 0; i < count; ++i) {
    int fd = kListenFdsStart + static_cast<int>(i);
    if (fcntl(fd, F_GETFD) < 0) {
      return base::Error{"LISTEN_FDS names fd " + std::to_string(fd) + ", which is not open", EBADF};
    }
    set_cloexec(fd, true);
    ActivatedSocket s;
    s.fd = fd;
    if (static_cast<size_t>(i) < names.size()) s.name = names[static_cast<size_t>(i)];
    out.push_back(std::move(s));
  }
  return out;
}

Notifier Notifier::from_environment() {
  Notifier n;
  const char* path = getenv("NOTIFY_SOCKET");
  long wd_usec = 0;
  long wd_pid = 0;
  bool wd = parse_long(getenv("WATCHDOG_USEC"), &wd_usec) && wd_usec > 0;
  bool wd_pid_set = parse_long(getenv("WATCHDOG_PID"), &wd_pid);
  if (wd && (!wd_pid_set || wd_pid == static_cast<long>(getpid()))) n.watchdog_usec_ = wd_usec;
  std::string address = path != nullptr ? path : "";
  // Workers and anything the application starts must not talk to systemd as if they were
  // the service's main process.
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  sockaddr_un un{};
  if (address.empty() || address.size() >= sizeof un.sun_path) return n;
  if (address[0] != '/' && address[0] != '@') return n;  // vsock and friends: not supported
  if (address[0] == '@') address[0] = '\0';               // abstract namespace
  n.fd_.reset(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  n.address_ = std::move(address);
  return n;
}

bool Notifier::send(std::string_view state) const {
  if (!fd_.valid()) return false;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, address_.data(), address_.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  ssize_t n = sendto(fd_.get(), state.data(), state.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&un), len);
  return n == static_cast<ssize_t>(state.size());
}

}  // namespace bastion::os
