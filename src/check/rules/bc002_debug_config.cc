// SPDX-License-Identifier: MIT
// BC002 debug-config: debug switched on through configuration. app.debug = <truthy>,
// app.config["DEBUG"] = <truthy>, config.update(...)/from_mapping(...) with DEBUG, and a
// from_object()/from_pyfile() whose effective DEBUG (class inheritance followed, the
// configuration selected by default) is truthy.
#include "check/rules/rules.h"

namespace bastion::check::rules {
namespace {

class DebugConfig final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC002",
        "debug-config",
        Severity::High,
        "Flask debug mode switched on through configuration",
        "Setting `app.debug` or the `DEBUG` configuration key turns on Flask's debug mode for "
        "every server that runs the app: unhandled errors show tracebacks and, with the "
        "development server, the interactive debugger. A configuration class or file that is "
        "loaded by default (for example `config[os.getenv(\"FLASK_CONFIG\", \"default\")]` "
        "pointing at a development class) ships debug mode to any deployment that forgets "
        "the variable.",
        "set DEBUG from the environment with an off default (DEBUG = os.getenv(\"FLASK_DEBUG\") == \"1\") "
        "and make the production configuration the default one",
        "CWE-489",
        {"CWE-215"},
        {"B201"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const ConfigFact& c : ctx.facts.configs) {
      if (c.key != "DEBUG" || truth(c.value) != Truth::True) continue;
      switch (c.via) {
        case ConfigVia::DebugAttr:
          out.report(c.loc, "app.debug is set to a truthy value: Flask debug mode is on");
          break;
        case ConfigVia::Subscript:
          out.report(c.loc, "app.config[\"DEBUG\"] is set to a truthy value: Flask debug mode is on");
          break;
        case ConfigVia::Update:
        case ConfigVia::FromMapping:
          out.report(c.loc, std::string("app.config.") + (c.via == ConfigVia::Update ? "update" : "from_mapping") +
                                "() sets DEBUG to a truthy value: Flask debug mode is on");
          break;
        case ConfigVia::FromObject:
        case ConfigVia::FromPyfile:
          out.report(c.loc, std::string("the configuration loaded by default") +
                                (c.detail.empty() ? std::string() : " (" + c.detail + ")") +
                                " has a truthy DEBUG: Flask debug mode is on");
          break;
        default:
          break;  // a class or module constant alone is not loaded configuration
      }
    }
  }
};

}  // namespace

const Rule& bc002_debug_config() {
  static const DebugConfig kRule;
  return kRule;
}

}  // namespace bastion::check::rules
