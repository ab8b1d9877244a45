// SPDX-License-Identifier: MIT
#include "wsgi/environ.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <string_view>
#include <unordered_map>

#include "http/response.h"
#include "wsgi/types.h"

namespace bastion::wsgi {
namespace {

using py::PyRef;

PyRef str(std::string_view s) {
  return PyRef::steal(PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr));
}

PyRef interned(const char* s) { return PyRef::steal(PyUnicode_InternFromString(s)); }

void set(PyObject* dict, const PyRef& key, PyObject* value) { PyDict_SetItem(dict, key.get(), value); }
void set(PyObject* dict, const PyRef& key, const PyRef& value) {
  if (value) PyDict_SetItem(dict, key.get(), value.get());
}

// Proxy headers that are only believed from trusted peers (and removed for anyone else, so an
// application that trusts them blindly cannot be fooled).
bool is_forwarding_header(std::string_view name,
                          const std::map<std::string, std::string>& scheme_headers) {
  static constexpr std::string_view kNames[] = {"X-Forwarded-For",  "X-Forwarded-Proto",
                                                "X-Forwarded-Host", "X-Forwarded-Port",
                                                "X-Forwarded-Prefix", "Forwarded",
                                                "X-Real-IP",        "X-Forwarded-Protocol",
                                                "X-Forwarded-Ssl",  "X-Url-Scheme"};
  for (std::string_view n : kNames) {
    if (http::iequals(n, name)) return true;
  }
  for (const auto& [header, value] : scheme_headers) {
    if (http::iequals(header, name)) return true;
  }
  return false;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

/// Splits "host:port", "[v6]:port" or "host"; false when malformed.
bool split_host_port(std::string_view hp, std::string_view* host, std::string_view* port) {
  *port = {};
  if (!hp.empty() && hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) return false;
    *host = hp.substr(0, close + 1);
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      *port = rest.substr(1);
    }
    return true;
  }
  size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos) {
    *host = hp;
  } else {
    *host = hp.substr(0, colon);
    *port = hp.substr(colon + 1);
  }
  return true;
}

/// Parses an IP literal (optionally bracketed) into a SockAddr; false if not an IP.
bool parse_ip(std::string_view text, os::SockAddr* out) {
  text = trim(text);
  if (!text.empty() && text.front() == '"') text = text.substr(1, text.size() >= 2 ? text.size() - 2 : 0);
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    text = text.substr(1, close - 1);
  }
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  *out = os::SockAddr{};
  if (s.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out->storage);
    in->sin_family = AF_INET;
    if (inet_pton(AF_INET, s.c_str(), &in->sin_addr) != 1) return false;
    out->len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    in6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, s.c_str(), &in6->sin6_addr) != 1) return false;
    out->len = sizeof(sockaddr_in6);
  }
  return true;
}

}  // namespace

struct EnvironBuilder::Impl {
  EnvironSettings settings;
  PyRef base;
  PyRef k_method, k_path_info, k_query, k_raw_uri, k_request_uri, k_protocol, k_server_name,
      k_server_port, k_remote_addr, k_remote_port, k_content_type, k_content_length, k_scheme,
      k_input, k_errors, k_request_id, k_http_host;
  PyRef v_http10, v_http11, v_http, v_https, v_empty;
  std::unordered_map<std::string, PyRef> header_keys;  // header name -> "HTTP_..." key
  std::vector<PyRef> overflow_keys;  // keys made past the cache bound, for one build()
  std::unordered_map<std::string, PyRef> methods;
  std::string scratch;

  PyObject* header_key(std::string_view name) {
    auto it = header_keys.find(std::string(name));
    if (it != header_keys.end()) return it->second.get();
    std::string key;
    if (http::iequals(name, "Content-Type")) {
      key = "CONTENT_TYPE";
    } else if (http::iequals(name, "Content-Length")) {
      key = "CONTENT_LENGTH";
    } else {
      key = "HTTP_";
      for (char c : name) {
        key.push_back(c == '-' ? '_' : static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c));
      }
    }
    if (header_keys.size() >= 512) {
      // Past the cache bound (clients choose header names, so the set is unbounded): a
      // plain string that lives until the next build(); the environ holds its own reference.
      auto size = static_cast<Py_ssize_t>(key.size());
      overflow_keys.push_back(PyRef::steal(PyUnicode_FromStringAndSize(key.data(), size)));
      return overflow_keys.back().get();
    }
    PyRef k = interned(key.c_str());
    PyObject* raw = k.get();
    header_keys.emplace(std::string(name), std::move(k));
    return raw;
  }

  PyObject* method(std::string_view m) {
    auto it = methods.find(std::string(m));
    if (it != methods.end()) return it->second.get();
    PyRef v = str(m);
    PyObject* raw = v.get();
    if (methods.size() < 64) {
      methods.emplace(std::string(m), std::move(v));
      return raw;
    }
    scratch_method = std::move(v);
    return scratch_method.get();
  }
  PyRef scratch_method;
};

