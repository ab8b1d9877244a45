"""`bastion check --app MODULE:APP`: the guard's dry run. Exit 0 clean, 1 would refuse, the
server's load-failure codes when the app cannot be imported; text and JSON reports."""
import tempfile
import time
import unittest

from guard_support import FAKE_DJANGO, GUARD_APPS, check_json, run_check
from bastion_test import APPS


class DryRun(unittest.TestCase):
    def test_debug_app_would_be_refused(self):
        proc = run_check("--app", "debug_attr:app")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("BG001", proc.stdout)
        self.assertIn("would be REFUSED", proc.stdout)
        self.assertIn("fix:", proc.stdout)

    def test_debug_app_json(self):
        proc, doc = check_json("--app", "debug_proxyfix:application")
        self.assertEqual(proc.returncode, 1)
        self.assertIs(doc["would_refuse"], True)
        self.assertEqual(doc["exit_status"], 1)
        self.assertEqual(doc["server_exit_status"], 9)
        self.assertEqual(doc["app"], "debug_proxyfix:application")
        rules = [f["rule"] for f in doc["findings"] if f["refuses"]]
        self.assertEqual(rules, ["BG001"])
        finding = doc["findings"][0]
        self.assertEqual(finding["severity"], "error")
        self.assertEqual(finding["where"], "debug_proxyfix:application.app")
        self.assertTrue(finding["fix"])
        self.assertEqual(doc["counts"]["refusing"], 1)

    def test_clean_app(self):
        proc = run_check("--app", "clean_flask:app")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("passes the debug guard", proc.stdout)
        proc, doc = check_json("--app", "clean_flask:app")
        self.assertEqual(proc.returncode, 0)
        self.assertIs(doc["would_refuse"], False)
        self.assertEqual(doc["findings"], [])

    def test_warning_only_exits_zero(self):
        proc, doc = check_json("--app", "clean_placeholder_secret:app")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual([f["rule"] for f in doc["findings"]], ["BG006"])
        self.assertEqual(doc["findings"][0]["severity"], "warning")
        self.assertIs(doc["findings"][0]["refuses"], False)

    def test_every_rule_through_the_dry_run(self):
        cases = [("debug_debugger_dispatcher", {}, (), "BG002"),
                 ("plain_wsgi", {"FLASK_ENV": "development"}, (), "BG003"),
                 ("debug_module_run:app", {}, (), "BG004"),
                 ("djsite.wsgi_debug", {}, ("--pythonpath", FAKE_DJANGO), "BG005"),
                 ("debug_unreadable:app", {}, (), "BG000")]
        for app, env, args, rule in cases:
            with self.subTest(app=app):
                proc, doc = check_json("--app", app, *args, env=env)
                self.assertEqual(proc.returncode, 1, proc.stderr)
                self.assertIn(rule, [f["rule"] for f in doc["findings"]])

    def test_dash_e_is_applied_and_named(self):
        proc, doc = check_json("--app", "plain_wsgi", "-e", "FLASK_DEBUG=1")
        self.assertEqual(proc.returncode, 1)
        bg003 = [f for f in doc["findings"] if f["rule"] == "BG003"]
        self.assertEqual(len(bg003), 1)
        self.assertIn("-e/--env", bg003[0]["message"])
        self.assertEqual(bg003[0]["where"], "environment variable FLASK_DEBUG")
        proc, _ = check_json("--app", "plain_wsgi", "--env=FLASK_DEBUG=0")
        self.assertEqual(proc.returncode, 0)

    def test_chdir(self):
        proc = run_check("--app", "debug_attr:app", "--chdir", GUARD_APPS,
                         cwd=tempfile.gettempdir())
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("BG001", proc.stdout)

    def test_module_level_run_does_not_start_a_server(self):
        started = time.monotonic()
        proc, doc = check_json("--app", "debug_module_run:app", timeout=30)
        self.assertLess(time.monotonic() - started, 25)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("BG004", [f["rule"] for f in doc["findings"]])
        self.assertNotIn("Running on http", proc.stderr)

    def test_json_stays_parseable_when_the_app_prints(self):
        proc, doc = check_json("--app", "clean_prints_on_import")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("hello from the application's import", proc.stderr)

    def test_load_failures_use_the_server_exit_codes(self):
        cases = [("no_such_module:app", 5, "no module named"),
                 ("wsgi_basic:nope", 6, "failed to find attribute"),
                 ("not_callable:app", 7, "not callable"),
                 ("raises_on_import:app", 4, "RuntimeError: this application cannot start")]
        for app, code, text in cases:
            with self.subTest(app=app):
                proc, doc = check_json("--app", app, cwd=APPS)
                self.assertEqual(proc.returncode, code, proc.stderr)
                self.assertEqual(doc["exit_status"], code)
                self.assertIsNone(doc["would_refuse"])
                self.assertIn(text, doc["error"])
                self.assertIn(text, proc.stderr)

    def test_usage_errors(self):
        proc = run_check("--app", "clean_flask:app", "--format", "xml")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--format", proc.stderr)
        proc = run_check("--app", "clean_flask:app", "-e", "NOEQUALS")
        self.assertEqual(proc.returncode, 2)

    def test_help(self):
        proc = run_check("--app", "x", "--help")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("bastion check --app", proc.stdout)


if __name__ == "__main__":
    unittest.main()
