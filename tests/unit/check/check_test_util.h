// SPDX-License-Identifier: MIT
// Helpers for the bastion check unit tests: a temporary directory tree removed on
// destruction, and a one-call scan returning (path, line, rule) triples.
#pragma once

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "check/scanner.h"

namespace bastion::check::testing {

/// A scratch directory; files are written relative to it.
class TempTree {
 public:
  TempTree() {
    char tmpl[] = "/tmp/bastion_check_test_XXXXXX";
    char* d = ::mkdtemp(tmpl);
    root_ = d != nullptr ? d : "/tmp";
  }
  ~TempTree() {
    ::nftw(root_.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
           FTW_DEPTH | FTW_PHYS);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }

  void write(const std::string& rel, const std::string& text) const {
    std::string full = path(rel);
    for (size_t p = full.find('/', root_.size() + 1); p != std::string::npos; p = full.find('/', p + 1))
      ::mkdir(full.substr(0, p).c_str(), 0755);
    std::ofstream out(full, std::ios::binary);
    out << text;
  }

 private:
  std::string root_;
};

using Hit = std::tuple<std::string, int, std::string>;  // path, line, rule

/// Scans `root` and returns the findings as (path relative to root, line, rule).
inline std::set<Hit> scan_hits(const std::string& root, ScanOptions opts = {}) {
  opts.paths = {root};
  auto r = run_scan(opts);
  std::set<Hit> out;
  if (!r.ok()) return out;
  for (const Finding& f : r->findings) {
    std::string p = f.path;
    if (p.rfind(root + "/", 0) == 0) p = p.substr(root.size() + 1);
    out.emplace(p, f.loc.line, f.rule);
  }
  return out;
}

/// Writes one file into a fresh tree and scans it.
inline std::set<Hit> scan_one(const std::string& name, const std::string& text, ScanOptions opts = {}) {
  TempTree t;
  t.write(name, text);
  return scan_hits(t.root(), std::move(opts));
}

}  // namespace bastion::check::testing
