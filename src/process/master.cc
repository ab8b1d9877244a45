// SPDX-License-Identifier: MIT
#include "process/master.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "os/signals.h"
#include "process/listeners.h"
#include "process/scoreboard.h"
#include "process/worker.h"

namespace bastion::process {
namespace {

struct Child {
  pid_t pid = 0;
  int slot = -1;
  int age = 0;
  int64_t born_ms = 0;
  bool retiring = false;      // sent TERM (reload, TTOU, shutdown)
  int64_t abort_sent_ms = 0;  // SIGABRT sent for a missed heartbeat
};

bool is_boot_failure(int code) {
  return code == base::kExitWorkerBoot || code == base::kExitAppRaised ||
         code == base::kExitModuleNotFound || code == base::kExitAppAttribute ||
         code == base::kExitAppNotCallable || code == base::kExitDebugRefused;
}

class Master {
 public:
  explicit Master(const config::Config& cfg) : cfg_(cfg), board_(1024) {}

  int run();

 private:
  bool spawn();
  void reap();
  void handle_signal(int sig);
  void manage();
  void check_heartbeats();
  void signal_all(int sig, bool mark_retiring);
  void retire_oldest();
  int wait_ready(const std::vector<pid_t>& pids, int64_t timeout_ms);
  int stop(bool graceful);
  size_t live_count() const;

  const config::Config& cfg_;
  Scoreboard board_;
  Listeners listeners_;
  std::vector<Child> children_;
  base::UniqueFd sigfd_;
  int target_ = 1;
  int age_ = 0;
  bool stopping_ = false;
  bool graceful_ = true;
  int exit_code_ = base::kExitOk;
  int halt_code_ = 0;           // a worker failed to boot: stop with this code
  std::vector<int64_t> crashes_;  // recent unexpected deaths, for respawn backoff
  int64_t next_spawn_ms_ = 0;
};

size_t Master::live_count() const {
  return static_cast<size_t>(std::count_if(children_.begin(), children_.end(),
                                           [](const Child& c) { return !c.retiring; }));
}

bool Master::spawn() {
  int slot = board_.acquire(0);
  if (slot < 0) {
    BLOG_ERROR("BST-E0701 no free worker slot (more than %d workers?)", board_.capacity());
    return false;
  }
  ++age_;
  pid_t pid = fork();
  if (pid < 0) {
    BLOG_ERROR("BST-E0702 fork failed: %s", strerror(errno));
    board_.release(slot);
    return false;
  }
  if (pid == 0) {
    sigfd_.reset();
    board_.slot(slot).pid.store(getpid());
    WorkerContext ctx;
    ctx.config = &cfg_;
    ctx.listeners = listeners_.fds();
    ctx.slot = &board_.slot(slot);
    ctx.age = age_;
    ctx.multiprocess = cfg_.workers > 1;
    run_worker(ctx);
  }
  board_.slot(slot).pid.store(pid);
  children_.push_back(Child{pid, slot, age_, base::now_ms(), false, 0});
  return true;
}

void Master::reap() {
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = std::find_if(children_.begin(), children_.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == children_.end()) continue;  // not ours (we may be PID 1 in a container)
    bool booting = board_.slot(it->slot).state.load() == kSlotBooting;
    if (WIFEXITED(status)) {
      int code = WEXITSTATUS(status);
      if (booting && is_boot_failure(code)) {
        BLOG_ERROR("Worker (pid:%d) failed to boot: %s (exit status %d)", pid,
                   base::exit_code_text(code), code);
        if (halt_code_ == 0) halt_code_ = code;
      } else if (code != 0) {
        BLOG_ERROR("Worker (pid:%d) exited with code %d", pid, code);
      } else if (!it->retiring && !stopping_) {
        BLOG_INFO("Worker (pid:%d) exited (recycled)", pid);
      }
      if (!it->retiring && !stopping_ && code != 0 && !is_boot_failure(code)) {
        crashes_.push_back(base::now_ms());
      }
    } else if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      if (sig == SIGKILL) {
        BLOG_ERROR("Worker (pid:%d) was sent SIGKILL! Perhaps out of memory?", pid);
      } else if (sig == SIGTERM && it->retiring) {
        BLOG_INFO("Worker (pid:%d) was sent SIGTERM!", pid);
      } else {
        BLOG_ERROR("Worker (pid:%d) was killed by signal %d (%s)", pid, sig, strsignal(sig));
      }
      if (!stopping_ && it->abort_sent_ms == 0 && !it->retiring) crashes_.push_back(base::now_ms());
    }
    board_.release(it->slot);
    children_.erase(it);
  }
}

