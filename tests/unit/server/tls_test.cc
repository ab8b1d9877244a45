// SPDX-License-Identifier: MIT
// Unit tests for server/tls.h: context creation errors (key mismatch, bad PEM, bad cipher
// list) and a TlsSession driven over a non-blocking socketpair against an OpenSSL client:
// handshake with WANT_READ/WANT_WRITE, data both ways, close_notify and ragged EOFs.
// Keys and certificates are generated in memory.
#include "server/tls.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

namespace bastion::server {
namespace {

std::string pem_of_key(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

// A self-signed P-256 certificate and its key, as PEM.
struct Pki {
  std::string cert, key, other_key;
  Pki() {
    EVP_PKEY* key_obj = EVP_EC_gen("P-256");
    EVP_PKEY* other = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key_obj);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key_obj, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    cert.assign(data, static_cast<size_t>(n));
    BIO_free(bio);
    key = pem_of_key(key_obj);
    other_key = pem_of_key(other);
    X509_free(x);
    EVP_PKEY_free(key_obj);
    EVP_PKEY_free(other);
  }
};

const Pki& pki() {
  static const Pki p;
  return p;
}

TlsSettings good_settings() {
  TlsSettings s;
  s.cert_pem = pki().cert;
  s.key_pem = pki().key;
  s.cert_file = "cert.pem";
  s.key_file = "key.pem";
  return s;
}

TEST(TlsContext, BuildsFromPem) {
  auto ctx = TlsContext::create(good_settings());
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  // The key may come from the certfile itself.
  TlsSettings s = good_settings();
  s.cert_pem += s.key_pem;
  s.key_pem.clear();
  EXPECT_TRUE(TlsContext::create(s).ok());
}

TEST(TlsContext, ErrorsNameTheFileAndReason) {
  TlsSettings s = good_settings();
  s.key_pem = pki().other_key;
  auto r = TlsContext::create(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("keyfile 'key.pem' does not match the certificate in "
                                   "'cert.pem'"), std::string::npos) << r.error().message;

  s = good_settings();
  s.cert_pem = "garbage";
  r = TlsContext::create(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("certfile 'cert.pem': no certificate"), std::string::npos);

  s = good_settings();
  s.key_pem = "garbage";
  r = TlsContext::create(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("keyfile 'key.pem': no usable private key"), std::string::npos);

  s = good_settings();
  s.ciphers = "NOT-A-CIPHER";
  r = TlsContext::create(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ciphers 'NOT-A-CIPHER'"), std::string::npos);

  s = good_settings();
  s.ca_pem = "garbage";
  s.ca_file = "ca.pem";
  r = TlsContext::create(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ca_certs 'ca.pem'"), std::string::npos);
}

// A server TlsSession on one end of a non-blocking socketpair, an OpenSSL client on the other.
class TlsPair : public ::testing::Test {
 protected:
  void SetUp() override { start(true); }
  void TearDown() override { stop(); }

  void start(bool suppress) {
    TlsSettings s = good_settings();
    s.suppress_ragged_eofs = suppress;
    auto ctx = TlsContext::create(s);
    ASSERT_TRUE(ctx.ok());
    server_ctx_ = std::move(ctx).value();
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    server_fd_ = fds[0];
    client_fd_ = fds[1];
    session_ = TlsSession::create(*server_ctx_, server_fd_);
    ASSERT_NE(session_, nullptr);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_NONE, nullptr);
    client_ = SSL_new(client_ctx_);
    SSL_set_fd(client_, client_fd_);
    SSL_set_connect_state(client_);
  }
  void stop() {
    session_.reset();
    if (client_ != nullptr) SSL_free(client_);
    if (client_ctx_ != nullptr) SSL_CTX_free(client_ctx_);
    client_ = nullptr;
    client_ctx_ = nullptr;
    if (server_fd_ >= 0) close(server_fd_);
    if (client_fd_ >= 0) close(client_fd_);
    server_fd_ = client_fd_ = -1;
  }

  // Steps both sides until the server's handshake is done; the server must say "would block"
  // (never fail) while the client has not answered yet.
  void handshake() {
    bool blocked_once = false;
    for (int i = 0; i < 100 && !session_->established(); ++i) {
      SSL_do_handshake(client_);
      int r = session_->handshake();
      ASSERT_GE(r, 0) << session_->last_error();
      if (r == 0) {
        blocked_once = true;
        EXPECT_TRUE(session_->wants_read() || session_->wants_write());
      }
    }
    ASSERT_TRUE(session_->established());
    EXPECT_TRUE(blocked_once);
    SSL_do_handshake(client_);
  }

  std::unique_ptr<TlsContext> server_ctx_;
  std::unique_ptr<TlsSession> session_;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* client_ = nullptr;
  int server_fd_ = -1;
  int client_fd_ = -1;
};

TEST_F(TlsPair, DataBothWaysThenCloseNotify) {
  handshake();
  char buf[256];
  errno = 0;
  EXPECT_EQ(session_->read(buf, sizeof buf), -1);  // nothing sent yet
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_TRUE(session_->wants_read());

  ASSERT_EQ(SSL_write(client_, "GET / HTTP/1.1\r\n\r\n", 18), 18);
  ssize_t n = session_->read(buf, sizeof buf);
  ASSERT_EQ(n, 18);
  EXPECT_EQ(std::string(buf, 18), "GET / HTTP/1.1\r\n\r\n");

  ASSERT_EQ(session_->write("HTTP/1.1 200 OK\r\n\r\n", 19), 19);
  int got = SSL_read(client_, buf, sizeof buf);
  ASSERT_EQ(got, 19);

  SSL_shutdown(client_);  // close_notify: an orderly end
  EXPECT_EQ(session_->read(buf, sizeof buf), 0);
  session_->shutdown();  // our close_notify, best effort
}

TEST_F(TlsPair, PartialWritesUnderBackPressure) {
  handshake();
  std::string big(4 << 20, 'x');
  size_t sent = 0;
  for (int i = 0; i < 1000 && sent < big.size(); ++i) {
    ssize_t n = session_->write(big.data() + sent, big.size() - sent);
    if (n < 0) {
      ASSERT_EQ(errno, EAGAIN);
      ASSERT_TRUE(session_->wants_write());
      // Drain the client side, then retry with the same leading bytes.
      char sink[65536];
      while (SSL_read(client_, sink, sizeof sink) > 0) {
      }
      continue;
    }
    sent += static_cast<size_t>(n);
  }
  EXPECT_EQ(sent, big.size());
}

TEST_F(TlsPair, RaggedEofIsEofWhenSuppressed) {
  handshake();
  shutdown(client_fd_, SHUT_WR);  // TCP EOF without close_notify
  char buf[64];
  EXPECT_EQ(session_->read(buf, sizeof buf), 0);
  EXPECT_EQ(session_->last_error(), "EOF without close_notify");
}

TEST_F(TlsPair, RaggedEofIsAnErrorWhenNotSuppressed) {
  stop();
  start(false);
  handshake();
  shutdown(client_fd_, SHUT_WR);
  char buf[64];
  errno = 0;
  EXPECT_EQ(session_->read(buf, sizeof buf), -1);
  EXPECT_EQ(errno, ECONNRESET);
  session_->shutdown();  // skipped after a failure: must not touch the socket
}

TEST_F(TlsPair, PlainHttpFailsTheHandshake) {
  ASSERT_EQ(write(client_fd_, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27), 27);
  EXPECT_EQ(session_->handshake(), -1);
  EXPECT_NE(session_->last_error().find("http request"), std::string::npos)
      << session_->last_error();
}

}  // namespace
}  // namespace bastion::server
