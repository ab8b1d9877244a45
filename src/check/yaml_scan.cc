// SPDX-License-Identifier: MIT
// Environment settings and launch commands in YAML: compose `environment:` (list and map
// forms) and `command:`/`entrypoint:`, Kubernetes `env:` entries, container
// `command:`/`args:` and ConfigMap data, App Engine `env_variables:`.
#include "check/config_scan.h"
#include "check/yaml.h"

namespace bastion::check {
namespace {

struct Walk {
  FileFacts& out;
  const std::string& dir;
  bool kubernetes = false;
  std::vector<LineComment> comments;
  long visits = 0;

  EnvSource env_source() const { return kubernetes ? EnvSource::Kubernetes : EnvSource::Compose; }

  // Compose interpolates ${VAR:-default} in values; an unset variable is empty.
  std::string interpolate(const std::string& raw, bool* unresolved) const {
    if (kubernetes) {
      *unresolved = false;
      return raw;
    }
    std::string escaped;
    for (char c : raw) {  // keep quotes literal: only $ expansion applies
      if (c == '"' || c == '\'' || c == '\\') escaped += '\\';
      escaped += c;
    }
    return shell_expand(escaped, {}, true, unresolved);
  }

  void env_value(const std::string& name, const YamlNode* value, Loc loc) {
    if (value == nullptr || value->kind != YamlNode::Scalar || name.empty()) return;
    bool unresolved = false;
    std::string v = interpolate(value->value, &unresolved);
    out.envs.push_back({name, v, !unresolved, loc, env_source(), false});
  }

  void env_block(const YamlNode* node) {
    if (node == nullptr) return;
    if (node->kind == YamlNode::Map) {
      for (const auto& [k, v] : node->all_entries()) env_value(k->value, v, k->loc);
      return;
    }
    if (node->kind != YamlNode::Seq) return;
    for (const YamlNode* item : node->items) {
      if (item->kind == YamlNode::Scalar) {  // - NAME=value
        size_t eq = item->value.find('=');
        if (eq == std::string::npos) continue;
        YamlNode tmp;
        tmp.kind = YamlNode::Scalar;
        tmp.value = item->value.substr(eq + 1);
        env_value(item->value.substr(0, eq), &tmp, item->loc);
      } else if (item->kind == YamlNode::Map) {  // - name: NAME / value: v
        const YamlNode* name = nullptr;
        for (const auto& [k, v] : item->all_entries())
          if (k->value == "name") name = v;
        if (name != nullptr && name->kind == YamlNode::Scalar) env_value(name->value, item->get("value"), name->loc);
      }
    }
  }

  void add_words(const YamlNode* node, std::vector<ShWord>& words, ShellScanner& sc, bool* scanned) {
    if (node == nullptr) return;
    if (node->kind == YamlNode::Seq) {
      for (const YamlNode* item : node->items) {
        if (item->kind != YamlNode::Scalar) continue;
        ShWord w;
        bool unresolved = false;
        w.text = interpolate(item->value, &unresolved);
        w.unresolved = unresolved;
        w.quoted = item->quoted;
        w.loc = item->loc;
        words.push_back(std::move(w));
      }
    } else if (node->kind == YamlNode::Scalar) {
      // A string command: split like a shell would (the parts that matter are the same).
      if (!words.empty()) {
        sc.command(words);
        words.clear();
      }
      sc.scan(node->value, node->map, node->block == '>');
      *scanned = true;
    }
  }

  void commands(const YamlNode* map) {
    const YamlNode* command = map->get("command");
    const YamlNode* entrypoint = kubernetes ? nullptr : map->get("entrypoint");
    const YamlNode* args = kubernetes ? map->get("args") : nullptr;
    if (command == nullptr && entrypoint == nullptr && args == nullptr) return;
    if (map->get("test") != nullptr) return;  // a compose healthcheck
    Loc loc;
    for (const auto& [k, v] : map->all_entries())
      if (loc.line == 0 && (k->value == "command" || k->value == "entrypoint" || k->value == "args")) loc = k->loc;
    // Compose resolves `python app.py` inside the service's build context.
    std::string base = dir;
    if (!kubernetes) {
      const YamlNode* build = map->get("build");
      if (build != nullptr && build->kind == YamlNode::Map) build = build->get("context");
      if (build != nullptr && build->kind == YamlNode::Scalar && !build->value.empty() && build->value.find("://") == std::string::npos)
        base = normalize_path(build->value[0] == '/' ? build->value : dir + "/" + build->value);
    }
    ShellScanner sc(out, env_source(), kubernetes ? CommandSource::Kubernetes : CommandSource::Compose, base);
    sc.set_compose_dollars(!kubernetes);
    sc.set_command_loc(loc);
    std::vector<ShWord> words;
    bool scanned = false;
    add_words(entrypoint, words, sc, &scanned);
    add_words(command, words, sc, &scanned);
    add_words(args, words, sc, &scanned);
    if (!words.empty()) sc.command(words);
  }

  void walk(const YamlNode* node, int depth, bool configmap) {
    if (node == nullptr || depth > 48 || ++visits > 200000) return;
    if (node->kind == YamlNode::Seq) {
      for (const YamlNode* item : node->items) walk(item, depth + 1, false);
      return;
    }
    if (node->kind != YamlNode::Map) return;
    commands(node);
    for (const auto& [k, v] : node->all_entries()) {
      const std::string& key = k->value;
      if (key == "environment" || key == "env" || key == "env_variables") env_block(v);
      else if (configmap && key == "data" && depth == 0) env_block(v);
      walk(v, depth + 1, false);
    }
  }
};

}  // namespace

void scan_yaml(std::string_view text, const std::string& dir, FileFacts& out, std::vector<LineComment>& comments) {
  YamlFile file(text);
  for (const LineComment& c : file.comments()) comments.push_back(c);
  for (const YamlNode* doc : file.documents()) {
    Walk w{out, dir};
    const YamlNode* kind = doc->kind == YamlNode::Map ? doc->get("kind") : nullptr;
    w.kubernetes = kind != nullptr && doc->get("apiVersion") != nullptr;
    bool configmap = w.kubernetes && kind->value == "ConfigMap";
    w.walk(doc, 0, configmap);
  }
}

}  // namespace bastion::check
