// SPDX-License-Identifier: MIT
// The rule interface. A rule is a stateless judge over one file's facts (check/facts.h);
// its metadata feeds every reporter (text, JSON, SARIF) and the docs. One rule per file
// under rules/. Rules may call the Project to resolve a script a command runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/facts.h"
#include "check/finding.h"
#include "check/project.h"

namespace bastion::check {

struct RuleInfo {
  std::string_view id;           // "BC001"
  std::string_view name;         // "debug-run"
  Severity severity = Severity::High;
  std::string_view title;        // one line: what it finds
  std::string_view description;  // a paragraph: why it matters
  std::string_view fix;          // one line: how to fix (printed after "--")
  std::string_view cwe;          // primary CWE, "CWE-489"
  std::vector<std::string_view> more_cwes;  // extra CWE tags for SARIF
  std::vector<std::string_view> bandit_ids; // Bandit ids whose `# nosec Bxxx` also silences it
};

/// What a rule sees: one file's facts and the project (for script lookups).
struct RuleContext {
  const FileFacts& facts;
  FileKind kind;
  Project& project;
};

/// Collects one rule's findings for one file. Not thread-safe.
class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void report(Loc loc, std::string message) = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  /// Appends this rule's findings for the file in `ctx` to `out`. Never throws.
  virtual void check(const RuleContext& ctx, FindingSink& out) const = 0;
};

/// Every rule, in id order. The objects live for the whole program.
const std::vector<const Rule*>& all_rules();
/// The rule with this id (any case), or null.
const Rule* find_rule(std::string_view id);

}  // namespace bastion::check
