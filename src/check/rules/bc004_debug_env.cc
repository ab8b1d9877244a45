// SPDX-License-Identifier: MIT
// BC004 debug-env: FLASK_DEBUG truthy (Flask's reading: "", 0, false, no are off),
// FLASK_ENV=development or WERKZEUG_DEBUG_PIN=off, set where the app's process gets its
// environment: Dockerfile ENV, .env/.flaskenv, compose and Kubernetes env, shell exports and
// prefixes, Procfile, and Python (os.environ, setdefault, a child process's env=).
#include "check/rules/rules.h"
#include "check/semantics.h"

namespace bastion::check::rules {
namespace {

std::string_view source_name(EnvSource s) {
  switch (s) {
    case EnvSource::Python: return "in Python";
    case EnvSource::Dockerfile: return "in the Dockerfile";
    case EnvSource::EnvFile: return "in an env file";
    case EnvSource::Compose: return "in the compose environment";
    case EnvSource::Kubernetes: return "in the Kubernetes env";
    case EnvSource::Shell: return "in a shell script";
    case EnvSource::Procfile: return "in the Procfile";
    case EnvSource::Yaml: return "in YAML";
  }
  return "";
}

class DebugEnv final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC004",
        "debug-env",
        Severity::High,
        "Debug mode switched on through the environment",
        "Flask reads FLASK_DEBUG when the app is created and `flask run` starts: any value "
        "other than empty, 0, false or no turns debug mode on. FLASK_ENV=development did the "
        "same before Flask 2.3, and WERKZEUG_DEBUG_PIN=off removes the debugger's PIN. Set in "
        "an image, a compose or Kubernetes manifest, an env file or an entrypoint, it reaches "
        "every deployment built from them.",
        "remove the variable from deployment files (keep it in a developer-only .env that is "
        "not shipped) or set FLASK_DEBUG=0",
        "CWE-489",
        {"CWE-215"},
        {"B201"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const EnvFact& e : ctx.facts.envs) {
      if (!e.value_known) continue;
      std::string where(source_name(e.source));
      if (e.name == "FLASK_DEBUG" && flask_debug_env_on(e.value)) {
        out.report(e.loc, "FLASK_DEBUG=" + e.value + " " + where + " turns Flask debug mode on");
      } else if (e.name == "FLASK_ENV" && flask_env_development(e.value)) {
        out.report(e.loc, "FLASK_ENV=development " + where + " turns Flask debug mode on");
      } else if (e.name == "WERKZEUG_DEBUG_PIN" && werkzeug_pin_off(e.value)) {
        out.report(e.loc, "WERKZEUG_DEBUG_PIN=off " + where + " removes the Werkzeug debugger PIN");
      }
    }
  }
};

}  // namespace

const Rule& bc004_debug_env() {
  static const DebugEnv kRule;
  return kRule;
}

}  // namespace bastion::check::rules
