// SPDX-License-Identifier: MIT
// Calls for the abstract interpreter: the builtins and library functions that decide
// configuration values (os.getenv with its default, bool/int/str, strtobool, decouple,
// environs, argparse defaults), str and dict methods, and user functions and classes.
#include <cstdlib>
#include <memory>

#include "check/py_interp.h"

namespace bastion::check::detail {
namespace {

std::string_view last_part(std::string_view q) {
  size_t dot = q.rfind('.');
  return dot == std::string_view::npos ? q : q.substr(dot + 1);
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

Value keep_flags(Value v, const Value& from) {
  v.literal = from.literal;
  v.from_env = from.from_env;
  v.fstring = from.fstring;
  return v;
}

// int("..."): decimal digits with an optional sign and surrounding whitespace.
Value parse_int(const Value& v) {
  if (v.kind == VKind::Int || v.kind == VKind::Bool) return keep_flags(Value::integer(v.i), v);
  if (v.kind == VKind::Float) return keep_flags(Value::integer(static_cast<int64_t>(v.f)), v);
  if (v.kind != VKind::Str || v.fstring) return Value::unknown();
  std::string t = trimmed(v.s);
  if (t.empty() || t.size() > 18) return Value::unknown();
  size_t k = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (k == t.size()) return Value::unknown();
  for (size_t j = k; j < t.size(); ++j)
    if ((t[j] < '0' || t[j] > '9') && t[j] != '_') return Value::unknown();
  return keep_flags(Value::integer(std::strtoll(t.c_str(), nullptr, 10)), v);
}

// distutils.util.strtobool and the common hand-written variants.
Value str_to_bool(const Value& v) {
  if (v.kind == VKind::Bool || v.kind == VKind::Int) return keep_flags(Value::boolean(v.i != 0), v);
  if (v.kind != VKind::Str || v.fstring) return Value::unknown();
  std::string t = lowered(trimmed(v.s));
  if (t == "y" || t == "yes" || t == "t" || t == "true" || t == "on" || t == "1") return keep_flags(Value::boolean(true), v);
  if (t == "n" || t == "no" || t == "f" || t == "false" || t == "off" || t == "0" || t.empty())
    return keep_flags(Value::boolean(false), v);
  return Value::unknown();
}

// ast.literal_eval / eval / json.loads of a constant.
Value parse_literal(const Value& v, bool json) {
  if (v.kind != VKind::Str || v.fstring) return Value::unknown();
  std::string t = trimmed(v.s);
  if (t == (json ? "true" : "True")) return keep_flags(Value::boolean(true), v);
  if (t == (json ? "false" : "False")) return keep_flags(Value::boolean(false), v);
  if (t == (json ? "null" : "None")) return Value::none();
  if (t.size() >= 2 && (t[0] == '"' || (!json && t[0] == '\'')) && t.back() == t[0])
    return keep_flags(Value::str(t.substr(1, t.size() - 2), v.literal), v);
  Value n = parse_int(v);
  return n;
}

}  // namespace

Value Interp::call_value(const Value& callee, CallArgs& args, const Expr* call, Frame& f) {
  switch (callee.kind) {
    case VKind::Symbol:
      return call_symbol(callee.s, args, call, f);
    case VKind::Function:
      return call_function(static_cast<FunctionObj&>(*callee.obj), args, f);
    case VKind::Class:
      if (static_cast<ClassObj&>(*callee.obj).flask_subclass) return new_app(args);
      return instantiate(callee, args);
    case VKind::Method: {
      auto& mo = static_cast<MethodObj&>(*callee.obj);
      Value self = mo.self;
      return call_method(self, callee.s, mo.receiver_name, args, call, f);
    }
    case VKind::Ext:
      if (callee.s == "environs.Env") {  // env("NAME", default)
        const Arg* d = args.param("default", 1);
        return d != nullptr ? d->value : Value::unknown();
      }
      return Value::unknown();
    default:
      return Value::unknown();
  }
}

Value Interp::instantiate(const Value& cls, CallArgs& /*args*/) {
  auto inst = std::make_shared<InstanceObj>();
  inst->cls = cls;
  return new_object(VKind::Instance, inst);
}

// create_app(), make_app(), get_app(), build_app(): an application factory outside the tree.
bool factory_name(std::string_view name) {
  for (std::string_view p : {"create_", "make_", "get_", "build_"})
    if (name.rfind(p, 0) == 0 && name.size() > p.size() + 2 && name.compare(name.size() - 3, 3, "app") == 0) return true;
  return false;
}

Value Interp::call_unknown_name(std::string_view name, CallArgs& args, const Expr* call, Frame& f) {
  // A name bound by an import we could not follow (a star import, a vendored copy).
  if (name == "run_simple") {
    server_call(ServerCall::RunSimple, args, call, f);
    return Value::none();
  }
  if (name == "DebuggedApplication") {
    debugger_call(call, f);
    return Value::ext("werkzeug.debug.DebuggedApplication");
  }
  if (name == "Flask" || factory_name(name)) return new_app(args);
  return Value::unknown();
}

Value Interp::call_symbol(const std::string& q, CallArgs& args, const Expr* call, Frame& f) {
  std::string_view last = last_part(q);
  if (q == "os.getenv" || q == "posix.getenv") {
    const Arg* name = args.param("key", 0);
    const Arg* def = args.param("default", 1);
    return env_read(name != nullptr ? name->value : Value::unknown(), def != nullptr ? &def->value : nullptr);
  }
  if (q == "os.putenv") {
    const Arg* name = args.param("key", 0);
    const Arg* value = args.param("value", 1);
    if (name != nullptr && value != nullptr && name->value.kind == VKind::Str)
      env_write(name->value.s, value->value, name->loc, f, true);
    return Value::none();
  }
  if (last == "Flask" || last == "APIFlask" || q == "connexion.FlaskApp" || q == "connexion.App")
    return new_app(args);
  if (last == "SocketIO") return Value::ext("flask_socketio.SocketIO");
  // Applications of other frameworks: never mistaken for a Flask app by name.
  static constexpr std::string_view kOtherApps[] = {"FastAPI", "Starlette", "Sanic", "Bottle", "Quart", "Typer",
                                                    "Celery", "Application", "Litestar", "Falcon", "Tornado"};
  for (std::string_view other : kOtherApps)
    if (last == other || (last == "App" && q.rfind("falcon", 0) == 0)) return Value::ext(q);
  if (last == "Server" && q.rfind("flask_script", 0) == 0) {  // Flask-Script's runserver command
    server_call(ServerCall::ScriptServer, args, call, f);
    return Value::ext("flask_script.Server");
  }
  if (last == "DebuggedApplication") {
    debugger_call(call, f);
    return Value::ext("werkzeug.debug.DebuggedApplication");
  }
  if (last == "run_simple") {
    server_call(ServerCall::RunSimple, args, call, f);
    return Value::none();
  }
  if (q.rfind("builtins.", 0) == 0) return call_builtin(last, args, f);
  if (q == "ast.literal_eval" || q == "json.loads") {
    const Arg* a = args.param("s", 0);
    return a != nullptr ? parse_literal(a->value, q == "json.loads") : Value::unknown();
  }
  if (last == "strtobool" || last == "str2bool" || last == "str_to_bool" || last == "to_bool") {
    const Arg* a = args.param("val", 0);
    return a != nullptr ? str_to_bool(a->value) : Value::unknown();
  }
  if (q == "decouple.config") {  // python-decouple: config("NAME", default=..., cast=bool)
    const Arg* def = args.param("default", 1);
    if (def == nullptr) return Value::unknown();
    const Arg* cast = args.kw("cast");
    if (cast != nullptr && cast->value.kind == VKind::Symbol) {
      if (cast->value.s == "builtins.bool") return str_to_bool(def->value);
      if (cast->value.s == "builtins.int") return parse_int(def->value);
    }
    return def->value;
  }
  if (q == "environs.Env") return Value::ext("environs.Env");
  if (factory_name(last)) return new_app(args);
  if (q == "os.path.join" || q == "posixpath.join") {
    std::string path;
    for (const Arg& a : args.pos) {
      if (a.value.kind != VKind::Str || a.value.fstring) return Value::unknown();
      if (!a.value.s.empty() && a.value.s[0] == '/') path = a.value.s;
      else path += (path.empty() || path.back() == '/' ? "" : "/") + a.value.s;
    }
    return Value::str(path);
  }
  if (q == "os.path.dirname" || q == "os.path.abspath" || q == "os.path.realpath" || q == "os.path.normpath") {
    const Arg* a = args.param("p", 0);
    if (a == nullptr || a->value.kind != VKind::Str || a->value.fstring) return Value::unknown();
    if (q == "os.path.dirname") return Value::str(dir_of(a->value.s));
    return a->value.s.empty() || a->value.s[0] != '/' ? a->value : Value::str(normalize_path(a->value.s));
  }
  if (q == "argparse.ArgumentParser") return new_object(VKind::ArgParser, std::make_shared<ArgParserObj>());
  bool spawn = (q.rfind("subprocess.", 0) == 0 && (last == "run" || last == "Popen" || last == "call" ||
                                                   last == "check_call" || last == "check_output")) ||
               q == "os.execve" || q == "os.execvpe" || q == "os.spawnve" || q == "os.spawnvpe";
  if (spawn) {
    if (const Arg* env = args.kw("env")) env_from_mapping(env->value, env->loc, f);
    else if (q.rfind("os.", 0) == 0 && !args.pos.empty()) env_from_mapping(args.pos.back().value, args.pos.back().loc, f);
    return Value::unknown();
  }
  return Value::unknown();
}

// bool(), int(), float(), str(), len(): Python's conversions on known values.
Value Interp::call_conversion(std::string_view name, CallArgs& args) {
  const Arg* a0 = args.pos.empty() ? nullptr : &args.pos[0];
  if (name == "bool") {
    if (a0 == nullptr) return Value::boolean(false);
    Truth t = truth(a0->value);
    return t == Truth::Unknown ? Value::unknown() : keep_flags(Value::boolean(t == Truth::True), a0->value);
  }
  if (name == "int") {
    if (a0 == nullptr) return Value::integer(0);
    if (args.pos.size() > 1 || args.kw("base") != nullptr) return Value::unknown();
    return parse_int(a0->value);
  }
  if (name == "float") {
    if (a0 == nullptr) return Value::make(VKind::Float);
    const Value& v = a0->value;
    if (v.kind == VKind::Int || v.kind == VKind::Bool) {
      Value r = Value::make(VKind::Float);
      r.f = static_cast<double>(v.i);
      return r;
    }
    if (v.kind == VKind::Float) return v;
    if (v.kind == VKind::Str && !v.fstring) {
      std::string t = trimmed(v.s);
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      if (!t.empty() && end != nullptr && *end == '\0') {
        Value r = Value::make(VKind::Float);
        r.f = d;
        return r;
      }
    }
    return Value::unknown();
  }
  if (name == "str") {
    if (a0 == nullptr) return Value::str("", true);
    std::string text;
    if (a0->value.kind == VKind::Str) return a0->value;
    if (to_text(a0->value, &text)) return keep_flags(Value::str(text, a0->value.literal), a0->value);
    return Value::unknown();
  }
  if (name == "len") {
    if (a0 == nullptr) return Value::unknown();
    const Value& v = a0->value;
    if (v.kind == VKind::Str && !v.fstring) return Value::integer(static_cast<int64_t>(v.s.size()));
    if (v.kind == VKind::Argv) return Value::integer(1);
    if ((v.kind == VKind::Tuple || v.kind == VKind::List || v.kind == VKind::Set) && v.obj)
      return Value::integer(static_cast<int64_t>(static_cast<const SeqObj&>(*v.obj).items.size()));
    return Value::unknown();
  }
  return Value::unknown();
}

Value Interp::call_builtin(std::string_view name, CallArgs& args, Frame& f) {
  if (name == "bool" || name == "int" || name == "float" || name == "str" || name == "len") return call_conversion(name, args);
  const Arg* a0 = args.pos.empty() ? nullptr : &args.pos[0];
  if (name == "isinstance" && args.pos.size() == 2) {
    const Value& v = args.pos[0].value;
    auto matches = [&](const Value& t) -> Truth {
      if (t.kind != VKind::Symbol || !v.known()) return Truth::Unknown;
      std::string_view tn = t.s;
      if (tn == "builtins.bool") return v.kind == VKind::Bool ? Truth::True : Truth::False;
      if (tn == "builtins.str") return v.kind == VKind::Str ? Truth::True : Truth::False;
      if (tn == "builtins.int") return v.kind == VKind::Int || v.kind == VKind::Bool ? Truth::True : Truth::False;
      if (tn == "builtins.float") return v.kind == VKind::Float ? Truth::True : Truth::False;
      return Truth::Unknown;
    };
    const Value& types = args.pos[1].value;
    if (types.kind == VKind::Tuple && types.obj) {
      bool unknown = false;
      for (const Value& t : static_cast<const SeqObj&>(*types.obj).items) {
        Truth m = matches(t);
        if (m == Truth::True) return Value::boolean(true);
        if (m == Truth::Unknown) unknown = true;
      }
      return unknown ? Value::unknown() : Value::boolean(false);
    }
    Truth m = matches(types);
    return m == Truth::Unknown ? Value::unknown() : Value::boolean(m == Truth::True);
  }
  if (name == "getattr" && args.pos.size() >= 2 && args.pos[1].value.kind == VKind::Str) {
    Value v = attribute(args.pos[0].value, args.pos[1].value.s, f);
    if (v.known() || args.pos.size() < 3) return v;
    return args.pos[2].value;
  }
  if (name == "eval") return a0 != nullptr ? parse_literal(a0->value, false) : Value::unknown();
  if (name == "dict") {
    auto d = std::make_shared<DictObj>();
    if (a0 != nullptr) {
      if (a0->value.kind == VKind::Dict && a0->value.obj) {
        const auto& src = static_cast<const DictObj&>(*a0->value.obj);
        d->entries = src.entries;
        d->environ_copy = src.environ_copy;
      } else if (a0->value.kind == VKind::Environ) {
        d->environ_copy = true;
        for (const auto& [n, v] : env_overlay_.items()) d->set(Value::str(n), v, 0, 0);
      } else {
        return Value::unknown();
      }
    }
    for (const Arg& kw : args.kws) d->set(Value::str(kw.name), kw.value, kw.loc.line, kw.loc.col);
    return new_object(VKind::Dict, d);
  }
  if (name == "list" || name == "tuple") {
    if (a0 == nullptr) return new_object(name == "list" ? VKind::List : VKind::Tuple, std::make_shared<SeqObj>());
    if ((a0->value.kind == VKind::List || a0->value.kind == VKind::Tuple) && a0->value.obj) {
      auto seq = std::make_shared<SeqObj>(static_cast<const SeqObj&>(*a0->value.obj));
      return new_object(name == "list" ? VKind::List : VKind::Tuple, seq);
    }
    return Value::unknown();
  }
  if (name == "print") return Value::none();
  return Value::unknown();
}

Value Interp::call_str_method(const Value& s, std::string_view name, CallArgs& args) {
  if (s.fstring) return Value::unknown();
  const Arg* a0 = args.pos.empty() ? nullptr : &args.pos[0];
  Value out = s;
  if (name == "lower" || name == "casefold") {
    out.s = lowered(s.s);
    return out;
  }
  if (name == "upper") {
    for (char& c : out.s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
  }
  if ((name == "strip" || name == "lstrip" || name == "rstrip") && a0 == nullptr) {
    std::string t = out.s;
    size_t b = 0, e = t.size();
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    if (name != "rstrip")
      while (b < e && ws(t[b])) ++b;
    if (name != "lstrip")
      while (e > b && ws(t[e - 1])) --e;
    out.s = t.substr(b, e - b);
    return out;
  }
  if (name == "title" || name == "capitalize") {
    bool start = true;
    for (char& c : out.s) {
      bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
      if (alpha) c = start ? static_cast<char>(c & ~0x20) : static_cast<char>(c | 0x20);
      if (name == "title") start = !alpha;
      else start = false;
    }
    return out;
  }
  if ((name == "startswith" || name == "endswith") && a0 != nullptr && a0->value.kind == VKind::Str) {
    const std::string& x = a0->value.s;
    bool r = x.size() <= s.s.size() &&
             (name == "startswith" ? s.s.compare(0, x.size(), x) == 0 : s.s.compare(s.s.size() - x.size(), x.size(), x) == 0);
    return Value::boolean(r);
  }
  if (name == "encode" || name == "decode") {
    out.kind = name == "encode" ? VKind::Bytes : VKind::Str;
    return out;
  }
  if (name == "isdigit" || name == "isnumeric") {
    bool all = !s.s.empty();
    for (char c : s.s) all = all && c >= '0' && c <= '9';
    return Value::boolean(all);
  }
  if (name == "replace" && args.pos.size() == 2 && args.pos[0].value.kind == VKind::Str &&
      args.pos[1].value.kind == VKind::Str && !args.pos[0].value.s.empty()) {
    std::string r;
    const std::string& from = args.pos[0].value.s;
    const std::string& to = args.pos[1].value.s;
    for (size_t k = 0; k < s.s.size();) {
      if (s.s.compare(k, from.size(), from) == 0) {
        r += to;
        k += from.size();
      } else {
        r += s.s[k++];
      }
      if (r.size() > (1u << 20)) return Value::unknown();
    }
    out.s = r;
    return out;
  }
  if (name == "split" && a0 == nullptr) {
    auto seq = std::make_shared<SeqObj>();
    std::string word;
    for (char c : s.s + " ") {
      if (c == ' ' || c == '\t' || c == '\n') {
        if (!word.empty()) seq->items.push_back(Value::str(word, s.literal));
        word.clear();
      } else {
        word += c;
      }
    }
    return new_object(VKind::List, seq);
  }
  return Value::unknown();
}

Value Interp::call_dict_method(const Value& dv, std::string_view name, CallArgs& args) {
  auto& d = static_cast<DictObj&>(*dv.obj);
  const Arg* a0 = args.pos.empty() ? nullptr : &args.pos[0];
  if (name == "get" && a0 != nullptr) {
    if (DictEntry* e = d.find(a0->value)) return e->value;
    if (!a0->value.known()) return Value::unknown();
    return args.pos.size() > 1 ? args.pos[1].value : Value::none();
  }
  if (name == "copy") {
    auto c = std::make_shared<DictObj>(d);
    return new_object(VKind::Dict, c);
  }
  if (name == "update") {
    if (a0 != nullptr && a0->value.kind == VKind::Dict && a0->value.obj)
      for (const DictEntry& e : static_cast<const DictObj&>(*a0->value.obj).entries) d.set(e.key, e.value, e.line, e.col);
    for (const Arg& kw : args.kws) d.set(Value::str(kw.name), kw.value, kw.loc.line, kw.loc.col);
    return Value::none();
  }
  if (name == "setdefault" && a0 != nullptr) {
    if (DictEntry* e = d.find(a0->value)) return e->value;
    Value v = args.pos.size() > 1 ? args.pos[1].value : Value::none();
    d.set(a0->value, v, a0->loc.line, a0->loc.col);
    return v;
  }
  return Value::unknown();
}

Value Interp::call_argparse(const Value& p, std::string_view name, CallArgs& args) {
  auto& parser = static_cast<ArgParserObj&>(*p.obj);
  if (name == "add_argument") {
    std::string dest;
    for (const Arg& a : args.pos) {
      if (a.value.kind != VKind::Str) continue;
      std::string_view opt = a.value.s;
      if (opt.rfind("--", 0) == 0) {
        dest.clear();
        for (char c : opt.substr(2)) dest += c == '-' ? '_' : c;
        break;
      }
      if (dest.empty()) {
        for (char c : opt.substr(opt.rfind("-", 0) == 0 ? 1 : 0)) dest += c == '-' ? '_' : c;
      }
    }
    if (const Arg* d = args.kw("dest"); d != nullptr && d->value.kind == VKind::Str) dest = d->value.s;
    if (dest.empty()) return Value::none();
    Value def = Value::none();
    if (const Arg* a = args.kw("action"); a != nullptr && a->value.kind == VKind::Str) {
      if (a->value.s == "store_true") def = Value::boolean(false);
      if (a->value.s == "store_false") def = Value::boolean(true);
    }
    if (const Arg* d = args.kw("default")) def = d->value;
    parser.defaults.set(dest, def);
    return Value::none();
  }
  if (name == "set_defaults") {
    for (const Arg& kw : args.kws) parser.defaults.set(kw.name, kw.value);
    return Value::none();
  }
  if (name == "add_argument_group" || name == "add_mutually_exclusive_group") return p;
  if (name == "parse_args") return new_object(VKind::Namespace, p.obj);
  if (name == "parse_known_args") {
    auto seq = std::make_shared<SeqObj>();
    seq->items.push_back(new_object(VKind::Namespace, p.obj));
    seq->items.push_back(Value::unknown());
    return new_object(VKind::Tuple, seq);
  }
  return Value::unknown();
}

Value Interp::call_method(const Value& self, std::string_view name, std::string_view receiver,
                          CallArgs& args, const Expr* call, Frame& f) {
  switch (self.kind) {
    case VKind::App:
      if (name == "run") {
        server_call(ServerCall::FlaskRun, args, call, f);
        return Value::none();
      }
      return Value::unknown();
    case VKind::AppConfig:
      return call_config_method(self, name, args, f);
    case VKind::Environ:
      return call_environ_method(name, args, call, f);
    case VKind::Str:
    case VKind::Bytes:
      return call_str_method(self, name, args);
    case VKind::Dict:
      return self.obj ? call_dict_method(self, name, args) : Value::unknown();
    case VKind::ArgParser:
      return self.obj ? call_argparse(self, name, args) : Value::unknown();
    case VKind::Ext:
      if (self.s == "flask_socketio.SocketIO" && name == "run") {
        server_call(ServerCall::SocketIORun, args, call, f);
        return Value::none();
      }
      if (self.s == "environs.Env") {
        const Arg* d = args.param("default", 1);
        if (d == nullptr) return Value::unknown();
        if (name == "bool") return str_to_bool(d->value);
        if (name == "int") return parse_int(d->value);
        return d->value;
      }
      return Value::unknown();
    case VKind::Unknown:
      if (name == "run" && socketio_like_name(receiver)) {
        server_call(ServerCall::SocketIORun, args, call, f);
        return Value::none();
      }
      return Value::unknown();
    default:
      return Value::unknown();
  }
}

Value Interp::env_read(const Value& name, const Value* def) {
  if (name.kind == VKind::Str)
    if (const Value* v = env_overlay_.find(name.s)) return *v;
  // A deployment that forgets the variable gets the default.
  Value v = def != nullptr ? *def : Value::none();
  v.from_env = true;
  return v;
}

Value Interp::call_environ_method(std::string_view name, CallArgs& args, const Expr* call, Frame& f) {
  const Arg* a0 = args.pos.empty() ? nullptr : &args.pos[0];
  if (name == "get") {
    const Arg* def = args.param("default", 1);
    return env_read(a0 != nullptr ? a0->value : Value::unknown(), def != nullptr ? &def->value : nullptr);
  }
  if (name == "setdefault" && a0 != nullptr && a0->value.kind == VKind::Str) {
    Value v = args.pos.size() > 1 ? args.pos[1].value : Value::unknown();
    if (const Value* cur = env_overlay_.find(a0->value.s)) return *cur;
    env_write(a0->value.s, v, a0->loc, f, true);
    return v;
  }
  if (name == "update") {
    if (a0 != nullptr) env_from_mapping(a0->value, a0->loc, f);
    for (const Arg& kw : args.kws) env_write(kw.name, kw.value, kw.loc, f, true);
    return Value::none();
  }
  if (name == "copy") {
    auto d = std::make_shared<DictObj>();
    d->environ_copy = true;
    for (const auto& [n, v] : env_overlay_.items()) d->set(Value::str(n), v, 0, 0);
    return new_object(VKind::Dict, d);
  }
  (void)call;
  return Value::unknown();
}

void Interp::env_write(const std::string& name, const Value& v, Loc loc, Frame& f, bool overlay) {
  std::string text;
  bool known = !v.fstring && to_text(v, &text);
  if (overlay && known) env_overlay_.set(name, Value::str(text, v.literal));
  if (f.foreign) return;
  facts_.envs.push_back({name, text, known, loc, EnvSource::Python, f.ctx.maybe || f.branch_depth > 0});
}

void Interp::env_from_mapping(const Value& d, Loc fallback, Frame& f) {
  if (d.kind != VKind::Dict || !d.obj) return;
  for (const DictEntry& e : static_cast<const DictObj&>(*d.obj).entries) {
    if (e.key.kind != VKind::Str || e.line == 0) continue;  // entries copied from os.environ
    Loc loc = e.line != 0 ? Loc{e.line, e.col} : fallback;
    env_write(e.key.s, e.value, loc, f, false);
  }
}

}  // namespace bastion::check::detail
