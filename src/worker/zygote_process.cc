// SPDX-License-Identifier: MIT
// The --preload zygote process (see process/zygote.h for the design and the master's handle):
// it imports the application once, then forks workers on the master's request over the
// protocol in process/zygote_protocol.h. Single-threaded C++ around the interpreter.
#include "worker/zygote_process.h"

#include <Python.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/exit_codes.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "os/signals.h"
#include "process/zygote_protocol.h"
#include "python/ref.h"
#include "worker/capture_output.h"
#include "worker/worker.h"
#include "worker/worker_boot.h"

namespace bastion::worker {
namespace {

using namespace process::zygote_protocol;
using process::Zygote;

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

void run_zygote(const process::Zygote::Setup& setup, int sock, pid_t master) {
  ZygoteProcess(setup, sock, master).run();
}

}  // namespace bastion::worker
