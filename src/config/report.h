// SPDX-License-Identifier: MIT
// Text generated from the settings table: --help, --print-config (text and JSON),
// docs/configuration.md and a one-line startup summary. Pure functions of their arguments
// (print_config also reads the effective uid/gid for the Gunicorn-style user/group lines);
// any thread.
#pragma once

#include <cstdio>
#include <string>

#include "config/config.h"
#include "config/settings.h"

namespace bastion::config {

/// The --help text: usage line, then every flag grouped by section with its help and default.
std::string usage_text();

/// The resolved configuration. Text (config.print_config_format != "json"): one
/// "name = value" line per setting and hook, sorted by name, values as Gunicorn's
/// --print-config shows them (Python str() of the value: None, True, ['a'], ...), then
/// '#' comment lines listing the source of every value that is not a built-in default.
/// JSON: {"settings": {name: {"value": V, "source": "default" | "env:PORT" | ...}},
/// "hooks": [...], "config_file": "..."}.
std::string format_config(const Config& config, const Sources& sources, bool json);
/// Writes format_config(config, sources, config.print_config_format == "json") to `out`.
void print_config(const Config& config, const Sources& sources, FILE* out);

/// docs/configuration.md, generated from the table (bastion --dump-config-doc).
std::string config_doc_markdown();

/// One line for the startup log: "app=hello:app bind=[127.0.0.1:8000] workers=2 threads=1 ...".
std::string summary(const Config& config);

}  // namespace bastion::config
