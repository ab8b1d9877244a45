// SPDX-License-Identifier: MIT
// Flask and Werkzeug semantics for the abstract interpreter: Flask.run / run_simple /
// SocketIO.run parameters, DebuggedApplication, and the app.config loaders (update,
// from_mapping, from_object with class inheritance, from_pyfile).
#include <algorithm>
#include <memory>

#include "check/py_interp.h"
#include "check/source_file.h"

namespace bastion::check::detail {
namespace {

// Positional parameter names of each development-server entry point.
const std::vector<std::string_view>& positional_params(ServerCall kind) {
  static const std::vector<std::string_view> kFlask = {"host", "port", "debug", "load_dotenv"};
  static const std::vector<std::string_view> kSocketIO = {"app", "host", "port"};
  static const std::vector<std::string_view> kRunSimple = {"host", "port", "application", "use_reloader",
                                                          "use_debugger", "use_evalex"};
  static const std::vector<std::string_view> kScriptServer = {"host", "port", "use_debugger", "use_reloader"};
  switch (kind) {
    case ServerCall::FlaskRun: return kFlask;
    case ServerCall::SocketIORun: return kSocketIO;
    case ServerCall::RunSimple: return kRunSimple;
    case ServerCall::ScriptServer: return kScriptServer;
  }
  return kFlask;
}

// The top-level DEBUG of a JSON object or TOML file loaded with app.config.from_file().
Value file_debug_value(const std::string& text, bool toml) {
  auto scalar = [](std::string_view v) -> Value {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == ',')) v.remove_suffix(1);
    if (v == "true") return Value::boolean(true);
    if (v == "false") return Value::boolean(false);
    if (v == "null") return Value::none();
    if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0]) return Value::str(std::string(v.substr(1, v.size() - 2)), true);
    if (!v.empty() && v.find_first_not_of("0123456789-") == std::string_view::npos) return Value::integer(v == "0" ? 0 : 1);
    return Value::unknown();
  };
  std::string_view s = text;
  if (toml) {
    size_t p = 0;
    while (p < s.size()) {
      size_t e = s.find('\n', p);
      if (e == std::string_view::npos) e = s.size();
      std::string_view line = s.substr(p, e - p);
      p = e + 1;
      while (!line.empty() && (line[0] == ' ' || line[0] == '\t')) line.remove_prefix(1);
      if (!line.empty() && line[0] == '[') break;  // tables are nested keys
      if (line.rfind("DEBUG", 0) != 0) continue;
      std::string_view rest = line.substr(5);
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (rest.empty() || rest[0] != '=') continue;
      rest.remove_prefix(1);
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      return scalar(rest.substr(0, rest.find('#')));
    }
    return Value::none();
  }
  // JSON: walk the top-level object, skipping nested values.
  int depth = 0;
  for (size_t p = 0; p < s.size(); ++p) {
    char c = s[p];
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') --depth;
    else if (c == '"') {
      size_t e = p + 1;
      while (e < s.size() && s[e] != '"') e += s[e] == '\\' ? 2u : 1u;
      std::string_view key = s.substr(p + 1, e > p ? e - p - 1 : 0);
      p = e;
      if (depth != 1 || key != "DEBUG") continue;
      size_t q = p + 1;
      while (q < s.size() && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r')) ++q;
      if (q >= s.size() || s[q] != ':') continue;
      ++q;
      while (q < s.size() && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r')) ++q;
      size_t end = q;
      if (end < s.size() && s[end] == '"') {
        ++end;
        while (end < s.size() && s[end] != '"') end += s[end] == '\\' ? 2u : 1u;
        ++end;
      } else {
        while (end < s.size() && s[end] != ',' && s[end] != '}' && s[end] != '\n') ++end;
      }
      return scalar(s.substr(q, std::min(end, s.size()) - q));
    }
  }
  return Value::none();
}

}  // namespace

void Interp::server_call(ServerCall kind, CallArgs& args, const Expr* call, Frame& f) {
  ServerCallFact fact;
  fact.kind = kind;
  fact.loc = {call->line, call->col};
  fact.ctx = f.ctx;
  fact.ctx.maybe = f.ctx.maybe || f.branch_depth > 0;
  const auto& names = positional_params(kind);
  for (size_t k = 0; k < args.pos.size() && k < names.size(); ++k)
    fact.args.push_back({std::string(names[k]), args.pos[k].value.shallow(), args.pos[k].loc, false});
  for (const Arg& a : args.kws) {
    std::string name = a.name == "hostname" ? std::string("host") : a.name;
    fact.args.push_back({name, a.value.shallow(), a.loc, a.via_kwargs});
  }
  if (f.foreign) return;
  bool werkzeug = kind == ServerCall::FlaskRun || kind == ServerCall::RunSimple;
  if (const ServerArg* unsafe = fact.arg("allow_unsafe_werkzeug"))
    werkzeug = werkzeug || truth(unsafe->value) == Truth::True;
  if (werkzeug && (f.ctx.module_level || f.ctx.in_main || f.ctx.from_main) && !m_.runs_dev_server) {
    m_.runs_dev_server = true;
    m_.dev_server_line = call->line;
  }
  facts_.server_calls.push_back(std::move(fact));
}

