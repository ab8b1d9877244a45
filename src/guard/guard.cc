// SPDX-License-Identifier: MIT
// C++ glue of the debug guard: loads the `_bastion_guard` Python module (guard_source.cc)
// into the worker's interpreter, calls it, and turns its answer into Findings. Every failure
// here becomes a refusing BG000 finding: the guard fails closed.
#include "guard/guard.h"

#include "base/log.h"
#include "guard/guard_source.h"
#include "python/interpreter.h"
#include "python/ref.h"

namespace bastion::guard {
namespace {

using py::PyRef;

constexpr const char* kModuleName = "_bastion_guard";

// Only the text of an install failure survives between install_import_hooks() and
// inspect(); no Python object is kept in a static (it could outlive the interpreter).
std::string& hook_error() {
  static std::string error;
  return error;
}

std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

Finding internal_failure(const std::string& what, const std::string& error) {
  Finding f;
  f.rule = "BG000";
  f.refuses = true;
  f.where = "bastion debug guard";
  f.message = "the debug guard could not finish (" + what + ": " + last_line(error) +
              "), so it cannot prove debug mode is off";
  f.fix = "see the traceback in the error log (BST-E0604); to serve anyway on a loopback bind "
          "for local development, pass --allow-debug";
  return f;
}

/// The guard module (new reference): sys.modules' copy when the hooks were installed, else a
/// fresh one. Null with `error` set on failure (no exception left pending).
PyRef guard_module(std::string* error) {
  PyObject* modules = PyImport_GetModuleDict();                       // borrowed
  PyObject* existing = PyDict_GetItemString(modules, kModuleName);    // borrowed
  if (existing != nullptr) return PyRef::borrow(existing);
  PyRef code = PyRef::steal(Py_CompileString(kGuardSource, kGuardFileName, Py_file_input));
  if (!code) {
    *error = py::Interpreter::format_exception();
    return {};
  }
  // ExecCodeModuleEx registers the module in sys.modules, which is where inspect() finds the
  // state (run() calls, DEBUG assignments) that the import hooks recorded.
  PyRef module = PyRef::steal(
      PyImport_ExecCodeModuleEx(kModuleName, code.get(), kGuardFileName));
  if (!module) *error = py::Interpreter::format_exception();
  return module;
}

PyRef string_list(const std::vector<std::string>& items) {
  PyRef list = PyRef::steal(PyList_New(0));
  if (!list) return list;
  for (const std::string& item : items) {
    PyRef s = PyRef::steal(PyUnicode_DecodeFSDefault(item.c_str()));
    if (!s || PyList_Append(list.get(), s.get()) != 0) return {};
  }
  return list;
}

/// Converts the rules' answer, a list of (rule, refuses, message, where, fix) tuples.
bool convert(PyObject* result, std::vector<Finding>* out) {
  PyRef seq = PyRef::steal(PySequence_Fast(result, "the guard's rules must return a list"));
  if (!seq) return false;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(seq.get(), i);  // borrowed
    const char *rule = nullptr, *message = nullptr, *where = nullptr, *fix = nullptr;
    int refusing = 1;
    if (!PyArg_ParseTuple(item, "spsss", &rule, &refusing, &message, &where, &fix)) return false;
    out->push_back(Finding{rule, message, fix, refusing != 0, where});
  }
  return true;
}

}  // namespace

void install_import_hooks() {
  BASTION_ASSERT_GIL_HELD();
  hook_error().clear();
  std::string error;
  PyRef module = guard_module(&error);
  if (!module) {
    hook_error() = "loading the guard module failed: " + last_line(error);
    BLOG_ERROR("BST-E0604 debug guard: cannot load its rules\n%s", error.c_str());
    return;
  }
  PyRef done = PyRef::steal(PyObject_CallMethod(module.get(), "install", nullptr));
  if (!done) {
    error = py::Interpreter::format_exception();
    hook_error() = "installing the import hooks failed: " + last_line(error);
    BLOG_ERROR("BST-E0604 debug guard: cannot install its import hooks\n%s", error.c_str());
  }
}

std::vector<Finding> inspect(PyObject* app, const config::Config& config) {
  BASTION_ASSERT_GIL_HELD();
  std::string error;
  PyRef module = guard_module(&error);
  if (!module) {
    BLOG_ERROR("BST-E0604 debug guard: cannot load its rules\n%s", error.c_str());
    return {internal_failure("loading its rules", error)};
  }
  AppLabel names = app_label(config.app_uri);
  PyRef raw_env = string_list(config.raw_env);
  PyRef result;
  if (raw_env) {
    const char* hook = hook_error().empty() ? nullptr : hook_error().c_str();
    result = PyRef::steal(PyObject_CallMethod(module.get(), "inspect", "OssOz", app,
                                              names.label.c_str(), names.module.c_str(),
                                              raw_env.get(), hook));
  }
  std::vector<Finding> findings;
  if (result && convert(result.get(), &findings)) return findings;
  error = py::Interpreter::format_exception();
  BLOG_ERROR("BST-E0604 debug guard: the inspection raised\n%s", error.c_str());
  return {internal_failure("the inspection raised", error)};
}

bool refuses(const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    if (f.refuses) return true;
  }
  return false;
}

std::string format(const Finding& f) {
  return f.rule + (f.refuses ? " " : " (warning) ") + f.message + " -- fix: " + f.fix;
}

AppLabel app_label(const std::string& app_uri) {
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e + 1 - b);
  };
  size_t colon = app_uri.find(':');
  if (colon == std::string::npos) return {"", trim(app_uri)};
  return {trim(app_uri.substr(colon + 1)), trim(app_uri.substr(0, colon))};
}

}  // namespace bastion::guard
