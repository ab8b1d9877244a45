// SPDX-License-Identifier: MIT
#include "python/interpreter.h"

#include <unistd.h>

#include <cstdlib>

#include "os/executables.h"
#include "python/ref.h"

namespace bastion::py {
namespace {

pid_t g_init_pid = 0;

base::Error status_error(const PyStatus& status, const char* what) {
  std::string msg = std::string("cannot initialise Python (") + what + ")";
  if (status.err_msg != nullptr) msg += ": " + std::string(status.err_msg);
  return base::Error{msg, 1};
}

}  // namespace

base::Result<Interpreter*> Interpreter::start(const InterpreterOptions& options) {
  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  config.install_signal_handlers = 0;
  config.parse_argv = 0;
  // The program name decides prefix, exec_prefix and site-packages (and pyvenv.cfg for a
  // virtualenv), so the embedded interpreter sees the same sys.path as that python3.
  std::string exe = os::python_executable();
  PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, exe.c_str());
  if (PyStatus_Exception(status)) {
    PyConfig_Clear(&config);
    return status_error(status, "program name");
  }
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  status = PyConfig_SetBytesArgv(&config, static_cast<Py_ssize_t>(argv.size()), argv.data());
  if (PyStatus_Exception(status)) {
    PyConfig_Clear(&config);
    return status_error(status, "argv");
  }
  status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) return status_error(status, "Py_InitializeFromConfig");
  g_init_pid = getpid();

  // sys.path: --pythonpath entries first, then the working directory (Gunicorn inserts the
  // cwd so `bastion app:app` finds app.py where it is run).
  PyObject* sys_path = PySys_GetObject("path");  // borrowed
  if (sys_path != nullptr) {
    std::vector<std::string> entries = options.path_prepend;
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) entries.emplace_back(cwd);
    Py_ssize_t at = 0;
    for (const auto& entry : entries) {
      PyRef item = PyRef::steal(PyUnicode_DecodeFSDefault(entry.c_str()));
      if (item && PySequence_Contains(sys_path, item.get()) == 0) {
        PyList_Insert(sys_path, at++, item.get());
      }
      PyErr_Clear();
    }
  }
  static Interpreter instance;
  return &instance;
}

namespace {
thread_local PyGILState_STATE t_attach_state;
thread_local PyThreadState* t_attach_ts = nullptr;
}  // namespace

void attach_thread() {
  t_attach_state = PyGILState_Ensure();
  t_attach_ts = PyEval_SaveThread();
}

void detach_thread() {
  if (t_attach_ts == nullptr) return;
  PyEval_RestoreThread(t_attach_ts);
  t_attach_ts = nullptr;
  PyGILState_Release(t_attach_state);
}

void Interpreter::shutdown() {
  if (g_init_pid == getpid() && Py_IsInitialized()) Py_FinalizeEx();
}

std::string Interpreter::format_exception() {
  BASTION_ASSERT_GIL_HELD();
  if (!PyErr_Occurred()) return {};
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyRef t = PyRef::steal(type), v = PyRef::steal(value), trace = PyRef::steal(tb);
  std::string text;
  PyRef mod = PyRef::steal(PyImport_ImportModule("traceback"));
  if (mod) {
    PyRef lines = PyRef::steal(PyObject_CallMethod(mod.get(), "format_exception", "OOO",
                                                   t ? t.get() : Py_None, v ? v.get() : Py_None,
                                                   trace ? trace.get() : Py_None));
    if (lines) {
      PyRef empty = PyRef::steal(PyUnicode_FromString(""));
      PyRef joined = PyRef::steal(PyUnicode_Join(empty.get(), lines.get()));
      if (joined) {
        const char* utf8 = PyUnicode_AsUTF8(joined.get());
        if (utf8 != nullptr) text = utf8;
      }
    }
  }
  if (text.empty() && v) {
    PyRef s = PyRef::steal(PyObject_Str(v.get()));
    const char* utf8 = s ? PyUnicode_AsUTF8(s.get()) : nullptr;
    text = utf8 != nullptr ? utf8 : "unknown Python error";
  }
  PyErr_Clear();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace bastion::py
