// SPDX-License-Identifier: MIT
// The master's workers: spawning (directly or from the --preload zygote), reaping and telling
// why a worker died, crash backoff, heartbeat and boot timeouts, and keeping the worker count.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "os/signals.h"
#include "process/master_impl.h"
#include "process/worker.h"

namespace bastion::process::detail {

int Master::ready_count(int generation) const {
  return static_cast<int>(std::count_if(children_.begin(), children_.end(), [&](const Child& c) {
    return c.generation == generation && c.ready && !c.retiring && !c.recycling;
  }));
}

int Master::live_count(int generation) const {
  return static_cast<int>(std::count_if(children_.begin(), children_.end(), [&](const Child& c) {
    return c.generation == generation && !c.retiring && !c.recycling;
  }));
}

bool Master::spawn() {
  int slot = board_.acquire(0);
  if (slot < 0) {
    BLOG_ERROR("BST-E0701 no free worker slot (more than %d workers?)", board_.capacity());
    return false;
  }
  ++age_;
  hooks_.pre_fork(age_);
  // --preload: the zygote forks the worker (it logs its own failures); we adopt it.
  pid_t pid = cfg_.preload_app ? fork_from_zygote(slot) : fork();
  if (pid < 0) {
    if (!cfg_.preload_app) BLOG_ERROR("BST-E0702 fork failed: %s", strerror(errno));
    board_.release(slot);
    return false;
  }
  if (pid == 0) {
    // The child keeps only what a worker needs: its listeners and its slot.
    sigfd_.reset();
    if (notifier_.fd() >= 0) close(notifier_.fd());
    for (int fd : old_listeners_.fds()) close(fd);
    hooks_.forget_in_child();
    board_.slot(slot).pid.store(getpid());
    WorkerContext ctx;
    ctx.config = &cfg_;
    ctx.listeners = listeners_.fds();
    ctx.slot = &board_.slot(slot);
    ctx.age = age_;
    ctx.multiprocess = target_ > 1;
    ctx.credentials = &creds_;
    run_worker(ctx);
  }
  board_.slot(slot).pid.store(pid);
  hooks_.spawned(pid, age_);
  Child c;
  c.pid = pid;
  c.slot = slot;
  c.age = age_;
  c.generation = generation_;
  c.born_ms = base::now_ms();
  children_.push_back(c);
  return true;
}

// --preload: asks the zygote for a worker (it forks it through an intermediate process that
// exits, so the worker is adopted by us, a subreaper). -1 on failure, logged here; a zygote
// that is gone or stuck is killed and replaced.
pid_t Master::fork_from_zygote(int slot) {
  if (!zygote_ || !zygote_->ready()) return -1;
  auto pid = zygote_->fork_worker(slot, age_, target_ > 1);
  if (pid.ok()) return pid.value();
  BLOG_ERROR("BST-E0723 cannot fork a worker from the zygote (pid:%d): %s", zygote_->pid(),
             pid.error().message.c_str());
  if (pid.error().code == Zygote::kBroken) zygote_->send_signal(SIGKILL);  // reaped, replaced
  return -1;
}

// --preload: starts this generation's zygote when there is none (first boot, reload, after a
// crash with the crash backoff) and tells whether it has imported the application.
bool Master::zygote_ready() {
  int64_t now = base::now_ms();
  if (!zygote_) {
    if (now < next_spawn_ms_) return false;
    if (!os::become_subreaper()) BLOG_WARN("PR_SET_CHILD_SUBREAPER failed: %s", strerror(errno));
    Zygote::Setup setup;
    setup.config = &cfg_;
    setup.listeners = listeners_.fds();
    setup.board = &board_;
    setup.credentials = &creds_;
    setup.generation = generation_;
    setup.close_in_child = old_listeners_.fds();
    setup.close_in_child.push_back(sigfd_.get());
    if (notifier_.fd() >= 0) setup.close_in_child.push_back(notifier_.fd());
    if (old_zygote_) setup.close_in_child.push_back(old_zygote_->fd());
    setup.in_child = [this] { hooks_.forget_in_child(); };
    auto started = Zygote::start(setup);
    if (!started.ok()) {
      BLOG_ERROR("BST-E0724 cannot start the zygote: %s", started.error().message.c_str());
      record_crash();
      return false;
    }
    zygote_ = std::move(started.value());
  }
  if (zygote_->ready() || zygote_->poll_ready()) return true;
  if (cfg_.timeout > 0) zygote_->enforce_boot_limit(now, boot_limit_ms(), kKillGraceMs);
  return false;
}

// True when `pid` was a zygote. One that dies before it has imported the application is a
// boot failure (stop with its status, or abandon the reload); one that dies later (killed)
// is replaced, while its workers serve on.
bool Master::reap_zygote(pid_t pid, int status) {
  if (old_zygote_ && old_zygote_->pid() == pid) {
    old_zygote_.reset();
    return true;
  }
  if (!zygote_ || zygote_->pid() != pid) return false;
  std::unique_ptr<Zygote> dead = std::move(zygote_);
  if (stopping_) return true;
  std::string how = WIFSIGNALED(status)
                        ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                              strsignal(WTERMSIG(status)) + ")"
                        : "exited with status " + std::to_string(WEXITSTATUS(status));
  if (dead->ready() || dead->poll_ready()) {
    BLOG_ERROR("BST-E0725 the zygote (pid:%d) %s; its workers keep serving, a new zygote "
               "re-imports the application for the next ones", pid, how.c_str());
    record_crash();
    return true;
  }
  int code = WIFEXITED(status) && WEXITSTATUS(status) != 0 ? WEXITSTATUS(status)
                                                          : base::kExitWorkerBoot;
  BLOG_ERROR("The zygote (pid:%d) failed to import the application (%s): %s (exit status %d)",
             pid, how.c_str(), base::exit_code_text(code), code);
  if (reload_.active && dead->generation() == generation_) {
    abort_reload(std::string("the new zygote cannot import the application: ") +
                 base::exit_code_text(code));
    return true;
  }
  bool others_serve = std::any_of(children_.begin(), children_.end(),
                                  [](const Child& o) { return o.ready && !o.retiring; });
  if (!booted_ || !others_serve) {
    if (halt_code_ == 0) halt_code_ = is_boot_code(code) ? code : base::kExitWorkerBoot;
    return true;
  }
  BLOG_ERROR("BST-E0706 the zygote cannot import the application while %d worker(s) still "
             "serve; fix the application and send HUP", ready_count(generation_));
  record_crash();
  return true;
}

void Master::reap() {
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (pid == upgrade_pid_) {  // the new master a USR2 started
      upgrade_ended(status);
      continue;
    }
    auto it = std::find_if(children_.begin(), children_.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == children_.end()) {
      if (!reap_zygote(pid, status)) hooks_.reaped(pid, status);
      continue;  // else not ours (we may be PID 1 in a container, or adopted an orphan)
    }
    // Out of the list before anything acts on it: its pid may be reused from now on.
    Child dead = *it;
    children_.erase(it);
    // The slot tells how far it got: still booting, or stopping by itself (max-requests),
    // possibly before a tick noticed.
    int32_t state = board_.slot(dead.slot).state.load();
    board_.release(dead.slot);
    on_exit(dead, status, state == kSlotBooting, state == kSlotStopping);
    hooks_.child_exit(dead.pid, dead.age);
  }
}

