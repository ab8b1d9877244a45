// SPDX-License-Identifier: MIT
#include "wsgi/types.h"

#include <structmember.h>

#include <cstring>
#include <string>

#include "base/log.h"

namespace bastion::wsgi {
namespace {

PyObject* g_input_type = nullptr;
PyObject* g_errors_type = nullptr;
PyObject* g_file_wrapper_type = nullptr;
PyObject* g_start_response_type = nullptr;

// ---------------------------------------------------------------------------------------
// wsgi.input: reads the fully received body; never blocks on the network.

struct InputObject {
  PyObject_HEAD
  const server::Body* body;
  uint64_t pos;
};

uint64_t input_left(const InputObject* self) {
  if (self->body == nullptr || self->pos >= self->body->size()) return 0;
  return self->body->size() - self->pos;
}

// Reads up to `n` bytes (all remaining when n < 0).
PyObject* input_take(InputObject* self, Py_ssize_t n) {
  uint64_t left = input_left(self);
  uint64_t want = (n < 0 || static_cast<uint64_t>(n) > left) ? left : static_cast<uint64_t>(n);
  if (want == 0) return PyBytes_FromStringAndSize("", 0);
  if (self->body->in_memory()) {
    const char* start = self->body->memory().data() + self->pos;
    self->pos += want;
    return PyBytes_FromStringAndSize(start, static_cast<Py_ssize_t>(want));
  }
  PyObject* out = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(want));
  if (out == nullptr) return nullptr;
  int64_t got = self->body->read_at(self->pos, PyBytes_AS_STRING(out), static_cast<size_t>(want));
  if (got < 0) {
    Py_DECREF(out);
    PyErr_SetString(PyExc_OSError, "cannot read the spooled request body");
    return nullptr;
  }
  self->pos += static_cast<uint64_t>(got);
  if (static_cast<uint64_t>(got) != want) _PyBytes_Resize(&out, static_cast<Py_ssize_t>(got));
  return out;
}

bool parse_size(PyObject* const* args, Py_ssize_t nargs, Py_ssize_t* size) {
  *size = -1;
  if (nargs > 1) {
    PyErr_SetString(PyExc_TypeError, "expected at most one argument");
    return false;
  }
  if (nargs == 1 && args[0] != Py_None) {
    *size = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
    if (*size == -1 && PyErr_Occurred()) return false;
  }
  return true;
}

PyObject* input_read(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  Py_ssize_t size;
  if (!parse_size(args, nargs, &size)) return nullptr;
  return input_take(reinterpret_cast<InputObject*>(self), size);
}

PyObject* input_readline_impl(InputObject* self, Py_ssize_t limit) {
  uint64_t left = input_left(self);
  if (limit >= 0 && static_cast<uint64_t>(limit) < left) left = static_cast<uint64_t>(limit);
  if (left == 0) return PyBytes_FromStringAndSize("", 0);
  if (self->body->in_memory()) {
    const char* start = self->body->memory().data() + self->pos;
    const void* nl = memchr(start, '\n', static_cast<size_t>(left));
    uint64_t n = nl != nullptr ? static_cast<uint64_t>(static_cast<const char*>(nl) - start) + 1 : left;
    self->pos += n;
    return PyBytes_FromStringAndSize(start, static_cast<Py_ssize_t>(n));
  }
  std::string line;
  char block[8192];
  while (left > 0) {
    size_t want = left < sizeof block ? static_cast<size_t>(left) : sizeof block;
    int64_t got = self->body->read_at(self->pos, block, want);
    if (got <= 0) break;
    const void* nl = memchr(block, '\n', static_cast<size_t>(got));
    size_t take = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - block) + 1
                                : static_cast<size_t>(got);
    line.append(block, take);
    self->pos += take;
    left -= take;
    if (nl != nullptr) break;
  }
  return PyBytes_FromStringAndSize(line.data(), static_cast<Py_ssize_t>(line.size()));
}

PyObject* input_readline(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  Py_ssize_t size;
  if (!parse_size(args, nargs, &size)) return nullptr;
  return input_readline_impl(reinterpret_cast<InputObject*>(self), size);
}

