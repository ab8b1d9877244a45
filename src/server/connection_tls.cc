// SPDX-License-Identifier: MIT
// The Connection's TLS steps (docs/tls.md), kept apart from the plain state machine in
// connection.cc: PROXY header peeking before the handshake, the handshake itself, TLS reads
// and writes with their debug logging, and file bodies sent through the output buffer.
// Reached only when the connection has a TlsSession (certfile set).
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/log.h"
#include "server/connection.h"
#include "server/server.h"

namespace bastion::server {
namespace {

constexpr size_t kPeekChunk = 16384;  // more than the largest PROXY header (v2: 16 + 4096)

}  // namespace

// PROXY protocol before TLS: the header comes in clear, the TLS stream right after it. It is
// peeked, parsed as on a plain connection, and then exactly its bytes are taken from the
// socket, so OpenSSL reads the handshake from the first byte after the header. Edge-triggered
// epoll raises a new event for every arrival, so a partial header simply waits for the next.
bool Connection::peek_proxy_header() {
  in_.clear();
  ssize_t n = ::recv(fd_.get(), in_.prepare(kPeekChunk), kPeekChunk, MSG_PEEK);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return true;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    close_now();  // EOF or error before the header
    return true;
  }
  in_.commit(static_cast<size_t>(n));
  bool progress = read_proxy_header();  // consumes the header from in_, or closes
  if (state_ != State::Closed && !proxy_pending_) {
    size_t header = static_cast<size_t>(n) - in_.size();
    in_.clear();
    if (::recv(fd_.get(), in_.prepare(header), header, 0) != static_cast<ssize_t>(header)) {
      close_now();
      return true;
    }
  }
  in_.clear();
  return progress;
}

bool Connection::tls_handshake() {
  int r = tls_->handshake();
  if (r > 0) {
    last_progress_ = server_.loop().now_ms();
    return true;
  }
  if (r == 0) {
    if (tls_->wants_write()) {
      can_write_ = false;
    } else {
      can_read_ = false;
    }
    return false;
  }
  // Scanners, plain HTTP sent to the HTTPS port, clients that reject our certificate:
  // routine on any public port, hence debug. No response: nothing can be said in clear.
  BLOG_DEBUG("TLS handshake with %s failed: %s", os::to_string(peer_).c_str(),
             tls_->last_error().c_str());
  close_now();
  return true;
}

ssize_t Connection::tls_recv(char* dst, size_t cap) {
  ssize_t n = tls_->read(dst, cap);
  if (n < 0 && errno != EAGAIN) {
    int saved = errno;
    BLOG_DEBUG("TLS read from %s failed: %s", os::to_string(peer_).c_str(),
               tls_->last_error().c_str());
    errno = saved;
  }
  return n;
}

ssize_t Connection::tls_send(const char* src, size_t len) {
  ssize_t n = tls_->write(src, len);
  if (n == 0) {  // close_notify seen while writing: the peer is gone
    errno = EPIPE;
    return -1;
  }
  return n;
}

// A file_wrapper body over TLS: read a chunk into the drained out_ (so memory stays bounded)
// for flush() to encrypt. False when the file is done or ended early (file_left_ is then 0).
bool Connection::read_file_chunk() {
  constexpr size_t kFileChunk = 64 << 10;
  size_t want = file_left_ > static_cast<int64_t>(kFileChunk) ? kFileChunk
                                                               : static_cast<size_t>(file_left_);
  ssize_t n = ::pread(file_fd_, out_.prepare(want), want, file_offset_);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) {  // the file ended early (or cannot be read): as a short sendfile
    if (out_length_ >= 0 && static_cast<int64_t>(body_sent_) < out_length_) keep_alive_ = false;
    file_left_ = 0;
    return false;
  }
  out_.commit(static_cast<size_t>(n));
  file_offset_ += n;
  file_left_ -= n;
  body_sent_ += static_cast<uint64_t>(n);
  return true;
}

}  // namespace bastion::server
