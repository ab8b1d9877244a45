// SPDX-License-Identifier: MIT
// BC001 debug-run: a development server started with the debugger or reloader on.
// app.run(debug=<truthy>) by keyword, position or **kwargs; socketio.run(app, debug=...);
// use_debugger / use_reloader; run_simple(..., use_debugger=True); `flask --debug run` and
// `flask run --debug|--reload|--debugger` in a launch command.
#include "check/rules/rules.h"
#include "check/semantics.h"

namespace bastion::check::rules {
namespace {

class DebugRun final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC001",
        "debug-run",
        Severity::High,
        "Development server started with the debugger or reloader on",
        "Flask's debug mode runs the Werkzeug interactive debugger: any exception page lets "
        "whoever can reach the port run Python code on the server. `app.run(debug=...)`, "
        "`use_debugger=True` and `flask run --debug` turn it on wherever the code runs, "
        "including `python app.py` inside a container. Flask applies bool() to the value, so "
        "`debug=\"False\"` and `debug=os.getenv(\"DEBUG\", \"False\")` are on as well.",
        "remove debug=True (or read it from an environment variable that defaults to off) and "
        "serve the app with a production server such as `bastion app:app`",
        "CWE-489",
        {"CWE-94"},
        {"B201"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const ServerCallFact& call : ctx.facts.server_calls) {
      static constexpr std::string_view kParts[] = {"debug", "use_debugger", "use_reloader"};
      for (std::string_view part : kParts) {
        const ServerArg* arg = call.arg(part);
        if (arg == nullptr || truth(arg->value) != Truth::True) continue;
        out.report(arg->loc, message(call.kind, part, arg->via_kwargs));
        break;
      }
    }
    for (const CommandFact& cmd : ctx.facts.commands) {
      LaunchCommand lc = read_launch_command(cmd);
      if (lc.kind == LaunchCommand::FlaskRun && lc.debug_flag != nullptr)
        out.report(lc.debug_flag->loc, "`flask run` launched with `" + lc.debug_flag->text +
                                           "`: the Werkzeug debugger/reloader runs in deployment");
    }
  }

 private:
  static std::string message(ServerCall kind, std::string_view part, bool via_kwargs) {
    std::string call = kind == ServerCall::RunSimple     ? "run_simple()"
                       : kind == ServerCall::SocketIORun  ? "socketio.run()"
                       : kind == ServerCall::ScriptServer ? "Flask-Script Server()"
                                                          : "app.run()";
    std::string what = part == "debug" ? "debug mode (the interactive Werkzeug debugger)"
                       : part == "use_debugger" ? "the interactive Werkzeug debugger"
                                                : "the Werkzeug reloader";
    return call + " starts the development server with " + what + " on" +
           (via_kwargs ? " (through **kwargs)" : "") + " (`" + std::string(part) + "` is truthy)";
  }
};

}  // namespace

const Rule& bc001_debug_run() {
  static const DebugRun kRule;
  return kRule;
}

}  // namespace bastion::check::rules
