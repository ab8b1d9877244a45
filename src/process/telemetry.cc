// SPDX-License-Identifier: MIT
// Syslog and StatsD wiring (see telemetry.h).
#include "process/telemetry.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/log.h"
#include "os/statsd.h"
#include "os/syslog.h"

namespace bastion::process {
namespace {

/// Error-log observer: every process (master and workers) runs it for each message written.
void on_log_message(base::LogLevel level, std::string_view text) {
  os::SyslogSink& syslog = os::SyslogSink::process();
  if (syslog.enabled()) syslog.send_error(level, text);
  os::StatsdClient& statsd = os::StatsdClient::process();
  if (!statsd.enabled()) return;
  switch (level) {
    case base::LogLevel::Critical: statsd.increment("gunicorn.log.critical"); break;
    case base::LogLevel::Error: statsd.increment("gunicorn.log.error"); break;
    case base::LogLevel::Warning: statsd.increment("gunicorn.log.warning"); break;
    default: break;
  }
}

}  // namespace

std::string syslog_tag_base(const config::Config& cfg) {
  std::string prefix = !cfg.syslog_prefix.empty() ? cfg.syslog_prefix
                       : !cfg.proc_name.empty()   ? cfg.proc_name
                       : !cfg.app_uri.empty()     ? cfg.app_uri
                                                  : std::string("gunicorn");
  for (char& c : prefix) {
    if (c == ':') c = '.';
  }
  return "gunicorn." + prefix;
}

void install_telemetry(const config::Config& cfg) {
  bool any = false;
  if (cfg.syslog) {
    auto addr = os::parse_syslog_addr(cfg.syslog_addr);
    int facility = os::syslog_facility_code(cfg.syslog_facility);
    if (!addr.ok() || facility < 0) {
      BLOG_ERROR("--log-syslog-to %s / --log-syslog-facility %s: not usable; syslog is off",
                 cfg.syslog_addr.c_str(), cfg.syslog_facility.c_str());
    } else {
      os::SyslogSink::Options o;
      o.addr = addr.value();
      o.facility = facility;
      o.tag_base = syslog_tag_base(cfg);
      o.access = !cfg.disable_redirect_access_to_syslog;
      os::SyslogSink::process().configure(std::move(o));
      any = true;
    }
  }
  if (!cfg.statsd_host.empty()) {
    os::StatsdClient::Options o;
    if (auto st = os::StatsdClient::parse_address(cfg.statsd_host, &o); !st.ok()) {
      BLOG_ERROR("--statsd-host: %s; StatsD is off", st.error().message.c_str());
    } else {
      o.prefix = cfg.statsd_prefix;
      o.tags = cfg.dogstatsd_tags;
      os::StatsdClient::process().configure(std::move(o));
      any = true;
    }
  }
  if (any) base::log::set_observer(&on_log_message);
}

int64_t accept_queue_length(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  if (info.tcpi_state != TCP_LISTEN) return -1;
  return static_cast<int64_t>(info.tcpi_unacked);  // for a listener: the accept queue
}

void report_master_metrics(int workers, const std::vector<int>& listeners, bool backlog) {
  os::StatsdClient& statsd = os::StatsdClient::process();
  if (!statsd.enabled()) return;
  static int64_t next_ms = 0;
  int64_t now = base::now_ms();
  if (now < next_ms) return;
  next_ms = now + 1000;
  statsd.gauge("gunicorn.workers", workers);
  if (!backlog) return;
  int64_t waiting = 0;
  for (int fd : listeners) {
    if (int64_t n = accept_queue_length(fd); n > 0) waiting += n;
  }
  statsd.histogram("gunicorn.backlog", waiting);
}

}  // namespace bastion::process
