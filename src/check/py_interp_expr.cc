// SPDX-License-Identifier: MIT
// Expressions for the abstract interpreter: names, attributes, subscripts, operators,
// literals and displays. Python semantics where the rules depend on them (truthiness,
// ==, in, and/or returning an operand); Unknown everywhere else.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>

#include "check/py_interp.h"

namespace bastion::check::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_builtin(std::string_view name) {
  constexpr std::string_view kNames[] = {
      "bool", "int", "str", "float", "len", "dict", "list", "tuple", "set", "isinstance",
      "getattr", "hasattr", "eval", "print", "open", "repr", "any", "all", "sorted", "min",
      "max", "abs", "range", "enumerate", "zip", "map", "filter", "type", "object", "super",
      "vars", "globals", "frozenset", "bytes", "round", "exec", "iter", "next", "id", "hash"};
  for (std::string_view n : kNames)
    if (n == name) return true;
  return false;
}

Value number_literal(std::string_view text) {
  std::string t;
  for (char c : text)
    if (c != '_') t += c;
  if (t.empty()) return Value::unknown();
  char last = static_cast<char>(t.back() | 0x20);
  if (last == 'j') return Value::unknown();
  if (last == 'l') t.pop_back();
  bool hex = t.size() > 1 && t[0] == '0' && (t[1] | 0x20) == 'x';
  if (!hex && (t.find('.') != std::string::npos || t.find('e') != std::string::npos ||
               t.find('E') != std::string::npos)) {
    Value v = Value::make(VKind::Float);
    v.f = std::strtod(t.c_str(), nullptr);
    v.literal = true;
    return v;
  }
  int base = 10;
  size_t start = 0;
  if (t.size() > 1 && t[0] == '0') {
    char p = static_cast<char>(t[1] | 0x20);
    if (p == 'x') base = 16, start = 2;
    else if (p == 'o') base = 8, start = 2;
    else if (p == 'b') base = 2, start = 2;
    else base = 8, start = 1;  // Python 2 octal 0777
  }
  errno = 0;
  long long n = std::strtoll(t.c_str() + start, nullptr, base);
  if (errno == ERANGE) n = LLONG_MAX;
  Value v = Value::integer(n);
  v.literal = true;
  return v;
}

bool numeric(const Value& v) {
  return v.kind == VKind::Bool || v.kind == VKind::Int || v.kind == VKind::Float;
}
double as_double(const Value& v) { return v.kind == VKind::Float ? v.f : static_cast<double>(v.i); }

Truth contains(const Value& container, const Value& item, const AttrMap& overlay) {
  switch (container.kind) {
    case VKind::Tuple:
    case VKind::List:
    case VKind::Set: {
      if (!container.obj) return Truth::Unknown;
      bool unknown = false;
      for (const Value& e : static_cast<const SeqObj&>(*container.obj).items) {
        Truth t = equals(e, item);
        if (t == Truth::True) return Truth::True;
        if (t == Truth::Unknown) unknown = true;
      }
      return unknown ? Truth::Unknown : Truth::False;
    }
    case VKind::Dict: {
      if (!container.obj) return Truth::Unknown;
      bool unknown = false;
      for (const DictEntry& e : static_cast<const DictObj&>(*container.obj).entries) {
        Truth t = equals(e.key, item);
        if (t == Truth::True) return Truth::True;
        if (t == Truth::Unknown) unknown = true;
      }
      return unknown ? Truth::Unknown : Truth::False;
    }
    case VKind::Str:
      if (item.kind != VKind::Str || item.fstring || container.fstring) return Truth::Unknown;
      return container.s.find(item.s) != std::string::npos ? Truth::True : Truth::False;
    case VKind::Environ:
      if (item.kind != VKind::Str) return Truth::Unknown;
      return overlay.find(item.s) != nullptr ? Truth::True : Truth::False;
    case VKind::Argv:
      return item.kind == VKind::Str ? Truth::False : Truth::Unknown;  // only the script name
    default:
      return Truth::Unknown;
  }
}

}  // namespace

