// SPDX-License-Identifier: MIT
// One worker's HTTP server: accepts on the inherited listeners, owns every Connection,
// enforces worker_connections (evicting idle or slow-head connections first), runs the end of
// each loop round (queued application calls, then queued writes), sweeps deadlines, and stops
// gracefully. Loop thread only. No Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "event/loop.h"
#include "http/response.h"
#include "os/socket.h"
#include "server/access_log.h"
#include "server/handler.h"
#include "server/options.h"

namespace bastion::server {

class Connection;

class Server {
 public:
  Server(event::Loop& loop, const Options& options, Handler& handler, AccessLog& access_log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Starts accepting on `fd` (a bound, listening socket shared with sibling workers).
  void add_listener(int fd);

  /// Runs one loop round plus the deadline sweep. Returns false once a graceful stop has
  /// completed (no listeners, no connections left).
  bool run_once();

  /// Stop accepting, finish in-flight requests, close idle connections.
  void begin_graceful_stop();
  bool stopping() const noexcept { return stopping_; }
  size_t connection_count() const noexcept { return conns_.size(); }
  uint64_t requests_served() const noexcept { return requests_; }

  // --- used by Connection ---
  const Options& options() const noexcept { return options_; }
  Handler& handler() noexcept { return handler_; }
  AccessLog& access_log() noexcept { return access_log_; }
  event::Loop& loop() noexcept { return loop_; }
  http::DateCache& date() noexcept { return date_; }
  void request_done();
  /// Continues connection `id` if it is still open (loop thread): a threaded response has new
  /// events, or the connection used up its per-event budget with work left.
  void resume(uint64_t id);
  void connection_closed(Connection* conn);
  /// End-of-round batching (loop thread only). A request that is ready for the application
  /// waits until the end of the loop round, when every queued request is handed to the
  /// application back to back (Connection::dispatch()); then every finished keep-alive response
  /// queued meanwhile is written (Connection::defer_flush()). A connection that closes leaves
  /// the queues at once.
  void queue_dispatch(Connection* conn);
  void queue_flush(Connection* conn);
  /// A connection on probation sent its first request head: it keeps its place, and the
  /// connection that waited longest for a head gives way if we are over the limit.
  void admit(Connection* conn);
  /// Stores a fresh request id (32 hex digits) in `out`, reusing its storage.
  void new_request_id(std::string& out);

 private:
  struct Listener final : event::IoHandler {
    Server* server = nullptr;
    int fd = -1;
    os::SockAddr local;
    bool armed = false;
    void on_io(uint32_t events) override;
  };

  void accept_ready(Listener& listener);
  /// How long a connection must have waited for a request head before it may be evicted
  /// for a newcomer at the worker_connections limit.
  static constexpr int64_t kEvictAfterMs = 200;
  /// How long a newcomer accepted over the limit (on probation) has to send a request head.
  static constexpr int64_t kProbationMs = 500;
  int live_count() const noexcept { return static_cast<int>(conns_.size() - dead_.size()); }
  int probation_slots() const noexcept;
  /// Closes the connection that waited longest for a head (at least kEvictAfterMs), never
  /// `keep`; false when there is none.
  bool evict_one(const Connection* keep);
  bool evict_lingering();
  void arm_listeners(bool on);
  void sweep();
  void reap();
  void schedule_end_round();
  void end_round();

  event::Loop& loop_;
  Options options_;
  Handler& handler_;
  AccessLog& access_log_;
  http::DateCache date_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  std::unordered_map<uint64_t, Connection*> by_id_;
  std::vector<Connection*> dead_;
  // Open connections only (closing removes them); batch_ is the queue being worked through
  // (its closed members are skipped: they are freed only after the round).
  std::vector<Connection*> dispatch_queue_;
  std::vector<Connection*> flush_queue_;
  std::vector<Connection*> batch_;
  bool end_round_pending_ = false;
  bool stopping_ = false;
  bool listeners_paused_ = false;
  uint64_t next_id_ = 1;
  uint64_t requests_ = 0;
  int64_t next_sweep_ = 0;
  int probation_ = 0;  // connections accepted over the limit, waiting for their first head
  uint64_t rid_prefix_ = 0;
  uint64_t rid_counter_ = 0;
};

}  // namespace bastion::server
