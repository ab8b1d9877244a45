// SPDX-License-Identifier: MIT
#include "base/log.h"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace bastion::base {
namespace {

std::atomic<int> g_fd{2};
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::mutex g_path_mu;  // guards g_path and swaps of g_fd
std::string g_path = "-";
bool g_capture_stdio = false;
std::atomic<log::Observer> g_observer{nullptr};

/// --capture-output: points fds 1 and 2 at the log file `fd` (no-op for stderr itself).
void capture_onto(int fd) {
  if (!g_capture_stdio || fd == 2) return;
  ::dup2(fd, 1);
  ::dup2(fd, 2);
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warning: return "WARNING";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Critical: return "CRITICAL";
  }
  return "?";
}

void write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

void emit(LogLevel level, std::string_view text) {
  char head[96];
  time_t now = time(nullptr);
  tm tm_now;
  localtime_r(&now, &tm_now);
  char stamp[48];
  strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S %z", &tm_now);
  int n = snprintf(head, sizeof head, "[%s] [%d] [%s] ", stamp, static_cast<int>(getpid()),
                   level_name(level));
  std::string line;
  line.reserve(static_cast<size_t>(n) + text.size() + 1);
  line.append(head, static_cast<size_t>(n));
  line.append(text);
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  write_all(g_fd.load(std::memory_order_relaxed), line.data(), line.size());
  if (log::Observer observer = g_observer.load(std::memory_order_relaxed)) observer(level, text);
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel* out) noexcept {
  static constexpr struct {
    const char* name;
    LogLevel level;
  } kLevels[] = {{"debug", LogLevel::Debug},     {"info", LogLevel::Info},
                 {"warning", LogLevel::Warning}, {"warn", LogLevel::Warning},
                 {"error", LogLevel::Error},     {"critical", LogLevel::Critical}};
  for (const auto& entry : kLevels) {
    if (text.size() == strlen(entry.name) &&
        strncasecmp(text.data(), entry.name, text.size()) == 0) {
      *out = entry.level;
      return true;
    }
  }
  return false;
}

namespace log {

bool open(const std::string& path, std::string* error) {
  std::lock_guard lock(g_path_mu);
  if (path == "-" || path.empty()) {
    int old = g_fd.exchange(2);
    if (old != 2) ::close(old);
    g_path = "-";
    return true;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (error) *error = "cannot open log file " + path + ": " + strerror(errno);
    return false;
  }
  int old = g_fd.exchange(fd);
  if (old != 2) ::close(old);
  g_path = path;
  capture_onto(fd);
  return true;
}

void reopen() {
  std::string path;
  {
    std::lock_guard lock(g_path_mu);
    path = g_path;
  }
  if (path != "-") open(path, nullptr);
}

void set_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel level() { return static_cast<LogLevel>(g_level.load()); }
int fd() { return g_fd.load(); }

void set_capture_stdio(bool on) {
  std::lock_guard lock(g_path_mu);
  g_capture_stdio = on;
  capture_onto(g_fd.load());
}

void set_observer(Observer observer) { g_observer.store(observer); }

}  // namespace log

void vlog_at(LogLevel level, const char* fmt, va_list ap) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  char buf[2048];
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    emit(level, std::string_view(buf, static_cast<size_t>(n)));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(big.data(), big.size(), fmt, ap);
  big.resize(static_cast<size_t>(n));
  emit(level, big);
}

void log_at(LogLevel level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog_at(level, fmt, ap);
  va_end(ap);
}

void log_text(LogLevel level, std::string_view text) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  emit(level, text);
}

}  // namespace bastion::base
