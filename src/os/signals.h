// SPDX-License-Identifier: MIT
// Signals as readable events: the owning loop blocks the signals it handles and reads them
// from a signalfd, so no work ever happens inside a signal handler. Also process-death and
// title helpers. Main thread of the process; call before other threads start.
#pragma once

#include <signal.h>

#include <initializer_list>

#include "base/unique_fd.h"

namespace bastion::os {

/// Blocks `signals` in the calling thread (inherited by threads created afterwards) and
/// returns a non-blocking signalfd that reports them.
base::UniqueFd signal_fd(std::initializer_list<int> signals);
/// Reads one pending signal from a signalfd; 0 when none.
int read_signal(int fd);
/// Unblocks every signal and restores default dispositions (in a freshly forked child).
void reset_signals();
/// Asks the kernel to send `sig` to this process when its parent dies.
void die_with_parent(int sig);
/// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER): a
/// grandchild whose parent exits is re-parented here instead of to init. False on failure.
bool become_subreaper();
/// Sets the process title shown by ps/top (argv[0] area and prctl PR_SET_NAME).
void set_process_title(const char* title);
/// Remembers argv so set_process_title() can reuse its memory. Call first thing in main().
void init_process_title(int argc, char** argv);

}  // namespace bastion::os
