// SPDX-License-Identifier: MIT
// Owned CPython references and GIL guards. Knows nothing of HTTP.
// Every PyRef must be created, reset and destroyed with the GIL held (checked in debug builds).
#pragma once

#include <Python.h>

#include <utility>

#include "base/assert.h"

/// Aborts when the calling thread does not hold the GIL.
#define BASTION_ASSERT_GIL_HELD() BASTION_ASSERT(PyGILState_Check())
/// The same check on per-object hot paths (every PyRef decref), in debug and sanitizer builds
/// only: PyGILState_Check costs a thread-local lookup, ~20 times per request.
#ifdef NDEBUG
#define BASTION_DEBUG_ASSERT_GIL_HELD() ((void)0)
#else
#define BASTION_DEBUG_ASSERT_GIL_HELD() BASTION_ASSERT_GIL_HELD()
#endif

namespace bastion::py {

/// Owns one strong reference. Move-only; copies are explicit (clone()).
class PyRef {
 public:
  PyRef() noexcept = default;
  /// Adopts a new reference (may be null: an error is then pending).
  static PyRef steal(PyObject* p) noexcept { return PyRef(p); }
  /// Takes a new reference to a borrowed one.
  static PyRef borrow(PyObject* p) noexcept {
    Py_XINCREF(p);
    return PyRef(p);
  }
  PyRef(PyRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  PyRef& operator=(PyRef&& o) noexcept {
    if (this != &o) reset(std::exchange(o.p_, nullptr));
    return *this;
  }
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  ~PyRef() { reset(); }

  PyObject* get() const noexcept { return p_; }
  /// Hands the reference to an API that steals it.
  [[nodiscard]] PyObject* release() noexcept { return std::exchange(p_, nullptr); }
  PyRef clone() const noexcept { return borrow(p_); }
  /// Swaps first, then drops the old value: a __del__ run by the decref may touch this object.
  void reset(PyObject* p = nullptr) noexcept {
    PyObject* old = std::exchange(p_, p);
    if (old != nullptr) {
      BASTION_DEBUG_ASSERT_GIL_HELD();
      Py_DECREF(old);
    }
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  explicit PyRef(PyObject* p) noexcept : p_(p) {}
  PyObject* p_ = nullptr;
};

/// Holds the GIL for a scope, on a thread whose thread state is `ts` (the worker's main
/// thread state saved by GilRelease or Interpreter). Not copyable or movable.
class GilScope {
 public:
  explicit GilScope(PyThreadState* ts) noexcept : ts_(ts) { PyEval_RestoreThread(ts_); }
  ~GilScope() { PyEval_SaveThread(); }
  GilScope(const GilScope&) = delete;
  GilScope& operator=(const GilScope&) = delete;

 private:
  PyThreadState* ts_;
};

/// Holds the GIL for a scope on any thread that has a Python thread state (the worker's main
/// thread, or a pool thread attached with attach_thread()). Not copyable or movable.
class GilAcquire {
 public:
  GilAcquire() noexcept : state_(PyGILState_Ensure()) {}
  ~GilAcquire() { PyGILState_Release(state_); }
  GilAcquire(const GilAcquire&) = delete;
  GilAcquire& operator=(const GilAcquire&) = delete;

 private:
  PyGILState_STATE state_;
};

/// Gives the calling (non-Python) thread a Python thread state for its whole life, then
/// releases the GIL. Pair with detach_thread() on the same thread before it ends, so
/// threading.local and contextvars persist across the requests it serves.
void attach_thread();
void detach_thread();

/// Releases the GIL for a scope (blocking I/O, waiting). GIL must be held on entry.
class GilRelease {
 public:
  GilRelease() noexcept : ts_(PyEval_SaveThread()) {}
  ~GilRelease() { PyEval_RestoreThread(ts_); }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* ts_;
};

/// Saves and restores a pending exception around cleanup code (an iterable's close()).
class ErrorScope {
 public:
  ErrorScope() noexcept { PyErr_Fetch(&type_, &value_, &tb_); }
  ~ErrorScope() { PyErr_Restore(type_, value_, tb_); }
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;

 private:
  PyObject* type_ = nullptr;
  PyObject* value_ = nullptr;
  PyObject* tb_ = nullptr;
};

}  // namespace bastion::py
