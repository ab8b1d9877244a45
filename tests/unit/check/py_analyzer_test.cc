// SPDX-License-Identifier: MIT
// The evaluator's semantics, observed through findings: Flask truthiness, environment
// defaults, constants within a file and across imports, decidable gates, __main__.
#include <gtest/gtest.h>

#include "check_test_util.h"

namespace bastion::check {
namespace {

using testing::Hit;
using testing::scan_hits;
using testing::scan_one;
using testing::TempTree;

const char* kHead = "import os\nfrom flask import Flask\napp = Flask(__name__)\n";  // 3 lines

std::set<Hit> run_line(const std::string& line4) { return scan_one("app.py", std::string(kHead) + line4 + "\n"); }

bool has(const std::set<Hit>& hits, int line, const std::string& rule) {
  return hits.count(Hit{"app.py", line, rule}) != 0;
}

TEST(Evaluator, FlaskTruthiness) {
  EXPECT_TRUE(has(run_line("app.debug = 'False'"), 4, "BC002"));
  EXPECT_TRUE(has(run_line("app.debug = 1"), 4, "BC002"));
  EXPECT_TRUE(has(run_line("app.debug = os.getenv('DEBUG', 'False')"), 4, "BC002"));
  EXPECT_TRUE(has(run_line("app.debug = os.environ.get('D', 'no') != 'yes'"), 4, "BC002"));
  EXPECT_TRUE(run_line("app.debug = 0").empty());
  EXPECT_TRUE(run_line("app.debug = ''").empty());
  EXPECT_TRUE(run_line("app.debug = os.getenv('DEBUG')").empty());
  EXPECT_TRUE(run_line("app.debug = os.environ.get('X') == '1'").empty());
  EXPECT_TRUE(run_line("app.debug = os.environ['DEBUG']").empty());  // required: unknown
  EXPECT_TRUE(run_line("app.debug = bool(os.environ.get('DEBUG'))").empty());
  EXPECT_TRUE(run_line("app.debug = int(os.getenv('DEBUG', '0'))").empty());
  EXPECT_TRUE(has(run_line("app.debug = int(os.getenv('DEBUG', 1))"), 4, "BC002"));
  EXPECT_TRUE(run_line("app.debug = os.getenv('DEBUG', 'false').lower() in ('1', 'true')").empty());
  EXPECT_TRUE(has(run_line("app.debug = os.getenv('DEBUG', 'True').lower() in ('1', 'true')"), 4, "BC002"));
  EXPECT_TRUE(run_line("app.debug = 'DEBUG' in os.environ").empty());
  EXPECT_TRUE(has(run_line("app.debug = not os.environ.get('PRODUCTION')"), 4, "BC002"));
}

TEST(Evaluator, ConstantsPropagateWithinAFile) {
  auto hits = scan_one("app.py",
                       "from flask import Flask\nDEBUG = True\napp = Flask(__name__)\nDEBUG = DEBUG and True\n"
                       "if __name__ == '__main__':\n    app.run(debug=DEBUG)\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 6, "BC001"}}));
  hits = scan_one("app.py", "from flask import Flask\nDEBUG = True\nDEBUG = False\napp = Flask(__name__)\napp.run(debug=DEBUG)\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 5, "BC005"}}));
}

TEST(Evaluator, ImportsInsideTheTree) {
  TempTree t;
  t.write("config.py", "DEBUG = True\nHOST = '0.0.0.0'\n");
  t.write("pkg/__init__.py", "");
  t.write("pkg/settings.py", "import os\nDEBUG = os.environ.get('APP_DEBUG', '1') == '1'\n");
  t.write("run.py",
          "from flask import Flask\nfrom config import DEBUG, HOST\nimport config as cfg\n"
          "from pkg.settings import DEBUG as PKG_DEBUG\napp = Flask(__name__)\n"
          "if __name__ == '__main__':\n    app.run(debug=DEBUG)\n    app.run(host=cfg.HOST)\n"
          "    app.run(debug=PKG_DEBUG)\n");
  auto hits = scan_hits(t.root());
  EXPECT_EQ(hits, (std::set<Hit>{{"run.py", 7, "BC001"}, {"run.py", 8, "BC006"}, {"run.py", 9, "BC001"}}));
}

TEST(Evaluator, ImportCyclesTerminate) {
  TempTree t;
  t.write("a.py", "from b import X\nY = 1\n");
  t.write("b.py", "from a import Y\nX = 2\nfrom flask import Flask\napp = Flask(__name__)\napp.debug = Y\n");
  auto hits = scan_hits(t.root());
  EXPECT_LE(hits.size(), 1u);
}

TEST(Evaluator, GatesDecidedWhenPossible) {
  auto hits = scan_one("app.py",
                       "import os\nfrom flask import Flask\nfrom werkzeug.debug import DebuggedApplication\n"
                       "app = Flask(__name__)\n"
                       "if app.debug:\n    app.wsgi_app = DebuggedApplication(app.wsgi_app)\n"          // off
                       "if os.environ.get('FLASK_ENV') == 'development':\n    app.run(debug=True)\n"   // off
                       "if app.config.get('ENV') == 'development':\n    app.debug = True\n"              // off
                       "if some_unknown_flag:\n    app.debug = True\n");                                 // maybe
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 12, "BC002"}}));
  hits = scan_one("app.py",
                  "from flask import Flask\nfrom werkzeug.debug import DebuggedApplication\napp = Flask(__name__)\n"
                  "app.debug = True\nif app.debug:\n    app.wsgi_app = DebuggedApplication(app.wsgi_app)\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 4, "BC002"}, {"app.py", 6, "BC003"}}));
}

TEST(Evaluator, UndecidedBranchesMergeAssignments) {
  auto hits = scan_one("app.py",
                       "import sys\nfrom flask import Flask\napp = Flask(__name__)\n"
                       "if sys.platform == 'linux':\n    D = True\nelse:\n    D = False\napp.debug = D\n"
                       "if sys.platform == 'linux':\n    E = 1\nelse:\n    E = 1\napp.debug = E\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 13, "BC002"}}));
}

TEST(Evaluator, MainGuard) {
  auto clean = scan_one("app.py", "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n");
  EXPECT_TRUE(clean.empty());
  auto guarded = scan_one("app.py",
                          "from flask import Flask\napp = Flask(__name__)\nif '__main__' == __name__:\n"
                          "    app.run(debug=True)\n");
  EXPECT_EQ(guarded, (std::set<Hit>{{"app.py", 4, "BC001"}}));
  auto unguarded = scan_one("app.py", "from flask import Flask\napp = Flask(__name__)\napp.run()\n");
  EXPECT_EQ(unguarded, (std::set<Hit>{{"app.py", 3, "BC005"}}));
}

TEST(Evaluator, FunctionsRunWithTheirDefaultsOrArguments) {
  auto hits = scan_one("app.py",
                       "from flask import Flask\napp = Flask(__name__)\n"
                       "def serve(debug=False, host='127.0.0.1'):\n    app.run(host=host, debug=debug)\n"
                       "def str2bool(v):\n    return str(v).lower() in ('1', 'true', 'yes')\n"
                       "if __name__ == '__main__':\n    serve(debug=str2bool('yes'))\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 4, "BC001"}}));
}

TEST(Evaluator, ConfigObjectsAndInheritance) {
  TempTree t;
  t.write("settings.py",
          "class Base:\n    DEBUG = False\nclass Dev(Base):\n    DEBUG = True\nclass Staging(Dev):\n    pass\n"
          "class Prod(Base):\n    pass\nCONFIGS = dict(dev=Dev, staging=Staging, prod=Prod, default=Staging)\n");
  t.write("app.py",
          "import os\nfrom flask import Flask\nfrom settings import CONFIGS, Prod\napp = Flask(__name__)\n"
          "app.config.from_object(CONFIGS[os.getenv('APP_CONFIG', 'staging')])\n"
          "app.config.from_object(CONFIGS[os.getenv('APP_CONFIG', 'prod')])\n"
          "app.config.from_object(Prod)\napp.config.from_object('settings.Dev')\n"
          "app.config.from_object(os.environ['SETTINGS'])\n");
  auto hits = scan_hits(t.root());
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 5, "BC002"}, {"app.py", 8, "BC002"}}));
}

