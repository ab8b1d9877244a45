// SPDX-License-Identifier: MIT
// Scanners for the files that decide how an application is launched: Dockerfiles, YAML
// (docker compose, Kubernetes, App Engine, CI), Procfiles, .env files and shell scripts.
// Each appends facts to `out` and suppression-relevant comments to `comments`. `dir` is
// the file's directory (absolute), used to resolve scripts a command runs. Pure functions
// of their input text; any input is accepted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/facts.h"
#include "check/project.h"

namespace bastion::check {

void scan_dockerfile(std::string_view text, const std::string& dir, FileFacts& out,
                     std::vector<LineComment>& comments);
void scan_yaml(std::string_view text, const std::string& dir, FileFacts& out,
               std::vector<LineComment>& comments);
void scan_procfile(std::string_view text, const std::string& dir, FileFacts& out,
                   std::vector<LineComment>& comments);
void scan_env_file(std::string_view text, const std::string& dir, FileFacts& out,
                   std::vector<LineComment>& comments);
void scan_shell_script(std::string_view text, const std::string& dir, FileFacts& out,
                       std::vector<LineComment>& comments);

}  // namespace bastion::check
