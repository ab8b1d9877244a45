// SPDX-License-Identifier: MIT
#include "server/connection.h"

#include <sys/sendfile.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "base/clock.h"
#include "base/log.h"
#include "http/proxy_protocol.h"
#include "http/response.h"
#include "server/server.h"

namespace bastion::server {
namespace {

// A read asks for whatever room the input buffer has, at least this much (a request head
// usually fits the buffer's first 16 KiB; a larger one grows it)...
constexpr size_t kMinRead = 1024;
// ...or, for a body passing through the input buffer (chunked, or spooled to a file), this.
constexpr size_t kBodyViaInputRead = 64 << 10;
// Buffers that grew past this for one large request or response are freed once the
// connection has been idle for kTrimIdleMs (trim_if_idle(), from the server's sweep): a
// thousand idle keep-alive connections must not each keep the largest response they ever
// sent, while a busy connection keeps its buffers instead of reallocating them per request.
constexpr size_t kIdleBufferKeep = 64 << 10;
constexpr int64_t kTrimIdleMs = 1000;
// A body piece at least this large is written straight from the application's buffer
// (write_through()) rather than copied into the output buffer first.
constexpr size_t kWriteThroughMin = 16 << 10;
constexpr size_t kBodyReadChunk = 256 << 10;  // read size straight into a request body
constexpr int64_t kStopIdleGraceMs = 1000;  // see update_deadline()
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The client address a PROXY header reports (TCP4 or TCP6), as a socket address.
os::SockAddr proxied_source(const http::ProxyHeader& h) {
  os::SockAddr a;
  if (h.family == http::ProxyFamily::Tcp4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(h.src_port);
    std::memcpy(&in->sin_addr, h.src_addr, 4);
    a.len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(h.src_port);
    std::memcpy(&in6->sin6_addr, h.src_addr, 16);
    a.len = sizeof(sockaddr_in6);
  }
  return a;
}

// A refused PROXY connection is logged at info at most once a second per worker (a proxy
// misconfiguration or a scanner would otherwise flood the log), else at debug. Loop thread
// only: a worker has one loop thread, so the static needs no lock.
void log_proxy_refusal(int64_t now_ms, const os::SockAddr& peer, const char* why,
                       std::string_view detail) {
  static int64_t last_info_ms = INT64_MIN / 2;
  base::LogLevel level = base::LogLevel::Debug;
  if (now_ms - last_info_ms >= 1000) {
    level = base::LogLevel::Info;
    last_info_ms = now_ms;
  }
  base::log_at(level, "BST-E0110 closing connection from %s without a response: %s%s%.*s%s",
               os::to_string(peer).c_str(), why, detail.empty() ? "" : " (",
               static_cast<int>(detail.size()), detail.data(), detail.empty() ? "" : ")");
}

}  // namespace

Connection::Connection(Server& server, base::UniqueFd fd, const os::SockAddr& peer,
                       const os::SockAddr* local, uint64_t id)
    : server_(server),
      fd_(std::move(fd)),
      peer_(peer),
      local_(local),
      id_(id),
      parser_(server.options().limits) {
  body_.configure(server.options().body_buffer_size, &server.options().tmp_dir);
  proxy_pending_ = server.options().proxy_protocol && server.options().proxy_allow.contains(peer_);
  proxy_sniff_ = server.options().proxy_protocol && !proxy_pending_;
  if (server.options().tls != nullptr) {
    tls_ = TlsSession::create(*server.options().tls, fd_.get());
    if (tls_ == nullptr) {
      // Out of memory in OpenSSL: the first read sees EOF and the connection closes.
      BLOG_ERROR("BST-E0111 cannot start a TLS session for %s", os::to_string(peer_).c_str());
      ::shutdown(fd_.get(), SHUT_RDWR);
    }
  }
  accepted_ms_ = state_since_ = last_progress_ = server_.loop().now_ms();
  update_deadline();
}

Connection::~Connection() {
  source_.reset();
  if (fd_.valid()) server_.loop().remove(fd_.get());
}

bool Connection::idle() const noexcept { return state_ == State::ReadHead && in_.empty(); }

void Connection::trim_if_idle(int64_t now_ms) noexcept {
  if (idle() && now_ms - state_since_ >= kTrimIdleMs) {  // each frees only when empty
    in_.shrink_if_idle(kIdleBufferKeep);
    out_.shrink_if_idle(kIdleBufferKeep);
    body_.trim(kIdleBufferKeep);
  }
}

void Connection::enter(State s) {
  state_ = s;
  state_since_ = last_progress_ = server_.loop().now_ms();
  update_deadline();
}

void Connection::update_deadline() {
  const Options& opt = server_.options();
  switch (state_) {
    case State::ReadHead:
      // Idle keep-alive waits `keepalive`; a started (or first) head must complete within
      // header_timeout, counted from when the wait began: trickling bytes does not extend it.
      if (in_.empty() && request_index_ > 0) {
        // While stopping, an idle keep-alive connection still gets a short grace: its client
        // may be sending the next request right now, and closing under it would fail that
        // request. A request that arrives is answered with Connection: close.
        deadline_ = state_since_ + (stopping_ ? std::min<int64_t>(opt.keepalive_ms, kStopIdleGraceMs)
                                              : opt.keepalive_ms);
      } else {
        deadline_ = state_since_ + opt.header_timeout_ms;
      }
      break;
    case State::ReadBody: deadline_ = last_progress_ + opt.body_timeout_ms; break;
    case State::Respond:
      deadline_ = (out_.empty() && file_left_ == 0) ? 0 : last_progress_ + opt.send_timeout_ms;
      break;
    case State::Linger: deadline_ = state_since_ + opt.linger_ms; break;
    case State::Closed: deadline_ = 0; break;
  }
}

void Connection::on_io(uint32_t events) {
  if (state_ == State::Closed) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) can_read_ = true;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) peer_closing_ = true;
  if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) can_write_ = true;
  if (tls_ != nullptr) {
    // TLS records flow both ways: a read may wait for room to write (and a write for bytes
    // to read). Both interests stay registered (edge-triggered), so either edge retries both.
    if (events & EPOLLOUT) can_read_ = true;
    if (events & EPOLLIN) can_write_ = true;
  }
  advance();
}

