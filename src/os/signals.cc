// SPDX-License-Identifier: MIT
#include "os/signals.h"

#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>

namespace bastion::os {
namespace {

char* g_title_start = nullptr;
size_t g_title_len = 0;

}  // namespace

base::UniqueFd signal_fd(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return base::UniqueFd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
}

int read_signal(int fd) {
  signalfd_siginfo info;
  ssize_t n = read(fd, &info, sizeof info);
  if (n != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  for (int s : {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU, SIGCHLD,
                SIGPIPE, SIGWINCH}) {
    signal(s, SIG_DFL);
  }
}

void die_with_parent(int sig) { prctl(PR_SET_PDEATHSIG, sig); }

bool become_subreaper() { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

void init_process_title(int argc, char** argv) {
  if (argc <= 0) return;
  // argv strings are contiguous; the title may use all of them (environ is left alone).
  g_title_start = argv[0];
  char* end = argv[argc - 1] + strlen(argv[argc - 1]);
  g_title_len = static_cast<size_t>(end - g_title_start);
}

void set_process_title(const char* title) {
  prctl(PR_SET_NAME, title);
  if (g_title_start == nullptr || g_title_len == 0) return;
  size_t n = strlen(title);
  if (n > g_title_len) n = g_title_len;
  memcpy(g_title_start, title, n);
  memset(g_title_start + n, 0, g_title_len - n + 1);
}

}  // namespace bastion::os
