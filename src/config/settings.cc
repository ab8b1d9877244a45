// SPDX-License-Identifier: MIT
// Coercion and validation of setting values. Values from every source arrive as json::Value
// (command-line text becomes a JSON string), so a config file's `workers = "4"` and the flag
// `--workers 4` go through the same code. Integer text follows Python's int(x, 0), which
// is what Gunicorn's validators use for config-file strings.
#include "config/settings.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <type_traits>

#include "config/bind.h"
#include "os/netmask.h"

namespace bastion::config {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What the user wrote, for error messages: strings in quotes, other values as Python shows them.
std::string shown(const json::Value& v) {
  return v.is_string() ? quoted(v.s) : json::py_repr(v);
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Python's int(text, 0): optional sign, 0x/0o/0b prefixes, '_' between digits, and no
// leading zeros on a decimal number other than zero itself.
bool parse_py_int(std::string_view raw, int64_t* out, bool octal_zero = false) {
  std::string text = trim(raw);
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  int base = 10;
  if (t.size() > 2 && t[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(t[1])));
    if (p == 'x') base = 16;
    if (p == 'o') base = 8;
    if (p == 'b') base = 2;
    if (base != 10) t.remove_prefix(2);
    if (base != 10 && !t.empty() && t[0] == '_') t.remove_prefix(1);
  }
  if (t.empty() || t.front() == '_' || t.back() == '_') return false;
  if (base == 10 && t.size() > 1 && t[0] == '0') {
    if (octal_zero) base = 8;  // Gunicorn's --umask: "022" means 0o22
    // Otherwise "010" is 10, as argparse's int() reads a command-line value.
  }
  uint64_t v = 0;
  char prev = 0;
  for (char c : t) {
    if (c == '_') {
      if (prev == '_') return false;
      prev = c;
      continue;
    }
    prev = c;
    int d = digit_value(c);
    if (d >= base) return false;
    if (v > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(d)) /
                static_cast<uint64_t>(base)) {
      return false;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

std::string range_error(int64_t v, const Setting& s) {
  if (v < s.min) {
    return std::to_string(v) + " is too small (minimum " + std::to_string(s.min) + ")";
  }
  return std::to_string(v) + " is too large (maximum " + std::to_string(s.max) + ")";
}

std::string to_int(const Setting& s, const json::Value& v, int64_t* out) {
  if (v.type == json::Value::Type::Int) {
    *out = v.i;
  } else if (v.is_string()) {
    if (!parse_py_int(v.s, out, s.kind == Kind::Mode)) return quoted(v.s) + " is not an integer";
  } else {
    return "expected an integer, got " + shown(v);
  }
  if (*out < s.min || *out > s.max) return range_error(*out, s);
  return "";
}

std::string to_bytes(const Setting& s, const json::Value& v, int64_t* out) {
  if (!v.is_string()) return to_int(s, v, out);
  std::string text = lower(trim(v.s));
  int64_t scale = 1;
  for (std::string_view unit : {"ib", "b"}) {
    if (text.size() > unit.size() && text.ends_with(unit) &&
        std::string_view("kmg").find(text[text.size() - unit.size() - 1]) !=
            std::string_view::npos) {
      text.resize(text.size() - unit.size());
      break;
    }
  }
  if (!text.empty()) {
    char last = text.back();
    if (last == 'k') scale = int64_t{1} << 10;
    if (last == 'm') scale = int64_t{1} << 20;
    if (last == 'g') scale = int64_t{1} << 30;
    if (scale != 1) text.pop_back();
  }
  if (!parse_py_int(text, out)) return quoted(v.s) + " is not a size (e.g. 1048576, 512K, 100M, 1G)";
  if (*out > INT64_MAX / scale) return quoted(v.s) + " is too large";
  *out *= scale;
  if (*out < s.min || *out > s.max) return range_error(*out, s);
  return "";
}

std::string to_bool(const json::Value& v, bool* out) {
  if (v.type == json::Value::Type::Bool) {
    *out = v.b;
    return "";
  }
  if (v.type == json::Value::Type::Int && (v.i == 0 || v.i == 1)) {
    *out = v.i == 1;
    return "";
  }
  if (v.is_string()) {
    std::string t = lower(trim(v.s));
    if (t == "true" || t == "yes" || t == "on" || t == "1") {
      *out = true;
      return "";
    }
    if (t == "false" || t == "no" || t == "off" || t == "0") {
      *out = false;
      return "";
    }
  }
  return shown(v) + " is not a boolean (use true or false)";
}

std::string to_string_value(const Setting& s, const json::Value& v, std::string* out) {
  if (v.is_null()) {
    out->clear();
  } else if (v.is_string()) {
    *out = trim(v.s);
  } else if (v.type == json::Value::Type::Int) {
    *out = std::to_string(v.i);  // user = 1000, a numeric statsd port, ...
  } else {
    return "expected a string, got " + shown(v);
  }
  if (s.check && !out->empty()) return s.check(*out);
  return "";
}

std::string choices_text(std::string_view choices) {
  std::string out(choices);
  for (size_t p = out.find('|'); p != std::string::npos; p = out.find('|', p)) {
    out.replace(p, 1, ", ");
  }
  return out;
}

bool in_choices(std::string_view choices, std::string_view word) {
  size_t start = 0;
  for (;;) {
    size_t bar = choices.find('|', start);
    if (choices.substr(start, bar - start) == word) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

std::string to_choice(const Setting& s, const json::Value& v, std::string* out) {
  if (s.kind == Kind::FlagChoice && (v.type == json::Value::Type::Bool || v.is_null())) {
    if (v.type == json::Value::Type::Bool && v.b) {
      *out = std::string(s.choices.substr(0, s.choices.find('|')));
    } else {
      json::Value d = default_value(s);
      *out = d.is_string() ? d.s : "";
    }
    return "";
  }
  if (!v.is_string()) return "expected one of " + choices_text(s.choices) + ", got " + shown(v);
  std::string word = lower(trim(v.s));
  if (!in_choices(s.choices, word)) {
    return quoted(v.s) + " is not one of " + choices_text(s.choices);
  }
  *out = word;
  return "";
}

std::string to_list(const Setting& s, const json::Value& v, std::vector<std::string>* out) {
  out->clear();
  auto add = [&](std::string item) -> std::string {
    if (s.kind == Kind::CommaList && item.empty()) return "";
    if (s.check) {
      if (std::string why = s.check(item); !why.empty()) return why;
    }
    out->push_back(std::move(item));
    return "";
  };
  if (v.is_null()) return "";
  if (v.is_string()) {
    if (s.kind == Kind::List) return add(trim(v.s));
    std::string_view text = v.s;
    for (size_t start = 0;;) {
      size_t comma = text.find(',', start);
      if (std::string why = add(trim(text.substr(start, comma - start))); !why.empty()) {
        return why;
      }
      if (comma == std::string_view::npos) return "";
      start = comma + 1;
    }
  }
  if (!v.is_array()) return "expected a string or a list of strings, got " + shown(v);
  for (const json::Value& item : v.array) {
    if (!item.is_string()) return "expected a list of strings, got an item " + shown(item);
    if (std::string why = add(trim(item.s)); !why.empty()) return why;
  }
  return "";
}

std::string to_dict(const json::Value& v, std::map<std::string, std::string>* out) {
  out->clear();
  if (v.is_null()) return "";
  if (!v.is_object()) return "expected a dict of strings, got " + shown(v);
  for (const auto& [key, item] : v.object) {
    if (!item.is_string()) {
      return "expected a dict of strings, got " + json::py_repr_string(key) + ": " + shown(item);
    }
    (*out)[key] = item.s;
  }
  return "";
}

// Coerces `v` for row `s` into the row's canonical JSON form (what current_value returns).
std::string coerce(const Setting& s, const json::Value& v, json::Value* out) {
  std::string why;
  switch (s.kind) {
    case Kind::Int:
    case Kind::Mode:
    case Kind::Bytes: {
      int64_t n = 0;
      why = s.kind == Kind::Bytes ? to_bytes(s, v, &n) : to_int(s, v, &n);
      *out = json::Value::integer(n);
      break;
    }
    case Kind::Bool: {
      bool b = false;
      why = to_bool(v, &b);
      *out = json::Value::boolean(b);
      break;
    }
    case Kind::String: {
      std::string text;
      why = to_string_value(s, v, &text);
      bool none = text.empty() && s.default_json == "null";
      *out = none ? json::Value::null() : json::Value::string(text);
      break;
    }
    case Kind::Choice:
    case Kind::FlagChoice: {
      std::string text;
      why = to_choice(s, v, &text);
      *out = text.empty() ? json::Value::null() : json::Value::string(text);
      break;
    }
    case Kind::List:
    case Kind::CommaList: {
      std::vector<std::string> items;
      why = to_list(s, v, &items);
      *out = json::Value::list_of(items);
      break;
    }
    case Kind::Dict: {
      std::map<std::string, std::string> dict;
      why = to_dict(v, &dict);
      *out = json::Value();
      out->type = json::Value::Type::Object;
      for (auto& [k, item] : dict) out->set(k, json::Value::string(item));
      break;
    }
    case Kind::JsonDict:
      if (v.is_null()) {
        *out = json::Value();
        out->type = json::Value::Type::Object;
      } else if (!v.is_object()) {
        why = "expected a dict, got " + shown(v);
      } else {
        *out = v;
      }
      break;
  }
  return why;
}

// Stores an already coerced value into the row's field.
struct Store {
  const Setting& s;
  const json::Value& v;
  Config* config;

  void operator()(std::monostate) const {
    if (v == default_value(s)) {
      config->extra.erase(std::string(s.name));
    } else {
      config->extra[std::string(s.name)] = json::dump(v);
    }
  }
  void operator()(int Config::*f) const { config->*f = static_cast<int>(v.i); }
  void operator()(int64_t Config::*f) const { config->*f = v.i; }
  void operator()(bool Config::*f) const { config->*f = v.b; }
  void operator()(std::string Config::*f) const {
    if (s.kind == Kind::JsonDict) {
      config->*f = v.object.empty() ? "" : json::dump(v);
    } else {
      config->*f = v.is_string() ? v.s : "";
    }
  }
  void operator()(std::vector<std::string> Config::*f) const {
    (config->*f).clear();
    for (const json::Value& item : v.array) (config->*f).push_back(item.s);
  }
  void operator()(std::map<std::string, std::string> Config::*f) const {
    (config->*f).clear();
    for (const auto& [k, item] : v.object) (config->*f)[k] = item.s;
  }
};

// Reads a row's field back as canonical JSON.
struct Load {
  const Setting& s;
  const Config& config;

  json::Value operator()(std::monostate) const {
    auto it = config.extra.find(std::string(s.name));
    if (it == config.extra.end()) return default_value(s);
    auto parsed = json::parse(it->second);
    return parsed.ok() ? std::move(parsed).value() : default_value(s);
  }
  json::Value operator()(int Config::*f) const { return json::Value::integer(config.*f); }
  json::Value operator()(int64_t Config::*f) const { return json::Value::integer(config.*f); }
  json::Value operator()(bool Config::*f) const { return json::Value::boolean(config.*f); }
  json::Value operator()(std::string Config::*f) const {
    const std::string& text = config.*f;
    if (s.kind == Kind::JsonDict) {
      auto parsed = json::parse(text.empty() ? "{}" : text);
      return parsed.ok() ? std::move(parsed).value() : json::Value::string(text);
    }
    if (text.empty() && (s.default_json == "null" || s.kind == Kind::FlagChoice)) {
      return json::Value::null();
    }
    return json::Value::string(text);
  }
  json::Value operator()(std::vector<std::string> Config::*f) const {
    return json::Value::list_of(config.*f);
  }
  json::Value operator()(std::map<std::string, std::string> Config::*f) const {
    json::Value out;
    out.type = json::Value::Type::Object;
    for (const auto& [k, item] : config.*f) out.set(k, json::Value::string(item));
    return out;
  }
};

bool has_flag(std::string_view list, std::string_view flag) {
  size_t start = 0;
  for (;;) {
    size_t space = list.find(' ', start);
    if (list.substr(start, space - start) == flag) return true;
    if (space == std::string_view::npos) return false;
    start = space + 1;
  }
}

}  // namespace

const Setting* find_setting(std::string_view name) {
  for (const Setting& s : settings()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const Setting* find_flag(std::string_view flag, bool* negative) {
  if (flag.empty()) return nullptr;
  for (const Setting& s : settings()) {
    if (has_flag(s.flags, flag)) {
      *negative = false;
      return &s;
    }
    if (!s.neg_flags.empty() && has_flag(s.neg_flags, flag)) {
      *negative = true;
      return &s;
    }
  }
  return nullptr;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Int: return "int";
    case Kind::Mode: return "int (octal)";
    case Kind::Bytes: return "bytes";
    case Kind::Bool: return "bool";
    case Kind::String: return "string";
    case Kind::Choice: return "choice";
    case Kind::FlagChoice: return "flag or choice";
    case Kind::List: return "list";
    case Kind::CommaList: return "comma list";
    case Kind::Dict: return "dict";
    case Kind::JsonDict: return "dict";
  }
  return "?";
}

std::string to_string(const Source& source) {
  switch (source.kind) {
    case SourceKind::Default: return "default";
    case SourceKind::Env: return "env:" + source.where;
    case SourceKind::Pyproject: return "pyproject:" + source.where;
    case SourceKind::File: return "file:" + source.where;
    case SourceKind::EnvArgs: return "env:" + source.where;
    case SourceKind::Cmdline: return "cmdline:" + source.where;
  }
  return "?";
}

std::string label(std::string_view name, const Source& source) {
  switch (source.kind) {
    case SourceKind::Default: return std::string(name);
    case SourceKind::Env: return "$" + source.where;
    case SourceKind::Pyproject:
    case SourceKind::File: return source.where + ": " + std::string(name);
    case SourceKind::EnvArgs: return source.where + ": " + source.flag;
    case SourceKind::Cmdline: return source.where;
  }
  return std::string(name);
}

base::Status assign(const Setting& setting, const json::Value& value, Config* config) {
  json::Value canonical;
  std::string why = coerce(setting, value, &canonical);
  if (!why.empty()) {
    // A setting Bastion does not use keeps whatever was given, so that the warning or error
    // about it (not a type complaint) is what the user sees.
    if (!std::holds_alternative<std::monostate>(setting.field)) return base::make_error(why);
    canonical = value;
  }
  std::visit(Store{setting, canonical, config}, setting.field);
  return base::Ok{};
}

json::Value current_value(const Setting& setting, const Config& config) {
  return std::visit(Load{setting, config}, setting.field);
}

json::Value default_value(const Setting& setting) {
  auto parsed = json::parse(setting.default_json);
  BASTION_ASSERT(parsed.ok());
  return std::move(parsed).value();
}

Config default_config() {
  Config config;
  for (const Setting& s : settings()) {
    base::Status st = assign(s, default_value(s), &config);
    BASTION_ASSERT(st.ok());
  }
  return config;
}

std::string check_bind(const std::string& value) {
  auto bind = parse_bind(value);
  return bind.ok() ? "" : bind.error().message;
}

std::string check_address_list_item(const std::string& value) {
  auto list = os::NetList::parse({value});
  return list.ok() ? "" : list.error().message;
}

std::string check_raw_env(const std::string& value) {
  size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) return quoted(value) + " is not KEY=VALUE";
  return "";
}

std::string check_hostport(const std::string& value) {
  auto bind = parse_bind(value);
  if (!bind.ok() || bind->kind == Bind::Kind::Fd) {
    return quoted(value) + " is not HOST:PORT or unix://PATH";
  }
  return "";
}

std::string check_user(const std::string& value) {
  if (value.find_first_not_of("0123456789") == std::string::npos) return "";
  passwd pw{};
  passwd* found = nullptr;
  char buf[4096];
  if (getpwnam_r(value.c_str(), &pw, buf, sizeof buf, &found) != 0 || found == nullptr) {
    return "no such user " + quoted(value);
  }
  return "";
}

std::string check_group(const std::string& value) {
  if (value.find_first_not_of("0123456789") == std::string::npos) return "";
  group gr{};
  group* found = nullptr;
  char buf[4096];
  if (getgrnam_r(value.c_str(), &gr, buf, sizeof buf, &found) != 0 || found == nullptr) {
    return "no such group " + quoted(value);
  }
  return "";
}

std::string check_worker_class(const std::string& value) {
  std::string v = lower(value);
  static constexpr std::string_view kServed[] = {
      "sync", "gthread", "gevent", "eventlet", "tornado", "gevent_wsgi", "gevent_pywsgi"};
  for (std::string_view name : kServed) {
    if (v == name || v == "egg:gunicorn#" + std::string(name)) return "";
  }
  if (v == "gunicorn.workers.sync.syncworker" || v == "gunicorn.workers.gthread.threadworker") {
    return "";
  }
  if (v == "asgi" || v.find("uvicorn") != std::string::npos || v.find("asgi") != std::string::npos) {
    return quoted(value) +
           " is an ASGI worker; Bastion serves WSGI applications only (use uvicorn or "
           "gunicorn -k asgi for ASGI apps)";
  }
  return quoted(value) +
         " is not a worker class Bastion knows; Bastion runs its own event-loop workers with "
         "--threads Python threads: use sync or gthread";
}

}  // namespace bastion::config
