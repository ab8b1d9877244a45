// SPDX-License-Identifier: MIT
// The walker: classification, .gitignore, --exclude, tests, virtualenvs, binary and huge files.
#include "check/walker.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "check/glob.h"
#include "check/source_file.h"
#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::TempTree;

std::vector<std::string> walk(const TempTree& t, WalkOptions opts = {}) {
  Walker w(std::move(opts));
  std::vector<WalkEntry> out;
  std::vector<Note> notes;
  EXPECT_TRUE(w.add(t.root(), out, notes));
  std::vector<std::string> rel;
  for (const auto& e : out) rel.push_back(e.display.substr(t.root().size() + 1));
  return rel;
}

TEST(Walker, ClassifiesByName) {
  EXPECT_EQ(classify_name("app.py"), FileKind::Python);
  EXPECT_EQ(classify_name("Dockerfile"), FileKind::Dockerfile);
  EXPECT_EQ(classify_name("Dockerfile.prod"), FileKind::Dockerfile);
  EXPECT_EQ(classify_name("web.dockerfile"), FileKind::Dockerfile);
  EXPECT_EQ(classify_name("Containerfile"), FileKind::Dockerfile);
  EXPECT_EQ(classify_name("docker-compose.override.yml"), FileKind::Yaml);
  EXPECT_EQ(classify_name("Procfile"), FileKind::Procfile);
  EXPECT_EQ(classify_name(".env"), FileKind::EnvFile);
  EXPECT_EQ(classify_name(".env.local"), FileKind::EnvFile);
  EXPECT_EQ(classify_name(".flaskenv"), FileKind::EnvFile);
  EXPECT_EQ(classify_name("prod.env"), FileKind::EnvFile);
  EXPECT_EQ(classify_name("boot.sh"), FileKind::Shell);
  EXPECT_FALSE(classify_name("README.md"));
  EXPECT_FALSE(classify_name("Makefile"));
  EXPECT_TRUE(is_test_file_name("test_app.py"));
  EXPECT_TRUE(is_test_file_name("app_test.py"));
  EXPECT_TRUE(is_test_file_name("conftest.py"));
  EXPECT_FALSE(is_test_file_name("testing.py"));
  EXPECT_FALSE(is_test_file_name("contest.py"));
}

TEST(Walker, SkipsTestsVenvsAndVcsByDefault) {
  TempTree t;
  t.write("app.py", "");
  t.write("tests/test_x.py", "");
  t.write("test/helper.py", "");
  t.write("pkg/test_unit.py", "");
  t.write("pkg/conftest.py", "");
  t.write("scripts/run.sh", "");
  t.write(".venv/lib/x.py", "");
  t.write("env/pyvenv.cfg", "");
  t.write("env/lib/y.py", "");
  t.write(".git/hooks/pre-commit.sh", "");
  t.write("node_modules/a/b.py", "");
  t.write("bin/entrypoint", "#!/bin/bash\nflask run\n");
  t.write("bin/tool", "#!/usr/bin/env python3\nprint(1)\n");
  t.write("bin/data", "no shebang\n");
  auto files = walk(t);
  EXPECT_EQ(files, (std::vector<std::string>{"app.py", "bin/entrypoint", "bin/tool", "scripts/run.sh"}));
  auto with_tests = walk(t, {{}, true});
  EXPECT_EQ(with_tests.size(), 8u);
}

TEST(Walker, GitignoreAndExcludes) {
  TempTree t;
  t.write(".gitignore", "*.log\nbuild/\n/secret.py\n!keep.py\ngen_*.py\n");
  t.write("a/.gitignore", "local.py\n");
  t.write("app.py", "");
  t.write("secret.py", "");
  t.write("a/secret.py", "");
  t.write("a/local.py", "");
  t.write("a/gen_x.py", "");
  t.write("keep.py", "");
  t.write("build/out.py", "");
  t.write("migrations/env.py", "");
  t.write("docs/conf.py", "");
  auto files = walk(t, {{"migrations", "docs/*.py"}, false});
  EXPECT_EQ(files, (std::vector<std::string>{"a/secret.py", "app.py", "keep.py"}));
}

TEST(Walker, MissingPathIsReported) {
  Walker w({});
  std::vector<WalkEntry> out;
  std::vector<Note> notes;
  EXPECT_FALSE(w.add("/nonexistent/bastion/path", out, notes));
}

TEST(Glob, PathGlobs) {
  EXPECT_TRUE(path_glob_match("*.py", "app.py"));
  EXPECT_FALSE(path_glob_match("*.py", "a/app.py"));
  EXPECT_TRUE(path_glob_match("**/*.py", "a/b/app.py"));
  EXPECT_TRUE(path_glob_match("**/*.py", "app.py"));
  EXPECT_TRUE(path_glob_match("a/**", "a/b/c"));
  EXPECT_TRUE(path_glob_match("a/**/z", "a/z"));
  EXPECT_TRUE(path_glob_match("a/**/z", "a/b/c/z"));
  EXPECT_TRUE(path_glob_match("[a-c]?.txt", "bx.txt"));
  EXPECT_FALSE(path_glob_match("[!a-c]?.txt", "bx.txt"));
  EXPECT_TRUE(path_glob_match("[unclosed", "[unclosed"));
  EXPECT_FALSE(path_glob_match(std::string(60, '*') + "x", std::string(200, 'a')));
}

TEST(SourceFile, BinaryAndHugeFilesAreRefused) {
  TempTree t;
  t.write("bin.py", std::string("x = 1\0\1\2", 8));
  t.write("big.py", std::string(kMaxScanBytes + 1, '#'));
  auto bin = read_source(t.path("bin.py"));
  ASSERT_FALSE(bin.ok());
  EXPECT_NE(bin.error().message.find("binary"), std::string::npos);
  auto big = read_source(t.path("big.py"));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("larger"), std::string::npos);
  ScanOptions opts;
  opts.paths = {t.root()};
  auto r = run_scan(opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->notes.size(), 2u);
  EXPECT_TRUE(r->findings.empty());
}

}  // namespace
}  // namespace bastion::check
