// SPDX-License-Identifier: MIT
// The master's life: one single-threaded loop that wakes on a signalfd (or at least every
// tick), then reaps, watches heartbeats, moves a reload forward, keeps the worker count, and
// reports to systemd. Every action happens here, never in a signal handler.
#include "process/master.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/log.h"
#include "os/pidfile.h"
#include "os/privileges.h"
#include "os/signals.h"
#include "os/systemd.h"
#include "process/hook_companion.h"
#include "process/listeners.h"
#include "process/scoreboard.h"
#include "process/telemetry.h"
#include "process/worker.h"
#include "process/zygote.h"

namespace bastion::process {
namespace {

constexpr int kTickMs = 200;             // the loop wakes at least this often
constexpr int kBootTickMs = 20;          // ... and this often while a worker is booting
constexpr int64_t kKillGraceMs = 2000;   // SIGABRT (or a graceful overrun) -> SIGKILL
constexpr int64_t kCrashWindowMs = 30000;
constexpr size_t kCrashesFree = 3;       // crashes within the window respawned at once
constexpr int64_t kBackoffBaseMs = 250;  // then 250 ms, 500 ms, 1 s, ... up to the cap
constexpr int64_t kBackoffMaxMs = 16000;
constexpr int kMinBootLimitS = 60;       // a worker may take this long to import the app

struct Child {
  pid_t pid = 0;
  int slot = -1;
  int age = 0;
  int generation = 0;
  int64_t born_ms = 0;
  bool ready = false;      // reported ready at least once
  bool retiring = false;   // told to stop (TERM), or stopping by itself (parent gone)
  bool recycling = false;  // reached --max-requests: serves until its replacement is ready
  int64_t retire_ms = 0;   // when it started retiring
  int64_t abort_ms = 0;    // SIGABRT sent (hung), or SIGKILL sent for an overrun
  bool killed = false;     // SIGKILL sent
  uint32_t reload_seen = 0;  // --reload: the slot's reload_requests count last seen
  const char* abort_reason = nullptr;
};

bool is_boot_code(int code) {
  return code == base::kExitWorkerBoot || code == base::kExitAppRaised ||
         code == base::kExitModuleNotFound || code == base::kExitAppAttribute ||
         code == base::kExitAppNotCallable || code == base::kExitDebugRefused;
}

class Master {
 public:
  Master(const config::Config& cfg, ReloadConfig reload) : cfg_(cfg), reload_fn_(std::move(reload)) {}
  int run();

 private:
  int setup();
  void tick();
  void handle_signal(int sig);
  bool spawn();
  pid_t fork_from_zygote(int slot);
  bool zygote_ready();
  bool reap_zygote(pid_t pid, int status);
  void reap();
  void on_exit(const Child& c, int status, bool booting, bool recycled);
  void boot_failed(const Child& c, int code);
  void record_crash();
  void check_children();
  void observe(Child& c, int64_t now);
  bool enforce_kill(Child& c, int64_t now);
  void check_timeout(Child& c, int64_t now);
  void manage();
  void retire(Child& c, int sig);
  void begin_reload();
  void apply_config(config::Config next);
  void progress_reload();
  void abort_reload(const std::string& why);
  void report();
  int stop(bool graceful);

  int ready_count(int generation) const;
  int live_count(int generation) const;
  int64_t boot_limit_ms() const {
    return static_cast<int64_t>(std::max(cfg_.timeout, kMinBootLimitS)) * 1000;
  }
  bool any_booting() const {
    if (zygote_ && !zygote_->ready()) return true;
    return std::any_of(children_.begin(), children_.end(), [](const Child& c) { return !c.ready; });
  }

