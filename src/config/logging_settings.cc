// SPDX-License-Identifier: MIT
// Logging-settings validation (see logging_settings.h).
#include "config/logging_settings.h"

#include <fstream>
#include <sstream>

#include "config/json.h"
#include "config/settings.h"
#include "os/statsd.h"
#include "os/syslog.h"

namespace bastion::config {
namespace {

constexpr std::string_view kGunicornLoggers[] = {"gunicorn.error", "gunicorn.access"};

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

std::string resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

/// Where Bastion's own lines go instead of the Python logger `logger`.
std::string where_instead(const Config& c, std::string_view logger) {
  if (logger == "gunicorn.error") {
    return "Bastion's own server messages are written by C++ to the error log (" +
           (c.errorlog.empty() || c.errorlog == "-" ? std::string("stderr") : c.errorlog) +
           (c.syslog ? ", and syslog" : "") + ")";
  }
  std::string dest = c.accesslog.empty() ? std::string("off: set accesslog")
                     : c.accesslog == "-" ? std::string("stdout")
                                          : c.accesslog;
  return "Bastion's access lines are written by C++ to the access log (" + dest +
         (c.syslog && !c.disable_redirect_access_to_syslog ? ", and syslog" : "") + ")";
}

void warn_loggers(const Config& c, const std::string& who, const std::vector<std::string>& found,
                  std::vector<std::string>* warnings) {
  for (const std::string& logger : found) {
    warnings->push_back(who + ": configures the Python logger '" + logger + "'; " +
                        where_instead(c, logger) +
                        ", not through Python logging, so its handlers only receive records "
                        "the application itself logs to '" + logger + "'");
  }
}

}  // namespace

std::string check_syslog_addr(const std::string& value) {
  auto parsed = os::parse_syslog_addr(value);
  return parsed.ok() ? "" : parsed.error().message;
}

std::string check_syslog_facility(const std::string& value) {
  if (os::syslog_facility_code(value) >= 0) return "";
  return "'" + value + "' is not a syslog facility (user, daemon, local0..local7, ...)";
}

std::string check_statsd_host(const std::string& value) {
  if (std::string why = check_hostport(value); !why.empty()) return why;
  os::StatsdClient::Options options;
  auto parsed = os::StatsdClient::parse_address(value, &options);
  return parsed.ok() ? "" : parsed.error().message;
}

std::vector<std::string> gunicorn_loggers_in_dict(std::string_view json_text) {
  std::vector<std::string> found;
  auto doc = json::parse(json_text);
  if (!doc.ok()) return found;
  const json::Value* loggers = doc->find("loggers");
  if (loggers == nullptr || !loggers->is_object()) return found;
  for (std::string_view name : kGunicornLoggers) {
    const json::Value* entry = loggers->find(name);
    if (entry != nullptr && entry->is_object() && entry->find("handlers") != nullptr) {
      found.emplace_back(name);
    }
  }
  return found;
}

std::vector<std::string> gunicorn_loggers_in_ini(std::string_view ini_text) {
  std::vector<std::string> found;
  std::istringstream in{std::string(ini_text)};
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    size_t eq = t.find_first_of("=:");
    if (eq == std::string::npos || trim(t.substr(0, eq)) != "qualname") continue;
    std::string value = trim(t.substr(eq + 1));
    for (std::string_view name : kGunicornLoggers) {
      if (value == name) found.emplace_back(name);
    }
  }
  return found;
}

base::Status check_python_logging(const Config& c, const std::string& dir,
                                  const std::function<std::string(std::string_view)>& who,
                                  std::vector<std::string>* warnings) {
  if (c.capture_output && (c.errorlog.empty() || c.errorlog == "-")) {
    warnings->push_back(who("capture_output") + ": has no effect while errorlog is '-': "
                        "workers' stdout and stderr already go where they were started (as in "
                        "Gunicorn); set --error-logfile FILE to capture them");
  }
  bool has_dict = !c.logconfig_dict.empty() && c.logconfig_dict != "{}";
  if (has_dict) {
    warn_loggers(c, who("logconfig_dict"), gunicorn_loggers_in_dict(c.logconfig_dict), warnings);
  }
  if (!c.logconfig_json.empty()) {
    std::string text;
    std::string path = resolve(dir, c.logconfig_json);
    if (!read_file(path, &text)) {
      return base::make_error(who("logconfig_json") + ": cannot read '" + c.logconfig_json + "'");
    }
    auto doc = json::parse(text);
    if (!doc.ok() || !doc->is_object()) {
      return base::make_error(who("logconfig_json") + ": '" + c.logconfig_json +
                              "' is not a JSON object" +
                              (doc.ok() ? std::string() : ": " + doc.error().message));
    }
    if (!has_dict) warn_loggers(c, who("logconfig_json"), gunicorn_loggers_in_dict(text), warnings);
    if (has_dict) {
      warnings->push_back(who("logconfig_json") + ": has no effect: logconfig_dict is set and "
                          "takes precedence (as in Gunicorn)");
    }
  }
  if (!c.logconfig.empty()) {
    std::string text;
    std::string path = resolve(dir, c.logconfig);
    if (!read_file(path, &text)) {
      return base::make_error(who("logconfig") + ": log config '" + c.logconfig + "' not found");
    }
    if (has_dict || !c.logconfig_json.empty()) {
      warnings->push_back(who("logconfig") + ": has no effect: " +
                          (has_dict ? "logconfig_dict" : "logconfig_json") +
                          " is set and takes precedence (as in Gunicorn)");
    } else {
      warn_loggers(c, who("logconfig"), gunicorn_loggers_in_ini(text), warnings);
    }
  }
  return base::Ok{};
}

}  // namespace bastion::config
