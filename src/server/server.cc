// SPDX-License-Identifier: MIT
#include "server/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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
    // At the limit a newcomer is taken on probation (a few extra slots): it gets a real slot
    // once it has sent a request head (admit()), or is closed if it has not within
    // kProbationMs. Deciding on the newcomer's behaviour, not at accept time, means that a
    // slow-header client reconnecting after its eviction only takes a probation slot
    // and cannot in turn evict another connection: no eviction churn.
    bool at_limit = live_count() >= options_.worker_connections;
    if (at_limit && (probation_ >= probation_slots() || !evict_lingering())) {
      if (probation_ >= probation_slots()) {
        arm_listeners(false);  // resume when a connection closes
        return;
      }
      at_limit = live_count() >= options_.worker_connections;
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
        if (!evict_one(nullptr)) arm_listeners(false);
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
    if (at_limit) {
      raw->set_probation(true);
      ++probation_;
    }
    // Data usually arrives with the connection (or right after): try at once.
    raw->on_io(EPOLLIN | EPOLLOUT);
  }
}

// At the connection limit, a newcomer that has sent its request head (see accept_ready) takes
// the slot of the connection that has waited longest for a request head (an idle keep-alive
// client or a slow-header sender), but only one that has waited kEvictAfterMs: a busy
// keep-alive client is idle for microseconds between its requests and must not lose its
// connection. The minimum is short (a fraction of a second): with every slot held by clients
// trickling their heads, a real client is served at once instead of waiting in the backlog
// (header_timeout still bounds every head on its own). Connections with a request being
// served are never evicted; lingering (already closing) ones go first. With no victim the
// newcomer is served anyway, over the limit by at most probation_slots().
bool Server::evict_one(const Connection* keep) {
  int64_t cutoff = loop_.now_ms() - kEvictAfterMs;
  Connection* victim = nullptr;
  for (auto& [raw, conn] : conns_) {
    if (raw->closed() || raw == keep) continue;
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

bool Server::evict_lingering() {
  for (auto& [raw, conn] : conns_) {
    if (!raw->closed() && raw->state() == Connection::State::Linger) {
      raw->close_now();
      return true;
    }
  }
  return false;
}

void Server::admit(Connection* conn) {
  conn->set_probation(false);
  --probation_;
  if (live_count() > options_.worker_connections) evict_one(conn);
}

int Server::probation_slots() const noexcept {
  return std::max(8, options_.worker_connections / 16);
}

void Server::connection_closed(Connection* conn) {
  dead_.push_back(conn);
  // Closed before its turn (evicted, timed out, stopped): freed after this round, so it must
  // leave the queues now. Rare, hence the linear search.
  auto leave = [conn](std::vector<Connection*>& queue) {
    auto it = std::find(queue.begin(), queue.end(), conn);
    if (it != queue.end()) queue.erase(it);
  };
  if (conn->dispatch_queued()) leave(dispatch_queue_);
  if (conn->flush_queued()) leave(flush_queue_);
  if (conn->on_probation()) {
    conn->set_probation(false);
    --probation_;
  }
  if (listeners_paused_ && !stopping_) {
    loop_.defer([this] {
      if (listeners_paused_ && !stopping_ &&
          (live_count() < options_.worker_connections || probation_ < probation_slots()))
        arm_listeners(true);
    });
  }
}

void Server::queue_dispatch(Connection* conn) {
  dispatch_queue_.push_back(conn);
  schedule_end_round();
}

void Server::queue_flush(Connection* conn) {
  flush_queue_.push_back(conn);
  schedule_end_round();
}

void Server::schedule_end_round() {
  if (end_round_pending_) return;
  end_round_pending_ = true;
  loop_.defer([this] { end_round(); });
}

void Server::end_round() {
  // The application calls first, back to back; the responses they finish join flush_queue_
  // and are written right after. Work queued while writing (a pipelined request behind a
  // written response) waits for the next round, so one round stays bounded.
  batch_.swap(dispatch_queue_);
  for (Connection* conn : batch_) conn->dispatch_queued_request();
  batch_.clear();
  batch_.swap(flush_queue_);
  for (Connection* conn : batch_) conn->write_queued();
  batch_.clear();
  end_round_pending_ = false;
  if (!dispatch_queue_.empty() || !flush_queue_.empty()) schedule_end_round();
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

void Server::new_request_id(std::string& id) {
  // 32 hex digits: a per-worker random prefix and a counter. Hand-rolled: this runs for every
  // request and snprintf showed up in profiles.
  static constexpr char kHex[] = "0123456789abcdef";
  id.resize(32);
  uint64_t parts[2] = {rid_prefix_, ++rid_counter_};
  for (int p = 0; p < 2; ++p) {
    for (int i = 15; i >= 0; --i) {
      id[static_cast<size_t>(p * 16 + i)] = kHex[parts[p] & 0xf];
      parts[p] >>= 4;
    }
  }
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
    raw->trim_if_idle(now);
  }
  for (Connection* c : expired) c->on_timer(now);
  // Newcomers on probation that have not sent a request head in time give their place back.
  if (probation_ > 0) {
    std::vector<Connection*> late;
    for (auto& [raw, conn] : conns_) {
      if (raw->on_probation() && !raw->closed() && now - raw->accepted_ms() >= kProbationMs)
        late.push_back(raw);
    }
    for (Connection* c : late) c->close_now();
  }
  // At the connection limit the listeners pause; retry now that probation slots may have
  // been freed (a newcomer waits at most one sweep in the backlog).
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