  config::Config cfg_;
  ReloadConfig reload_fn_;
  Scoreboard board_{1024};
  Listeners listeners_;
  Listeners old_listeners_;  // binds a reload replaced; closed once the old workers retire
  std::vector<Child> children_;
  HookCompanion hooks_;  // runs the config file's master-side hooks (a Python-free master)
  std::unique_ptr<Zygote> zygote_;      // --preload: imports the app, forks this generation
  std::unique_ptr<Zygote> old_zygote_;  // the previous generation's, until a reload completes
  int64_t last_reload_ms_ = 0;           // when the latest reload began (--reload requests)
  base::UniqueFd sigfd_;
  os::Notifier notifier_;
  os::Pidfile pidfile_;
  os::Credentials creds_;
  int target_ = 1;
  int age_ = 0;
  int generation_ = 1;
  int generation_counter_ = 1;
  bool booted_ = false;          // the first worker became ready
  bool announced_ = false;       // READY=1 sent
  bool stopping_ = false;
  bool graceful_ = true;
  int exit_code_ = base::kExitOk;
  int halt_code_ = 0;
  std::vector<int64_t> crashes_;  // unexpected deaths within kCrashWindowMs
  int64_t next_spawn_ms_ = 0;     // respawn backoff
  int64_t next_watchdog_ms_ = 0;
  std::string last_status_;

  struct Reload {
    bool active = false;
    bool pending = false;        // another HUP arrived meanwhile
    int old_generation = 0;
    int old_target = 0;
    int64_t deadline_ms = 0;
    config::Config old_cfg;
    os::Credentials old_creds;
  } reload_;
};

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
    case SIGHUP:
      BLOG_INFO("Handling signal: hup");
      begin_reload();
      break;
    case SIGTTIN:
      ++target_;
      BLOG_INFO("Handling signal: ttin; workers: %d", target_);
      hooks_.nworkers_changed(target_, target_ - 1);
      break;
    case SIGTTOU:
      if (target_ > 1) {
        --target_;
        hooks_.nworkers_changed(target_, target_ + 1);
      }
      BLOG_INFO("Handling signal: ttou; workers: %d", target_);
      break;
    case SIGUSR1:
      BLOG_INFO("Handling signal: usr1; reopening log files");
      base::log::reopen();
      for (const Child& c : children_) kill(c.pid, SIGUSR1);
      if (zygote_) zygote_->send_signal(SIGUSR1);
      if (old_zygote_) old_zygote_->send_signal(SIGUSR1);
      break;
    case SIGUSR2:
      BLOG_WARN("Handling signal: usr2; ignored: binary upgrade is not supported (HUP reloads "
                "the application; systemd socket activation lets a new binary take over)");
      break;
    default: break;  // WINCH: ignored, as Gunicorn does when not daemonized
  }
}

// HUP: re-read the configuration, start a new generation of workers (they import the app
// afresh), and retire the old generation only once the new one is ready, so a broken deploy
// leaves the running workers serving.
void Master::begin_reload() {
  if (stopping_) return;
  if (reload_.active || !booted_) {
    BLOG_INFO("%s; reloading once it completes", booted_ ? "a reload is in progress" : "still booting");
    reload_.pending = true;
    return;
  }
  notifier_.send("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC=" +
                 std::to_string(base::now_us()));
  reload_.old_cfg = cfg_;
  reload_.old_creds = creds_;
  reload_.old_generation = generation_;
  reload_.old_target = target_;
  config::Config next = cfg_;
  if (reload_fn_) {
    auto fresh = reload_fn_();
    if (fresh.ok()) {
      next = std::move(fresh.value());
      target_ = std::max(1, next.workers);
    } else {
      BLOG_ERROR("BST-E0707 reloading the configuration failed: %s; restarting the workers with "
                 "the current configuration", fresh.error().message.c_str());
    }
  }
  apply_config(std::move(next));
  // Master-side hooks: the companion executes the new config file, then as Gunicorn's reload.
  hooks_.reconfigure(cfg_, target_);
  hooks_.nworkers_changed(target_, reload_.old_target);
  hooks_.on_reload();
  generation_ = ++generation_counter_;
  // --preload: a new zygote re-imports the code and forks the new generation; the old one
  // stays until the reload completes (or takes over again if the new one cannot import).
  old_zygote_ = std::move(zygote_);
  reload_.active = true;
  reload_.deadline_ms = base::now_ms() + boot_limit_ms();
  last_reload_ms_ = base::now_ms();
  next_spawn_ms_ = 0;
  BLOG_INFO("Reloading: starting %d new worker(s); the old ones retire once these are ready",
            target_);
}

