// SPDX-License-Identifier: MIT
// The master's binary upgrade (USR2) and WINCH, Gunicorn's upgrade dance: USR2 re-executes the
// binary with the same command line and environment, handing it the listening sockets the
// systemd way (LISTEN_FDS, LISTEN_PID set in the child), and renames our pidfile to
// <pidfile>.oldbin; WINCH stops our workers gracefully; the operator then stops this master.
// If the new master dies first, this one takes its pidfile back and keeps serving.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "os/pidfile.h"
#include "os/signals.h"
#include "process/master_impl.h"

extern char** environ;

namespace bastion::process::detail {
namespace {

constexpr const char* kOldPidSuffix = ".oldbin";  // Gunicorn's documented name (as nginx's)

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Everything the forked child needs, prepared before the fork: the child only calls
// async-signal-safe functions (the master may have helper threads, e.g. telemetry).
struct ExecPlan {
  std::string executable;
  std::string cwd;
  std::vector<std::string> argv_text;
  std::vector<std::string> env_text;
  size_t listen_pid_index = 0;  // env_text entry "LISTEN_PID=" + room for the child's pid
  std::vector<int> fds;          // our listeners, to become 3, 4, ... in the new master
  std::vector<int> scratch;      // room for their temporary copies
  std::vector<char*> argv;
  std::vector<char*> envp;
};

ExecPlan make_plan(const StartContext& start, std::vector<int> fds) {
  ExecPlan plan;
  plan.executable = start.executable;
  plan.cwd = start.cwd;
  plan.argv_text = start.argv;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view var = *e;
    if (starts_with(var, "LISTEN_PID=") || starts_with(var, "LISTEN_FDS=") ||
        starts_with(var, "LISTEN_FDNAMES=") || starts_with(var, std::string(kUpgradeEnv) + "="))
      continue;
    plan.env_text.emplace_back(var);
  }
  std::string names;
  for (size_t i = 0; i < fds.size(); ++i) names += (i == 0 ? "" : ":") + std::string("upgrade");
  plan.env_text.push_back("LISTEN_FDS=" + std::to_string(fds.size()));
  plan.env_text.push_back("LISTEN_FDNAMES=" + names);
  plan.env_text.push_back(std::string(kUpgradeEnv) + "=" + std::to_string(getpid()));
  plan.listen_pid_index = plan.env_text.size();
  plan.env_text.push_back("LISTEN_PID=" + std::string(24, '\0'));
  plan.fds = std::move(fds);
  plan.scratch.resize(plan.fds.size());
  for (std::string& a : plan.argv_text) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (std::string& v : plan.env_text) plan.envp.push_back(v.data());
  plan.envp.push_back(nullptr);
  return plan;
}

void say(const char* text) { (void)!write(2, text, strlen(text)); }

// In the forked child: the listeners become fds 3.. (without close-on-exec), every other
// descriptor above them is closed, LISTEN_PID names this process, then the binary is run.
[[noreturn]] void exec_new_master(ExecPlan& plan) {
  os::reset_signals();  // the signalfd's blocked mask would survive exec
  char* pid_text = plan.env_text[plan.listen_pid_index].data() + strlen("LISTEN_PID=");
  char digits[24];
  int n = 0;
  for (long v = static_cast<long>(getpid()); v > 0 && n < 20; v /= 10)
    digits[n++] = static_cast<char>('0' + v % 10);
  for (int i = 0; i < n; ++i) pid_text[i] = digits[n - 1 - i];
  pid_text[n] = '\0';
  int count = static_cast<int>(plan.fds.size());
  int first_free = os::kListenFdsStart + count;
  for (size_t i = 0; i < plan.fds.size(); ++i) {
    plan.scratch[i] = fcntl(plan.fds[i], F_DUPFD, first_free);
    if (plan.scratch[i] < 0) {
      say("bastion: USR2: cannot duplicate a listening socket\n");
      _exit(127);
    }
  }
  for (size_t i = 0; i < plan.scratch.size(); ++i) {
    if (dup2(plan.scratch[i], os::kListenFdsStart + static_cast<int>(i)) < 0) {
      say("bastion: USR2: cannot pass a listening socket\n");
      _exit(127);
    }
  }
  close_range(static_cast<unsigned>(first_free), ~0U, 0);
  if (!plan.cwd.empty() && chdir(plan.cwd.c_str()) != 0) say("bastion: USR2: cannot chdir\n");
  execve(plan.executable.c_str(), plan.argv.data(), plan.envp.data());
  say("bastion: USR2: cannot execute the binary: ");
  say(strerror(errno));
  say("\n");
  _exit(127);
}

}  // namespace