PyObject* input_readlines(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  Py_ssize_t hint;
  if (!parse_size(args, nargs, &hint)) return nullptr;
  auto* in = reinterpret_cast<InputObject*>(self);
  py::PyRef list = py::PyRef::steal(PyList_New(0));
  if (!list) return nullptr;
  Py_ssize_t total = 0;
  while (input_left(in) > 0) {
    py::PyRef line = py::PyRef::steal(input_readline_impl(in, -1));
    if (!line) return nullptr;
    total += PyBytes_GET_SIZE(line.get());
    if (PyList_Append(list.get(), line.get()) != 0) return nullptr;
    if (hint > 0 && total >= hint) break;
  }
  return list.release();
}

PyObject* input_iternext(PyObject* self) {
  auto* in = reinterpret_cast<InputObject*>(self);
  if (input_left(in) == 0) return nullptr;  // StopIteration
  return input_readline_impl(in, -1);
}

PyMethodDef kInputMethods[] = {
    {"read", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_read)), METH_FASTCALL,
     "read([size]) -> bytes"},
    {"readline", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_readline)),
     METH_FASTCALL, "readline([size]) -> bytes"},
    {"readlines", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_readlines)),
     METH_FASTCALL, "readlines([hint]) -> list of bytes"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot kInputSlots[] = {{Py_tp_methods, kInputMethods},
                             {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
                             {Py_tp_iternext, reinterpret_cast<void*>(input_iternext)},
                             {Py_tp_doc, const_cast<char*>("wsgi.input: the request body")},
                             {0, nullptr}};
PyType_Spec kInputSpec = {"bastion.Input", sizeof(InputObject), 0, Py_TPFLAGS_DEFAULT, kInputSlots};

// ---------------------------------------------------------------------------------------
// wsgi.errors: text lines to the error log.

struct ErrorsObject {
  PyObject_HEAD
};

PyObject* errors_write(PyObject*, PyObject* arg) {
  Py_ssize_t len = 0;
  const char* text = PyUnicode_Check(arg) ? PyUnicode_AsUTF8AndSize(arg, &len) : nullptr;
  if (text == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "wsgi.errors.write() takes a str");
    return nullptr;
  }
  std::string_view view(text, static_cast<size_t>(len));
  while (!view.empty() && view.back() == '\n') view.remove_suffix(1);
  if (!view.empty()) base::log_text(base::LogLevel::Error, view);
  Py_RETURN_NONE;
}

PyObject* errors_writelines(PyObject* self, PyObject* seq) {
  py::PyRef it = py::PyRef::steal(PyObject_GetIter(seq));
  if (!it) return nullptr;
  while (py::PyRef item = py::PyRef::steal(PyIter_Next(it.get()))) {
    py::PyRef r = py::PyRef::steal(errors_write(self, item.get()));
    if (!r) return nullptr;
  }
  if (PyErr_Occurred()) return nullptr;
  Py_RETURN_NONE;
}

PyObject* errors_flush(PyObject*, PyObject*) { Py_RETURN_NONE; }

PyMethodDef kErrorsMethods[] = {
    {"write", errors_write, METH_O, "write(str)"},
    {"writelines", errors_writelines, METH_O, "writelines(seq)"},
    {"flush", errors_flush, METH_NOARGS, "flush()"},
    {nullptr, nullptr, 0, nullptr}};
PyType_Slot kErrorsSlots[] = {{Py_tp_methods, kErrorsMethods}, {0, nullptr}};
PyType_Spec kErrorsSpec = {"bastion.Errors", sizeof(ErrorsObject), 0, Py_TPFLAGS_DEFAULT, kErrorsSlots};

// ---------------------------------------------------------------------------------------
// wsgi.file_wrapper(filelike, blksize=8192): the server sends real files with sendfile;
// otherwise it iterates read(blksize) blocks.

struct FileWrapperObject {
  PyObject_HEAD
  PyObject* filelike;
  Py_ssize_t blksize;
};