void Master::apply_config(config::Config next) {
  if (next.errorlog != cfg_.errorlog) {
    std::string error;
    if (!base::log::open(next.errorlog, &error)) BLOG_ERROR("%s", error.c_str());
  }
  if (base::LogLevel level; base::parse_log_level(next.loglevel, &level)) base::log::set_level(level);
  if (next.pidfile != cfg_.pidfile) {
    pidfile_.remove();
    if (!next.pidfile.empty()) {
      if (auto st = pidfile_.create(next.pidfile, getpid()); !st.ok())
        BLOG_ERROR("%s", st.error().message.c_str());
    }
  }
  if (next.user != cfg_.user || next.group != cfg_.group || next.initgroups != cfg_.initgroups) {
    auto creds = os::resolve_credentials(next.user, next.group, next.initgroups);
    if (creds.ok()) {
      creds_ = creds.value();
    } else {
      BLOG_ERROR("BST-E0802 %s; the workers keep the previous user", creds.error().message.c_str());
    }
  }
  if (next.bind != cfg_.bind && !listeners_.from_systemd()) {
    Listeners fresh;
    auto st = fresh.open(next, &listeners_);
    if (!st.ok()) {
      BLOG_ERROR("BST-E0708 cannot bind the new addresses (%s); keeping the old ones",
                 st.error().message.c_str());
      listeners_.take_from(fresh);
      next.bind = cfg_.bind;
    } else {
      old_listeners_.take_from(listeners_);
      listeners_ = std::move(fresh);
      for (const std::string& where : listeners_.describe())
        BLOG_INFO("Listening at: %s (%d)", where.c_str(), static_cast<int>(getpid()));
      if (creds_.change) listeners_.chown_unix(creds_.uid, creds_.gid);
    }
  }
  cfg_ = std::move(next);
}

void Master::progress_reload() {
  if (!reload_.active) {
    if (reload_.pending && booted_) {
      reload_.pending = false;
      begin_reload();
    }
    return;
  }
  if (ready_count(generation_) >= target_) {
    int retired = 0;
    for (Child& c : children_) {
      if (c.generation != generation_ && !c.retiring) {
        retire(c, SIGTERM);
        ++retired;
      }
    }
    old_listeners_.close_all();  // the retiring workers keep their own copies while draining
    if (old_zygote_) old_zygote_->send_signal(SIGTERM);
    old_zygote_.reset();
    reload_.active = false;
    BLOG_INFO("Reload complete: %d new worker(s) ready, %d old worker(s) retiring", target_, retired);
    notifier_.send("READY=1\nSTATUS=" + last_status_);
  } else if (base::now_ms() > reload_.deadline_ms) {
    abort_reload("the new workers were not ready after " +
                 std::to_string(boot_limit_ms() / 1000) + " s");
  }
  if (!reload_.active && reload_.pending) {
    reload_.pending = false;
    begin_reload();
  }
}