TEST(Evaluator, PythonEnvironmentWrites) {
  auto hits = scan_one("run.py",
                       "import os, subprocess\nfrom os import environ\n"
                       "environ['FLASK_DEBUG'] = 'true'\nos.environ.setdefault('FLASK_ENV', 'development')\n"
                       "os.putenv('WERKZEUG_DEBUG_PIN', 'off')\nenv = os.environ.copy()\nenv['FLASK_DEBUG'] = '0'\n"
                       "subprocess.Popen(['flask', 'run'], env=dict(os.environ, FLASK_DEBUG='1'))\n"
                       "os.environ['FLASK_RUN_HOST'] = '0.0.0.0'\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"run.py", 3, "BC004"},
                                 {"run.py", 4, "BC004"},
                                 {"run.py", 5, "BC004"},
                                 {"run.py", 8, "BC004"},
                                 {"run.py", 9, "BC006"}}));
}

TEST(Evaluator, SecretKeyForms) {
  auto hits = scan_one("app.py",
                       "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
                       "app.secret_key = os.environ.get('SECRET_KEY') or 'fallback'\n"
                       "app.config.from_mapping({'SECRET_KEY': b'bytes'})\n"
                       "app.secret_key = os.urandom(24)\n"
                       "class Settings:\n    SECRET_KEY: str = 'changeme'\n"
                       "app.config['SECRET_KEY'] = Settings.SECRET_KEY\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 4, "BC007"}, {"app.py", 5, "BC007"}, {"app.py", 8, "BC007"}}));
}

TEST(Evaluator, MultiLineCallReportsTheKeywordLine) {
  auto hits = scan_one("app.py",
                       "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(\n"
                       "        host='0.0.0.0',\n        port=80,\n        debug=True,\n    )\n");
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 5, "BC006"}, {"app.py", 7, "BC001"}}));
}

