"""--reload (issue 6, item 7): each worker watches the application's source files with inotify;
a change reloads the workers gracefully (as HUP does). A module that no longer imports (a
SyntaxError) leaves the old worker serving with the error in the log, and the next change
tries again. --reload with --preload is refused at config load."""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import BIN, Server, free_port  # noqa: E402
from proc_support import try_get, wait_until  # noqa: E402

MAIN = textwrap.dedent('''
    import os
    import reload_helper

    def app(environ, start_response):
        body = ("%s %s %d" % (reload_helper.VERSION, EXTRA, os.getpid())).encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    with open(os.path.join(os.path.dirname(__file__), "extra.txt")) as f:
        EXTRA = f.read().strip()
''')


class ReloadCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion-reload-")
        self.write("reload_app.py", MAIN)
        self.write("extra.txt", "e1")
        self.helper("v1")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text, in_place=False):
        path = os.path.join(self.dir, name)
        if in_place:  # as an editor that rewrites the file
            with open(path, "w") as f:
                f.write(text)
        else:  # as an editor that saves by rename
            with open(path + ".tmp", "w") as f:
                f.write(text)
            os.replace(path + ".tmp", path)

    def helper(self, version, broken=False, in_place=False):
        text = "VERSION = %r\n" % version
        if broken:
            text += "def oops(:\n"
        self.write("reload_helper.py", text, in_place)

    def wait_body(self, srv, prefix, timeout=10.0):
        def check():
            r = try_get(srv.port)
            return r if r and r[0] == 200 and r[1].startswith(prefix) else None
        return wait_until(check, timeout=timeout, interval=0.1)


class Reload(ReloadCase):
    def test_edit_reloads_syntax_error_keeps_old_worker_fix_recovers(self):
        with Server("reload_app:app", "--reload", cwd=self.dir) as srv:
            self.assertTrue(self.wait_body(srv, "v1 e1"), srv.output())
            started = time.monotonic()
            self.helper("v2", in_place=True)
            self.assertTrue(self.wait_body(srv, "v2 e1"), srv.output())
            self.assertLess(time.monotonic() - started, 5)
            out = srv.output()
            self.assertIn("Worker reloading: %s modified"
                          % os.path.realpath(os.path.join(self.dir, "reload_helper.py")), out)
            self.assertTrue(wait_until(lambda: "Reload complete" in srv.output()), srv.output())
            old_pid = int(try_get(srv.port)[1].split()[2])

            # A syntax error: the new worker cannot import; the old one keeps serving.
            self.helper("v3", broken=True)
            self.assertTrue(wait_until(lambda: "BST-E0704" in srv.output(), timeout=15),
                            srv.output())
            self.assertIn("SyntaxError", srv.output())
            for _ in range(5):
                status, body = try_get(srv.port)
                self.assertEqual(status, 200)
                self.assertEqual(body.split()[0], "v2")
                self.assertEqual(int(body.split()[2]), old_pid)
            self.assertIsNone(srv.proc.poll())

            # Fixed: the next change reloads again.
            self.helper("v4")
            self.assertTrue(self.wait_body(srv, "v4 e1"), srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())

    def test_change_while_the_new_worker_imports_is_not_lost(self):
        # The new worker reads reload_helper, then spends a second importing the rest; a
        # change made meanwhile is seen by the old worker only, and must still be served.
        self.write("reload_app.py", MAIN.replace("import reload_helper\n",
                                                 "import reload_helper\nimport time\n"
                                                 "time.sleep(float(os.environ.get('SLOW', 0)))\n"))
        with Server("reload_app:app", "--reload", cwd=self.dir, env={"SLOW": "1.5"}) as srv:
            self.assertTrue(self.wait_body(srv, "v1 e1"), srv.output())
            self.helper("v2")
            self.assertTrue(wait_until(lambda: "Reloading: starting" in srv.output()),
                            srv.output())
            time.sleep(0.5)
            self.helper("v3")
            self.assertTrue(self.wait_body(srv, "v3 e1", timeout=15), srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())

    def test_module_imported_after_boot_is_watched_too(self):
        self.write("lazy_mod.py", "WORD = 'lazy1'\n")
        self.write("lazy_app.py", textwrap.dedent('''
            def app(environ, start_response):
                import lazy_mod  # first imported by the first request
                body = lazy_mod.WORD.encode()
                start_response("200 OK", [("Content-Length", str(len(body)))])
                return [body]
        '''))
        with Server("lazy_app:app", "--reload", cwd=self.dir) as srv:
            self.assertTrue(self.wait_body(srv, "lazy1"), srv.output())
            time.sleep(2.5)  # the worker lists sys.modules again every 2 s
            self.write("lazy_mod.py", "WORD = 'lazy2'\n", in_place=True)
            self.assertTrue(self.wait_body(srv, "lazy2"), srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())

    def test_extra_file_and_two_workers(self):
        with Server("reload_app:app", "--reload", "--reload-extra-file",
                    os.path.join(self.dir, "*.txt"), workers=2, cwd=self.dir) as srv:
            self.assertTrue(self.wait_body(srv, "v1 e1"), srv.output())
            self.write("extra.txt", "e2")
            self.assertTrue(self.wait_body(srv, "v1 e2"), srv.output())
            self.assertTrue(wait_until(lambda: "Reload complete" in srv.output()), srv.output())
            time.sleep(1.0)
            # Both workers saw the change; one reload was enough.
            self.assertEqual(srv.output().count("Reloading: starting"), 1, srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())


class Config(ReloadCase):
    def _run(self, *args):
        return subprocess.run([BIN, *args, "-b", "127.0.0.1:%d" % free_port(), "reload_app:app"],
                              cwd=self.dir, capture_output=True, text=True, timeout=20)

    def test_reload_with_preload_is_refused(self):
        proc = self._run("--reload", "--preload")
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("--reload", proc.stderr)
        self.assertIn("--preload", proc.stderr)

    def test_poll_engine_warns(self):
        proc = self._run("--reload", "--reload-engine", "poll", "--check-config")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("inotify", proc.stderr)


if __name__ == "__main__":
    unittest.main()
