// SPDX-License-Identifier: MIT
// The rule registry and severity names.
#include <cctype>

#include "check/finding.h"
#include "check/rule.h"
#include "check/rules/rules.h"

namespace bastion::check {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
  }
  return "high";
}

bool parse_severity(std::string_view text, Severity* out) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "low") *out = Severity::Low;
  else if (t == "medium") *out = Severity::Medium;
  else if (t == "high") *out = Severity::High;
  else return false;
  return true;
}

const std::vector<const Rule*>& all_rules() {
  static const std::vector<const Rule*> kRules = {
      &rules::bc001_debug_run(),  &rules::bc002_debug_config(), &rules::bc003_debugger_wsgi(),
      &rules::bc004_debug_env(),  &rules::bc005_dev_server(),   &rules::bc006_bind_all(),
      &rules::bc007_secret_key(),
  };
  return kRules;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule* r : all_rules()) {
    std::string_view rid = r->info().id;
    if (rid.size() != id.size()) continue;
    bool same = true;
    for (size_t k = 0; k < id.size(); ++k)
      if (std::toupper(static_cast<unsigned char>(id[k])) != rid[k]) same = false;
    if (same) return r;
  }
  return nullptr;
}

}  // namespace bastion::check
