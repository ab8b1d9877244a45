// SPDX-License-Identifier: MIT
// Command-line tokens -> (setting, value) items, with argparse's conventions as Gunicorn uses
// them: "--flag value", "--flag=value", "-w4", "-w 4", clustered short flags ("-DR"), unique
// prefixes of long flags ("--work" = "--workers"), "--" ending options, "-" as a value.
// Also shlex-style splitting for GUNICORN_CMD_ARGS / BASTION_CMD_ARGS, and the "did you
// mean" suggestions. No I/O; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/json.h"
#include "config/settings.h"

namespace bastion::config {

struct ParsedArgs {
  struct Item {
    const Setting* setting = nullptr;
    std::string flag;   ///< As typed, without any "=value" ("--workers", "-w").
    json::Value value;  ///< A string for flags with values; true/false for bool flags.
  };
  std::vector<Item> items;               ///< In command-line order.
  std::vector<std::string> positionals;  ///< MODULE:APP (and anything unexpected).
  bool help = false;                     ///< -h / --help
  bool version = false;                  ///< -v / --version
  bool dump_doc = false;                 ///< --dump-config-doc (hidden)
};

/// Parses `args` (without the program name). Errors are one line naming the flag:
/// "unrecognized option '--wrokers' (did you mean --workers?)",
/// "--workers: expected a value". They carry no "bastion: error:" prefix.
base::Result<ParsedArgs> parse_args(const std::vector<std::string>& args);

/// Splits `text` like Python's shlex.split (POSIX mode, no comments): whitespace separates,
/// '...' is literal, "..." honours \\ \" \$ \` escapes, a backslash outside quotes escapes the
/// next character. Error on an unterminated quote or trailing backslash.
base::Result<std::vector<std::string>> shlex_split(std::string_view text);

/// Optimal-string-alignment edit distance (Damerau-Levenshtein without repeated edits).
int edit_distance(std::string_view a, std::string_view b);

/// The closest of `candidates` to `word` if it is close enough to be a likely typo (distance
/// 1 for words of up to 5 characters, else 2; or the same word in another case), else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace bastion::config