bool app_like_name(std::string_view name) {
  std::string n = lower(name);
  if (n == "app" || n == "application" || n == "flask_app" || n == "webapp" || n == "web_app") return true;
  return n.size() > 4 && n.compare(n.size() - 4, 4, "_app") == 0 && n != "create_app" && n != "make_app";
}

bool socketio_like_name(std::string_view name) {
  std::string n = lower(name);
  return n == "socketio" || n == "socket_io" || n == "sio" || n == "socket";
}

Value Interp::new_object(VKind kind, std::shared_ptr<Object> obj, std::string s) {
  Value v = Value::make(kind);
  v.obj = std::move(obj);
  v.s = std::move(s);
  return v;
}

Value Interp::symbol_value(std::string q) {
  if (q == "os.environ" || q == "posix.environ") return Value::make(VKind::Environ);
  if (q == "sys.argv") return Value::make(VKind::Argv);
  if (q == "flask.current_app") {
    if (!current_app_.obj) current_app_ = new_object(VKind::App, std::make_shared<AppObj>());
    return current_app_;
  }
  return Value::symbol(std::move(q));
}

Value Interp::lookup(std::string_view name, const Frame& f) {
  if (f.locals != nullptr)
    if (const Value* v = f.locals->find(name)) return *v;
  for (const Frame* p = f.parent; p != nullptr; p = p->parent)
    if (p->locals != nullptr && p->locals != f.globals)
      if (const Value* v = p->locals->find(name)) return *v;
  if (f.globals != nullptr && f.globals != f.locals)
    if (const Value* v = f.globals->find(name)) return *v;
  if (name == "__name__") return Value::make(VKind::MainName);
  if (name == "__file__") return Value::str(f.module != nullptr ? f.module->path : std::string());
  if (is_builtin(name)) return Value::symbol("builtins." + std::string(name));
  return Value::unknown();
}

Value Interp::materialize_app(std::string_view name, Frame& f) {
  Value app = new_object(VKind::App, std::make_shared<AppObj>());
  if (f.locals->find(name) == nullptr && f.globals != nullptr && f.globals->find(name) != nullptr) {
    f.globals->set(name, app);
  } else {
    f.locals->set(name, app);
  }
  return app;
}

Value Interp::eval_receiver(const Expr* e, Frame& f) {
  Value v = eval(e, f);
  if (v.kind != VKind::Unknown) return v;
  if (e->kind == ExprKind::Name && app_like_name(e->text)) return materialize_app(e->text, f);
  if (e->kind == ExprKind::Attribute && app_like_name(e->text))
    return new_object(VKind::App, std::make_shared<AppObj>());  // self.app: state not kept
  if (e->kind == ExprKind::Call && e->a != nullptr &&
      (e->a->kind == ExprKind::Name || e->a->kind == ExprKind::Attribute)) {
    std::string n = lower(e->a->text);  // create_app(), make_app(), get_app()
    if (n.size() >= 3 && n.compare(n.size() - 3, 3, "app") == 0) return new_object(VKind::App, std::make_shared<AppObj>());
  }
  return v;
}

