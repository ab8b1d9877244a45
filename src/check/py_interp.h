// SPDX-License-Identifier: MIT
// Private to py_interp*.cc: the abstract interpreter behind analyze_python(). It walks
// statements in order with a per-scope Env, decides `if` tests when it can (and runs both
// arms, merging their assignments, when it cannot), and records facts. Every loop is
// bounded by a statement budget and a call-depth limit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/facts.h"
#include "check/project.h"
#include "check/py_ast.h"
#include "check/value.h"

namespace bastion::check::detail {

/// The scope a statement runs in.
struct Frame {
  Env* locals = nullptr;
  Env* globals = nullptr;
  const Frame* parent = nullptr;          // enclosing frame, for class bodies
  ModuleSummary* module = nullptr;        // whose code runs here
  std::vector<std::string_view> global_names;
  std::string_view class_name;            // non-empty in a class body
  Context ctx;
  bool foreign = false;                   // another module's function: no facts, no flags
  bool returned = false;
  int branch_depth = 0;                   // undecided branches entered in this frame
  bool has_ret = false;
  Value ret;
};

struct Arg {
  std::string name;        // empty for a positional argument
  Value value;
  Loc loc;
  const Expr* expr = nullptr;
  bool via_kwargs = false; // came from a **mapping
};

struct CallArgs {
  std::vector<Arg> pos;
  std::vector<Arg> kws;
  bool unknown_star = false;
  bool unknown_dstar = false;
  const Arg* kw(std::string_view name) const {
    for (const Arg& a : kws)
      if (a.name == name) return &a;
    return nullptr;
  }
  /// The argument for a parameter that is positional at `index` (or -1) or named `name`.
  const Arg* param(std::string_view name, int index) const {
    if (index >= 0 && static_cast<size_t>(index) < pos.size()) return &pos[static_cast<size_t>(index)];
    return kw(name);
  }
};

bool app_like_name(std::string_view name);
bool factory_name(std::string_view name);
bool socketio_like_name(std::string_view name);

class Interp {
 public:
  Interp(ModuleSummary& m, Project& project) : m_(m), project_(project), facts_(m.facts) {}
  void run();

  // Statements (py_interp_stmt.cc).
  void exec_block(const NodeList<Stmt>& body, Frame& f);
  void exec(const Stmt* s, Frame& f);
  void exec_if(const Stmt* s, Frame& f);
  void exec_branches(const NodeList<Stmt>* a, const NodeList<Stmt>* b, Frame& f);
  void exec_import(const Stmt* s, Frame& f);
  void exec_import_from(const Stmt* s, Frame& f);
  void exec_def(const Stmt* s, Frame& f);
  void exec_class(const Stmt* s, Frame& f);
  void assign(const Expr* target, const Value& v, Frame& f);
  void bind(std::string_view name, Value v, Frame& f);
  Value call_function(FunctionObj& fn, CallArgs& args, Frame& caller);
  void run_uncalled();
  Value import_value(std::string_view dotted, int level, Frame& f);
  Value module_attr(const Value& module, std::string_view attr, Frame& f);

  // Expressions (py_interp_expr.cc).
  Value eval(const Expr* e, Frame& f);
  Value eval_dict(const Expr* e, Frame& f);
  Value eval_sequence(const Expr* e, Frame& f);
  Value eval_boolop(const Expr* e, Frame& f);
  Value eval_unary(const Expr* e, Frame& f);
  Value eval_joined(const Expr* e, Frame& f);
  Value lookup(std::string_view name, const Frame& f);
  Value eval_receiver(const Expr* e, Frame& f);
  Value attribute(const Value& base, std::string_view attr, Frame& f);
  Value subscript(const Value& base, const Value& key);
  Value compare(char op, const Value& a, const Value& b);
  Value binop(char op, const Value& a, const Value& b);
  Value eval_call(const Expr* call, Frame& f);
  void eval_args(const Expr* call, Frame& f, CallArgs& out);
  Value symbol_value(std::string qualname);
  Value materialize_app(std::string_view name, Frame& f);
  Value new_object(VKind kind, std::shared_ptr<Object> obj, std::string s = {});

  // Calls (py_interp_calls.cc, py_interp_flask.cc).
  Value call_value(const Value& callee, CallArgs& args, const Expr* call, Frame& f);
  Value call_symbol(const std::string& q, CallArgs& args, const Expr* call, Frame& f);
  Value call_unknown_name(std::string_view name, CallArgs& args, const Expr* call, Frame& f);
  Value call_method(const Value& self, std::string_view name, std::string_view receiver,
                    CallArgs& args, const Expr* call, Frame& f);
  Value call_builtin(std::string_view name, CallArgs& args, Frame& f);
  Value call_conversion(std::string_view name, CallArgs& args);
  Value call_str_method(const Value& s, std::string_view name, CallArgs& args);
  Value call_dict_method(const Value& d, std::string_view name, CallArgs& args);
  Value call_argparse(const Value& p, std::string_view name, CallArgs& args);
  Value call_config_method(const Value& app, std::string_view name, CallArgs& args, Frame& f);
  Value call_environ_method(std::string_view name, CallArgs& args, const Expr* call, Frame& f);
  Value instantiate(const Value& cls, CallArgs& args);
  void server_call(ServerCall kind, CallArgs& args, const Expr* call, Frame& f);
  void debugger_call(const Expr* call, Frame& f);
  void config_write(AppObj& app, std::string_view key, const Value& v, Loc loc, ConfigVia via,
                    std::string detail, Frame& f);
  void config_mapping(AppObj& app, CallArgs& args, ConfigVia via, Frame& f);
  void env_write(const std::string& name, const Value& v, Loc loc, Frame& f, bool overlay);
  void env_from_mapping(const Value& d, Loc fallback, Frame& f);
  Value env_read(const Value& name, const Value* def);
  Value load_config_object(const Value& obj, Frame& f, std::string* detail);
  Value effective_attr(const Value& obj, std::string_view attr);
  std::string find_pyfile(const std::string& name, bool instance_relative);
  Value new_app(CallArgs& args);

  ModuleSummary& m_;
  Project& project_;
  FileFacts& facts_;
  AttrMap env_overlay_;       // os.environ writes seen so far in this module
  Value current_app_;
  std::vector<FunctionObj*> functions_;
  long budget_ = 400000;
  int call_depth_ = 0;
};

}  // namespace bastion::check::detail
