// SPDX-License-Identifier: MIT
// Shared meanings the rules agree on: Flask's reading of FLASK_DEBUG, what "every
// interface" is, and how a launch command is read (flask run, python -m flask, python
// script.py). Only the STL and check/facts.h.
#pragma once

#include <string>
#include <string_view>

#include "check/facts.h"

namespace bastion::check {

/// Flask's get_debug_flag(): "", "0", "false", "no" (any case, trimmed) are off.
bool flask_debug_env_on(std::string_view value);
/// FLASK_ENV=development (any case, trimmed).
bool flask_env_development(std::string_view value);
/// WERKZEUG_DEBUG_PIN=off disables the debugger PIN.
bool werkzeug_pin_off(std::string_view value);
/// 0.0.0.0, ::, [::] and equivalents.
bool is_all_interfaces(std::string_view host);

/// A launch command read as a Flask/Werkzeug start.
struct LaunchCommand {
  enum Kind : uint8_t { Other, FlaskRun, PythonScript, PythonModule } kind = Other;
  const CommandWord* debug_flag = nullptr;  // --debug / --reload / --debugger
  const CommandWord* host_flag = nullptr;   // --host / -h (the flag word)
  std::string host;
  std::string target;                       // the script path or module name
  std::string first_arg;                    // the word after the script or module
};

/// Reads `cmd` (wrappers already removed by the scanners).
LaunchCommand read_launch_command(const CommandFact& cmd);

}  // namespace bastion::check