Value Interp::attribute(const Value& base, std::string_view attr, Frame& f) {
  auto method = [&](const Value& self) {
    auto mo = std::make_shared<MethodObj>();
    mo->self = self;
    return new_object(VKind::Method, mo, std::string(attr));
  };
  switch (base.kind) {
    case VKind::Symbol:
      return symbol_value(base.s + "." + std::string(attr));
    case VKind::Module:
      return module_attr(base, attr, f);
    case VKind::Class: {
      const Value* v = static_cast<const ClassObj&>(*base.obj).lookup(attr);
      return v != nullptr ? *v : Value::unknown();
    }
    case VKind::Instance: {
      const auto& inst = static_cast<const InstanceObj&>(*base.obj);
      if (const Value* v = inst.attrs.find(attr)) return *v;
      if (inst.cls.kind == VKind::Class && inst.cls.obj)
        if (const Value* v = static_cast<const ClassObj&>(*inst.cls.obj).lookup(attr)) return *v;
      return Value::unknown();
    }
    case VKind::App: {
      auto& app = static_cast<AppObj&>(*base.obj);
      if (attr == "debug") return app.debug;
      if (attr == "config") return new_object(VKind::AppConfig, base.obj);
      if (attr == "secret_key") {
        const Value* v = app.config.find("SECRET_KEY");
        return v != nullptr ? *v : Value::none();
      }
      if (attr == "testing") {
        const Value* v = app.config.find("TESTING");
        return v != nullptr ? *v : Value::boolean(false);
      }
      if (attr == "env") {
        const Value* v = app.config.find("ENV");
        return v != nullptr ? *v : Value::str("production");
      }
      return method(base);
    }
    case VKind::Namespace: {
      const Value* v = static_cast<const ArgParserObj&>(*base.obj).defaults.find(attr);
      return v != nullptr ? *v : Value::unknown();
    }
    case VKind::AppConfig:
    case VKind::Environ:
    case VKind::Str:
    case VKind::Bytes:
    case VKind::Dict:
    case VKind::ArgParser:
    case VKind::Ext:
      return method(base);
    default:
      return Value::unknown();
  }
}

Value Interp::subscript(const Value& base, const Value& key) {
  switch (base.kind) {
    case VKind::Dict: {
      if (!base.obj) return Value::unknown();
      auto& d = static_cast<DictObj&>(*base.obj);
      if (DictEntry* e = d.find(key)) return e->value;
      // An undecidable key into a table of configurations: Flask projects conventionally
      // keep the configuration loaded by default under "default".
      if (!key.known())
        if (DictEntry* e = d.find(std::string_view("default"))) return e->value;
      return Value::unknown();
    }
    case VKind::Tuple:
    case VKind::List: {
      if (!base.obj || key.kind != VKind::Int) return Value::unknown();
      const auto& items = static_cast<const SeqObj&>(*base.obj).items;
      int64_t n = static_cast<int64_t>(items.size());
      int64_t k = key.i < 0 ? key.i + n : key.i;
      return k >= 0 && k < n ? items[static_cast<size_t>(k)] : Value::unknown();
    }
    case VKind::AppConfig: {
      if (!base.obj || key.kind != VKind::Str) return Value::unknown();
      auto& app = static_cast<AppObj&>(*base.obj);
      if (key.s == "DEBUG") return app.debug;
      const Value* v = app.config.find(key.s);
      if (v != nullptr) return *v;
      // Flask's defaults (ENV was "production" until Flask 2.3 removed it).
      if (key.s == "ENV") return Value::str("production");
      if (key.s == "TESTING") return Value::boolean(false);
      return key.s == "SECRET_KEY" ? Value::none() : Value::unknown();
    }
    case VKind::Environ:
      if (key.kind == VKind::Str)
        if (const Value* v = env_overlay_.find(key.s)) return *v;
      return Value::unknown();  // a required variable: its value is not known statically
    case VKind::Argv:
      if (key.kind == VKind::Int && key.i == 0) return Value::str("script.py");
      return Value::unknown();
    default:
      return Value::unknown();
  }
}

