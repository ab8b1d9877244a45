// SPDX-License-Identifier: MIT
// TLS for the server layer (OpenSSL 3): a TlsContext built once per worker from PEM bytes the
// master read before forking, and a TlsSession per connection that does the handshake and
// SSL_read/SSL_write over the connection's non-blocking socket. This header is the only place
// the rest of the server sees TLS; OpenSSL's own headers stay inside tls.cc. No HTTP, no Python.
//
// Threads: a TlsContext is immutable after create() and may be shared; a TlsSession belongs to
// one connection and is used on the loop thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

struct ssl_ctx_st;
struct ssl_st;

namespace bastion::server {

/// What a worker needs to build its TLS context. The *_pem fields hold the file contents
/// (read by the master, which may be privileged); the *_file fields only name the files in
/// error messages. An empty key_pem means the key is in cert_pem (Gunicorn's certfile alone).
struct TlsSettings {
  std::string cert_pem, key_pem, ca_pem;
  std::string cert_file, key_file, ca_file;
  int cert_reqs = 0;                // 0 none, 1 optional, 2 required client certificates
  std::string ciphers;              // OpenSSL cipher list (TLS 1.2 and below); "" = default
  bool suppress_ragged_eofs = true;
};

class TlsContext {
 public:
  /// Builds the context: certificate chain, key (checked against the certificate), client CA
  /// list, verification mode, cipher list, TLS >= 1.2, ALPN http/1.1. Errors name the file and
  /// carry OpenSSL's reason.
  static base::Result<std::unique_ptr<TlsContext>> create(const TlsSettings& settings);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const noexcept { return ctx_; }
  bool suppress_ragged_eofs() const noexcept { return suppress_ragged_eofs_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  bool suppress_ragged_eofs_ = true;
};

/// One connection's TLS state over a non-blocking socket it does not own. The I/O calls
/// follow read(2)/send(2) conventions so the connection treats both transports alike:
/// n > 0 bytes moved; 0 = orderly end (close_notify, or a ragged EOF when suppressed);
/// -1 with errno EAGAIN = would block (see wants_write()/wants_read()), any other errno =
/// the connection failed (reason for the debug log in last_error()).
class TlsSession {
 public:
  /// nullptr only when OpenSSL cannot allocate.
  static std::unique_ptr<TlsSession> create(const TlsContext& ctx, int fd);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  bool established() const noexcept { return established_; }
  /// Advances the handshake: 1 done, 0 would block (wants_*), -1 failed (last_error()).
  int handshake();
  ssize_t read(char* dst, size_t cap);
  ssize_t write(const char* src, size_t len);
  /// Best-effort close_notify; never blocks, at most once, skipped after a fatal error.
  void shutdown() noexcept;
  /// The connection is being reset: no close_notify.
  void abandon() noexcept { failed_ = true; }

  /// The last call would block until the socket is writable (resp. readable): a read may
  /// need the socket writable and a write readable (TLS records flow both ways).
  bool wants_write() const noexcept { return want_ == Want::Write; }
  bool wants_read() const noexcept { return want_ == Want::Read; }
  const std::string& last_error() const noexcept { return error_; }

 private:
  enum class Want : uint8_t { None, Read, Write };
  explicit TlsSession(ssl_st* ssl, bool suppress) : ssl_(ssl), suppress_ragged_eofs_(suppress) {}
  /// Maps a failed SSL call's result to the read(2)-style convention (sets errno).
  ssize_t failed_io(int ret);

  ssl_st* ssl_;
  bool suppress_ragged_eofs_;
  bool established_ = false;
  bool failed_ = false;
  bool shut_ = false;
  Want want_ = Want::None;
  std::string error_;
};

}  // namespace bastion::server
