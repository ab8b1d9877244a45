// SPDX-License-Identifier: MIT
// `bastion check --app`: argument forms and errors, and the text and JSON reports.
#include "guard/dry_run.h"
#include "base/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bastion::guard {
namespace {

base::Result<CheckOptions> parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return parse_check_args(static_cast<int>(argv.size()), argv.data());
}

TEST(CheckArgs, AllForms) {
  auto r = parse({"check", "--app", "m:app", "--format=json", "--chdir", "/srv", "--pythonpath",
                  "a,b", "--pythonpath=c", "-e", "A=1", "-eB=2", "--env", "C=x=y", "--env=D="});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->app_uri, "m:app");
  EXPECT_EQ(r->format, "json");
  EXPECT_EQ(r->chdir, "/srv");
  // Server semantics (config::load_args): -e accumulates, --pythonpath's last value wins.
  EXPECT_EQ(r->pythonpath, (std::vector<std::string>{"c"}));
  EXPECT_EQ(r->server_args.size(), 11u);
  EXPECT_EQ(r->raw_env, (std::vector<std::string>{"A=1", "B=2", "C=x=y", "D="}));
}

TEST(CheckArgs, Defaults) {
  auto r = parse({"check", "--app=m"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->format, "text");
  EXPECT_TRUE(r->raw_env.empty());
}

TEST(CheckArgs, Errors) {
  EXPECT_FALSE(parse({"check"}).ok());
  EXPECT_FALSE(parse({"check", "--app"}).ok());
  EXPECT_FALSE(parse({"check", "--app", "m", "--format", "xml"}).ok());
  EXPECT_FALSE(parse({"check", "--app", "m", "-e", "NOVALUE"}).ok());
  EXPECT_FALSE(parse({"check", "--app", "m", "-e", "=x"}).ok());
  auto r = parse({"check", "--app", "m", "--wrokers", "3"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--wrokers"), std::string::npos);
  auto help = parse({"check", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
}

TEST(CheckReport, JsonEscape) {
  EXPECT_EQ(base::json_escape("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
  EXPECT_EQ(base::json_escape("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(CheckReport, Json) {
  std::vector<Finding> findings{{"BG001", "debug \"on\"", "fix it", true, "m:app"},
                                {"BG006", "no key", "set it", false, "m:app"}};
  std::string json = render_json("m:app", findings);
  EXPECT_NE(json.find("\"would_refuse\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"exit_status\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"server_exit_status\": 9"), std::string::npos) << json;
  EXPECT_NE(json.find("\"refusing\": 1, \"warnings\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"message\": \"debug \\\"on\\\"\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"severity\": \"warning\""), std::string::npos) << json;
  std::string clean = render_json("m:app", {});
  EXPECT_NE(clean.find("\"would_refuse\": false"), std::string::npos) << clean;
  EXPECT_NE(clean.find("\"findings\": []"), std::string::npos) << clean;
  std::string failed = render_json_failure("m:app", 5, "no module named 'm'");
  EXPECT_NE(failed.find("\"exit_status\": 5"), std::string::npos) << failed;
  EXPECT_NE(failed.find("\"would_refuse\": null"), std::string::npos) << failed;
}

TEST(CheckReport, Text) {
  std::vector<Finding> findings{{"BG002", "debugger", "remove it", true, "m:app.wsgi_app"}};
  std::string text = render_text("m:app", findings);
  EXPECT_NE(text.find("BG002 error: debugger"), std::string::npos) << text;
  EXPECT_NE(text.find("where: m:app.wsgi_app"), std::string::npos) << text;
  EXPECT_NE(text.find("would be REFUSED"), std::string::npos) << text;
  EXPECT_NE(render_text("m:app", {}).find("passes the debug guard"), std::string::npos);
}

}  // namespace
}  // namespace bastion::guard
