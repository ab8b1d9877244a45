// SPDX-License-Identifier: MIT
// The settings table itself: data only. Names, flags and defaults follow Gunicorn 23 (plus the
// 24+ settings a newer config may carry); help texts are Bastion's own wording. To add a
// setting: add a Config field, add a row here, then regenerate docs/configuration.md
// (`bastion --dump-config-doc > docs/configuration.md`); a unit test checks both.
#include "config/settings.h"

#include "config/logging_settings.h"

namespace bastion::config {
namespace {

using K = Kind;
using S = Support;
constexpr Origin kBastion = Origin::Bastion;
constexpr int64_t kInt64Max = INT64_MAX;

constexpr std::string_view kAsgiNote =
    "Bastion serves WSGI applications only; ASGI settings have no effect.";
constexpr std::string_view kPyLoggingNote =
    "Configures Python's logging in each worker (the application's and its libraries' "
    "loggers, and the root logger). Bastion's own error and access logs are written by C++, "
    "not through Python logging: handlers given to the 'gunicorn.error' and "
    "'gunicorn.access' loggers only receive what the application logs to them, and a "
    "warning says where the server's lines go instead (errorlog, accesslog, syslog).";
constexpr std::string_view kStrictHttpNote =
    "Bastion's HTTP parser is always strict (RFC 9112): such requests are answered 400.";

const Setting kTable[] = {
    // --- Config File ---
    {.name = "config", .section = "Config File", .flags = "-c --config", .meta = "CONFIG",
     .kind = K::String, .field = &Config::config_path, .default_json = "null",
     .help = "The configuration file: PATH, file:PATH or python:MODULE. Without it, "
             "./bastion.conf.py, else ./gunicorn.conf.py, is read when present."},
    {.name = "wsgi_app", .section = "Config File", .kind = K::String, .field = &Config::app_uri,
     .default_json = "null",
     .help = "The application as MODULE:APP (also MODULE:factory(args) or MODULE), used when "
             "the command line gives none."},

    // --- Server Socket ---
    {.name = "bind", .section = "Server Socket", .flags = "-b --bind", .meta = "ADDRESS",
     .kind = K::List, .field = &Config::bind, .default_json = R"(["127.0.0.1:8000"])",
     .check = check_bind, .env = "PORT",
     .help = "Address to listen on (repeatable): HOST:PORT, [V6]:PORT, HOST (port 8000), "
             ":PORT, unix:PATH or fd://N. With $PORT set the default is 0.0.0.0:$PORT."},
    {.name = "backlog", .section = "Server Socket", .flags = "--backlog", .meta = "INT",
     .kind = K::Int, .field = &Config::backlog, .default_json = "2048", .min = 1,
     .max = 65535, .help = "The listen() queue length: connections waiting to be accepted."},

    // --- Worker Processes ---
    {.name = "workers", .section = "Worker Processes", .flags = "-w --workers", .meta = "INT",
     .kind = K::Int, .field = &Config::workers, .default_json = "1", .min = 1, .max = 4096,
     .env = "WEB_CONCURRENCY",
     .help = "The number of worker processes (default $WEB_CONCURRENCY, else 1); about "
             "2-4 per CPU core."},
    {.name = "worker_class", .section = "Worker Processes", .flags = "-k --worker-class",
     .meta = "STRING", .kind = K::String, .field = &Config::worker_class,
     .default_json = "\"sync\"", .check = check_worker_class,
     .note = "Every Bastion worker is an event loop with --threads Python threads, so 'sync' "
             "and 'gthread' behave the same; gevent, eventlet and tornado are served that way "
             "too (with a warning); ASGI worker classes are refused.",
     .help = "The worker type. Bastion accepts sync and gthread (its own model either way)."},
    {.name = "threads", .section = "Worker Processes", .flags = "--threads", .meta = "INT",
     .kind = K::Int, .field = &Config::threads, .default_json = "1", .min = 1, .max = 1024,
     .help = "Python threads per worker that run the application."},
    {.name = "worker_connections", .section = "Worker Processes",
     .flags = "--worker-connections", .meta = "INT", .kind = K::Int,
     .field = &Config::worker_connections, .default_json = "1000", .min = 1, .max = 1000000,
     .help = "Maximum simultaneous client connections per worker."},
    {.name = "max_requests", .section = "Worker Processes", .flags = "--max-requests",
     .meta = "INT", .kind = K::Int, .field = &Config::max_requests, .default_json = "0",
     .help = "Restart a worker gracefully after this many requests (0 = never)."},
    {.name = "max_requests_jitter", .section = "Worker Processes",
     .flags = "--max-requests-jitter", .meta = "INT", .kind = K::Int,
     .field = &Config::max_requests_jitter, .default_json = "0",
     .help = "Add a random 0..N to max_requests per worker, so workers do not all restart "
             "at once."},
    {.name = "timeout", .section = "Worker Processes", .flags = "-t --timeout", .meta = "INT",
     .kind = K::Int, .field = &Config::timeout, .default_json = "30",
     .help = "Seconds a worker may stay silent before it is aborted and replaced (0 = off)."},
    {.name = "graceful_timeout", .section = "Worker Processes", .flags = "--graceful-timeout",
     .meta = "INT", .kind = K::Int, .field = &Config::graceful_timeout, .default_json = "30",
     .help = "Seconds workers get to finish in-flight requests after a stop or reload "
             "before they are killed."},
    {.name = "keepalive", .section = "Worker Processes", .flags = "--keep-alive --keepalive",
     .meta = "INT", .kind = K::Int, .field = &Config::keepalive, .default_json = "2",
     .help = "Seconds an idle keep-alive connection is kept open (0 = close after each "
             "response)."},

    // --- Security ---
    {.name = "limit_request_line", .section = "Security", .flags = "--limit-request-line",
     .meta = "INT", .kind = K::Int, .field = &Config::limit_request_line,
     .default_json = "4094",
     .help = "Maximum bytes in the request line (414 above it; 0 = the internal cap)."},
    {.name = "limit_request_fields", .section = "Security", .flags = "--limit-request-fields",
     .meta = "INT", .kind = K::Int, .field = &Config::limit_request_fields,
     .default_json = "100", .max = 32768,
     .help = "Maximum number of header fields in a request (431 above it)."},
    {.name = "limit_request_field_size", .section = "Security",
     .flags = "--limit-request-field_size --limit-request-field-size", .meta = "INT",
     .kind = K::Int, .field = &Config::limit_request_field_size, .default_json = "8190",
     .help = "Maximum bytes in one header field line (431 above it)."},
    {.name = "limit_request_body", .section = "Security", .flags = "--limit-request-body",
     .meta = "BYTES", .kind = K::Bytes, .field = &Config::limit_request_body,
     .default_json = "104857600", .max = kInt64Max, .origin = kBastion,
     .help = "Maximum request body in bytes, K/M/G suffixes allowed (413 above it; 0 = "
             "unlimited)."},
    {.name = "header_timeout", .section = "Security", .flags = "--header-timeout",
     .meta = "INT", .kind = K::Int, .field = &Config::header_timeout, .default_json = "10",
     .min = 1, .max = 3600, .origin = kBastion,
     .help = "Seconds a client has to send a complete request head (slowloris defence)."},
    {.name = "body_timeout", .section = "Security", .flags = "--body-timeout", .meta = "INT",
     .kind = K::Int, .field = &Config::body_timeout, .default_json = "30", .min = 1,
     .max = 3600, .origin = kBastion,
     .help = "Longest pause, in seconds, while a request body arrives."},
    {.name = "send_timeout", .section = "Security", .flags = "--send-timeout", .meta = "INT",
     .kind = K::Int, .field = &Config::send_timeout, .default_json = "30", .min = 1,
     .max = 3600, .origin = kBastion,
     .help = "Longest pause, in seconds, while a client reads the response (slow-read "
             "defence)."},

    // --- Debugging ---
    {.name = "reload", .section = "Debugging", .flags = "--reload", .kind = K::Bool,
     .field = &Config::reload, .default_json = "false",
     .note = "Each worker watches its imported modules' files (outside the standard library "
             "and site-packages) with inotify; a change reloads gracefully, as HUP does, and a "
             "new worker that cannot import (a SyntaxError) leaves the old ones serving. "
             "Refused together with --preload.",
     .help = "Restart workers when a source file changes (development only)."},
    {.name = "reload_engine", .section = "Debugging", .flags = "--reload-engine",
     .meta = "STRING", .kind = K::Choice, .field = &Config::reload_engine,
     .default_json = "\"auto\"", .choices = "auto|poll|inotify",
     .note = "Bastion watches files with inotify whatever the engine ('poll' warns).",
     .help = "How --reload notices changes: auto, poll or inotify."},
    {.name = "reload_extra_files", .section = "Debugging", .flags = "--reload-extra-file",
     .meta = "FILE", .kind = K::List, .field = &Config::reload_extra_files,
     .default_json = "[]",
     .help = "Extra files (or glob patterns) to watch with --reload (repeatable)."},
    {.name = "spew", .section = "Debugging", .flags = "--spew", .kind = K::Bool,
     .default_json = "false", .support = S::Ignored,
     .note = "Bastion has no line tracer; use a Python profiler or faulthandler instead.",
     .help = "Trace every executed line (Gunicorn debugging aid)."},
    {.name = "check_config", .section = "Debugging", .flags = "--check-config",
     .kind = K::Bool, .field = &Config::check_config, .default_json = "false",
     .note = "The application is imported in a child process exactly as a worker would "
             "import it (chdir, pythonpath, raw_env, Python logging) and the debug guard "
             "runs on it: an application in debug mode fails the check, naming the rule "
             "(BG###). The reason for a failure is printed on stderr.",
     .help = "Load the configuration and the application, then exit 0 (ok) or 1."},
    {.name = "print_config", .section = "Debugging", .flags = "--print-config",
     .meta = "FORMAT", .kind = K::FlagChoice, .field = &Config::print_config_format,
     .default_json = "null", .choices = "text|json",
     .help = "Print every setting, its value and where it came from, then check as "
             "--check-config does; --print-config=json for JSON."},
    {.name = "allow_debug", .section = "Debugging", .flags = "--allow-debug", .kind = K::Bool,
     .field = &Config::allow_debug, .default_json = "false", .origin = kBastion,
     .help = "Serve an application in debug mode (refused unless every bind is loopback)."},

    // --- Server Mechanics ---
    {.name = "preload_app", .section = "Server Mechanics", .flags = "--preload",
     .kind = K::Bool, .field = &Config::preload_app, .default_json = "false",
     .note = "A zygote process (not the master, which stays Python-free) imports the "
             "application once and forks the workers. HUP starts a new zygote that re-imports "
             "the code (Gunicorn keeps the old code); if that import fails the old zygote and "
             "workers keep serving.",
     .help = "Import the application once before forking workers (shared memory, early "
             "import errors)."},
    {.name = "sendfile", .section = "Server Mechanics", .neg_flags = "--no-sendfile",
     .kind = K::Bool, .field = &Config::sendfile, .default_json = "true", .env = "SENDFILE",
     .help = "With --no-sendfile, wsgi.file_wrapper responses are written without "
             "sendfile(2) (which is used unless $SENDFILE is false)."},
    {.name = "reuse_port", .section = "Server Mechanics", .flags = "--reuse-port",
     .kind = K::Bool, .field = &Config::reuse_port, .default_json = "false", .help = "Set SO_REUSEPORT on the listening sockets."},
    {.name = "chdir", .section = "Server Mechanics", .flags = "--chdir", .meta = "DIR",
     .kind = K::String, .field = &Config::chdir, .default_json = "null",
     .help = "Change to this directory before loading the application (default: the "
             "current directory)."},
    {.name = "daemon", .section = "Server Mechanics", .flags = "-D --daemon", .kind = K::Bool,
     .field = &Config::daemon, .default_json = "false",
     .note = "Unlike Gunicorn, the starting command waits until the server is ready and exits "
             "with the master's status when startup fails. Prefer a supervisor (systemd).",
     .help = "Detach from the terminal and run in the background."},
    {.name = "raw_env", .section = "Server Mechanics", .flags = "-e --env", .meta = "ENV",
     .kind = K::List, .field = &Config::raw_env, .default_json = "[]", .check = check_raw_env, .help = "Set an environment variable, KEY=VALUE (repeatable)."},
    {.name = "pidfile", .section = "Server Mechanics", .flags = "-p --pid", .meta = "FILE",
     .kind = K::String, .field = &Config::pidfile, .default_json = "null", .help = "Write the master's PID to this file."},
    {.name = "worker_tmp_dir", .section = "Server Mechanics", .flags = "--worker-tmp-dir",
     .meta = "DIR", .kind = K::String, .field = &Config::worker_tmp_dir,
     .default_json = "null",
     .help = "Directory for worker temporary files (default: the system temp directory)."},
    {.name = "user", .section = "Server Mechanics", .flags = "-u --user", .meta = "USER",
     .kind = K::String, .field = &Config::user, .default_json = "null", .check = check_user,
     .help = "Switch worker processes to this user (name or uid)."},
    {.name = "group", .section = "Server Mechanics", .flags = "-g --group", .meta = "GROUP",
     .kind = K::String, .field = &Config::group, .default_json = "null",
     .check = check_group,
     .help = "Switch worker processes to this group (name or gid)."},
    {.name = "umask", .section = "Server Mechanics", .flags = "-m --umask", .meta = "INT",
     .kind = K::Mode, .field = &Config::umask, .default_json = "0", .max = 0777,
     .help = "File mode mask for files Bastion creates, e.g. 0o007 (Python integer syntax)."},
    {.name = "initgroups", .section = "Server Mechanics", .flags = "--initgroups",
     .kind = K::Bool, .field = &Config::initgroups, .default_json = "false",
     .help = "Give workers the supplementary groups of --user."},
    {.name = "tmp_upload_dir", .section = "Server Mechanics", .kind = K::String,
     .default_json = "null", .support = S::Ignored,
     .note = "Gunicorn does not use it either; Bastion spools large bodies to worker_tmp_dir.",
     .help = "Legacy Gunicorn setting with no effect."},
    {.name = "secure_scheme_headers", .section = "Server Mechanics", .kind = K::Dict,
     .field = &Config::secure_scheme_headers,
     .default_json = R"({"X-FORWARDED-PROTO": "https", "X-FORWARDED-PROTOCOL": "ssl", )"
                     R"("X-FORWARDED-SSL": "on"})",
     .help = "Headers (and values) by which a trusted proxy says the request was HTTPS."},
    {.name = "forwarded_allow_ips", .section = "Server Mechanics",
     .flags = "--forwarded-allow-ips", .meta = "STRING", .kind = K::CommaList,
     .field = &Config::forwarded_allow_ips, .default_json = R"(["127.0.0.1", "::1"])",
     .check = check_address_list_item, .env = "FORWARDED_ALLOW_IPS",
     .help = "Peers (IPs, CIDR blocks or *) trusted to set X-Forwarded-* and Forwarded "
             "headers (default $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1)."},
    {.name = "pythonpath", .section = "Server Mechanics", .flags = "--pythonpath",
     .meta = "STRING", .kind = K::CommaList, .field = &Config::pythonpath,
     .default_json = "[]",
     .help = "Comma-separated directories to put in front of sys.path."},
    {.name = "paste", .section = "Server Mechanics", .flags = "--paste --paster",
     .meta = "STRING", .kind = K::String, .default_json = "null", .support = S::Rejected,
     .note = "Bastion does not read PasteDeploy .ini files; serve a module that calls "
             "paste.deploy.loadapp() instead, e.g. 'wsgi:application'.",
     .help = "Load a PasteDeploy configuration (not supported)."},
    {.name = "proxy_protocol", .section = "Server Mechanics", .flags = "--proxy-protocol",
     .meta = "MODE", .kind = K::FlagChoice, .field = &Config::proxy_protocol,
     .default_json = "\"off\"", .choices = "auto|v1|v2|off",
     .note = "When on, every connection must come from a proxy_allow_ips peer and start with a "
             "PROXY header of an accepted version; anything else is closed without a response "
             "(Gunicorn answers 403 to a header from another peer). The bare flag (or True in "
             "an old config) means auto. The header's source address becomes REMOTE_ADDR and "
             "the peer for forwarded_allow_ips; see docs/proxy-protocol.md.",
     .help = "Require a PROXY protocol header (HAProxy, AWS NLB) on each connection: off, auto "
             "(v1 or v2), v1 or v2."},
    {.name = "proxy_allow_ips", .section = "Server Mechanics", .flags = "--proxy-allow-from",
     .meta = "STRING", .kind = K::CommaList, .field = &Config::proxy_allow_ips,
     .default_json = R"(["127.0.0.1", "::1"])", .check = check_address_list_item,
     .help = "Peers (IPs, CIDR blocks or *) allowed to connect when proxy_protocol is on; "
             "unix-socket peers always are."},
    {.name = "raw_paste_global_conf", .section = "Server Mechanics", .flags = "--paste-global",
     .meta = "CONF", .kind = K::List, .default_json = "[]", .support = S::Rejected,
     .note = "Bastion does not read PasteDeploy configurations.",
     .help = "PasteDeploy global configuration variables (not supported)."},
    {.name = "permit_obsolete_folding", .section = "Server Mechanics",
     .flags = "--permit-obsolete-folding", .kind = K::Bool, .default_json = "false",
     .support = S::Ignored, .note = kStrictHttpNote,
     .help = "Accept obsolete folded header lines."},
    {.name = "strip_header_spaces", .section = "Server Mechanics",
     .flags = "--strip-header-spaces", .kind = K::Bool, .default_json = "false",
     .support = S::Ignored, .note = kStrictHttpNote,
     .help = "Accept whitespace between a header name and its colon."},
    {.name = "permit_unconventional_http_method", .section = "Server Mechanics",
     .flags = "--permit-unconventional-http-method", .kind = K::Bool, .default_json = "false",
     .support = S::Ignored, .note = kStrictHttpNote,
     .help = "Accept request methods outside Gunicorn's conventional form."},
    {.name = "permit_unconventional_http_version", .section = "Server Mechanics",
     .flags = "--permit-unconventional-http-version", .kind = K::Bool,
     .default_json = "false", .support = S::Ignored,
     .note = "Bastion accepts HTTP/1.0 and HTTP/1.1 only (505 otherwise).",
     .help = "Accept HTTP versions other than 1.0 and 1.1."},
    {.name = "casefold_http_method", .section = "Server Mechanics",
     .flags = "--casefold-http-method", .kind = K::Bool, .default_json = "false",
     .support = S::Ignored, .note = "Bastion passes the method exactly as received.",
     .help = "Uppercase request methods (pre-22 Gunicorn behaviour)."},
    {.name = "forwarder_headers", .section = "Server Mechanics", .flags = "--forwarder-headers",
     .meta = "STRING", .kind = K::CommaList, .default_json = R"(["SCRIPT_NAME", "PATH_INFO"])",
     .support = S::Ignored,
     .note = "Bastion drops every header name containing '_', from any peer.",
     .help = "Underscore headers a trusted proxy may set in the environ."},
    {.name = "header_map", .section = "Server Mechanics", .flags = "--header-map",
     .meta = "STRING", .kind = K::Choice, .default_json = "\"drop\"",
     .choices = "drop|refuse|dangerous", .support = S::Ignored,
     .note = "Bastion always drops header names containing '_'.",
     .help = "What to do with header names containing '_': drop, refuse or dangerous."},
    {.name = "body_buffer_size", .section = "Server Mechanics", .flags = "--body-buffer-size",
     .meta = "BYTES", .kind = K::Bytes, .field = &Config::body_buffer_size,
     .default_json = "1048576", .min = 0, .max = kInt64Max, .origin = kBastion,
     .help = "Request bodies larger than this many bytes are spooled to an unlinked "
             "temporary file instead of memory."},

    // --- Logging ---
    {.name = "accesslog", .section = "Logging", .flags = "--access-logfile", .meta = "FILE",
     .kind = K::String, .field = &Config::accesslog, .default_json = "null",
     .help = "Access log file; '-' is stdout. Default: no access log."},
    {.name = "disable_redirect_access_to_syslog", .section = "Logging",
     .flags = "--disable-redirect-access-to-syslog", .kind = K::Bool,
     .field = &Config::disable_redirect_access_to_syslog, .default_json = "false",
     .help = "With --log-syslog, keep access lines out of syslog (they still go to "
             "accesslog)."},
    {.name = "access_log_format", .section = "Logging", .flags = "--access-logformat",
     .meta = "STRING", .kind = K::String, .field = &Config::access_log_format,
     .default_json = R"("%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\"")",
     .help = "Access log line format, with Gunicorn's %(atom)s atoms."},
    {.name = "errorlog", .section = "Logging", .flags = "--error-logfile --log-file",
     .meta = "FILE", .kind = K::String, .field = &Config::errorlog, .default_json = "\"-\"",
     .help = "Error log file; '-' is stderr."},
    {.name = "loglevel", .section = "Logging", .flags = "--log-level", .meta = "LEVEL",
     .kind = K::Choice, .field = &Config::loglevel, .default_json = "\"info\"",
     .choices = "debug|info|warning|error|critical",
     .help = "Error log verbosity: debug, info, warning, error or critical."},
    {.name = "capture_output", .section = "Logging", .flags = "--capture-output",
     .kind = K::Bool, .field = &Config::capture_output, .default_json = "false",
     .note = "Workers' file descriptors 1 and 2 become the error log file (print(), "
             "sys.stderr, C extensions and subprocesses alike), re-pointed on USR1; nothing "
             "changes while errorlog is '-'. Python still block-buffers sys.stdout when it is "
             "not a terminal: set PYTHONUNBUFFERED=1 or flush to see prints at once.",
     .help = "Send workers' stdout and stderr to the error log file."},
    {.name = "logger_class", .section = "Logging", .flags = "--logger-class",
     .meta = "STRING", .kind = K::String, .default_json = "\"gunicorn.glogging.Logger\"",
     .support = S::Ignored,
     .note = "Bastion's logger is built in; use access_log_format, errorlog and statsd "
             "settings.",
     .help = "Gunicorn logger class (Python)."},
    {.name = "logconfig", .section = "Logging", .flags = "--log-config", .meta = "FILE",
     .kind = K::String, .field = &Config::logconfig, .default_json = "null",
     .note = kPyLoggingNote,
     .help = "A logging.config.fileConfig ini file, applied to Python logging in each worker "
             "before the application is imported."},
    {.name = "logconfig_dict", .section = "Logging", .kind = K::JsonDict,
     .field = &Config::logconfig_dict, .default_json = "{}", .note = kPyLoggingNote,
     .help = "A logging.config.dictConfig dictionary (config file only), merged over "
             "Gunicorn's defaults (root at INFO to stdout; handlers, formatters and loggers "
             "merged by name) and applied in each worker before the application is "
             "imported; takes precedence over logconfig_json and logconfig."},
    {.name = "logconfig_json", .section = "Logging", .flags = "--log-config-json",
     .meta = "FILE", .kind = K::String, .field = &Config::logconfig_json,
     .default_json = "null", .note = kPyLoggingNote,
     .help = "A JSON file holding a logging.config.dictConfig dictionary, used as "
             "logconfig_dict is; takes precedence over logconfig."},
    {.name = "syslog_addr", .section = "Logging", .flags = "--log-syslog-to",
     .meta = "SYSLOG_ADDR", .kind = K::String, .field = &Config::syslog_addr,
     .default_json = "\"udp://localhost:514\"", .check = check_syslog_addr,
     .note = "The default is Gunicorn's on Linux; for the local daemon use "
             "unix:///dev/log (datagram first, then stream, unless #dgram or #stream is "
             "given).",
     .help = "Syslog address: udp://HOST:PORT, tcp://HOST:PORT or unix://PATH[#dgram|#stream]."},
    {.name = "syslog", .section = "Logging", .flags = "--log-syslog", .kind = K::Bool,
     .field = &Config::syslog, .default_json = "false",
     .note = "Each message is one RFC 3164-style packet '<PRI>Mmm dd hh:mm:ss TAG: [PID] "
             "TEXT', tagged gunicorn.PREFIX.error or gunicorn.PREFIX.access as Gunicorn tags "
             "them, sent without blocking (dropped if the socket is full).",
     .help = "Also send the error log (and, unless disable_redirect_access_to_syslog, the "
             "access log) to syslog_addr."},
    {.name = "syslog_prefix", .section = "Logging", .flags = "--log-syslog-prefix",
     .meta = "SYSLOG_PREFIX", .kind = K::String, .field = &Config::syslog_prefix,
     .default_json = "null",
     .help = "The PREFIX in syslog tags gunicorn.PREFIX.error (default: proc_name, else the "
             "application, with ':' as '.')."},
    {.name = "syslog_facility", .section = "Logging", .flags = "--log-syslog-facility",
     .meta = "SYSLOG_FACILITY", .kind = K::String, .field = &Config::syslog_facility,
     .default_json = "\"user\"", .check = check_syslog_facility,
     .help = "Syslog facility name: user, daemon, local0 ... local7, auth, cron, ..."},
    {.name = "enable_stdio_inheritance", .section = "Logging",
     .flags = "-R --enable-stdio-inheritance", .kind = K::Bool,
     .field = &Config::enable_stdio_inheritance, .default_json = "false",
     .help = "With --daemon, keep stdout and stderr open instead of pointing them at "
             "/dev/null (stdin is always /dev/null)."},
    {.name = "statsd_host", .section = "Logging", .flags = "--statsd-host",
     .meta = "STATSD_ADDR", .kind = K::String, .field = &Config::statsd_host,
     .default_json = "null", .check = check_statsd_host,
     .note = "Metrics as Gunicorn names them: gunicorn.requests and "
             "gunicorn.request.status.CODE counters and the gunicorn.request.duration timer "
             "(ms) per request, the gunicorn.workers gauge from the master (each second), "
             "the gunicorn.backlog histogram with --enable-backlog-metric, "
             "gunicorn.log.critical/error/warning counters; one UDP (or unix datagram) packet "
             "each, never blocking.",
     .help = "Send StatsD metrics to HOST:PORT or unix://PATH."},
    {.name = "dogstatsd_tags", .section = "Logging", .flags = "--dogstatsd-tags",
     .meta = "DOGSTATSD_TAGS", .kind = K::String, .field = &Config::dogstatsd_tags,
     .default_json = "\"\"",
     .help = "Comma-separated DogStatsD tags (e.g. env:prod,app:web) appended to every metric "
             "as |#TAGS."},
    {.name = "statsd_prefix", .section = "Logging", .flags = "--statsd-prefix",
     .meta = "STATSD_PREFIX", .kind = K::String, .field = &Config::statsd_prefix,
     .default_json = "\"\"",
     .help = "Prefix for StatsD metric names; a '.' is added unless it ends with one."},

