// SPDX-License-Identifier: MIT
// Shared meanings for the rules.
#include "check/semantics.h"

#include <cctype>

namespace bastion::check {
namespace {

std::string norm(std::string_view v) {
  size_t b = 0, e = v.size();
  while (b < e && std::isspace(static_cast<unsigned char>(v[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(v[e - 1]))) --e;
  std::string out;
  for (size_t k = b; k < e; ++k) out += static_cast<char>(std::tolower(static_cast<unsigned char>(v[k])));
  return out;
}

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_python(std::string_view w) {
  std::string_view b = basename(w);
  if (b.rfind("python", 0) != 0) return false;
  for (char c : b.substr(6))
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  return true;
}

// Options of `flask run` that take a value.
bool run_option_takes_value(std::string_view w) {
  return w == "--port" || w == "-p" || w == "--cert" || w == "--key" || w == "--extra-files" ||
         w == "--exclude-patterns";
}

void read_flask(const CommandFact& cmd, size_t k, LaunchCommand& out) {
  const auto& w = cmd.words;
  // Global options before the subcommand.
  for (; k < w.size(); ++k) {
    std::string_view t = w[k].text;
    if (t == "--app" || t == "-A" || t == "--env-file" || t == "-e") {
      ++k;
      continue;
    }
    if (t == "--debug") {
      out.debug_flag = &w[k];
      continue;
    }
    if (t == "--no-debug") {
      out.debug_flag = nullptr;
      continue;
    }
    if (!t.empty() && t[0] == '-') continue;
    if (t != "run") return;
    out.kind = LaunchCommand::FlaskRun;
    ++k;
    break;
  }
  if (out.kind != LaunchCommand::FlaskRun) return;
  for (; k < w.size(); ++k) {
    std::string_view t = w[k].text;
    if (t == "--host" || t == "-h") {
      out.host_flag = &w[k];
      out.host = k + 1 < w.size() ? w[k + 1].text : std::string();
      ++k;
    } else if (t.rfind("--host=", 0) == 0) {
      out.host_flag = &w[k];
      out.host = std::string(t.substr(7));
    } else if (t.rfind("-h", 0) == 0 && t.size() > 2) {
      out.host_flag = &w[k];
      out.host = std::string(t.substr(2));
    } else if (t == "--debug" || t == "--reload" || t == "--debugger") {
      out.debug_flag = &w[k];
    } else if (t == "--no-debug" || t == "--no-reload" || t == "--no-debugger") {
      if (out.debug_flag != nullptr && out.debug_flag->text.substr(2) == t.substr(5)) out.debug_flag = nullptr;
    } else if (run_option_takes_value(t)) {
      ++k;
    }
  }
}

}  // namespace

bool flask_debug_env_on(std::string_view value) {
  std::string v = norm(value);
  return !(v.empty() || v == "0" || v == "false" || v == "no");
}

bool flask_env_development(std::string_view value) { return norm(value) == "development"; }

bool werkzeug_pin_off(std::string_view value) { return norm(value) == "off"; }

bool is_all_interfaces(std::string_view host) {
  std::string h = norm(host);
  if (!h.empty() && (h.front() == '"' || h.front() == '\'')) h = h.substr(1, h.size() >= 2 ? h.size() - 2 : 0);
  return h == "0.0.0.0" || h == "::" || h == "[::]" || h == "0:0:0:0:0:0:0:0" || h == "::0";
}

LaunchCommand read_launch_command(const CommandFact& cmd) {
  LaunchCommand out;
  const auto& w = cmd.words;
  if (w.empty()) return out;
  std::string_view first = basename(w[0].text);
  if (first == "flask") {
    read_flask(cmd, 1, out);
    return out;
  }
  if (!is_python(w[0].text)) return out;
  size_t k = 1;
  while (k < w.size()) {
    std::string_view t = w[k].text;
    if (t == "-m") {
      if (k + 1 >= w.size()) return out;
      if (w[k + 1].text == "flask") {
        read_flask(cmd, k + 2, out);
      } else {
        out.kind = LaunchCommand::PythonModule;
        out.target = w[k + 1].text;
        if (k + 2 < w.size()) out.first_arg = w[k + 2].text;
      }
      return out;
    }
    if (t == "-c") return out;
    if (t == "-X" || t == "-W" || t == "-Q") {
      k += 2;
      continue;
    }
    if (!t.empty() && t[0] == '-') {
      ++k;
      continue;
    }
    out.kind = LaunchCommand::PythonScript;
    out.target = std::string(t);
    if (k + 1 < w.size()) out.first_arg = w[k + 1].text;
    return out;
  }
  return out;
}

}  // namespace bastion::check
