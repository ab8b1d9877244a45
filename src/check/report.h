// SPDX-License-Identifier: MIT
// Reporters for `bastion check`: text (one line per finding), JSON, and SARIF 2.1.0 with
// rule metadata, help text and CWE tags (what GitHub code scanning ingests). Output is
// always valid UTF-8 (invalid bytes become U+FFFD). Only the STL and check/.
#pragma once

#include <string>
#include <string_view>

#include "check/scanner.h"

namespace bastion::check {

enum class OutputFormat { Text, Json, Sarif };

/// Parses "text", "json", "sarif". False if unknown.
bool parse_format(std::string_view text, OutputFormat* out);

/// `path:line:col: BC001 [high] message (CWE-489) -- fix`, one line per finding.
std::string render_text(const ScanResult& result);
/// Notes and the summary line for text mode (written to stderr by the CLI).
std::string render_text_notes(const ScanResult& result);
std::string render_json(const ScanResult& result);
std::string render_sarif(const ScanResult& result);

}  // namespace bastion::check
