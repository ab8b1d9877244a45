// SPDX-License-Identifier: MIT
// Generated text: --print-config (text and JSON), --help, the startup summary, and the check
// that docs/configuration.md is the current output of the generator.
#include "config/report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/cli.h"
#include "config_test_util.h"

namespace bastion::config {
namespace {

using testing::base_env;
using testing::load_in;
using testing::load_ok;
using testing::ScratchDir;

std::string line_of(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return line;
  }
  return "";
}

std::string value_of(const std::string& text, const std::string& name) {
  std::string line = line_of(text, name);
  size_t eq = line.find(" = ");
  return eq == std::string::npos ? "<missing>" : line.substr(eq + 3);
}

TEST(PrintConfig, GunicornStyleText) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "workers = 3\ndef post_fork(server, worker): pass\n");
  Environ env = base_env();
  env["PORT"] = "5000";
  Loaded l = load_ok(dir, {"--threads", "4", "--print-config", "--pythonpath", "a,b", "app:app"},
                     env);
  std::string text = format_config(l.config, l.sources, false);
  EXPECT_EQ(value_of(text, "workers"), "3");
  EXPECT_EQ(value_of(text, "threads"), "4");
  EXPECT_EQ(value_of(text, "bind"), "['0.0.0.0:5000']");
  EXPECT_EQ(value_of(text, "accesslog"), "None");
  EXPECT_EQ(value_of(text, "errorlog"), "-");
  EXPECT_EQ(value_of(text, "preload_app"), "False");
  EXPECT_EQ(value_of(text, "sendfile"), "True");
  EXPECT_EQ(value_of(text, "print_config"), "True");
  EXPECT_EQ(value_of(text, "pythonpath"), "a,b");
  EXPECT_EQ(value_of(text, "forwarded_allow_ips"), "['127.0.0.1', '::1']");
  EXPECT_EQ(value_of(text, "secure_scheme_headers"),
            "{'X-FORWARDED-PROTO': 'https', 'X-FORWARDED-PROTOCOL': 'ssl', "
            "'X-FORWARDED-SSL': 'on'}");
  EXPECT_EQ(value_of(text, "access_log_format"),
            R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")");
  EXPECT_EQ(value_of(text, "user"), std::to_string(::geteuid()));
  EXPECT_EQ(value_of(text, "chdir"), dir.path());
  EXPECT_EQ(value_of(text, "post_fork"), "<post_fork()>");
  EXPECT_EQ(value_of(text, "on_exit"), "<default>");
  EXPECT_EQ(value_of(text, "limit_request_body"), "104857600");
  // Every setting has a line, names are padded to one column, lines are sorted.
  for (const Setting& s : settings()) EXPECT_NE(line_of(text, std::string(s.name)), "") << s.name;
  size_t col = line_of(text, "bind").find(" = ");
  EXPECT_EQ(line_of(text, "workers").find(" = "), col);
  EXPECT_LT(text.find("\naccesslog "), text.find("\nworkers "));
  // Sources of non-default values, as comments.
  EXPECT_NE(text.find("#   workers"), std::string::npos);
  EXPECT_NE(text.find("file:./gunicorn.conf.py:1\n"), std::string::npos);
  EXPECT_NE(text.find("cmdline:--threads\n"), std::string::npos);
  EXPECT_NE(text.find("env:PORT\n"), std::string::npos);
  EXPECT_EQ(text.find("#   timeout"), std::string::npos);
}

TEST(PrintConfig, Json) {
  ScratchDir dir;
  Loaded l = load_ok(dir, {"-w", "2", "--print-config=json", "app:app"});
  std::string text = format_config(l.config, l.sources, true);
  auto root = json::parse(text);
  ASSERT_TRUE(root.ok()) << root.error().message;
  const json::Value* all = root->find("settings");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->find("workers")->find("value")->i, 2);
  EXPECT_EQ(all->find("workers")->find("source")->s, "cmdline:-w");
  EXPECT_EQ(all->find("timeout")->find("source")->s, "default");
  EXPECT_TRUE(all->find("accesslog")->find("value")->is_null());
  EXPECT_EQ(all->find("bind")->find("value")->array[0].s, "127.0.0.1:8000");
  EXPECT_EQ(all->object.size(), settings().size());

  char* buf = nullptr;
  size_t size = 0;
  FILE* mem = ::open_memstream(&buf, &size);
  print_config(l.config, l.sources, mem);
  std::fclose(mem);
  EXPECT_EQ(std::string(buf, size), text);
  std::free(buf);
}

TEST(Usage, ListsEveryFlag) {
  std::string text = usage_text();
  EXPECT_EQ(text.rfind("usage: bastion [OPTIONS] [MODULE:APP]", 0), 0u);
  for (const Setting& s : settings()) {
    for (std::string_view list : {s.flags, s.neg_flags}) {
      size_t start = 0;
      while (start < list.size()) {
        size_t sp = list.find(' ', start);
        if (sp == std::string_view::npos) sp = list.size();
        std::string flag(list.substr(start, sp - start));
        EXPECT_NE(text.find(flag), std::string::npos) << flag;
        start = sp + 1;
      }
    }
  }
  EXPECT_NE(text.find("-w INT, --workers INT"), std::string::npos);
  EXPECT_NE(text.find("--print-config[=FORMAT]"), std::string::npos);
  EXPECT_EQ(text.find("--dump-config-doc"), std::string::npos);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 100u) << line;
}

TEST(Summary, OneLine) {
  Config c;
  c.app_uri = "hello:app";
  c.workers = 2;
  EXPECT_EQ(summary(c),
            "app=hello:app bind=[127.0.0.1:8000] workers=2 threads=1 timeout=30 keepalive=2");
}

// docs/configuration.md must be exactly what the generator prints. To refresh it:
//   ./build/bastion --dump-config-doc > docs/configuration.md
// or run this test with BASTION_UPDATE_DOCS=1 in the environment.
TEST(ConfigDoc, IsFresh) {
  std::string path = std::string(BASTION_SOURCE_DIR) + "/docs/configuration.md";
  if (const char* update = std::getenv("BASTION_UPDATE_DOCS"); update && *update == '1') {
    std::ofstream(path) << config_doc_markdown();
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing; generate it with bastion --dump-config-doc";
  std::stringstream committed;
  committed << in.rdbuf();
  std::string generated = config_doc_markdown();
  EXPECT_TRUE(committed.str() == generated)
      << path << " is stale; regenerate it with: bastion --dump-config-doc > " << path;
  for (const Setting& s : settings()) {
    EXPECT_NE(generated.find("#### `" + std::string(s.name) + "`"), std::string::npos) << s.name;
  }
}

}  // namespace
}  // namespace bastion::config
