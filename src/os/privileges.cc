// SPDX-License-Identifier: MIT
#include "os/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/exit_codes.h"

namespace bastion::os {
namespace {

bool parse_id(const std::string& text, unsigned long* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v > 0x7fffffffUL) return false;
  *out = v;
  return true;
}

}  // namespace

base::Result<Credentials> resolve_credentials(const std::string& user, const std::string& group,
                                              bool initgroups) {
  Credentials c;
  c.uid = geteuid();
  c.gid = getegid();
  c.initgroups = initgroups;
  std::vector<char> buf(16384);
  bool user_gid_known = false;
  if (!user.empty()) {
    passwd pw{};
    passwd* found = nullptr;
    unsigned long id = 0;
    if (parse_id(user, &id)) {
      getpwuid_r(static_cast<uid_t>(id), &pw, buf.data(), buf.size(), &found);
      c.uid = static_cast<uid_t>(id);
    } else {
      getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
      if (found == nullptr) return base::Error{"--user: no such user '" + user + "'", base::kExitUsage};
      c.uid = found->pw_uid;
    }
    if (found != nullptr) {
      c.user_name = found->pw_name;
      c.gid = found->pw_gid;
      user_gid_known = true;
    }
  }
  if (!group.empty()) {
    unsigned long id = 0;
    if (parse_id(group, &id)) {
      c.gid = static_cast<gid_t>(id);
    } else {
      struct group gr {};
      struct group* found = nullptr;
      getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found);
      if (found == nullptr) return base::Error{"--group: no such group '" + group + "'", base::kExitUsage};
      c.gid = found->gr_gid;
    }
  } else if (!user_gid_known && !user.empty()) {
    c.gid = getegid();
  }
  if (initgroups && c.user_name.empty() && !user.empty()) {
    return base::Error{"--initgroups: uid " + user + " has no passwd entry to take groups from",
                       base::kExitUsage};
  }
  c.change = c.uid != geteuid() || c.gid != getegid() || (initgroups && geteuid() == 0);
  if (c.change && geteuid() != 0) {
    return base::Error{"--user/--group: switching workers to uid " + std::to_string(c.uid) +
                           " gid " + std::to_string(c.gid) + " needs root (running as uid " +
                           std::to_string(geteuid()) + ")",
                       base::kExitUsage};
  }
  return c;
}

base::Status drop_privileges(const Credentials& creds) {
  if (!creds.change) return base::Ok{};
  // Groups first: once the uid is no longer root we could not change them any more.
  if (creds.initgroups && !creds.user_name.empty()) {
    if (::initgroups(creds.user_name.c_str(), creds.gid) != 0) {
      return base::Error{std::string("initgroups: ") + strerror(errno), errno};
    }
  } else if (setgroups(1, &creds.gid) != 0) {
    return base::Error{std::string("setgroups: ") + strerror(errno), errno};
  }
  if (setresgid(creds.gid, creds.gid, creds.gid) != 0) {
    return base::Error{"setgid(" + std::to_string(creds.gid) + "): " + strerror(errno), errno};
  }
  if (setresuid(creds.uid, creds.uid, creds.uid) != 0) {
    return base::Error{"setuid(" + std::to_string(creds.uid) + "): " + strerror(errno), errno};
  }
  // Paranoia: a process that dropped root must not be able to regain it.
  if (creds.uid != 0 && setuid(0) == 0) {
    return base::Error{"privileges were not dropped (setuid(0) still succeeds)", EPERM};
  }
  return base::Ok{};
}

}  // namespace bastion::os