Value Interp::compare(char op, const Value& a, const Value& b) {
  auto result = [](Truth t, bool negate) {
    if (t == Truth::Unknown) return Value::unknown();
    return Value::boolean((t == Truth::True) != negate);
  };
  switch (op) {
    case '=': return result(equals(a, b), false);
    case '!': return result(equals(a, b), true);
    case 'i': return result(contains(b, a, env_overlay_), false);
    case 'n': return result(contains(b, a, env_overlay_), true);
    case 's':
    case 'S': {
      bool a_single = a.kind == VKind::None || a.kind == VKind::Bool;
      bool b_single = b.kind == VKind::None || b.kind == VKind::Bool;
      Truth t = Truth::Unknown;
      if (a_single && b_single) t = (a.kind == b.kind && a.i == b.i) ? Truth::True : Truth::False;
      else if ((a_single && b.known() && b.kind != VKind::MainName) || (b_single && a.known() && a.kind != VKind::MainName))
        t = Truth::False;
      return result(t, op == 'S');
    }
    default:
      break;
  }
  int c = 0;
  if (numeric(a) && numeric(b)) {
    double x = as_double(a), y = as_double(b);
    c = x < y ? -1 : x > y ? 1 : 0;
  } else if (a.kind == VKind::Str && b.kind == VKind::Str && !a.fstring && !b.fstring) {
    c = a.s.compare(b.s);
  } else {
    return Value::unknown();
  }
  switch (op) {
    case '<': return Value::boolean(c < 0);
    case '>': return Value::boolean(c > 0);
    case 'l': return Value::boolean(c <= 0);
    case 'g': return Value::boolean(c >= 0);
    default: return Value::unknown();
  }
}

Value Interp::binop(char op, const Value& a, const Value& b) {
  if (op == '+' && (a.kind == VKind::Str || a.kind == VKind::Bytes) && a.kind == b.kind) {
    if (a.s.size() + b.s.size() > (1u << 20)) return Value::unknown();
    Value v = Value::str(a.s + b.s, a.literal && b.literal);
    v.kind = a.kind;
    v.fstring = a.fstring || b.fstring;
    return v;
  }
  if ((a.kind == VKind::Int || a.kind == VKind::Bool) && (b.kind == VKind::Int || b.kind == VKind::Bool)) {
    long long r = 0;
    switch (op) {
      case '+': if (__builtin_add_overflow(a.i, b.i, &r)) return Value::unknown(); break;
      case '-': if (__builtin_sub_overflow(a.i, b.i, &r)) return Value::unknown(); break;
      case '*': if (__builtin_mul_overflow(a.i, b.i, &r)) return Value::unknown(); break;
      case '|': r = a.i | b.i; break;
      case '&': r = a.i & b.i; break;
      case '^': r = a.i ^ b.i; break;
      default: return Value::unknown();
    }
    if ((op == '|' || op == '&' || op == '^') && a.kind == VKind::Bool && b.kind == VKind::Bool) return Value::boolean(r != 0);
    return Value::integer(r);
  }
  return Value::unknown();
}

void Interp::eval_args(const Expr* call, Frame& f, CallArgs& out) {
  for (const Expr* a : call->list) {
    Loc loc{a->line, a->col};
    switch (a->kind) {
      case ExprKind::Keyword:
        out.kws.push_back({std::string(a->text), eval(a->a, f), loc, a->a, false});
        break;
      case ExprKind::StarArg: {
        Value v = eval(a->a, f);
        if ((v.kind == VKind::Tuple || v.kind == VKind::List) && v.obj) {
          for (const Value& item : static_cast<const SeqObj&>(*v.obj).items) out.pos.push_back({{}, item, loc, a, false});
        } else {
          out.unknown_star = true;
        }
        break;
      }
      case ExprKind::DStarArg: {
        Value v = eval(a->a, f);
        if (v.kind == VKind::Dict && v.obj) {
          for (const DictEntry& e : static_cast<const DictObj&>(*v.obj).entries)
            if (e.key.kind == VKind::Str) out.kws.push_back({e.key.s, e.value, loc, a, true});
        } else {
          out.unknown_dstar = true;
        }
        break;
      }
      default:
        out.pos.push_back({{}, eval(a, f), loc, a, false});
        break;
    }
  }
}