void Master::on_exit(const Child& c, int status, bool booting, bool recycled) {
  bool expected = c.retiring || stopping_ || recycled;
  booting = booting && !c.retiring && !stopping_;
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    if (booting) return boot_failed(c, code != 0 ? code : base::kExitWorkerBoot);
    if (code != 0) {
      BLOG_ERROR("Worker (pid:%d) exited with code %d", c.pid, code);
    } else if (recycled && !c.retiring) {
      BLOG_INFO("Worker (pid:%d) exited (recycled)", c.pid);
    } else if (!expected) {
      BLOG_WARN("Worker (pid:%d) exited unexpectedly", c.pid);
    }
    if (!expected) record_crash();
    return;
  }
  if (!WIFSIGNALED(status)) return;
  int sig = WTERMSIG(status);
  const char* core = WCOREDUMP(status) ? " (core dumped)" : "";
  if (booting) {
    BLOG_ERROR("Worker (pid:%d) was killed by signal %d (%s)%s while booting", c.pid, sig,
               strsignal(sig), core);
    return boot_failed(c, base::kExitWorkerBoot);
  }
  if (c.abort_ms != 0) {
    BLOG_ERROR("Worker (pid:%d) %s; it ended with signal %d (%s)%s", c.pid,
               c.abort_reason ? c.abort_reason : "was stopped", sig, strsignal(sig),
               expected ? "" : "; replacing it");
  } else if (sig == SIGKILL) {
    BLOG_ERROR("Worker (pid:%d) was sent SIGKILL! Perhaps out of memory?%s", c.pid,
               expected ? "" : " It is being replaced.");
  } else if ((sig == SIGTERM || sig == SIGQUIT || sig == SIGINT) && expected) {
    BLOG_INFO("Worker (pid:%d) was sent %s!", c.pid, sigabbrev_np(sig));
  } else {
    BLOG_ERROR("Worker (pid:%d) was killed by signal %d (%s)%s%s", c.pid, sig, strsignal(sig),
               core, expected ? "" : "; its neighbours are unaffected and it is being replaced");
  }
  if (!expected) record_crash();
}