TEST(Evaluator, NonFlaskServersAreNotDevServers) {
  auto hits = scan_one("app.py",
                       "import uvicorn, asyncio, subprocess\nfrom bottle import Bottle\nfrom fastapi import FastAPI\n"
                       "api = FastAPI()\nuvicorn.run(api, host='0.0.0.0', reload=True)\nb = Bottle()\n"
                       "b.run(host='0.0.0.0', debug=True)\nsubprocess.run(['ls'])\nasyncio.run(main())\n");
  EXPECT_TRUE(hits.empty());
}

TEST(Evaluator, FStringsAndFactories) {
  TempTree t;
  t.write("settings.py", "class DevConfig:\n    DEBUG = True\nclass ProdConfig:\n    DEBUG = False\n");
  t.write("app.py",
          "import os\nfrom flask import Flask\nfrom factory_lib import create_app\napp = Flask(__name__)\n"
          "ENV = os.getenv('APP_ENV', 'dev')\n"
          "app.config.from_object(f'settings.{ENV.capitalize()}Config')\n"
          "app.config.from_object(f'settings.{os.environ[\"X\"]}Config')\n"
          "app.secret_key = f\"{os.environ['PREFIX']}-key\"\n"
          "server = create_app()\nserver.run(debug=True)\n");
  auto hits = scan_hits(t.root());
  EXPECT_EQ(hits, (std::set<Hit>{{"app.py", 6, "BC002"}, {"app.py", 10, "BC001"}, {"app.py", 10, "BC005"}}));
}

TEST(Evaluator, OtherFrameworksAreNotFlask) {
  auto hits = scan_one("main.py",
                       "from fastapi import FastAPI\nfrom celery import Celery\napp = FastAPI()\napp.debug = True\n"
                       "app = Celery('tasks')\napp.debug = True\n");
  EXPECT_TRUE(hits.empty());
}

}  // namespace
}  // namespace bastion::check
