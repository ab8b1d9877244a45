// SPDX-License-Identifier: MIT
// One client connection's state machine: read -> parse head -> receive body -> dispatch to
// the Handler -> write the response (non-blocking, high-water bounded) -> keep-alive or close.
// Dispatching and writing a small finished response wait for the end of the loop round
// (Server::end_round), so that a round's application calls, and then its writes, run back to
// back.
// Over plain TCP or, when the server has a TlsContext, over TLS (server/tls.h, docs/tls.md).
// Loop thread only. Owned by the Server; never destroyed inside its own on_io() (the server
// reaps closed connections after the poll round).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/buffer.h"
#include "base/unique_fd.h"
#include "event/loop.h"
#include "http/chunked.h"
#include "http/parser.h"
#include "os/socket.h"
#include "server/body.h"
#include "server/handler.h"
#include "server/tls.h"

namespace bastion::server {

class Server;

class Connection final : public event::IoHandler {
 public:
  enum class State : uint8_t { ReadHead, ReadBody, Respond, Linger, Closed };

  Connection(Server& server, base::UniqueFd fd, const os::SockAddr& peer,
             const os::SockAddr* local, uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void on_io(uint32_t events) override;
  /// The response source has new events (threaded mode): continue where we stopped.
  void resume() { advance(); }
  /// The server's end of round (Server::end_round): hands the queued request to the
  /// application, or writes the queued response, and goes on with the connection.
  void dispatch_queued_request();
  void write_queued();
  bool dispatch_queued() const noexcept { return dispatch_queued_; }
  bool flush_queued() const noexcept { return flush_queued_; }
  /// Called by the server's sweep: acts on an expired deadline.
  void on_timer(int64_t now_ms);
  /// Graceful stop: closes now if idle between requests, else after the current response.
  void stop_when_idle();

  int fd() const noexcept { return fd_.get(); }
  State state() const noexcept { return state_; }
  bool closed() const noexcept { return state_ == State::Closed; }
  /// Idle between requests with nothing buffered: safe to close or evict.
  bool idle() const noexcept;
  /// Frees buffers that grew large for an earlier request once the connection has been idle
  /// for a while (called by the server's sweep).
  void trim_if_idle(int64_t now_ms) noexcept;
  int64_t deadline() const noexcept { return deadline_; }
  int64_t state_since() const noexcept { return state_since_; }
  int64_t accepted_ms() const noexcept { return accepted_ms_; }
  /// Accepted over worker_connections: keeps its place only once it sends a request head.
  bool on_probation() const noexcept { return probation_; }
  void set_probation(bool on) noexcept { probation_ = on; }
  uint64_t id() const noexcept { return id_; }

  /// Closes now (eviction, fatal errors). Safe to call more than once.
  void close_now();
  /// Closes with a reset, discarding unsent bytes (a peer that stopped reading).
  void abort_now();

 private:
  void advance();
  bool read_some();
  /// A read returned `n` <= 0 (EOF, would block, error): updates the connection and returns
  /// what read_some() returns (true: progress or closed; false: wait for readiness).
  bool read_ended(ssize_t n);
  void note_short_read(size_t got, size_t asked) noexcept;
  bool parse_head();
  bool read_proxy_header();
  // TLS (docs/tls.md, connection_tls.cc); only reached when tls_ is set.
  bool peek_proxy_header();
  bool tls_handshake();
  bool read_file_chunk();
  ssize_t tls_recv(char* dst, size_t cap);
  ssize_t tls_send(const char* src, size_t len);
  void half_close();
  bool read_body();
  bool read_body_direct();
  void dispatch();
  void start_source();
  bool pump();
  bool defer_flush();
  bool flush();
  void start_head(const ResponseHead& rh);
  void append_body(std::string_view data);
  bool write_through(std::string_view a, std::string_view b, std::string_view c);
  void finish_response();
  void fail(http::ParseError error);
  void begin_linger();
  void enter(State s);
  void update_deadline();
  void write_access_log();

  Server& server_;
  base::UniqueFd fd_;
  os::SockAddr peer_;
  const os::SockAddr* local_;
  uint64_t id_;
  State state_ = State::ReadHead;
  int64_t state_since_ = 0;
  int64_t accepted_ms_ = 0;
  bool probation_ = false;
  int64_t deadline_ = 0;
  int64_t last_progress_ = 0;
  bool can_read_ = true;
  bool can_write_ = true;
  bool peer_eof_ = false;
  bool peer_closing_ = false;  // an event reported RDHUP/HUP/ERR: read on until EOF
  bool stopping_ = false;
  bool keep_alive_ = true;
  bool dispatch_queued_ = false;  // a complete request waits for the end of the round
  bool flush_queued_ = false;     // a finished response waits for the end of the round
  bool peer_trusted_ = false;  // peer_ in forwarded_allow_ips, decided when the head arrives
  uint32_t request_index_ = 0;
  bool proxy_pending_ = false;  // proxy_protocol on, an allowed proxy, header not read yet
  bool proxy_sniff_ = false;    // proxy_protocol on, a direct client: refuse a PROXY header
  // HTTPS: all socket I/O goes through the session; null for plain HTTP (every I/O call tests
  // this pointer and nothing else, so the plain path pays one predictable branch).
  std::unique_ptr<TlsSession> tls_;

  base::Buffer in_;
  http::RequestParser parser_;
  http::RequestHead head_;
  std::string head_bytes_;  // stable copy of the current head; head_ views point here
  uint64_t body_left_ = 0;
  std::optional<http::ChunkedDecoder> chunked_;
  Body body_;
  std::string request_id_;

  std::unique_ptr<ResponseSource> source_;
  base::Buffer out_;
  bool head_sent_ = false;
  bool body_allowed_ = true;
  bool chunked_out_ = false;
  int64_t out_length_ = -1;      // declared Content-Length still to send, -1 when none
  uint64_t body_sent_ = 0;
  int status_ = 0;
  std::string response_fields_;  // copy kept for the access log's %({x}o)s atoms
  int file_fd_ = -1;
  int64_t file_offset_ = 0;
  int64_t file_left_ = 0;
  int64_t request_start_us_ = 0;
};

}  // namespace bastion::server
