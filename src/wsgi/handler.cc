// SPDX-License-Identifier: MIT
#include "wsgi/handler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/log.h"
#include "http/response.h"
#include "python/interpreter.h"
#include "wsgi/request_hooks.h"
#include "wsgi/types.h"

namespace bastion::wsgi {
namespace {

using py::PyRef;

/// One request's trip through the application.
class WsgiResponse final : public server::ResponseSource, public Exchange {
 public:
  WsgiResponse(WsgiHandler& handler, const server::RequestInfo& info)
      : handler_(handler), info_(info) {}

  ~WsgiResponse() override {
    py::GilAcquire gil;
    if (result_ && !PyList_CheckExact(result_.get()) && !PyTuple_CheckExact(result_.get())) {
      // PEP 3333: close() is called whenever the iterable has one, even after an error.
      // _PyObject_LookupAttr reports "absent" without building an AttributeError.
      PyObject* close_raw = nullptr;
      if (_PyObject_LookupAttr(result_.get(), handler_.close_name(), &close_raw) > 0) {
        PyRef close = PyRef::steal(close_raw);
        PyRef r = PyRef::steal(PyObject_CallNoArgs(close.get()));
        if (!r) log_exception("closing the response iterable");
      } else {
        PyErr_Clear();
      }
    }
    if (hook_req_) run_post_request();  // server hooks (config file): after close(), as Gunicorn
    input_detach(input_.get());
    start_response_detach(start_response_.get());
    chunk_.reset();
    held_.reset();
    iter_.reset();
    result_.reset();
    environ_.reset();
    start_response_.reset();
    input_.reset();
  }

  server::Pull pull() override {
    py::GilAcquire gil;
    server::Pull p;
    switch (phase_) {
      case Phase::Init:
        if (!call_app()) return error_head();
        phase_ = Phase::Head;
        [[fallthrough]];
      case Phase::Head: {
        // PEP 3333: the head goes out with the first non-empty body chunk (or at the end).
        if (pending_.empty() && !file_mode_) {
          Fetch f = fetch();
          if (f == Fetch::Error) return error_head();
          if (f == Fetch::End) at_end_ = true;
        }
        if (!started_) {
          BLOG_ERROR("BST-E0402 request %s: the application returned without calling "
                     "start_response()", std::string(info_.request_id).c_str());
          return error_head();
        }
        if (file_mode_ && head_.content_length < 0) {
          head_.content_length = file_length_;
          fields_ += "Content-Length: " + std::to_string(file_length_) + "\r\n";
        } else if (!file_mode_ && head_.content_length < 0 && pending_.empty() &&
                   !http::status_forbids_body(head_.status)) {
          // The whole body is already known (an empty iterable, or the common one-item
          // list): declare its length instead of chunking it, as Waitress does. This also
          // keeps HTTP/1.0 keep-alive connections open.
          bool seq_done = seq_ && seq_pos_ >= PySequence_Fast_GET_SIZE(result_.get());
          if (at_end_ || (seq_done && chunk_)) {
            head_.content_length = chunk_ ? PyBytes_GET_SIZE(chunk_.get()) : 0;
            fields_ += "Content-Length: " + std::to_string(head_.content_length) + "\r\n";
          }
        }
        head_.status_text = status_text_;
        head_.fields = fields_;
        phase_ = Phase::Body;
        p.status = server::PullStatus::Head;
        p.head = &head_;
        return p;
      }
      case Phase::Body: break;
      case Phase::Done: p.status = server::PullStatus::Done; return p;
    }
    if (!pending_.empty()) {
      sent_.swap(pending_);
      pending_.clear();
      p.status = server::PullStatus::Data;
      p.data = sent_;
      return p;
    }
    if (chunk_) {
      p.status = server::PullStatus::Data;
      p.data = chunk_view();
      held_ = std::move(chunk_);
      return p;
    }
    if (file_mode_) {
      phase_ = Phase::Done;
      p.status = server::PullStatus::File;
      p.file_fd = file_fd_;
      p.offset = file_offset_;
      p.length = file_length_;
      return p;
    }
    if (at_end_) {
      phase_ = Phase::Done;
      p.status = server::PullStatus::Done;
      return p;
    }
    Fetch f = fetch();
    if (f == Fetch::Error) {
      phase_ = Phase::Done;
      p.status = server::PullStatus::Error;
      return p;
    }
    if (f == Fetch::End && pending_.empty()) {
      phase_ = Phase::Done;
      p.status = server::PullStatus::Done;
      return p;
    }
    if (f == Fetch::End) at_end_ = true;
    return pull_buffered(p);
  }

