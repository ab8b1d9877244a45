// SPDX-License-Identifier: MIT
#include "os/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bastion::os {

using base::Error;
using base::Result;
using base::UniqueFd;

std::string host_of(const SockAddr& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr.storage);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return buf;
  }
  if (addr.family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr.storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return buf;
  }
  return "";
}

int port_of(const SockAddr& addr) {
  if (addr.family() == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr.storage)->sin_port);
  if (addr.family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr.storage)->sin6_port);
  return 0;
}

std::string to_string(const SockAddr& addr) {
  if (addr.family() == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&addr.storage);
    return std::string("unix:") + un->sun_path;
  }
  std::string host = host_of(addr);
  if (addr.family() == AF_INET6) host = "[" + host + "]";
  return host + ":" + std::to_string(port_of(addr));
}

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool set_cloexec(int fd, bool on) {
  int flags = fcntl(fd, F_GETFD, 0);
  if (flags < 0) return false;
  flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  return fcntl(fd, F_SETFD, flags) == 0;
}

Result<UniqueFd> listen_tcp(const std::string& host, int port, int backlog, bool reuse_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  const char* node = host.empty() ? nullptr : host.c_str();
  int rc = getaddrinfo(node, service.c_str(), &hints, &res);
  if (rc != 0) {
    return Error{"cannot resolve '" + host + "': " + gai_strerror(rc), EINVAL};
  }
  int last_errno = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (ai->ai_family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd.get(), backlog) != 0) {
      last_errno = errno;
      continue;
    }
    freeaddrinfo(res);
    return fd;
  }
  freeaddrinfo(res);
  std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + service;
  return Error{"cannot listen on " + where + ": " + strerror(last_errno), last_errno};
}

Result<UniqueFd> listen_unix(const std::string& path, int backlog) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof un.sun_path) {
    return Error{"unix socket path '" + path + "' is empty or too long", ENAMETOOLONG};
  }
  std::memcpy(un.sun_path, path.data(), path.size());
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Error{"cannot listen on unix:" + path + ": a file that is not a socket exists there",
                   EEXIST};
    }
    unlink(path.c_str());  // a stale socket from an earlier run
  }
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error{std::string("socket(AF_UNIX): ") + strerror(errno), errno};
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&un), sizeof un) != 0 ||
      listen(fd.get(), backlog) != 0) {
    int err = errno;
    return Error{"cannot listen on unix:" + path + ": " + strerror(err), err};
  }
  return fd;
}

Result<SockAddr> local_address(int fd) {
  SockAddr addr;
  addr.len = sizeof addr.storage;
  if (getsockname(fd, addr.get(), &addr.len) != 0) {
    return Error{std::string("getsockname: ") + strerror(errno), errno};
  }
  return addr;
}

bool is_loopback(const SockAddr& addr) {
  if (addr.family() == AF_UNIX) return true;
  if (addr.family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr.storage);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (addr.family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr.storage);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace bastion::os
