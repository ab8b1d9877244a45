// SPDX-License-Identifier: MIT
// Helpers for the config unit tests: a scratch directory with files, and a minimal
// environment that still lets the config-file child find python3.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <vector>

#include "config/cli.h"

namespace bastion::config::testing {

/// A fresh directory under $TMPDIR, removed (with its contents) on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bastion-config-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(file(name)).parent_path());
    std::ofstream(file(name)) << text;
  }

 private:
  std::string path_;
};

/// PATH and HOME from the real environment (so python3 is found), nothing else.
inline Environ base_env() {
  Environ env;
  for (const char* name : {"PATH", "HOME", "PYENV_ROOT", "PYENV_VERSION"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  return env;
}

/// The real interpreter behind `python3` (not a pyenv shim), found once: tests start many
/// config-file children, and a shim adds a shell script to each start.
inline const std::string& test_python() {
  static const std::string path = [] {
    std::string found = find_python("", base_env());
    std::string out;
    if (FILE* p = ::popen((found + " -c 'import sys; print(sys.executable)'").c_str(), "r")) {
      char buf[4096];
      while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      ::pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out.empty() ? found : out;
  }();
  return path;
}

/// load_args() in `dir` with `env`.
inline base::Result<Loaded> load_in(const ScratchDir& dir, std::vector<std::string> args,
                                    Environ env = base_env()) {
  LoadOptions options;
  options.cwd = dir.path();
  options.python = test_python();
  return load_args(args, env, options);
}

/// load_in() that must succeed (a failure is reported with its message).
inline Loaded load_ok(const ScratchDir& dir, std::vector<std::string> args,
                      Environ env = base_env()) {
  auto r = load_in(dir, std::move(args), std::move(env));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : Loaded{};
}

/// True when some warning contains `needle`.
inline bool has_warning(const Loaded& loaded, const std::string& needle) {
  for (const std::string& w : loaded.warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace bastion::config::testing
