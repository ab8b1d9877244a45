// SPDX-License-Identifier: MIT
#include "process/listeners.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/exit_codes.h"
#include "config/bind.h"
#include "os/socket.h"
#include "os/systemd.h"

namespace bastion::process {

base::Status Listeners::open(const config::Config& config, Listeners* reuse) {
  for (const std::string& spec : config.bind) {
    if (reuse != nullptr) {
      auto it = std::find_if(reuse->entries_.begin(), reuse->entries_.end(),
                             [&](const Entry& e) { return e.spec == spec && e.fd.valid(); });
      if (it != reuse->entries_.end()) {
        entries_.push_back(std::move(*it));
        reuse->entries_.erase(it);
        continue;
      }
    }
    auto parsed = config::parse_bind(spec);
    if (!parsed.ok()) return base::Error{parsed.error().message, base::kExitUsage};
    const config::Bind& bind = parsed.value();
    Entry entry;
    if (bind.kind == config::Bind::Kind::Unix) {
      mode_t old = umask(static_cast<mode_t>(config.umask));
      auto fd = os::listen_unix(bind.path, config.backlog);
      umask(old);
      if (!fd.ok()) return base::Error{fd.error().message, base::kExitFailure};
      entry.fd = std::move(fd.value());
      entry.unix_path = bind.path;
      entry.label = "unix:" + bind.path;
      entry.loopback = true;
    } else if (bind.kind == config::Bind::Kind::Fd) {
      entry.fd.reset(bind.fd);
      entry.label = "fd://" + std::to_string(bind.fd);
      auto addr = os::local_address(bind.fd);
      if (!addr.ok()) return base::Error{"fd://" + std::to_string(bind.fd) + " is not a socket", base::kExitUsage};
      entry.loopback = os::is_loopback(addr.value());
    } else {
      auto fd = os::listen_tcp(bind.host, bind.port, config.backlog, config.reuse_port);
      if (!fd.ok()) {
        int code = fd.error().code == EADDRINUSE ? base::kExitAddressInUse : base::kExitFailure;
        std::string msg = fd.error().message;
        if (fd.error().code == EADDRINUSE) msg += " (is another server running on that port?)";
        return base::Error{msg, code};
      }
      entry.fd = std::move(fd.value());
      auto addr = os::local_address(entry.fd.get());
      entry.label = "http://" + (addr.ok() ? os::to_string(addr.value()) : spec);
      entry.loopback = addr.ok() && os::is_loopback(addr.value());
    }
    entry.spec = spec;
    entries_.push_back(std::move(entry));
  }
  return base::Ok{};
}

base::Result<bool> Listeners::adopt_systemd() {
  auto taken = os::take_listen_fds();
  if (!taken.ok()) return base::Error{taken.error().message, base::kExitUsage};
  if (taken.value().empty()) return false;
  for (const os::ActivatedSocket& s : taken.value()) {
    Entry entry;
    entry.fd.reset(s.fd);
    int listening = 0;
    socklen_t len = sizeof listening;
    int type = 0;
    socklen_t tlen = sizeof type;
    if (getsockopt(s.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0 ||
        getsockopt(s.fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM) {
      return base::Error{"systemd passed fd " + std::to_string(s.fd) +
                             ", which is not a listening stream socket (use Accept=no and "
                             "ListenStream= in the .socket unit)",
                         base::kExitUsage};
    }
    auto addr = os::local_address(s.fd);
    std::string where = addr.ok() ? os::to_string(addr.value()) : "fd " + std::to_string(s.fd);
    if (addr.ok() && addr.value().family() != AF_UNIX) where = "http://" + where;
    entry.label = where + " (systemd" + (s.name.empty() ? "" : ": " + s.name) + ")";
    entry.loopback = addr.ok() && os::is_loopback(addr.value());
    entries_.push_back(std::move(entry));
  }
  systemd_ = true;
  return true;
}

void Listeners::take_from(Listeners& other) {
  for (Entry& e : other.entries_) entries_.push_back(std::move(e));
  other.entries_.clear();
  systemd_ = systemd_ || other.systemd_;
}

void Listeners::chown_unix(uid_t uid, gid_t gid) const {
  for (const Entry& e : entries_) {
    if (!e.unix_path.empty()) (void)!chown(e.unix_path.c_str(), uid, gid);
  }
}

std::vector<int> Listeners::fds() const {
  std::vector<int> out;
  for (const Entry& e : entries_) out.push_back(e.fd.get());
  return out;
}

std::vector<std::string> Listeners::describe() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.label);
  return out;
}

bool Listeners::all_loopback() const {
  for (const Entry& e : entries_) {
    if (!e.loopback) return false;
  }
  return true;
}

void Listeners::keep_files() noexcept {
  for (Entry& e : entries_) e.unix_path.clear();
}

void Listeners::close_all() {
  for (Entry& e : entries_) {
    e.fd.reset();
    if (!e.unix_path.empty()) unlink(e.unix_path.c_str());
  }
  entries_.clear();
}

}  // namespace bastion::process