    // --- Process Naming ---
    {.name = "proc_name", .section = "Process Naming", .flags = "-n --name",
     .meta = "STRING", .kind = K::String, .field = &Config::proc_name, .default_json = "null",
     .help = "Name shown in process titles (default: the application)."},

    // --- SSL ---
    {.name = "keyfile", .section = "SSL", .flags = "--keyfile", .meta = "FILE",
     .kind = K::String, .field = &Config::keyfile, .default_json = "null",
     .note = "Read by the master at start and on HUP (before workers drop privileges), so it "
             "may be readable by root only. Unencrypted PEM; a missing file, an encrypted key "
             "or a key that does not match the certificate stops the server at start. "
             "docs/tls.md.",
     .help = "TLS private key file (PEM). Without it the key is read from the certfile."},
    {.name = "certfile", .section = "SSL", .flags = "--certfile", .meta = "FILE",
     .kind = K::String, .field = &Config::certfile, .default_json = "null",
     .note = "Setting it serves HTTPS (OpenSSL 3, TLS 1.2 and 1.3, ALPN http/1.1) on every "
             "bind; wsgi.url_scheme is then https. Intermediate certificates may follow the "
             "server certificate in the same file. docs/tls.md.",
     .help = "TLS certificate file (PEM); enables HTTPS."},
    {.name = "ssl_version", .section = "SSL", .flags = "--ssl-version", .meta = "STRING",
     .kind = K::String, .default_json = "null", .support = S::Ignored,
     .note = "Deprecated and ignored by Gunicorn as well; Bastion always negotiates TLS 1.2 or "
             "1.3.",
     .help = "TLS protocol version (deprecated)."},
    {.name = "cert_reqs", .section = "SSL", .flags = "--cert-reqs", .meta = "INT",
     .kind = K::Int, .field = &Config::cert_reqs, .default_json = "0", .max = 2,
     .note = "With 1 or 2 the client certificate is verified against ca_certs (or the system "
             "trust store when ca_certs is unset); a client that fails verification fails "
             "the handshake. The certificate is not passed to the application.",
     .help = "Client certificates: 0 none, 1 optional (verified when sent), 2 required."},
    {.name = "ca_certs", .section = "SSL", .flags = "--ca-certs", .meta = "FILE",
     .kind = K::String, .field = &Config::ca_certs, .default_json = "null",
     .note = "Read by the master at start and on HUP, like keyfile.",
     .help = "CA certificates (PEM) that client certificates must chain to."},
    {.name = "suppress_ragged_eofs", .section = "SSL", .flags = "--suppress-ragged-eofs",
     .kind = K::Bool, .field = &Config::suppress_ragged_eofs, .default_json = "true",
     .note = "Bastion never uses EOF to delimit a request, so this only decides whether such "
             "a close counts as an ordinary EOF (true) or as a TLS error (false, logged at "
             "debug); the connection closes either way.",
     .help = "Treat a TLS connection closed without close_notify as an ordinary EOF."},
    {.name = "do_handshake_on_connect", .section = "SSL", .flags = "--do-handshake-on-connect",
     .kind = K::Bool, .field = &Config::do_handshake_on_connect, .default_json = "false",
     .note = "Accepted for compatibility: Bastion always completes the handshake first, "
             "without blocking, within header_timeout.",
     .help = "Complete the TLS handshake when a client connects."},
    {.name = "ciphers", .section = "SSL", .flags = "--ciphers", .meta = "STRING",
     .kind = K::String, .field = &Config::ciphers, .default_json = "null",
     .note = "Applies to TLS 1.2; TLS 1.3 suites are OpenSSL's defaults. An invalid list stops "
             "the server at start.",
     .help = "OpenSSL cipher list for TLS 1.2 (default: OpenSSL's)."},

