// SPDX-License-Identifier: MIT
#include "wsgi/environ.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
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

/// Decimal text of `v` (0..65535 in practice) without printf.
PyRef decimal(unsigned v) {
  char buf[12];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return str({p, static_cast<size_t>(end - p)});
}

void set(PyObject* dict, const PyRef& key, PyObject* value) { PyDict_SetItem(dict, key.get(), value); }
void set(PyObject* dict, const PyRef& key, const PyRef& value) {
  if (value) PyDict_SetItem(dict, key.get(), value.get());
}

// What a request header means to the environ builder, decided once per distinct name.
enum class HeaderKind : uint8_t {
  Plain,
  ContentLength,     // never joined: a repeated Content-Length was rejected by the parser
  Cookie,            // duplicates joined with "; "
  Forwarding,        // a proxy header: only believed from trusted peers
  XForwardedFor,
  XForwardedHost,
  XForwardedPort,
  Forwarded,
};

// Proxy headers that are only believed from trusted peers (and removed for anyone else, so an
// application that trusts them blindly cannot be fooled).
HeaderKind classify(std::string_view name, const std::map<std::string, std::string>& scheme_headers) {
  if (http::iequals(name, "Content-Length")) return HeaderKind::ContentLength;
  if (http::iequals(name, "Cookie")) return HeaderKind::Cookie;
  if (http::iequals(name, "X-Forwarded-For")) return HeaderKind::XForwardedFor;
  if (http::iequals(name, "X-Forwarded-Host")) return HeaderKind::XForwardedHost;
  if (http::iequals(name, "X-Forwarded-Port")) return HeaderKind::XForwardedPort;
  if (http::iequals(name, "Forwarded")) return HeaderKind::Forwarded;
  static constexpr std::string_view kOthers[] = {"X-Forwarded-Proto", "X-Forwarded-Prefix",
                                                 "X-Real-IP", "X-Forwarded-Protocol",
                                                 "X-Forwarded-Ssl", "X-Url-Scheme"};
  for (std::string_view n : kOthers) {
    if (http::iequals(n, name)) return HeaderKind::Forwarding;
  }
  for (const auto& [header, value] : scheme_headers) {
    if (http::iequals(header, name)) return HeaderKind::Forwarding;
  }
  return HeaderKind::Plain;
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

// Heterogeneous lookup: find a header name given as a string_view without building a string.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

bool same_peer(const os::SockAddr& a, const os::SockAddr& b) noexcept {
  return a.len == b.len && std::memcmp(&a.storage, &b.storage, a.len) == 0;
}

// The IP part of a socket address (4 or 16 bytes) and its length; 0 for other families.
size_t ip_bytes(const os::SockAddr& a, const unsigned char** out) noexcept {
  if (a.family() == AF_INET) {
    *out = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr);
    return 4;
  }
  if (a.family() == AF_INET6) {
    *out = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr);
    return 16;
  }
  return 0;
}

}  // namespace

struct EnvironBuilder::Impl {
  struct HeaderInfo {
    PyRef key;  // interned "HTTP_..." (or CONTENT_TYPE / CONTENT_LENGTH)
    HeaderKind kind = HeaderKind::Plain;
    const std::string* secure_value = nullptr;  // secure_scheme_headers value for this name
  };
  // REMOTE_ADDR / REMOTE_PORT of one connection, made on its first request. Direct-mapped by
  // connection id; the peer address is compared too (a PROXY header may have replaced it).
  struct PeerSlot {
    uint64_t connection_id = 0;
    os::SockAddr peer;
    PyRef addr, port;
  };
  static constexpr size_t kPeerSlots = 256;
  static constexpr size_t kMaxHeaderNames = 512;

  EnvironSettings settings;
  PyRef base;  // constants + placeholders for every key each request sets
  PyRef k_method, k_path_info, k_query, k_raw_uri, k_request_uri, k_protocol, k_server_name,
      k_server_port, k_remote_addr, k_remote_port, k_content_type, k_content_length, k_scheme,
      k_input, k_errors, k_request_id, k_http_host;
  PyRef v_http10, v_http11, v_http, v_https, v_empty, v_port80, v_port443;
  std::unordered_map<std::string, HeaderInfo, NameHash, std::equal_to<>> headers;
  HeaderInfo overflow;  // a name past the cache bound (clients choose names: unbounded set)
  std::array<std::pair<std::string_view, PyRef>, 7> common_methods;
  std::unordered_map<std::string, PyRef, NameHash, std::equal_to<>> methods;
  PyRef scratch_method;
  std::array<PeerSlot, kPeerSlots> peers;
  // The last client IP as text: connections from one client (or one proxy) share it.
  unsigned char last_ip[16] = {};
  size_t last_ip_len = 0;
  PyRef last_ip_text;
  // The last Host header's SERVER_NAME and explicit port (usually the same on every request).
  std::string last_host_name, last_host_port;
  PyRef host_name, host_port;
  std::string scratch;

