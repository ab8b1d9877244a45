// SPDX-License-Identifier: MIT
// BC007 secret-key: a literal Flask SECRET_KEY: app.secret_key = "...",
// app.config["SECRET_KEY"] = "...", update()/from_mapping() with SECRET_KEY, a config class
// attribute, a module constant in a Flask configuration module (Django settings excluded),
// or a literal fallback such as os.environ.get("SECRET_KEY", "dev").
#include "check/rules/rules.h"

namespace bastion::check::rules {
namespace {

class SecretKey final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "BC007",
        "secret-key",
        Severity::Medium,
        "Hard-coded Flask SECRET_KEY",
        "Flask signs session cookies (and Flask-WTF CSRF tokens, itsdangerous tokens) with "
        "SECRET_KEY. A key written in the source, or a literal fallback used when the "
        "environment variable is missing, is known to everyone who can read the repository or "
        "the image: they can forge sessions, including a logged-in administrator's. A "
        "development default left in place is the usual way this ships.",
        "read SECRET_KEY from the environment or a secret store without a literal fallback "
        "(SECRET_KEY = os.environ[\"SECRET_KEY\"])",
        "CWE-321",
        {"CWE-798", "CWE-489"},
        {"B105", "B106"},
    };
    return kInfo;
  }

  void check(const RuleContext& ctx, FindingSink& out) const override {
    for (const ConfigFact& c : ctx.facts.configs) {
      if (c.key != "SECRET_KEY") continue;
      const Value& v = c.value;
      if ((v.kind != VKind::Str && v.kind != VKind::Bytes) || v.fstring || !v.literal || v.s.empty()) continue;
      if (c.via == ConfigVia::FromObject || c.via == ConfigVia::FromPyfile || c.via == ConfigVia::DebugAttr) continue;
      if (c.via == ConfigVia::ModuleConst && ctx.facts.django_settings) continue;
      // Copied from a SECRET_KEY constant: reported once, where the literal is written.
      if (v.secret_origin && c.via != ConfigVia::ModuleConst && c.via != ConfigVia::ClassAttr) continue;
      std::string how = v.from_env ? "a literal fallback for SECRET_KEY" : "a literal SECRET_KEY";
      std::string where = c.via == ConfigVia::ClassAttr ? " in config class " + c.detail : "";
      out.report(c.loc, how + where + ": anyone with the source can forge session cookies");
    }
  }
};

}  // namespace

const Rule& bc007_secret_key() {
  static const SecretKey kRule;
  return kRule;
}

}  // namespace bastion::check::rules
