// SPDX-License-Identifier: MIT
// load(): the sources in Gunicorn's order, each validated as it is applied so that an error
// names the flag, variable or file line it came from. Within one source a repeatable flag
// accumulates (-b a -b b); across sources a later source replaces the whole value, as
// Gunicorn's cfg.set() does.
#include "config/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

#include "config/args.h"
#include "config/bind.h"
#include "config/logging_settings.h"
#include "config/tls_files.h"

namespace bastion::config {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool is_dir(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

std::string join_path(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  if (dir.empty() || dir == ".") return path;
  return dir + (dir.back() == '/' ? "" : "/") + path;
}

base::Error usage(std::string message) { return base::make_error(std::move(message), kExitUsage); }

// Names a config file may hold that are really a flag spelled as a variable
// ("access_logfile" for accesslog). Very common words are left out: a config file's
// `name = ...` or `env = ...` is usually the user's own variable.
std::vector<std::pair<std::string, std::string>> flag_aliases() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Setting& s : settings()) {
    std::string_view flags = s.flags;
    size_t start = 0;
    while (start < flags.size()) {
      size_t space = flags.find(' ', start);
      if (space == std::string_view::npos) space = flags.size();
      std::string_view flag = flags.substr(start, space - start);
      start = space + 1;
      if (!flag.starts_with("--")) continue;
      std::string alias(flag.substr(2));
      for (char& c : alias) c = c == '-' ? '_' : c;
      if (alias == s.name || alias == "name" || alias == "env" || alias == "pid") continue;
      out.emplace_back(alias, std::string(s.name));
    }
  }
  return out;
}

class Loader {
 public:
  Loader(const Environ& env, const LoadOptions& options) : env_(env), options_(options) {
    cwd_ = options.cwd;
    if (cwd_.empty()) {
      char buf[4096];
      cwd_ = ::getcwd(buf, sizeof buf) ? buf : ".";
    }
  }

  base::Result<Loaded> run(const std::vector<std::string>& args) {
    auto cmdline = parse_args(args);
    if (!cmdline.ok()) return usage(cmdline.error().message);
    if (auto action = info_action(*cmdline)) {
      out_.action = *action;
      return std::move(out_);
    }
    struct EnvLayer {
      std::string var;
      ParsedArgs args;
    };
    std::vector<EnvLayer> env_layers;
    for (const char* var : {"GUNICORN_CMD_ARGS", "BASTION_CMD_ARGS"}) {
      auto it = env_.find(var);
      if (it == env_.end()) continue;
      auto words = shlex_split(it->second);
      if (!words.ok()) return usage(std::string(var) + ": " + words.error().message);
      auto parsed = parse_args(*words);
      if (!parsed.ok()) return usage(std::string(var) + ": " + parsed.error().message);
      if (auto action = info_action(*parsed)) {
        out_.action = *action;
        return std::move(out_);
      }
      env_layers.push_back({var, std::move(parsed).value()});
    }

    if (auto st = apply_env_defaults(); !st.ok()) return std::move(st).error();
    const ParsedArgs* gunicorn_env = nullptr;
    const ParsedArgs* bastion_env = nullptr;
    for (const EnvLayer& layer : env_layers) {
      (layer.var == "GUNICORN_CMD_ARGS" ? gunicorn_env : bastion_env) = &layer.args;
    }
    std::string spec = config_spec(*cmdline, bastion_env, gunicorn_env);
    if (auto st = apply_files(spec); !st.ok()) return std::move(st).error();
    for (const EnvLayer& layer : env_layers) {
      if (auto st = apply_args(layer.args, SourceKind::EnvArgs, layer.var); !st.ok()) {
        return std::move(st).error();
      }
    }
    if (auto st = apply_args(*cmdline, SourceKind::Cmdline, ""); !st.ok()) {
      return std::move(st).error();
    }
    if (auto st = finalize(); !st.ok()) return std::move(st).error();
    return std::move(out_);
  }

 private:
  static std::optional<Action> info_action(const ParsedArgs& parsed) {
    if (parsed.help) return Action::Help;
    if (parsed.version) return Action::Version;
    if (parsed.dump_doc) return Action::DumpDoc;
    return std::nullopt;
  }

  base::Status set(const Setting& s, const json::Value& value, Source source) {
    if (value.is_object() && value.object.size() == 1 && value.object[0].first == "$repr") {
      return usage(label(s.name, source) + ": unsupported value " + value.object[0].second.s);
    }
    if (auto st = assign(s, value, &out_.config); !st.ok()) {
      return usage(label(s.name, source) + ": " + st.error().message);
    }
    out_.sources[std::string(s.name)] = std::move(source);
    return base::Ok{};
  }