void Connection::on_timer(int64_t now_ms) {
  if (state_ == State::Closed || deadline_ == 0 || now_ms < deadline_) return;
  switch (state_) {
    case State::ReadHead:
      if (proxy_pending_) {
        log_proxy_refusal(now_ms, peer_, "no complete PROXY protocol header within header_timeout",
                          {});
        close_now();
      } else if (in_.empty()) {
        if (tls_ != nullptr && !tls_->established()) {
          BLOG_DEBUG("TLS handshake with %s failed: not completed within header_timeout",
                     os::to_string(peer_).c_str());
        }
        close_now();  // idle keep-alive or a client that never spoke: close quietly
      } else {
        fail(http::ParseError::HeaderTimeout);
      }
      break;
    case State::ReadBody: fail(http::ParseError::BodyTimeout); break;
    case State::Respond:
      BLOG_INFO("closing connection from %s: client did not read the response for %lld ms",
                os::to_string(peer_).c_str(),
                static_cast<long long>(server_.options().send_timeout_ms));
      abort_now();
      break;
    case State::Linger: close_now(); break;
    case State::Closed: break;
  }
}

void Connection::stop_when_idle() {
  stopping_ = true;
  // A response whose head already promised keep-alive keeps its promise: the client may
  // send its next request the moment it has read this one, so that request is served (with
  // Connection: close) instead of meeting a closed socket. Otherwise the next head says close.
  if (!(state_ == State::Respond && head_sent_)) keep_alive_ = false;
  if (state_ == State::ReadHead) {
    // A request may already sit unread in the socket: read it before deciding it is idle.
    can_read_ = true;
    advance();
  }
  if (state_ != State::Closed) update_deadline();
}

