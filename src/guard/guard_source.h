// SPDX-License-Identifier: MIT
// The Python half of the debug guard: source text of the private module `_bastion_guard`
// that guard.cc executes inside the worker's interpreter. Plain data; no dependencies.
#pragma once

namespace bastion::guard {

/// Source of the `_bastion_guard` module. Its API, used by guard.cc only:
///   install()                        import hooks (BG004 interception, creation-site records)
///   inspect(app, label, module, raw_env, hook_error) -> [(rule, refuses, message, where, fix)]
extern const char kGuardSource[];

/// File name the module's code objects carry (tracebacks, and the frame filter that finds
/// the application's own file and line).
inline constexpr const char* kGuardFileName = "<bastion-guard>";

}  // namespace bastion::guard