void Interp::debugger_call(const Expr* call, Frame& f) {
  if (f.foreign) return;
  DebuggerFact fact;
  const Expr* callee = call->a;
  // The finding points at the class name (the last attribute of a dotted callee).
  fact.loc = {callee->line, callee->col};
  if (callee->kind == ExprKind::Attribute && callee->end_line > callee->line) fact.loc.line = callee->end_line;
  fact.ctx = f.ctx;
  fact.ctx.maybe = f.ctx.maybe || f.branch_depth > 0;
  fact.callee = std::string(callee->text);
  facts_.debuggers.push_back(std::move(fact));
}

Value Interp::new_app(CallArgs& args) {
  auto app = std::make_shared<AppObj>();
  if (const Arg* rel = args.kw("instance_relative_config")) app->instance_relative = truth(rel->value) == Truth::True;
  return new_object(VKind::App, app);
}

void Interp::config_write(AppObj& app, std::string_view key, const Value& v, Loc loc, ConfigVia via,
                          std::string detail, Frame& f) {
  app.config.set(key, v);
  if (key == "DEBUG") app.debug = v;
  if (f.foreign || (key != "DEBUG" && key != "SECRET_KEY")) return;
  Context ctx = f.ctx;
  ctx.maybe = f.ctx.maybe || f.branch_depth > 0;
  facts_.configs.push_back({std::string(key), v.shallow(), loc, via, ctx, std::move(detail)});
}

void Interp::config_mapping(AppObj& app, CallArgs& args, ConfigVia via, Frame& f) {
  for (const Arg& a : args.pos) {
    if (a.value.kind != VKind::Dict || !a.value.obj) continue;
    // A dict written in the call reports each key's own line; a mapping built elsewhere
    // reports the argument.
    bool literal_here = a.expr != nullptr && (a.expr->kind == ExprKind::Dict || a.expr->kind == ExprKind::Call);
    for (const DictEntry& e : static_cast<const DictObj&>(*a.value.obj).entries) {
      if (e.key.kind != VKind::Str) continue;
      Loc loc = literal_here && e.line != 0 ? Loc{e.line, e.col} : a.loc;
      config_write(app, e.key.s, e.value, loc, via, {}, f);
    }
  }
  for (const Arg& kw : args.kws) config_write(app, kw.name, kw.value, kw.loc, via, {}, f);
}

Value Interp::effective_attr(const Value& obj, std::string_view attr) {
  switch (obj.kind) {
    case VKind::Class: {
      const Value* v = static_cast<const ClassObj&>(*obj.obj).lookup(attr);
      return v != nullptr ? *v : Value::make(VKind::None);
    }
    case VKind::Instance: {
      const auto& inst = static_cast<const InstanceObj&>(*obj.obj);
      if (const Value* v = inst.attrs.find(attr)) return *v;
      if (inst.cls.kind == VKind::Class && inst.cls.obj)
        if (const Value* v = static_cast<const ClassObj&>(*inst.cls.obj).lookup(attr)) return *v;
      return Value::none();
    }
    case VKind::Module: {
      ModuleSummary* ms = static_cast<const ModuleObj&>(*obj.obj).summary;
      if (ms == nullptr || ms->released) return Value::unknown();
      const Value* v = ms->globals.find(attr);
      return v != nullptr ? *v : Value::none();
    }
    default:
      return Value::unknown();
  }
}

Value Interp::load_config_object(const Value& obj, Frame& f, std::string* detail) {
  switch (obj.kind) {
    case VKind::Class:
      *detail = static_cast<const ClassObj&>(*obj.obj).name;
      return obj;
    case VKind::Instance:
    case VKind::Module:
      return obj;
    case VKind::MainName: {  // from_object(__name__): this module's globals so far
      auto mo = std::make_shared<ModuleObj>();
      mo->summary = f.module;
      return new_object(VKind::Module, mo);
    }
    case VKind::Str: {
      if (obj.fstring || obj.s.empty()) return Value::unknown();
      *detail = obj.s;
      std::vector<std::string> parts;
      size_t start = 0;
      while (start <= obj.s.size()) {
        size_t dot = obj.s.find('.', start);
        if (dot == std::string::npos) dot = obj.s.size();
        parts.push_back(obj.s.substr(start, dot - start));
        start = dot + 1;
      }
      // "pkg.config.DevConfig": the longest importable prefix, then attributes.
      for (size_t k = parts.size(); k >= 1; --k) {
        std::string module;
        for (size_t j = 0; j < k; ++j) module += (j ? "." : "") + parts[j];
        Value cur = import_value(module, 0, f);
        if (cur.kind != VKind::Module) continue;
        for (size_t j = k; j < parts.size() && cur.known(); ++j) cur = attribute(cur, parts[j], f);
        return cur;
      }
      return Value::unknown();
    }
    default:
      return Value::unknown();
  }
}

