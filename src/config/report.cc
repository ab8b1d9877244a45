// SPDX-License-Identifier: MIT
// --help, --print-config, docs/configuration.md and the startup summary, all walking the
// settings table so that none of them can drift from what the parser accepts.
#include "config/report.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace bastion::config {
namespace {

constexpr size_t kHelpColumn = 30;
constexpr size_t kWidth = 100;

std::vector<std::string_view> split(std::string_view list, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(sep, start);
    if (end == std::string_view::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Python's str() of a value, as Gunicorn's --print-config prints it.
std::string py_str(const json::Value& v) {
  return v.is_string() ? v.s : json::py_repr(v);
}

std::string id_text(const std::string& name, bool user) {
  if (name.empty()) return std::to_string(user ? ::geteuid() : ::getegid());
  if (name.find_first_not_of("0123456789") == std::string::npos) return name;
  char buf[4096];
  if (user) {
    passwd pw{};
    passwd* found = nullptr;
    if (getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) == 0 && found) {
      return std::to_string(found->pw_uid);
    }
  } else {
    group gr{};
    group* found = nullptr;
    if (getgrnam_r(name.c_str(), &gr, buf, sizeof buf, &found) == 0 && found) {
      return std::to_string(found->gr_gid);
    }
  }
  return name;
}

// The value shown by --print-config text: Gunicorn's form where Bastion stores it differently.
std::string shown_value(const Setting& s, const Config& config) {
  if (s.name == "user") return id_text(config.user, true);
  if (s.name == "group") return id_text(config.group, false);
  if (s.name == "print_config") return config.print_config ? "True" : "False";
  if (s.name == "pythonpath") {
    if (config.pythonpath.empty()) return "None";
    std::string joined;
    for (const std::string& p : config.pythonpath) joined += (joined.empty() ? "" : ",") + p;
    return joined;
  }
  return py_str(current_value(s, config));
}

std::string flag_text(const Setting& s) {
  std::string out;
  auto add = [&](std::string_view list, bool with_meta) {
    for (std::string_view f : split(list, ' ')) {
      if (!out.empty()) out += ", ";
      out += f;
      if (with_meta && !s.meta.empty()) {
        out += s.kind == Kind::FlagChoice ? "[=" + std::string(s.meta) + "]"
                                          : " " + std::string(s.meta);
      }
    }
  };
  add(s.flags, s.kind != Kind::Bool);
  add(s.neg_flags, false);
  return out;
}

void wrap(std::string_view text, size_t indent, size_t first_col, std::string* out) {
  size_t col = first_col;
  for (std::string_view word : split(text, ' ')) {
    if (col > indent && col + 1 + word.size() > kWidth) {
      *out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (col > indent) {
      *out += ' ';
      ++col;
    }
    *out += word;
    col += word.size();
  }
}

std::string help_default(const Setting& s) {
  if (s.flags.empty()) return "";  // only a negative flag: its default would mislead
  json::Value d = default_value(s);
  if (d.is_null() || (d.type == json::Value::Type::Bool && !d.b) ||
      (d.is_array() && d.array.empty()) || (d.is_string() && d.s.empty())) {
    return "";
  }
  return " [" + py_str(d) + "]";
}

std::vector<std::string_view> sections() {
  std::vector<std::string_view> out;
  for (const Setting& s : settings()) {
    if (std::find(out.begin(), out.end(), s.section) == out.end()) out.push_back(s.section);
  }
  return out;
}

}  // namespace

std::string usage_text() {
  std::string out =
      "usage: bastion [OPTIONS] [MODULE:APP]\n\n"
      "Serve a WSGI application. Options have Gunicorn's names, defaults and meanings;\n"
      "values also come from a config file (-c), $GUNICORN_CMD_ARGS and $BASTION_CMD_ARGS.\n"
      "See docs/configuration.md for every setting and the order of precedence.\n";
  for (std::string_view section : sections()) {
    std::string block;
    for (const Setting& s : settings()) {
      if (s.section != section || (s.flags.empty() && s.neg_flags.empty())) continue;
      std::string left = "  " + flag_text(s);
      block += left;
      size_t col = left.size();
      if (col + 2 > kHelpColumn) {
        block += "\n" + std::string(kHelpColumn, ' ');
      } else {
        block += std::string(kHelpColumn - col, ' ');
      }
      wrap(std::string(s.help) + help_default(s), kHelpColumn, kHelpColumn, &block);
      block += "\n";
    }
    if (!block.empty()) out += "\n" + std::string(section) + ":\n" + block;
  }
  out += "\nOther:\n";
  out += "  -h, --help" + std::string(kHelpColumn - 12, ' ') + "Show this help and exit.\n";
  out += "  -v, --version" + std::string(kHelpColumn - 15, ' ') + "Show the version and exit.\n";
  return out;
}

std::string format_config(const Config& config, const Sources& sources, bool json) {
  struct Line {
    std::string name;
    std::string text;
    json::Value value;
    std::string source;
  };
  std::vector<Line> lines;
  for (const Setting& s : settings()) {
    auto src = sources.find(std::string(s.name));
    lines.push_back({std::string(s.name), shown_value(s, config), current_value(s, config),
                     src == sources.end() ? "default" : to_string(src->second)});
  }
  for (const Hook& h : hooks()) {
    bool defined = std::find(config.hooks.begin(), config.hooks.end(), h.name) !=
                   config.hooks.end();
    std::string text = defined ? "<" + std::string(h.name) + "()>" : "<default>";
    auto src = sources.find(std::string(h.name));
    lines.push_back({std::string(h.name), text, json::Value::string(text),
                     src == sources.end() ? "default" : to_string(src->second)});
  }
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.name < b.name; });
  if (json) {
    json::Value root;
    json::Value all;
    all.type = json::Value::Type::Object;
    for (const Line& l : lines) {
      if (find_hook(l.name)) continue;
      json::Value entry;
      entry.set("value", l.value);
      entry.set("source", json::Value::string(l.source));
      all.set(l.name, std::move(entry));
    }
    root.set("settings", std::move(all));
    root.set("hooks", json::Value::list_of(config.hooks));
    root.set("config_file", config.config_file.empty() ? json::Value::null()
                                                       : json::Value::string(config.config_file));
    return json::dump(root) + "\n";
  }
  size_t width = 0;
  for (const Line& l : lines) width = std::max(width, l.name.size());
  std::string out;
  for (const Line& l : lines) {
    out += l.name + std::string(width - l.name.size(), ' ') + " = " + l.text + "\n";
  }
  out += "\n# Where values came from (every setting not listed is a built-in default):\n";
  for (const Line& l : lines) {
    if (l.source == "default") continue;
    out += "#   " + l.name + std::string(width - l.name.size(), ' ') + "  " + l.source + "\n";
  }
  return out;
}

void print_config(const Config& config, const Sources& sources, FILE* out) {
  std::string text = format_config(config, sources, config.print_config_format == "json");
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

std::string summary(const Config& config) {
  std::string binds;
  for (const std::string& b : config.bind) binds += (binds.empty() ? "" : ",") + b;
  return "app=" + (config.app_uri.empty() ? std::string("-") : config.app_uri) + " bind=[" +
         binds + "] workers=" + std::to_string(config.workers) +
         " threads=" + std::to_string(config.threads) +
         " timeout=" + std::to_string(config.timeout) +
         " keepalive=" + std::to_string(config.keepalive) +
         (config.config_file.empty() ? "" : " config=" + config.config_file);
}

}  // namespace bastion::config
