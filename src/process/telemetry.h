// SPDX-License-Identifier: MIT
// Wires the syslog and StatsD settings to their sinks (os/syslog.h, os/statsd.h): error-log
// lines to syslog and to the gunicorn.log.<level> counters, the master's worker-count gauge.
// The access log reaches both sinks through server::AccessLog. Call install_telemetry once in
// the main thread before the master forks anything; workers inherit the configuration.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace bastion::process {

/// The syslog tag base for `cfg`: "gunicorn." + (syslog_prefix, else proc_name, else the
/// application) with ':' replaced by '.', as Gunicorn tags its messages. Pure.
std::string syslog_tag_base(const config::Config& cfg);

/// Enables the syslog sink (cfg.syslog) and the StatsD client (cfg.statsd_host) for this
/// process and its future children, and hooks them to the error log. Settings were validated
/// by the config loader; an address that still fails to parse is logged and skipped.
void install_telemetry(const config::Config& cfg);

/// The master's "gunicorn.workers" gauge and, with --enable-backlog-metric, the
/// "gunicorn.backlog" histogram: connections waiting in the accept queues of `listeners`
/// (TCP_INFO of each TCP listening socket; unix sockets have none). Sent at most once a
/// second (callers may call it on every loop round). No-op without --statsd-host.
void report_master_metrics(int workers, const std::vector<int>& listeners, bool backlog);

/// Connections waiting to be accepted on TCP listening socket `fd` (Linux TCP_INFO
/// tcpi_unacked); -1 when `fd` is not a TCP listener.
int64_t accept_queue_length(int fd);

}  // namespace bastion::process