  base::Status apply_env_defaults() {
    struct Derived {
      const char* var;
      const char* setting;
    };
    for (Derived d : {Derived{"WEB_CONCURRENCY", "workers"}, Derived{"PORT", "bind"},
                      Derived{"FORWARDED_ALLOW_IPS", "forwarded_allow_ips"},
                      Derived{"SENDFILE", "sendfile"}}) {
      auto it = env_.find(d.var);
      if (it == env_.end()) continue;
      const Setting* s = find_setting(d.setting);
      std::string text = it->second;
      if (std::string_view(d.var) == "PORT") text = "0.0.0.0:" + text;
      if (auto st = set(*s, json::Value::string(text), Source{SourceKind::Env, d.var, ""});
          !st.ok()) {
        return st;
      }
    }
    return base::Ok{};
  }

  // -c from the command line wins, then from BASTION_CMD_ARGS, then GUNICORN_CMD_ARGS.
  static std::string config_spec(const ParsedArgs& cmdline, const ParsedArgs* bastion_env,
                                 const ParsedArgs* gunicorn_env) {
    for (const ParsedArgs* layer : {&cmdline, bastion_env, gunicorn_env}) {
      if (!layer) continue;
      std::string spec;
      for (const ParsedArgs::Item& item : layer->items) {
        if (item.setting->name == "config" && item.value.is_string()) spec = item.value.s;
      }
      if (!spec.empty()) return spec;
    }
    return "";
  }

  bool pyproject_has_table(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    std::stringstream text;
    text << in.rdbuf();
    return text.str().find("tool.bastion") != std::string::npos;
  }

  base::Status apply_files(const std::string& spec);
  base::Status apply_toml(const FileResult& result, bool as_config_file);
  base::Status apply_python(const FileResult& result);
  void warn_unknown(const std::vector<FileValue>& names, const std::string& where,
                    const std::vector<std::string>& candidates);
  base::Status apply_args(const ParsedArgs& parsed, SourceKind kind, const std::string& var);
  base::Status finalize();
  base::Status check_support();

  const Environ& env_;
  const LoadOptions& options_;
  std::string cwd_;
  std::string display_;  // the config file as the user named it (messages)
  Loaded out_;
};

base::Status Loader::apply_files(const std::string& spec) {
  FileRequest req;
  req.python = find_python(options_.python, env_);
  req.cwd = cwd_;
  req.env = env_;
  req.timeout_ms = options_.config_timeout_ms;
  std::string config_abs;
  if (!spec.empty()) {
    display_ = spec;
    if (spec.starts_with("python:")) {
      req.config = spec;
    } else {
      std::string path = spec.starts_with("file:") ? spec.substr(5) : spec;
      config_abs = join_path(cwd_, path);
      if (!is_file(config_abs)) {
        return usage("--config: config file " + quoted(spec) + " doesn't exist");
      }
      display_ = path;
      if (path.ends_with(".toml")) {
        req.toml = config_abs;
        req.toml_whole_file = true;
      } else {
        req.config = config_abs;
      }
    }
  } else {
    for (const char* name : {"bastion.conf.py", "gunicorn.conf.py"}) {
      if (is_file(join_path(cwd_, name))) {
        display_ = std::string("./") + name;
        req.config = join_path(cwd_, name);
        out_.config.config_path = display_;
        break;
      }
    }
  }
  std::string pyproject = join_path(cwd_, "pyproject.toml");
  bool read_pyproject = req.toml.empty() && is_file(pyproject) && pyproject_has_table(pyproject);
  if (read_pyproject) req.toml = pyproject;
  if (req.config.empty() && req.toml.empty()) return base::Ok{};

  auto result = evaluate_config(req);
  if (!result.ok()) return std::move(result).error();
  for (const std::string& w : result->warnings) out_.warnings.push_back(w);
  if (!req.toml.empty()) {
    if (auto st = apply_toml(*result, !read_pyproject); !st.ok()) return st;
  }
  out_.config.config_file = result->config_file.empty() && !read_pyproject ? config_abs
                                                                           : result->config_file;
  return apply_python(*result);
}

