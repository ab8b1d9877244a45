// SPDX-License-Identifier: MIT
// The settings table itself (well-formed, defaults equal to Config{}) and value coercion and
// validation for every kind of setting.
#include "config/settings.h"

#include <gtest/gtest.h>

#include <set>

namespace bastion::config {
namespace json {
// gtest prints values through this.
void PrintTo(const Value& v, std::ostream* os) { *os << py_repr(v); }
}  // namespace json
namespace {

json::Value str(const char* s) { return json::Value::string(s); }

json::Value parsed(const char* text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? std::move(v).value() : json::Value();
}

std::string assign_error(const char* name, const json::Value& v) {
  Config c;
  auto st = assign(*find_setting(name), v, &c);
  return st.ok() ? "" : st.error().message;
}

TEST(SettingsTable, RowsAreWellFormed) {
  std::set<std::string_view> names;
  std::set<std::string> flags;
  for (const Setting& s : settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << "duplicate setting " << s.name;
    EXPECT_FALSE(s.section.empty()) << s.name;
    EXPECT_FALSE(s.help.empty()) << s.name;
    EXPECT_TRUE(json::parse(s.default_json).ok()) << s.name;
    EXPECT_TRUE(s.support == Support::Yes || s.support == Support::Planned ||
                !s.note.empty() || s.support == Support::Refused)
        << s.name << ": a setting Bastion does not honour needs a note";
    if (s.support == Support::Rejected || s.support == Support::Refused) {
      EXPECT_FALSE(s.note.empty()) << s.name;
    }
    for (std::string_view list : {s.flags, s.neg_flags}) {
      size_t start = 0;
      while (start < list.size()) {
        size_t sp = list.find(' ', start);
        if (sp == std::string_view::npos) sp = list.size();
        std::string f(list.substr(start, sp - start));
        EXPECT_TRUE(f.starts_with("--") || f.size() == 2) << s.name << " " << f;
        EXPECT_TRUE(flags.insert(f).second) << "duplicate flag " << f;
        bool negative = false;
        EXPECT_EQ(find_flag(f, &negative), &s) << f;
        start = sp + 1;
      }
    }
    if (s.kind == Kind::Choice || s.kind == Kind::FlagChoice) {
      EXPECT_FALSE(s.choices.empty()) << s.name;
    }
    if (s.kind == Kind::Bool) {
      EXPECT_TRUE(s.meta.empty()) << s.name;
    }
  }
  EXPECT_GE(names.size(), 90u);
  for (const char* f : {"-h", "-v", "--help", "--version"}) EXPECT_FALSE(flags.count(f)) << f;
}

TEST(SettingsTable, DefaultsMatchConfigInitialisers) {
  const Config plain;
  for (const Setting& s : settings()) {
    EXPECT_EQ(current_value(s, plain), default_value(s))
        << s.name << ": Config{} has " << json::py_repr(current_value(s, plain))
        << ", the table says " << s.default_json;
  }
  Config built = default_config();
  EXPECT_EQ(built.bind, plain.bind);
  EXPECT_EQ(built.secure_scheme_headers, plain.secure_scheme_headers);
  EXPECT_TRUE(built.extra.empty());
}

TEST(SettingsTable, GunicornFlagsPresent) {
  // The flags deployment guides use most; each must map to Gunicorn's setting name.
  const std::pair<const char*, const char*> expected[] = {
      {"-b", "bind"}, {"-w", "workers"}, {"-k", "worker_class"}, {"-t", "timeout"},
      {"-c", "config"}, {"-p", "pidfile"}, {"-u", "user"}, {"-g", "group"},
      {"-m", "umask"}, {"-e", "raw_env"}, {"-n", "proc_name"}, {"-D", "daemon"},
      {"-R", "enable_stdio_inheritance"}, {"--threads", "threads"},
      {"--keep-alive", "keepalive"}, {"--limit-request-field_size", "limit_request_field_size"},
      {"--access-logfile", "accesslog"}, {"--error-logfile", "errorlog"},
      {"--log-file", "errorlog"}, {"--log-level", "loglevel"}, {"--preload", "preload_app"},
      {"--forwarded-allow-ips", "forwarded_allow_ips"}, {"--no-sendfile", "sendfile"},
      {"--max-requests-jitter", "max_requests_jitter"}, {"--chdir", "chdir"},
      {"--graceful-timeout", "graceful_timeout"}, {"--access-logformat", "access_log_format"},
      {"--capture-output", "capture_output"}, {"--statsd-host", "statsd_host"},
      {"--worker-tmp-dir", "worker_tmp_dir"}, {"--reload", "reload"},
      {"--check-config", "check_config"}, {"--print-config", "print_config"},
  };
  for (auto [flag, name] : expected) {
    bool negative = false;
    const Setting* s = find_flag(flag, &negative);
    ASSERT_NE(s, nullptr) << flag;
    EXPECT_EQ(s->name, name) << flag;
  }
}

TEST(Assign, Int) {
  Config c;
  const Setting& w = *find_setting("workers");
  ASSERT_TRUE(assign(w, str("4"), &c).ok());
  EXPECT_EQ(c.workers, 4);
  ASSERT_TRUE(assign(w, json::Value::integer(7), &c).ok());
  EXPECT_EQ(c.workers, 7);
  ASSERT_TRUE(assign(w, str(" 0x10 "), &c).ok());
  EXPECT_EQ(c.workers, 16);
  ASSERT_TRUE(assign(w, str("1_0"), &c).ok());
  EXPECT_EQ(c.workers, 10);
  ASSERT_TRUE(assign(w, str("010"), &c).ok());  // argparse int(): decimal
  EXPECT_EQ(c.workers, 10);
  EXPECT_EQ(assign_error("workers", str("abc")), "'abc' is not an integer");
  EXPECT_EQ(assign_error("workers", str("4.5")), "'4.5' is not an integer");
  EXPECT_EQ(assign_error("workers", str("")), "'' is not an integer");
  EXPECT_EQ(assign_error("workers", json::Value::number(4.0)), "expected an integer, got 4.0");
  EXPECT_EQ(assign_error("workers", json::Value::boolean(true)),
            "expected an integer, got True");
  EXPECT_EQ(assign_error("workers", str("0")), "0 is too small (minimum 1)");
  EXPECT_EQ(assign_error("timeout", str("-1")), "-1 is too small (minimum 0)");
  EXPECT_EQ(assign_error("backlog", str("70000")), "70000 is too large (maximum 65535)");
  EXPECT_EQ(assign_error("workers", str("99999999999999999999")),
            "'99999999999999999999' is not an integer");
}

TEST(Assign, ModeIsOctalWithLeadingZero) {
  Config c;
  const Setting& u = *find_setting("umask");
  ASSERT_TRUE(assign(u, str("022"), &c).ok());
  EXPECT_EQ(c.umask, 022);
  ASSERT_TRUE(assign(u, str("0o077"), &c).ok());
  EXPECT_EQ(c.umask, 077);
  ASSERT_TRUE(assign(u, json::Value::integer(18), &c).ok());
  EXPECT_EQ(c.umask, 18);
  EXPECT_EQ(assign_error("umask", str("09")), "'09' is not an integer");
  EXPECT_EQ(assign_error("umask", str("01000")), "512 is too large (maximum 511)");
}

TEST(Assign, Bytes) {
  Config c;
  const Setting& b = *find_setting("limit_request_body");
  const std::pair<const char*, int64_t> ok[] = {
      {"0", 0}, {"1024", 1024}, {"512K", 512 << 10}, {"100M", 100ll << 20},
      {"2g", 2ll << 30}, {"3MiB", 3ll << 20}, {"4kb", 4 << 10}};
  for (auto [text, want] : ok) {
    ASSERT_TRUE(assign(b, str(text), &c).ok()) << text;
    EXPECT_EQ(c.limit_request_body, want) << text;
  }
  EXPECT_NE(assign_error("limit_request_body", str("lots")).find("is not a size"),
            std::string::npos);
  EXPECT_NE(assign_error("limit_request_body", str("-1")).find("too small"), std::string::npos);
  EXPECT_NE(assign_error("limit_request_body", str("99999999999G")).find("too large"),
            std::string::npos);
}

TEST(Assign, Bool) {
  Config c;
  const Setting& p = *find_setting("preload_app");
  for (const char* t : {"true", "True", "YES", "on", "1"}) {
    c.preload_app = false;
    ASSERT_TRUE(assign(p, str(t), &c).ok()) << t;
    EXPECT_TRUE(c.preload_app) << t;
  }
  for (const char* t : {"false", "no", "Off", "0"}) {
    c.preload_app = true;
    ASSERT_TRUE(assign(p, str(t), &c).ok()) << t;
    EXPECT_FALSE(c.preload_app) << t;
  }
  ASSERT_TRUE(assign(p, json::Value::boolean(true), &c).ok());
  EXPECT_TRUE(c.preload_app);
  EXPECT_EQ(assign_error("preload_app", str("maybe")),
            "'maybe' is not a boolean (use true or false)");
  EXPECT_EQ(assign_error("preload_app", json::Value::integer(2)),
            "2 is not a boolean (use true or false)");
}

TEST(Assign, StringAndNone) {
  Config c;
  const Setting& a = *find_setting("accesslog");
  ASSERT_TRUE(assign(a, str(" - "), &c).ok());
  EXPECT_EQ(c.accesslog, "-");  // stripped, as Gunicorn's validate_string does
  ASSERT_TRUE(assign(a, json::Value::null(), &c).ok());
  EXPECT_EQ(c.accesslog, "");
  EXPECT_TRUE(current_value(a, c).is_null());
  EXPECT_EQ(assign_error("accesslog", json::Value::list({})), "expected a string, got []");
  ASSERT_TRUE(assign(*find_setting("user"), json::Value::integer(0), &c).ok());
  EXPECT_EQ(c.user, "0");
  EXPECT_EQ(assign_error("user", str("no-such-user-xyz")), "no such user 'no-such-user-xyz'");
  EXPECT_EQ(assign_error("group", str("no-such-group-xyz")),
            "no such group 'no-such-group-xyz'");
  EXPECT_EQ(assign_error("user", str("root")), "");
}

TEST(Assign, Choice) {
  Config c;
  ASSERT_TRUE(assign(*find_setting("loglevel"), str("DEBUG"), &c).ok());
  EXPECT_EQ(c.loglevel, "debug");
  EXPECT_EQ(assign_error("loglevel", str("verbose")),
            "'verbose' is not one of debug, info, warning, error, critical");
  EXPECT_EQ(assign_error("reload_engine", json::Value::integer(1)),
            "expected one of auto, poll, inotify, got 1");
}

TEST(Assign, FlagChoice) {
  Config c;
  const Setting& p = *find_setting("print_config");
  ASSERT_TRUE(assign(p, json::Value::boolean(true), &c).ok());
  EXPECT_EQ(c.print_config_format, "text");
  ASSERT_TRUE(assign(p, str("JSON"), &c).ok());
  EXPECT_EQ(c.print_config_format, "json");
  ASSERT_TRUE(assign(p, json::Value::boolean(false), &c).ok());
  EXPECT_EQ(c.print_config_format, "");
  EXPECT_EQ(assign_error("print_config", str("yaml")), "'yaml' is not one of text, json");
  const Setting& pp = *find_setting("proxy_protocol");
  ASSERT_TRUE(assign(pp, json::Value::boolean(true), &c).ok());
  EXPECT_EQ(c.proxy_protocol, "auto");
  ASSERT_TRUE(assign(pp, json::Value::boolean(false), &c).ok());
  EXPECT_EQ(c.proxy_protocol, "off");
}

TEST(Assign, ListAndCommaList) {
  Config c;
  const Setting& b = *find_setting("bind");
  ASSERT_TRUE(assign(b, str("0.0.0.0:80"), &c).ok());
  EXPECT_EQ(c.bind, std::vector<std::string>{"0.0.0.0:80"});
  ASSERT_TRUE(assign(b, json::Value::list_of({"unix:/a", "[::1]:9"}), &c).ok());
  EXPECT_EQ(c.bind, (std::vector<std::string>{"unix:/a", "[::1]:9"}));
  EXPECT_NE(assign_error("bind", str("::1:80")).find("brackets"), std::string::npos);
  EXPECT_EQ(assign_error("bind", json::Value::integer(8000)),
            "expected a string or a list of strings, got 8000");
  EXPECT_EQ(assign_error("bind", json::Value::list({json::Value::integer(1)})),
            "expected a list of strings, got an item 1");

  const Setting& f = *find_setting("forwarded_allow_ips");
  ASSERT_TRUE(assign(f, str("10.0.0.1, 10.0.0.0/8,,*"), &c).ok());
  EXPECT_EQ(c.forwarded_allow_ips, (std::vector<std::string>{"10.0.0.1", "10.0.0.0/8", "*"}));
  ASSERT_TRUE(assign(f, json::Value::list_of({"::1"}), &c).ok());
  EXPECT_EQ(c.forwarded_allow_ips, std::vector<std::string>{"::1"});
  EXPECT_NE(assign_error("forwarded_allow_ips", str("10.0.0.1,proxy")).find("invalid address"),
            std::string::npos);

  ASSERT_TRUE(assign(*find_setting("pythonpath"), str("src,lib"), &c).ok());
  EXPECT_EQ(c.pythonpath, (std::vector<std::string>{"src", "lib"}));
  EXPECT_EQ(assign_error("raw_env", str("NOEQUALS")), "'NOEQUALS' is not KEY=VALUE");
  EXPECT_EQ(assign_error("raw_env", str("=x")), "'=x' is not KEY=VALUE");
  EXPECT_EQ(assign_error("raw_env", str("A=")), "");
}

TEST(Assign, DictAndJsonDict) {
  Config c;
  json::Value dict = parsed(R"({"X-PROTO": "https"})");
  ASSERT_TRUE(assign(*find_setting("secure_scheme_headers"), dict, &c).ok());
  EXPECT_EQ(c.secure_scheme_headers, (std::map<std::string, std::string>{{"X-PROTO", "https"}}));
  EXPECT_EQ(assign_error("secure_scheme_headers", str("x")), "expected a dict of strings, got 'x'");
  EXPECT_EQ(assign_error("secure_scheme_headers", parsed(R"({"a": 1})")),
            "expected a dict of strings, got 'a': 1");
  json::Value logging = parsed(R"({"version": 1, "root": {"level": "INFO"}})");
  ASSERT_TRUE(assign(*find_setting("logconfig_dict"), logging, &c).ok());
  EXPECT_EQ(c.logconfig_dict, R"({"version":1,"root":{"level":"INFO"}})");
  EXPECT_EQ(current_value(*find_setting("logconfig_dict"), c), logging);
  EXPECT_EQ(assign_error("logconfig_dict", json::Value::list({})), "expected a dict, got []");
}

TEST(Assign, ExtraSettingsAreKeptAsJson) {
  Config c;
  const Setting& spew = *find_setting("spew");
  ASSERT_TRUE(assign(spew, json::Value::boolean(true), &c).ok());
  EXPECT_EQ(c.extra.at("spew"), "true");
  ASSERT_TRUE(assign(spew, json::Value::boolean(false), &c).ok());
  EXPECT_FALSE(c.extra.count("spew"));
  // A compatibility-only setting keeps odd values; the loader's warning is what matters.
  ASSERT_TRUE(assign(*find_setting("ssl_version"), json::Value::integer(5), &c).ok());
  EXPECT_EQ(c.extra.at("ssl_version"), "\"5\"");
}

TEST(Checks, WorkerClass) {
  for (const char* ok : {"sync", "gthread", "SYNC", "egg:gunicorn#gthread", "gevent",
                         "gunicorn.workers.gthread.ThreadWorker", "eventlet"}) {
    EXPECT_EQ(check_worker_class(ok), "") << ok;
  }
  EXPECT_NE(check_worker_class("uvicorn.workers.UvicornWorker").find("ASGI"), std::string::npos);
  EXPECT_NE(check_worker_class("asgi").find("WSGI applications only"), std::string::npos);
  EXPECT_NE(check_worker_class("my.Worker").find("use sync or gthread"), std::string::npos);
}

TEST(Checks, HostPort) {
  EXPECT_EQ(check_hostport("localhost:8125"), "");
  EXPECT_EQ(check_hostport("unix:///var/run/statsd.sock"), "");
  EXPECT_NE(check_hostport("fd://3"), "");
  EXPECT_NE(check_hostport("a b"), "");
}

TEST(Source, Strings) {
  EXPECT_EQ(to_string(Source{}), "default");
  EXPECT_EQ(to_string(Source{SourceKind::Env, "PORT", ""}), "env:PORT");
  EXPECT_EQ(to_string(Source{SourceKind::File, "./g.conf.py:3", ""}), "file:./g.conf.py:3");
  EXPECT_EQ(to_string(Source{SourceKind::EnvArgs, "GUNICORN_CMD_ARGS", "-w"}),
            "env:GUNICORN_CMD_ARGS");
  EXPECT_EQ(to_string(Source{SourceKind::Cmdline, "-w", ""}), "cmdline:-w");
  EXPECT_EQ(label("workers", Source{SourceKind::EnvArgs, "GUNICORN_CMD_ARGS", "-w"}),
            "GUNICORN_CMD_ARGS: -w");
  EXPECT_EQ(label("workers", Source{SourceKind::File, "g.py:3", ""}), "g.py:3: workers");
  EXPECT_EQ(label("bind", Source{SourceKind::Env, "PORT", ""}), "$PORT");
}

}  // namespace
}  // namespace bastion::config
