// SPDX-License-Identifier: MIT
// Python config files and pyproject TOML, evaluated in a child interpreter: a real
// gunicorn.conf.py, hooks, typo warnings, value and Python errors with file and line,
// python:MODULE, the default file lookup, and the child's limits.
#include <gtest/gtest.h>

#include "config/cli.h"
#include "config/config_file.h"
#include "config_test_util.h"

namespace bastion::config {
namespace {

using testing::base_env;
using testing::has_warning;
using testing::load_in;
using testing::load_ok;
using testing::ScratchDir;

base::Error load_err(const ScratchDir& dir, std::vector<std::string> args) {
  auto r = load_in(dir, std::move(args));
  EXPECT_FALSE(r.ok());
  return r.ok() ? base::Error{} : std::move(r).error();
}

TEST(ConfigFile, GunicornDocumentationStyleExample) {
  ScratchDir dir;
  std::string conf = std::string(BASTION_SOURCE_DIR) + "/tests/apps/config/gunicorn.conf.py";
  Loaded l = load_ok(dir, {"-c", conf, "hello:app"});
  const Config& c = l.config;
  EXPECT_EQ(c.config_file, conf);
  EXPECT_EQ(c.bind, std::vector<std::string>{"127.0.0.1:8123"});
  EXPECT_EQ(c.backlog, 512);
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.worker_class, "gthread");
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.worker_connections, 500);
  EXPECT_EQ(c.timeout, 45);
  EXPECT_EQ(c.keepalive, 3);
  EXPECT_EQ(c.raw_env, (std::vector<std::string>{"GREETING=hello", "MODE=test"}));
  EXPECT_EQ(c.loglevel, "warning");
  EXPECT_EQ(c.accesslog, "-");
  EXPECT_NE(c.access_log_format.find("%(D)s"), std::string::npos);
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.pidfile, "");
  EXPECT_EQ(c.hooks, (std::vector<std::string>{"post_fork", "pre_fork", "pre_exec", "when_ready",
                                               "worker_int", "worker_abort"}));
  EXPECT_EQ(to_string(l.sources.at("worker_int")), "file:" + conf + ":98");
  EXPECT_EQ(l.warnings.size(), 0u);  // every hook in the file runs (pre_exec on USR2)
  auto src = l.sources.at("backlog");
  EXPECT_EQ(src.kind, SourceKind::File);
  EXPECT_EQ(src.where, conf + ":14");
  // The environment reaches the file (os.environ.get in the example).
  Environ env = base_env();
  env["BASTION_TEST_BIND"] = "127.0.0.1:9999";
  EXPECT_EQ(load_ok(dir, {"-c", conf, "hello:app"}, env).config.bind,
            std::vector<std::string>{"127.0.0.1:9999"});
}

TEST(ConfigFile, DefaultLookupPrefersBastionConf) {
  ScratchDir dir;
  EXPECT_TRUE(load_ok(dir, {"a:b"}).config.config_file.empty());
  dir.write("gunicorn.conf.py", "workers = 2\n");
  Loaded l = load_ok(dir, {"a:b"});
  EXPECT_EQ(l.config.workers, 2);
  EXPECT_EQ(l.config.config_path, "./gunicorn.conf.py");
  dir.write("bastion.conf.py", "workers = 3\n");
  l = load_ok(dir, {"a:b"});
  EXPECT_EQ(l.config.workers, 3);
  EXPECT_EQ(l.config.config_file, dir.file("bastion.conf.py"));
}

TEST(ConfigFile, WsgiAppAndCommandLinePriority) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "wsgi_app = 'site.wsgi:application'\nworkers = 2\n");
  EXPECT_EQ(load_ok(dir, {}).config.app_uri, "site.wsgi:application");
  EXPECT_EQ(load_ok(dir, {"other:app"}).config.app_uri, "other:app");
  EXPECT_EQ(load_ok(dir, {"-w", "5"}).config.workers, 5);
}

TEST(ConfigFile, TypoWarnings) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py",
            "import os\n"
            "worker = 4\n"
            "WORKERS = 4\n"
            "log_file = '/tmp/x.log'\n"
            "keep_alive = 5\n"
            "cores = os.cpu_count()\n"
            "def postfork(server, worker):\n"
            "    pass\n"
            "def helper():\n"
            "    pass\n"
            "_private = 1\n");
  Loaded l = load_ok(dir, {"a:b"});
  EXPECT_TRUE(has_warning(
      l, "./gunicorn.conf.py:2: 'worker' is not a setting and is ignored; did you mean "
         "'workers'?"));
  EXPECT_TRUE(has_warning(l, ":3: 'WORKERS' is not a setting and is ignored; did you mean "
                             "'workers'?"));
  EXPECT_TRUE(has_warning(l, ":4: 'log_file' is not a setting and is ignored; did you mean "
                             "'errorlog'?"));
  EXPECT_TRUE(has_warning(l, ":5: 'keep_alive' is not a setting"));
  EXPECT_TRUE(has_warning(l, ":7: 'postfork' is not a server hook and is ignored; did you mean "
                             "'post_fork'?"));
  EXPECT_FALSE(has_warning(l, "cores"));
  EXPECT_FALSE(has_warning(l, "helper"));
  EXPECT_EQ(l.warnings.size(), 5u);
  EXPECT_EQ(l.config.workers, 1);  // typos change nothing
}

