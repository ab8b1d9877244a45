// SPDX-License-Identifier: MIT
// Builds the PEP 3333 environ for one request: CGI keys, HTTP_* (duplicates joined),
// wsgi.* keys, trusted-proxy handling (X-Forwarded-*, Forwarded and secure scheme headers
// honoured only from forwarded_allow_ips peers, removed for everyone else). Keys and constant
// values are interned once per worker. Worker thread, GIL held. No sockets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "python/ref.h"
#include "server/handler.h"

namespace bastion::wsgi {

struct EnvironSettings {
  bool multithread = false;
  bool multiprocess = false;
  std::string script_name;   // from the SCRIPT_NAME environment variable
  std::map<std::string, std::string> secure_scheme_headers;  // upper-case name -> value
  std::string server_software = "bastion";
};

class EnvironBuilder {
 public:
  /// GIL held. Interns keys and builds the constant part of every environ.
  explicit EnvironBuilder(const EnvironSettings& settings);
  ~EnvironBuilder();

  /// New environ dict for `info`, or null with `*bad_request` set when trusted proxy headers
  /// contradict each other (the caller answers 400). `input` and `errors` are stored in it.
  py::PyRef build(const server::RequestInfo& info, PyObject* input, PyObject* errors,
                  bool* bad_request);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace bastion::wsgi
