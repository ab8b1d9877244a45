// SPDX-License-Identifier: MIT
// Abstract values for the static evaluator: constants, containers, and the few objects
// whose behaviour the rules depend on (a Flask app and its config, os.environ, classes,
// functions, modules). Anything else is Unknown. Only the STL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bastion::check {

struct Stmt;
struct ModuleSummary;
class Env;

enum class VKind : uint8_t {
  Unknown,
  None,
  Bool,       // i is 0 or 1
  Int,        // i
  Float,      // f
  Str,        // s
  Bytes,      // s
  Tuple,      // obj: SeqObj (after shallow(): i = size, obj null)
  List,
  Set,
  Dict,       // obj: DictObj
  Symbol,     // s = qualified name of something outside the scanned tree ("os.getenv")
  Ext,        // s = qualified class name of an instance of an outside class ("flask_socketio.SocketIO")
  Module,     // obj: ModuleObj (a module inside the scanned tree)
  Class,      // obj: ClassObj
  Instance,   // obj: InstanceObj
  Function,   // obj: FunctionObj
  App,        // obj: AppObj (a Flask application)
  AppConfig,  // obj: AppObj (its .config)
  Environ,    // os.environ
  Argv,       // sys.argv
  ArgParser,  // obj: ArgParserObj (argparse.ArgumentParser, or an argument group)
  Namespace,  // obj: ArgParserObj (what parse_args() returns: the defaults)
  MainName,   // __name__
  Method,     // obj: MethodObj (a bound method)
};

struct Object {
  virtual ~Object() = default;
};

/// A value. Copying is cheap for scalars; objects are shared (Python reference semantics).
struct Value {
  VKind kind = VKind::Unknown;
  bool literal = false;   // built only from literals (for "hard-coded" checks)
  bool from_env = false;  // an environment variable's default stands in for its value
  bool fstring = false;   // a Str from an f-string with replacement fields (text approximate)
  bool secret_origin = false;  // read from a SECRET_KEY constant that BC007 reports where written
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<Object> obj;

  static Value unknown() { return {}; }
  static Value none() { return make(VKind::None); }
  static Value boolean(bool b) {
    Value v = make(VKind::Bool);
    v.i = b ? 1 : 0;
    return v;
  }
  static Value integer(int64_t n) {
    Value v = make(VKind::Int);
    v.i = n;
    return v;
  }
  static Value str(std::string text, bool is_literal = false) {
    Value v = make(VKind::Str);
    v.s = std::move(text);
    v.literal = is_literal;
    return v;
  }
  static Value symbol(std::string qualname) {
    Value v = make(VKind::Symbol);
    v.s = std::move(qualname);
    return v;
  }
  static Value ext(std::string qualname) {
    Value v = make(VKind::Ext);
    v.s = std::move(qualname);
    return v;
  }
  static Value make(VKind k) {
    Value v;
    v.kind = k;
    return v;
  }

  bool known() const { return kind != VKind::Unknown; }
  bool is_str() const { return kind == VKind::Str; }
  /// A copy without object references: containers keep their size in `i`. Facts store
  /// shallow values so they never keep a module's objects alive.
  Value shallow() const;
};

enum class Truth : uint8_t { False, True, Unknown };

/// Python's bool(value) when it can be decided.
Truth truth(const Value& v);
/// Python's str(value) for scalars; false when it cannot be decided.
bool to_text(const Value& v, std::string* out);
/// Python's == when decidable.
Truth equals(const Value& a, const Value& b);
/// The value both control-flow paths agree on, or Unknown.
Value join(const Value& a, const Value& b);

struct SeqObj : Object {
  std::vector<Value> items;
};

struct DictEntry {
  Value key;
  Value value;
  int32_t line = 0;  // where the entry was written (for findings on a dict literal)
  int32_t col = 0;
};

struct DictObj : Object {
  std::vector<DictEntry> entries;
  bool environ_copy = false;  // a copy of os.environ: writes are environment settings
  DictEntry* find(const Value& key);
  DictEntry* find(std::string_view key);
  void set(const Value& key, Value value, int32_t line, int32_t col);
};

/// Attribute storage shared by classes, instances, modules and argparse results.
class AttrMap {
 public:
  const Value* find(std::string_view name) const;
  void set(std::string_view name, Value v);
  const std::vector<std::pair<std::string, Value>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, Value>> items_;
};

struct ClassObj : Object {
  std::string name;
  std::vector<Value> bases;
  AttrMap attrs;
  bool flask_subclass = false;
  /// Looks `attr` up along the bases (depth-first, left to right, bounded).
  const Value* lookup(std::string_view attr, int depth = 0) const;
};

struct InstanceObj : Object {
  Value cls;
  AttrMap attrs;
};

struct FunctionObj : Object {
  const Stmt* def = nullptr;        // lives in the defining module's tree
  Env* globals = nullptr;           // the defining module's globals (outlives the function)
  const ModuleSummary* module = nullptr;
  std::vector<Value> defaults;      // one per parameter (Unknown when none)
  int calls = 0;
};

struct AppObj : Object {
  Value debug = Value::boolean(false);
  AttrMap config;
  bool instance_relative = false;
};

struct ModuleObj : Object {
  std::string name;
  ModuleSummary* summary = nullptr;
};

struct ArgParserObj : Object {
  AttrMap defaults;
};

struct MethodObj : Object {
  Value self;
  std::string receiver_name;  // the receiver as written (`socketio` in socketio.run)
};

/// Transparent string hash so maps keyed by std::string can be searched with a string_view.
struct StrHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// Variables of one scope, with an undo trail so the evaluator can run both arms of an
/// undecidable `if` and merge what they assigned.
class Env {
 public:
  const Value* find(std::string_view name) const;
  Value* find_mut(std::string_view name);
  void set(std::string_view name, Value v);
  void erase_all() { vars_.clear(); }
  const std::unordered_map<std::string, Value, StrHash, std::equal_to<>>& vars() const { return vars_; }

  /// Starts recording writes; returns a mark for rollback().
  size_t mark() {
    ++recording_;
    return trail_.size();
  }
  /// Undoes every write since `mark` and returns the final value of each name written.
  std::vector<std::pair<std::string, Value>> rollback(size_t mark);
  /// Ends a recording started by mark().
  void unmark() {
    if (recording_ > 0 && --recording_ == 0) trail_.clear();
  }

 private:
  struct Undo {
    std::string name;
    bool existed = false;
    Value old;
  };
  std::unordered_map<std::string, Value, StrHash, std::equal_to<>> vars_;
  std::vector<Undo> trail_;
  int recording_ = 0;
};

}  // namespace bastion::check
