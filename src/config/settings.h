// SPDX-License-Identifier: MIT
// The settings table: one row per setting, holding its name (Gunicorn's where Gunicorn has
// it), command-line flags, type, default, validation, help text, which Gunicorn setting it
// mirrors, how far Bastion supports it, and the Config field it fills. The CLI parser, the
// config-file loader, --help, --print-config and docs/configuration.md are all generated
// from this table. Depends on base and os only; no Python. The table is immutable; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/json.h"

namespace bastion::config {

/// How a setting's value is written and stored.
enum class Kind {
  Int,         ///< int field. Integer text as Python's int(x, 0) reads it ("30", "0x1e").
  Mode,        ///< int field; a file mode: "022" is octal (as Gunicorn's --umask reads it),
               ///< "0o22" and plain integers as for Int.
  Bytes,       ///< int64 field. An integer, optionally with a K, M or G suffix (x1024).
  Bool,        ///< bool field. A flag without value on the command line; in files a bool
               ///< or "true"/"false" (also yes/no/on/off/1/0).
  String,      ///< string field. "" stands for Python's None.
  Choice,      ///< string field; one of `choices`, any case on input, stored lowercase.
  FlagChoice,  ///< string field; a bare flag means the first choice, "--flag=CHOICE" or
               ///< "--flag CHOICE" (only a listed choice is taken as the value) picks one.
  List,        ///< vector field; a repeatable flag (-b a -b b). A file gives a str or list.
  CommaList,   ///< vector field; "a,b,c" (spaces trimmed, empty items dropped) or a list.
  Dict,        ///< map<string, string> field; config file / TOML only.
  JsonDict,    ///< string field holding a JSON object; config file / TOML only.
};

/// Whether the setting comes from Gunicorn (same name, flag, default and meaning) or is
/// Bastion's own.
enum class Origin { Gunicorn, Bastion };

/// How far Bastion honours a setting. Every non-Yes setting set to a non-default value
/// produces a warning or an error carrying the row's `note`: nothing is silently ignored.
enum class Support {
  Yes,       ///< Implemented.
  Planned,   ///< Accepted; not implemented yet. A non-default value warns that it has no effect.
  Refused,   ///< Not implemented yet, and running without it would be unsafe (TLS, privilege
             ///< dropping): a non-default value is an error until it is implemented.
  Ignored,   ///< Accepted for compatibility, deliberately without effect; a non-default value
             ///< warns, and `note` says what Bastion does instead.
  Rejected,  ///< Cannot apply to Bastion: a non-default value is an error whose text is `note`.
};

/// An extra check on one string value (or one list item). Returns "" when valid, else the
/// reason, worded to follow "--flag: " (e.g. "'x' is not a valid port number").
using CheckFn = std::string (*)(const std::string& value);

/// Where a row's value lives in Config. monostate: in Config::extra (settings Bastion
/// accepts only for compatibility), stored as JSON text keyed by the setting name.
using Field = std::variant<std::monostate, int Config::*, int64_t Config::*, bool Config::*,
                           std::string Config::*, std::vector<std::string> Config::*,
                           std::map<std::string, std::string> Config::*>;

struct Setting {
  std::string_view name;          ///< Gunicorn's setting name (config files use it).
  std::string_view section;       ///< Docs/--help section, as Gunicorn groups them.
  std::string_view flags;         ///< Space-separated flags, e.g. "-w --workers"; "" = none.
  std::string_view neg_flags;     ///< Flags that set a Bool to false, e.g. "--no-sendfile".
  std::string_view meta;          ///< Placeholder for the value in --help ("INT", "ADDRESS").
  Kind kind = Kind::String;
  Field field;
  std::string_view default_json;  ///< The built-in default as JSON ("2048", "[\"a\"]", "null").
  int64_t min = 0;                ///< Int/Bytes range.
  int64_t max = INT32_MAX;
  std::string_view choices;       ///< Choice/FlagChoice: "a|b|c".
  CheckFn check = nullptr;        ///< Per-value check for String, List and CommaList kinds.
  std::string_view env;           ///< Environment variable that derives the default, if any.
  Origin origin = Origin::Gunicorn;
  Support support = Support::Yes;
  std::string_view note;          ///< What Bastion does differently (warnings, errors, docs).
  std::string_view help;          ///< One sentence for --help and the docs.
};

/// Every setting, in documentation order (grouped by section). Never empty.
std::span<const Setting> settings();
/// The row named `name` (exact, lowercase), or nullptr.
const Setting* find_setting(std::string_view name);
/// The row owning command-line flag `flag` ("--workers", "-w"), or nullptr. `*negative` is
/// set when the flag is one of the row's neg_flags.
const Setting* find_flag(std::string_view flag, bool* negative);
/// A server hook a config file may define (Gunicorn's names and arguments).
struct Hook {
  std::string_view name;      ///< "post_fork"
  int min_args = 1;           ///< Positional parameters the callable must accept.
  int max_args = 1;
  std::string_view args;      ///< "server, worker" (docs and error messages)
  std::string_view runs_in;   ///< "master" or "worker"
  bool implemented = false;   ///< False: the loader warns that the hook is not run yet.
  std::string_view note;      ///< When it runs.
};
/// Every hook Bastion recognises, in documentation order.
std::span<const Hook> hooks();
const Hook* find_hook(std::string_view name);
/// True when `cfg`'s config file defines an implemented hook that runs in `runs_in`
/// ("master": the hook companion is needed; "worker").
bool defines_hook_in(const Config& cfg, std::string_view runs_in);

/// The Kind's name for docs ("int", "bool", "list", ...).
std::string_view kind_name(Kind kind);

/// Where a resolved value came from, lowest precedence first.
enum class SourceKind { Default, Env, Pyproject, File, EnvArgs, Cmdline };

struct Source {
  SourceKind kind = SourceKind::Default;
  std::string where;  ///< Env/EnvArgs: the variable; File: "path:line"; Pyproject: the path;
                      ///< Cmdline: the flag as typed.
  std::string flag;   ///< EnvArgs: the flag as typed inside the variable.
};
/// How messages name a setting from `source`: "--workers", "$PORT",
/// "GUNICORN_CMD_ARGS: --workers", "./gunicorn.conf.py:3: workers".
std::string label(std::string_view name, const Source& source);
/// Setting name -> source. A setting missing from the map is at its default.
using Sources = std::map<std::string, Source>;
/// "default", "env:PORT", "file:/srv/gunicorn.conf.py:12", "pyproject:/srv/pyproject.toml",
/// "env:GUNICORN_CMD_ARGS", "cmdline:--workers". Stable; --print-config shows it.
std::string to_string(const Source& source);

/// Coerces `value` to the row's kind, validates it (range, choices, check) and stores it in
/// `*config`. On error returns a reason without any prefix naming the setting, e.g.
/// "'abc' is not an integer". `config` is unchanged on error.
base::Status assign(const Setting& setting, const json::Value& value, Config* config);

/// The current value of a row in `config`, as a JSON value (what --print-config shows).
json::Value current_value(const Setting& setting, const Config& config);
/// The row's built-in default as a JSON value (parsed from default_json).
json::Value default_value(const Setting& setting);

/// A Config built from the table's defaults only (no environment). Equal to Config{}; a
/// unit test holds the two together.
Config default_config();

/// Per-value checks used by the table (exposed for tests and for the server).
std::string check_bind(const std::string& value);
std::string check_address_list_item(const std::string& value);
std::string check_raw_env(const std::string& value);
std::string check_hostport(const std::string& value);
std::string check_user(const std::string& value);
std::string check_group(const std::string& value);
std::string check_worker_class(const std::string& value);

}  // namespace bastion::config
