// SPDX-License-Identifier: MIT
// The labelled examples: tests/check_examples/BC00N/ (one folder per rule, bad and good
// cases) and tests/check_examples/corpus/ (realistic projects). Each folder's expected.txt
// lists every finding as `path:line RULE`; the scan must match it exactly, and per-rule
// precision and recall over all folders must stay at or above 0.95 and 0.90.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::Hit;

const std::string kExamples = std::string(BASTION_SOURCE_DIR) + "/tests/check_examples";
const char* kFolders[] = {"BC001", "BC002", "BC003", "BC004", "BC005", "BC006", "BC007", "corpus"};

std::set<Hit> expected(const std::string& dir) {
  std::set<Hit> out;
  std::ifstream in(dir + "/expected.txt");
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string loc, rule;
    if (!(fields >> loc >> rule)) continue;
    size_t colon = loc.rfind(':');
    out.emplace(loc.substr(0, colon), std::stoi(loc.substr(colon + 1)), rule);
  }
  return out;
}

std::string describe(const std::set<Hit>& hits) {
  std::string s;
  for (const auto& [p, l, r] : hits) s += "  " + p + ":" + std::to_string(l) + " " + r + "\n";
  return s;
}

class Examples : public ::testing::TestWithParam<const char*> {};

TEST_P(Examples, MatchExactly) {
  std::string dir = kExamples + "/" + GetParam();
  std::set<Hit> want = expected(dir);
  ASSERT_FALSE(want.empty()) << "no expected.txt in " << dir;
  std::set<Hit> got = testing::scan_hits(dir);
  std::set<Hit> extra, missing;
  for (const Hit& h : got)
    if (!want.count(h)) extra.insert(h);
  for (const Hit& h : want)
    if (!got.count(h)) missing.insert(h);
  EXPECT_TRUE(extra.empty()) << "unexpected findings:\n" << describe(extra);
  EXPECT_TRUE(missing.empty()) << "missing findings:\n" << describe(missing);
}

INSTANTIATE_TEST_SUITE_P(CheckExamples, Examples, ::testing::ValuesIn(kFolders));

TEST(Examples, PrecisionAndRecallPerRule) {
  struct Count {
    int tp = 0, fp = 0, fn = 0;
  };
  std::map<std::string, Count> per_rule;
  int files = 0;
  for (const char* folder : kFolders) {
    std::string dir = kExamples + "/" + folder;
    std::set<Hit> want = expected(dir);
    std::set<Hit> got = testing::scan_hits(dir);
    ScanOptions o;
    o.paths = {dir};
    o.include_tests = true;
    auto r = run_scan(o);
    if (r.ok()) files += static_cast<int>(r->stats.files);
    for (const Hit& h : got) (want.count(h) ? per_rule[std::get<2>(h)].tp : per_rule[std::get<2>(h)].fp)++;
    for (const Hit& h : want)
      if (!got.count(h)) per_rule[std::get<2>(h)].fn++;
  }
  EXPECT_GE(files, 80) << "the labelled corpus should keep at least 80 scanned files";
  std::printf("rule   tp  fp  fn  precision  recall\n");
  for (const char* id : {"BC001", "BC002", "BC003", "BC004", "BC005", "BC006", "BC007"}) {
    const Count& c = per_rule[id];
    double precision = c.tp + c.fp == 0 ? 1.0 : static_cast<double>(c.tp) / (c.tp + c.fp);
    double recall = c.tp + c.fn == 0 ? 1.0 : static_cast<double>(c.tp) / (c.tp + c.fn);
    std::printf("%s %3d %3d %3d     %.3f   %.3f\n", id, c.tp, c.fp, c.fn, precision, recall);
    EXPECT_GT(c.tp, 0) << id << " has no labelled positives";
    EXPECT_GE(precision, 0.95) << id;
    EXPECT_GE(recall, 0.90) << id;
  }
}

}  // namespace
}  // namespace bastion::check
