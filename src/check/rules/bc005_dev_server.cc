// SPDX-License-Identifier: MIT
// BC005 dev-server: the Werkzeug development server as the deployment entry point:
// `flask run` / `python -m flask run` / `python app.py` (when app.py starts the server when
// run as a script) in a Dockerfile CMD/ENTRYPOINT, compose or Kubernetes command, Procfile
// `web:` or shell script; an unguarded module-level app.run()/run_simple(); and
// allow_unsafe_werkzeug=True.
#include "check/rules/rules.h"
#include "check/semantics.h"

namespace bastion::check::rules {
namespace {

std::string_view where(CommandSource s) {
  switch (s) {
    case CommandSource::DockerCmd: return "the image's CMD/ENTRYPOINT";
    case CommandSource::Compose: return "the compose command";
    case CommandSource::Kubernetes: return "the container command";
    case CommandSource::Procfile: return "the Procfile web process";
    case CommandSource::Shell: return "a launch script";
  }
  return "";
}

class DevServer final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC005",
        "dev-server",
        Severity::Medium,
        "Werkzeug development server used as the deployment entry point",
        "`flask run`, `app.run()` and `run_simple()` start Werkzeug's development server. It "
        "is meant for one developer: it is not hardened against slow or malicious clients, "
        "has no worker management, and is where debug mode and the reloader live. Calling "
        "app.run() at module level also starts it on import, from any server.",
        "launch the app with a production WSGI server (bastion app:app, gunicorn app:app) and "
        "keep app.run() under `if __name__ == \"__main__\":`",
        "CWE-489",
        {"CWE-1188"},
        {"B201"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const ServerCallFact& call : ctx.facts.server_calls) {
      if (const ServerArg* unsafe = call.arg("allow_unsafe_werkzeug"); unsafe != nullptr && truth(unsafe->value) == Truth::True) {
        out.report(unsafe->loc, "allow_unsafe_werkzeug=True runs Flask-SocketIO on the Werkzeug development server");
        continue;
      }
      bool werkzeug = call.kind == ServerCall::FlaskRun || call.kind == ServerCall::RunSimple;
      if (!werkzeug || !call.ctx.module_level || call.ctx.in_main) continue;
      out.report(call.loc, std::string(call.kind == ServerCall::RunSimple ? "run_simple()" : "app.run()") +
                               " at module level starts the development server on import (not guarded by "
                               "`if __name__ == \"__main__\":`)");
    }
    for (const CommandFact& cmd : ctx.facts.commands) {
      LaunchCommand lc = read_launch_command(cmd);
      std::string place(where(cmd.source));
      if (lc.kind == LaunchCommand::FlaskRun) {
        out.report(cmd.loc, "`flask run` in " + place + " serves the app with the Werkzeug development server");
      } else if (lc.kind == LaunchCommand::PythonScript) {
        std::string path = ctx.project.find_script(cmd.base_dir, lc.target);
        if (!path.empty() && ctx.project.script_runs_dev_server(path, lc.first_arg))
          out.report(cmd.loc, "`python " + lc.target + "` in " + place +
                                  " starts the Werkzeug development server (the script calls app.run())");
      } else if (lc.kind == LaunchCommand::PythonModule) {
        std::string rel;
        for (char c : lc.target) rel += c == '.' ? '/' : c;
        std::string path = ctx.project.find_script(cmd.base_dir, rel + ".py");
        if (path.empty()) path = ctx.project.find_script(cmd.base_dir, rel + "/__main__.py");
        if (!path.empty() && ctx.project.script_runs_dev_server(path))
          out.report(cmd.loc, "`python -m " + lc.target + "` in " + place +
                                  " starts the Werkzeug development server (the module calls app.run())");
      }
    }
  }
};

}  // namespace

const Rule& bc005_dev_server() {
  static const DevServer kRule;
  return kRule;
}

}  // namespace bastion::check::rules
