// SPDX-License-Identifier: MIT
// BC003 debugger-wsgi: Werkzeug's DebuggedApplication wrapping the app (any import alias),
// unless it sits under a gate that is off by default (the evaluator drops those).
#include "check/rules/rules.h"

namespace bastion::check::rules {
namespace {

class DebuggerWsgi final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC003",
        "debugger-wsgi",
        Severity::High,
        "Werkzeug DebuggedApplication wraps the application",
        "`werkzeug.debug.DebuggedApplication` serves the interactive debugger from inside "
        "the WSGI stack, so it is active under any server (Gunicorn, uWSGI, bastion), not only "
        "the development server. With evalex (the default) every traceback page is a Python "
        "console for whoever reaches it; the PIN is weak protection and can be disabled.",
        "remove the DebuggedApplication wrapper, or put it under a gate that is off unless "
        "a developer turns it on (if app.debug: ...)",
        "CWE-489",
        {"CWE-94"},
        {"B201"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const DebuggerFact& d : ctx.facts.debuggers)
      out.report(d.loc, "DebuggedApplication wraps the WSGI app: the interactive Werkzeug debugger is served to clients");
  }
};

}  // namespace

const Rule& bc003_debugger_wsgi() {
  static const DebuggerWsgi kRule;
  return kRule;
}

}  // namespace bastion::check::rules
