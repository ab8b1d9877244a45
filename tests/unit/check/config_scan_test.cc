// SPDX-License-Identifier: MIT
// Launch-file scanners: shell, Dockerfile, YAML (compose, Kubernetes), Procfile, env files.
#include "check/config_scan.h"

#include <gtest/gtest.h>

#include "check/shell.h"
#include "check/yaml.h"
#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::Hit;
using testing::scan_one;

struct Scanned {
  FileFacts facts;
  std::vector<LineComment> comments;
};

Scanned shell(std::string_view text) {
  Scanned s;
  scan_shell_script(text, "/nowhere", s.facts, s.comments);
  return s;
}

std::string words(const CommandFact& c) {
  std::string out;
  for (const auto& w : c.words) out += (out.empty() ? "" : " ") + w.text;
  return out;
}

TEST(Shell, WordsQuotesAndExpansions) {
  auto s = shell("HOST=0.0.0.0\nexec flask run --host \"$HOST\" --port ${PORT:-5000} '$literal' \\\n  --x=$(date)\n");
  ASSERT_EQ(s.facts.commands.size(), 1u);
  EXPECT_EQ(words(s.facts.commands[0]), "flask run --host 0.0.0.0 --port 5000 $literal --x=");
  EXPECT_EQ(s.facts.commands[0].loc.line, 2);
}

TEST(Shell, ExportsPrefixesAndWrappers) {
  auto s = shell(
      "export FLASK_DEBUG=1 OTHER\nFLASK_ENV=development gosu app tini -- flask run\n"
      "env -i FLASK_RUN_HOST=0.0.0.0 poetry run python -m flask run\nset -a\nAUTO=1\n");
  std::vector<std::string> names;
  for (const auto& e : s.facts.envs) names.push_back(e.name + "=" + e.value);
  EXPECT_EQ(names, (std::vector<std::string>{"FLASK_DEBUG=1", "FLASK_ENV=development", "FLASK_RUN_HOST=0.0.0.0",
                                             "AUTO=1"}));
  ASSERT_EQ(s.facts.commands.size(), 2u);
  EXPECT_EQ(words(s.facts.commands[0]), "flask run");
  EXPECT_EQ(words(s.facts.commands[1]), "python -m flask run");
}

TEST(Shell, IfAndCaseGatesFromScriptVariables) {
  auto s = shell(
      "MODE=${APP_MODE:-prod}\nif [ \"$MODE\" = \"dev\" ]; then\n  flask run --debug\nelif [ -z \"$MODE\" ]; then\n"
      "  echo none\nelse\n  gunicorn app:app\nfi\ncase \"$1\" in\n  dev|debug) flask run ;;\n  *) exec \"$@\" ;;\n"
      "esac\nif command -v x; then\n  flask run --reload\nfi\n");
  ASSERT_EQ(s.facts.commands.size(), 2u);
  EXPECT_EQ(words(s.facts.commands[0]), "gunicorn app:app");
  EXPECT_FALSE(s.facts.commands[0].maybe);
  EXPECT_EQ(words(s.facts.commands[1]), "flask run --reload");
  EXPECT_TRUE(s.facts.commands[1].maybe);
}

TEST(Shell, ShDashCHeredocsAndFunctions) {
  auto s = shell(
      "cat <<EOF > .env\nFLASK_DEBUG=1\nflask run\nEOF\nsh -c 'flask db upgrade && flask run -h 0.0.0.0'\n"
      "start() {\n  flask run --debug\n}\nfunction other {\n  gunicorn x\n}\n");
  std::vector<std::string> cmds;
  for (const auto& c : s.facts.commands) cmds.push_back(words(c));
  EXPECT_EQ(cmds, (std::vector<std::string>{"cat", "flask db upgrade", "flask run -h 0.0.0.0", "flask run --debug",
                                            "gunicorn x"}));
  EXPECT_TRUE(s.facts.envs.empty());
  EXPECT_EQ(s.facts.commands[2].loc.line, 5);
}

TEST(Shell, GlobMatch) {
  EXPECT_TRUE(shell_glob_match("dev*", "development"));
  EXPECT_TRUE(shell_glob_match("[dD]ev", "Dev"));
  EXPECT_TRUE(shell_glob_match("*", ""));
  EXPECT_FALSE(shell_glob_match("prod", "production"));
  EXPECT_TRUE(shell_glob_match("?rod*", "production"));
}

TEST(Yaml, BlockFlowAnchorsAndDocuments) {
  YamlFile f(
      "x-env: &env\n  A: 1\n  B: \"two # not a comment\"\nservices:\n  web:\n    environment:\n      <<: *env\n"
      "      C: three  # comment\n    command: [\"flask\", 'run',\n              --host=0.0.0.0]\n"
      "    ports:\n    - \"80:80\"\n    script: |\n      line one\n        indented\n---\nkind: X\nitems:\n"
      "  - name: a\n    value: \"1\"\n  - - nested\n");
  ASSERT_EQ(f.documents().size(), 2u);
  const YamlNode* web = f.documents()[0]->get("services")->get("web");
  ASSERT_NE(web, nullptr);
  auto env = web->get("environment")->all_entries();
  ASSERT_EQ(env.size(), 3u);
  EXPECT_EQ(env[1].second->value, "two # not a comment");
  EXPECT_EQ(env[2].second->value, "three");
  EXPECT_EQ(env[2].first->loc.line, 8);
  const YamlNode* cmd = web->get("command");
  ASSERT_EQ(cmd->kind, YamlNode::Seq);
  ASSERT_EQ(cmd->items.size(), 3u);
  EXPECT_EQ(cmd->items[2]->value, "--host=0.0.0.0");
  EXPECT_EQ(cmd->items[2]->loc.line, 10);
  EXPECT_EQ(web->get("ports")->items.size(), 1u);
  EXPECT_EQ(web->get("script")->value, "line one\n  indented\n");
  const YamlNode* items = f.documents()[1]->get("items");
  ASSERT_EQ(items->items.size(), 2u);
  EXPECT_EQ(items->items[0]->get("value")->value, "1");
  EXPECT_EQ(items->items[1]->kind, YamlNode::Seq);
}

