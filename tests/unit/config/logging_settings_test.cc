// SPDX-License-Identifier: MIT
// The logging settings at load time: syslog address and facility checks, missing Python
// logging files, the warnings for gunicorn.error / gunicorn.access handlers, and that the
// implemented settings no longer warn "not implemented".
#include "config/logging_settings.h"

#include <gtest/gtest.h>

#include "config/cli.h"
#include "config_test_util.h"

namespace bastion::config {
namespace {

using testing::has_warning;
using testing::load_in;
using testing::load_ok;
using testing::ScratchDir;

TEST(LoggingSettings, SyslogChecks) {
  EXPECT_EQ(check_syslog_addr("udp://localhost:514"), "");
  EXPECT_EQ(check_syslog_addr("unix:///dev/log"), "");
  EXPECT_EQ(check_syslog_addr("tcp://10.0.0.1:601"), "");
  EXPECT_NE(check_syslog_addr("syslog.example:514"), "");
  EXPECT_EQ(check_syslog_facility("local0"), "");
  EXPECT_EQ(check_syslog_facility("DAEMON"), "");
  EXPECT_NE(check_syslog_facility("local9"), "");
  EXPECT_EQ(check_statsd_host("localhost:8125"), "");
  EXPECT_EQ(check_statsd_host("unix:///run/statsd.sock"), "");
  EXPECT_NE(check_statsd_host("localhost"), "");
  ScratchDir dir;
  auto bad = load_in(dir, {"--log-syslog-facility", "bogus", "app:app"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("--log-syslog-facility"), std::string::npos);
}

TEST(LoggingSettings, LoggersFound) {
  EXPECT_EQ(gunicorn_loggers_in_dict(
                R"({"version": 1, "loggers": {"gunicorn.error": {"handlers": ["f"]},
                    "gunicorn.access": {"level": "INFO"}, "app": {"handlers": ["f"]}}})"),
            std::vector<std::string>{"gunicorn.error"});
  EXPECT_TRUE(gunicorn_loggers_in_dict("not json").empty());
  EXPECT_EQ(gunicorn_loggers_in_ini("[logger_gunicorn]\nlevel=INFO\nqualname = gunicorn.access\n"),
            std::vector<std::string>{"gunicorn.access"});
}

TEST(LoggingSettings, ImplementedSettingsDoNotWarn) {
  ScratchDir dir;
  Loaded l = load_ok(dir, {"--capture-output", "--error-logfile", dir.file("e.log"),
                           "--log-syslog", "--log-syslog-to", "unix:///dev/log",
                           "--log-syslog-prefix", "web", "--log-syslog-facility", "local1",
                           "--disable-redirect-access-to-syslog", "--statsd-host",
                           "127.0.0.1:8125", "--statsd-prefix", "svc",
                           "--dogstatsd-tags", "env:ci", "app:app"});
  EXPECT_FALSE(has_warning(l, "not implemented")) << (l.warnings.empty() ? "" : l.warnings[0]);
  EXPECT_TRUE(l.config.capture_output);
  EXPECT_EQ(l.config.syslog_facility, "local1");
}

TEST(LoggingSettings, MissingFilesAreErrors) {
  ScratchDir dir;
  auto ini = load_in(dir, {"--log-config", "nope.ini", "app:app"});
  ASSERT_FALSE(ini.ok());
  EXPECT_NE(ini.error().message.find("nope.ini"), std::string::npos) << ini.error().message;
  dir.write("list.json", "[1, 2]");
  auto json = load_in(dir, {"--log-config-json", "list.json", "app:app"});
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.error().message.find("not a JSON object"), std::string::npos);
}

TEST(LoggingSettings, WarnsWhereServerLinesGo) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py",
            "logconfig_dict = {'version': 1, 'handlers': {'f': {'class': 'logging.NullHandler'}},\n"
            "                  'loggers': {'gunicorn.error': {'handlers': ['f']},\n"
            "                              'gunicorn.access': {'handlers': ['f']}}}\n"
            "accesslog = '-'\n");
  Loaded l = load_ok(dir, {"app:app"});
  EXPECT_TRUE(has_warning(l, "'gunicorn.error'"));
  EXPECT_TRUE(has_warning(l, "error log (stderr)"));
  EXPECT_TRUE(has_warning(l, "access log (stdout)"));
  dir.write("log.ini", "[loggers]\nkeys=root,g\n[logger_g]\nqualname=gunicorn.error\n");
  dir.write("gunicorn.conf.py", "logconfig = 'log.ini'\n");
  Loaded ini = load_ok(dir, {"app:app"});
  EXPECT_TRUE(has_warning(ini, "'gunicorn.error'"));
}

}  // namespace
}  // namespace bastion::config