base::Status Loader::apply_toml(const FileResult& result, bool as_config_file) {
  if (!result.toml_found) return base::Ok{};
  std::string where = as_config_file ? display_ : "pyproject.toml [tool.bastion]";
  std::vector<std::string> names;
  for (const Setting& s : settings()) names.emplace_back(s.name);
  for (const FileValue& fv : result.toml_values) {
    std::string name = fv.name;
    for (char& c : name) c = c == '-' ? '_' : c;
    const Setting* s = find_setting(name);
    if (!s) {
      std::string hint = closest(name, names);
      if (find_hook(name)) {
        out_.warnings.push_back(where + ": " + name +
                                ": hooks are Python functions; define them in a Python config "
                                "file (ignored)");
      } else {
        out_.warnings.push_back(where + ": unknown setting " + quoted(fv.name) + " (ignored)" +
                                (hint.empty() ? "" : "; did you mean " + quoted(hint) + "?"));
      }
      continue;
    }
    Source source{as_config_file ? SourceKind::File : SourceKind::Pyproject, where, ""};
    if (auto st = set(*s, fv.value, std::move(source)); !st.ok()) return st;
  }
  return base::Ok{};
}

base::Status Loader::apply_python(const FileResult& result) {
  if (result.config_file.empty()) return base::Ok{};
  auto where = [&](int line) {
    return line > 0 ? display_ + ":" + std::to_string(line) : display_;
  };
  for (const FileValue& fv : result.values) {
    const Setting* s = find_setting(fv.name);
    if (!s) continue;
    if (s->name == "config") {
      out_.warnings.push_back(where(fv.line) +
                              ": config: setting it inside a config file has no effect");
      continue;
    }
    if (auto st = set(*s, fv.value, Source{SourceKind::File, where(fv.line), ""}); !st.ok()) {
      return st;
    }
  }
  std::vector<std::string> candidates;
  for (const Setting& s : settings()) candidates.emplace_back(s.name);
  for (auto& [alias, setting] : flag_aliases()) candidates.push_back(alias);
  warn_unknown(result.others, display_, candidates);
  std::vector<std::string> hook_names;
  for (const Hook& h : hooks()) hook_names.emplace_back(h.name);
  warn_unknown(result.functions, display_, hook_names);

  std::string unrun;
  for (const FileValue& fv : result.hooks) {
    out_.config.hooks.push_back(fv.name);
    out_.sources[fv.name] = Source{SourceKind::File, where(fv.line), ""};
    const Hook* h = find_hook(fv.name);
    if (h && !h->implemented) {
      unrun += (unrun.empty() ? "" : ", ") + fv.name + " (" + std::string(h->note) + ")";
    }
  }
  if (!unrun.empty()) {
    out_.warnings.push_back(display_ + " defines server hooks that Bastion does not run: " +
                            unrun);
  }
  return base::Ok{};
}

void Loader::warn_unknown(const std::vector<FileValue>& names, const std::string& file,
                          const std::vector<std::string>& candidates) {
  static const auto aliases = flag_aliases();
  for (const FileValue& fv : names) {
    std::string hint = closest(fv.name, candidates);
    for (const auto& [alias, setting] : aliases) {
      if (alias == fv.name) hint = alias;  // a flag spelled as a variable: log_file = ...
    }
    if (hint.empty()) continue;
    std::string target = hint;
    for (const auto& [alias, setting] : aliases) {
      if (alias == hint) target = setting;
    }
    std::string kind = find_hook(target) ? "a server hook" : "a setting";
    std::string at = fv.line > 0 ? file + ":" + std::to_string(fv.line) : file;
    out_.warnings.push_back(at + ": " + quoted(fv.name) + " is not " + kind +
                            " and is ignored; did you mean " + quoted(target) + "?");
  }
}

base::Status Loader::apply_args(const ParsedArgs& parsed, SourceKind kind,
                                const std::string& var) {
  struct Merged {
    const Setting* setting;
    json::Value value;
    std::string flag;
  };
  std::vector<Merged> merged;
  for (const ParsedArgs::Item& item : parsed.items) {
    Merged* slot = nullptr;
    for (Merged& m : merged) {
      if (m.setting == item.setting) slot = &m;
    }
    if (!slot) {
      merged.push_back({item.setting, json::Value(), item.flag});
      slot = &merged.back();
      if (item.setting->kind == Kind::List) slot->value = json::Value::list({});
    }
    slot->flag = item.flag;
    if (item.setting->kind == Kind::List) {
      slot->value.array.push_back(item.value);
    } else {
      slot->value = item.value;
    }
  }
  for (const Merged& m : merged) {
    Source source = kind == SourceKind::Cmdline ? Source{kind, m.flag, ""}
                                                : Source{kind, var, m.flag};
    if (auto st = set(*m.setting, m.value, std::move(source)); !st.ok()) return st;
  }
  if (parsed.positionals.size() > 1) {
    std::string where = kind == SourceKind::Cmdline ? "" : var + ": ";
    return usage(where + "unexpected argument " + quoted(parsed.positionals[1]) +
                 " (the application is " + quoted(parsed.positionals[0]) +
                 "; options take one value each)");
  }
  if (!parsed.positionals.empty()) {
    Source source = kind == SourceKind::Cmdline ? Source{kind, "MODULE:APP", ""}
                                                : Source{kind, var, "MODULE:APP"};
    if (auto st = set(*find_setting("wsgi_app"), json::Value::string(parsed.positionals[0]),
                      std::move(source));
        !st.ok()) {
      return st;
    }
  }
  return base::Ok{};
}