void Master::signal_all(int sig, bool mark_retiring) {
  for (Child& c : children_) {
    if (mark_retiring) c.retiring = true;
    kill(c.pid, sig);
  }
}

void Master::retire_oldest() {
  Child* oldest = nullptr;
  for (Child& c : children_) {
    if (!c.retiring && (oldest == nullptr || c.age < oldest->age)) oldest = &c;
  }
  if (oldest != nullptr) {
    oldest->retiring = true;
    kill(oldest->pid, SIGTERM);
  }
}

// Waits for every pid in `pids` to report ready (or to die). Returns 0 when all are ready,
// or the boot failure code of one that died.
int Master::wait_ready(const std::vector<pid_t>& pids, int64_t timeout_ms) {
  int64_t deadline = base::now_ms() + timeout_ms;
  while (base::now_ms() < deadline) {
    reap();
    if (halt_code_ != 0) return halt_code_;
    bool all_ready = true;
    bool any_alive = false;
    for (pid_t pid : pids) {
      auto it = std::find_if(children_.begin(), children_.end(), [&](const Child& c) { return c.pid == pid; });
      if (it == children_.end()) continue;
      any_alive = true;
      if (board_.slot(it->slot).state.load() != kSlotReady) all_ready = false;
    }
    if (all_ready) return any_alive ? 0 : base::kExitWorkerBoot;
    pollfd pfd{sigfd_.get(), POLLIN, 0};
    if (poll(&pfd, 1, 50) > 0) {
      while (int sig = os::read_signal(sigfd_.get())) {
        if (sig == SIGCHLD) continue;
        handle_signal(sig);
        if (stopping_) return 0;
      }
    }
  }
  return 0;  // slow to boot: carry on; heartbeats take over
}

void Master::check_heartbeats() {
  if (cfg_.timeout <= 0) return;
  int64_t now = base::now_ms();
  int64_t limit = static_cast<int64_t>(cfg_.timeout) * 1000;
  for (Child& c : children_) {
    WorkerSlot& s = board_.slot(c.slot);
    if (c.abort_sent_ms != 0) {
      if (now - c.abort_sent_ms > 2000) kill(c.pid, SIGKILL);
      continue;
    }
    int64_t beat = s.heartbeat_ms.load(std::memory_order_relaxed);
    if (s.state.load() == kSlotReady && beat > 0 && now - beat > limit) {
      BLOG_CRIT("WORKER TIMEOUT (pid:%d): silent for %lld s (--timeout %d); sending SIGABRT, "
                "its Python stacks follow in the error log", c.pid,
                static_cast<long long>((now - beat) / 1000), cfg_.timeout);
      c.abort_sent_ms = now;
      kill(c.pid, SIGABRT);
    }
  }
}

void Master::manage() {
  if (stopping_) return;
  int64_t now = base::now_ms();
  // Crash-loop protection: more than 5 unexpected deaths in 10 s slows respawning down.
  crashes_.erase(std::remove_if(crashes_.begin(), crashes_.end(), [&](int64_t t) { return now - t > 10000; }),
                 crashes_.end());
  int live = static_cast<int>(live_count());
  if (live < target_ && now >= next_spawn_ms_) {
    if (crashes_.size() > 5) {
      BLOG_ERROR("BST-E0703 workers keep crashing (%zu in 10 s); respawning in 1 s",
                 crashes_.size());
      next_spawn_ms_ = now + 1000;
      crashes_.clear();
      return;
    }
    while (live < target_ && spawn()) ++live;
  }
  while (live > target_) {
    retire_oldest();
    --live;
  }
}

void Master::handle_signal(int sig) {
  switch (sig) {
    case SIGCHLD: reap(); break;
    case SIGTERM:
      BLOG_INFO("Handling signal: term");
      stopping_ = true;
      graceful_ = true;
      break;
    case SIGINT:
    case SIGQUIT:
      BLOG_INFO("Handling signal: %s", sig == SIGINT ? "int" : "quit");
      stopping_ = true;
      graceful_ = false;
      break;
    case SIGHUP: {
      BLOG_INFO("Handling signal: hup; reloading workers");
      // New workers first; the old ones retire only once the new ones are ready, so a broken
      // deploy leaves the running workers serving.
      std::vector<pid_t> old;
      for (const Child& c : children_) {
        if (!c.retiring) old.push_back(c.pid);
      }
      std::vector<pid_t> fresh;
      for (int i = 0; i < target_; ++i) {
        if (spawn()) fresh.push_back(children_.back().pid);
      }
      int rc = wait_ready(fresh, static_cast<int64_t>(std::max(cfg_.timeout, 30)) * 1000);
      if (rc != 0) {
        BLOG_ERROR("BST-E0704 reload failed: new workers could not boot (%s); keeping the old "
                   "workers", base::exit_code_text(rc));
        halt_code_ = 0;
        for (pid_t pid : fresh) kill(pid, SIGKILL);
        break;
      }
      for (Child& c : children_) {
        if (std::find(old.begin(), old.end(), c.pid) != old.end()) {
          c.retiring = true;
          kill(c.pid, SIGTERM);
        }
      }
      break;
    }
    case SIGTTIN:
      ++target_;
      BLOG_INFO("Handling signal: ttin; workers: %d", target_);
      break;
    case SIGTTOU:
      if (target_ > 1) --target_;
      BLOG_INFO("Handling signal: ttou; workers: %d", target_);
      break;
    case SIGUSR1:
      BLOG_INFO("Handling signal: usr1; reopening log files");
      base::log::reopen();
      signal_all(SIGUSR1, false);
      break;
    default: break;
  }
}