EnvironBuilder::EnvironBuilder(const EnvironSettings& settings) : impl_(new Impl) {
  Impl& m = *impl_;
  m.settings = settings;
  m.k_method = interned("REQUEST_METHOD");
  m.k_path_info = interned("PATH_INFO");
  m.k_query = interned("QUERY_STRING");
  m.k_raw_uri = interned("RAW_URI");
  m.k_request_uri = interned("REQUEST_URI");
  m.k_protocol = interned("SERVER_PROTOCOL");
  m.k_server_name = interned("SERVER_NAME");
  m.k_server_port = interned("SERVER_PORT");
  m.k_remote_addr = interned("REMOTE_ADDR");
  m.k_remote_port = interned("REMOTE_PORT");
  m.k_content_type = interned("CONTENT_TYPE");
  m.k_content_length = interned("CONTENT_LENGTH");
  m.k_scheme = interned("wsgi.url_scheme");
  m.k_input = interned("wsgi.input");
  m.k_errors = interned("wsgi.errors");
  m.k_request_id = interned("bastion.request_id");
  m.k_http_host = interned("HTTP_HOST");
  m.v_http10 = interned("HTTP/1.0");
  m.v_http11 = interned("HTTP/1.1");
  m.v_http = interned("http");
  m.v_https = interned("https");
  m.v_empty = interned("");

  m.base = PyRef::steal(PyDict_New());
  PyObject* b = m.base.get();
  PyRef version = PyRef::steal(Py_BuildValue("(ii)", 1, 0));
  PyDict_SetItemString(b, "wsgi.version", version.get());
  PyDict_SetItemString(b, "wsgi.multithread", settings.multithread ? Py_True : Py_False);
  PyDict_SetItemString(b, "wsgi.multiprocess", settings.multiprocess ? Py_True : Py_False);
  PyDict_SetItemString(b, "wsgi.run_once", Py_False);
  PyDict_SetItemString(b, "wsgi.input_terminated", Py_True);
  PyDict_SetItemString(b, "wsgi.file_wrapper", file_wrapper_type());
  PyDict_SetItemString(b, "SERVER_SOFTWARE", str(settings.server_software).get());
  PyDict_SetItemString(b, "SCRIPT_NAME", str(settings.script_name).get());
}

EnvironBuilder::~EnvironBuilder() { delete impl_; }