void Connection::abort_now() {
  if (tls_ != nullptr) tls_->abandon();  // a reset, not a TLS close
  // A plain close would leave everything still queued in the kernel's send buffer (megabytes)
  // on an orphaned socket, trickled out to a peer that does not read for as long as the
  // kernel's retries last. A zero linger time resets the connection and frees it at once.
  if (fd_.valid()) {
    linger lg{};
    lg.l_onoff = 1;
    lg.l_linger = 0;
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close_now();
}

void Connection::close_now() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  deadline_ = 0;
  source_.reset();
  if (tls_ != nullptr) tls_->shutdown();  // best-effort close_notify, never blocks
  server_.loop().remove(fd_.get());
  fd_.reset();
  server_.connection_closed(this);
}

// The driver: makes all the progress the socket and the application allow, then returns to
// the loop. Bounded so one busy pipelining client cannot starve the others.
void Connection::advance() {
  constexpr int kRounds = 64;
  int round = 0;
  // A queued request (dispatch()) holds the connection until the end of the round.
  for (; round < kRounds && state_ != State::Closed && !dispatch_queued_; ++round) {
    bool progress = false;
    switch (state_) {
      case State::ReadHead:
        progress = parse_head();
        if (!progress && state_ == State::ReadHead) progress = read_some();
        break;
      case State::ReadBody:
        progress = read_body();
        if (!progress && state_ == State::ReadBody) progress = read_some();
        break;
      case State::Respond:
        progress = pump();
        if (defer_flush()) break;
        if (flush()) progress = true;
        break;
      case State::Linger: {
        if (!out_.empty() || file_left_ > 0) {
          progress = flush();
          if (out_.empty() && file_left_ == 0 && state_ == State::Linger) half_close();
          break;
        }
        // Drain and discard what the client still sends, so our close does not turn into a
        // reset that destroys the error response before the client reads it.
        progress = read_some();
        in_.clear();
        if (peer_eof_) close_now();
        break;
      }
      case State::Closed: return;
    }
    if (!progress) break;
  }
  if (state_ == State::Closed) return;
  update_deadline();
  if (round == kRounds) {
    // Out of budget with work left. The fd is edge-triggered: bytes already waiting in the
    // socket (or room already free in it) raise no new event, so without this the
    // connection would stall until the peer happens to send again. Continue after the
    // other ready connections have had their turn.
    Server& server = server_;
    uint64_t id = id_;
    server_.loop().defer([&server, id] { server.resume(id); });
  }
}

bool Connection::read_some() {
  if (!can_read_ || peer_eof_) return false;
  char* dst = in_.prepare(state_ == State::ReadBody ? kBodyViaInputRead : kMinRead);
  size_t room = in_.writable();
  ssize_t n;
  if (tls_ == nullptr) {
    n = ::read(fd_.get(), dst, room);
  } else {
    if (proxy_pending_ || !tls_->established()) return false;  // parse_head() drives those
    n = tls_recv(dst, room);
  }
  if (n > 0) {
    in_.commit(static_cast<size_t>(n));
    last_progress_ = server_.loop().now_ms();
    note_short_read(static_cast<size_t>(n), room);
    return true;
  }
  return read_ended(n);
}

// A plain TCP read that returned less than it asked for has emptied the socket's receive
// queue: anything that arrives later raises a new edge-triggered event. So the read that would
// only report EAGAIN is skipped (one system call less per keep-alive request). Not when the
// last event carried a hang-up or error (the EOF behind the data must still be read: no
// further event will announce it), and not over TLS (the session buffers records itself).
void Connection::note_short_read(size_t got, size_t asked) noexcept {
  if (got < asked && tls_ == nullptr && !peer_closing_) can_read_ = false;
}

bool Connection::read_ended(ssize_t n) {
  if (n == 0) {
    peer_eof_ = true;
    // Between requests a clean close; mid-request the client went away and there is nothing
    // to answer. While a response is under way it goes on (the peer may have half-closed).
    if (state_ == State::ReadHead || state_ == State::ReadBody) close_now();
    return true;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    can_read_ = false;
    return false;
  }
  if (errno == EINTR) return true;
  close_now();
  return true;
}