// A worker died before it was ready: the application cannot start. At first boot (or when
// no worker is left serving) the master stops with the worker's exit status instead of
// respawning forever; during a reload the old workers stay; otherwise (others still serve)
// it is retried with the crash backoff.
void Master::boot_failed(const Child& c, int code) {
  BLOG_ERROR("Worker (pid:%d) failed to boot: %s (exit status %d)", c.pid,
             base::exit_code_text(code), code);
  if (reload_.active && c.generation == generation_) {
    abort_reload(std::string("a new worker failed to boot: ") + base::exit_code_text(code));
    return;
  }
  bool others_serve = std::any_of(children_.begin(), children_.end(),
                                  [](const Child& o) { return o.ready && !o.retiring; });
  if (!booted_ || !others_serve) {
    if (halt_code_ == 0) halt_code_ = is_boot_code(code) ? code : base::kExitWorkerBoot;
    return;
  }
  BLOG_ERROR("BST-E0706 a replacement worker cannot boot while %d worker(s) still serve; "
             "fix the application and send HUP", ready_count(generation_));
  record_crash();
}

void Master::record_crash() {
  int64_t now = base::now_ms();
  crashes_.push_back(now);
  crashes_.erase(std::remove_if(crashes_.begin(), crashes_.end(),
                                [&](int64_t t) { return now - t > kCrashWindowMs; }),
                 crashes_.end());
  if (crashes_.size() <= kCrashesFree) return;
  size_t excess = std::min<size_t>(crashes_.size() - kCrashesFree - 1, 16);
  int64_t delay = std::min(kBackoffBaseMs << excess, kBackoffMaxMs);
  next_spawn_ms_ = std::max(next_spawn_ms_, now + delay);
  BLOG_ERROR("BST-E0703 workers keep dying (%zu unexpected exits in %lld s); next respawn in "
             "%lld ms", crashes_.size(), static_cast<long long>(kCrashWindowMs / 1000),
             static_cast<long long>(delay));
}

void Master::retire(Child& c, int sig) {
  if (!c.retiring) {
    c.retiring = true;
    c.retire_ms = base::now_ms();
  }
  kill(c.pid, sig);
}

// Learns what each worker reported in its slot: ready, recycling (--max-requests), stopping.
void Master::observe(Child& c, int64_t now) {
  WorkerSlot& s = board_.slot(c.slot);
  int32_t state = s.state.load();
  if (!c.ready && state >= kSlotReady) {
    c.ready = true;
    booted_ = true;
    BLOG_DEBUG("Worker (pid:%d) is ready", c.pid);
  }
  if (state == kSlotRecycle && !c.recycling && !c.retiring) {
    // --max-requests: start the replacement now; this one retires once it is ready.
    c.recycling = true;
    BLOG_INFO("Worker (pid:%d) reached max_requests after %llu requests; starting its "
              "replacement", c.pid, static_cast<unsigned long long>(s.requests.load()));
  }
  if (state == kSlotStopping && !c.retiring) {
    // Stopping by itself (its parent looked gone): replace it now, while it finishes its
    // connections, rather than after it exits.
    c.retiring = true;
    c.retire_ms = now;
    BLOG_INFO("Worker (pid:%d) is stopping by itself; starting its replacement", c.pid);
  }
  if (uint32_t asked = s.reload_requests.load(); asked != c.reload_seen) {
    // --reload: a watched source file changed; reload as for HUP. The workers of a
    // generation already being replaced saw the same change: one reload is enough, unless
    // the file changed after that reload began (the new workers may have imported it
    // before; begin_reload queues it behind the current one).
    c.reload_seen = asked;
    bool current = !c.retiring && c.generation == generation_;
    if (!stopping_ && (current || s.reload_change_ms.load() > last_reload_ms_)) begin_reload();
  }
}