  std::string env_value(std::string_view name) override {
    if (!environ_) return {};
    py::GilAcquire gil;
    PyRef key = PyRef::steal(PyUnicode_FromStringAndSize(name.data(), static_cast<Py_ssize_t>(name.size())));
    PyObject* v = key ? PyDict_GetItemWithError(environ_.get(), key.get()) : nullptr;
    if (v == nullptr) {
      PyErr_Clear();
      return {};
    }
    PyRef s = PyRef::steal(PyObject_Str(v));
    const char* utf8 = s ? PyUnicode_AsUTF8(s.get()) : nullptr;
    if (utf8 == nullptr) PyErr_Clear();
    return utf8 != nullptr ? utf8 : "";
  }

  PyObject* on_start_response(PyObject* status, PyObject* headers, PyObject* exc_info) override;
  PyObject* on_write(PyObject* data) override;

 private:
  enum class Phase { Init, Head, Body, Done };
  enum class Fetch { Data, End, Error };

  server::Pull pull_buffered(server::Pull& p) {
    if (!pending_.empty()) {
      sent_.swap(pending_);
      pending_.clear();
      p.status = server::PullStatus::Data;
      p.data = sent_;
      return p;
    }
    p.status = server::PullStatus::Data;
    p.data = chunk_view();
    held_ = std::move(chunk_);
    return p;
  }

  std::string_view chunk_view() const {
    return {PyBytes_AS_STRING(chunk_.get()), static_cast<size_t>(PyBytes_GET_SIZE(chunk_.get()))};
  }

  bool call_app() {
    input_ = new_input(info_.body);
    start_response_ = new_start_response(this);
    bool bad_request = false;
    environ_ = handler_.environ().build(info_, input_.get(), handler_.errors(), &bad_request);
    if (bad_request) {
      bad_request_ = true;
      return false;
    }
    if (!environ_ || !input_ || !start_response_) {
      log_exception("building the WSGI environ");
      return false;
    }
    if (RequestHooks* hooks = request_hooks()) hook_req_ = hooks->before(info_, environ_.get());
    PyObject* args[] = {environ_.get(), start_response_.get()};
    result_ = PyRef::steal(PyObject_Vectorcall(handler_.app(), args, 2, nullptr));
    if (!result_) {
      log_exception("calling the application");
      return false;
    }
    Py_ssize_t blksize = 0;
    if (PyObject* filelike = file_wrapper_filelike(result_.get(), &blksize)) try_file_mode(filelike);
    if (!file_mode_ && (PyList_CheckExact(result_.get()) || PyTuple_CheckExact(result_.get()))) {
      seq_ = true;
    } else if (!file_mode_) {
      iter_ = PyRef::steal(PyObject_GetIter(result_.get()));
      if (!iter_) {
        log_exception("iterating the application's response");
        return false;
      }
    }
    return true;
  }

  // A file_wrapper around a real, regular file is sent with sendfile by the loop.
  void try_file_mode(PyObject* filelike) {
    PyRef fileno = PyRef::steal(PyObject_CallMethod(filelike, "fileno", nullptr));
    if (!fileno) {
      PyErr_Clear();
      return;
    }
    long fd = PyLong_AsLong(fileno.get());
    struct stat st;
    if (fd < 0 || fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode)) {
      PyErr_Clear();
      return;
    }
    int64_t offset = 0;
    PyRef tell = PyRef::steal(PyObject_CallMethod(filelike, "tell", nullptr));
    if (tell) {
      offset = PyLong_AsLongLong(tell.get());
    } else {
      PyErr_Clear();
      offset = lseek(static_cast<int>(fd), 0, SEEK_CUR);
    }
    if (offset < 0 || offset > st.st_size) {
      PyErr_Clear();
      return;
    }
    file_mode_ = true;
    file_fd_ = static_cast<int>(fd);
    file_offset_ = offset;
    file_length_ = st.st_size - offset;
  }

  // Next non-empty chunk into chunk_.
  Fetch fetch() {
    while (true) {
      PyRef item;
      if (seq_) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(result_.get());
        if (seq_pos_ >= n) return Fetch::End;
        item = PyRef::borrow(PySequence_Fast_GET_ITEM(result_.get(), seq_pos_++));
      } else {
        item = PyRef::steal(PyIter_Next(iter_.get()));
        if (!item) {
          if (PyErr_Occurred()) {
            log_exception("iterating the application's response");
            return Fetch::Error;
          }
          return Fetch::End;
        }
      }
      if (!PyBytes_Check(item.get())) {
        PyErr_Format(PyExc_TypeError, "the application yielded %s; WSGI body chunks must be bytes",
                     Py_TYPE(item.get())->tp_name);
        log_exception("iterating the application's response");
        return Fetch::Error;
      }
      if (PyBytes_GET_SIZE(item.get()) == 0) continue;
      if (!started_) {
        PyErr_SetString(PyExc_AssertionError, "body data produced before start_response()");
        log_exception("iterating the application's response");
        return Fetch::Error;
      }
      produced_ += PyBytes_GET_SIZE(item.get());
      chunk_ = std::move(item);
      return Fetch::Data;
    }
  }

