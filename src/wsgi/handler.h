// SPDX-License-Identifier: MIT
// The WSGI implementation of server::Handler: builds the environ, calls the application,
// validates start_response, and turns the returned iterable (or write() calls, or a
// wsgi.file_wrapper) into ResponseSource pulls. Application exceptions become a generic 500
// (no traceback, no paths) with the traceback in the error log under the request id.
//
// Threading: start(), pull() and the destructor run on the loop thread (--threads 1) or on a
// pool thread attached with py::attach_thread() (--threads N), and take the GIL themselves
// (py::GilAcquire). The loop thread never holds the GIL while it polls. No sockets.
#pragma once

#include <Python.h>

#include <memory>

#include "python/ref.h"
#include "server/handler.h"
#include "wsgi/environ.h"

namespace bastion::wsgi {

class WsgiHandler final : public server::Handler {
 public:
  /// GIL held. Takes a new reference to `app`. `ts` is the thread state that start() will
  /// restore (the caller releases the GIL with PyEval_SaveThread after construction).
  WsgiHandler(PyObject* app, const EnvironSettings& settings);
  /// GIL must be held (the caller re-acquires it for shutdown).
  ~WsgiHandler() override;

  void set_thread_state(PyThreadState* ts) noexcept { ts_ = ts; }
  std::unique_ptr<server::ResponseSource> start(const server::RequestInfo& info) override;

  // Used by the response objects.
  PyThreadState* thread_state() const noexcept { return ts_; }
  PyObject* app() const noexcept { return app_.get(); }
  PyObject* errors() const noexcept { return errors_.get(); }
  /// The interned name "close" (looked up on every response iterable).
  PyObject* close_name() const noexcept { return close_name_.get(); }
  EnvironBuilder& environ() noexcept { return environ_; }

 private:
  py::PyRef app_;
  py::PyRef errors_;
  py::PyRef close_name_;
  EnvironBuilder environ_;
  PyThreadState* ts_ = nullptr;
};

}  // namespace bastion::wsgi
