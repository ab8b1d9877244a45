"""Hung, crashed and unbootable workers (issue 3, scope 3 and 4): a worker silent past
--timeout is aborted with every Python thread's stack in the error log and replaced; a
segfault or SIGKILL (OOM) is logged with its signal and replaced; an app that cannot import
stops the master with a distinct status and no respawn loop; a crash loop after boot is
respawned with growing delays."""
import os
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, BIN, Server, free_port  # noqa: E402
from loadgen import Load  # noqa: E402
from proc_support import children_of, http_get, try_get, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")


def serve(*args, workers=2, app="proc_app:app"):
    return Server(app, *args, workers=workers, cwd=PROC_APPS)


class Hang(unittest.TestCase):
    def _hang(self, *args):
        with serve("-t", "2", *args) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            started = time.monotonic()
            self.assertIsNone(try_get(srv.port, "/hang", timeout=15))  # the worker dies under it
            self.assertLess(time.monotonic() - started, 8, srv.output())
            out = wait_until(lambda: (lambda o: o if "replacing it" in o else None)(srv.output()))
            self.assertTrue(out, srv.output())
            self.assertIn("WORKER TIMEOUT", out)
            # The hung request's Python stack, down to the function it hung in.
            self.assertIn("in hang_here_forever", out)
            self.assertIn("proc_app.py", out)
            self.assertTrue(wait_until(lambda: len(children_of(master)) == 2 and
                                       set(children_of(master)) != set(pids)), srv.output())
            self.assertEqual(http_get(srv.port)[0], 200)
            return out

    def test_hung_worker_is_aborted_with_traceback(self):
        out = self._hang()
        self.assertIn("event loop was stuck", out)

    def test_hung_request_with_threads_is_bounded_too(self):
        # With --threads > 1 the loop keeps beating; --timeout still bounds one call into the
        # application (Gunicorn's gthread worker does not).
        out = self._hang("--threads", "4")
        self.assertIn("a request ran in the application for longer than --timeout", out)

    def test_timeout_zero_disables(self):
        with serve("-t", "0", "--threads", "2", "--graceful-timeout", "1", workers=1) as srv:
            pid = wait_until(lambda: children_of(srv.proc.pid))[0]
            self.assertIsNone(try_get(srv.port, "/hang", timeout=3))
            self.assertEqual(children_of(srv.proc.pid), [pid])
            self.assertNotIn("WORKER TIMEOUT", srv.output())


class Crash(unittest.TestCase):
    def test_segfault_is_logged_and_replaced_neighbours_unaffected(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            load = Load(srv.port, threads=4, keepalive=False).start()
            time.sleep(0.3)
            self.assertIsNone(try_get(srv.port, "/segv"))
            time.sleep(0.7)
            load.stop()
            out = srv.output()
            self.assertIn("signal 11 (Segmentation fault)", out)
            self.assertIn("Fatal Python error: Segmentation fault", out)  # and where it crashed
            # Only requests the crashed worker already held can fail (at most one per client).
            self.assertLessEqual(load.failed, 4, load.summary())
            self.assertGreater(load.ok, 50, load.summary())
            self.assertTrue(wait_until(lambda: len(children_of(master)) == 2 and
                                       set(children_of(master)) != set(pids)), out)

    def test_sigkill_as_by_oom_killer_is_logged_and_replaced(self):
        with serve(workers=1) as srv:
            master = srv.proc.pid
            victim = wait_until(lambda: children_of(master))[0]
            self.assertIsNone(try_get(srv.port, "/kill"))
            self.assertTrue(wait_until(lambda: "Perhaps out of memory" in srv.output()))
            answer = wait_until(lambda: try_get(srv.port), 5)
            self.assertTrue(answer and answer[1] != "ok %d" % victim, srv.output())

    def test_crash_loop_after_boot_backs_off(self):
        with serve(workers=1, app="crash_after_boot:app") as srv:
            # 3 quick respawns, then 250 ms, 500 ms, 1 s ... between them.
            self.assertTrue(wait_until(lambda: "next respawn in 1000 ms" in srv.output(), 20),
                            srv.output())
            out = srv.output()
            self.assertIn("BST-E0703", out)
            self.assertIn("next respawn in 250 ms", out)
            self.assertIn("next respawn in 500 ms", out)
            self.assertIn("exited with code 70", out)
            self.assertIsNone(srv.proc.poll(), "a crash loop after boot must not stop the master")


class BootFailure(unittest.TestCase):
    def run_app(self, app, *args):
        port = free_port()
        started = time.monotonic()
        proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % port, *args, app], cwd=PROC_APPS,
                              capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started

    def test_import_error_stops_master_without_respawning(self):
        code, out, elapsed = self.run_app("import_error:app", "-w", "4")
        self.assertEqual(code, 4, out)
        self.assertEqual(out.count("Booting worker"), 1, out)
        self.assertIn("this deploy is broken on purpose", out)
        self.assertIn("BST-E0705", out)
        self.assertLess(elapsed, 10)

    def test_missing_module_exit_status(self):
        code, out, _ = self.run_app("no_such_module_here:app", "-w", "2")
        self.assertEqual(code, 5, out)
        self.assertEqual(out.count("Booting worker"), 1, out)


if __name__ == "__main__":
    unittest.main()