PyRef EnvironBuilder::build(const server::RequestInfo& info, PyObject* input, PyObject* errors,
                            bool* bad_request) {
  Impl& m = *impl_;
  const http::RequestHead& head = *info.head;
  *bad_request = false;
  m.overflow_keys.clear();
  PyRef env = PyRef::steal(PyDict_Copy(m.base.get()));
  if (!env) return env;
  PyObject* e = env.get();

  set(e, m.k_method, m.method(head.method));
  set(e, m.k_protocol, head.version_minor == 0 ? m.v_http10 : m.v_http11);
  PyRef raw_uri = str(head.target);
  set(e, m.k_raw_uri, raw_uri);
  set(e, m.k_request_uri, raw_uri);
  set(e, m.k_query, head.query.empty() ? m.v_empty.clone() : str(head.query));

  // PATH_INFO is the percent-decoded path as a latin-1 "WSGI string" (PEP 3333).
  // OPTIONS * (asterisk-form) reaches the app as PATH_INFO "*", as Gunicorn passes it.
  m.scratch.clear();
  http::percent_decode(head.form == http::TargetForm::Asterisk ? head.target : head.path,
                       m.scratch);
  std::string_view path = m.scratch;
  const std::string& script = m.settings.script_name;
  if (!script.empty() && path.substr(0, script.size()) == script) path.remove_prefix(script.size());
  set(e, m.k_path_info, str(path));

  // Headers: HTTP_* with duplicates joined; forwarding headers only from trusted peers.
  std::string_view xff, xfproto_host, xfport, forwarded;
  const char* scheme = nullptr;
  for (size_t i = 0; i < head.headers.size(); ++i) {
    const http::HeaderField& f = head.headers[i];
    bool forwarding = is_forwarding_header(f.name, m.settings.secure_scheme_headers);
    if (forwarding && !info.peer_trusted) continue;
    if (forwarding) {
      if (http::iequals(f.name, "X-Forwarded-For")) xff = f.value;
      else if (http::iequals(f.name, "X-Forwarded-Host")) xfproto_host = f.value;
      else if (http::iequals(f.name, "X-Forwarded-Port")) xfport = f.value;
      else if (http::iequals(f.name, "Forwarded")) forwarded = f.value;
      for (const auto& [name, secure_value] : m.settings.secure_scheme_headers) {
        if (!http::iequals(name, f.name)) continue;
        const char* s = (f.value == secure_value) ? "https" : "http";
        if (scheme != nullptr && std::string_view(scheme) != s) {
          *bad_request = true;  // contradicting scheme headers (Gunicorn's InvalidSchemeHeaders)
          return {};
        }
        scheme = s;
      }
    }
    PyObject* key = m.header_key(f.name);
    PyObject* existing = PyDict_GetItem(e, key);  // borrowed
    if (existing != nullptr && !http::iequals(f.name, "Content-Length")) {
      // Re-encode the old value as latin-1 bytes to append the new raw bytes faithfully.
      std::string joined;
      PyRef old_bytes = PyRef::steal(PyUnicode_AsLatin1String(existing));
      if (old_bytes) joined.assign(PyBytes_AS_STRING(old_bytes.get()), static_cast<size_t>(PyBytes_GET_SIZE(old_bytes.get())));
      joined.append(http::iequals(f.name, "Cookie") ? "; " : ",");
      joined.append(f.value);
      PyDict_SetItem(e, key, str(joined).get());
    } else {
      PyDict_SetItem(e, key, str(f.value).get());
    }
  }
  // A body always reports its real length (a chunked body was de-chunked).
  if (head.body == http::BodyKind::Chunked) {
    set(e, m.k_content_length, str(std::to_string(info.body->size())));
  }

  // Forwarded (RFC 7239): use the last element, the one our trusted proxy appended.
  std::string_view fwd_for, fwd_proto, fwd_host;
  if (!forwarded.empty()) {
    std::string_view last = forwarded.substr(forwarded.rfind(',') == std::string_view::npos ? 0 : forwarded.rfind(',') + 1);
    while (!last.empty()) {
      size_t semi = last.find(';');
      std::string_view pair = trim(last.substr(0, semi));
      last = semi == std::string_view::npos ? std::string_view() : last.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = trim(pair.substr(0, eq));
      std::string_view v = trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      if (http::iequals(k, "for")) fwd_for = v;
      else if (http::iequals(k, "proto")) fwd_proto = v;
      else if (http::iequals(k, "host")) fwd_host = v;
    }
    if (scheme == nullptr && (fwd_proto == "https" || fwd_proto == "http"))
      scheme = fwd_proto == "https" ? "https" : "http";
  }
  bool https = scheme != nullptr && std::string_view(scheme) == "https";
  set(e, m.k_scheme, https ? m.v_https : m.v_http);

  // REMOTE_ADDR: the peer, or for a trusted proxy the nearest untrusted hop it reports.
  std::string remote = os::host_of(*info.peer);
  int remote_port = os::port_of(*info.peer);
  std::string_view chain = !xff.empty() ? xff : fwd_for;
  if (info.peer_trusted && !chain.empty()) {
    // The rightmost hop is the one our trusted proxy appended: the address it saw. Earlier
    // hops were written by the client and prove nothing.
    size_t comma = chain.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    os::SockAddr addr;
    if (parse_ip(hop, &addr)) {
      remote = os::host_of(addr);
      remote_port = 0;
    }
  }
  set(e, m.k_remote_addr, str(remote));
  set(e, m.k_remote_port, remote_port > 0 ? str(std::to_string(remote_port)) : m.v_empty.clone());

  // SERVER_NAME / SERVER_PORT from the (forwarded) Host, else the listener.
  std::string_view host_header = head.host;
  if (!head.authority.empty()) host_header = head.authority;
  if (!xfproto_host.empty()) host_header = trim(xfproto_host.substr(0, xfproto_host.find(',')));
  else if (!fwd_host.empty()) host_header = fwd_host;
  if (host_header != head.host && !host_header.empty()) set(e, m.k_http_host, str(host_header));
  std::string_view name, port;
  if (!host_header.empty() && split_host_port(host_header, &name, &port)) {
    set(e, m.k_server_name, str(name));
  } else {
    std::string local = info.local != nullptr ? os::host_of(*info.local) : "";
    set(e, m.k_server_name, str(local.empty() ? std::string_view("localhost") : std::string_view(local)));
  }
  if (!xfport.empty()) port = trim(xfport);
  if (port.empty()) {
    if (!host_header.empty()) {
      port = https ? "443" : "80";
    } else if (info.local != nullptr && os::port_of(*info.local) > 0) {
      set(e, m.k_server_port, str(std::to_string(os::port_of(*info.local))));
    } else {
      port = https ? "443" : "80";
    }
  }
  if (!port.empty()) set(e, m.k_server_port, str(port));

  set(e, m.k_input, input);
  set(e, m.k_errors, errors);
  set(e, m.k_request_id, str(info.request_id));
  return env;
}

}  // namespace bastion::wsgi
