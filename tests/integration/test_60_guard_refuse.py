"""Debug guard: every debug-mode shape is refused before any request is answered, with the
right rule id, exit status 9, one boot attempt and no respawn loop."""
import os
import tempfile
import unittest

from guard_support import EXIT_DEBUG_REFUSED, FAKE_DJANGO, Refusal

# (test name, app URI, extra args, extra environment, rule ids that must appear, more text)
CASES = [
    ("attr", "debug_attr:app", (), None, ["BG001"], ["debug_attr.py:5"]),
    ("config_item", "debug_config_item:app", (), None, ["BG001"], []),
    ("from_mapping", "debug_from_mapping:app", (), None, ["BG001"], []),
    ("config_update", "debug_config_update:app", (), None, ["BG001"], []),
    ("from_object", "debug_from_object:app", (), None, ["BG001"], []),
    ("factory", "debug_factory:create_app()", (), None, ["BG001"], ["debug_factory.py:9"]),
    ("factory_argument", "debug_factory:create_app(debug=True)", (), None, ["BG001"], []),
    ("bare_module_uri", "debug_attr", (), None, ["BG001"], []),
    ("blueprint_app", "debug_blueprint:app", (), None, ["BG001"], []),
    ("proxyfix_wsgi_app", "debug_proxyfix:app", (), None, ["BG001"], []),
    ("proxyfix_served", "debug_proxyfix:application", (), None, ["BG001"], ["application.app"]),
    ("debugger_in_dispatcher", "debug_debugger_dispatcher:application", (), None, ["BG002"],
     ["mounts['/api']", "evalex=True"]),
    ("debugger_as_wsgi_app", "debug_debugger_wsgi_app:app", (), None, ["BG002"], ["app.wsgi_app"]),
    ("debugger_without_pin", "debug_evalex_no_pin", (), None, ["BG002"], ["pin_security=False"]),
    ("debug_app_mounted", "debug_dispatcher_mount", (), None, ["BG001"], ["mounts['/admin']"]),
    ("module_level_run", "debug_module_run:app", (), None, ["BG004", "BG001"], ["debug=True"]),
    ("module_level_run_simple", "debug_run_simple", (), None, ["BG004", "BG002"],
     ["use_debugger=True"]),
    ("closure_middleware", "debug_closure", (), None, ["BG001"], []),
    ("custom_wrapper", "debug_custom_wrapper", (), None, ["BG001"], ["_target_wsgi"]),
    ("unreachable_app", "debug_hidden", (), None, ["BG001"], ["not reachable"]),
    ("env_set_by_app", "debug_env_by_app:app", (), None, ["BG003"], ["set by the application"]),
    ("env_flask_debug", "plain_wsgi", (), {"FLASK_DEBUG": "1"}, ["BG003"],
     ["FLASK_DEBUG='1'", "inherited from the environment"]),
    ("env_flask_debug_word", "plain_wsgi", (), {"FLASK_DEBUG": "on"}, ["BG003"], []),
    ("env_flask_env", "plain_wsgi", (), {"FLASK_ENV": "development"}, ["BG003"], ["FLASK_ENV"]),
    ("env_pin_off", "plain_wsgi", (), {"WERKZEUG_DEBUG_PIN": "off"}, ["BG003"],
     ["WERKZEUG_DEBUG_PIN"]),
    ("dash_e_flask_debug", "clean_flask:app", ("-e", "FLASK_DEBUG=1"), None, ["BG003"],
     ["-e/--env", "it put Flask app 'clean_flask' (`app`) in debug mode"]),
    ("dash_e_flask_debug_true", "plain_wsgi", ("--env", "FLASK_DEBUG=True"), None, ["BG003"],
     ["-e/--env"]),
    ("django_debug", "djsite.wsgi_debug", (), {"PYTHONPATH": FAKE_DJANGO}, ["BG005"],
     ["djsite.settings_debug"]),
    ("fails_closed", "debug_unreadable:app", (), None, ["BG000"], ["cannot prove"]),
]


class Refused(unittest.TestCase):
    def assert_refused(self, app, args, env, rules, texts):
        r = Refusal(app, *args, env=env)
        self.assertEqual(r.code, EXIT_DEBUG_REFUSED, r.output)
        for rule in rules:
            self.assertIn(rule, r.output)
        for text in texts:
            self.assertIn(text, r.output)
        self.assertIn("BST-E0601", r.output)
        # A client connected while it booted; it was never answered, and nothing listens
        # once bastion is gone.
        self.assertTrue(r.connected, r.output)
        self.assertEqual(r.answered, b"", r.output)
        self.assertFalse(r.still_listening)
        # One boot attempt: no respawn loop.
        self.assertEqual(r.output.count("Booting worker"), 1, r.output)
        # Refused before serving: no development server, no request handled.
        self.assertNotIn("Running on http", r.output)
        self.assertNotIn("Traceback", r.output)


def _make(app, args, env, rules, texts):
    def test(self):
        self.assert_refused(app, args, env, rules, texts)
    return test


for _name, _app, _args, _env, _rules, _texts in CASES:
    setattr(Refused, "test_" + _name, _make(_app, _args, _env, _rules, _texts))


class RefusalMessage(unittest.TestCase):
    def test_message_names_rule_place_and_fix(self):
        r = Refusal("debug_proxyfix:application")
        self.assertEqual(r.code, EXIT_DEBUG_REFUSED, r.output)
        line = next(l for l in r.output.splitlines() if "BG001" in l)
        self.assertIn("application.app", line)       # where: the attribute path
        self.assertIn("debug_proxyfix", line)        # the module
        self.assertIn("-- fix:", line)               # and the fix
        self.assertIn("CRITICAL", line)

    def test_error_log_file_and_stderr_both_explain(self):
        log = tempfile.NamedTemporaryFile(prefix="bastion-guard-", suffix=".log", delete=False)
        log.close()
        try:
            r = Refusal("debug_attr:app", "--error-logfile", log.name)
            with open(log.name, encoding="utf-8") as f:
                logged = f.read()
        finally:
            os.unlink(log.name)
        self.assertEqual(r.code, EXIT_DEBUG_REFUSED, r.output)
        self.assertIn("BG001", logged)
        self.assertIn("BST-E0601", logged)
        self.assertIn("BG001", r.output)  # stderr, although the log is a file
        self.assertEqual(r.answered, b"")

    def test_exit_status_is_documented(self):
        doc = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security-guard.md")
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("exit status 9", text.lower())
        self.assertIn("Why Bastion refuses to start", text)


if __name__ == "__main__":
    unittest.main()
