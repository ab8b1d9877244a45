// SPDX-License-Identifier: MIT
// Python logging configuration for workers (see python_logging.h).
#include "worker/python_logging.h"

#include <Python.h>

#include "base/log.h"
#include "python/interpreter.h"
#include "python/ref.h"

namespace bastion::worker {
namespace {

/// Runs in the worker's interpreter with `kind` ("dict", "json" or "ini") and `value` (the
/// JSON text of the dict, or a file path) bound as globals. The defaults are Gunicorn's
/// (root at INFO to stdout, gunicorn.error to stderr). Gunicorn replaces whole top-level keys
/// (dict.update), so a dict with its own "handlers" but no "console" fails there because the
/// default root still names it; here handlers, formatters, filters and loggers are merged by
/// name instead, so every dict Gunicorn accepts configures the same loggers, and that one
/// works too.
constexpr const char* kProgram = R"PY(
import json as _json
import logging.config as _lc
import os as _os

def _bastion_defaults():
    fmt = "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"],
                               "propagate": True, "qualname": "gunicorn.error"},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"],
                                "propagate": True, "qualname": "gunicorn.access"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "generic",
                        "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "generic",
                              "stream": "ext://sys.stderr"},
        },
        "formatters": {
            "generic": {"format": fmt, "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
                        "class": "logging.Formatter"},
        },
    }

def _bastion_apply(kind, value):
    if kind == "ini":
        if not _os.path.exists(value):
            raise RuntimeError("log config %r not found" % value)
        _lc.fileConfig(value, defaults={"__file__": value, "here": _os.path.dirname(value)},
                       disable_existing_loggers=False)
        return
    if kind == "json":
        with open(value, encoding="utf-8") as f:
            user = _json.load(f)
    else:
        user = _json.loads(value)
    if not isinstance(user, dict):
        raise TypeError("the logging configuration must be a JSON object")
    merged = _bastion_defaults()
    for key, value in user.items():
        if key in ("handlers", "formatters", "filters", "loggers") and isinstance(value, dict):
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value
    _lc.dictConfig(merged)

_bastion_apply(_bastion_kind, _bastion_value)
)PY";

}  // namespace

bool apply_python_logging(const config::Config& cfg, std::string* error) {
  const char* kind = nullptr;
  const std::string* value = nullptr;
  if (!cfg.logconfig_dict.empty() && cfg.logconfig_dict != "{}") {
    kind = "dict";
    value = &cfg.logconfig_dict;
  } else if (!cfg.logconfig_json.empty()) {
    kind = "json";
    value = &cfg.logconfig_json;
  } else if (!cfg.logconfig.empty()) {
    kind = "ini";
    value = &cfg.logconfig;
  } else {
    return true;
  }
  py::PyRef globals = py::PyRef::steal(PyDict_New());
  py::PyRef kind_obj = py::PyRef::steal(PyUnicode_FromString(kind));
  py::PyRef value_obj = py::PyRef::steal(
      PyUnicode_DecodeUTF8(value->data(), static_cast<Py_ssize_t>(value->size()), "replace"));
  bool ok = globals && kind_obj && value_obj &&
            PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) == 0 &&
            PyDict_SetItemString(globals.get(), "_bastion_kind", kind_obj.get()) == 0 &&
            PyDict_SetItemString(globals.get(), "_bastion_value", value_obj.get()) == 0;
  if (ok) {
    py::PyRef result = py::PyRef::steal(
        PyRun_String(kProgram, Py_file_input, globals.get(), globals.get()));
    ok = static_cast<bool>(result);
  }
  if (!ok) {
    if (error != nullptr) *error = py::Interpreter::format_exception();
    PyErr_Clear();
  }
  return ok;
}

bool configure_worker_python_logging(const config::Config& cfg) {
  std::string error;
  if (apply_python_logging(cfg, &error)) return true;
  const char* which = !cfg.logconfig_dict.empty() && cfg.logconfig_dict != "{}" ? "logconfig_dict"
                      : !cfg.logconfig_json.empty()                          ? "logconfig_json"
                                                                             : "logconfig";
  BLOG_CRIT("BST-E0520 cannot apply %s to Python logging:\n%s", which, error.c_str());
  return false;
}

}  // namespace bastion::worker
