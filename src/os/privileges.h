// SPDX-License-Identifier: MIT
// Who the workers run as (-u/--user, -g/--group, --initgroups): names resolved once in the
// master, credentials switched in each worker after fork, before Python starts and after
// the listeners were bound by the master. Any single-threaded process. No HTTP, no Python.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"

namespace bastion::os {

struct Credentials {
  bool change = false;    // false: workers keep the master's uid/gid
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user_name;  // for initgroups(); "" when the uid has no passwd entry
  bool initgroups = false;
};

/// Resolves `user` (name or number; "" = current euid) and `group` (name or number; "" =
/// the user's primary group, or the current egid). Errors name the unknown user or group,
/// and refuse a switch that needs root when we are not root (code: kExitUsage).
base::Result<Credentials> resolve_credentials(const std::string& user, const std::string& group,
                                              bool initgroups);

/// Switches this process to `creds`: supplementary groups (initgroups, or just `gid`), then
/// gid, then uid. Call in the forked worker before any thread starts. Note: changing the
/// credentials clears PR_SET_PDEATHSIG, so set it again afterwards.
base::Status drop_privileges(const Credentials& creds);

}  // namespace bastion::os
