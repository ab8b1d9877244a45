// SPDX-License-Identifier: MIT
// Validation for the logging settings that talk to other programs or files: syslog_addr,
// syslog_facility (per-value checks for the settings table), and the Python logging files
// (logconfig, logconfig_json, logconfig_dict): a missing file is an error at load time, and
// a configuration that gives the "gunicorn.error" or "gunicorn.access" loggers handlers gets
// a warning, because Bastion's own error and access logs are written in C++, not through
// Python's logging. Depends on base, os and config; no Python. Any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace bastion::config {

/// Table checks: "" when valid, else the reason.
std::string check_syslog_addr(const std::string& value);
std::string check_syslog_facility(const std::string& value);
/// statsd_host: check_hostport (settings.h), and the port must be given ("HOST:PORT").
std::string check_statsd_host(const std::string& value);

/// Checks the Python logging settings of `config` (files resolved from `dir`, the directory
/// workers run in), and warns about capture_output without an error log file. `who(name)`
/// labels a setting with its source for messages. Appends warnings; returns an error
/// (without prefix) for a missing or unreadable file or a JSON file that is not an object.
base::Status check_python_logging(const Config& config, const std::string& dir,
                                  const std::function<std::string(std::string_view)>& who,
                                  std::vector<std::string>* warnings);

/// The loggers among "gunicorn.error" and "gunicorn.access" that a dictConfig JSON text or a
/// fileConfig ini text configures. Pure; for tests.
std::vector<std::string> gunicorn_loggers_in_dict(std::string_view json_text);
std::vector<std::string> gunicorn_loggers_in_ini(std::string_view ini_text);

}  // namespace bastion::config
