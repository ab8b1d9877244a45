// SPDX-License-Identifier: MIT
// Server hooks inside a worker or the hook companion (see hooks.h): the embedded runtime
// (hooks_runtime.h) does the Python work; this file feeds it the configuration, calls it at
// the right moments, implements the request hooks seam and the worker_abort path.
#include "worker/hooks.h"

#include <Python.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/exit_codes.h"
#include "base/log.h"
#include "config/settings.h"
#include "process/hook_companion.h"  // settings_json
#include "worker/hooks_runtime.h"
#include "python/interpreter.h"
#include "python/ref.h"
#include "wsgi/request_hooks.h"

namespace bastion::worker::hooks {
namespace {

using py::PyRef;

/// How long worker_abort may run before the stacks are dumped and the worker dies. The master
/// sends SIGKILL 2 s after SIGABRT.
constexpr int kAbortHookMs = 1500;

/// The worker's identity and its runtime module. Created once, never freed (the worker ends
/// with _exit).
struct WorkerState {
  const config::Config* cfg = nullptr;
  int age = 0;
  pid_t master = 0;
  int num_workers = 1;
  PyObject* runtime = nullptr;       // the _bastion_hooks module (owned, never released)
  std::vector<std::string> defined;  // hooks the config file defines
  bool has(std::string_view name) const {
    for (const std::string& d : defined) {
      if (d == name) return true;
    }
    return false;
  }
};
WorkerState* g_worker = nullptr;

PyObject* emit(PyObject*, PyObject* args) {
  int level = 20;
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "is", &level, &text)) return nullptr;
  base::LogLevel lv = level >= 50   ? base::LogLevel::Critical
                      : level >= 40 ? base::LogLevel::Error
                      : level >= 30 ? base::LogLevel::Warning
                      : level >= 20 ? base::LogLevel::Info
                                    : base::LogLevel::Debug;
  base::log_text(lv, text);
  Py_RETURN_NONE;
}

PyMethodDef g_emit_def = {"_emit", emit, METH_VARARGS, nullptr};

/// Builds the runtime module. GIL held. Null (logged) on failure.
PyObject* make_runtime() {
  PyRef mod = PyRef::steal(PyModule_New("_bastion_hooks"));
  if (!mod) return nullptr;
  PyObject* dict = PyModule_GetDict(mod.get());  // borrowed
  PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins());
  PyRef code = PyRef::steal(Py_CompileString(kHooksRuntime, "<bastion hooks>", Py_file_input));
  PyRef done = code ? PyRef::steal(PyEval_EvalCode(code.get(), dict, dict)) : PyRef();
  PyRef fn = PyRef::steal(PyCFunction_New(&g_emit_def, nullptr));
  if (!done || !fn || PyDict_SetItemString(dict, "_emit", fn.get()) != 0) {
    BLOG_ERROR("BST-E0734 cannot start the server hooks runtime:\n%s",
               py::Interpreter::format_exception().c_str());
    return nullptr;
  }
  return mod.release();
}

PyRef hook_names() {
  PyRef list = PyRef::steal(PyList_New(0));
  for (const config::Hook& h : config::hooks()) {
    PyRef s = PyRef::steal(
        PyUnicode_FromStringAndSize(h.name.data(), static_cast<Py_ssize_t>(h.name.size())));
    if (list && s) PyList_Append(list.get(), s.get());
  }
  return list;
}

PyRef latin1(std::string_view s) {
  return PyRef::steal(PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr));
}

/// Runs hook `name` through the runtime (which logs the hook's own exceptions). GIL held.
bool fire(const char* name) {
  if (g_worker == nullptr || g_worker->runtime == nullptr || !g_worker->has(name)) return true;
  PyRef r = PyRef::steal(PyObject_CallMethod(g_worker->runtime, "fire", "s", name));
  if (!r) {
    BLOG_ERROR("BST-E0734 calling the %s hook failed:\n%s", name,
               py::Interpreter::format_exception().c_str());
    return false;
  }
  return PyObject_IsTrue(r.get()) == 1;
}