Value Interp::eval_call(const Expr* call, Frame& f) {
  const Expr* callee = call->a;
  if (callee == nullptr) return Value::unknown();
  if (callee->kind == ExprKind::Attribute) {
    Value recv = eval_receiver(callee->a, f);
    std::string_view name = callee->text;
    switch (recv.kind) {
      case VKind::Symbol:
      case VKind::Module:
      case VKind::Class:
      case VKind::Instance:
      case VKind::Namespace: {
        Value fn = attribute(recv, name, f);
        CallArgs args;
        eval_args(call, f, args);
        if (fn.kind == VKind::Unknown) return Value::unknown();
        return call_value(fn, args, call, f);
      }
      default: {
        CallArgs args;
        eval_args(call, f, args);
        std::string_view receiver = callee->a->kind == ExprKind::Name || callee->a->kind == ExprKind::Attribute
                                        ? callee->a->text
                                        : std::string_view();
        return call_method(recv, name, receiver, args, call, f);
      }
    }
  }
  Value fn = eval(callee, f);
  CallArgs args;
  eval_args(call, f, args);
  if (fn.kind == VKind::Unknown && callee->kind == ExprKind::Name) return call_unknown_name(callee->text, args, call, f);
  return call_value(fn, args, call, f);
}

Value Interp::eval_dict(const Expr* e, Frame& f) {
  auto d = std::make_shared<DictObj>();
  for (uint32_t k = 0; k < e->list.size; k += 2) {
    const Expr* key = e->list[k];
    const Expr* val = k + 1 < e->list.size ? e->list[k + 1] : nullptr;
    if (key == nullptr) {  // **mapping
      Value m = val != nullptr ? eval(val->a, f) : Value::unknown();
      if (m.kind == VKind::Dict && m.obj) {
        for (const DictEntry& de : static_cast<const DictObj&>(*m.obj).entries) d->set(de.key, de.value, de.line, de.col);
        if (static_cast<const DictObj&>(*m.obj).environ_copy) d->environ_copy = true;
      } else if (m.kind == VKind::Environ) {
        d->environ_copy = true;
        for (const auto& [n, v] : env_overlay_.items()) d->set(Value::str(n), v, 0, 0);
      }
      continue;
    }
    Value kv = eval(key, f);
    d->set(kv, eval(val, f), key->line, key->col);
  }
  return new_object(VKind::Dict, d);
}

Value Interp::eval_sequence(const Expr* e, Frame& f) {
  auto seq = std::make_shared<SeqObj>();
  bool unknown = false;
  for (const Expr* item : e->list) {
    if (item->kind == ExprKind::StarArg) {
      Value sv = eval(item->a, f);
      if ((sv.kind == VKind::Tuple || sv.kind == VKind::List) && sv.obj)
        for (const Value& x : static_cast<const SeqObj&>(*sv.obj).items) seq->items.push_back(x);
      else
        unknown = true;
      continue;
    }
    seq->items.push_back(eval(item, f));
  }
  if (unknown) return Value::unknown();
  VKind k = e->kind == ExprKind::List ? VKind::List : e->kind == ExprKind::Tuple ? VKind::Tuple : VKind::Set;
  return new_object(k, seq);
}

Value Interp::eval_boolop(const Expr* e, Frame& f) {
  // Every operand is evaluated (for its facts); the result follows Python's and/or.
  std::vector<Value> vals;
  for (const Expr* item : e->list) vals.push_back(eval(item, f));
  bool is_or = e->op == 'o';
  for (const Value& v : vals) {
    Truth t = truth(v);
    if (t == Truth::Unknown) return Value::unknown();
    if ((t == Truth::True) == is_or) return v;
  }
  return vals.empty() ? Value::unknown() : vals.back();
}

