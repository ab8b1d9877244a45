// SPDX-License-Identifier: MIT
// One accessor per rule, each defined in its own file; the registry (check/registry.cc)
// lists them. Adding a rule: a new file here, one line in the registry, docs/rules/BC00N.md
// and tests/check_examples/BC00N/.
#pragma once

#include "check/rule.h"

namespace bastion::check::rules {

const Rule& bc001_debug_run();
const Rule& bc002_debug_config();
const Rule& bc003_debugger_wsgi();
const Rule& bc004_debug_env();
const Rule& bc005_dev_server();
const Rule& bc006_bind_all();
const Rule& bc007_secret_key();

}  // namespace bastion::check::rules
