"""Black-box tests for `bastion check` (the static CWE-489 scanner).

Runs the real binary from BASTION_BIN against the labelled examples in tests/check_examples
and against scratch trees: exit statuses, the three output formats, options, and robustness
on hostile input. Standard library only.
"""
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("BASTION_BIN", "bastion")
SRC = os.environ.get("BASTION_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SRC, "tests", "check_examples")
TEXT_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<rule>BC00\d) \[(low|medium|high)\] .+ "
                       r"\(CWE-\d+\) -- .+$")


def check(*args, cwd=None, timeout=120):
    return subprocess.run([BIN, "check", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def expected(folder):
    out = set()
    with open(os.path.join(folder, "expected.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                loc, rule = line.split()
                path, num = loc.rsplit(":", 1)
                out.add((path, int(num), rule))
    return out


class Scratch(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion_check_it_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, rel, text, mode="w"):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode) as f:
            f.write(text)
        return path


class ExitStatusTest(Scratch):
    def test_clean_tree_exits_zero(self):
        self.write("app.py", "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run()\n")
        r = check(self.dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "")

    def test_findings_exit_one(self):
        self.write("app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
        r = check(self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("BC001", r.stdout)
        self.assertIn("BC005", r.stdout)

    def test_usage_errors_exit_two(self):
        for args in (["--no-such-option"], ["--format", "xml", self.dir], [os.path.join(self.dir, "missing")],
                     ["--select", "BC999", self.dir], ["--severity"]):
            r = check(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("bastion check", r.stderr)

    def test_help(self):
        r = check("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--format", r.stdout)

    def test_default_path_is_current_directory(self):
        self.write("wsgi.py", "from flask import Flask\napp = Flask(__name__)\napp.debug = True\n")
        r = check(cwd=self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stdout.startswith("wsgi.py:3:1: BC002 [high] "), r.stdout)


class OutputFormatTest(unittest.TestCase):
    folder = os.path.join(EXAMPLES, "BC001")

    def test_text_lines(self):
        r = check(".", cwd=self.folder)
        self.assertEqual(r.returncode, 1)
        lines = r.stdout.splitlines()
        self.assertTrue(lines)
        got = set()
        for line in lines:
            m = TEXT_LINE.match(line)
            self.assertIsNotNone(m, line)
            got.add((m["path"], int(m["line"]), m["rule"]))
        self.assertEqual(got, expected(self.folder))

    def test_json_matches_labels(self):
        for name in ("BC001", "BC002", "BC003", "BC004", "BC005", "BC006", "BC007", "corpus"):
            folder = os.path.join(EXAMPLES, name)
            r = check("--format", "json", ".", cwd=folder)
            self.assertEqual(r.returncode, 1, name)
            data = json.loads(r.stdout)
            got = {(f["path"], f["line"], f["rule"]) for f in data["findings"]}
            self.assertEqual(got, expected(folder), name)
            for f in data["findings"]:
                self.assertIn(f["severity"], ("low", "medium", "high"))
                self.assertTrue(f["message"])
                self.assertTrue(f["cwe"].startswith("CWE-"))

    def test_sarif(self):
        r = check("--format", "sarif", ".", cwd=self.folder)
        self.assertEqual(r.returncode, 1)
        sarif = json.loads(r.stdout)
        self.assertEqual(sarif["version"], "2.1.0")
        run = sarif["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        self.assertEqual([x["id"] for x in rules], ["BC001", "BC002", "BC003", "BC004", "BC005", "BC006", "BC007"])
        for rule in rules:
            self.assertTrue(rule["help"]["text"])
            self.assertTrue(any(t.startswith("external/cwe/cwe-") for t in rule["properties"]["tags"]))
        got = set()
        for res in run["results"]:
            self.assertEqual(rules[res["ruleIndex"]]["id"], res["ruleId"])
            loc = res["locations"][0]["physicalLocation"]
            self.assertEqual(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%")
            got.add((loc["artifactLocation"]["uri"], loc["region"]["startLine"], res["ruleId"]))
        self.assertEqual(got, expected(self.folder))


class OptionsTest(Scratch):
    def setUp(self):
        super().setUp()
        self.write("app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n")
        self.write("tests/test_app.py", "import os\nos.environ['FLASK_DEBUG'] = '1'\n")
        self.write("vendor/lib.py", "from flask import Flask\nFlask(__name__).run(debug=True)\n")
        self.write(".gitignore", "generated/\n")
        self.write("generated/out.py", "from flask import Flask\nFlask(__name__).debug = True\n")

    def rules(self, *args):
        r = check("--format", "json", *args, self.dir)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return sorted((os.path.relpath(f["path"], self.dir), f["rule"]) for f in json.loads(r.stdout)["findings"])

    def test_defaults_skip_tests_and_gitignored(self):
        self.assertEqual(self.rules(), [("app.py", "BC005"), ("app.py", "BC006"), ("vendor/lib.py", "BC001"),
                                        ("vendor/lib.py", "BC005")])

    def test_exclude_include_tests_select_ignore_severity(self):
        self.assertEqual(self.rules("--exclude", "vendor", "--include-tests"),
                         [("app.py", "BC005"), ("app.py", "BC006"), ("tests/test_app.py", "BC004")])
        self.assertEqual(self.rules("--select", "BC006"), [("app.py", "BC006")])
        self.assertEqual(self.rules("--ignore", "BC005,BC006"), [("vendor/lib.py", "BC001")])
        self.assertEqual(self.rules("--severity", "high"), [("vendor/lib.py", "BC001")])

    def test_output_file(self):
        out = os.path.join(self.dir, "report.sarif")
        r = check("--format", "sarif", "--output", out, os.path.join(self.dir, "app.py"))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        with open(out) as f:
            self.assertEqual(len(json.load(f)["runs"][0]["results"]), 2)

    def test_suppression_comments(self):
        self.write("app.py", "from flask import Flask\napp = Flask(__name__)\n"
                             "app.run(host='0.0.0.0')  # nosec\n"
                             "app.run(debug=True)  # bastion: ignore[BC001,BC005]\n"
                             "app.run(host='::')  # nosec B104\n")
        self.assertEqual(self.rules("--exclude", "vendor"), [("app.py", "BC005")])


class RobustnessTest(Scratch):
    def test_hostile_inputs_never_crash(self):
        rnd = random.Random(70)
        self.write("binary.py", bytes(rnd.randrange(256) for _ in range(4096)), mode="wb")
        self.write("huge.py", "x = 1\n" * 1_000_000)
        self.write("nested.py", "x = " + "(" * 200_000 + "\n")
        self.write("strings.py", "f'''{x!r:{'{'}}\n" + "'" * 1000 + '"""' * 333 + "\\\n")
        self.write("py2.py", "print 'x'\nexec 'y'\nraise E, 'm'\nclass A:\n\tdef f(self):\n        return `1`\n"
                             "from flask import Flask\napp = Flask(__name__)\napp.debug = True\n")
        self.write("crlf.py", "\ufeffimport os\r\nfrom flask import Flask\r\napp = Flask(__name__)\r\n"
                              "if __name__ == '__main__':\r\n\tapp.run(debug=True)\r\n")
        self.write("Dockerfile", "FROM x\nCMD [\"unterminated\nENV " + "\\\n" * 1000 + "\n")
        self.write("docker-compose.yml", "a: [" * 300 + "\n" + "- " * 500 + "\n&x *x\n")
        self.write(".env", "=\n\"\nFLASK_DEBUG='1\n" + "x" * 10000)
        self.write("run.sh", "$(" * 1000 + "'" + "\nif then fi esac case ;; }\n")
        for _ in range(20):
            name = "fuzz%d.py" % rnd.randrange(10**6)
            self.write(name, "".join(rnd.choice("()[]{}:=\"'\\\n\t #@.,fxdebugTrue0") for _ in range(2000)))
        r = check("--format", "json", self.dir, timeout=300)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        data = json.loads(r.stdout)
        found = {(f["path"].rsplit("/", 1)[-1], f["line"], f["rule"]) for f in data["findings"]}
        self.assertIn(("py2.py", 9, "BC002"), found)
        self.assertIn(("crlf.py", 5, "BC001"), found)
        notes = " ".join(n["path"] + ": " + n["message"] for n in data["notes"])
        self.assertIn("binary.py", notes)
        self.assertIn("huge.py", notes)
        self.assertIn("py2.py", notes)


if __name__ == "__main__":
    unittest.main()