// PROXY protocol (docs/proxy-protocol.md): with proxy_protocol on, the first bytes from a peer
// in proxy_allow_ips are the proxy's header, read once; the HTTP stream starts right after it.
// A refusal is never answered: the peer is a proxy, which would relay an HTTP error to a
// client that did nothing wrong. Other peers are direct clients, served with their own
// address (as Gunicorn does); a PROXY header from one of them is a 403, never trusted.
bool Connection::read_proxy_header() {
  const Options& opt = server_.options();
  if (in_.empty()) return false;
  http::ProxyResult r = http::parse_proxy_header(in_.view(), opt.proxy_versions);
  if (r.status == http::ProxyStatus::NeedMore) return false;
  if (r.status == http::ProxyStatus::Error) {
    const char* why = r.error == http::ProxyError::NotProxy ? "no PROXY protocol header"
                                                            : "invalid PROXY protocol header";
    log_proxy_refusal(server_.loop().now_ms(), peer_, why, http::proxy_error_name(r.error));
    close_now();
    return true;
  }
  in_.consume(r.consumed);
  proxy_pending_ = false;
  // TCP4/TCP6: the client is the header's source, for REMOTE_ADDR, the access log and every
  // trust decision (forwarded_allow_ips). LOCAL and UNKNOWN keep the socket's own peer.
  if (r.header.family == http::ProxyFamily::Tcp4 || r.header.family == http::ProxyFamily::Tcp6) {
    os::SockAddr client = proxied_source(r.header);
    BLOG_DEBUG("PROXY v%d header from %s: client %s", r.header.version,
               os::to_string(peer_).c_str(), os::to_string(client).c_str());
    peer_ = client;
  }
  return true;
}

bool Connection::parse_head() {
  if (proxy_pending_) return tls_ == nullptr ? read_proxy_header() : peek_proxy_header();
  if (tls_ != nullptr && !tls_->established()) return tls_handshake();
  if (proxy_sniff_ && !in_.empty()) {
    // A direct client (not in proxy_allow_ips) may not claim another address.
    http::ProxySniff sniff = http::sniff_proxy_header(in_.view());
    if (sniff == http::ProxySniff::Maybe) return false;  // too short to tell
    proxy_sniff_ = false;
    if (sniff == http::ProxySniff::Yes) {
      fail(http::ParseError::UntrustedProxyHeader);  // logged at debug, as every 4xx
      return true;
    }
  }
  if (in_.empty()) return false;
  std::string_view input = in_.view();
  http::ParseResult r = parser_.parse(input, head_);
  if (r.status == http::ParseStatus::NeedMore) return false;
  if (r.status == http::ParseStatus::Error) {
    fail(r.error);
    return true;
  }
  // Keep the head in stable storage: in_ may move when more bytes arrive.
  head_bytes_.assign(input.data(), r.consumed);
  rebase_head(head_, input.data(), head_bytes_.data(), r.consumed);
  in_.consume(r.consumed);
  parser_.reset();
  if (probation_) server_.admit(this);  // accepted over the limit: it has proved itself
  request_start_us_ = base::now_us();
  keep_alive_ = head_.keep_alive && !stopping_ && server_.options().keepalive_ms > 0;

  peer_trusted_ = server_.options().trusted.contains(peer_);  // once per request (dispatch too)
  const http::HeaderField* rid = peer_trusted_ ? head_.find("X-Request-ID")
                                                                          : nullptr;
  if (rid != nullptr && valid_request_id(rid->value)) {
    request_id_.assign(rid->value);
  } else {
    server_.new_request_id(request_id_);  // in place: no allocation per request
  }
  body_.clear();
  if (head_.body == http::BodyKind::None ||
      (head_.body == http::BodyKind::Length && head_.content_length == 0)) {
    dispatch();
    return true;
  }
  if (head_.body == http::BodyKind::Length) {
    body_left_ = head_.content_length;
    body_.expect(body_left_);
    chunked_.reset();
  } else {
    chunked_.emplace(server_.options().limits.body, server_.options().limits.trailer_total);
  }
  if (head_.expect_continue && in_.empty()) out_.append(kContinue);
  enter(State::ReadBody);
  return true;
}

