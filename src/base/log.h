// SPDX-License-Identifier: MIT
// The error log: one line per message, Gunicorn's layout
//   [2026-11-28 14:05:00 +0000] [1234] [INFO] message
// written with a single write(2) so lines from threads and processes never interleave.
// Any thread. Not async-signal-safe (signal handlers only record; they never log).
#pragma once

#include <cstdarg>
#include <string>
#include <string_view>

namespace bastion::base {

enum class LogLevel { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

/// Parses "debug", "info", "warning", "error", "critical" (any case). False if unknown.
bool parse_log_level(std::string_view text, LogLevel* out) noexcept;

/// Process-wide log configuration. Call from the main thread before threads start,
/// or from the loop that handles USR1 (reopen), never from a signal handler.
namespace log {
/// Sets the destination: "-" is stderr, anything else a file opened O_APPEND (created 0644).
/// Returns false and leaves the old destination in place if the file cannot be opened.
bool open(const std::string& path, std::string* error);
/// Reopens the same path (logrotate, SIGUSR1). No-op for stderr.
void reopen();
void set_level(LogLevel level);
LogLevel level();
/// The file descriptor messages go to (2 for stderr).
int fd();
/// --capture-output: while on, descriptors 1 and 2 are duplicates of the log file, re-pointed
/// by every open()/reopen(). Turning it on with the log on stderr ("-") does nothing.
/// Main thread, before other threads start (it replaces fds 1 and 2 with dup2).
void set_capture_stdio(bool on);
/// Called after each message is written (the text without the "[time] [pid] [LEVEL]" head),
/// from the logging thread, for the syslog and StatsD sinks. Must be thread-safe, must not
/// log. nullptr (the default) = none. Set once at start, before threads.
using Observer = void (*)(LogLevel level, std::string_view text);
void set_observer(Observer observer);
}  // namespace log

/// Writes one formatted line at `level` if enabled. printf-style.
void log_at(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/// Same, with a va_list.
void vlog_at(LogLevel level, const char* fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/// Writes `text` (may hold several lines, e.g. a traceback) as one message at `level`.
void log_text(LogLevel level, std::string_view text);

}  // namespace bastion::base

#define BLOG_DEBUG(...) ::bastion::base::log_at(::bastion::base::LogLevel::Debug, __VA_ARGS__)
#define BLOG_INFO(...) ::bastion::base::log_at(::bastion::base::LogLevel::Info, __VA_ARGS__)
#define BLOG_WARN(...) ::bastion::base::log_at(::bastion::base::LogLevel::Warning, __VA_ARGS__)
#define BLOG_ERROR(...) ::bastion::base::log_at(::bastion::base::LogLevel::Error, __VA_ARGS__)
#define BLOG_CRIT(...) ::bastion::base::log_at(::bastion::base::LogLevel::Critical, __VA_ARGS__)