// SIGKILL for a worker that outlived its SIGABRT, or its --graceful-timeout. True when the
// worker is already on its way out (no heartbeat check needed).
bool Master::enforce_kill(Child& c, int64_t now) {
  if (c.killed) return true;
  if (c.abort_ms != 0) {
    if (now - c.abort_ms > kKillGraceMs) {
      kill(c.pid, SIGKILL);
      c.killed = true;
    }
    return true;
  }
  int64_t graceful = static_cast<int64_t>(cfg_.graceful_timeout) * 1000;
  if (c.retiring && now - c.retire_ms > graceful + kKillGraceMs) {
    BLOG_WARN("Worker (pid:%d) still running %d s after it was asked to stop "
              "(--graceful-timeout); killing it", c.pid, cfg_.graceful_timeout);
    c.abort_ms = now;
    c.abort_reason = "overran --graceful-timeout";
    kill(c.pid, SIGKILL);
    c.killed = true;
    return true;
  }
  return false;
}

// --timeout: the loop's heartbeat, the oldest call into the application, and the boot time.
void Master::check_timeout(Child& c, int64_t now) {
  int64_t limit = static_cast<int64_t>(cfg_.timeout) * 1000;
  if (limit <= 0) return;
  WorkerSlot& s = board_.slot(c.slot);
  const char* reason = nullptr;
  int64_t silent = 0;
  if (!c.ready) {
    if (now - c.born_ms > boot_limit_ms()) {
      reason = "did not finish booting (importing the application)";
      silent = now - c.born_ms;
    }
  } else if (int64_t beat = s.heartbeat_ms.load(std::memory_order_relaxed);
             beat > 0 && now - beat > limit) {
    reason = "timed out: its event loop was stuck (a call into the application did not return)";
    silent = now - beat;
  } else if (int64_t busy = s.app_busy_since_ms.load(std::memory_order_relaxed);
             busy > 0 && now - busy > limit) {
    reason = "timed out: a request ran in the application for longer than --timeout";
    silent = now - busy;
  }
  if (reason == nullptr) return;
  BLOG_CRIT("WORKER TIMEOUT (pid:%d) %s, for %lld s (--timeout %d). Sending SIGABRT; the "
            "Python stack of each of its threads follows.", c.pid, reason,
            static_cast<long long>(silent / 1000), cfg_.timeout);
  c.abort_ms = now;
  c.abort_reason = reason;
  kill(c.pid, SIGABRT);
}

void Master::check_children() {
  int64_t now = base::now_ms();
  for (Child& c : children_) {
    observe(c, now);
    if (!enforce_kill(c, now)) check_timeout(c, now);
  }
}

void Master::manage() {
  if (stopping_ || halt_code_ != 0) return;
  // --preload: workers come from the zygote, once it has imported the application.
  bool can_spawn = !cfg_.preload_app || zygote_ready();
  if (!booted_) {
    // Boot one worker first: an application that cannot start fails fast, once, with one
    // traceback, instead of N times or in a respawn loop.
    if (children_.empty() && can_spawn) spawn();
    return;
  }
  int live = live_count(generation_);
  if (can_spawn && live < target_ && base::now_ms() >= next_spawn_ms_) {
    while (live < target_ && spawn()) ++live;
  }
  // Recycled workers retire once enough of their replacements are ready.
  if (ready_count(generation_) >= target_) {
    for (Child& c : children_) {
      if (c.recycling && !c.retiring && c.generation == generation_) retire(c, SIGTERM);
    }
  }
  if (reload_.active) return;
  while (live > target_) {
    // TTOU: the oldest worker of the current generation retires gracefully.
    Child* oldest = nullptr;
    for (Child& c : children_) {
      if (c.generation == generation_ && !c.retiring && !c.recycling &&
          (oldest == nullptr || c.age < oldest->age))
        oldest = &c;
    }
    if (oldest == nullptr) break;
    retire(*oldest, SIGTERM);
    --live;
  }
}

}  // namespace bastion::process::detail
