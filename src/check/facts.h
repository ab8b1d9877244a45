// SPDX-License-Identifier: MIT
// What the file analyzers extract and the rules judge: neutral facts (a server call with
// its evaluated arguments, a configuration write, an environment setting, a launch
// command), so every rule's decision lives in its own file under rules/. Only the STL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "check/value.h"

namespace bastion::check {

struct Loc {
  int32_t line = 0;
  int32_t col = 0;
};

enum class FileKind : uint8_t { Python, Dockerfile, Yaml, Procfile, EnvFile, Shell };

/// Where a Python statement sits.
struct Context {
  bool module_level = false;  // directly in the module body (not in a def or class)
  bool in_main = false;       // under `if __name__ == "__main__":`
  bool from_main = false;     // in a function the __main__ block calls
  bool maybe = false;         // under a condition that could not be decided
};

enum class ServerCall : uint8_t { FlaskRun, SocketIORun, RunSimple, ScriptServer /* flask_script.Server */ };

/// One argument of a development-server call, by parameter name ("host", "debug", ...).
struct ServerArg {
  std::string name;
  Value value;           // shallow
  Loc loc;               // the keyword, the positional argument, or the `**` of kwargs
  bool via_kwargs = false;
};

/// app.run(...), socketio.run(app, ...) or run_simple(...).
struct ServerCallFact {
  ServerCall kind = ServerCall::FlaskRun;
  Loc loc;               // start of the call expression
  Context ctx;
  std::vector<ServerArg> args;
  const ServerArg* arg(std::string_view name) const {
    for (const auto& a : args)
      if (a.name == name) return &a;
    return nullptr;
  }
};

/// DebuggedApplication(...) wrapping an application.
struct DebuggerFact {
  Loc loc;
  Context ctx;
  std::string callee;    // as written
};

enum class ConfigVia : uint8_t {
  DebugAttr,      // app.debug = v
  SecretKeyAttr,  // app.secret_key = v
  Subscript,      // app.config["KEY"] = v
  Update,         // app.config.update(KEY=v) / update({"KEY": v})
  FromMapping,    // app.config.from_mapping(...)
  FromObject,     // app.config.from_object(obj): value is the object's effective KEY
  FromPyfile,     // app.config.from_pyfile(file): value is the file's KEY
  ClassAttr,      // KEY = v in a class body
  ModuleConst,    // KEY = v at module level
};

/// A Flask configuration key being set ("DEBUG" or "SECRET_KEY").
struct ConfigFact {
  std::string key;
  Value value;           // shallow
  Loc loc;
  ConfigVia via = ConfigVia::Subscript;
  Context ctx;
  std::string detail;    // class name, object or file loaded
};

enum class EnvSource : uint8_t { Python, Dockerfile, EnvFile, Compose, Kubernetes, Shell, Procfile, Yaml };

/// An environment variable set for the application's process.
struct EnvFact {
  std::string name;
  std::string value;
  bool value_known = true;
  Loc loc;
  EnvSource source = EnvSource::EnvFile;
  bool maybe = false;
};

enum class CommandSource : uint8_t { DockerCmd, Compose, Kubernetes, Procfile, Shell };

struct CommandWord {
  std::string text;
  Loc loc;
};

/// One simple command that launches a process (leading VAR=value words and wrappers
/// such as `exec` already removed; `sh -c "..."` already split into its own commands).
struct CommandFact {
  std::vector<CommandWord> words;
  Loc loc;               // where the command starts (the CMD line, the command: key)
  CommandSource source = CommandSource::Shell;
  std::string base_dir;  // directory that relative script paths are resolved against
  bool maybe = false;
};

/// Everything extracted from one file.
struct FileFacts {
  std::vector<ServerCallFact> server_calls;
  std::vector<DebuggerFact> debuggers;
  std::vector<ConfigFact> configs;
  std::vector<EnvFact> envs;
  std::vector<CommandFact> commands;
  bool imports_flask = false;
  bool django_settings = false;
};

}  // namespace bastion::check
