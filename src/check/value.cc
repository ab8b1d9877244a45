// SPDX-License-Identifier: MIT
// Python semantics for abstract values: truthiness, str(), ==, and the join of two paths.
#include "check/value.h"

#include <cstdio>
#include <unordered_set>

namespace bastion::check {

Value Value::shallow() const {
  Value v = *this;
  switch (kind) {
    case VKind::Tuple:
    case VKind::List:
    case VKind::Set:
      v.i = obj ? static_cast<int64_t>(static_cast<const SeqObj&>(*obj).items.size()) : i;
      break;
    case VKind::Dict:
      v.i = obj ? static_cast<int64_t>(static_cast<const DictObj&>(*obj).entries.size()) : i;
      break;
    default:
      break;
  }
  v.obj.reset();
  return v;
}

Truth truth(const Value& v) {
  switch (v.kind) {
    case VKind::None:
      return Truth::False;
    case VKind::Bool:
    case VKind::Int:
      return v.i != 0 ? Truth::True : Truth::False;
    case VKind::Float:
      return v.f != 0.0 ? Truth::True : Truth::False;
    case VKind::Str:
    case VKind::Bytes:
      return v.s.empty() ? Truth::False : Truth::True;
    case VKind::Tuple:
    case VKind::List:
    case VKind::Set:
      if (!v.obj) return v.i != 0 ? Truth::True : Truth::False;
      return static_cast<const SeqObj&>(*v.obj).items.empty() ? Truth::False : Truth::True;
    case VKind::Dict:
      if (!v.obj) return v.i != 0 ? Truth::True : Truth::False;
      return static_cast<const DictObj&>(*v.obj).entries.empty() ? Truth::False : Truth::True;
    case VKind::Module:
    case VKind::Class:
    case VKind::Function:
    case VKind::App:
    case VKind::Method:
    case VKind::ArgParser:
    case VKind::Namespace:
    case VKind::MainName:
      return Truth::True;
    case VKind::Argv:
      return Truth::True;  // sys.argv always holds the script name
    default:
      return Truth::Unknown;
  }
}

bool to_text(const Value& v, std::string* out) {
  switch (v.kind) {
    case VKind::Str:
      *out = v.s;
      return true;
    case VKind::None:
      *out = "None";
      return true;
    case VKind::Bool:
      *out = v.i ? "True" : "False";
      return true;
    case VKind::Int:
      *out = std::to_string(v.i);
      return true;
    case VKind::Float: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", v.f);
      *out = buf;
      return true;
    }
    default:
      return false;
  }
}

Truth equals(const Value& a, const Value& b) {
  auto numeric = [](const Value& v) {
    return v.kind == VKind::Bool || v.kind == VKind::Int || v.kind == VKind::Float;
  };
  if (!a.known() || !b.known() || a.fstring || b.fstring) return Truth::Unknown;
  if (numeric(a) && numeric(b)) {
    double x = a.kind == VKind::Float ? a.f : static_cast<double>(a.i);
    double y = b.kind == VKind::Float ? b.f : static_cast<double>(b.i);
    return x == y ? Truth::True : Truth::False;
  }
  if (a.kind == VKind::None || b.kind == VKind::None)
    return a.kind == b.kind ? Truth::True : Truth::False;
  if ((a.kind == VKind::Str || a.kind == VKind::Bytes) && a.kind == b.kind)
    return a.s == b.s ? Truth::True : Truth::False;
  bool a_scalar = numeric(a) || a.kind == VKind::Str || a.kind == VKind::Bytes;
  bool b_scalar = numeric(b) || b.kind == VKind::Str || b.kind == VKind::Bytes;
  if (a_scalar && b_scalar) return Truth::False;  // different types never compare equal
  if (a.kind == VKind::MainName || b.kind == VKind::MainName) return Truth::Unknown;
  if (a.obj && a.obj == b.obj) return Truth::True;
  if (a_scalar != b_scalar && (a.kind == VKind::Tuple || a.kind == VKind::List ||
                               b.kind == VKind::Tuple || b.kind == VKind::List))
    return Truth::False;
  return Truth::Unknown;
}

Value join(const Value& a, const Value& b) {
  if (a.kind != b.kind) return Value::unknown();
  if (a.obj || b.obj) return a.obj == b.obj ? a : Value::unknown();
  if (a.i != b.i || a.f != b.f || a.s != b.s || a.fstring != b.fstring) return Value::unknown();
  Value v = a;
  v.literal = a.literal && b.literal;
  v.from_env = a.from_env || b.from_env;
  v.secret_origin = a.secret_origin && b.secret_origin;
  return v;
}

DictEntry* DictObj::find(const Value& key) {
  for (auto& e : entries)
    if (equals(e.key, key) == Truth::True) return &e;
  return nullptr;
}

DictEntry* DictObj::find(std::string_view key) {
  for (auto& e : entries)
    if (e.key.kind == VKind::Str && e.key.s == key) return &e;
  return nullptr;
}

void DictObj::set(const Value& key, Value value, int32_t line, int32_t col) {
  if (DictEntry* e = find(key)) {
    e->value = std::move(value);
    e->line = line;
    e->col = col;
    return;
  }
  if (entries.size() < 4096) entries.push_back({key, std::move(value), line, col});
}

const Value* AttrMap::find(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return &v;
  return nullptr;
}

void AttrMap::set(std::string_view name, Value v) {
  for (auto& [k, old] : items_)
    if (k == name) {
      old = std::move(v);
      return;
    }
  if (items_.size() < 4096) items_.emplace_back(std::string(name), std::move(v));
}

const Value* ClassObj::lookup(std::string_view attr, int depth) const {
  if (const Value* v = attrs.find(attr)) return v;
  if (depth > 16) return nullptr;
  for (const Value& b : bases) {
    if (b.kind != VKind::Class || !b.obj) continue;
    if (const Value* v = static_cast<const ClassObj&>(*b.obj).lookup(attr, depth + 1)) return v;
  }
  return nullptr;
}

const Value* Env::find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

Value* Env::find_mut(std::string_view name) {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

void Env::set(std::string_view name, Value v) {
  auto it = vars_.find(name);
  if (recording_ > 0) {
    Undo u;
    u.name = std::string(name);
    u.existed = it != vars_.end();
    if (u.existed) u.old = it->second;
    trail_.push_back(std::move(u));
  }
  if (it != vars_.end()) it->second = std::move(v);
  else vars_.emplace(std::string(name), std::move(v));
}

std::vector<std::pair<std::string, Value>> Env::rollback(size_t mark) {
  std::vector<std::pair<std::string, Value>> written;
  std::unordered_set<std::string> seen_names;
  while (trail_.size() > mark) {
    Undo u = std::move(trail_.back());
    trail_.pop_back();
    auto it = vars_.find(u.name);
    if (seen_names.insert(u.name).second && it != vars_.end()) written.emplace_back(u.name, it->second);
    if (u.existed) {
      if (it != vars_.end()) it->second = std::move(u.old);
      else vars_.emplace(u.name, std::move(u.old));
    } else if (it != vars_.end()) {
      vars_.erase(it);
    }
  }
  return written;
}

}  // namespace bastion::check
