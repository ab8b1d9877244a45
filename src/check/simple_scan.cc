// SPDX-License-Identifier: MIT
// The line-oriented launch files: .env/.flaskenv (python-dotenv syntax), Procfile `web:`
// entries and shell scripts.
#include "check/config_scan.h"
#include "check/shell.h"

namespace bastion::check {
namespace {

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

void scan_env_file(std::string_view text, const std::string& /*dir*/, FileFacts& out,
                   std::vector<LineComment>& comments) {
  ShellVars vars;
  size_t p = 0;
  int32_t line = 1;
  while (p < text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(p, e - p);
    int32_t this_line = line;
    size_t next = e + 1;
    ++line;
    size_t k = 0;
    while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) ++k;
    if (l.compare(k, 7, "export ") == 0) k += 7;
    while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) ++k;
    if (k < l.size() && l[k] == '#') {
      comments.push_back({this_line, std::string(l.substr(k + 1))});
      p = next;
      continue;
    }
    size_t key_start = k;
    while (k < l.size() && is_key_char(l[k])) ++k;
    std::string key(l.substr(key_start, k - key_start));
    while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) ++k;
    if (key.empty() || k >= l.size() || (l[k] != '=' && l[k] != ':')) {
      p = next;
      continue;
    }
    ++k;
    while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) ++k;
    std::string value;
    bool unresolved = false;
    if (k < l.size() && (l[k] == '"' || l[k] == '\'')) {
      // A quoted value may span lines.
      char q = l[k];
      size_t start = p + k + 1;
      size_t i = start;
      while (i < text.size() && text[i] != q) {
        if (text[i] == '\\' && q == '"') ++i;
        if (i < text.size() && text[i] == '\n') ++line;
        ++i;
      }
      std::string_view raw = text.substr(start, (i < text.size() ? i : text.size()) - start);
      if (q == '\'') value = std::string(raw);
      else value = shell_expand(std::string("\"") + std::string(raw) + "\"", vars, false, &unresolved);
      size_t eol = text.find('\n', i < text.size() ? i : text.size());
      std::string_view tail = text.substr(i < text.size() ? i + 1 : text.size(),
                                          (eol == std::string_view::npos ? text.size() : eol) - (i < text.size() ? i + 1 : text.size()));
      if (size_t h = tail.find('#'); h != std::string_view::npos) comments.push_back({this_line, std::string(tail.substr(h + 1))});
      next = eol == std::string_view::npos ? text.size() : eol + 1;
    } else {
      std::string_view raw = l.substr(k);
      for (size_t h = 0; h < raw.size(); ++h)
        if (raw[h] == '#' && (h == 0 || raw[h - 1] == ' ' || raw[h - 1] == '\t')) {
          comments.push_back({this_line, std::string(raw.substr(h + 1))});
          raw = raw.substr(0, h);
          break;
        }
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) raw.remove_suffix(1);
      std::string escaped;
      for (char c : raw) {
        if (c == '"' || c == '\'' || c == '\\') escaped += '\\';
        escaped += c;
      }
      value = shell_expand(escaped, vars, false, &unresolved);
    }
    vars[key] = {unresolved ? VarState::Unknown : VarState::Known, value};
    out.envs.push_back({key, value, !unresolved, {this_line, static_cast<int32_t>(key_start + 1)}, EnvSource::EnvFile, false});
    p = next;
  }
}

void scan_procfile(std::string_view text, const std::string& dir, FileFacts& out, std::vector<LineComment>& comments) {
  size_t p = 0;
  int32_t line = 1;
  while (p < text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(p, e - p);
    int32_t this_line = line++;
    p = e + 1;
    size_t colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = l.substr(0, colon);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name != "web") continue;  // release, worker, clock: not the server
    size_t start = colon + 1;
    while (start < l.size() && (l[start] == ' ' || l[start] == '\t')) ++start;
    std::string_view cmd = l.substr(start);
    ShellScanner sc(out, EnvSource::Procfile, CommandSource::Procfile, dir);
    sc.set_command_loc({this_line, 1});
    sc.scan(cmd, SourceMap::contiguous(cmd, this_line, static_cast<int32_t>(start + 1)));
    for (auto& c : sc.comments()) comments.push_back(c);
  }
}

void scan_shell_script(std::string_view text, const std::string& dir, FileFacts& out,
                       std::vector<LineComment>& comments) {
  ShellScanner sc(out, EnvSource::Shell, CommandSource::Shell, dir);
  sc.scan(text, SourceMap::contiguous(text, 1, 1));
  for (auto& c : sc.comments()) comments.push_back(c);
}

}  // namespace bastion::check