    // --- Gunicorn 24+ ---
    {.name = "protocol", .section = "Gunicorn 24+", .flags = "--protocol", .meta = "STRING",
     .kind = K::Choice, .default_json = "\"http\"", .choices = "http|uwsgi",
     .support = S::Rejected,
     .note = "Bastion speaks HTTP only; point the proxy at it with proxy_pass, not "
             "uwsgi_pass.",
     .help = "Wire protocol: http or uwsgi."},
    {.name = "uwsgi_allow_ips", .section = "Gunicorn 24+", .flags = "--uwsgi-allow-from",
     .meta = "STRING", .kind = K::CommaList, .default_json = R"(["127.0.0.1", "::1"])",
     .support = S::Ignored, .note = "Bastion does not speak the uwsgi protocol.",
     .help = "Peers allowed to use the uwsgi protocol."},
    {.name = "http_protocols", .section = "Gunicorn 24+", .flags = "--http-protocols",
     .meta = "STRING", .kind = K::String, .default_json = "\"h1\"", .support = S::Ignored,
     .note = "Bastion serves HTTP/1.1 only (as Gunicorn's sync worker does).",
     .help = "HTTP versions to offer, e.g. h2,h1."},
    {.name = "http_parser", .section = "Gunicorn 24+", .flags = "--http-parser",
     .meta = "STRING", .kind = K::Choice, .default_json = "\"auto\"",
     .choices = "auto|fast|python", .support = S::Ignored,
     .note = "Bastion always uses its own strict C++ parser.",
     .help = "Which HTTP parser Gunicorn uses."},
    {.name = "asgi_loop", .section = "Gunicorn 24+", .flags = "--asgi-loop", .meta = "STRING",
     .kind = K::String, .default_json = "\"auto\"", .support = S::Ignored, .note = kAsgiNote,
     .help = "ASGI event loop."},
    {.name = "asgi_lifespan", .section = "Gunicorn 24+", .flags = "--asgi-lifespan",
     .meta = "STRING", .kind = K::String, .default_json = "\"auto\"", .support = S::Ignored,
     .note = kAsgiNote, .help = "ASGI lifespan events."},
    {.name = "asgi_disconnect_grace_period", .section = "Gunicorn 24+",
     .flags = "--asgi-disconnect-grace-period", .meta = "INT", .kind = K::Int,
     .default_json = "3", .support = S::Ignored, .note = kAsgiNote,
     .help = "ASGI disconnect grace period."},
    {.name = "root_path", .section = "Gunicorn 24+", .flags = "--root-path", .meta = "STRING",
     .kind = K::String, .default_json = "\"\"", .support = S::Ignored, .note = kAsgiNote,
     .help = "ASGI root_path."},
    {.name = "control_socket", .section = "Gunicorn 24+", .flags = "--control-socket",
     .meta = "PATH", .kind = K::String, .default_json = "null", .support = S::Ignored,
     .note = "Bastion has no control socket; use signals (HUP, TTIN, TTOU, USR1).",
     .help = "Path of Gunicorn's control socket."},
    {.name = "control_socket_mode", .section = "Gunicorn 24+", .flags = "--control-socket-mode",
     .meta = "INT", .kind = K::Mode, .default_json = "384", .max = 0777, .support = S::Ignored,
     .note = "Bastion has no control socket.", .help = "Mode of the control socket."},
    {.name = "control_socket_disable", .section = "Gunicorn 24+",
     .flags = "--no-control-socket", .kind = K::Bool, .default_json = "false",
     .note = "Bastion has no control socket, so it is always disabled.",
     .help = "Disable the control socket (always the case in Bastion; --no-control-socket)."},
    {.name = "enable_backlog_metric", .section = "Gunicorn 24+",
     .flags = "--enable-backlog-metric", .kind = K::Bool,
     .field = &Config::enable_backlog_metric, .default_json = "false",
     .note = "Needs --statsd-host; sums the accept queues of the TCP listeners once a second.",
     .help = "Send the number of connections waiting to be accepted as the StatsD histogram "
             "gunicorn.backlog."},
    {.name = "dirty_apps", .section = "Gunicorn 24+", .flags = "--dirty-app", .meta = "STRING",
     .kind = K::List, .default_json = "[]", .support = S::Rejected,
     .note = "Bastion has no dirty-arbiter pool; run long jobs in a task queue.",
     .help = "Applications for Gunicorn's dirty-arbiter pool."},
    {.name = "dirty_workers", .section = "Gunicorn 24+", .flags = "--dirty-workers",
     .meta = "INT", .kind = K::Int, .default_json = "0", .support = S::Rejected,
     .note = "Bastion has no dirty-arbiter pool; run long jobs in a task queue.",
     .help = "Processes in Gunicorn's dirty-arbiter pool."},
};

const Hook kHooks[] = {
    {"on_starting", 1, 1, "server", "master", true,
     "at start, before the first worker is forked (waited for)"},
    {"on_reload", 1, 1, "server", "master", true, "on HUP, after the configuration is re-read"},
    {"when_ready", 1, 1, "server", "master", true, "after the listeners are bound"},
    {"pre_fork", 2, 2, "server, worker", "master", true,
     "just before a worker is forked (waited for)"},
    {"post_fork", 2, 2, "server, worker", "worker", true, "in a new worker, before the app loads"},
    {"post_worker_init", 1, 1, "worker", "worker", true, "after the app is loaded"},
    {"worker_int", 1, 1, "worker", "worker", true, "when a worker stops on SIGINT or SIGQUIT"},
    {"worker_abort", 1, 1, "worker", "worker", true,
     "when a worker gets SIGABRT (timeout), before its stacks are dumped"},
    {"pre_exec", 1, 1, "server", "master", true,
     "on USR2, just before the new master is forked"},
    {"pre_request", 2, 2, "worker, req", "worker", true, "before each request"},
    {"post_request", 2, 4, "worker, req, environ, resp", "worker", true, "after each request"},
    {"child_exit", 2, 2, "server, worker", "master", true, "after a worker is reaped"},
    {"worker_exit", 2, 2, "server, worker", "worker", true, "when a worker exits"},
    {"nworkers_changed", 3, 3, "server, new_value, old_value", "master", true,
     "when the number of workers changes (old_value None at start)"},
    {"on_exit", 1, 1, "server", "master", true, "just before the master exits (waited for)"},
    {"ssl_context", 2, 2, "config, default_ssl_context_factory", "worker", false,
     "never: TLS is OpenSSL inside the C++ server, so a Python ssl.SSLContext cannot be "
     "used; set certfile, keyfile, ca_certs, cert_reqs and ciphers instead"},
};

}  // namespace

std::span<const Setting> settings() { return kTable; }
std::span<const Hook> hooks() { return kHooks; }

const Hook* find_hook(std::string_view name) {
  for (const Hook& h : kHooks) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

bool defines_hook_in(const Config& cfg, std::string_view runs_in) {
  for (const std::string& name : cfg.hooks) {
    const Hook* h = find_hook(name);
    if (h != nullptr && h->implemented && h->runs_in == runs_in) return true;
  }
  return false;
}

}  // namespace bastion::config
