// SPDX-License-Identifier: MIT
// What `bastion check` reports: findings (rule, place, message) and notes (files it could
// not read or fully parse). Plain values; only the STL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "check/facts.h"

namespace bastion::check {

enum class Severity : uint8_t { Low = 0, Medium = 1, High = 2 };

std::string_view severity_name(Severity s);
/// Parses "low", "medium", "high" (any case). False if unknown.
bool parse_severity(std::string_view text, Severity* out);

struct Finding {
  std::string rule;       // "BC001"
  Severity severity = Severity::High;
  std::string path;       // as displayed (relative to the scanned root when possible)
  Loc loc;
  std::string message;
};

struct Note {
  std::string path;
  std::string message;
};

}  // namespace bastion::check
