// SPDX-License-Identifier: MIT
// The seam for Gunicorn's per-request server hooks (pre_request, post_request): an interface
// the WSGI handler calls around each application call when a worker has installed one. The
// worker (process layer) implements it; the handler only does a null check per request when
// no hook is defined. No sockets.
//
// Threading: set_request_hooks() is called once by the worker before it serves (before any
// pool thread starts) and never changed afterwards; before() and after() are called with the
// GIL held, on whichever thread runs or releases the request.
#pragma once

#include <Python.h>

#include <cstdint>
#include <string_view>

#include "python/ref.h"
#include "server/handler.h"

namespace bastion::wsgi {

/// What post_request learns about the response.
struct ResponseSummary {
  std::string_view status;      ///< "200 OK" ("" when the application never answered)
  std::string_view fields;      ///< "Name: value\r\n" lines as the application gave them
  int64_t content_length = -1;  ///< the declared Content-Length, -1 when none
  int64_t sent = 0;             ///< body bytes produced for the client
};

class RequestHooks {
 public:
  virtual ~RequestHooks() = default;
  /// GIL held. Called once the environ is built, just before the application. Runs the
  /// pre_request hook (its exceptions are logged, never propagated) and returns a new
  /// reference to the request object that after() receives (never null).
  virtual py::PyRef before(const server::RequestInfo& info, PyObject* environ) = 0;
  /// GIL held. Called when the response is over (the iterable closed). Runs post_request;
  /// its exceptions are logged. No exception is pending on return.
  virtual void after(PyObject* request, PyObject* environ, const ResponseSummary& response) = 0;
};

namespace detail {
inline RequestHooks* g_request_hooks = nullptr;
}  // namespace detail

/// The hooks this process runs around each request, or null (nothing defined).
inline RequestHooks* request_hooks() noexcept { return detail::g_request_hooks; }
/// Installs (or with null removes) the hooks; the caller keeps ownership. Before serving.
inline void set_request_hooks(RequestHooks* hooks) noexcept { detail::g_request_hooks = hooks; }

}  // namespace bastion::wsgi
