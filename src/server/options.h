// SPDX-License-Identifier: MIT
// The per-worker server settings, derived once from config::Config. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "http/parser.h"
#include "http/proxy_protocol.h"
#include "os/netmask.h"

namespace bastion::server {

class TlsContext;

struct Options {
  http::Limits limits;
  int64_t keepalive_ms = 2000;        // idle time allowed between requests (0 = no keep-alive)
  int64_t header_timeout_ms = 10000;  // a request head must arrive within this
  int64_t body_timeout_ms = 30000;    // longest pause while a body arrives
  int64_t send_timeout_ms = 30000;    // longest pause while a response is sent
  int64_t linger_ms = 2000;           // draining after an error response before close
  size_t body_buffer_size = 1 << 20;  // bytes kept in memory before spooling
  std::string tmp_dir;
  int worker_connections = 1000;
  int64_t max_requests = 0;           // 0 = unlimited
  os::NetList trusted;                // forwarded_allow_ips
  // PROXY protocol: when on, every connection must come from a proxy_allow peer and open with
  // a header of proxy_versions (docs/proxy-protocol.md).
  bool proxy_protocol = false;
  http::ProxyVersions proxy_versions = http::ProxyVersions::Any;
  os::NetList proxy_allow;            // proxy_allow_ips
  size_t output_high_water = 256 << 10;
  bool sendfile = true;
  // HTTPS (docs/tls.md): when set, every connection is TLS; not owned, outlives the server.
  // Null (the default) keeps the plain path free of any TLS cost beyond a pointer test.
  const TlsContext* tls = nullptr;
};

}  // namespace bastion::server
