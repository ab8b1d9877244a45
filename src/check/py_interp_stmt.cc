// SPDX-License-Identifier: MIT
// Statements for the abstract interpreter: assignment, imports resolved inside the tree,
// decidable and undecidable `if`, loops run once, functions and classes.
#include <memory>
#include <unordered_map>

#include "check/py_analyzer.h"
#include "check/py_interp.h"
#include "check/py_parser.h"

namespace bastion::check {
namespace detail {
namespace {

bool is_main_guard(const Expr* test) {
  if (test == nullptr || test->kind != ExprKind::Compare || test->op != '=') return false;
  const Expr* a = test->a;
  const Expr* b = test->b;
  auto is_name = [](const Expr* e) { return e->kind == ExprKind::Name && e->text == "__name__"; };
  auto is_main = [](const Expr* e) { return e->kind == ExprKind::Str && e->text == "__main__"; };
  return (is_name(a) && is_main(b)) || (is_main(a) && is_name(b));
}

}  // namespace

void Interp::run() {
  Frame f;
  f.locals = &m_.globals;
  f.globals = &m_.globals;
  f.module = &m_;
  f.ctx.module_level = true;
  exec_block(m_.ast->body, f);
  run_uncalled();
}

void Interp::run_uncalled() {
  // Functions nobody called (view functions, factories used by other files, CLI commands)
  // run once with their defaults. The list grows as nested defs are met.
  for (size_t k = 0; k < functions_.size() && budget_ > 0; ++k) {
    FunctionObj* fn = functions_[k];
    if (fn->calls > 0) continue;
    Frame caller;
    caller.locals = &m_.globals;
    caller.globals = &m_.globals;
    caller.module = &m_;
    CallArgs none;
    call_function(*fn, none, caller);
  }
}

void Interp::exec_block(const NodeList<Stmt>& body, Frame& f) {
  for (const Stmt* s : body) {
    if (f.returned || budget_ <= 0) return;
    --budget_;
    exec(s, f);
  }
}

void Interp::exec(const Stmt* s, Frame& f) {
  switch (s->kind) {
    case StmtKind::Expr:
    case StmtKind::Other:
      if (s->value != nullptr && s->value->kind != ExprKind::Str) eval(s->value, f);  // docstrings: nothing to do
      break;
    case StmtKind::Assign: {
      Value v = eval(s->value, f);
      for (const Expr* t : s->targets) assign(t, v, f);
      break;
    }
    case StmtKind::AugAssign:
      eval(s->value, f);
      if (!s->targets.empty() && s->targets[0]->kind == ExprKind::Name) bind(s->targets[0]->text, Value::unknown(), f);
      break;
    case StmtKind::AnnAssign:
      if (s->value != nullptr && !s->targets.empty()) assign(s->targets[0], eval(s->value, f), f);
      break;
    case StmtKind::Import:
      exec_import(s, f);
      break;
    case StmtKind::ImportFrom:
      exec_import_from(s, f);
      break;
    case StmtKind::If:
      exec_if(s, f);
      break;
    case StmtKind::While:
      if (truth(eval(s->value, f)) == Truth::False) {
        exec_block(s->orelse, f);
      } else {
        exec_branches(&s->body, nullptr, f);
        exec_branches(&s->orelse, nullptr, f);
      }
      break;
    case StmtKind::For:
      eval(s->value, f);
      if (!s->targets.empty()) assign(s->targets[0], Value::unknown(), f);
      exec_branches(&s->body, nullptr, f);
      exec_block(s->orelse, f);
      break;
    case StmtKind::With:
      for (const Expr* e : s->exprs) eval(e, f);
      for (const Expr* t : s->targets) assign(t, Value::unknown(), f);
      exec_block(s->body, f);
      break;
    case StmtKind::Try:
      exec_block(s->body, f);
      for (const Stmt* h : s->handlers) exec_branches(&h->body, nullptr, f);
      exec_block(s->orelse, f);
      exec_block(s->finalbody, f);
      break;
    case StmtKind::FunctionDef:
      exec_def(s, f);
      break;
    case StmtKind::ClassDef:
      exec_class(s, f);
      break;
    case StmtKind::Return: {
      Value v = s->value != nullptr ? eval(s->value, f) : Value::none();
      f.ret = f.has_ret ? join(f.ret, v) : v;
      f.has_ret = true;
      if (f.branch_depth == 0) f.returned = true;
      break;
    }
    case StmtKind::Global:
      for (uint32_t k = 0; k < s->n_aliases; ++k) f.global_names.push_back(s->aliases[k].name);
      break;
    case StmtKind::Match:
      eval(s->value, f);
      for (const Stmt* c : s->handlers) exec_branches(&c->body, nullptr, f);
      break;
    case StmtKind::Block:
      exec_branches(&s->body, nullptr, f);
      break;
  }
}

void Interp::exec_if(const Stmt* s, Frame& f) {
  if (is_main_guard(s->value)) {
    bool saved = f.ctx.in_main;
    f.ctx.in_main = true;
    exec_block(s->body, f);
    f.ctx.in_main = saved;
    exec_block(s->orelse, f);
    return;
  }
  Truth t = truth(eval(s->value, f));
  if (t == Truth::True) exec_block(s->body, f);
  else if (t == Truth::False) exec_block(s->orelse, f);
  else exec_branches(&s->body, &s->orelse, f);
}

// Runs two alternative blocks (either may be absent) as "maybe" code, then gives every
// variable they assigned the value both paths agree on (or Unknown).
void Interp::exec_branches(const NodeList<Stmt>* a, const NodeList<Stmt>* b, Frame& f) {
  Env* env = f.locals;
  size_t mark = env->mark();
  bool saved_maybe = f.ctx.maybe;
  f.ctx.maybe = true;
  ++f.branch_depth;
  if (a != nullptr) exec_block(*a, f);
  auto wa = env->rollback(mark);
  if (b != nullptr) exec_block(*b, f);
  auto wb = env->rollback(mark);
  env->unmark();
  --f.branch_depth;
  f.ctx.maybe = saved_maybe;
  auto current = [&](const std::string& name) {
    const Value* v = env->find(name);
    return v != nullptr ? *v : Value::unknown();
  };
  std::unordered_map<std::string, const Value*> from_b;
  for (auto& [name, vb] : wb) from_b.emplace(name, &vb);
  for (auto& [name, va] : wa) {
    auto it = from_b.find(name);
    Value vb = it != from_b.end() ? *it->second : current(name);
    if (it != from_b.end()) from_b.erase(it);
    env->set(name, join(va, vb));
  }
  for (auto& [name, vb] : wb)
    if (from_b.count(name) != 0) env->set(name, join(current(name), vb));
}

void Interp::bind(std::string_view name, Value v, Frame& f) {
  for (std::string_view g : f.global_names)
    if (g == name) {
      f.globals->set(name, std::move(v));
      return;
    }
  f.locals->set(name, std::move(v));
}

void Interp::assign(const Expr* target, const Value& v, Frame& f) {
  Loc loc{target->line, target->col};
  switch (target->kind) {
    case ExprKind::Name: {
      std::string_view name = target->text;
      bool constant = !f.class_name.empty() || (f.ctx.module_level && f.locals == f.globals);
      if (!f.foreign && constant && (name == "SECRET_KEY" || name == "DEBUG")) {
        facts_.configs.push_back({std::string(name), v.shallow(), loc,
                                  f.class_name.empty() ? ConfigVia::ModuleConst : ConfigVia::ClassAttr, f.ctx,
                                  std::string(f.class_name)});
      }
      if (constant && name == "SECRET_KEY") {
        Value marked = v;
        marked.secret_origin = true;
        bind(name, marked, f);
        break;
      }
      bind(name, v, f);
      break;
    }
    case ExprKind::Attribute: {
      Value recv = eval_receiver(target->a, f);
      std::string_view attr = target->text;
      if (recv.kind == VKind::App && recv.obj) {
        auto& app = static_cast<AppObj&>(*recv.obj);
        if (attr == "debug") config_write(app, "DEBUG", v, loc, ConfigVia::DebugAttr, {}, f);
        else if (attr == "secret_key") config_write(app, "SECRET_KEY", v, loc, ConfigVia::SecretKeyAttr, {}, f);
        else if (attr == "testing") app.config.set("TESTING", v);
        else if (attr == "env") app.config.set("ENV", v);
      } else if (recv.kind == VKind::Instance && recv.obj) {
        static_cast<InstanceObj&>(*recv.obj).attrs.set(attr, v);
      } else if (recv.kind == VKind::Class && recv.obj) {
        static_cast<ClassObj&>(*recv.obj).attrs.set(attr, v);
      }
      break;
    }
    case ExprKind::Subscript: {
      Value recv = eval_receiver(target->a, f);
      Value key = eval(target->b, f);
      if (recv.kind == VKind::AppConfig && recv.obj && key.kind == VKind::Str) {
        config_write(static_cast<AppObj&>(*recv.obj), key.s, v, loc, ConfigVia::Subscript, {}, f);
      } else if (recv.kind == VKind::Environ && key.kind == VKind::Str) {
        env_write(key.s, v, loc, f, true);
      } else if (recv.kind == VKind::Dict && recv.obj) {
        auto& d = static_cast<DictObj&>(*recv.obj);
        d.set(key, v, loc.line, loc.col);
        if (d.environ_copy && key.kind == VKind::Str) env_write(key.s, v, loc, f, false);
      }
      break;
    }
    case ExprKind::Tuple:
    case ExprKind::List: {
      const SeqObj* seq = nullptr;
      if ((v.kind == VKind::Tuple || v.kind == VKind::List) && v.obj) seq = static_cast<const SeqObj*>(v.obj.get());
      bool match = seq != nullptr && seq->items.size() == target->list.size;
      for (uint32_t k = 0; k < target->list.size; ++k)
        assign(target->list[k], match ? seq->items[k] : Value::unknown(), f);
      break;
    }
    case ExprKind::StarArg:
      if (target->a != nullptr) assign(target->a, Value::unknown(), f);
      break;
    default:
      break;
  }
}

Value Interp::import_value(std::string_view dotted, int level, Frame& f) {
  ModuleSummary* found = nullptr;
  const std::string& from = f.module != nullptr ? f.module->path : m_.path;
  if (!f.foreign && !dotted.empty() && project_.module_file(from, dotted, level) == m_.path) {
    auto self = std::make_shared<ModuleObj>();  // the module naming itself: its globals so far
    self->name = std::string(dotted);
    self->summary = &m_;
    return new_object(VKind::Module, self);
  }
  Project::Lookup r = project_.import_module(from, dotted, level, &found);
  if (r == Project::Lookup::Found) {
    auto mo = std::make_shared<ModuleObj>();
    mo->name = std::string(dotted);
    mo->summary = found;
    return new_object(VKind::Module, mo);
  }
  if (r == Project::Lookup::NotInTree && level == 0) return symbol_value(std::string(dotted));
  return Value::unknown();
}

Value Interp::module_attr(const Value& module, std::string_view attr, Frame& f) {
  auto& mo = static_cast<ModuleObj&>(*module.obj);
  ModuleSummary* ms = mo.summary;
  if (ms == nullptr) return Value::unknown();
  if (!ms->released) {
    if (const Value* v = ms->globals.find(attr)) {
      if (v->kind == VKind::App && v->obj) {  // importers get their own copy of the app state
        auto copy = std::make_shared<AppObj>(static_cast<const AppObj&>(*v->obj));
        return new_object(VKind::App, copy);
      }
      return *v;
    }
  }
  // A submodule of a package: pkg/__init__.py -> pkg/attr.py.
  const std::string& p = ms->path;
  if (p.size() > 12 && p.compare(p.size() - 12, 12, "/__init__.py") == 0) {
    std::string dir = dir_of(p);
    std::string file = dir + "/" + std::string(attr) + ".py";
    if (!project_.file_exists(file)) file = dir + "/" + std::string(attr) + "/__init__.py";
    if (project_.file_exists(file)) {
      if (ModuleSummary* sub = project_.module_at(file)) {
        sub->imported = true;
        auto child = std::make_shared<ModuleObj>();
        child->name = mo.name + "." + std::string(attr);
        child->summary = sub;
        return new_object(VKind::Module, child);
      }
    }
  }
  (void)f;
  return Value::unknown();
}

void Interp::exec_import(const Stmt* s, Frame& f) {
  for (uint32_t k = 0; k < s->n_aliases; ++k) {
    const Alias& a = s->aliases[k];
    std::string_view dotted = a.name;
    if (dotted == "flask" || dotted.rfind("flask.", 0) == 0) facts_.imports_flask = true;
    if (dotted == "django" || dotted.rfind("django.", 0) == 0) facts_.django_settings = true;
    if (dotted.rfind("flask_script", 0) == 0) m_.flask_script = true;
    if (!a.asname.empty()) {
      bind(a.asname, import_value(dotted, 0, f), f);
    } else {
      std::string_view first = dotted.substr(0, dotted.find('.'));
      bind(first, import_value(first, 0, f), f);
    }
  }
}

void Interp::exec_import_from(const Stmt* s, Frame& f) {
  std::string_view name = s->name;
  if (name == "flask" || name.rfind("flask", 0) == 0) facts_.imports_flask = true;
  if (name == "django" || name.rfind("django.", 0) == 0) facts_.django_settings = true;
  if (name.rfind("flask_script", 0) == 0) m_.flask_script = true;
  Value mod = !name.empty() ? import_value(name, s->level, f)
              : s->level > 0 ? import_value("", s->level, f)  // from . import x: the package first
                             : Value::unknown();
  for (uint32_t k = 0; k < s->n_aliases; ++k) {
    const Alias& a = s->aliases[k];
    std::string_view local = a.asname.empty() ? a.name : a.asname;
    if (a.name == "*") {
      if (mod.kind == VKind::Module && mod.obj) {
        ModuleSummary* ms = static_cast<ModuleObj&>(*mod.obj).summary;
        if (ms != nullptr && !ms->released) {
          std::vector<std::pair<std::string, Value>> names(ms->globals.vars().begin(), ms->globals.vars().end());
          for (auto& [n, v] : names)
            if (!n.empty() && n[0] != '_') bind(n, v, f);
        }
      }
      continue;
    }
    Value v;
    if (mod.kind == VKind::Module) {
      v = module_attr(mod, a.name, f);
    } else if (mod.kind == VKind::Symbol) {
      v = symbol_value(mod.s + "." + std::string(a.name));
    }
    if (!v.known() && name.empty() && s->level > 0) v = import_value(a.name, s->level, f);  // a sibling module
    bind(local, v, f);
  }
}

void Interp::exec_def(const Stmt* s, Frame& f) {
  auto fn = std::make_shared<FunctionObj>();
  fn->def = s;
  fn->globals = f.globals;
  fn->module = f.module;
  for (uint32_t k = 0; k < s->n_params; ++k)
    fn->defaults.push_back(s->params[k].default_value != nullptr ? eval(s->params[k].default_value, f) : Value::unknown());
  // click/typer style options give a parameter its default: @click.option("--debug", is_flag=True).
  for (const Expr* d : s->exprs) {
    eval(d, f);
    if (d->kind != ExprKind::Call || d->a == nullptr || d->a->kind != ExprKind::Attribute) continue;
    if (d->a->text != "option") continue;
    std::string dest;
    Value def = Value::none();
    bool flag = false;
    for (const Expr* arg : d->list) {
      if (arg->kind == ExprKind::Str && dest.empty() && arg->text.rfind("--", 0) == 0) {
        std::string_view opt = arg->text.substr(2);
        opt = opt.substr(0, opt.find('/'));
        for (char c : opt) dest += c == '-' ? '_' : c;
      } else if (arg->kind == ExprKind::Keyword && arg->text == "default") {
        def = eval(arg->a, f);
      } else if (arg->kind == ExprKind::Keyword && arg->text == "is_flag") {
        flag = truth(eval(arg->a, f)) == Truth::True;
      }
    }
    if (flag && def.kind == VKind::None) def = Value::boolean(false);
    for (uint32_t k = 0; k < s->n_params; ++k)
      if (s->params[k].name == dest) fn->defaults[k] = def;
  }
  Value v = new_object(VKind::Function, fn);
  if (!f.foreign) {
    functions_.push_back(fn.get());
    m_.owned.push_back(fn);
  }
  bind(s->name, v, f);
}

void Interp::exec_class(const Stmt* s, Frame& f) {
  auto cls = std::make_shared<ClassObj>();
  cls->name = std::string(s->name);
  for (const Expr* b : s->exprs) {
    if (b->kind == ExprKind::Keyword) continue;
    Value v = eval(b, f);
    if (v.kind == VKind::Symbol) {
      std::string_view q = v.s;
      std::string_view last = q.substr(q.rfind('.') == std::string_view::npos ? 0 : q.rfind('.') + 1);
      if (last == "Flask" || last == "APIFlask") cls->flask_subclass = true;
    } else if (v.kind == VKind::Class && v.obj && static_cast<ClassObj&>(*v.obj).flask_subclass) {
      cls->flask_subclass = true;
    }
    cls->bases.push_back(std::move(v));
  }
  for (const Expr* d : s->targets) eval(d, f);
  Env body_env;
  Frame cf;
  cf.locals = &body_env;
  cf.globals = f.globals;
  cf.parent = &f;
  cf.module = f.module;
  cf.class_name = s->name;
  cf.ctx = f.ctx;
  cf.ctx.module_level = false;
  cf.foreign = f.foreign;
  exec_block(s->body, cf);
  for (const auto& [name, v] : body_env.vars()) cls->attrs.set(name, v);
  bind(s->name, new_object(VKind::Class, cls), f);
}

Value Interp::call_function(FunctionObj& fn, CallArgs& args, Frame& caller) {
  if (call_depth_ >= 6 || budget_ <= 0 || fn.def == nullptr || fn.globals == nullptr) return Value::unknown();
  const Stmt* def = fn.def;
  Env local;
  Frame f;
  f.locals = &local;
  f.globals = fn.globals;
  f.module = const_cast<ModuleSummary*>(fn.module);
  f.foreign = caller.foreign || fn.module != &m_;
  f.ctx.from_main = caller.ctx.in_main || caller.ctx.from_main;
  f.ctx.maybe = caller.ctx.maybe;
  size_t next_pos = 0;
  bool keyword_only = false;
  for (uint32_t k = 0; k < def->n_params; ++k) {
    const Param& p = def->params[k];
    if (p.kind == '*') {
      keyword_only = true;
      auto rest = std::make_shared<SeqObj>();
      for (; next_pos < args.pos.size(); ++next_pos) rest->items.push_back(args.pos[next_pos].value);
      local.set(p.name, new_object(VKind::Tuple, rest));
      continue;
    }
    if (p.kind == 'd') {
      local.set(p.name, args.unknown_dstar ? Value::unknown() : new_object(VKind::Dict, std::make_shared<DictObj>()));
      continue;
    }
    Value v;
    if (!keyword_only && next_pos < args.pos.size()) {
      v = args.pos[next_pos++].value;
    } else if (const Arg* a = args.kw(p.name)) {
      v = a->value;
    } else if (!args.unknown_star && !args.unknown_dstar && k < fn.defaults.size()) {
      v = fn.defaults[k];
    }
    local.set(p.name, v);
  }
  ++fn.calls;
  ++call_depth_;
  exec_block(def->body, f);
  --call_depth_;
  return f.has_ret ? f.ret : Value::none();
}

}  // namespace detail

namespace {

void collect_spans(const NodeList<Stmt>& body, std::vector<LineSpan>& out, int depth) {
  if (depth > 100) return;
  for (const Stmt* s : body) {
    switch (s->kind) {
      case StmtKind::Expr:
      case StmtKind::Assign:
      case StmtKind::AugAssign:
      case StmtKind::AnnAssign:
      case StmtKind::Return:
      case StmtKind::Other:
        if (s->end_line > s->line) out.push_back({s->line, s->end_line});
        break;
      default:
        collect_spans(s->body, out, depth + 1);
        collect_spans(s->orelse, out, depth + 1);
        collect_spans(s->finalbody, out, depth + 1);
        for (const Stmt* h : s->handlers) collect_spans(h->body, out, depth + 1);
        break;
    }
  }
}

}  // namespace

void analyze_python(ModuleSummary& m, std::string source, Project& project) {
  m.ast = parse_python(std::move(source));
  m.first_error_line = m.ast->first_error_line;
  for (const PyComment& c : m.ast->comments) {
    std::string_view t = c.text;
    if (t.find("nosec") != std::string_view::npos || t.find("bastion") != std::string_view::npos)
      m.comments.push_back({c.line, std::string(t)});
  }
  if (!m.comments.empty()) collect_spans(m.ast->body, m.spans, 0);
  detail::Interp interp(m, project);
  interp.run();
  // Django settings are out of scope for the Flask rules (their SECRET_KEY in particular).
  static constexpr std::string_view kDjango[] = {"INSTALLED_APPS", "ROOT_URLCONF", "WSGI_APPLICATION",
                                                 "DJANGO_SETTINGS_MODULE", "AUTH_PASSWORD_VALIDATORS"};
  for (std::string_view name : kDjango)
    if (m.globals.find(name) != nullptr) m.facts.django_settings = true;
}

}  // namespace bastion::check
