// SPDX-License-Identifier: MIT
// --reload inside a worker: watches the source files of the imported modules (and
// --reload-extra-file) with inotify from the worker's event loop and, once the changes settle
// (debounced), asks the master for a graceful reload through the worker's scoreboard slot.
// Worker main (loop) thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "config/config.h"
#include "event/loop.h"
#include "os/inotify.h"
#include "process/scoreboard.h"

namespace bastion::worker {

class Reloader {
 public:
  /// Quiet period after the last change before the reload is requested.
  static constexpr int kDebounceMs = 300;
  /// How often sys.modules is listed again (modules imported after boot), as Gunicorn does.
  static constexpr int kRescanMs = 2000;

  /// Lists the files to watch: every module in sys.modules whose __file__ exists outside the
  /// standard library and site-/dist-packages, plus the existing matches of
  /// `cfg.reload_extra_files` (glob patterns). Call with the GIL held. Returns null (after
  /// logging why) when nothing can be watched.
  static std::unique_ptr<Reloader> create(const config::Config& cfg, process::WorkerSlot* slot);

  /// Registers the inotify, debounce and rescan descriptors with `loop` (which must outlive
  /// us). The rescan takes the GIL (PyGILState_Ensure) on the loop thread for a moment.
  void attach(event::Loop& loop);

 private:
  struct Watch final : event::IoHandler {
    Reloader* owner = nullptr;
    void on_io(uint32_t) override { owner->on_change(); }
  };
  struct Quiet final : event::IoHandler {
    Reloader* owner = nullptr;
    void on_io(uint32_t) override { owner->on_quiet(); }
  };
  struct Rescan final : event::IoHandler {
    Reloader* owner = nullptr;
    void on_io(uint32_t) override { owner->on_rescan(); }
  };

  Reloader(const config::Config& cfg, os::FileWatch watch, process::WorkerSlot* slot);
  void on_change();
  void on_quiet();
  void on_rescan();

  const config::Config& cfg_;
  os::FileWatch watch_;
  base::UniqueFd timer_;   // one-shot timerfd: fires kDebounceMs after the last change
  base::UniqueFd rescan_;  // periodic timerfd: every kRescanMs
  process::WorkerSlot* slot_;
  Watch watch_handler_;
  Quiet quiet_handler_;
  Rescan rescan_handler_;
  std::vector<std::string> changed_;  // since the last request, in order, deduplicated
  int64_t last_change_ms_ = 0;
};

}  // namespace bastion::worker