  // A generic error page: the client learns nothing but the status and the request id.
  server::Pull error_head() {
    int status = bad_request_ ? 400 : 500;
    const char* title = bad_request_ ? "Bad Request" : "Internal Server Error";
    const http::HeaderField* accept = info_.head->find("Accept");
    bool json = accept != nullptr && accept->value.find("json") != std::string_view::npos &&
                accept->value.find("html") == std::string_view::npos;
    std::string rid(info_.request_id);
    if (json) {
      error_body_ = "{\"error\": \"" + std::string(title) + "\", \"status\": " + std::to_string(status) +
                    ", \"request_id\": \"" + rid + "\"}\n";
    } else {
      error_body_ = "<!doctype html>\n<html><head><title>" + std::to_string(status) + " " + title +
                    "</title></head><body><h1>" + title +
                    "</h1><p>The server could not complete the request.</p><p>Request ID: " + rid +
                    "</p></body></html>\n";
    }
    status_text_ = std::to_string(status) + " " + title;
    fields_ = std::string("Content-Type: ") + (json ? "application/json" : "text/html; charset=utf-8") +
              "\r\nContent-Length: " + std::to_string(error_body_.size()) + "\r\n";
    head_ = server::ResponseHead{};
    head_.status = status;
    head_.status_text = status_text_;
    head_.fields = fields_;
    head_.content_length = static_cast<int64_t>(error_body_.size());
    // A rejected request (contradicting proxy headers) ends the connection like a parse error.
    head_.close = bad_request_;
    pending_.clear();
    chunk_.reset();
    file_mode_ = false;
    pending_ = error_body_;
    at_end_ = true;
    phase_ = Phase::Body;
    server::Pull p;
    p.status = server::PullStatus::Head;
    p.head = &head_;
    return p;
  }

  void run_post_request() {
    int64_t sent = file_mode_                    ? file_length_
                   : head_.content_length >= 0 ? head_.content_length
                                               : produced_;
    request_hooks()->after(hook_req_.get(), environ_.get(),
                           ResponseSummary{status_text_, fields_, head_.content_length, sent});
    hook_req_.reset();
  }

  void log_exception(const char* what) {
    std::string tb = py::Interpreter::format_exception();
    std::string rid(info_.request_id);
    base::log_at(base::LogLevel::Error, "BST-E0401 Error %s for %.*s %.*s (request id %s)\n%s", what,
                 static_cast<int>(info_.head->method.size()), info_.head->method.data(),
                 static_cast<int>(info_.head->target.size()), info_.head->target.data(), rid.c_str(),
                 tb.c_str());
  }

  WsgiHandler& handler_;
  server::RequestInfo info_;
  Phase phase_ = Phase::Init;
  PyRef input_, start_response_, environ_, result_, iter_, chunk_, held_;
  PyRef hook_req_;          // the pre_request/post_request `req` (only with server hooks)
  int64_t produced_ = 0;    // body bytes from the iterable and write()
  bool seq_ = false;
  Py_ssize_t seq_pos_ = 0;
  bool started_ = false;
  bool at_end_ = false;
  bool bad_request_ = false;
  bool file_mode_ = false;
  int file_fd_ = -1;
  int64_t file_offset_ = 0;
  int64_t file_length_ = 0;
  server::ResponseHead head_;
  std::string status_text_;
  std::string fields_;
  std::string pending_;  // bytes from write() not yet pulled
  std::string sent_;     // the buffer the last Data pull points into
  std::string error_body_;
};

// A latin-1 view of a str, without copying: CPython stores every str whose characters are
// all below 256 one byte per character. False for anything else (not a str, or wider).
bool latin1(PyObject* s, std::string_view* out) {
  if (!PyUnicode_Check(s) || PyUnicode_KIND(s) != PyUnicode_1BYTE_KIND) return false;
  *out = {reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(s)),
          static_cast<size_t>(PyUnicode_GET_LENGTH(s))};
  return true;
}

