// SPDX-License-Identifier: MIT
// The seam between the connection state machine and the application layer (WSGI). The
// server knows nothing of Python: it hands a complete request (head + body) to a Handler and
// pulls the response from the ResponseSource it returns. The wsgi layer implements both.
//
// Threading: with --threads 1 every call below happens on the loop thread, and the
// implementation takes the GIL inside its own calls. Objects are owned by the connection
// and destroyed on the loop thread (the implementation re-acquires the GIL to release any
// Python objects it holds).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"
#include "os/socket.h"
#include "server/body.h"

namespace bastion::server {

/// Everything the application layer may know about one request. Views stay valid until the
/// ResponseSource created for it is destroyed.
struct RequestInfo {
  const http::RequestHead* head = nullptr;
  std::string_view head_bytes;             // the raw head every view in `head` points into
  Body* body = nullptr;                    // complete; a Handler may take it with Body::swap

  const os::SockAddr* peer = nullptr;      // the client (or the proxy)
  const os::SockAddr* local = nullptr;     // the listener's bound address
  bool peer_trusted = false;               // peer is in forwarded_allow_ips (or a unix socket)
  bool tls = false;                        // arrived over TLS: wsgi.url_scheme defaults to https
  std::string_view request_id;             // X-Request-ID from a trusted peer, or generated
  uint64_t connection_id = 0;
  uint32_t request_index = 0;              // 0-based request number on this connection
};

/// Re-points every view of `head` into the `size`-byte buffer at `old_base` to the same offsets
/// of an identical copy at `new_base`; views into other storage are left alone.
void rebase_head(http::RequestHead& head, const char* old_base, const char* new_base,
                 size_t size) noexcept;

/// The response head as produced by the application: already validated (status text and
/// every field), with hop-by-hop fields removed. Views stay valid until the next pull().
struct ResponseHead {
  int status = 200;
  std::string_view status_text;  // "200 OK"
  std::string_view fields;       // zero or more "Name: value\r\n" lines
  int64_t content_length = -1;   // the app's Content-Length, or -1 when it gave none
  bool has_date = false;
  bool has_server = false;
  bool close = false;            // close the connection after this response (a rejected request)
};

enum class PullStatus : uint8_t {
  Head,   // `head` is set; always the first event, exactly once
  Data,   // `data` holds body bytes (valid until the next pull)
  File,   // send `length` bytes of `file_fd` from `offset` (sendfile); -1 length = to EOF
  Done,     // the body is complete
  Error,    // the app failed after the head was produced: abort the connection
  Pending,  // nothing yet: the source wakes the connection when it has more (threaded mode)
};

struct Pull {
  PullStatus status = PullStatus::Done;
  const ResponseHead* head = nullptr;
  std::string_view data;
  int file_fd = -1;
  int64_t offset = 0;
  int64_t length = -1;
};

class ResponseSource {
 public:
  virtual ~ResponseSource() = default;
  /// Produces the next part of the response.
  virtual Pull pull() = 0;
  /// Value for the access log's %({name}e)s atom; "" when unknown. Called before destruction.
  virtual std::string env_value(std::string_view /*name*/) { return {}; }
};

class Handler {
 public:
  virtual ~Handler() = default;
  /// Starts the application for a complete request. Never returns null: application
  /// errors become a source whose head is a 500.
  virtual std::unique_ptr<ResponseSource> start(const RequestInfo& info) = 0;
};

}  // namespace bastion::server
