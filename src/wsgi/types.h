// SPDX-License-Identifier: MIT
// The Python objects Bastion hands to a WSGI application: wsgi.input, wsgi.errors,
// wsgi.file_wrapper and the start_response callable. Implemented in C for speed. All
// functions here: worker thread, GIL held. No sockets.
#pragma once

#include <Python.h>

#include <cstdint>

#include "python/ref.h"
#include "server/body.h"

namespace bastion::wsgi {

/// Receives start_response() and write() calls for the request in progress.
class Exchange {
 public:
  /// Returns a new reference (the write callable) or null with an exception set.
  virtual PyObject* on_start_response(PyObject* status, PyObject* headers, PyObject* exc_info) = 0;
  /// Returns None (new reference) or null with an exception set.
  virtual PyObject* on_write(PyObject* data) = 0;

 protected:
  ~Exchange() = default;
};

/// Creates the heap types once per interpreter. False with a Python error on failure.
bool init_types();
/// Drops the types (before Py_Finalize).
void release_types();

/// New wsgi.input reading `body` (borrowed: call input_detach() before `body` changes).
py::PyRef new_input(const server::Body* body);
/// Makes later reads return b"" (the request is over; the app may still hold the object).
void input_detach(PyObject* input);

/// New wsgi.errors object writing lines to the error log.
py::PyRef new_errors();

/// The wsgi.file_wrapper type (borrowed).
PyObject* file_wrapper_type();
/// For a FileWrapper instance: its file-like object (borrowed) and block size; else null.
PyObject* file_wrapper_filelike(PyObject* obj, Py_ssize_t* blksize);

/// New start_response callable bound to `exchange` (borrowed: detach before it dies).
py::PyRef new_start_response(Exchange* exchange);
void start_response_detach(PyObject* start_response);
/// New reference to `start_response`'s bound write() callable (what start_response returns).
PyObject* start_response_write(PyObject* start_response);

}  // namespace bastion::wsgi