int Master::stop(bool graceful) {
  listeners_.close_all();
  signal_all(graceful ? SIGTERM : SIGQUIT, true);
  int64_t limit = graceful ? static_cast<int64_t>(cfg_.graceful_timeout) * 1000 : 2000;
  int64_t deadline = base::now_ms() + limit;
  while (!children_.empty() && base::now_ms() < deadline) {
    pollfd pfd{sigfd_.get(), POLLIN, 0};
    poll(&pfd, 1, 100);
    while (int sig = os::read_signal(sigfd_.get())) {
      if ((sig == SIGINT || sig == SIGQUIT) && graceful) {
        graceful = false;  // impatient operator: switch to a fast stop
        signal_all(SIGQUIT, true);
        deadline = std::min(deadline, base::now_ms() + 2000);
      }
    }
    reap();
  }
  if (!children_.empty()) {
    BLOG_WARN("killing %zu worker(s) still running after the %s timeout", children_.size(),
              graceful ? "graceful" : "shutdown");
    signal_all(SIGKILL, true);
    while (!children_.empty()) {
      usleep(10000);
      reap();
    }
  }
  BLOG_INFO("Shutting down: Master");
  return exit_code_;
}

int Master::run() {
  target_ = std::max(1, cfg_.workers);
  sigfd_ = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2,
                          SIGCHLD, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);

  auto bound = listeners_.open(cfg_);
  if (!bound.ok()) {
    BLOG_CRIT("BST-E0801 %s", bound.error().message.c_str());
    return bound.error().code;
  }
  if (cfg_.allow_debug && !listeners_.all_loopback()) {
    BLOG_CRIT("BST-E0602 --allow-debug is refused on a non-loopback bind: the Werkzeug debugger "
              "would be reachable from the network. Bind to 127.0.0.1, ::1 or a unix socket.");
    return base::kExitDebugRefused;
  }
  BLOG_INFO("Starting bastion %s", BASTION_VERSION);
  for (const std::string& where : listeners_.describe()) {
    BLOG_INFO("Listening at: %s (%d)", where.c_str(), static_cast<int>(getpid()));
  }
  BLOG_INFO("Using worker: event loop, %d Python thread(s) per worker", std::max(1, cfg_.threads));
  std::string title = "bastion: master [" + (cfg_.proc_name.empty() ? cfg_.app_uri : cfg_.proc_name) + "]";
  os::set_process_title(title.c_str());

  // Boot one worker first: an application that cannot start fails fast, once, with one
  // traceback, instead of N times or in a respawn loop.
  if (!spawn()) return base::kExitFailure;
  int rc = wait_ready({children_.back().pid}, static_cast<int64_t>(std::max(cfg_.timeout, 60)) * 1000);
  if (rc != 0 || halt_code_ != 0) {
    if (!stopping_) {
      int code = halt_code_ != 0 ? halt_code_ : rc;
      BLOG_CRIT("BST-E0705 worker failed to boot: %s; stopping (exit status %d)",
                base::exit_code_text(code), code);
      exit_code_ = code;
      return stop(false);
    }
  }
  while (true) {
    if (stopping_) return stop(graceful_);
    if (halt_code_ != 0) {
      BLOG_CRIT("BST-E0705 worker failed to boot: %s; stopping (exit status %d)",
                base::exit_code_text(halt_code_), halt_code_);
      exit_code_ = halt_code_;
      return stop(false);
    }
    manage();
    pollfd pfd{sigfd_.get(), POLLIN, 0};
    poll(&pfd, 1, 500);
    while (int sig = os::read_signal(sigfd_.get())) handle_signal(sig);
    reap();
    check_heartbeats();
  }
}

}  // namespace

int run_master(const config::Config& config) {
  Master master(config);
  return master.run();
}

}  // namespace bastion::process
