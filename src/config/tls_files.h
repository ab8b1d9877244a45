// SPDX-License-Identifier: MIT
// Reads the TLS files (certfile, keyfile, ca_certs) into the Config at load time, in the
// master and before any worker drops privileges, so a key readable only by root still works
// and a missing file is a startup error. Plain file reads: no OpenSSL here (the workers parse
// the PEM). Must not depend on Python.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/config.h"

namespace bastion::config {

/// Fills config.tls_*_pem from the files the settings name (paths relative to `dir`, the
/// resolved chdir). `who` labels a setting with its source. Errors (no prefix needed) name
/// the setting and the file: unreadable, empty, too large, or a keyfile without a certfile.
base::Status read_tls_files(Config& config, const std::string& dir,
                            const std::function<std::string(std::string_view)>& who);

}  // namespace bastion::config
