// SPDX-License-Identifier: MIT
// Dockerfile reader: instructions with continuations, comments and heredocs; stages; ARG
// and ENV (both forms, with substitution); the effective CMD/ENTRYPOINT of the final
// stage. Only the final stage and the stages it is built FROM reach the image that runs,
// so ENV and commands of other stages (a `dev` target) are not reported.
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "check/config_scan.h"
#include "check/shell.h"

namespace bastion::check {
namespace {

struct Instruction {
  std::string keyword;  // upper case
  std::string args;
  SourceMap map;        // offsets in args -> file positions
  Loc loc;
};

struct LaunchSpec {
  bool exec = false;
  std::vector<ShWord> words;  // exec form
  std::string text;           // shell form
  SourceMap map;
  Loc loc;
};

struct Stage {
  std::string name;
  int parent = -1;
  ShellVars vars;      // ARG and ENV, for substitution while building
  ShellVars env;       // ENV only: what the container runs with
  std::vector<EnvFact> envs;
  std::optional<LaunchSpec> cmd;
  std::optional<LaunchSpec> entrypoint;
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::pair<std::string_view, int32_t>> split_lines(std::string_view text) {
  std::vector<std::pair<std::string_view, int32_t>> lines;
  int32_t n = 1;
  size_t p = 0;
  while (p <= text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(p, e - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line, n++);
    if (e == text.size()) break;
    p = e + 1;
  }
  return lines;
}

// The heredoc delimiter of a RUN/COPY line (`RUN <<EOF`), or "".
std::string heredoc_delimiter(std::string_view args) {
  size_t p = args.find("<<");
  if (p == std::string_view::npos) return {};
  p += 2;
  if (p < args.size() && args[p] == '-') ++p;
  if (p < args.size() && (args[p] == '"' || args[p] == '\'')) ++p;
  size_t s = p;
  while (p < args.size() && (std::isalnum(static_cast<unsigned char>(args[p])) || args[p] == '_')) ++p;
  return std::string(args.substr(s, p - s));
}

std::vector<Instruction> read_instructions(std::string_view text, std::vector<LineComment>& comments) {
  std::vector<Instruction> out;
  auto lines = split_lines(text);
  char escape = '\\';
  bool directives = true;
  std::optional<Instruction> cur;
  std::string heredoc;
  for (const auto& [raw, line_no] : lines) {
    std::string_view line = raw;
    if (!heredoc.empty()) {
      if (trim(line) == heredoc) heredoc.clear();
      continue;
    }
    std::string_view t = trim(line);
    if (!t.empty() && t[0] == '#') {
      if (directives && t.find("escape=") != std::string_view::npos && t.size() > 1) escape = t.back();
      comments.push_back({line_no, std::string(t.substr(1))});
      continue;
    }
    if (t.empty()) {
      if (!cur) directives = false;
      continue;
    }
    directives = false;
    size_t lead = static_cast<size_t>(t.data() - line.data());
    bool continues = t.back() == escape;
    std::string_view body = continues ? t.substr(0, t.size() - 1) : t;
    if (!cur) {
      size_t kw_end = 0;
      while (kw_end < body.size() && body[kw_end] != ' ' && body[kw_end] != '\t') ++kw_end;
      Instruction ins;
      ins.keyword = upper(body.substr(0, kw_end));
      ins.loc = {line_no, static_cast<int32_t>(lead + 1)};
      size_t arg_start = kw_end;
      while (arg_start < body.size() && (body[arg_start] == ' ' || body[arg_start] == '\t')) ++arg_start;
      ins.map.lines.push_back({0, line_no, static_cast<int32_t>(lead + arg_start + 1)});
      ins.args = std::string(body.substr(arg_start));
      cur = std::move(ins);
    } else {
      cur->map.lines.push_back({static_cast<uint32_t>(cur->args.size()), line_no, static_cast<int32_t>(lead + 1)});
      cur->args += ' ';
      cur->args += body;
    }
    if (!continues) {
      if (cur->keyword == "RUN" || cur->keyword == "COPY" || cur->keyword == "ADD") heredoc = heredoc_delimiter(cur->args);
      out.push_back(std::move(*cur));
      cur.reset();
    }
  }
  if (cur) out.push_back(std::move(*cur));
  return out;
}

// Exec form: a JSON array of strings. Returns false when `args` is not one.
bool parse_exec_form(const Instruction& ins, std::vector<ShWord>& words) {
  std::string_view s = ins.args;
  size_t p = 0;
  auto ws = [&] {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
  };
  ws();
  if (p >= s.size() || s[p] != '[') return false;
  ++p;
  ws();
  if (p < s.size() && s[p] == ']') return true;
  while (p < s.size()) {
    ws();
    if (p >= s.size() || s[p] != '"') return false;
    ShWord w;
    w.loc = ins.map.at(p);
    w.quoted = true;
    ++p;
    while (p < s.size() && s[p] != '"') {
      if (s[p] == '\\' && p + 1 < s.size()) {
        char e = s[p + 1];
        w.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        p += 2;
      } else {
        w.text += s[p++];
      }
    }
    if (p >= s.size()) return false;
    ++p;
    words.push_back(std::move(w));
    ws();
    if (p < s.size() && s[p] == ',') {
      ++p;
      continue;
    }
    if (p < s.size() && s[p] == ']') return trim(s.substr(p + 1)).empty();
    return false;
  }
  return false;
}

LaunchSpec launch_spec(const Instruction& ins) {
  LaunchSpec spec;
  spec.loc = ins.loc;
  if (parse_exec_form(ins, spec.words)) {
    spec.exec = true;
  } else {
    spec.text = ins.args;
    spec.map = ins.map;
  }
  return spec;
}

// ENV KEY=VALUE ... or the legacy ENV KEY VALUE.
void parse_env(const Instruction& ins, Stage& st) {
  std::string_view s = ins.args;
  size_t first_space = s.find_first_of(" \t");
  size_t first_eq = s.find('=');
  auto add = [&](std::string name, std::string_view raw, size_t at) {
    bool unresolved = false;
    std::string value = shell_expand(raw, st.vars, false, &unresolved);
    st.vars[name] = {unresolved ? VarState::Unknown : VarState::Known, value};
    st.env[name] = st.vars[name];
    st.envs.push_back({std::move(name), std::move(value), !unresolved, ins.map.at(at), EnvSource::Dockerfile, false});
  };
  if (first_eq == std::string_view::npos || (first_space != std::string_view::npos && first_space < first_eq)) {
    std::string_view key = s.substr(0, first_space);
    std::string_view value = first_space == std::string_view::npos ? std::string_view() : trim(s.substr(first_space));
    if (!key.empty()) add(std::string(key), value, 0);
    return;
  }
  size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
    size_t key_start = p;
    while (p < s.size() && s[p] != '=' && s[p] != ' ' && s[p] != '\t') ++p;
    if (p >= s.size() || s[p] != '=') break;
    std::string key(s.substr(key_start, p - key_start));
    size_t value_start = ++p;
    char quote = 0;
    while (p < s.size()) {
      char c = s[p];
      if (quote != 0) {
        if (c == '\\' && quote == '"' && p + 1 < s.size()) ++p;
        else if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '\\' && p + 1 < s.size()) {
        ++p;
      } else if (c == ' ' || c == '\t') {
        break;
      }
      ++p;
    }
    add(std::move(key), s.substr(value_start, p - value_start), key_start);
  }
}

void parse_arg(const Instruction& ins, ShellVars& vars, const ShellVars& globals) {
  std::string_view s = trim(ins.args);
  size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
    size_t start = p;
    while (p < s.size() && s[p] != ' ' && s[p] != '\t') ++p;
    std::string_view item = s.substr(start, p - start);
    if (item.empty()) break;
    size_t eq = item.find('=');
    std::string name(item.substr(0, eq));
    if (eq != std::string_view::npos) {
      bool unresolved = false;
      std::string value = shell_expand(item.substr(eq + 1), vars, false, &unresolved);
      vars[name] = {unresolved ? VarState::Unknown : VarState::Known, value};
    } else if (auto it = globals.find(name); it != globals.end()) {
      vars[name] = it->second;
    } else if (vars.find(name) == vars.end()) {
      vars[name] = {VarState::Unset, {}};
    }
  }
}

bool looks_like_script(const std::vector<ShWord>& words) {
  if (words.empty()) return false;
  std::string_view w = words[0].text;
  return (w.size() > 3 && w.compare(w.size() - 3, 3, ".sh") == 0) || w.find("entrypoint") != std::string_view::npos;
}

}  // namespace

