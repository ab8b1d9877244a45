// SPDX-License-Identifier: MIT
// run_cli(): options, exit statuses and output files.
#include "check/cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::TempTree;

int run(const std::vector<std::string>& args) {
  std::vector<std::string> all;
  all.reserve(args.size() + 1);
  all.emplace_back("check");
  for (const auto& a : args) all.push_back(a);
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  return run_cli(static_cast<int>(all.size()), argv.data());
}

std::string slurp(const std::string& path) {
  std::string out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    t.write("bad/app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n");
    t.write("good/app.py", "from flask import Flask\napp = Flask(__name__)\n");
  }
  TempTree t;
};

TEST_F(Cli, ExitStatuses) {
  EXPECT_EQ(run({t.path("good")}), 0);
  EXPECT_EQ(run({"--format", "json", "--output", t.path("o.json"), t.path("bad")}), 1);
  EXPECT_EQ(run({"--app", "app:app"}), 2);
  EXPECT_EQ(run({"--bogus"}), 2);
  EXPECT_EQ(run({t.path("missing")}), 2);
  EXPECT_EQ(run({"--format=xml", t.path("bad")}), 2);
  EXPECT_EQ(run({"--select", "BC999", t.path("bad")}), 2);
  EXPECT_EQ(run({"--severity", "urgent", t.path("bad")}), 2);
  EXPECT_EQ(run({"--format"}), 2);
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_EQ(run({"--list-rules"}), 0);
}

TEST_F(Cli, SelectIgnoreAndSeverity) {
  std::string out = t.path("o.json");
  EXPECT_EQ(run({"--format", "json", "-o", out, "--severity", "high", t.path("bad")}), 0);
  EXPECT_EQ(run({"--format", "json", "-o", out, "--select", "BC005", t.path("bad")}), 1);
  auto j = nlohmann::json::parse(slurp(out));
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["rule"], "BC005");
  EXPECT_EQ(run({"--format", "json", "-o", out, "--ignore", "BC005,bc006", t.path("bad")}), 0);
  EXPECT_EQ(run({"--format=sarif", "--output=" + out, "--exclude", "app.py", t.path("bad")}), 0);
  EXPECT_EQ(nlohmann::json::parse(slurp(out))["version"], "2.1.0");
}

TEST_F(Cli, TextOutputFile) {
  std::string out = t.path("o.txt");
  EXPECT_EQ(run({"-o", out, t.path("bad"), t.path("good")}), 1);
  std::string text = slurp(out);
  EXPECT_NE(text.find("/bad/app.py:3:1: BC005 [medium]"), std::string::npos) << text;
  EXPECT_NE(text.find("/bad/app.py:3:9: BC006 [medium]"), std::string::npos) << text;
}

}  // namespace
}  // namespace bastion::check