bool Connection::read_body() {
  if (!out_.empty()) flush();  // a pending 100 Continue
  if (in_.empty() && !chunked_ && body_left_ > 0 && body_.memory_room() >= body_left_)
    return read_body_direct();
  if (in_.empty()) return false;
  std::string_view input = in_.view();
  if (!chunked_) {
    size_t take = input.size() < body_left_ ? input.size() : static_cast<size_t>(body_left_);
    if (!body_.append(input.substr(0, take))) {
      BLOG_ERROR("BST-E0201 cannot spool a request body to a temporary file: %s",
                 strerror(errno));
      fail(http::ParseError::BodyStorage);
      return true;
    }
    in_.consume(take);
    body_left_ -= take;
    if (body_left_ == 0) dispatch();
    return true;
  }
  size_t used = 0;
  while (true) {
    http::ChunkedDecoder::Step step = chunked_->next(input.substr(used));
    used += step.consumed;
    if (step.status == http::ChunkedDecoder::Status::Data) {
      if (!body_.append(step.data)) {
        BLOG_ERROR("BST-E0201 cannot spool a request body to a temporary file: %s",
                   strerror(errno));
        fail(http::ParseError::BodyStorage);
        return true;
      }
      continue;
    }
    in_.consume(used);
    if (step.status == http::ChunkedDecoder::Status::Error) {
      fail(step.error);
      return true;
    }
    if (step.status == http::ChunkedDecoder::Status::Done) {
      chunked_.reset();
      dispatch();
      return true;
    }
    return used > 0;  // NeedMore
  }
}

// A Content-Length body that stays in memory is read from the socket straight into it, in
// large reads, instead of through in_ (one copy less per byte). Never reads past the body, so
// a pipelined next request stays in the socket.
bool Connection::read_body_direct() {
  if (!can_read_ || peer_eof_) return false;
  size_t want = body_left_ < kBodyReadChunk ? static_cast<size_t>(body_left_) : kBodyReadChunk;
  char* dst = body_.prepare(want);
  ssize_t n = tls_ == nullptr ? ::read(fd_.get(), dst, want) : tls_recv(dst, want);
  if (n > 0) {
    body_.commit(static_cast<size_t>(n));
    body_left_ -= static_cast<uint64_t>(n);
    last_progress_ = server_.loop().now_ms();
    note_short_read(static_cast<size_t>(n), want);
    if (body_left_ == 0) dispatch();
    return true;
  }
  return read_ended(n);  // state_ is ReadBody: EOF closes
}

// The request is complete: the connection enters Respond, and the application gets the
// request at the end of the loop round, together with every other request that became ready
// in the round (Server::end_round): their calls then run back to back, between the reads and
// the writes, instead of each between two system calls.
void Connection::dispatch() {
  head_sent_ = false;
  body_sent_ = 0;
  status_ = 0;
  out_length_ = -1;
  file_left_ = 0;
  enter(State::Respond);
  dispatch_queued_ = true;
  server_.queue_dispatch(this);
}

void Connection::dispatch_queued_request() {
  dispatch_queued_ = false;
  if (state_ == State::Closed) return;
  start_source();
  advance();
}

void Connection::start_source() {
  RequestInfo info;
  info.head = &head_;
  info.head_bytes = head_bytes_;
  info.body = &body_;
  info.peer = &peer_;
  info.local = local_;
  info.peer_trusted = peer_trusted_;
  info.tls = tls_ != nullptr;
  info.request_id = request_id_;
  info.connection_id = id_;
  info.request_index = request_index_;
  source_ = server_.handler().start(info);
}

