// SPDX-License-Identifier: MIT
// The resolved, validated configuration: one immutable value built at start (and on HUP)
// from defaults < environment < config file < BASTION_CMD_ARGS/GUNICORN_CMD_ARGS < command
// line. Every field here has exactly one row in the settings table (settings.h), which owns
// its name, flags, default, validation and help. Plain data: copy freely; any thread.
// Must not depend on Python (the config file is evaluated in a child process).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bastion::config {

struct Config {
  // --- application ---
  std::string app_uri;                    // "MODULE:APP", "MODULE:factory(...)" or "MODULE"
  std::string chdir;                      // --chdir; "" = current directory
  std::vector<std::string> pythonpath;    // --pythonpath a,b (prepended to sys.path)
  std::vector<std::string> raw_env;       // -e KEY=VALUE (repeatable)
  bool preload_app = false;               // --preload
  bool reload = false;                    // --reload
  bool allow_debug = false;               // --allow-debug (loopback binds only)
  std::vector<std::string> reload_extra_files;  // --reload-extra-file (repeatable)
  std::string reload_engine = "auto";     // auto | poll | inotify

  // --- sockets ---
  std::vector<std::string> bind{"127.0.0.1:8000"};  // -b (repeatable); $PORT -> 0.0.0.0:$PORT
  int backlog = 2048;
  bool reuse_port = false;

  // --- workers ---
  int workers = 1;                        // -w; $WEB_CONCURRENCY
  std::string worker_class = "sync";      // -k: "sync" or "gthread" (both: Bastion's model)
  int threads = 1;                        // --threads: Python threads per worker
  int worker_connections = 1000;          // connections per worker
  int timeout = 30;                       // -t: worker silence before SIGABRT (0 = off)
  int graceful_timeout = 30;
  int keepalive = 2;                      // --keep-alive: idle seconds between requests
  int max_requests = 0;
  int max_requests_jitter = 0;
  std::string worker_tmp_dir;             // "" = system temp dir

  // --- HTTP limits and deadlines ---
  int limit_request_line = 4094;          // bytes, 0 = unlimited (capped internally)
  int limit_request_fields = 100;
  int limit_request_field_size = 8190;
  int64_t limit_request_body = 100ll << 20;  // bytes, 0 = unlimited
  int header_timeout = 10;                // seconds to receive a complete request head
  int body_timeout = 30;                  // seconds of no progress while receiving a body
  int send_timeout = 30;                  // seconds of no progress while sending a response
  int64_t body_buffer_size = 1ll << 20;   // bodies above this spool to an unlinked temp file

  // --- proxies ---
  std::vector<std::string> forwarded_allow_ips{"127.0.0.1", "::1"};  // $FORWARDED_ALLOW_IPS
  std::map<std::string, std::string> secure_scheme_headers{
      {"X-FORWARDED-PROTOCOL", "ssl"}, {"X-FORWARDED-PROTO", "https"}, {"X-FORWARDED-SSL", "on"}};
  std::string proxy_protocol = "off";     // off | auto | v1 | v2
  std::vector<std::string> proxy_allow_ips{"127.0.0.1", "::1"};

  // --- logging ---
  std::string accesslog;                  // "" = off, "-" = stdout
  std::string access_log_format =
      R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";
  std::string errorlog = "-";
  std::string loglevel = "info";
  bool capture_output = false;
  std::string logconfig;                  // --log-config: logging.fileConfig ini
  std::string logconfig_dict;             // JSON object for logging.dictConfig; "" = none
  std::string logconfig_json;             // --log-config-json: path of a dictConfig JSON file
  bool syslog = false;
  std::string syslog_addr = "udp://localhost:514";
  std::string syslog_prefix;
  std::string syslog_facility = "user";
  bool disable_redirect_access_to_syslog = false;
  bool enable_stdio_inheritance = false;  // -R
  std::string statsd_host;                // "HOST:PORT" or "unix://PATH"; "" = off
  std::string statsd_prefix;
  std::string dogstatsd_tags;

  // --- process ---
  std::string pidfile;
  std::string user;                       // name or uid; "" = unchanged
  std::string group;
  int umask = 0;
  bool initgroups = false;
  std::string proc_name;
  bool sendfile = true;                   // --no-sendfile; $SENDFILE
  bool daemon = false;                    // -D
  bool enable_backlog_metric = false;     // StatsD gunicorn.backlog (Linux TCP_INFO)

  // --- TLS ---
  std::string certfile;
  std::string keyfile;
  std::string ca_certs;
  std::string ciphers;
  int cert_reqs = 0;                      // 0 none, 1 optional, 2 required
  bool suppress_ragged_eofs = true;
  bool do_handshake_on_connect = false;

  // --- meta ---
  std::string config_path;                // -c; "" = default lookup
  bool print_config = false;              // true when print_config_format is not ""
  std::string print_config_format;        // "" (off), "text" or "json" (--print-config=json)
  bool check_config = false;

  // --- derived by the loader (not settings) ---
  std::string config_file;                // the config file actually executed; "" = none
  std::vector<std::string> hooks;         // server hooks the config file defines (post_fork...)
  /// Settings accepted only for compatibility, which Bastion does not use: name -> JSON
  /// text of the value. Only settings set to a non-default value appear here.
  std::map<std::string, std::string> extra;
  /// TLS: the contents of certfile, keyfile and ca_certs, read by the loader in the master
  /// (before workers drop privileges; again on HUP). "" when the setting is unset.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string tls_ca_pem;
};

}  // namespace bastion::config