// USR2: start a new master from the binary on disk, beside this one. Ignored while one runs
// already, or while this master is itself the new master of an upgrade not yet finished.
void Master::begin_upgrade() {
  if (stopping_) return;
  if (upgrade_pid_ != 0) {
    BLOG_WARN("USR2 ignored: an upgrade is already running (new master pid:%d)", upgrade_pid_);
    return;
  }
  if (start_.upgraded_from > 0 && getppid() == start_.upgraded_from) {
    BLOG_WARN("USR2 ignored: this master was started by the USR2 of master pid %d, which still "
              "runs; stop that one first", static_cast<int>(start_.upgraded_from));
    return;
  }
  if (start_.argv.empty() || start_.executable.empty() || listeners_.empty()) {
    BLOG_WARN("USR2 ignored: the command line of this master is unknown");
    return;
  }
  ExecPlan plan = make_plan(start_, listeners_.fds());
  // The new master writes the pidfile; ours moves aside (and comes back if it fails).
  std::string path = pidfile_.path();
  if (!path.empty()) {
    std::string oldbin = path + kOldPidSuffix;
    if (::rename(path.c_str(), oldbin.c_str()) != 0 || !pidfile_.create(oldbin, getpid()).ok())
      BLOG_WARN("cannot rename the pidfile %s to %s: %s", path.c_str(), oldbin.c_str(), strerror(errno));
  }
  hooks_.pre_exec();  // Gunicorn's pre_exec(server): before the new master is forked
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) exec_new_master(plan);
  if (pid < 0) {
    BLOG_ERROR("BST-E0740 USR2: cannot fork the new master: %s", strerror(errno));
    upgrade_ended(-1);
    return;
  }
  upgrade_pid_ = pid;
  upgraded_ = true;
  set_title();
  BLOG_INFO("Binary upgrade: started a new master (pid:%d) from %s with %zu listening "
            "socket(s); this master serves on until it gets WINCH (stop its workers), then TERM",
            static_cast<int>(pid), start_.executable.c_str(), plan.fds.size());
}

// The new master is gone (or never started: status -1). This master takes the pidfile back
// and, if WINCH had stopped its workers, starts them again.
void Master::upgrade_ended(int status) {
  pid_t pid = upgrade_pid_;
  upgrade_pid_ = 0;
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    BLOG_INFO("The new master of the binary upgrade (pid:%d) stopped; this master keeps "
              "serving", static_cast<int>(pid));
  } else if (status != -1) {
    std::string how = WIFSIGNALED(status)
                          ? "was killed by signal " + std::to_string(WTERMSIG(status))
                          : "exited with status " + std::to_string(WEXITSTATUS(status));
    BLOG_ERROR("BST-E0741 the new master of the binary upgrade (pid:%d) %s; this master keeps "
               "serving", static_cast<int>(pid), how.c_str());
  }
  const std::string& path = cfg_.pidfile;
  if (!path.empty() && pidfile_.path() != path) {
    std::string oldbin = pidfile_.path();
    pid_t holder = os::read_pidfile(path);
    if (holder == 0 || holder == getpid() || kill(holder, 0) != 0) {
      if (auto st = pidfile_.create(path, getpid()); st.ok()) {
        if (!oldbin.empty()) ::unlink(oldbin.c_str());
      } else {
        BLOG_ERROR("%s", st.error().message.c_str());
      }
    }
  }
  if (!stopping_ && target_ == 0) {
    target_ = std::max(1, cfg_.workers);
    hooks_.nworkers_changed(target_, 0);
    BLOG_INFO("Starting %d worker(s) again (WINCH had stopped them)", target_);
  }
  set_title();
}

// WINCH: every worker stops gracefully; the master stays (with no workers) until TERM, or
// HUP / TTIN bring workers back (the rollback of an upgrade).
void Master::stop_workers() {
  if (stopping_) return;
  int before = target_;
  target_ = 0;
  int retired = 0;
  for (Child& c : children_) {
    if (!c.retiring) {
      retire(c, SIGTERM);
      ++retired;
    }
  }
  if (before != 0) hooks_.nworkers_changed(0, before);
  BLOG_INFO("Stopping %d worker(s) gracefully; the master keeps running (TERM stops it, HUP or "
            "TTIN starts workers again)", retired);
}

}  // namespace bastion::process::detail