std::string Interp::find_pyfile(const std::string& name, bool instance_relative) {
  if (name.empty()) return {};
  std::string dir = dir_of(m_.path);
  if (name[0] == '/') {
    std::string n = normalize_path(name);
    if (project_.file_exists(n) && !project_.root_of(n).empty()) return n;
    return project_.find_script(dir, name);
  }
  std::string parent = dir_of(dir);
  std::vector<std::string> cands;
  auto add_instance = [&] {
    cands.push_back(dir + "/instance/" + name);
    cands.push_back(parent + "/instance/" + name);
  };
  if (instance_relative) add_instance();
  cands.push_back(dir + "/" + name);
  cands.push_back(parent + "/" + name);
  if (!instance_relative) add_instance();
  for (const std::string& c : cands) {
    std::string n = normalize_path(c);
    if (project_.file_exists(n) && !project_.root_of(n).empty()) return n;
  }
  return {};
}

Value Interp::call_config_method(const Value& self, std::string_view name, CallArgs& args, Frame& f) {
  if (!self.obj) return Value::unknown();
  auto& app = static_cast<AppObj&>(*self.obj);
  if (name == "update") {
    config_mapping(app, args, ConfigVia::Update, f);
    return Value::none();
  }
  if (name == "from_mapping") {
    config_mapping(app, args, ConfigVia::FromMapping, f);
    return Value::boolean(true);
  }
  if (name == "from_object") {
    const Arg* a = args.param("obj", 0);
    if (a == nullptr) return Value::unknown();
    std::string detail;
    Value obj = load_config_object(a->value, f, &detail);
    if (!obj.known()) return Value::none();
    Value debug = effective_attr(obj, "DEBUG");
    Value secret = effective_attr(obj, "SECRET_KEY");
    if (secret.known() && secret.kind != VKind::None) app.config.set("SECRET_KEY", secret);
    if (debug.known() && debug.kind != VKind::None)
      config_write(app, "DEBUG", debug, a->loc, ConfigVia::FromObject, detail, f);
    return Value::none();
  }
  if (name == "from_pyfile") {
    const Arg* a = args.param("filename", 0);
    if (a == nullptr || a->value.kind != VKind::Str || a->value.fstring) return Value::unknown();
    std::string path = find_pyfile(a->value.s, app.instance_relative);
    if (path.empty() || path == m_.path) return Value::unknown();
    ModuleSummary* ms = project_.module_at(path);
    if (ms == nullptr || ms->released) return Value::unknown();
    ms->imported = true;
    if (const Value* debug = ms->globals.find("DEBUG"); debug != nullptr && debug->kind != VKind::None)
      config_write(app, "DEBUG", *debug, a->loc, ConfigVia::FromPyfile, a->value.s, f);
    if (const Value* secret = ms->globals.find("SECRET_KEY")) app.config.set("SECRET_KEY", *secret);
    return Value::boolean(true);
  }
  if (name == "from_file") {
    const Arg* a = args.param("filename", 0);
    if (a == nullptr || a->value.kind != VKind::Str || a->value.fstring) return Value::unknown();
    std::string path = find_pyfile(a->value.s, app.instance_relative);
    if (path.empty()) return Value::unknown();
    auto text = read_source(path);
    if (!text.ok()) return Value::unknown();
    bool toml = path.size() > 5 && path.compare(path.size() - 5, 5, ".toml") == 0;
    Value debug = file_debug_value(*text, toml);
    if (debug.known() && debug.kind != VKind::None)
      config_write(app, "DEBUG", debug, a->loc, ConfigVia::FromPyfile, a->value.s, f);
    return Value::boolean(true);
  }
  if (name == "get") {
    const Arg* k = args.param("key", 0);
    if (k == nullptr || k->value.kind != VKind::Str) return Value::unknown();
    if (k->value.s == "DEBUG") return app.debug;
    if (const Value* v = app.config.find(k->value.s)) return *v;
    if (k->value.s == "ENV" && args.param("default", 1) == nullptr) return Value::str("production");
    if (k->value.s == "TESTING" && args.param("default", 1) == nullptr) return Value::boolean(false);
    const Arg* d = args.param("default", 1);
    return d != nullptr ? d->value : Value::none();
  }
  return Value::unknown();
}

}  // namespace bastion::check::detail
