"""Debug guard: apps that are not in debug mode serve normally (some with a warning)."""
import os
import unittest

from guard_support import FAKE_DJANGO, GUARD_APPS
from bastion_test import APPS, Server


class Serves(unittest.TestCase):
    def serve(self, app, path="/", body=None, env=None, args=(), cwd=GUARD_APPS):
        srv = Server(app, *args, cwd=cwd, env=env)
        with srv:
            r = srv.get(path)
            self.assertEqual(r.status, 200, srv.output())
            if body is not None:
                self.assertEqual(r.body, body)
            log = srv.output()
        self.assertNotIn("BST-E0601", log)
        self.assertNotIn("Traceback", log)
        return log

    def test_debug_off(self):
        log = self.serve("clean_flask:app", body=b"clean")
        self.assertNotIn("BG00", log)

    def test_debug_gated_by_unset_variable(self):
        self.serve("clean_debug_gated:app", body=b"gated")

    def test_run_only_under_main(self):
        log = self.serve("clean_main_guard:app", body=b"main guard")
        self.assertNotIn("BG004", log)

    def test_module_level_run_without_debug_is_intercepted(self):
        log = self.serve("clean_module_run:app", body=b"run intercepted")
        self.assertIn("BG004 (warning)", log)
        self.assertNotIn("Running on http", log)

    def test_factory_with_proxyfix(self):
        self.serve("clean_factory:create_app()", body=b"factory")

    def test_dispatcher(self):
        self.serve("clean_dispatcher", path="/api/", body=b"api")

    def test_placeholder_secret_key_warns_and_serves(self):
        log = self.serve("clean_placeholder_secret:app", body=b"placeholder")
        self.assertIn("BG006 (warning)", log)
        self.assertIn("placeholder", log)

    def test_wrapper_cycle_and_deep_chain(self):
        self.serve("clean_cycle", body=b"cycle")

    def test_wrapper_inventing_attributes(self):
        self.serve("clean_weird_getattr", body=b"weird")

    def test_plain_wsgi(self):
        self.serve("plain_wsgi", body=b"plain")

    def test_flask_debug_falsy_values(self):
        for value in ("0", "false", "no", "", "False", "NO"):
            with self.subTest(FLASK_DEBUG=value):
                self.serve("clean_flask:app", body=b"clean", env={"FLASK_DEBUG": value})

    def test_flask_env_production(self):
        self.serve("clean_flask:app", body=b"clean", env={"FLASK_ENV": "production"})

    def test_django_debug_off(self):
        self.serve("djsite.wsgi_prod", body=b"django", env={"PYTHONPATH": FAKE_DJANGO})

    def test_existing_flask_fixture(self):
        log = self.serve("flask_app:app", body=b"Hello, World!", cwd=APPS)
        self.assertIn("BG006 (warning)", log)  # it has no SECRET_KEY

    def test_dash_e_falsy(self):
        self.serve("clean_flask:app", body=b"clean", args=("-e", "FLASK_DEBUG=0"))


if __name__ == "__main__":
    unittest.main()
