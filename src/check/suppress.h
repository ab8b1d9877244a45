// SPDX-License-Identifier: MIT
// Suppression comments: `# nosec`, `# nosec B201` (Bandit ids map to the matching rules),
// `# bastion: ignore` and `# bastion: ignore[BC001,BC006]`. Only the STL.
#pragma once

#include <string_view>
#include <vector>

#include "check/project.h"
#include "check/rule.h"

namespace bastion::check {

/// True when the comment text (without '#') silences `rule`.
bool comment_suppresses(std::string_view comment, const RuleInfo& rule);

/// True when a comment on `line` (or, with `previous_line`, on the line before: Dockerfile
/// comments cannot share a line with an instruction) silences `rule`.
bool is_suppressed(const std::vector<LineComment>& comments, int32_t line, const RuleInfo& rule,
                   bool previous_line);
/// Same, and a comment on any line of a multi-line statement (`spans`) containing `line`.
bool is_suppressed(const std::vector<LineComment>& comments, const std::vector<LineSpan>& spans, int32_t line,
                   const RuleInfo& rule, bool previous_line);

}  // namespace bastion::check