TEST(ConfigFile, BadValueNamesFileAndLine) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "# comment\nworkers = 'abc'\n");
  base::Error e = load_err(dir, {"a:b"});
  EXPECT_EQ(e.message, "./gunicorn.conf.py:2: workers: 'abc' is not an integer");
  EXPECT_EQ(e.code, kExitUsage);
  dir.write("gunicorn.conf.py", "bind = 8000\n");
  EXPECT_EQ(load_err(dir, {"a:b"}).message,
            "./gunicorn.conf.py:1: bind: expected a string or a list of strings, got 8000");
  dir.write("gunicorn.conf.py", "import threading\ntimeout = threading.Lock()\n");
  EXPECT_NE(load_err(dir, {"a:b"}).message.find(
                "./gunicorn.conf.py:2: timeout: unsupported value <unlocked _thread.lock"),
            std::string::npos);
}

TEST(ConfigFile, PythonErrorsNameFileAndLine) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "workers = 2\n\nthreads = undefined_name\n");
  base::Error e = load_err(dir, {"a:b"});
  EXPECT_EQ(e.message,
            dir.file("gunicorn.conf.py") + ":3: NameError: name 'undefined_name' is not defined");
  EXPECT_EQ(e.code, kExitConfigFile);

  dir.write("gunicorn.conf.py", "workers = (\n");
  e = load_err(dir, {"a:b"});
  EXPECT_NE(e.message.find(dir.file("gunicorn.conf.py") + ":1: SyntaxError: "),
            std::string::npos)
      << e.message;

  dir.write("helper_mod.py", "def boom():\n    raise ValueError('bad helper')\n");
  dir.write("gunicorn.conf.py", "import helper_mod\nhelper_mod.boom()\n");
  e = load_err(dir, {"a:b"});
  EXPECT_NE(e.message.find(":2: ValueError: bad helper (raised in " + dir.file("helper_mod.py") +
                           ", line 2)"),
            std::string::npos)
      << e.message;

  dir.write("gunicorn.conf.py", "import sys\nsys.exit(3)\n");
  EXPECT_NE(load_err(dir, {"a:b"}).message.find(":2: SystemExit: 3"), std::string::npos);
}

TEST(ConfigFile, PrintsDoNotCorruptTheReport) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "print('{\"not\": \"json\"}')\nimport sys\n"
                                "sys.stdout.write('noise')\nworkers = 3\n");
  EXPECT_EQ(load_ok(dir, {"a:b"}).config.workers, 3);
}

TEST(ConfigFile, Hooks) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py",
            "def on_starting(server): pass\n"
            "def post_request(worker, req): pass\n"
            "def pre_request(*args): pass\n"
            "child_exit = 'os.path.join'\n"
            "post_worker_init = lambda worker: None\n");
  Loaded l = load_ok(dir, {"a:b"});
  EXPECT_EQ(l.config.hooks, (std::vector<std::string>{"on_starting", "post_request",
                                                      "pre_request", "child_exit",
                                                      "post_worker_init"}));
  dir.write("gunicorn.conf.py", "\n\ndef post_fork(server):\n    pass\n");
  base::Error e = load_err(dir, {"a:b"});
  EXPECT_EQ(e.message, dir.file("gunicorn.conf.py") +
                           ":3: post_fork must accept 2 arguments (server, worker); it accepts 1");
  dir.write("gunicorn.conf.py", "when_ready = 5\n");
  EXPECT_NE(load_err(dir, {"a:b"}).message.find(
                ":1: when_ready must be a callable taking (server), got 5"),
            std::string::npos);
}

TEST(ConfigFile, PythonModuleConfig) {
  ScratchDir dir;
  dir.write("settings_pkg/__init__.py", "");
  dir.write("settings_pkg/gconf.py", "workers = 6\nloglevel = 'debug'\n");
  Loaded l = load_ok(dir, {"-c", "python:settings_pkg.gconf", "a:b"});
  EXPECT_EQ(l.config.workers, 6);
  EXPECT_EQ(l.config.loglevel, "debug");
  EXPECT_EQ(l.config.config_file, "python:settings_pkg.gconf");
  base::Error e = load_err(dir, {"-c", "python:no_such_conf_mod", "a:b"});
  EXPECT_NE(e.message.find("ModuleNotFoundError: No module named 'no_such_conf_mod'"),
            std::string::npos)
      << e.message;
}

