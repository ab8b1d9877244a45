// SPDX-License-Identifier: MIT
// Reporters: the text line format, and JSON and SARIF parsed back with nlohmann::json.
#include "check/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/json.h"
#include "check/suppress.h"
#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::TempTree;

ScanResult sample() {
  static TempTree* t = [] {
    auto* tree = new TempTree();
    tree->write("app dir/app.py",
                "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'k\\xff\"'\n"
                "if __name__ == '__main__':\n    app.run(debug=True)\n");
    tree->write("bad.py", std::string("\0\0", 2));
    return tree;
  }();
  ScanOptions o;
  o.paths = {t->root()};
  auto r = run_scan(o);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

TEST(Report, TextLineFormat) {
  ScanResult r = sample();
  std::string text = render_text(r);
  EXPECT_NE(text.find("app dir/app.py:5:13: BC001 [high] "), std::string::npos) << text;
  EXPECT_NE(text.find(" (CWE-489) -- "), std::string::npos);
  EXPECT_NE(text.find(":3:1: BC007 [medium] "), std::string::npos);
  std::string notes = render_text_notes(r);
  EXPECT_NE(notes.find("bad.py: note: skipped: binary file"), std::string::npos);
  EXPECT_NE(notes.find("2 findings"), std::string::npos);
}

TEST(Report, JsonParsesBack) {
  ScanResult r = sample();
  auto j = nlohmann::json::parse(render_json(r));
  ASSERT_EQ(j["findings"].size(), 2u);
  EXPECT_EQ(j["findings"][0]["rule"], "BC007");
  EXPECT_EQ(j["findings"][0]["line"], 3);
  EXPECT_EQ(j["findings"][1]["rule"], "BC001");
  EXPECT_EQ(j["findings"][1]["cwe"], "CWE-489");
  EXPECT_EQ(j["notes"].size(), 1u);
  EXPECT_EQ(j["summary"]["findings"], 2);
}

TEST(Report, SarifIsValid210WithRuleMetadata) {
  ScanResult r = sample();
  auto j = nlohmann::json::parse(render_sarif(r));
  EXPECT_EQ(j["version"], "2.1.0");
  EXPECT_NE(j["$schema"].get<std::string>().find("sarif-2.1.0"), std::string::npos);
  const auto& run = j["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 7u);
  for (const auto& rule : rules) {
    EXPECT_FALSE(rule["id"].get<std::string>().empty());
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["markdown"].get<std::string>().empty());
    bool has_cwe = false;
    for (const auto& tag : rule["properties"]["tags"]) has_cwe |= tag.get<std::string>().rfind("external/cwe/cwe-", 0) == 0;
    EXPECT_TRUE(has_cwe);
    EXPECT_TRUE(rule["properties"].contains("security-severity"));
  }
  ASSERT_EQ(run["results"].size(), 2u);
  const auto& res = run["results"][1];
  EXPECT_EQ(res["ruleId"], "BC001");
  EXPECT_EQ(rules[res["ruleIndex"].get<size_t>()]["id"], "BC001");
  EXPECT_EQ(res["level"], "error");
  const auto& loc = res["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["region"]["startLine"], 5);
  std::string uri = loc["artifactLocation"]["uri"];
  EXPECT_NE(uri.find("app%20dir/app.py"), std::string::npos);
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"].size(), 1u);
}

TEST(Report, JsonEscapingIsValidUtf8) {
  // The reporters use base::json_escape: output stays valid JSON and valid UTF-8.
  EXPECT_EQ(base::json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  EXPECT_EQ(base::json_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(base::json_escape("\xc3\xa9"), "\xc3\xa9");
}

TEST(Suppress, CommentForms) {
  const RuleInfo& bc001 = find_rule("BC001")->info();
  const RuleInfo& bc006 = find_rule("bc006")->info();
  EXPECT_TRUE(comment_suppresses(" nosec", bc001));
  EXPECT_TRUE(comment_suppresses(" nosec B201", bc001));
  EXPECT_FALSE(comment_suppresses(" nosec B104", bc001));
  EXPECT_TRUE(comment_suppresses(" nosec B104", bc006));
  EXPECT_TRUE(comment_suppresses(" nosec: BC006, B201", bc006));
  EXPECT_TRUE(comment_suppresses(" bastion: ignore[BC001]", bc001));
  EXPECT_FALSE(comment_suppresses(" bastion: ignore[BC002]", bc001));
  EXPECT_TRUE(comment_suppresses(" bastion: ignore", bc006));
  EXPECT_TRUE(comment_suppresses(" nosec - reviewed", bc006));
  EXPECT_FALSE(comment_suppresses(" no sec", bc006));
}

}  // namespace
}  // namespace bastion::check
