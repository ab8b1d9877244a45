// SPDX-License-Identifier: MIT
// The debug guard's rules, run in an embedded interpreter against small in-memory apps: each
// rule's finding, its refusing flag and where it points, and that nothing is left pending.
#include "guard/guard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "python/interpreter.h"
#include "python/ref.h"

namespace bastion::guard {
namespace {

using py::PyRef;

class PythonEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto started = py::Interpreter::start(py::InterpreterOptions{});
    ASSERT_TRUE(started.ok()) << started.error().message;
    // Before anything imports Flask, as a worker does.
    install_import_hooks();
  }
};

const auto* const kPython = ::testing::AddGlobalTestEnvironment(new PythonEnvironment);

/// Runs `code` in __main__ (test set-up that is not part of an application).
void py_exec(const char* code) {
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));  // borrowed
  PyRef ran = PyRef::steal(PyRun_String(code, Py_file_input, globals, globals));
  if (!ran) ADD_FAILURE() << py::Interpreter::format_exception();
}

/// Runs `code` as the body of module `name` (registered in sys.modules), the way the loader
/// imports an application, and returns its attribute `attr`.
PyRef load(const std::string& name, const char* code, const char* attr = "app") {
  install_import_hooks();  // re-arm recording for this "load"
  PyObject* module = PyImport_AddModule(name.c_str());  // borrowed
  PyObject* globals = PyModule_GetDict(module);         // borrowed
  PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  PyRef ran = PyRef::steal(PyRun_String(code, Py_file_input, globals, globals));
  if (!ran) {
    ADD_FAILURE() << py::Interpreter::format_exception();
    return {};
  }
  PyRef app = PyRef::borrow(PyDict_GetItemString(globals, attr));
  EXPECT_TRUE(app) << "no attribute " << attr;
  return app;
}

std::vector<Finding> check(const std::string& uri, const PyRef& app,
                           std::vector<std::string> raw_env = {}) {
  config::Config cfg;
  cfg.app_uri = uri;
  cfg.raw_env = std::move(raw_env);
  std::vector<Finding> findings = inspect(app.get(), cfg);
  EXPECT_EQ(PyErr_Occurred(), nullptr);
  return findings;
}

const Finding* find(const std::vector<Finding>& findings, const std::string& rule) {
  auto it = std::find_if(findings.begin(), findings.end(),
                         [&](const Finding& f) { return f.rule == rule; });
  return it == findings.end() ? nullptr : &*it;
}

std::string dump(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += format(f) + "\n";
  return out;
}

TEST(Guard, CleanFlaskAppOnlyWarnsAboutTheMissingSecretKey) {
  PyRef app = load("g_clean", "from flask import Flask\napp = Flask('g_clean')\n");
  auto findings = check("g_clean:app", app);
  EXPECT_FALSE(refuses(findings)) << dump(findings);
  const Finding* f = find(findings, "BG006");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_FALSE(f->refuses);
}

TEST(Guard, DebugAttributeIsBG001WithTheLineThatSetIt) {
  PyRef app = load("g_debug", "from flask import Flask\napp = Flask('g_debug')\n"
                              "app.secret_key = 'x9' * 16\napp.debug = True\n");
  auto findings = check("g_debug:app", app);
  const Finding* f = find(findings, "BG001");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_TRUE(f->refuses);
  EXPECT_EQ(f->where, "g_debug:app");
  EXPECT_NE(f->message.find("debug mode"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("DEBUG was set at <string>:4"), std::string::npos) << f->message;
  EXPECT_EQ(find(findings, "BG006"), nullptr) << dump(findings);
}

TEST(Guard, DebugBehindProxyFixNamesTheAttributePath) {
  PyRef app = load("g_proxy",
                   "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n"
                   "inner = Flask('g_proxy')\ninner.config.update(DEBUG=True)\n"
                   "app = ProxyFix(ProxyFix(inner))\n");
  auto findings = check("g_proxy:app", app);
  const Finding* f = find(findings, "BG001");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->where, "g_proxy:app.app.app");
}

TEST(Guard, DebuggerInsideDispatcherIsBG002) {
  PyRef app = load("g_dispatch",
                   "from werkzeug.debug import DebuggedApplication\n"
                   "from werkzeug.middleware.dispatcher import DispatcherMiddleware\n"
                   "def plain(e, s):\n    s('200 OK', [])\n    return [b'']\n"
                   "app = DispatcherMiddleware(plain, {'/x': DebuggedApplication(plain, True)})\n");
  auto findings = check("g_dispatch:app", app);
  const Finding* f = find(findings, "BG002");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_TRUE(f->refuses);
  EXPECT_EQ(f->where, "g_dispatch:app.mounts['/x']");
  EXPECT_NE(f->message.find("evalex=True"), std::string::npos);
}

TEST(Guard, EnvironmentVariableIsBG003AndNamesItsSource) {
  PyRef app = load("g_env", "def app(e, s):\n    return []\n");
  py_exec("import os\nos.environ['FLASK_DEBUG'] = 'true'\n");
  auto findings = check("g_env:app", app, {"FLASK_DEBUG=true"});
  py_exec("os.environ.pop('FLASK_DEBUG')\n");
  const Finding* f = find(findings, "BG003");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->where, "environment variable FLASK_DEBUG");
  EXPECT_NE(f->message.find("-e/--env"), std::string::npos) << f->message;
}

