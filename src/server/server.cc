// SPDX-License-Identifier: MIT
#include "server/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "base/clock.h"
#include "base/log.h"
#include "server/connection.h"

namespace bastion::server {

Server::Server(event::Loop& loop, const Options& options, Handler& handler, AccessLog& access_log)
    : loop_(loop), options_(options), handler_(handler), access_log_(access_log) {
  std::random_device rd;
  rid_prefix_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(getpid());
}

Server::~Server() {
  for (auto& l : listeners_) {
    if (l->armed) loop_.remove(l->fd);
  }
  conns_.clear();
}

void Server::add_listener(int fd) {
  auto l = std::make_unique<Listener>();
  l->server = this;
  l->fd = fd;
  if (auto addr = os::local_address(fd); addr.ok()) l->local = addr.value();
  os::set_nonblocking(fd);
  listeners_.push_back(std::move(l));
  arm_listeners(true);
}

void Server::arm_listeners(bool on) {
  for (auto& l : listeners_) {
    if (on && !l->armed) {
      // EPOLLEXCLUSIVE: one sleeping worker is woken per connection, not all (no thundering herd).
      loop_.add(l->fd, EPOLLIN | EPOLLEXCLUSIVE, l.get());
      l->armed = true;
    } else if (!on && l->armed) {
      loop_.remove(l->fd);
      l->armed = false;
    }
  }
  listeners_paused_ = !on;
}

void Server::Listener::on_io(uint32_t) {
  if (armed) server->accept_ready(*this);
}

void Server::accept_ready(Listener& listener) {
  // Bounded batch so a connection storm cannot starve requests already in progress.
  for (int i = 0; i < 64; ++i) {
    if (static_cast<int>(conns_.size() - dead_.size()) >= options_.worker_connections &&
        !evict_one()) {
      arm_listeners(false);  // resume when a connection closes
      return;
    }
    os::SockAddr peer;
    peer.len = sizeof peer.storage;
    int fd = accept4(listener.fd, peer.get(), &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        BLOG_ERROR("BST-E0101 accept: %s; raise the open-file limit or lower --worker-connections",
                   strerror(errno));
        if (!evict_one()) arm_listeners(false);
        return;
      }
      BLOG_ERROR("accept: %s", strerror(errno));
      return;
    }
    auto conn = std::make_unique<Connection>(*this, base::UniqueFd(fd), peer, &listener.local,
                                             next_id_++);
    Connection* raw = conn.get();
    by_id_.emplace(raw->id(), raw);
    conns_.emplace(raw, std::move(conn));
    loop_.add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, raw);
    // Data usually arrives with the connection (or right after): try at once.
    raw->on_io(EPOLLIN | EPOLLOUT);
  }
}

// At the connection limit, the connection that has waited longest for a request head (an
// idle keep-alive client or a slow-header sender) gives way to the new one, but only after it
// has waited kEvictAfterMs: a busy keep-alive client is idle for microseconds between its
// requests and must not lose its connection to a newcomer. With no such victim the listener
// pauses and newcomers wait in the kernel backlog until a slot frees up. Connections with a
// request being served are never evicted; lingering (already closing) ones go first.
bool Server::evict_one() {
  constexpr int64_t kEvictAfterMs = 1000;
  int64_t cutoff = loop_.now_ms() - kEvictAfterMs;
  Connection* victim = nullptr;
  for (auto& [raw, conn] : conns_) {
    if (raw->closed()) continue;
    bool lingering = raw->state() == Connection::State::Linger;
    if (!lingering && (raw->state() != Connection::State::ReadHead || raw->state_since() > cutoff))
      continue;
    if (victim == nullptr || lingering ||
        (victim->state() != Connection::State::Linger && raw->state_since() < victim->state_since()))
      victim = raw;
    if (lingering) break;
  }
  if (victim == nullptr) return false;
  // Closed now, freed after this poll round: its event may still be queued in this batch.
  victim->close_now();
  return true;
}

void Server::connection_closed(Connection* conn) {
  dead_.push_back(conn);
  if (listeners_paused_ && !stopping_) {
    loop_.defer([this] {
      if (listeners_paused_ && !stopping_ &&
          static_cast<int>(conns_.size() - dead_.size()) < options_.worker_connections)
        arm_listeners(true);
    });
  }
}

void Server::resume(uint64_t id) {
  auto it = by_id_.find(id);
  if (it != by_id_.end() && !it->second->closed()) it->second->resume();
}

void Server::reap() {
  for (Connection* conn : dead_) {
    by_id_.erase(conn->id());
    conns_.erase(conn);
  }
  dead_.clear();
}

void Server::request_done() {
  ++requests_;
  if (options_.max_requests > 0 && static_cast<int64_t>(requests_) >= options_.max_requests &&
      !stopping_) {
    BLOG_INFO("Autorestarting worker after current request (max_requests=%lld).",
              static_cast<long long>(options_.max_requests));
    loop_.defer([this] { begin_graceful_stop(); });
  }
}

std::string Server::new_request_id() {
  // 32 hex digits: a per-worker random prefix and a counter. Hand-rolled: this runs for every
  // request and snprintf showed up in profiles.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  uint64_t parts[2] = {rid_prefix_, ++rid_counter_};
  for (int p = 0; p < 2; ++p) {
    for (int i = 15; i >= 0; --i) {
      id[static_cast<size_t>(p * 16 + i)] = kHex[parts[p] & 0xf];
      parts[p] >>= 4;
    }
  }
  return id;
}

void Server::begin_graceful_stop() {
  if (stopping_) return;
  stopping_ = true;
  // Leave the listeners' wait queues first, then take what is already queued, so those
  // clients get an answer rather than a reset. In this order no connection is lost: with
  // EPOLLEXCLUSIVE the kernel wakes only one waiter per arrival, and one that arrives after
  // we left wakes a sibling instead of us.
  arm_listeners(false);
  for (auto& l : listeners_) accept_ready(*l);
  arm_listeners(false);
  // The Listener objects stay (disarmed) until the server is destroyed: an event for one may
  // still be queued in this poll round, and must not reach freed memory.
  std::vector<Connection*> all;
  all.reserve(conns_.size());
  for (auto& [raw, conn] : conns_) all.push_back(raw);
  for (Connection* c : all) c->stop_when_idle();
}

void Server::sweep() {
  int64_t now = loop_.now_ms();
  std::vector<Connection*> expired;
  for (auto& [raw, conn] : conns_) {
    if (raw->deadline() != 0 && raw->deadline() <= now) expired.push_back(raw);
  }
  for (Connection* c : expired) c->on_timer(now);
  // At the connection limit the listeners pause; retry now that more connections may have
  // aged enough to be evicted (a newcomer waits at most one sweep in the backlog).
  if (listeners_paused_ && !stopping_) arm_listeners(true);
}

bool Server::run_once() {
  loop_.run_once(stopping_ ? 100 : 1000);
  reap();
  if (loop_.now_ms() >= next_sweep_) {
    sweep();
    reap();
    next_sweep_ = loop_.now_ms() + 250;
  }
  return !(stopping_ && conns_.empty());
}

}  // namespace bastion::server