PyObject* fw_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"filelike", "blksize", nullptr};
  PyObject* filelike = nullptr;
  Py_ssize_t blksize = 8192;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n", const_cast<char**>(kwlist), &filelike, &blksize))
    return nullptr;
  auto* self = reinterpret_cast<FileWrapperObject*>(type->tp_alloc(type, 0));
  if (self == nullptr) return nullptr;
  Py_INCREF(filelike);
  self->filelike = filelike;
  self->blksize = blksize > 0 ? blksize : 8192;
  return reinterpret_cast<PyObject*>(self);
}

void fw_dealloc(PyObject* obj) {
  auto* self = reinterpret_cast<FileWrapperObject*>(obj);
  PyTypeObject* type = Py_TYPE(obj);
  Py_CLEAR(self->filelike);
  type->tp_free(obj);
  Py_DECREF(type);
}

PyObject* fw_iternext(PyObject* obj) {
  auto* self = reinterpret_cast<FileWrapperObject*>(obj);
  PyObject* data = PyObject_CallMethod(self->filelike, "read", "n", self->blksize);
  if (data == nullptr) return nullptr;
  if ((PyBytes_Check(data) && PyBytes_GET_SIZE(data) == 0) || data == Py_None) {
    Py_DECREF(data);
    return nullptr;
  }
  return data;
}

PyObject* fw_close(PyObject* obj, PyObject*) {
  auto* self = reinterpret_cast<FileWrapperObject*>(obj);
  if (PyObject_HasAttrString(self->filelike, "close")) {
    return PyObject_CallMethod(self->filelike, "close", nullptr);
  }
  Py_RETURN_NONE;
}

PyMethodDef kFileWrapperMethods[] = {{"close", fw_close, METH_NOARGS, "close()"},
                                     {nullptr, nullptr, 0, nullptr}};
PyMemberDef kFileWrapperMembers[] = {
    {"filelike", T_OBJECT, offsetof(FileWrapperObject, filelike), READONLY, nullptr},
    {"blksize", T_PYSSIZET, offsetof(FileWrapperObject, blksize), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};
PyType_Slot kFileWrapperSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(fw_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(fw_dealloc)},
    {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void*>(fw_iternext)},
    {Py_tp_methods, kFileWrapperMethods},
    {Py_tp_members, kFileWrapperMembers},
    {0, nullptr}};
PyType_Spec kFileWrapperSpec = {"bastion.FileWrapper", sizeof(FileWrapperObject), 0,
                                Py_TPFLAGS_DEFAULT, kFileWrapperSlots};

// ---------------------------------------------------------------------------------------
// start_response(status, headers, exc_info=None) -> write

struct StartResponseObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;  // tp_vectorcall_offset points here
  Exchange* exchange;
};

PyObject* sr_dispatch(PyObject* obj, PyObject* status, PyObject* headers, PyObject* exc_info) {
  auto* self = reinterpret_cast<StartResponseObject*>(obj);
  if (self->exchange == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "start_response() called after the request ended");
    return nullptr;
  }
  return self->exchange->on_start_response(status, headers, exc_info);
}

// start_response(status, response_headers, exc_info=None), called without building an argument
// tuple (vectorcall). Keywords are accepted by their PEP 3333 names.
PyObject* sr_vectorcall(PyObject* obj, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  Py_ssize_t nkw = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  if (nargs > 3) {
    PyErr_Format(PyExc_TypeError, "start_response() takes at most 3 arguments (%zd given)",
                 nargs + nkw);
    return nullptr;
  }
  PyObject* slots[3] = {nullptr, nullptr, nullptr};
  for (Py_ssize_t i = 0; i < nargs; ++i) slots[i] = args[i];
  static const char* const kNames[3] = {"status", "response_headers", "exc_info"};
  for (Py_ssize_t i = 0; i < nkw; ++i) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, i);
    int index = -1;
    for (int k = 0; k < 3; ++k) {
      if (PyUnicode_CompareWithASCIIString(name, kNames[k]) == 0) index = k;
    }
    if (index < 0) {
      PyErr_Format(PyExc_TypeError, "start_response() got an unexpected keyword argument '%U'",
                   name);
      return nullptr;
    }
    if (slots[index] != nullptr) {
      PyErr_Format(PyExc_TypeError, "start_response() got multiple values for argument '%s'",
                   kNames[index]);
      return nullptr;
    }
    slots[index] = args[nargs + i];
  }
  if (slots[0] == nullptr || slots[1] == nullptr) {
    PyErr_SetString(PyExc_TypeError,
                    "start_response() missing required argument 'status' or 'response_headers'");
    return nullptr;
  }
  return sr_dispatch(obj, slots[0], slots[1], slots[2] != nullptr ? slots[2] : Py_None);
}

