// SPDX-License-Identifier: MIT
#include "os/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "base/exit_codes.h"
#include "base/unique_fd.h"

namespace bastion::os {
namespace {

/// The daemon's end of the status stream (-1 when not daemonized).
int g_status_fd = -1;

/// An abstract-namespace datagram socket, unique to this process, for the master's READY=1.
base::UniqueFd bind_notify_socket(std::string* name) {
  base::UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  *name = "bastion-daemon-" + std::to_string(getpid());
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path + 1, name->data(), name->size());  // sun_path[0] = 0: abstract
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name->size());
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&un), len) != 0) fd.reset();
  return fd;
}

bool is_ready_message(std::string_view msg) {
  size_t pos = 0;
  while (pos <= msg.size()) {
    size_t nl = msg.find('\n', pos);
    std::string_view line = msg.substr(pos, nl == std::string_view::npos ? msg.npos : nl - pos);
    if (line == "READY=1") return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

/// The original process: waits for the daemon's verdict and exits with it.
[[noreturn]] void wait_for_daemon(int notify_fd, int status_fd) {
  pollfd fds[2] = {{notify_fd, POLLIN, 0}, {status_fd, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(base::kExitFailure);
    }
    if ((fds[0].revents & POLLIN) != 0) {
      char msg[512];
      ssize_t n = recv(notify_fd, msg, sizeof msg, 0);
      if (n > 0 && is_ready_message(std::string_view(msg, static_cast<size_t>(n)))) {
        _exit(base::kExitOk);
      }
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      unsigned char code = 0;
      ssize_t n = recv(status_fd, &code, 1, 0);
      if (n < 0 && errno == EINTR) continue;
      int status = n == 1 ? static_cast<int>(code) : static_cast<int>(base::kExitFailure);
      if (status != base::kExitOk) {
        std::fprintf(stderr,
                     "bastion: error: the daemon stopped during startup with status %d (%s); "
                     "see the error log (--error-logfile) for details\n",
                     status, base::exit_code_text(status));
      }
      _exit(status);
    }
  }
}

}  // namespace

base::Status daemonize(bool keep_stdio) {
  std::string name;
  base::UniqueFd notify = bind_notify_socket(&name);
  if (!notify) {
    return base::make_error(
        std::string("--daemon: cannot create the readiness socket: ") + strerror(errno),
        base::kExitFailure);
  }
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return base::make_error(std::string("--daemon: socketpair: ") + strerror(errno),
                            base::kExitFailure);
  }
  base::UniqueFd wait_end(pair[0]);
  base::UniqueFd daemon_end(pair[1]);
  std::fflush(nullptr);
  pid_t first = fork();
  if (first < 0) {
    return base::make_error(std::string("--daemon: fork: ") + strerror(errno),
                            base::kExitFailure);
  }
  if (first > 0) {
    daemon_end.reset();
    int ignored = 0;
    while (waitpid(first, &ignored, 0) < 0 && errno == EINTR) {
    }
    wait_for_daemon(notify.get(), wait_end.get());
  }
  // The intermediate child: a new session without a controlling terminal, then a second
  // fork so that the daemon is not a session leader and can never acquire a terminal.
  notify.reset();
  wait_end.reset();
  if (setsid() < 0) _exit(base::kExitFailure);
  pid_t second = fork();
  if (second < 0) _exit(base::kExitFailure);
  if (second > 0) _exit(base::kExitOk);
  g_status_fd = daemon_end.release();
  setenv("NOTIFY_SOCKET", ("@" + name).c_str(), 1);
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    if (!keep_stdio) {
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    if (null_fd > STDERR_FILENO) close(null_fd);
  }
  return base::Ok{};
}

void report_daemon_exit(int status) noexcept {
  if (g_status_fd < 0) return;
  auto code = static_cast<unsigned char>(status & 0xff);
  ssize_t ignored = send(g_status_fd, &code, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  static_cast<void>(ignored);
  close(g_status_fd);
  g_status_fd = -1;
}

}  // namespace bastion::os