TEST(Guard, FalsyFlaskDebugValuesAreClean) {
  for (const char* value : {"0", "false", "No", "FALSE", ""}) {
    std::string code = std::string("import os\nos.environ['FLASK_DEBUG'] = '") + value +
                       "'\ndef app(e, s):\n    return []\n";
    PyRef app = load("g_falsy", code.c_str());
    auto findings = check("g_falsy:app", app);
    EXPECT_EQ(find(findings, "BG003"), nullptr) << value << "\n" << dump(findings);
  }
  py_exec("import os\nos.environ.pop('FLASK_DEBUG', None)\n");
}

TEST(Guard, ModuleLevelRunWithDebugIsInterceptedAndRefused) {
  PyRef app = load("g_run", "from flask import Flask\napp = Flask('g_run')\n"
                            "app.run(host='127.0.0.1', port=1, debug=True)\n");
  auto findings = check("g_run:app", app);
  const Finding* run = find(findings, "BG004");
  ASSERT_NE(run, nullptr) << dump(findings);
  EXPECT_TRUE(run->refuses);
  EXPECT_NE(run->message.find("debug=True"), std::string::npos) << run->message;
  ASSERT_NE(find(findings, "BG001"), nullptr) << dump(findings);
}

TEST(Guard, ModuleLevelRunWithoutDebugIsOnlyAWarning) {
  PyRef app = load("g_run_plain", "from flask import Flask\napp = Flask('g_run_plain')\n"
                                  "app.secret_key = 'k' * 32\napp.run(port=1)\n");
  auto findings = check("g_run_plain:app", app);
  const Finding* run = find(findings, "BG004");
  ASSERT_NE(run, nullptr) << dump(findings);
  EXPECT_FALSE(run->refuses);
  EXPECT_FALSE(refuses(findings)) << dump(findings);
}

TEST(Guard, RunSimpleWithDebuggerIsBG004AndBG002) {
  PyRef app = load("g_simple",
                   "import werkzeug.serving\n"
                   "def app(e, s):\n    return []\n"
                   "werkzeug.serving.run_simple('127.0.0.1', 1, app, use_debugger=True)\n");
  auto findings = check("g_simple:app", app);
  ASSERT_NE(find(findings, "BG004"), nullptr) << dump(findings);
  EXPECT_TRUE(find(findings, "BG004")->refuses);
  ASSERT_NE(find(findings, "BG002"), nullptr) << dump(findings);
}

TEST(Guard, UnreadableDebugFlagFailsClosedWithBG000) {
  PyRef app = load("g_unreadable",
                   "from flask import Flask\n"
                   "class F(Flask):\n"
                   "    @property\n    def debug(self):\n        raise KeyError('nope')\n"
                   "    @debug.setter\n    def debug(self, v):\n        pass\n"
                   "app = F('g_unreadable')\n");
  auto findings = check("g_unreadable:app", app);
  const Finding* f = find(findings, "BG000");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_TRUE(f->refuses);
}

TEST(Guard, CyclesAndDeepChainsTerminate) {
  PyRef app = load("g_cycle",
                   "class W:\n    def __init__(self, a):\n        self.app = a\n"
                   "    def __call__(self, e, s):\n        return self.app(e, s)\n"
                   "a = W(None)\nb = W(a)\na.app = b\n"
                   "app = a\nfor _ in range(100):\n    app = W(app)\n");
  auto findings = check("g_cycle:app", app);
  EXPECT_FALSE(refuses(findings)) << dump(findings);
}

TEST(Guard, DebugAppBeyondTheWalkIsStillFound) {
  PyRef app = load("g_deep",
                   "from flask import Flask\n"
                   "class W:\n    def __init__(self, a):\n        self.app = a\n"
                   "    def __call__(self, e, s):\n        return self.app(e, s)\n"
                   "app = Flask('g_deep')\napp.debug = True\n"
                   "for _ in range(40):\n    app = W(app)\n");
  auto findings = check("g_deep:app", app);
  const Finding* f = find(findings, "BG001");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_NE(f->message.find("not reachable"), std::string::npos) << f->message;
}

TEST(Guard, PlaceholderSecretKeyWarns) {
  PyRef app = load("g_secret", "from flask import Flask\napp = Flask('g_secret')\n"
                               "app.config['SECRET_KEY'] = 'changeme'\n");
  auto findings = check("g_secret:app", app);
  const Finding* f = find(findings, "BG006");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_FALSE(f->refuses);
  EXPECT_NE(f->message.find("placeholder"), std::string::npos) << f->message;
}

TEST(Guard, BareModuleUriUsesTheLoadersName) {
  PyRef app = load("g_bare", "from flask import Flask\napplication = Flask('g_bare')\n"
                             "application.debug = True\n", "application");
  auto findings = check("g_bare", app);
  const Finding* f = find(findings, "BG001");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->where, "g_bare:application");
}

TEST(GuardText, AppLabel) {
  EXPECT_EQ(app_label("pkg.mod:make('x')").label, "make('x')");
  EXPECT_EQ(app_label("pkg.mod:make('x')").module, "pkg.mod");
  EXPECT_EQ(app_label(" mod : app ").label, "app");
  EXPECT_EQ(app_label(" mod : app ").module, "mod");
  EXPECT_EQ(app_label("mod").label, "");
  EXPECT_EQ(app_label("mod").module, "mod");
}

TEST(GuardText, FormatMarksWarnings) {
  Finding refusing{"BG001", "debug on", "turn it off", true, "m:app"};
  Finding warning{"BG006", "no key", "set one", false, "m:app"};
  EXPECT_EQ(format(refusing), "BG001 debug on -- fix: turn it off");
  EXPECT_EQ(format(warning), "BG006 (warning) no key -- fix: set one");
  EXPECT_TRUE(refuses({warning, refusing}));
  EXPECT_FALSE(refuses({warning}));
  EXPECT_FALSE(refuses({}));
}

}  // namespace
}  // namespace bastion::guard