void scan_dockerfile(std::string_view text, const std::string& dir, FileFacts& out, std::vector<LineComment>& comments) {
  std::vector<Instruction> instructions = read_instructions(text, comments);
  std::vector<Stage> stages;
  ShellVars global_args;
  for (const Instruction& ins : instructions) {
    const std::string& kw = ins.keyword;
    if (kw == "FROM") {
      Stage st;
      std::vector<std::string_view> parts;
      std::string_view s = ins.args;
      size_t p = 0;
      while (p < s.size()) {
        while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
        size_t b = p;
        while (p < s.size() && s[p] != ' ' && s[p] != '\t') ++p;
        if (p > b) parts.push_back(s.substr(b, p - b));
      }
      size_t k = 0;
      while (k < parts.size() && parts[k].rfind("--", 0) == 0) ++k;
      std::string image = k < parts.size() ? upper(parts[k]) : std::string();
      if (k + 2 < parts.size() && upper(parts[k + 1]) == "AS") st.name = upper(parts[k + 2]);
      for (size_t j = 0; j < stages.size(); ++j)
        if (!stages[j].name.empty() && stages[j].name == image) st.parent = static_cast<int>(j);
      if (st.parent >= 0) {
        const Stage& parent = stages[static_cast<size_t>(st.parent)];
        st.env = parent.env;
        st.vars = parent.env;
      }
      stages.push_back(std::move(st));
      continue;
    }
    if (stages.empty()) {
      if (kw == "ARG") parse_arg(ins, global_args, global_args);
      continue;
    }
    Stage& st = stages.back();
    if (kw == "ARG") parse_arg(ins, st.vars, global_args);
    else if (kw == "ENV") parse_env(ins, st);
    else if (kw == "CMD") st.cmd = launch_spec(ins);
    else if (kw == "ENTRYPOINT") st.entrypoint = launch_spec(ins);
  }
  if (stages.empty()) return;

  // The final stage and its ancestors make up the image that runs.
  std::vector<const Stage*> chain;
  for (int k = static_cast<int>(stages.size()) - 1; k >= 0 && chain.size() < stages.size();) {
    const Stage& st = stages[static_cast<size_t>(k)];
    chain.push_back(&st);
    k = st.parent;
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const EnvFact& e : (*it)->envs) out.envs.push_back(e);
  const LaunchSpec* cmd = nullptr;
  const LaunchSpec* entry = nullptr;
  for (const Stage* st : chain) {
    if (cmd == nullptr && st->cmd) cmd = &*st->cmd;
    if (entry == nullptr && st->entrypoint) entry = &*st->entrypoint;
  }
  ShellScanner sc(out, EnvSource::Dockerfile, CommandSource::DockerCmd, dir);
  sc.vars() = chain.front()->env;
  auto run = [&](const LaunchSpec& spec) {
    sc.set_command_loc(spec.loc);
    if (spec.exec) sc.command(spec.words);
    else sc.scan(spec.text, spec.map);
  };
  if (entry != nullptr && entry->exec) {
    std::vector<ShWord> words = entry->words;
    if (cmd != nullptr && cmd->exec) words.insert(words.end(), cmd->words.begin(), cmd->words.end());
    sc.set_command_loc(entry->loc);
    sc.command(words);
    // An entrypoint script conventionally ends with `exec "$@"`: CMD is what runs.
    if (cmd != nullptr && looks_like_script(entry->words)) run(*cmd);
  } else if (entry != nullptr) {
    run(*entry);
  } else if (cmd != nullptr) {
    run(*cmd);
  }
  for (auto& c : sc.comments()) comments.push_back(c);
}

}  // namespace bastion::check