void Connection::start_head(const ResponseHead& rh) {
  status_ = rh.status;
  bool head_request = head_.method == "HEAD";
  body_allowed_ = !head_request && !http::status_forbids_body(rh.status);
  out_length_ = rh.content_length;
  chunked_out_ = false;
  if (rh.close) keep_alive_ = false;  // DESIGN 4: every error response closes the connection
  if (rh.status >= 200 && body_allowed_ && rh.content_length < 0) {
    if (head_.version_minor >= 1) {
      chunked_out_ = true;
    } else {
      keep_alive_ = false;  // HTTP/1.0 without a length: the close delimits the body
    }
  }
  if (!body_allowed_) out_length_ = -1;

  // Serialised straight into the output buffer (no temporary string per response).
  out_.append(head_.version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out_.append(rh.status_text);
  out_.append("\r\n");
  out_.append(rh.fields);
  if (!rh.has_server) out_.append("Server: bastion\r\n");
  if (!rh.has_date) {
    out_.append("Date: ");
    out_.append(server_.date().get());
    out_.append("\r\n");
  }
  if (chunked_out_) out_.append("Transfer-Encoding: chunked\r\n");
  if (!keep_alive_) {
    out_.append("Connection: close\r\n");
  } else if (head_.version_minor == 0) {
    out_.append("Connection: keep-alive\r\n");
  }
  out_.append("X-Request-ID: ");
  out_.append(request_id_);
  out_.append("\r\n\r\n");
  head_sent_ = true;
  if (server_.access_log().enabled()) response_fields_.assign(rh.fields);
}

void Connection::append_body(std::string_view data) {
  if (!body_allowed_ || data.empty()) return;
  if (out_length_ >= 0) {
    // Never send more than the declared length: extra bytes would be read as a new response.
    uint64_t room = static_cast<uint64_t>(out_length_) - body_sent_;
    if (data.size() > room) {
      BLOG_ERROR("BST-E0301 the application sent more than its Content-Length (%lld); "
                 "extra bytes dropped", static_cast<long long>(out_length_));
      data = data.substr(0, static_cast<size_t>(room));
      keep_alive_ = false;
    }
  }
  body_sent_ += data.size();
  std::string size_line;
  if (chunked_out_) http::append_chunk_header(size_line, data.size());
  std::string_view tail = chunked_out_ ? std::string_view("\r\n") : std::string_view();
  if (data.size() >= kWriteThroughMin && write_through(size_line, data, tail)) return;
  out_.append(size_line);
  out_.append(data);
  out_.append(tail);
}

// Sends what the output buffer holds and then `a`, `b`, `c` (a body piece with its chunk
// framing) in one sendmsg, straight from the caller's memory: a large piece is not copied
// into the output buffer first, and head and body leave together. What the socket does not
// take is appended to the output buffer, so the caller may reuse its memory at once. False,
// with nothing done, when the socket cannot take bytes now (or over TLS): the caller buffers.
bool Connection::write_through(std::string_view a, std::string_view b, std::string_view c) {
  if (tls_ != nullptr || !can_write_ || file_left_ > 0) return false;
  std::string_view pending = out_.view();
  std::string_view parts[4] = {pending, a, b, c};
  iovec iov[4];
  int count = 0;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    iov[count].iov_base = const_cast<char*>(part.data());
    iov[count].iov_len = part.size();
    ++count;
  }
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<size_t>(count);
  ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  if (n < 0) {
    // EAGAIN: wait for room; an error (EPIPE...) is seen again, and acted on, by flush().
    if (errno == EAGAIN || errno == EWOULDBLOCK) can_write_ = false;
    return false;
  }
  last_progress_ = server_.loop().now_ms();
  size_t sent = static_cast<size_t>(n);
  size_t from_out = std::min(sent, pending.size());
  out_.consume(from_out);
  sent -= from_out;
  for (std::string_view part : {a, b, c}) {
    size_t skip = std::min(sent, part.size());
    sent -= skip;
    out_.append(part.substr(skip));
  }
  return true;
}

