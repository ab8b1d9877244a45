// SPDX-License-Identifier: MIT
// The --preload zygote (see zygote.h): the master's handle, and the zygote process's life.
// Protocol on a SOCK_SEQPACKET pair, one fixed-size Message per packet:
//   zygote -> master  kReady                once the application is imported and inspected
//   master -> zygote  kFork {slot, age, multiprocess}
//   zygote -> master  kForked {slot, pid}   or {slot, pid = -errno} when the fork failed
#include "process/zygote.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "os/signals.h"
#include "process/capture_output.h"
#include "process/worker.h"
#include "process/worker_boot.h"
#include "python/interpreter.h"

namespace bastion::process {
namespace {

constexpr int kForkReplyMs = 10000;  // a fork request unanswered this long: zygote stuck

enum MessageType : int32_t { kReady = 1, kFork = 2, kForked = 3 };

struct Message {
  int32_t type = 0;
  int32_t slot = -1;
  int32_t age = 0;
  int32_t multiprocess = 0;
  int32_t pid = 0;  // kForked: the worker's pid, or -errno
};

bool send_message(int fd, const Message& m) {
  return send(fd, &m, sizeof m, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof m);
}

/// Reads one message; 1 = got one, 0 = none pending (EAGAIN), -1 = channel closed or broken.
int recv_message(int fd, Message* m, bool wait) {
  ssize_t n = recv(fd, m, sizeof *m, wait ? 0 : MSG_DONTWAIT);
  if (n == static_cast<ssize_t>(sizeof *m)) return 1;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  return -1;
}

/// The zygote process: owns the interpreter with the imported application.
class ZygoteProcess {
 public:
  ZygoteProcess(const Zygote::Setup& setup, int sock, pid_t master)
      : setup_(setup), sock_(sock), master_(master) {}
  [[noreturn]] void run();

 private:
  void fork_worker(const Message& request);
  [[noreturn]] void become_worker(const Message& request, int pipe_r, int pipe_w);

  const Zygote::Setup& setup_;
  int sock_;
  pid_t master_;
  base::UniqueFd sigfd_;
  py::PyRef app_;
  PyThreadState* tstate_ = nullptr;  // the main thread's, while the GIL is released
};

void ZygoteProcess::run() {
  const config::Config& cfg = *setup_.config;
  os::reset_signals();
  os::die_with_parent(SIGTERM);
  if (getppid() != master_) _exit(base::kExitOk);
  for (int fd : setup_.close_in_child) close(fd);
  if (setup_.in_child) setup_.in_child();
  sigfd_ = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGHUP, SIGTTIN, SIGTTOU, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);
  std::string title = "bastion: zygote [" + (cfg.proc_name.empty() ? cfg.app_uri : cfg.proc_name) + "]";
  os::set_process_title(title.c_str());
  BLOG_INFO("Preloading the application (zygote pid: %d)", static_cast<int>(getpid()));
  // --env applies before the import, as it does in a worker that boots itself.
  for (const std::string& kv : cfg.raw_env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  capture_worker_output(cfg);  // --capture-output: as a worker does before its import
  app_ = boot_application(cfg);  // exits with the status on an import error or a refusal
  Message ready;
  ready.type = kReady;
  if (!send_message(sock_, ready)) _exit(base::kExitOk);  // the master is gone
  BLOG_INFO("Application preloaded; workers are forked from the zygote (pid: %d)",
            static_cast<int>(getpid()));
  // Threads the application started at import may run while we wait.
  tstate_ = PyEval_SaveThread();
  while (true) {
    pollfd fds[2] = {{sock_, POLLIN, 0}, {sigfd_.get(), POLLIN, 0}};
    if (poll(fds, 2, 1000) < 0 && errno != EINTR) _exit(base::kExitFailure);
    if (getppid() != master_) _exit(base::kExitOk);
    while (int sig = os::read_signal(sigfd_.get())) {
      if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) _exit(base::kExitOk);
      if (sig == SIGUSR1) {
        base::log::reopen();
        if (traceback_dump_fd() >= 0) dup3(base::log::fd(), traceback_dump_fd(), O_CLOEXEC);
      }
    }
    Message request;
    int got = 0;
    while ((got = recv_message(sock_, &request, false)) == 1) {
      if (request.type == kFork) fork_worker(request);
    }
    if (got < 0) _exit(base::kExitOk);  // the master closed the channel: retired
  }
}

// Forks an intermediate process that forks the worker and exits at once, so that the worker
// is orphaned and adopted by the master (the subreaper). The intermediate reports the
// worker's pid through a pipe; the zygote passes it on to the master.
void ZygoteProcess::fork_worker(const Message& request) {
  Message reply;
  reply.type = kForked;
  reply.slot = request.slot;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    reply.pid = -errno;
    send_message(sock_, reply);
    return;
  }
  PyEval_RestoreThread(tstate_);
  PyOS_BeforeFork();
  pid_t mid = fork();
  if (mid == 0) {
    pid_t worker = fork();
    if (worker == 0) become_worker(request, pipefd[0], pipefd[1]);
    int32_t report = worker > 0 ? static_cast<int32_t>(worker) : -errno;
    ssize_t ignored = write(pipefd[1], &report, sizeof report);
    static_cast<void>(ignored);
    _exit(0);
  }
  int fork_errno = errno;
  PyOS_AfterFork_Parent();
  tstate_ = PyEval_SaveThread();
  close(pipefd[1]);
  int32_t report = -fork_errno;
  if (mid > 0) {
    if (read(pipefd[0], &report, sizeof report) != static_cast<ssize_t>(sizeof report)) report = -EPIPE;
    while (waitpid(mid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  close(pipefd[0]);
  reply.pid = report;
  send_message(sock_, reply);
}

void ZygoteProcess::become_worker(const Message& request, int pipe_r, int pipe_w) {
  close(pipe_r);
  close(pipe_w);
  close(sock_);
  sigfd_.reset();
  PyOS_AfterFork_Child();  // the GIL is ours again; Python's locks and threads reset
  WorkerSlot& slot = setup_.board->slot(request.slot);
  slot.pid.store(getpid());
  WorkerContext ctx;
  ctx.config = setup_.config;
  ctx.listeners = setup_.listeners;
  ctx.slot = &slot;
  ctx.age = request.age;
  ctx.multiprocess = request.multiprocess != 0;
  ctx.credentials = setup_.credentials;
  ctx.master = master_;
  run_preloaded_worker(ctx, py::PyRef::borrow(app_.get()));
}

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
    ZygoteProcess(setup, pair[1], master).run();
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