  const HeaderInfo& header(std::string_view name) {
    auto it = headers.find(name);
    if (it != headers.end()) return it->second;
    HeaderInfo info;
    std::string key;
    if (http::iequals(name, "Content-Type")) {
      key = "CONTENT_TYPE";
    } else if (http::iequals(name, "Content-Length")) {
      key = "CONTENT_LENGTH";
    } else {
      key.reserve(5 + name.size());
      key = "HTTP_";
      for (char c : name) {
        key.push_back(c == '-' ? '_' : static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c));
      }
    }
    info.kind = classify(name, settings.secure_scheme_headers);
    for (const auto& [scheme_name, secure_value] : settings.secure_scheme_headers) {
      if (http::iequals(scheme_name, name)) {
        info.secure_value = &secure_value;
        break;
      }
    }
    if (headers.size() >= kMaxHeaderNames) {
      // A plain string that lives until the next unknown name; the environ holds its own
      // reference.
      info.key = PyRef::steal(PyUnicode_FromStringAndSize(key.data(), static_cast<Py_ssize_t>(key.size())));
      overflow = std::move(info);
      return overflow;
    }
    info.key = interned(key.c_str());
    return headers.emplace(std::string(name), std::move(info)).first->second;
  }

  PyObject* method(std::string_view m) {
    for (const auto& [name, value] : common_methods) {
      if (name == m) return value.get();
    }
    auto it = methods.find(m);
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

  /// REMOTE_ADDR and REMOTE_PORT of the socket peer, cached per connection.
  const PeerSlot& peer(const server::RequestInfo& info) {
    PeerSlot& slot = peers[info.connection_id % kPeerSlots];
    if (slot.addr && slot.connection_id == info.connection_id && same_peer(slot.peer, *info.peer))
      return slot;
    slot.connection_id = info.connection_id;
    slot.peer = *info.peer;
    const unsigned char* ip = nullptr;
    size_t n = ip_bytes(*info.peer, &ip);
    if (n == 0) {
      slot.addr = v_empty.clone();
    } else if (n == last_ip_len && last_ip_text && std::memcmp(ip, last_ip, n) == 0) {
      slot.addr = last_ip_text.clone();
    } else {
      slot.addr = str(os::host_of(*info.peer));
      std::memcpy(last_ip, ip, n);
      last_ip_len = n;
      last_ip_text = slot.addr.clone();
    }
    int port = os::port_of(*info.peer);
    slot.port = port > 0 ? decimal(static_cast<unsigned>(port)) : v_empty.clone();
    return slot;
  }

  PyObject* server_name(std::string_view name) {
    if (!host_name || name != last_host_name) {
      host_name = str(name);
      last_host_name.assign(name);
    }
    return host_name.get();
  }

  PyRef server_port(std::string_view port) {
    if (port == "80") return v_port80.clone();
    if (port == "443") return v_port443.clone();
    if (!host_port || port != last_host_port) {
      host_port = str(port);
      last_host_port.assign(port);
    }
    return host_port.clone();
  }
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
  m.v_port80 = interned("80");
  m.v_port443 = interned("443");
  static constexpr std::string_view kMethods[] = {"GET", "POST", "HEAD", "PUT",
                                                  "DELETE", "OPTIONS", "PATCH"};
  for (size_t i = 0; i < m.common_methods.size(); ++i) {
    m.common_methods[i] = {kMethods[i], interned(std::string(kMethods[i]).c_str())};
  }

  // The template every environ is copied from. It already holds every key a request always
  // sets (with None until then), and room for ~20 request headers: PyDict_Copy clones its
  // key table in one piece, so a request's own keys replace values instead of growing the
  // table. Keys set only for some requests (CONTENT_*, HTTP_*) are not in it.
  m.base = PyRef::steal(_PyDict_NewPresized(40));
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
  for (const PyRef* k : {&m.k_method, &m.k_protocol, &m.k_raw_uri, &m.k_request_uri, &m.k_query,
                         &m.k_path_info, &m.k_scheme, &m.k_remote_addr, &m.k_remote_port,
                         &m.k_server_name, &m.k_server_port, &m.k_input, &m.k_errors,
                         &m.k_request_id}) {
    PyDict_SetItem(b, k->get(), Py_None);
  }
}

EnvironBuilder::~EnvironBuilder() { delete impl_; }