PyObject* sr_write(PyObject* obj, PyObject* data) {
  auto* self = reinterpret_cast<StartResponseObject*>(obj);
  if (self->exchange == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "write() called after the request ended");
    return nullptr;
  }
  return self->exchange->on_write(data);
}

PyMethodDef kStartResponseMethods[] = {{"write", sr_write, METH_O, "write(bytes)"},
                                       {nullptr, nullptr, 0, nullptr}};
PyMemberDef kStartResponseMembers[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(StartResponseObject, vectorcall), READONLY,
     nullptr},
    {nullptr, 0, 0, 0, nullptr}};
PyType_Slot kStartResponseSlots[] = {{Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
                                     {Py_tp_methods, kStartResponseMethods},
                                     {Py_tp_members, kStartResponseMembers},
                                     {0, nullptr}};
PyType_Spec kStartResponseSpec = {"bastion.StartResponse", sizeof(StartResponseObject), 0,
                                  Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
                                  kStartResponseSlots};

}  // namespace

bool init_types() {
  BASTION_ASSERT_GIL_HELD();
  g_input_type = PyType_FromSpec(&kInputSpec);
  g_errors_type = PyType_FromSpec(&kErrorsSpec);
  g_file_wrapper_type = PyType_FromSpec(&kFileWrapperSpec);
  g_start_response_type = PyType_FromSpec(&kStartResponseSpec);
  return g_input_type && g_errors_type && g_file_wrapper_type && g_start_response_type;
}

void release_types() {
  Py_CLEAR(g_input_type);
  Py_CLEAR(g_errors_type);
  Py_CLEAR(g_file_wrapper_type);
  Py_CLEAR(g_start_response_type);
}

py::PyRef new_input(const server::Body* body) {
  auto* type = reinterpret_cast<PyTypeObject*>(g_input_type);
  auto* obj = reinterpret_cast<InputObject*>(type->tp_alloc(type, 0));
  if (obj == nullptr) return {};
  obj->body = body;
  obj->pos = 0;
  return py::PyRef::steal(reinterpret_cast<PyObject*>(obj));
}

void input_detach(PyObject* input) {
  if (input != nullptr) reinterpret_cast<InputObject*>(input)->body = nullptr;
}

py::PyRef new_errors() {
  auto* type = reinterpret_cast<PyTypeObject*>(g_errors_type);
  return py::PyRef::steal(type->tp_alloc(type, 0));
}

PyObject* file_wrapper_type() { return g_file_wrapper_type; }

PyObject* file_wrapper_filelike(PyObject* obj, Py_ssize_t* blksize) {
  if (obj == nullptr || Py_TYPE(obj) != reinterpret_cast<PyTypeObject*>(g_file_wrapper_type))
    return nullptr;
  auto* fw = reinterpret_cast<FileWrapperObject*>(obj);
  *blksize = fw->blksize;
  return fw->filelike;
}

py::PyRef new_start_response(Exchange* exchange) {
  auto* type = reinterpret_cast<PyTypeObject*>(g_start_response_type);
  auto* obj = reinterpret_cast<StartResponseObject*>(type->tp_alloc(type, 0));
  if (obj == nullptr) return {};
  obj->vectorcall = sr_vectorcall;
  obj->exchange = exchange;
  return py::PyRef::steal(reinterpret_cast<PyObject*>(obj));
}

PyObject* start_response_write(PyObject* start_response) {
  // The bound method write(), made directly (no attribute lookup by name).
  return PyCFunction_New(&kStartResponseMethods[0], start_response);
}

void start_response_detach(PyObject* start_response) {
  if (start_response != nullptr)
    reinterpret_cast<StartResponseObject*>(start_response)->exchange = nullptr;
}

}  // namespace bastion::wsgi