// Pulls from the application until the output passes the high-water mark, a file is being
// sent, or the response is complete.
bool Connection::pump() {
  bool progress = false;
  while (state_ == State::Respond && source_ && file_left_ == 0 &&
         out_.size() < server_.options().output_high_water) {
    Pull p = source_->pull();
    // A pool thread is still working: the server resumes us when it has more.
    if (p.status == PullStatus::Pending) return progress;
    progress = true;
    switch (p.status) {
      case PullStatus::Head: start_head(*p.head); break;
      case PullStatus::Data: append_body(p.data); break;
      case PullStatus::File:
        if (!body_allowed_) break;
        if (chunked_out_ || !server_.options().sendfile) {
          // Read through the file ourselves when the framing or settings exclude sendfile.
          char buf[65536];
          int64_t left = p.length;
          int64_t off = p.offset;
          while (left != 0) {
            size_t want = left < 0 || left > static_cast<int64_t>(sizeof buf) ? sizeof buf
                                                                               : static_cast<size_t>(left);
            ssize_t n = ::pread(p.file_fd, buf, want, off);
            if (n <= 0) break;
            append_body({buf, static_cast<size_t>(n)});
            off += n;
            if (left > 0) left -= n;
          }
        } else {
          file_fd_ = p.file_fd;
          file_offset_ = p.offset;
          file_left_ = p.length;
          if (out_length_ >= 0) {
            int64_t room = out_length_ - static_cast<int64_t>(body_sent_);
            if (file_left_ < 0 || file_left_ > room) file_left_ = room;
          }
          if (file_left_ < 0) file_left_ = INT64_MAX;  // to EOF (close-delimited)
        }
        break;
      case PullStatus::Done: finish_response(); return true;
      case PullStatus::Pending: break;  // handled above
      case PullStatus::Error:
        // Headers may be out already: the only honest signal left is an aborted connection.
        // What the app produced before failing goes out first (best effort, never blocking),
        // so the client sees a truncated response (no final chunk, a short body) rather than
        // an empty reply it might silently retry.
        keep_alive_ = false;
        write_access_log();
        source_.reset();
        // Over TLS, no close_notify either: it would make the truncation look like a clean end.
        if (tls_ != nullptr) tls_->abandon();
        if (can_write_ && !out_.empty()) {
          std::string_view pending = out_.view();
          [[maybe_unused]] ssize_t sent =
              tls_ == nullptr
                  ? ::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT)
                  : tls_->write(pending.data(), pending.size());
        }
        close_now();
        return true;
    }
  }
  return progress;
}

void Connection::finish_response() {
  if (chunked_out_) out_.append("0\r\n\r\n");
  if (out_length_ >= 0 && body_sent_ + static_cast<uint64_t>(file_left_ > 0 ? file_left_ : 0) <
                              static_cast<uint64_t>(out_length_)) {
    BLOG_ERROR("BST-E0302 the application sent %llu bytes but declared Content-Length %lld; "
               "closing the connection", static_cast<unsigned long long>(body_sent_),
               static_cast<long long>(out_length_));
    keep_alive_ = false;
  }
  write_access_log();
  source_.reset();  // runs the iterable's close() now, before the next request
  ++request_index_;
  server_.request_done();
  if (!keep_alive_) {
    begin_linger();
    return;
  }
  // Keep-alive: the next (possibly pipelined) request is parsed once this one is written.
  body_.clear();
  head_.clear();
  if (out_.empty() && file_left_ == 0) enter(State::ReadHead);
}

void Connection::write_access_log() {
  if (!server_.access_log().enabled() || status_ == 0) return;
  AccessRecord rec;
  rec.head = &head_;
  rec.peer = &peer_;
  rec.status = status_;
  rec.body_bytes = body_sent_;
  rec.duration_us = base::now_us() - request_start_us_;
  rec.response_fields = response_fields_;
  rec.source = source_.get();
  server_.access_log().write(rec);
}

// A complete keep-alive response is not written at once but at the end of the loop round,
// together with the responses of every other connection served in the round. The sends (on
// loopback, each runs the receiving side's TCP work too) then come back to back instead of
// between application calls, which keeps the interpreter's and the kernel's working sets
// each warm for longer. Only the plain common case: a small response, produced in full, with
// no pipelined request behind it (that one would wait a round per response) and no file.
bool Connection::defer_flush() {
  constexpr size_t kDeferMaxBytes = 64 << 10;
  if (flush_queued_) return true;
  if (source_ != nullptr || tls_ != nullptr || out_.empty() || !in_.empty() || file_left_ > 0 ||
      !can_write_ || out_.size() > kDeferMaxBytes)
    return false;
  flush_queued_ = true;
  server_.queue_flush(this);
  return true;
}