PyObject* WsgiResponse::on_start_response(PyObject* status, PyObject* headers, PyObject* exc_info) {
  bool have_exc = exc_info != Py_None && exc_info != nullptr;
  if (started_ && !have_exc) {
    PyErr_SetString(PyExc_AssertionError,
                    "start_response() called a second time without exc_info");
    return nullptr;
  }
  if (have_exc && phase_ == Phase::Body) {
    // Headers are already on their way: PEP 3333 says re-raise the application's error.
    PyObject *t = nullptr, *v = nullptr, *tb = nullptr;
    if (!PyArg_ParseTuple(exc_info, "OOO", &t, &v, &tb)) return nullptr;
    Py_INCREF(t);
    Py_INCREF(v);
    Py_INCREF(tb);
    PyErr_Restore(t, v, tb == Py_None ? nullptr : tb);
    if (tb == Py_None) Py_DECREF(tb);
    return nullptr;
  }
  std::string_view status_text;
  int code = 0;
  if (!latin1(status, &status_text) || !http::parse_status_line(status_text, &code)) {
    PyErr_Format(PyExc_ValueError, "invalid WSGI status %R (expected e.g. '200 OK')", status);
    return nullptr;
  }
  if (code < 200) {
    // A 1xx is interim: sent as the final answer it would leave the client waiting for the
    // real one, and the server owns interim responses (100 Continue) anyway.
    PyErr_Format(PyExc_ValueError, "WSGI status %R is informational (1xx), not a final response",
                 status);
    return nullptr;
  }
  if (!PyList_Check(headers) && !PyTuple_Check(headers)) {
    PyErr_SetString(PyExc_TypeError, "response_headers must be a list of (name, value) tuples");
    return nullptr;
  }
  std::string fields;
  int64_t content_length = -1;
  bool has_date = false, has_server = false;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(headers);
  fields.reserve(static_cast<size_t>(n) * 32);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(headers, i);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
      PyErr_Format(PyExc_TypeError, "response header %zd is not a (name, value) tuple", i);
      return nullptr;
    }
    std::string_view name, value;
    if (!latin1(PyTuple_GET_ITEM(item, 0), &name) || !latin1(PyTuple_GET_ITEM(item, 1), &value)) {
      PyErr_Format(PyExc_TypeError, "response header %zd: name and value must be latin-1 str", i);
      return nullptr;
    }
    if (!http::is_token(name)) {
      PyErr_Format(PyExc_ValueError, "invalid response header name %R", PyTuple_GET_ITEM(item, 0));
      return nullptr;
    }
    if (!http::is_field_value(value)) {
      // CR, LF or NUL here would split the response (CVE-2018-1000164 in Gunicorn).
      PyErr_Format(PyExc_ValueError, "invalid characters in the value of response header %R",
                   PyTuple_GET_ITEM(item, 0));
      return nullptr;
    }
    if (http::is_hop_by_hop(name)) continue;  // the server owns the connection's framing
    if (http::iequals(name, "Content-Length")) {
      int64_t parsed = 0;
      bool digits = !value.empty() && value.size() <= 18;
      for (char c : value) {
        if (c < '0' || c > '9') {
          digits = false;
          break;
        }
        parsed = parsed * 10 + (c - '0');
      }
      if (!digits) {
        PyErr_Format(PyExc_ValueError, "invalid Content-Length %R", PyTuple_GET_ITEM(item, 1));
        return nullptr;
      }
      if (content_length >= 0 && parsed != content_length) {
        PyErr_SetString(PyExc_ValueError, "conflicting Content-Length response headers");
        return nullptr;
      }
      if (content_length >= 0) continue;
      content_length = parsed;
    }
    if (http::iequals(name, "Date")) has_date = true;
    if (http::iequals(name, "Server")) has_server = true;
    http::append_header(fields, name, value);
  }
  started_ = true;
  status_text_.assign(status_text);
  fields_ = std::move(fields);
  head_ = server::ResponseHead{};
  head_.status = code;
  head_.content_length = content_length;
  head_.has_date = has_date;
  head_.has_server = has_server;
  return start_response_write(start_response_.get());
}

PyObject* WsgiResponse::on_write(PyObject* data) {
  if (!started_) {
    PyErr_SetString(PyExc_AssertionError, "write() called before start_response()");
    return nullptr;
  }
  if (!PyBytes_Check(data)) {
    PyErr_Format(PyExc_TypeError, "write() takes bytes, not %s", Py_TYPE(data)->tp_name);
    return nullptr;
  }
  produced_ += PyBytes_GET_SIZE(data);
  pending_.append(PyBytes_AS_STRING(data), static_cast<size_t>(PyBytes_GET_SIZE(data)));
  Py_RETURN_NONE;
}

}  // namespace

WsgiHandler::WsgiHandler(PyObject* app, const EnvironSettings& settings)
    : app_(PyRef::borrow(app)),
      errors_(new_errors()),
      close_name_(PyRef::steal(PyUnicode_InternFromString("close"))),
      environ_(settings) {}

WsgiHandler::~WsgiHandler() = default;

std::unique_ptr<server::ResponseSource> WsgiHandler::start(const server::RequestInfo& info) {
  return std::make_unique<WsgiResponse>(*this, info);
}

}  // namespace bastion::wsgi