base::Status Loader::check_support() {
  for (const Setting& s : settings()) {
    if (s.support == Support::Yes) continue;
    json::Value value = current_value(s, out_.config);
    if (value == default_value(s)) continue;
    auto src = out_.sources.find(std::string(s.name));
    std::string who = label(s.name, src == out_.sources.end() ? Source{} : src->second);
    std::string note = s.note.empty() ? "" : " " + std::string(s.note);
    switch (s.support) {
      case Support::Yes: break;
      case Support::Planned:
        out_.warnings.push_back(who + ": " + std::string(s.name) +
                                " is accepted but not implemented yet; it has no effect." + note);
        break;
      case Support::Ignored:
        out_.warnings.push_back(who + ": " + std::string(s.name) + " has no effect in Bastion." +
                                note);
        break;
      case Support::Refused:
        return usage(who + ": " + std::string(s.name) + " is not supported yet." + note);
      case Support::Rejected:
        return usage(who + ": " + std::string(s.note));
    }
  }
  return base::Ok{};
}

base::Status Loader::finalize() {
  Config& c = out_.config;
  auto who = [&](std::string_view name) {
    auto src = out_.sources.find(std::string(name));
    return label(name, src == out_.sources.end() ? Source{} : src->second);
  };
  c.print_config = !c.print_config_format.empty();
  std::string dir = c.chdir.empty() ? cwd_ : join_path(cwd_, c.chdir);
  if (!is_dir(dir)) return usage(who("chdir") + ": " + quoted(c.chdir) + " is not a directory");
  c.chdir = dir;

  if (auto st = check_support(); !st.ok()) return st;
  std::string wc = c.worker_class;
  for (char& ch : wc) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (wc.find("sync") == std::string::npos && wc.find("gthread") == std::string::npos &&
      wc.find("threadworker") == std::string::npos) {
    out_.warnings.push_back(who("worker_class") + ": " + quoted(c.worker_class) +
                            " workers are not available; Bastion serves with its own event "
                            "loop and --threads " + std::to_string(c.threads) +
                            " Python threads per worker (no monkey-patching)");
  }
  if (c.reload && c.preload_app) {
    return usage(who("reload") + " cannot be combined with " + who("preload_app") +
                 ": --reload re-imports the application in each worker, --preload imports it "
                 "once; drop one of them");
  }
  if (c.reload_engine == "poll") {
    out_.warnings.push_back(who("reload_engine") + ": 'poll' is not available; --reload "
                            "watches the files with inotify");
  }
  if (c.allow_debug) {
    for (const std::string& b : c.bind) {
      auto bind = parse_bind(b);
      if (bind.ok() && !bind->is_loopback()) {
        // Its own exit status (9, like every debug refusal), not a usage error.
        return base::make_error(
            "BST-E0602 " + who("allow_debug") + " is refused with the non-loopback bind " +
                quoted(b) + ": debug mode exposes tracebacks and the Werkzeug console to the "
                "network; bind 127.0.0.1, ::1 or a unix socket, or drop --allow-debug",
            base::kExitDebugRefused);
      }
    }
  }
  if (auto st = check_python_logging(c, c.chdir, who, &out_.warnings); !st.ok()) return usage(st.error().message);
  if (auto st = read_tls_files(c, c.chdir, who); !st.ok()) return usage(st.error().message);
  if (c.max_requests_jitter > 0 && c.max_requests == 0) {
    out_.warnings.push_back(who("max_requests_jitter") +
                            ": has no effect without max_requests");
  }
  if (out_.action == Action::Serve && !c.print_config && c.app_uri.empty()) {
    return usage("no application given: add MODULE:APP to the command line (e.g. "
                 "'bastion -w 4 myproject.wsgi:app') or set wsgi_app in the config file");
  }
  return base::Ok{};
}

}  // namespace

base::Result<Loaded> load_args(const std::vector<std::string>& args, const Environ& env,
                               const LoadOptions& options) {
  return Loader(env, options).run(args);
}

base::Result<Loaded> load(int argc, char** argv, const Environ& env, const LoadOptions& options) {
  std::vector<std::string> args;
  for (int k = 1; k < argc; ++k) args.emplace_back(argv[k]);
  return load_args(args, env, options);
}

}  // namespace bastion::config
