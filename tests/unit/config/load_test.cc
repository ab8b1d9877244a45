// SPDX-License-Identifier: MIT
// load(): sources and precedence (each source over the one below), environment-derived
// defaults, GUNICORN_CMD_ARGS / BASTION_CMD_ARGS, error messages and exit statuses, and how
// settings Bastion does not honour are reported.
#include <gtest/gtest.h>

#include "config/cli.h"
#include "config_test_util.h"

namespace bastion::config {
namespace {

using testing::base_env;
using testing::has_warning;
using testing::load_in;
using testing::load_ok;
using testing::ScratchDir;

base::Error load_err(const ScratchDir& dir, std::vector<std::string> args,
                     Environ env = base_env()) {
  auto r = load_in(dir, std::move(args), std::move(env));
  EXPECT_FALSE(r.ok());
  return r.ok() ? base::Error{} : std::move(r).error();
}

std::string source_of(const Loaded& l, const std::string& name) {
  auto it = l.sources.find(name);
  return it == l.sources.end() ? "default" : to_string(it->second);
}

TEST(Load, DefaultsOnly) {
  ScratchDir dir;
  Loaded l = load_ok(dir, {"app:app"});
  EXPECT_EQ(l.action, Action::Serve);
  EXPECT_EQ(l.config.app_uri, "app:app");
  EXPECT_EQ(l.config.workers, 1);
  EXPECT_EQ(l.config.bind, std::vector<std::string>{"127.0.0.1:8000"});
  EXPECT_EQ(l.config.chdir, dir.path());
  EXPECT_TRUE(l.config.config_file.empty());
  EXPECT_TRUE(l.warnings.empty());
  EXPECT_EQ(source_of(l, "wsgi_app"), "cmdline:MODULE:APP");
  EXPECT_EQ(source_of(l, "workers"), "default");
}

TEST(Load, EachSourceOverridesTheOneBelow) {
  ScratchDir dir;
  Environ env = base_env();
  auto check = [&](int want, const std::string& source) {
    Loaded l = load_ok(dir, {"app:app"}, env);
    EXPECT_EQ(l.config.workers, want) << source;
    EXPECT_EQ(source_of(l, "workers"), source);
  };
  check(1, "default");
  env["WEB_CONCURRENCY"] = "3";
  check(3, "env:WEB_CONCURRENCY");
  dir.write("pyproject.toml", "[project]\nname = 'x'\n[tool.bastion]\nworkers = 4\n");
  check(4, "pyproject:pyproject.toml [tool.bastion]");
  dir.write("gunicorn.conf.py", "workers = 5\n");
  check(5, "file:./gunicorn.conf.py:1");
  env["GUNICORN_CMD_ARGS"] = "--workers=6";
  check(6, "env:GUNICORN_CMD_ARGS");
  env["BASTION_CMD_ARGS"] = "-w 7";
  check(7, "env:BASTION_CMD_ARGS");
  Loaded l = load_ok(dir, {"-w", "8", "app:app"}, env);
  EXPECT_EQ(l.config.workers, 8);
  EXPECT_EQ(source_of(l, "workers"), "cmdline:-w");
}

TEST(Load, EnvironmentDerivedDefaults) {
  ScratchDir dir;
  Environ env = base_env();
  env["PORT"] = "5000";
  env["FORWARDED_ALLOW_IPS"] = "10.0.0.1,10.0.0.2";
  env["SENDFILE"] = "0";
  Loaded l = load_ok(dir, {"app:app"}, env);
  EXPECT_EQ(l.config.bind, std::vector<std::string>{"0.0.0.0:5000"});
  EXPECT_EQ(source_of(l, "bind"), "env:PORT");
  EXPECT_EQ(l.config.forwarded_allow_ips, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_FALSE(l.config.sendfile);
  // The command line replaces the PORT-derived bind entirely.
  l = load_ok(dir, {"-b", "127.0.0.1:1", "app:app"}, env);
  EXPECT_EQ(l.config.bind, std::vector<std::string>{"127.0.0.1:1"});

  env["WEB_CONCURRENCY"] = "lots";
  base::Error e = load_err(dir, {"app:app"}, env);
  EXPECT_EQ(e.message, "$WEB_CONCURRENCY: 'lots' is not an integer");
  EXPECT_EQ(e.code, kExitUsage);
  env.erase("WEB_CONCURRENCY");
  env["PORT"] = "http";
  e = load_err(dir, {"app:app"}, env);
  EXPECT_EQ(e.message, "$PORT: '0.0.0.0:http': 'http' is not a valid port number (0-65535)");
}

TEST(Load, RepeatableFlagsAccumulateWithinOneSource) {
  ScratchDir dir;
  dir.write("gunicorn.conf.py", "bind = ['10.0.0.1:1', '10.0.0.2:2']\nraw_env = ['A=1']\n");
  Loaded l = load_ok(dir, {"-b", "127.0.0.1:8001", "--bind=[::1]:8002", "-e", "B=2", "app:app"});
  EXPECT_EQ(l.config.bind, (std::vector<std::string>{"127.0.0.1:8001", "[::1]:8002"}));
  EXPECT_EQ(l.config.raw_env, std::vector<std::string>{"B=2"});
  l = load_ok(dir, {"app:app"});
  EXPECT_EQ(l.config.bind, (std::vector<std::string>{"10.0.0.1:1", "10.0.0.2:2"}));
}

TEST(Load, CmdArgsVariables) {
  ScratchDir dir;
  Environ env = base_env();
  env["GUNICORN_CMD_ARGS"] = "--bind=127.0.0.1 --workers=3 --access-logformat '%(h)s %(r)s'";
  Loaded l = load_ok(dir, {"app:app"}, env);
  EXPECT_EQ(l.config.bind, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(l.config.workers, 3);
  EXPECT_EQ(l.config.access_log_format, "%(h)s %(r)s");
  // BASTION_CMD_ARGS is read the same way and wins over GUNICORN_CMD_ARGS.
  env["BASTION_CMD_ARGS"] = "--workers 9 --timeout=5";
  l = load_ok(dir, {"app:app"}, env);
  EXPECT_EQ(l.config.workers, 9);
  EXPECT_EQ(l.config.timeout, 5);
  EXPECT_EQ(l.config.bind, std::vector<std::string>{"127.0.0.1"});
  // The application may come from the variable when the command line has none.
  env["BASTION_CMD_ARGS"] = "hello:app";
  EXPECT_EQ(load_ok(dir, {}, env).config.app_uri, "hello:app");
  EXPECT_EQ(load_ok(dir, {"other:app"}, env).config.app_uri, "other:app");

  env["GUNICORN_CMD_ARGS"] = "--workers=abc";
  base::Error e = load_err(dir, {"app:app"}, env);
  EXPECT_EQ(e.message, "GUNICORN_CMD_ARGS: --workers: 'abc' is not an integer");
  EXPECT_EQ(e.code, kExitUsage);
  env["GUNICORN_CMD_ARGS"] = "--bind 'oops";
  EXPECT_EQ(load_err(dir, {"app:app"}, env).message,
            "GUNICORN_CMD_ARGS: no closing quotation (')");
  env["GUNICORN_CMD_ARGS"] = "--wrkers 2";
  EXPECT_EQ(load_err(dir, {"app:app"}, env).message,
            "GUNICORN_CMD_ARGS: unrecognized option '--wrkers' (did you mean --workers?)");
}

TEST(Load, ConfigFileNamedInCmdArgs) {
  ScratchDir dir;
  dir.write("a.conf.py", "workers = 2\n");
  dir.write("b.conf.py", "workers = 3\n");
  dir.write("c.conf.py", "workers = 4\n");
  Environ env = base_env();
  env["GUNICORN_CMD_ARGS"] = "-c a.conf.py";
  EXPECT_EQ(load_ok(dir, {"app:app"}, env).config.workers, 2);
  env["BASTION_CMD_ARGS"] = "-c b.conf.py";
  EXPECT_EQ(load_ok(dir, {"app:app"}, env).config.workers, 3);
  Loaded l = load_ok(dir, {"-c", "file:c.conf.py", "app:app"}, env);
  EXPECT_EQ(l.config.workers, 4);
  EXPECT_EQ(l.config.config_file, dir.file("c.conf.py"));
}

TEST(Load, CommandLineErrors) {
  ScratchDir dir;
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"--workers", "abc", "app:app"}, "--workers: 'abc' is not an integer"},
      {{"-w", "0", "app:app"}, "-w: 0 is too small (minimum 1)"},
      {{"--threads", "2.5", "app:app"}, "--threads: '2.5' is not an integer"},
      {{"-b", "::1:80", "app:app"},
       "-b: '::1:80': IPv6 addresses need brackets, as in [::1]:8000"},
      {{"--log-level", "loud", "app:app"},
       "--log-level: 'loud' is not one of debug, info, warning, error, critical"},
      {{"--forwarded-allow-ips", "proxy", "app:app"},
       "--forwarded-allow-ips: invalid address 'proxy' (expected an IP, a CIDR block or *)"},
      {{"-e", "NOVALUE", "app:app"}, "-e: 'NOVALUE' is not KEY=VALUE"},
      {{"--preload=perhaps", "app:app"},
       "--preload: 'perhaps' is not a boolean (use true or false)"},
      {{"a:app", "b:app"},
       "unexpected argument 'b:app' (the application is 'a:app'; options take one value each)"},
      {{"-w", "2"},
       "no application given: add MODULE:APP to the command line (e.g. 'bastion -w 4 "
       "myproject.wsgi:app') or set wsgi_app in the config file"},
      {{"-c", "missing.py", "app:app"}, "--config: config file 'missing.py' doesn't exist"},
      {{"--chdir", "no/such/dir", "app:app"}, "--chdir: 'no/such/dir' is not a directory"},
      {{"-u", "no-such-user-xyz", "app:app"}, "-u: no such user 'no-such-user-xyz'"},
  };
  for (const Case& c : cases) {
    base::Error e = load_err(dir, c.args);
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(e.code, kExitUsage) << c.message;
  }
}

TEST(Load, InfoActionsShortCircuit) {
  ScratchDir dir;
  EXPECT_EQ(load_ok(dir, {"--help"}).action, Action::Help);
  EXPECT_EQ(load_ok(dir, {"-w", "abc", "--version"}).action, Action::Version);
  EXPECT_EQ(load_ok(dir, {"--dump-config-doc"}).action, Action::DumpDoc);
  Environ env = base_env();
  env["GUNICORN_CMD_ARGS"] = "--version";
  EXPECT_EQ(load_ok(dir, {}, env).action, Action::Version);
}

TEST(Load, PrintAndCheckConfig) {
  ScratchDir dir;
  Loaded l = load_ok(dir, {"--print-config"});  // no app needed just to print
  EXPECT_TRUE(l.config.print_config);
  EXPECT_EQ(l.config.print_config_format, "text");
  l = load_ok(dir, {"--print-config=json", "app:app"});
  EXPECT_EQ(l.config.print_config_format, "json");
  l = load_ok(dir, {"--check-config", "app:app"});
  EXPECT_TRUE(l.config.check_config);
  EXPECT_FALSE(l.config.print_config);
  EXPECT_FALSE(load_in(dir, {"--check-config"}).ok());
}

TEST(Load, SettingsBastionDoesNotHonour) {
  ScratchDir dir;
  // Cannot apply: an error that says what to do instead.
  base::Error e = load_err(dir, {"--paste", "development.ini"});
  EXPECT_NE(e.message.find("--paste: Bastion does not read PasteDeploy"), std::string::npos);
  EXPECT_EQ(e.code, kExitUsage);
  e = load_err(dir, {"-k", "uvicorn.workers.UvicornWorker", "app:app"});
  EXPECT_NE(e.message.find("-k: 'uvicorn.workers.UvicornWorker' is an ASGI worker"),
            std::string::npos);
  e = load_err(dir, {"--protocol", "uwsgi", "app:app"});
  EXPECT_NE(e.message.find("uwsgi_pass"), std::string::npos);
  // TLS files are read at load time (in the master): a missing one is a usage error.
  e = load_err(dir, {"--certfile", "c.pem", "--keyfile", "k.pem", "app:app"});
  EXPECT_NE(e.message.find("--certfile: cannot read '"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("c.pem': No such file or directory"), std::string::npos);
  EXPECT_EQ(e.code, kExitUsage);
  // Served another way: a warning.
  Loaded l = load_ok(dir, {"-k", "gevent", "--threads", "4", "app:app"});
  EXPECT_TRUE(has_warning(l, "-k: 'gevent' workers are not available; Bastion serves with its "
                             "own event loop and --threads 4"));
  l = load_ok(dir, {"--spew", "--permit-obsolete-folding", "app:app"});
  EXPECT_TRUE(has_warning(l, "--spew: spew has no effect in Bastion."));
  EXPECT_TRUE(has_warning(l, "always strict"));
  // Implemented (no "not implemented" row is left in the table): no warning.
  EXPECT_TRUE(load_ok(dir, {"-D", "-R", "--enable-backlog-metric", "app:app"}).warnings.empty());
  // Defaults of such settings are silent; Gunicorn's --no-control-socket is accepted.
  EXPECT_TRUE(load_ok(dir, {"-k", "sync", "--no-control-socket", "app:app"}).warnings.empty());
  EXPECT_TRUE(load_ok(dir, {"-k", "gthread", "app:app"}).warnings.empty());
}

TEST(Load, ConflictsAndCrossChecks) {
  ScratchDir dir;
  base::Error e = load_err(dir, {"--reload", "--preload", "app:app"});
  EXPECT_NE(e.message.find("--reload cannot be combined with --preload"), std::string::npos);
  e = load_err(dir, {"--allow-debug", "-b", "0.0.0.0:8000", "app:app"});
  EXPECT_NE(e.message.find("--allow-debug is refused with the non-loopback bind '0.0.0.0:8000'"),
            std::string::npos);
  EXPECT_EQ(e.code, base::kExitDebugRefused);
  EXPECT_TRUE(load_in(dir, {"--allow-debug", "-b", "127.0.0.1:8000", "app:app"}).ok());
  Loaded l = load_ok(dir, {"--max-requests-jitter", "5", "app:app"});
  EXPECT_TRUE(has_warning(l, "has no effect without max_requests"));
}

TEST(Load, ChdirIsResolved) {
  ScratchDir dir;
  dir.write("sub/keep.txt", "");
  EXPECT_EQ(load_ok(dir, {"--chdir", "sub", "app:app"}).config.chdir, dir.file("sub"));
  EXPECT_EQ(load_ok(dir, {"--chdir", dir.path(), "app:app"}).config.chdir, dir.path());
}

TEST(Load, TlsFilesAreReadAtLoad) {
  ScratchDir dir;
  dir.write("tls/cert.pem", "CERT");
  dir.write("tls/key.pem", "KEY");
  dir.write("tls/ca.pem", "CA");
  // Relative to chdir (the default: the working directory); the PEM is parsed by the workers.
  Loaded l = load_ok(dir, {"--certfile", "tls/cert.pem", "--keyfile", "tls/key.pem",
                           "--ca-certs", "tls/ca.pem", "--cert-reqs", "2", "app:app"});
  EXPECT_EQ(l.config.tls_cert_pem, "CERT");
  EXPECT_EQ(l.config.tls_key_pem, "KEY");
  EXPECT_EQ(l.config.tls_ca_pem, "CA");
  EXPECT_TRUE(l.warnings.empty());
  // The key may sit in the certfile; a keyfile alone is an error.
  l = load_ok(dir, {"--certfile", dir.file("tls/cert.pem"), "app:app"});
  EXPECT_EQ(l.config.tls_cert_pem, "CERT");
  EXPECT_TRUE(l.config.tls_key_pem.empty());
  base::Error e = load_err(dir, {"--keyfile", "tls/key.pem", "app:app"});
  EXPECT_NE(e.message.find("--keyfile: TLS needs a certificate too"), std::string::npos);
  dir.write("tls/empty.pem", "");
  e = load_err(dir, {"--certfile", "tls/cert.pem", "--ca-certs", "tls/empty.pem", "app:app"});
  EXPECT_NE(e.message.find("--ca-certs: '" + dir.file("tls/empty.pem") + "' is empty"),
            std::string::npos) << e.message;
  // Without TLS nothing is read.
  EXPECT_TRUE(load_ok(dir, {"app:app"}).config.tls_cert_pem.empty());
}

TEST(Load, ArgvEntryPoint) {
  ScratchDir dir;
  const char* args[] = {"bastion", "-w", "3", "app:app", nullptr};
  LoadOptions options;
  options.cwd = dir.path();
  auto r = load(4, const_cast<char**>(args), base_env(), options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->config.workers, 3);
}

}  // namespace
}  // namespace bastion::config
