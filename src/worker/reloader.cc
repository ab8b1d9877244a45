// SPDX-License-Identifier: MIT
// --reload file watching in a worker (see reloader.h). The module list comes from a few
// lines of Python run once after the application was imported.
#include "worker/reloader.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "python/interpreter.h"
#include "python/ref.h"

namespace bastion::worker {
namespace {

// Returns the absolute, symlink-resolved paths of the application's own source files.
constexpr const char* kListFiles = R"PY(
def _bastion_reload_files(extra):
    import glob, os, sys, sysconfig
    skip = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            skip.add(os.path.realpath(p) + os.sep)
    for p in sys.path:
        if p and os.path.basename(p.rstrip(os.sep)) in ("site-packages", "dist-packages"):
            skip.add(os.path.realpath(p) + os.sep)
    out = []
    for m in list(sys.modules.values()):
        f = getattr(m, "__file__", None)
        if not isinstance(f, str):
            continue
        f = os.path.realpath(f)
        if f.endswith(".pyc"):
            f = f[:-1]
        if os.path.isfile(f) and not any(f.startswith(s) for s in skip):
            out.append(f)
    for pattern in extra:
        for f in glob.glob(pattern, recursive=True):
            if os.path.isfile(f):
                out.append(os.path.realpath(f))
    return sorted(set(out))
)PY";

std::vector<std::string> list_files(const config::Config& cfg) {
  std::vector<std::string> files;
  py::PyRef globals = py::PyRef::steal(PyDict_New());
  if (!globals) return files;
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  py::PyRef ran = py::PyRef::steal(PyRun_String(kListFiles, Py_file_input, globals.get(), globals.get()));
  PyObject* fn = ran ? PyDict_GetItemString(globals.get(), "_bastion_reload_files") : nullptr;
  py::PyRef extra = py::PyRef::steal(PyList_New(0));
  for (const std::string& pattern : cfg.reload_extra_files) {
    py::PyRef s = py::PyRef::steal(PyUnicode_FromString(pattern.c_str()));
    if (s) PyList_Append(extra.get(), s.get());
  }
  py::PyRef result = fn ? py::PyRef::steal(PyObject_CallOneArg(fn, extra.get())) : py::PyRef();
  if (!result || !PyList_Check(result.get())) {
    BLOG_ERROR("BST-E0721 --reload cannot list the application's files:\n%s",
               py::Interpreter::format_exception().c_str());
    return files;
  }
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(result.get()); ++i) {
    const char* s = PyUnicode_AsUTF8(PyList_GET_ITEM(result.get(), i));
    if (s != nullptr) files.emplace_back(s);
  }
  PyErr_Clear();
  return files;
}

void arm(int fd, int ms, bool repeat) {
  itimerspec spec{};
  spec.it_value.tv_sec = ms / 1000;
  spec.it_value.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
  if (repeat) spec.it_interval = spec.it_value;
  timerfd_settime(fd, 0, &spec, nullptr);
}

}  // namespace

Reloader::Reloader(const config::Config& cfg, os::FileWatch watch, process::WorkerSlot* slot)
    : cfg_(cfg), watch_(std::move(watch)), slot_(slot) {
  timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  rescan_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  watch_handler_.owner = this;
  quiet_handler_.owner = this;
  rescan_handler_.owner = this;
}

std::unique_ptr<Reloader> Reloader::create(const config::Config& cfg, process::WorkerSlot* slot) {
  auto watch = os::FileWatch::open();
  if (!watch.ok()) {
    BLOG_ERROR("BST-E0722 --reload is off in this worker: %s", watch.error().message.c_str());
    return nullptr;
  }
  std::unique_ptr<Reloader> r(new Reloader(cfg, std::move(watch.value()), slot));
  if (!r->timer_ || !r->rescan_) {
    BLOG_ERROR("BST-E0722 --reload is off in this worker: timerfd_create failed");
    return nullptr;
  }
  for (const std::string& file : list_files(cfg)) {
    if (auto st = r->watch_.add(file); !st.ok()) BLOG_WARN("--reload: %s", st.error().message.c_str());
  }
  if (r->watch_.size() == 0) BLOG_WARN("--reload: no application source file to watch yet");
  BLOG_DEBUG("--reload: watching %zu file(s)", r->watch_.size());
  return r;
}

void Reloader::attach(event::Loop& loop) {
  loop.add(watch_.fd(), EPOLLIN, &watch_handler_);
  loop.add(timer_.get(), EPOLLIN, &quiet_handler_);
  loop.add(rescan_.get(), EPOLLIN, &rescan_handler_);
  arm(rescan_.get(), kRescanMs, true);
}

void Reloader::on_rescan() {
  uint64_t expirations = 0;
  [[maybe_unused]] ssize_t n = read(rescan_.get(), &expirations, sizeof expirations);
  PyGILState_STATE gil = PyGILState_Ensure();
  std::vector<std::string> files = list_files(cfg_);
  PyGILState_Release(gil);
  for (const std::string& file : files) {
    if (auto st = watch_.add(file); !st.ok()) BLOG_DEBUG("--reload: %s", st.error().message.c_str());
  }
}

void Reloader::on_change() {
  std::vector<std::string> changed;
  watch_.read_changes(&changed);
  if (changed.empty()) return;
  last_change_ms_ = base::now_ms();
  for (std::string& path : changed) {
    if (std::find(changed_.begin(), changed_.end(), path) == changed_.end())
      changed_.push_back(std::move(path));
  }
  // (Re)start the quiet period: an editor's save is often several events.
  arm(timer_.get(), kDebounceMs, false);
}

void Reloader::on_quiet() {
  uint64_t expirations = 0;
  [[maybe_unused]] ssize_t n = read(timer_.get(), &expirations, sizeof expirations);
  if (changed_.empty()) return;
  for (const std::string& path : changed_) BLOG_INFO("Worker reloading: %s modified", path.c_str());
  changed_.clear();
  slot_->reload_change_ms.store(last_change_ms_);
  slot_->reload_requests.fetch_add(1);
}

}  // namespace bastion::worker