void Connection::write_queued() {
  flush_queued_ = false;
  if (state_ == State::Closed) return;
  flush();
  advance();
}

bool Connection::flush() {
  bool progress = false;
  for (;;) {
    while (can_write_ && !out_.empty()) {
      std::string_view pending = out_.view();
      ssize_t n = tls_ == nullptr ? ::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL)
                                  : tls_send(pending.data(), pending.size());
      if (n > 0) {
        out_.consume(static_cast<size_t>(n));
        last_progress_ = server_.loop().now_ms();
        progress = true;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        can_write_ = false;
        break;
      }
      if (n < 0 && errno == EINTR) continue;
      close_now();  // EPIPE, ECONNRESET: the client is gone
      return true;
    }
    // Over TLS a file is sent through out_ (no sendfile): refill once it has drained. This
    // leaves file_left_ at 0 or out_ non-empty, so the sendfile loop below is plain-only.
    if (tls_ == nullptr || !can_write_ || !out_.empty() || file_left_ == 0) break;
    if (!read_file_chunk()) break;
    progress = true;
  }
  while (can_write_ && out_.empty() && file_left_ > 0) {
    off_t off = file_offset_;
    size_t want = file_left_ > (1 << 20) ? (1 << 20) : static_cast<size_t>(file_left_);
    ssize_t n = ::sendfile(fd_.get(), file_fd_, &off, want);
    if (n > 0) {
      file_offset_ = off;
      file_left_ -= n;
      body_sent_ += static_cast<uint64_t>(n);
      last_progress_ = server_.loop().now_ms();
      progress = true;
      continue;
    }
    if (n == 0) {  // the file ended early
      if (out_length_ >= 0 && static_cast<int64_t>(body_sent_) < out_length_) keep_alive_ = false;
      file_left_ = 0;
      break;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      can_write_ = false;
      break;
    }
    if (errno == EINTR) continue;
    close_now();
    return true;
  }
  if (state_ == State::Respond && !source_ && out_.empty() && file_left_ == 0) {
    // The response finished earlier and is now fully written.
    if (keep_alive_) {
      enter(State::ReadHead);
    } else {
      begin_linger();
    }
    progress = true;
  }
  return progress;
}

void Connection::fail(http::ParseError error) {
  if (error != http::ParseError::HeaderTimeout || !in_.empty()) {
    BLOG_DEBUG("rejecting request from %s: %s", os::to_string(peer_).c_str(),
               std::string(http::name_of(error)).c_str());
  }
  source_.reset();
  in_.clear();
  keep_alive_ = false;
  // The canned response is static; Date (RFC 9110 6.6.1: required on 4xx from a server with
  // a clock) and Server go in right after its status line, as on every other response.
  std::string_view canned = http::canned_response(error);
  size_t status_end = canned.find("\r\n");
  status_end = status_end == std::string_view::npos ? 0 : status_end + 2;
  out_.append(canned.substr(0, status_end));
  std::string fields;
  http::append_header(fields, "Date", server_.date().get());
  fields.append("Server: bastion\r\n");
  out_.append(fields);
  out_.append(canned.substr(status_end));
  status_ = http::status_for(error);
  begin_linger();
}

void Connection::begin_linger() {
  keep_alive_ = false;
  if (state_ == State::Closed) return;
  enter(State::Linger);
  flush();
  if (state_ == State::Closed) return;
  if (out_.empty() && file_left_ == 0) {
    half_close();
    if (peer_eof_) close_now();
  }
}

// Our side is done sending: over TLS a close_notify first (best effort), then the FIN.
void Connection::half_close() {
  if (tls_ != nullptr) tls_->shutdown();
  ::shutdown(fd_.get(), SHUT_WR);
}

}  // namespace bastion::server
