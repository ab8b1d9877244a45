// SPDX-License-Identifier: MIT
// Entry point: subcommand dispatch (serve | check). Placeholder until the core lands.
#include <cstdio>
int main() { std::puts("bastion: under construction"); return 0; }