class RequestHooksImpl final : public wsgi::RequestHooks {
 public:
  PyRef before(const server::RequestInfo& info, PyObject* environ) override {
    const http::RequestHead& h = *info.head;
    PyRef headers = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(h.headers.size())));
    for (size_t i = 0; headers && i < h.headers.size(); ++i) {
      std::string name(h.headers[i].name);
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      PyRef n = latin1(name);
      PyRef v = latin1(h.headers[i].value);
      PyObject* pair = (n && v) ? PyTuple_Pack(2, n.get(), v.get()) : nullptr;
      if (pair == nullptr) {
        headers.reset();
        break;
      }
      PyList_SET_ITEM(headers.get(), static_cast<Py_ssize_t>(i), pair);
    }
    PyRef method = latin1(h.method), uri = latin1(h.target), path = latin1(h.path),
          query = latin1(h.query);
    PyRef req;
    if (headers && method && uri && path && query) {
      req = PyRef::steal(
          PyObject_CallMethod(g_worker->runtime, "pre_request", "OOOOiOOI", method.get(), uri.get(),
                              path.get(), query.get(), h.version_minor, headers.get(),
                              environ != nullptr ? environ : Py_None, info.request_index + 1));
    }
    if (!req) {
      BLOG_ERROR("BST-E0734 the pre_request hook could not run:\n%s",
                 py::Interpreter::format_exception().c_str());
      return PyRef::borrow(Py_None);
    }
    return req;
  }

  void after(PyObject* request, PyObject* environ, const wsgi::ResponseSummary& resp) override {
    PyRef status = latin1(resp.status), fields = latin1(resp.fields);
    PyRef r;
    if (status && fields) {
      r = PyRef::steal(PyObject_CallMethod(
          g_worker->runtime, "post_request", "OOOOLL", request,
          environ != nullptr ? environ : Py_None, status.get(), fields.get(),
          static_cast<long long>(resp.content_length), static_cast<long long>(resp.sent)));
    }
    if (!r) {
      BLOG_ERROR("BST-E0734 the post_request hook could not run:\n%s",
                 py::Interpreter::format_exception().c_str());
    }
  }
};

// --- worker_abort ---------------------------------------------------------------------------
// faulthandler owns SIGABRT (it dumps every thread's stack). When worker_abort is defined, a
// SIGABRT from the master is diverted: the handler only wakes a watcher thread, which runs the
// hook on a thread of its own (it takes the GIL, which a request stuck in Python bytecode
// yields), waits at most kAbortHookMs, then restores faulthandler and raises SIGABRT again.
// Any other SIGABRT (abort() in a C extension) goes straight to faulthandler.

int g_abort_pipe[2] = {-1, -1};
struct sigaction g_saved_abort {};
volatile sig_atomic_t g_abort_seen = 0;
pid_t g_abort_from = 0;
std::mutex g_abort_mu;
std::condition_variable g_abort_cv;
bool g_abort_done = false;

void on_abort_signal(int, siginfo_t* info, void*) {
  if (g_abort_seen == 0 && info != nullptr && info->si_code == SI_USER &&
      info->si_pid == g_abort_from) {
    g_abort_seen = 1;
    char b = 1;
    ssize_t n = write(g_abort_pipe[1], &b, 1);
    static_cast<void>(n);
    return;
  }
  sigaction(SIGABRT, &g_saved_abort, nullptr);
  raise(SIGABRT);
}

void abort_watcher() {
  char b = 0;
  while (read(g_abort_pipe[0], &b, 1) < 0 && errno == EINTR) {
  }
  std::thread([] {
    PyGILState_STATE st = PyGILState_Ensure();
    fire("worker_abort");
    PyGILState_Release(st);
    std::lock_guard<std::mutex> lock(g_abort_mu);
    g_abort_done = true;
    g_abort_cv.notify_all();
  }).detach();
  {
    std::unique_lock<std::mutex> lock(g_abort_mu);
    if (!g_abort_cv.wait_for(lock, std::chrono::milliseconds(kAbortHookMs),
                             [] { return g_abort_done; })) {
      BLOG_WARN("BST-E0731 the worker_abort hook did not finish within %d ms; dumping the stacks",
                kAbortHookMs);
    }
  }
  sigaction(SIGABRT, &g_saved_abort, nullptr);
  raise(SIGABRT);  // faulthandler: every thread's Python stack to the error log, then death
}