void Master::abort_reload(const std::string& why) {
  BLOG_ERROR("BST-E0704 reload failed: %s; the old workers keep serving", why.c_str());
  for (Child& c : children_) {
    if (c.generation == generation_ && !c.retiring) {
      c.abort_ms = base::now_ms();
      c.abort_reason = "belonged to the failed reload";
      retire(c, SIGKILL);
      c.killed = true;
    }
  }
  // --preload: the new zygote goes; the old one (whose workers keep serving) stays.
  if (zygote_ && zygote_->generation() != reload_.old_generation) zygote_->send_signal(SIGKILL);
  zygote_ = std::move(old_zygote_);
  // Back to the previous generation, configuration and addresses.
  generation_ = reload_.old_generation;
  target_ = reload_.old_target;
  if (reload_.old_cfg.bind != cfg_.bind && !old_listeners_.empty()) {
    Listeners back;
    listeners_.take_from(old_listeners_);
    if (back.open(reload_.old_cfg, &listeners_).ok()) {
      listeners_.close_all();  // addresses only the failed configuration had
      listeners_ = std::move(back);
    }
  }
  cfg_ = reload_.old_cfg;
  creds_ = reload_.old_creds;
  hooks_.reconfigure(cfg_, target_);
  reload_.active = false;
  notifier_.send("READY=1\nSTATUS=Reload failed: " + why);
}

void Master::report() {
  int ready = ready_count(generation_);
  report_worker_count(static_cast<int>(children_.size()));  // StatsD gunicorn.workers gauge
  std::string status = std::to_string(ready) + " of " + std::to_string(target_) + " worker(s) ready";
  if (reload_.active) status += " (reloading)";
  if (!announced_ && booted_ && ready >= target_) {
    announced_ = true;
    notifier_.send("READY=1\nSTATUS=" + status + "\nMAINPID=" + std::to_string(getpid()));
    last_status_ = status;
  } else if (status != last_status_) {
    notifier_.send("STATUS=" + status);
    last_status_ = status;
  }
}

void Master::tick() {
  int64_t now = base::now_ms();
  if (notifier_.watchdog_usec() > 0 && now >= next_watchdog_ms_) {
    notifier_.send("WATCHDOG=1");
    next_watchdog_ms_ = now + std::max<int64_t>(notifier_.watchdog_usec() / 2000, 1);
  }
  int timeout = any_booting() ? kBootTickMs : kTickMs;
  if (notifier_.watchdog_usec() > 0)
    timeout = static_cast<int>(std::clamp<int64_t>(next_watchdog_ms_ - now, 1, timeout));
  pollfd pfd{sigfd_.get(), POLLIN, 0};
  poll(&pfd, 1, timeout);
  while (int sig = os::read_signal(sigfd_.get())) handle_signal(sig);
  reap();
}

int Master::stop(bool graceful) {
  stopping_ = true;
  notifier_.send("STOPPING=1\nSTATUS=Stopping");
  // The zygotes fork no more workers, and give up their copies of the listeners.
  for (std::unique_ptr<Zygote>* z : {&zygote_, &old_zygote_}) {
    if (*z) (*z)->send_signal(SIGTERM);
    z->reset();
  }
  // Close our copies first: once each worker has drained the queue and closed its own copy,
  // new connections are refused instead of waiting in a queue nobody will read.
  listeners_.close_all();
  old_listeners_.close_all();
  for (Child& c : children_) retire(c, graceful ? SIGTERM : SIGQUIT);
  int64_t limit = graceful ? static_cast<int64_t>(cfg_.graceful_timeout) * 1000 : kKillGraceMs;
  int64_t deadline = base::now_ms() + limit;
  while (!children_.empty() && base::now_ms() < deadline) {
    pollfd pfd{sigfd_.get(), POLLIN, 0};
    poll(&pfd, 1, 50);
    while (int sig = os::read_signal(sigfd_.get())) {
      if ((sig == SIGINT || sig == SIGQUIT) && graceful) {
        BLOG_INFO("Handling signal: %s; switching to a fast stop", sig == SIGINT ? "int" : "quit");
        graceful = false;  // an impatient operator
        for (Child& c : children_) kill(c.pid, SIGQUIT);
        deadline = std::min(deadline, base::now_ms() + kKillGraceMs);
      }
    }
    reap();
    if (notifier_.watchdog_usec() > 0 && base::now_ms() >= next_watchdog_ms_) {
      notifier_.send("WATCHDOG=1");
      next_watchdog_ms_ = base::now_ms() + std::max<int64_t>(notifier_.watchdog_usec() / 2000, 1);
    }
  }
  if (!children_.empty()) {
    BLOG_WARN("killing %zu worker(s) still running after the %s timeout", children_.size(),
              graceful ? "graceful" : "shutdown");
    for (Child& c : children_) kill(c.pid, SIGKILL);
    int64_t give_up = base::now_ms() + 5000;
    while (!children_.empty() && base::now_ms() < give_up) {
      usleep(10000);
      reap();
    }
  }
  pidfile_.remove();
  BLOG_INFO("Shutting down: Master");
  hooks_.on_exit();
  return exit_code_;
}