PyRef EnvironBuilder::build(const server::RequestInfo& info, PyObject* input, PyObject* errors,
                            bool* bad_request) {
  Impl& m = *impl_;
  const http::RequestHead& head = *info.head;
  *bad_request = false;
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
  std::string_view raw_path = head.form == http::TargetForm::Asterisk ? head.target : head.path;
  std::string_view path = raw_path;
  if (raw_path.find('%') != std::string_view::npos) {
    http::percent_decode(raw_path, m.scratch);
    path = m.scratch;
  }
  const std::string& script = m.settings.script_name;
  if (!script.empty() && path.substr(0, script.size()) == script) path.remove_prefix(script.size());
  // The common "/path" without escapes or a query: PATH_INFO is RAW_URI's string.
  set(e, m.k_path_info, path == head.target ? raw_uri.clone() : str(path));

  // Headers: HTTP_* with duplicates joined; forwarding headers only from trusted peers.
  std::string_view xff, xfproto_host, xfport, forwarded;
  const char* scheme = nullptr;
  for (const http::HeaderField& f : head.headers) {
    const Impl::HeaderInfo& h = m.header(f.name);
    bool forwarding = h.kind >= HeaderKind::Forwarding;
    if (forwarding && !info.peer_trusted) continue;
    if (forwarding) {
      if (h.kind == HeaderKind::XForwardedFor) xff = f.value;
      else if (h.kind == HeaderKind::XForwardedHost) xfproto_host = f.value;
      else if (h.kind == HeaderKind::XForwardedPort) xfport = f.value;
      else if (h.kind == HeaderKind::Forwarded) forwarded = f.value;
      if (h.secure_value != nullptr) {
        const char* s = (f.value == *h.secure_value) ? "https" : "http";
        if (scheme != nullptr && std::string_view(scheme) != s) {
          *bad_request = true;  // contradicting scheme headers (Gunicorn's InvalidSchemeHeaders)
          return {};
        }
        scheme = s;
      }
    }
    PyObject* key = h.key.get();
    PyRef value = str(f.value);
    if (!value) return {};
    // One lookup: inserts unless present. (Identity cannot tell: short values are shared
    // singletons, so a repeat may be the very same object.)
    Py_ssize_t before = PyDict_GET_SIZE(e);
    PyObject* existing = PyDict_SetDefault(e, key, value.get());  // borrowed
    if (existing == nullptr) return {};
    if (PyDict_GET_SIZE(e) == before && h.kind != HeaderKind::ContentLength) {
      // A repeated field: re-encode the old value as latin-1 bytes to append the new raw
      // bytes faithfully.
      std::string joined;
      PyRef old_bytes = PyRef::steal(PyUnicode_AsLatin1String(existing));
      if (old_bytes) joined.assign(PyBytes_AS_STRING(old_bytes.get()), static_cast<size_t>(PyBytes_GET_SIZE(old_bytes.get())));
      joined.append(h.kind == HeaderKind::Cookie ? "; " : ",");
      joined.append(f.value);
      PyDict_SetItem(e, key, str(joined).get());
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
  // A TLS connection is https unless a trusted proxy's scheme header says otherwise (Gunicorn:
  // is_ssl sets the default, secure_scheme_headers override it).
  bool https = scheme != nullptr ? std::string_view(scheme) == "https" : info.tls;
  set(e, m.k_scheme, https ? m.v_https : m.v_http);

  // REMOTE_ADDR: the peer, or for a trusted proxy the nearest untrusted hop it reports.
  bool remote_set = false;
  std::string_view chain = !xff.empty() ? xff : fwd_for;
  if (info.peer_trusted && !chain.empty()) {
    // The rightmost hop is the one our trusted proxy appended: the address it saw. Earlier
    // hops were written by the client and prove nothing.
    size_t comma = chain.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    os::SockAddr addr;
    if (parse_ip(hop, &addr)) {
      set(e, m.k_remote_addr, str(os::host_of(addr)));
      set(e, m.k_remote_port, m.v_empty);
      remote_set = true;
    }
  }
  if (!remote_set) {
    const Impl::PeerSlot& peer = m.peer(info);
    set(e, m.k_remote_addr, peer.addr);
    set(e, m.k_remote_port, peer.port);
  }

  // SERVER_NAME / SERVER_PORT from the (forwarded) Host, else the listener.
  std::string_view host_header = head.host;
  if (!head.authority.empty()) host_header = head.authority;
  if (!xfproto_host.empty()) host_header = trim(xfproto_host.substr(0, xfproto_host.find(',')));
  else if (!fwd_host.empty()) host_header = fwd_host;
  if (host_header != head.host && !host_header.empty()) set(e, m.k_http_host, str(host_header));
  std::string_view name, port;
  if (!host_header.empty() && split_host_port(host_header, &name, &port)) {
    set(e, m.k_server_name, m.server_name(name));
  } else {
    std::string local = info.local != nullptr ? os::host_of(*info.local) : "";
    set(e, m.k_server_name, str(local.empty() ? std::string_view("localhost") : std::string_view(local)));
  }
  if (!xfport.empty()) port = trim(xfport);
  if (port.empty()) {
    if (!host_header.empty()) {
      port = https ? "443" : "80";
    } else if (info.local != nullptr && os::port_of(*info.local) > 0) {
      set(e, m.k_server_port, decimal(static_cast<unsigned>(os::port_of(*info.local))));
    } else {
      port = https ? "443" : "80";
    }
  }
  if (!port.empty()) set(e, m.k_server_port, m.server_port(port));

  set(e, m.k_input, input);
  set(e, m.k_errors, errors);
  set(e, m.k_request_id, str(info.request_id));
  return env;
}

}  // namespace bastion::wsgi
