// SPDX-License-Identifier: MIT
// OpenSSL 3 behind server/tls.h: the worker's SSL_CTX built from in-memory PEM, and the
// per-connection session over a non-blocking socket. The only file of the server that
// includes OpenSSL.
#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>

namespace bastion::server {
namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kSessionIdContext[] = "bastion";

/// OpenSSL's error queue as one line (oldest first), then cleared; `fallback` when empty.
std::string openssl_reason(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? fallback : out;
}

struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr mem_bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string quoted(const std::string& file) { return "'" + file + "'"; }

// ALPN: HTTP/1.1 is all Bastion speaks. A client offering only other protocols (h2) goes on
// without ALPN rather than failing the handshake.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// A password-protected key cannot be unlocked without a terminal: fail instead of prompting.
int no_password(char*, int, int, void*) { return 0; }

base::Status load_chain(SSL_CTX* ctx, const TlsSettings& s) {
  BioPtr bio = mem_bio(s.cert_pem);
  X509* leaf = bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, no_password, nullptr) : nullptr;
  if (leaf == nullptr) {
    return base::make_error("certfile " + quoted(s.cert_file) + ": no certificate: " +
                            openssl_reason("no PEM certificate found"));
  }
  int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) {
    return base::make_error("certfile " + quoted(s.cert_file) + ": " +
                            openssl_reason("certificate rejected"));
  }
  // Intermediate certificates follow the leaf in the same file.
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      return base::make_error("certfile " + quoted(s.cert_file) + ": " +
                              openssl_reason("chain certificate rejected"));
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return base::Ok{};
}

base::Status load_key(SSL_CTX* ctx, const TlsSettings& s) {
  const bool separate = !s.key_pem.empty();
  const std::string& name = separate ? s.key_file : s.cert_file;
  const char* setting = separate ? "keyfile " : "certfile ";
  BioPtr bio = mem_bio(separate ? s.key_pem : s.cert_pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr) : nullptr;
  if (key == nullptr) {
    return base::make_error(setting + quoted(name) + ": no usable private key (" +
                            openssl_reason("no PEM private key found") +
                            "); an encrypted key is not supported");
  }
  int ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return base::make_error(setting + quoted(name) + " does not match the certificate in " +
                            quoted(s.cert_file) + ": " + openssl_reason("key mismatch"));
  }
  return base::Ok{};
}

base::Status load_client_cas(SSL_CTX* ctx, const TlsSettings& s) {
  if (s.ca_pem.empty()) {
    // Like Python's default server context: verify against the system's trust store.
    if (s.cert_reqs > 0) SSL_CTX_set_default_verify_paths(ctx);
    return base::Ok{};
  }
  BioPtr bio = mem_bio(s.ca_pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int count = 0;
  while (X509* ca = bio ? PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr) : nullptr) {
    bool ok = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(ctx, ca) == 1;
    X509_free(ca);
    if (!ok) {
      return base::make_error("ca_certs " + quoted(s.ca_file) + ": " +
                              openssl_reason("CA certificate rejected"));
    }
    ++count;
  }
  if (count == 0) {
    return base::make_error("ca_certs " + quoted(s.ca_file) + ": no certificate: " +
                            openssl_reason("no PEM certificate found"));
  }
  ERR_clear_error();
  return base::Ok{};
}

}  // namespace

base::Result<std::unique_ptr<TlsContext>> TlsContext::create(const TlsSettings& s) {
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return base::make_error("cannot create a TLS context: " + openssl_reason("?"));
  std::unique_ptr<TlsContext> ctx(new TlsContext(raw));
  ctx->suppress_ragged_eofs_ = s.suppress_ragged_eofs;
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_COMPRESSION);
  // Partial writes and a moving buffer: the connection retries a blocked write with the same
  // leading bytes from its output buffer, which may have grown (and moved) meanwhile.
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_id_context(raw, kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_set_alpn_select_cb(raw, select_alpn, nullptr);
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(raw, s.ciphers.c_str()) != 1) {
    return base::make_error("ciphers '" + s.ciphers + "': " +
                            openssl_reason("no usable cipher in the list"));
  }
  if (auto st = load_chain(raw, s); !st.ok()) return std::move(st).error();
  if (auto st = load_key(raw, s); !st.ok()) return std::move(st).error();
  if (auto st = load_client_cas(raw, s); !st.ok()) return std::move(st).error();
  int verify = SSL_VERIFY_NONE;
  if (s.cert_reqs >= 1) verify = SSL_VERIFY_PEER;
  if (s.cert_reqs >= 2) verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(raw, verify, nullptr);
  return ctx;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::unique_ptr<TlsSession> TlsSession::create(const TlsContext& ctx, int fd) {
  SSL* ssl = SSL_new(ctx.native());
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {  // a socket BIO that does not close the fd
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsSession>(new TlsSession(ssl, ctx.suppress_ragged_eofs()));
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

int TlsSession::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    established_ = true;
    want_ = Want::None;
    return 1;
  }
  ssize_t n = failed_io(r);
  if (n < 0 && errno == EAGAIN) return 0;
  if (n == 0 && error_.empty()) error_ = "the client closed the connection during the handshake";
  failed_ = true;
  return -1;
}

ssize_t TlsSession::read(char* dst, size_t cap) {
  ERR_clear_error();
  size_t n = 0;
  int r = SSL_read_ex(ssl_, dst, cap, &n);
  if (r == 1) {
    want_ = Want::None;
    return static_cast<ssize_t>(n);
  }
  return failed_io(r);
}

ssize_t TlsSession::write(const char* src, size_t len) {
  ERR_clear_error();
  size_t n = 0;
  int r = SSL_write_ex(ssl_, src, len, &n);
  if (r == 1) {
    want_ = Want::None;
    return static_cast<ssize_t>(n);
  }
  return failed_io(r);
}

ssize_t TlsSession::failed_io(int ret) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      want_ = Want::Read;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      want_ = Want::Write;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      want_ = Want::None;
      return 0;
    case SSL_ERROR_SYSCALL: {
      // OpenSSL 3 reports a bare TCP EOF as SSL_ERROR_SSL (below); here only socket errors.
      want_ = Want::None;
      failed_ = true;
      error_ = openssl_reason(saved_errno != 0 ? std::strerror(saved_errno) : "socket error");
      errno = saved_errno != 0 ? saved_errno : ECONNRESET;
      return -1;
    }
    default: {
      want_ = Want::None;
      unsigned long e = ERR_peek_last_error();
      failed_ = true;
      if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        error_ = "EOF without close_notify";
        if (suppress_ragged_eofs_) return 0;  // suppress_ragged_eofs: an ordinary EOF
        errno = ECONNRESET;
        return -1;
      }
      error_ = openssl_reason("TLS protocol error");
      errno = EPROTO;
      return -1;
    }
  }
}

void TlsSession::shutdown() noexcept {
  if (shut_ || failed_ || !established_) return;
  shut_ = true;
  ERR_clear_error();
  // One attempt: queues our close_notify if the socket has room, never waits for the peer's.
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace bastion::server
