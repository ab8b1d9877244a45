// SPDX-License-Identifier: MIT
// A StatsD client as Gunicorn's --statsd-host uses it: one UDP (or unix datagram) packet per
// metric, "<prefix><name>:<value>|<type>" plus "|#<tags>" for DogStatsD tags, sent with
// MSG_DONTWAIT and dropped when the socket buffer is full (metrics never block a request).
// Depends on base only; no Python. One process-wide instance (StatsdClient::process()),
// configured by the master before workers fork; each process opens its own socket lazily.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"

namespace bastion::os {

class StatsdClient {
 public:
  struct Options {
    std::string host;    ///< Host name or address literal (no brackets); "" with `path`.
    int port = 8125;
    std::string path;    ///< unix datagram socket path ("unix://PATH" form); "" for UDP.
    std::string prefix;  ///< Gunicorn's --statsd-prefix; a '.' is appended unless present.
    std::string tags;    ///< --dogstatsd-tags, e.g. "env:prod,app:web"; "" = none.
  };

  /// Splits "HOST:PORT", "[V6]:PORT" or "unix://PATH" into `options`. Pure.
  static base::Status parse_address(std::string_view text, Options* options);
  /// Gunicorn's prefix rule: "app" -> "app.", "app." -> "app.", "" -> "". Pure.
  static std::string normalize_prefix(std::string_view prefix);

  /// The instance the server and the logger use; disabled until configure().
  static StatsdClient& process();

  void configure(Options options);
  /// Cheap: one relaxed load. Callers test it before building metric names.
  bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }

  /// "<prefix><name>:<value>|c|@1.0"
  void increment(std::string_view name, int64_t value = 1);
  /// "<prefix><name>:<value>|g"
  void gauge(std::string_view name, int64_t value);
  /// "<prefix><name>:<value>|h" (a histogram sample, as Gunicorn's gunicorn.backlog).
  void histogram(std::string_view name, int64_t value);
  /// "<prefix><name>:<ms>|ms" with microsecond precision ("12.345").
  void timing_us(std::string_view name, int64_t microseconds);

  /// The packet text for a metric (prefix and tags applied). Pure; for tests.
  std::string packet(std::string_view name, std::string_view value, std::string_view type) const;

  /// Per-request metrics, as Gunicorn's statsd logger: gunicorn.requests,
  /// gunicorn.request.duration (ms) and gunicorn.request.status.<code>. Any thread.
  void request_done(int status, int64_t duration_us);

 private:
  void send(const std::string& packet);

  std::atomic<bool> enabled_{false};
  Options options_;
  std::mutex mu_;
  int fd_ = -1;
  pid_t owner_ = 0;
};

}  // namespace bastion::os
