// SPDX-License-Identifier: MIT
// Command-line tokenising: argparse-compatible forms, errors, shlex splitting, suggestions.
#include "config/args.h"

#include <gtest/gtest.h>

namespace bastion::config {
namespace {

ParsedArgs parse_ok(std::vector<std::string> args) {
  auto parsed = parse_args(args);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : ParsedArgs{};
}

std::string parse_error(std::vector<std::string> args) {
  auto parsed = parse_args(args);
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(ParseArgs, ValueForms) {
  ParsedArgs p = parse_ok({"-w", "4", "--threads=8", "-t30", "-b=:80", "--bind", "unix:/s",
                           "app:app", "--access-logfile", "-", "--max-requests", "-1"});
  ASSERT_EQ(p.items.size(), 7u);
  EXPECT_EQ(p.items[0].setting->name, "workers");
  EXPECT_EQ(p.items[0].flag, "-w");
  EXPECT_EQ(p.items[0].value.s, "4");
  EXPECT_EQ(p.items[1].value.s, "8");
  EXPECT_EQ(p.items[2].setting->name, "timeout");
  EXPECT_EQ(p.items[2].value.s, "30");
  EXPECT_EQ(p.items[3].value.s, ":80");
  EXPECT_EQ(p.items[4].value.s, "unix:/s");
  EXPECT_EQ(p.items[5].value.s, "-");  // "-" is a value, not an option
  EXPECT_EQ(p.positionals, std::vector<std::string>{"app:app"});
  EXPECT_EQ(parse_ok({"--max-requests", "-1"}).items[0].value.s, "-1");
}

TEST(ParseArgs, BoolsNegativesAndClusters) {
  ParsedArgs p = parse_ok({"--preload", "--no-sendfile", "-DR", "--reload=false", "x:y"});
  ASSERT_EQ(p.items.size(), 5u);
  EXPECT_TRUE(p.items[0].value.b);
  EXPECT_EQ(p.items[1].setting->name, "sendfile");
  EXPECT_FALSE(p.items[1].value.b);
  EXPECT_EQ(p.items[2].setting->name, "daemon");
  EXPECT_EQ(p.items[3].setting->name, "enable_stdio_inheritance");
  EXPECT_EQ(p.items[4].value.s, "false");
  EXPECT_EQ(p.positionals, std::vector<std::string>{"x:y"});
  ParsedArgs q = parse_ok({"-Dw4"});
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(q.items[1].setting->name, "workers");
  EXPECT_EQ(q.items[1].value.s, "4");
}

TEST(ParseArgs, OptionalValues) {
  ParsedArgs p = parse_ok({"--print-config", "app:app"});
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_TRUE(p.items[0].value.b);  // app:app is not a format: left as the application
  EXPECT_EQ(p.positionals.size(), 1u);
  EXPECT_EQ(parse_ok({"--print-config=json"}).items[0].value.s, "json");
  EXPECT_EQ(parse_ok({"--print-config", "json"}).items[0].value.s, "json");
  EXPECT_EQ(parse_ok({"--proxy-protocol", "v2"}).items[0].value.s, "v2");
}

TEST(ParseArgs, PrefixesAndAliases) {
  EXPECT_EQ(parse_ok({"--thr", "3"}).items[0].setting->name, "threads");
  EXPECT_NE(parse_error({"--work", "3"}).find("ambiguous"), std::string::npos);
  EXPECT_EQ(parse_ok({"--worker-cl=sync"}).items[0].setting->name, "worker_class");
  EXPECT_EQ(parse_ok({"--limit-request-field-size", "9"}).items[0].setting->name,
            "limit_request_field_size");
  EXPECT_EQ(parse_ok({"--keepalive", "5"}).items[0].setting->name, "keepalive");
  EXPECT_NE(parse_error({"--log", "x"}).find("ambiguous option '--log' could match"),
            std::string::npos);
}

TEST(ParseArgs, SpecialsAndDoubleDash) {
  EXPECT_TRUE(parse_ok({"--help"}).help);
  EXPECT_TRUE(parse_ok({"-h"}).help);
  EXPECT_TRUE(parse_ok({"--version"}).version);
  EXPECT_TRUE(parse_ok({"-v"}).version);
  EXPECT_TRUE(parse_ok({"--dump-config-doc"}).dump_doc);
  ParsedArgs p = parse_ok({"-w", "2", "--", "--weird-module:app"});
  EXPECT_EQ(p.positionals, std::vector<std::string>{"--weird-module:app"});
}

TEST(ParseArgs, Errors) {
  EXPECT_EQ(parse_error({"--wrokers", "4"}),
            "unrecognized option '--wrokers' (did you mean --workers?)");
  EXPECT_EQ(parse_error({"--max_requests", "4"}),
            "unrecognized option '--max_requests' (did you mean --max-requests?)");
  EXPECT_EQ(parse_error({"--frobnicate"}), "unrecognized option '--frobnicate' (see --help)");
  EXPECT_EQ(parse_error({"-x"}), "unrecognized option '-x' (see --help)");
  EXPECT_EQ(parse_error({"-w"}), "-w: expected INT after it");
  EXPECT_EQ(parse_error({"--bind", "--workers", "2"}), "--bind: expected ADDRESS after it");
  EXPECT_EQ(parse_error({"--no-sendfile=1"}), "--no-sendfile takes no value");
  EXPECT_EQ(parse_error({"--help=1"}), "--help takes no value");
}

TEST(Shlex, PosixRules) {
  auto words = shlex_split(R"(  --bind=127.0.0.1 --workers=3 "a b" 'c "d"' e\ f "g\"h" '' x)");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(*words, (std::vector<std::string>{"--bind=127.0.0.1", "--workers=3", "a b",
                                               "c \"d\"", "e f", "g\"h", "", "x"}));
  EXPECT_EQ(shlex_split(R"(--access-logformat "%(h)s \\ \q")").value(),
            (std::vector<std::string>{"--access-logformat", "%(h)s \\ \\q"}));
  EXPECT_TRUE(shlex_split("   ")->empty());
  EXPECT_FALSE(shlex_split("'open").ok());
  EXPECT_FALSE(shlex_split("\"open").ok());
  EXPECT_FALSE(shlex_split("trailing\\").ok());
}

TEST(Suggest, Distances) {
  EXPECT_EQ(edit_distance("worker", "workers"), 1);
  EXPECT_EQ(edit_distance("timeuot", "timeout"), 1);  // transposition
  EXPECT_EQ(edit_distance("", "abc"), 3);
  const std::vector<std::string> names{"workers", "timeout", "bind", "threads"};
  EXPECT_EQ(closest("worker", names), "workers");
  EXPECT_EQ(closest("WORKERS", names), "workers");
  EXPECT_EQ(closest("thread", names), "threads");
  EXPECT_EQ(closest("port", names), "");   // short words need distance 1
  EXPECT_EQ(closest("cores", names), "");
  EXPECT_EQ(closest("workers", names), "");  // an exact name is not a typo
}

}  // namespace
}  // namespace bastion::config
