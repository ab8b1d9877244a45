// SPDX-License-Identifier: MIT
// BC006 bind-all: the development server listening on every interface: a 0.0.0.0/:: host
// given to app.run()/run_simple()/socketio.run() (literally, through a constant, an
// environment default or **kwargs), `flask run --host=0.0.0.0`, or FLASK_RUN_HOST.
// Production servers binding 0.0.0.0 (gunicorn -b, a socket) are not findings.
#include "check/rules/rules.h"
#include "check/semantics.h"

namespace bastion::check::rules {
namespace {

class BindAll final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC006",
        "bind-all",
        Severity::Medium,
        "Development server listening on every network interface",
        "Binding the development server to 0.0.0.0 or :: exposes it (and its debugger, when "
        "on) to every network the machine is on, not only to the developer's browser. The "
        "development server should listen on 127.0.0.1; a deployment should use a production "
        "server behind the platform's networking.",
        "bind the development server to 127.0.0.1 (the default), or serve with a production "
        "server (bastion -b 0.0.0.0:8000 app:app)",
        "CWE-1327",
        {"CWE-489", "CWE-605"},
        {"B104"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const ServerCallFact& call : ctx.facts.server_calls) {
      const ServerArg* host = call.arg("host");
      if (host == nullptr || host->value.kind != VKind::Str || host->value.fstring || !is_all_interfaces(host->value.s))
        continue;
      out.report(host->loc, "the development server listens on every interface (host=\"" + host->value.s + "\"" +
                                (host->value.from_env ? ", the environment default" : "") + ")");
    }
    for (const CommandFact& cmd : ctx.facts.commands) {
      LaunchCommand lc = read_launch_command(cmd);
      if (lc.kind == LaunchCommand::FlaskRun && lc.host_flag != nullptr && is_all_interfaces(lc.host))
        out.report(lc.host_flag->loc, "`flask run --host " + lc.host + "` exposes the development server on every interface");
    }
    for (const EnvFact& e : ctx.facts.envs)
      if (e.name == "FLASK_RUN_HOST" && e.value_known && is_all_interfaces(e.value))
        out.report(e.loc, "FLASK_RUN_HOST=" + e.value + " makes `flask run` listen on every interface");
  }
};

}  // namespace

const Rule& bc006_bind_all() {
  static const BindAll kRule;
  return kRule;
}

}  // namespace bastion::check::rules