TEST(Yaml, MalformedInputNeverFails) {
  YamlFile a("key: [unclosed, {also: \nfoo: 'bar\n  - x\n: y\n\t- tab\n*nope\n&a [*a]\n");
  YamlFile b(std::string(5000, '-') + "\n" + std::string(3000, ' ') + "x: 1\n");
  std::string deep;
  for (int k = 0; k < 200; ++k) deep += std::string(static_cast<size_t>(k), ' ') + "k:\n";
  YamlFile c(deep);
  SUCCEED();
}

TEST(Dockerfile, EnvFormsStagesAndCommands) {
  auto hits = scan_one("Dockerfile",
                       "# syntax=docker/dockerfile:1\nARG DEBUG=1\nFROM python:3 AS base\nARG DEBUG\n"
                       "ENV FLASK_DEBUG=$DEBUG \\\n    A=b\nENV FLASK_ENV development\nRUN <<EOF\nexport FLASK_DEBUG=1\nEOF\n"
                       "FROM node AS assets\nENV FLASK_DEBUG=1\nCMD [\"flask\", \"run\"]\n"
                       "FROM base\nWORKDIR /app\nCMD [\"sh\", \"-c\", \"flask run --host=0.0.0.0\"]\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"Dockerfile", 5, "BC004"},
                                 {"Dockerfile", 7, "BC004"},
                                 {"Dockerfile", 16, "BC005"},
                                 {"Dockerfile", 16, "BC006"}}));
}

TEST(Dockerfile, LastCmdWinsAndEntrypointScripts) {
  auto hits = scan_one("Dockerfile",
                       "FROM python\nCMD flask run\nCMD [\"gunicorn\", \"app:app\"]\n");
  EXPECT_TRUE(hits.empty());
  hits = scan_one("Dockerfile", "FROM python\nENTRYPOINT [\"/docker-entrypoint.sh\"]\nCMD [\"flask\", \"run\"]\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"Dockerfile", 3, "BC005"}}));  // `exec "$@"` runs CMD
}

TEST(Compose, ListAndMapEnvironmentAndCommands) {
  auto hits = scan_one("docker-compose.yml",
                       "services:\n  a:\n    environment:\n      - FLASK_DEBUG=1\n      - FLASK_DEBUG_X=1\n"
                       "      - FLASK_DEBUG=${UNSET_VAR}\n  b:\n    environment:\n      FLASK_DEBUG: 'no'\n"
                       "      FLASK_ENV: ${ENV:-development}\n    command: >\n      sh -c \"flask db upgrade &&\n"
                       "             flask run --host 0.0.0.0\"\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"docker-compose.yml", 4, "BC004"},
                                 {"docker-compose.yml", 10, "BC004"},
                                 {"docker-compose.yml", 11, "BC005"},
                                 {"docker-compose.yml", 13, "BC006"}}));
}

TEST(Kubernetes, EnvEntriesAndContainerCommand) {
  auto hits = scan_one("deploy.yaml",
                       "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    command: [\"python\"]\n"
                       "    args: [\"-m\", \"flask\", \"run\", \"--host\", \"0.0.0.0\"]\n    env:\n    - name: FLASK_DEBUG\n"
                       "      value: \"1\"\n    - name: FLASK_ENV\n      value: production\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"deploy.yaml", 6, "BC005"}, {"deploy.yaml", 7, "BC006"}, {"deploy.yaml", 9, "BC004"}}));
}

TEST(Procfile, OnlyTheWebProcess) {
  auto hits = scan_one("Procfile", "release: flask run\nweb: flask run --host=0.0.0.0 --port=$PORT\nworker: flask run\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"Procfile", 2, "BC005"}, {"Procfile", 2, "BC006"}}));
}

TEST(EnvFile, DotenvSyntax) {
  auto hits = scan_one(".env",
                       "# c\nexport FLASK_DEBUG=1\nFLASK_ENV = \"development\" # dev\nWERKZEUG_DEBUG_PIN='off'\n"
                       "FLASK_DEBUG=\"\"\nFLASK_DEBUG=False\nFLASK_DEBUG=No\nFLASK_RUN_HOST=${HOST:-0.0.0.0}\nBROKEN\n"
                       "MULTI=\"a\nb\"\nFLASK_DEBUG=0 # off\n");
  EXPECT_EQ(hits, (std::set<Hit>{{".env", 2, "BC004"}, {".env", 3, "BC004"}, {".env", 4, "BC004"}, {".env", 8, "BC006"}}));
}

}  // namespace
}  // namespace bastion::check