TEST(ConfigFile, NonPyExtensionWarns) {
  ScratchDir dir;
  dir.write("server.cfg", "workers = 2\n");
  Loaded l = load_ok(dir, {"-c", "server.cfg", "a:b"});
  EXPECT_EQ(l.config.workers, 2);
  EXPECT_TRUE(has_warning(l, "should have a .py extension"));
}

TEST(ConfigFile, PyprojectTable) {
  ScratchDir dir;
  dir.write("pyproject.toml",
            "[project]\nname = 'demo'\n\n"
            "[tool.bastion]\n"
            "bind = ['0.0.0.0:9000', 'unix:/tmp/b.sock']\n"
            "max-requests = 1000\n"
            "preload_app = true\n"
            "forwarded_allow_ips = '10.0.0.0/8'\n"
            "secure_scheme_headers = { X-FORWARDED-PROTO = 'https' }\n"
            "wrokers = 3\n");
  Loaded l = load_ok(dir, {"a:b"});
  EXPECT_EQ(l.config.bind, (std::vector<std::string>{"0.0.0.0:9000", "unix:/tmp/b.sock"}));
  EXPECT_EQ(l.config.max_requests, 1000);
  EXPECT_TRUE(l.config.preload_app);
  EXPECT_EQ(l.config.forwarded_allow_ips, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(l.config.secure_scheme_headers,
            (std::map<std::string, std::string>{{"X-FORWARDED-PROTO", "https"}}));
  EXPECT_TRUE(has_warning(l, "pyproject.toml [tool.bastion]: unknown setting 'wrokers' "
                             "(ignored); did you mean 'workers'?"));
  EXPECT_EQ(to_string(l.sources.at("max_requests")), "pyproject:pyproject.toml [tool.bastion]");
  EXPECT_TRUE(l.config.config_file.empty());

  dir.write("pyproject.toml", "[tool.bastion]\nworkers = 'many'\n");
  EXPECT_EQ(load_err(dir, {"a:b"}).message,
            "pyproject.toml [tool.bastion]: workers: 'many' is not an integer");
  dir.write("pyproject.toml", "[tool.bastion]\nworkers = \n");
  base::Error e = load_err(dir, {"a:b"});
  EXPECT_NE(e.message.find("pyproject.toml:2: TOML: "), std::string::npos) << e.message;
  EXPECT_EQ(e.code, kExitConfigFile);
  // Without a [tool.bastion] table the file is not even read.
  dir.write("pyproject.toml", "[project]\nname = 'x'\n");
  EXPECT_TRUE(load_ok(dir, {"a:b"}).warnings.empty());
}

TEST(ConfigFile, TomlConfigFile) {
  ScratchDir dir;
  dir.write("bastion.toml", "workers = 4\ntimeout = 10\n");
  Loaded l = load_ok(dir, {"-c", "bastion.toml", "a:b"});
  EXPECT_EQ(l.config.workers, 4);
  EXPECT_EQ(l.config.timeout, 10);
  EXPECT_EQ(to_string(l.sources.at("workers")), "file:bastion.toml");
}

TEST(ConfigFile, ChildLimits) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "import time\ntime.sleep(30)\n");
  LoadOptions options;
  options.cwd = dir.path();
  options.python = testing::test_python();
  options.config_timeout_ms = 300;
  auto r = load_args({"a:b"}, base_env(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("did not finish within"), std::string::npos);
  EXPECT_EQ(r.error().code, kExitConfigFile);

  dir.write("gunicorn.conf.py", "workers = 2\n");
  options.python = "/nonexistent/python3";
  r = load_args({"a:b"}, base_env(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot run /nonexistent/python3"), std::string::npos);
}

TEST(ConfigFile, FindPython) {
  Environ env;
  env["PATH"] = "/nonexistent:/usr/bin";
  EXPECT_EQ(find_python("/x/python", env), "/x/python");
  std::string found = find_python("", env);
  EXPECT_TRUE(found.empty() || found == "/usr/bin/python3");
  env["PATH"] = "/nonexistent";
  EXPECT_EQ(find_python("", env), "");
  ScratchDir venv;
  venv.write("bin/python3", "#!/bin/sh\n");
  ::chmod(venv.file("bin/python3").c_str(), 0755);
  env["VIRTUAL_ENV"] = venv.path();
  EXPECT_EQ(find_python("", env), venv.file("bin/python3"));
}

}  // namespace
}  // namespace bastion::config