Value Interp::eval_unary(const Expr* e, Frame& f) {
  Value v = eval(e->a, f);
  if (e->op == '+' && numeric(v)) return v;
  if (e->op == '-' && (v.kind == VKind::Int || v.kind == VKind::Bool) && v.i != LLONG_MIN) return Value::integer(-v.i);
  if (e->op == '-' && v.kind == VKind::Float) {
    v.f = -v.f;
    return v;
  }
  if (e->op == '~' && (v.kind == VKind::Int || v.kind == VKind::Bool)) return Value::integer(~v.i);
  return Value::unknown();
}

Value Interp::eval_joined(const Expr* e, Frame& f) {
  std::string out;
  bool known = true;
  bool literal = true;
  for (const Expr* part : e->list) {
    if (part->kind == ExprKind::Str) {
      out.append(part->text);
      continue;
    }
    Value v = eval(part, f);
    std::string piece;
    if (v.kind == VKind::Str && !v.fstring) piece = v.s;
    else if (v.kind == VKind::Str || !to_text(v, &piece)) known = false;
    literal = literal && v.literal;
    if (known) out += piece;
    if (out.size() > (1u << 20)) return Value::unknown();
  }
  // Unknown fields leave a non-empty string of unknown content (still truthy).
  Value v = Value::str(known ? out : out + "{?}", known && literal);
  v.fstring = !known;
  if (e->flags & kStrBytes) v.kind = VKind::Bytes;
  return v;
}

Value Interp::eval(const Expr* e, Frame& f) {
  if (e == nullptr || --budget_ < 0) return Value::unknown();
  switch (e->kind) {
    case ExprKind::Name:
      return lookup(e->text, f);
    case ExprKind::Attribute: {
      Value base = eval_receiver(e->a, f);
      return attribute(base, e->text, f);
    }
    case ExprKind::Call:
      return eval_call(e, f);
    case ExprKind::Keyword:
    case ExprKind::StarArg:
    case ExprKind::DStarArg:
      eval(e->a, f);
      return Value::unknown();
    case ExprKind::Str: {
      Value v = Value::str(std::string(e->text), true);
      if (e->flags & kStrBytes) v.kind = VKind::Bytes;
      return v;
    }
    case ExprKind::JoinedStr:
      return eval_joined(e, f);
    case ExprKind::Num:
      return number_literal(e->text);
    case ExprKind::True:
    case ExprKind::False: {
      Value v = Value::boolean(e->kind == ExprKind::True);
      v.literal = true;
      return v;
    }
    case ExprKind::None:
      return Value::none();
    case ExprKind::Subscript: {
      Value base = eval_receiver(e->a, f);
      Value key = eval(e->b, f);
      return subscript(base, key);
    }
    case ExprKind::Dict:
      return eval_dict(e, f);
    case ExprKind::List:
    case ExprKind::Tuple:
    case ExprKind::Set:
      return eval_sequence(e, f);
    case ExprKind::BoolOp:
      return eval_boolop(e, f);
    case ExprKind::Not: {
      Truth t = truth(eval(e->a, f));
      return t == Truth::Unknown ? Value::unknown() : Value::boolean(t == Truth::False);
    }
    case ExprKind::Unary:
      return eval_unary(e, f);
    case ExprKind::BinOp:
      return binop(e->op, eval(e->a, f), eval(e->b, f));
    case ExprKind::Compare:
      return compare(e->op, eval(e->a, f), eval(e->b, f));
    case ExprKind::IfExp: {
      Truth t = truth(eval(e->b, f));
      if (t == Truth::True) return eval(e->a, f);
      if (t == Truth::False) return eval(e->c, f);
      Value x = eval(e->a, f);
      Value y = eval(e->c, f);
      return join(x, y);
    }
    case ExprKind::Named: {
      Value v = eval(e->a, f);
      bind(e->text, v, f);
      return v;
    }
    case ExprKind::Ellipsis:
    case ExprKind::Unknown:
      return Value::unknown();
  }
  return Value::unknown();
}

}  // namespace bastion::check::detail