void arm_worker_abort() {
  if (pipe2(g_abort_pipe, O_CLOEXEC) != 0) return;
  g_abort_from = g_worker->master;
  struct sigaction sa {};
  sa.sa_sigaction = on_abort_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGABRT, &sa, &g_saved_abort) != 0) return;
  std::thread(abort_watcher).detach();
}

}  // namespace

bool any_worker_hook(const config::Config& cfg) {
  return config::defines_hook_in(cfg, "worker");
}

void prepare_worker(const config::Config& cfg, int age, pid_t master, int num_workers) {
  if (!any_worker_hook(cfg) || cfg.config_file.empty()) return;
  g_worker = new WorkerState;
  g_worker->cfg = &cfg;
  g_worker->age = age;
  g_worker->master = master;
  g_worker->num_workers = num_workers;
}

bool run_post_fork() {
  if (g_worker == nullptr || g_worker->runtime != nullptr) return true;
  g_worker->runtime = make_runtime();
  if (g_worker->runtime == nullptr) return false;
  std::string cfg_json = process::settings_json(*g_worker->cfg);
  PyRef names = hook_names();
  PyRef res = PyRef::steal(PyObject_CallMethod(
      g_worker->runtime, "setup_worker", "ssOiiii", g_worker->cfg->config_file.c_str(),
      cfg_json.c_str(), names.get(), static_cast<int>(getpid()), static_cast<int>(g_worker->master),
      g_worker->age, g_worker->num_workers));
  if (!res || !PyTuple_Check(res.get()) || PyTuple_GET_SIZE(res.get()) != 2) {
    BLOG_ERROR("BST-E0734 cannot set up the server hooks:\n%s",
               py::Interpreter::format_exception().c_str());
    return false;
  }
  PyObject* defined = PyTuple_GET_ITEM(res.get(), 1);
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(defined); ++i) {
    const char* name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(defined, i));
    if (name != nullptr) g_worker->defined.emplace_back(name);
  }
  PyErr_Clear();
  if (PyObject_IsTrue(PyTuple_GET_ITEM(res.get(), 0)) != 1) return false;
  if (g_worker->has("worker_abort")) arm_worker_abort();
  return fire("post_fork");
}

bool run_post_worker_init() {
  if (g_worker == nullptr || g_worker->runtime == nullptr) return true;
  if (g_worker->has("pre_request") || g_worker->has("post_request")) {
    static RequestHooksImpl impl;
    wsgi::set_request_hooks(&impl);
  }
  return fire("post_worker_init");
}

void run_worker_exit(bool interrupted) {
  if (g_worker == nullptr || g_worker->runtime == nullptr) return;
  if (!g_worker->has("worker_int") && !g_worker->has("worker_exit")) return;
  py::GilAcquire gil;
  if (interrupted) fire("worker_int");
  fire("worker_exit");
}

void run_companion(const config::Config& cfg, int fd, pid_t master, int num_workers) {
  for (const std::string& kv : cfg.raw_env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  py::InterpreterOptions options;
  options.path_prepend = cfg.pythonpath;
  auto interp = py::Interpreter::start(options);
  if (!interp.ok()) {
    BLOG_CRIT("BST-E0734 the hook companion cannot start Python: %s",
              interp.error().message.c_str());
    _exit(base::kExitWorkerBoot);
  }
  PyObject* runtime = make_runtime();
  if (runtime == nullptr) _exit(base::kExitWorkerBoot);
  std::string cfg_json = process::settings_json(cfg);
  PyRef names = hook_names();
  PyRef r = PyRef::steal(PyObject_CallMethod(runtime, "companion_main", "issOii", fd,
                                             cfg.config_file.c_str(), cfg_json.c_str(), names.get(),
                                             static_cast<int>(master), num_workers));
  if (!r) {
    BLOG_ERROR("BST-E0734 the hook companion failed:\n%s",
               py::Interpreter::format_exception().c_str());
  }
  _exit(base::kExitOk);
}

}  // namespace bastion::worker::hooks
