// SPDX-License-Identifier: MIT
// The --preload zygote (see zygote.h), the master's side: starting the process and the handle.
// The zygote process itself runs in the runtime module (worker/zygote_process.cc).
#include "process/zygote.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/clock.h"
#include "base/log.h"
#include "process/runtime.h"
#include "process/zygote_protocol.h"

namespace bastion::process {
namespace {

using namespace zygote_protocol;

constexpr int kForkReplyMs = 10000;  // a fork request unanswered this long: zygote stuck

}  // namespace

base::Result<std::unique_ptr<Zygote>> Zygote::start(const Setup& setup) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return base::make_error(std::string("socketpair: ") + strerror(errno));
  }
  pid_t master = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(pair[0]);
    close(pair[1]);
    return base::make_error(std::string("fork: ") + strerror(err));
  }
  if (pid == 0) {
    close(pair[0]);
    run_zygote(setup, pair[1], master);
  }
  close(pair[1]);
  std::unique_ptr<Zygote> z(new Zygote());
  z->pid_ = pid;
  z->fd_.reset(pair[0]);
  z->generation_ = setup.generation;
  z->born_ms_ = base::now_ms();
  return z;
}

Zygote::~Zygote() = default;

bool Zygote::poll_ready() {
  Message m;
  while (!ready_ && recv_message(fd_.get(), &m, false) == 1) {
    if (m.type == kReady) ready_ = true;
  }
  return ready_;
}

base::Result<pid_t> Zygote::fork_worker(int slot, int age, bool multiprocess) {
  Message request;
  request.type = kFork;
  request.slot = slot;
  request.age = age;
  request.multiprocess = multiprocess ? 1 : 0;
  if (!send_message(fd_.get(), request)) {
    return base::make_error(std::string("the zygote is gone (") + strerror(errno) + ")", kBroken);
  }
  int64_t deadline = base::now_ms() + kForkReplyMs;
  while (true) {
    int64_t left = deadline - base::now_ms();
    if (left <= 0) return base::make_error("the zygote did not answer a fork request in time", kBroken);
    pollfd pfd{fd_.get(), POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR) return base::make_error(std::string("poll: ") + strerror(errno));
    if (n <= 0) continue;
    Message reply;
    int got = recv_message(fd_.get(), &reply, false);
    if (got < 0) return base::make_error("the zygote is gone", kBroken);
    if (got == 0) continue;
    if (reply.type == kReady) {
      ready_ = true;
      continue;
    }
    if (reply.type != kForked || reply.slot != slot) continue;  // a late answer: ignore it
    if (reply.pid <= 0) {
      return base::make_error(std::string("the zygote could not fork: ") + strerror(-reply.pid));
    }
    return static_cast<pid_t>(reply.pid);
  }
}

void Zygote::enforce_boot_limit(int64_t now, int64_t limit_ms, int64_t grace_ms) {
  if (ready_ || killed_) return;
  if (abort_ms_ == 0 && now - born_ms_ > limit_ms) {
    BLOG_CRIT("The zygote (pid:%d) did not finish importing the application in %lld s. "
              "Sending SIGABRT; its Python stack follows.", pid_,
              static_cast<long long>((now - born_ms_) / 1000));
    abort_ms_ = now;
    send_signal(SIGABRT);
  } else if (abort_ms_ != 0 && now - abort_ms_ > grace_ms) {
    send_signal(SIGKILL);
    killed_ = true;
  }
}

void Zygote::send_signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

}  // namespace bastion::process
