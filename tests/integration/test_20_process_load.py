"""Zero-downtime under load: HUP, TTOU, TERM and --max-requests recycling must not fail a
single request; a SIGKILLed worker costs only its own in-flight requests (issue 3, scope 2,
3 and 5). The load is a small threaded http.client generator (tests/apps/process/loadgen.py),
bounded in time."""
import os
import signal
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, Server  # noqa: E402
from loadgen import Load  # noqa: E402
from proc_support import children_of, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")
THREADS = 8


def serve(*args, workers=2):
    return Server("proc_app:app", *args, workers=workers, cwd=PROC_APPS)


def at(delays, action):
    """Runs action() after each delay (seconds from now) on a helper thread."""
    def run():
        start = time.monotonic()
        for d in delays:
            time.sleep(max(0.0, start + d - time.monotonic()))
            action()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


class ZeroFailures(unittest.TestCase):
    def check(self, load, srv, min_ok=200):
        msg = "%s\n%s" % (load.summary(), srv.output()[-6000:])
        self.assertEqual(load.failed, 0, msg)
        self.assertEqual(load.refused, 0, msg)
        self.assertGreater(load.ok, min_ok, msg)

    def test_hup_under_load_keepalive(self):
        with serve() as srv:
            wait_until(lambda: len(children_of(srv.proc.pid)) == 2)
            load = Load(srv.port, threads=THREADS).start()
            for n in (1, 2, 3):
                time.sleep(0.5)
                srv.send_signal(signal.SIGHUP)
                # Under load the new workers may boot slowly (a HUP meanwhile would be merged
                # into one more reload): wait for each to complete.
                self.assertTrue(wait_until(lambda: srv.output().count("Reload complete") == n, 30),
                                srv.output())
            time.sleep(0.5)
            load.stop()
            self.check(load, srv)

    def test_hup_under_load_connection_close(self):
        with serve() as srv:
            wait_until(lambda: len(children_of(srv.proc.pid)) == 2)
            load = Load(srv.port, threads=THREADS, keepalive=False).start()
            t = at([0.5, 1.5], lambda: srv.send_signal(signal.SIGHUP))
            time.sleep(2.5)
            load.stop()
            t.join()
            self.check(load, srv)

    def test_ttou_ttin_under_load(self):
        with serve(workers=3) as srv:
            wait_until(lambda: len(children_of(srv.proc.pid)) == 3)
            load = Load(srv.port, threads=THREADS).start()
            t1 = at([0.4, 1.2, 2.0], lambda: srv.send_signal(signal.SIGTTOU))
            t2 = at([0.8, 1.6], lambda: srv.send_signal(signal.SIGTTIN))
            time.sleep(3.0)
            load.stop()
            t1.join()
            t2.join()
            self.check(load, srv)
            self.assertTrue(wait_until(lambda: len(children_of(srv.proc.pid)) == 2), srv.output())

    def test_max_requests_under_load(self):
        with serve("--max-requests", "150", "--max-requests-jitter", "50") as srv:
            wait_until(lambda: len(children_of(srv.proc.pid)) == 2)
            load = Load(srv.port, threads=THREADS).run_for(4.0)
            self.check(load, srv)
            # Recycling happened: more distinct worker pids answered than there are workers.
            self.assertGreater(len(load.bodies), 2, load.bodies)
            self.assertIn("reached max_requests", srv.output())

    def test_term_under_load_fails_nothing_accepted(self):
        srv = serve("--threads", "2").start()
        try:
            wait_until(lambda: len(children_of(srv.proc.pid)) == 2)
            load = Load(srv.port, path="/slow?s=0.2", threads=THREADS).start()
            time.sleep(1.0)
            srv.send_signal(signal.SIGTERM)
            self.assertEqual(srv.proc.wait(15), 0)
            load.stop()
            # Once the listener is closed new connections are refused (they never reached the
            # server); nothing that was accepted may fail.
            msg = "%s\n%s" % (load.summary(), srv.output()[-6000:])
            self.assertEqual(load.failed, 0, msg)
            self.assertGreater(load.ok, 5, msg)
        finally:
            srv.stop()


class KillUnderLoad(unittest.TestCase):
    def test_sigkill_costs_only_that_workers_requests(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            load = Load(srv.port, threads=THREADS).start()
            time.sleep(0.7)
            os.kill(pids[0], signal.SIGKILL)
            fresh = wait_until(lambda: [p for p in children_of(master) if p not in pids], 1.0, 0.005)
            time.sleep(1.5)
            load.stop()
            msg = "%s\n%s" % (load.summary(), srv.output()[-4000:])
            self.assertTrue(fresh, "no replacement within a second\n" + msg)
            # At most the connections the dead worker held (one in-flight request each); the
            # other worker's clients never notice.
            self.assertLessEqual(load.failed, THREADS, msg)
            self.assertEqual(load.refused, 0, msg)
            self.assertTrue(wait_until(lambda: "Booting worker with pid: %d" % fresh[0]
                                       in srv.output()), msg)


if __name__ == "__main__":
    unittest.main()