int Master::setup() {
  sigfd_ = os::signal_fd({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2,
                          SIGCHLD, SIGWINCH});
  signal(SIGPIPE, SIG_IGN);
  notifier_ = os::Notifier::from_environment();
  if (cfg_.errorlog != "-" && !cfg_.errorlog.empty()) {
    std::string error;
    if (!base::log::open(cfg_.errorlog, &error)) {
      BLOG_CRIT("%s", error.c_str());
      return base::kExitUsage;
    }
  }
  if (base::LogLevel level; base::parse_log_level(cfg_.loglevel, &level)) base::log::set_level(level);
  target_ = std::max(1, cfg_.workers);
  // Master-side hooks: the companion starts, nworkers_changed and on_starting run (waited for).
  hooks_.start(cfg_, target_);

  auto creds = os::resolve_credentials(cfg_.user, cfg_.group, cfg_.initgroups);
  if (!creds.ok()) {
    BLOG_CRIT("BST-E0802 %s", creds.error().message.c_str());
    return creds.error().code;
  }
  creds_ = creds.value();

  auto adopted = listeners_.adopt_systemd();
  if (!adopted.ok()) {
    BLOG_CRIT("BST-E0803 %s", adopted.error().message.c_str());
    return adopted.error().code;
  }
  if (!adopted.value()) {
    auto bound = listeners_.open(cfg_);
    if (!bound.ok()) {
      BLOG_CRIT("BST-E0801 %s", bound.error().message.c_str());
      return bound.error().code;
    }
  }
  if (cfg_.allow_debug && !listeners_.all_loopback()) {
    BLOG_CRIT("BST-E0602 --allow-debug is refused on a non-loopback bind: the Werkzeug debugger "
              "would be reachable from the network. Bind to 127.0.0.1, ::1 or a unix socket.");
    return base::kExitDebugRefused;
  }
  if (creds_.change) listeners_.chown_unix(creds_.uid, creds_.gid);
  if (!cfg_.pidfile.empty()) {
    if (auto st = pidfile_.create(cfg_.pidfile, getpid()); !st.ok()) {
      BLOG_CRIT("BST-E0804 %s", st.error().message.c_str());
      return st.error().code;
    }
  }
  BLOG_INFO("Starting bastion %s", BASTION_VERSION);
  for (const std::string& where : listeners_.describe()) {
    BLOG_INFO("Listening at: %s (%d)", where.c_str(), static_cast<int>(getpid()));
  }
  BLOG_INFO("Using worker: event loop, %d Python thread(s) per worker", std::max(1, cfg_.threads));
  if (creds_.change) {
    BLOG_INFO("Workers run as uid %u, gid %u", static_cast<unsigned>(creds_.uid),
              static_cast<unsigned>(creds_.gid));
  }
  std::string title = "bastion: master [" + (cfg_.proc_name.empty() ? cfg_.app_uri : cfg_.proc_name) + "]";
  os::set_process_title(title.c_str());
  hooks_.when_ready();
  return 0;
}

int Master::run() {
  if (int rc = setup(); rc != 0) {
    pidfile_.remove();
    return rc;
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
    tick();
    check_children();
    progress_reload();
    report();
  }
}

}  // namespace

int run_master(const config::Config& config, ReloadConfig reload_config) {
  Master master(config, std::move(reload_config));
  return master.run();
}

}  // namespace bastion::process
