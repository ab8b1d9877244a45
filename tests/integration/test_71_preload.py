"""--preload (issue 6, item 6): a zygote imports the application once, before the workers are
forked, and the master stays Python-free. Import errors and debug refusals fail fast with
their status and no worker; workers share the imported memory copy-on-write; HUP re-imports
the code in a new zygote (a broken module keeps the old zygote and workers); a killed zygote
is replaced while its workers serve on."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, BIN, Server, free_port  # noqa: E402
from proc_support import children_of, cmdline, http_get, try_get, wait_until  # noqa: E402

APP = textwrap.dedent('''
    import os
    with open(os.environ["IMPORT_LOG"], "a") as f:
        f.write("%d\\n" % os.getpid())
    VERSION = "{version}"
    {extra}

    def app(environ, start_response):
        body = ("%s %d" % (VERSION, os.getpid())).encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
''')

# ~60 MB of Python objects created at import (strings are not tracked by the GC, so a worker
# does not touch them unless it uses them).
BIG = "DATA = [('x%d' % i) * 4 for i in range(800000)]"


class PreloadCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion-preload-")
        self.import_log = os.path.join(self.dir, "imports.log")
        self.write_app("v1")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_app(self, version, extra="", broken=False):
        text = APP.format(version=version, extra=extra)
        if broken:
            text += "\ndef oops(:\n"
        path = os.path.join(self.dir, "preload_app.py")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def serve(self, *args, workers=2, wait=True):
        return Server("preload_app:app", "--preload", *args, workers=workers, cwd=self.dir,
                      env={"IMPORT_LOG": self.import_log}, wait=wait)

    def imports(self):
        try:
            with open(self.import_log) as f:
                return [int(line) for line in f.read().split()]
        except OSError:
            return []

    @staticmethod
    def kinds(master):
        """{'zygote': [pids], 'worker': [pids]} among the master's children."""
        out = {"zygote": [], "worker": []}
        for pid in children_of(master):
            text = cmdline(pid)
            for kind in out:
                if "bastion: %s" % kind in text:
                    out[kind].append(pid)
        return out

    def wait_workers(self, master, n):
        return wait_until(lambda: (lambda k: k if len(k["worker"]) == n and len(k["zygote"]) == 1
                                   else None)(self.kinds(master)), timeout=15)

    def wait_body(self, port, prefix, timeout=15.0):
        def check():
            r = try_get(port)
            return r if r and r[0] == 200 and r[1].startswith(prefix) else None
        return wait_until(check, timeout=timeout, interval=0.1)


class Serving(PreloadCase):
    def test_imports_once_in_the_zygote_and_serves_with_two_workers(self):
        with self.serve("--log-level", "debug") as srv:
            master = srv.proc.pid
            kinds = self.wait_workers(master, 2)
            self.assertTrue(kinds, srv.output())
            zygote = kinds["zygote"][0]
            # The module's top-level code ran once, in the zygote: not in the master, not in
            # the workers.
            self.assertEqual(self.imports(), [zygote])
            seen = set()
            for _ in range(30):
                status, body = http_get(srv.port)
                self.assertEqual(status, 200)
                version, pid = body.split()
                self.assertEqual(version, "v1")
                seen.add(int(pid))
            self.assertTrue(seen <= set(kinds["worker"]), (seen, kinds))
            self.assertEqual(self.imports(), [zygote])
            out = srv.output()
            self.assertIn("Application preloaded", out)
            self.assertEqual(srv.stop(), 0, srv.output())
        self.assertFalse(os.path.exists("/proc/%d" % zygote) and
                         "zygote" in cmdline(zygote))

    def test_reload_with_preload_is_refused(self):
        proc = subprocess.run([BIN, "--reload", "--preload", "-b", "127.0.0.1:%d" % free_port(),
                               "preload_app:app"], cwd=self.dir, capture_output=True, text=True,
                              timeout=20, env=dict(os.environ, IMPORT_LOG=self.import_log))
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("preload", proc.stderr)
        self.assertEqual(self.imports(), [])


class FailFast(PreloadCase):
    def _fails(self, app, code, cwd=None):
        srv = Server(app, "--preload", workers=2, cwd=cwd or self.dir, wait=False,
                     env={"IMPORT_LOG": self.import_log})
        srv.start()
        try:
            self.assertEqual(srv.proc.wait(30), code, srv.output())
            out = srv.output()
            self.assertNotIn("Booting worker", out)  # no worker was ever forked
            return out
        finally:
            srv.stop()
            os.unlink(srv.log.name)

    def test_import_error_exits_4_without_workers(self):
        self.write_app("v1", extra="raise RuntimeError('boom at import')")
        out = self._fails("preload_app:app", 4)
        self.assertIn("boom at import", out)
        self.assertEqual(len(self.imports()), 1)  # one attempt, no respawn loop

    def test_debug_app_exits_9_without_workers(self):
        out = self._fails("debug_attr:app", 9, cwd=os.path.join(APPS, "guard"))
        self.assertIn("BG001", out)


def private_kb(pid):
    """Private_Clean + Private_Dirty of `pid`, in kB."""
    total = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


class MemorySharing(PreloadCase):
    def _workers_private_kb(self, preload):
        self.write_app("v1", extra=BIG)
        args = ["--preload"] if preload else []
        with Server("preload_app:app", *args, workers=2, cwd=self.dir, timeout=60,
                    env={"IMPORT_LOG": self.import_log}) as srv:
            master = srv.proc.pid
            want = (lambda k: k if len(k["worker"]) == 2 else None)
            kinds = wait_until(lambda: want(self.kinds(master)), timeout=60)
            self.assertTrue(kinds, srv.output())
            self.assertTrue(wait_until(lambda: "Booting worker" in srv.output() and
                                       srv.output().count("Booting worker") >= 2, timeout=60))
            time.sleep(1.0)
            for _ in range(20):
                self.assertEqual(http_get(srv.port, timeout=30)[0], 200)
            return sum(private_kb(p) for p in kinds["worker"])

    def test_workers_share_the_imported_memory(self):
        without = self._workers_private_kb(False)
        os.unlink(self.import_log)
        with_preload = self._workers_private_kb(True)
        sys.stderr.write("\nworkers' private memory: %d kB without --preload, %d kB with\n"
                         % (without, with_preload))
        # ~60 MB of objects per worker without preload; shared copy-on-write with it.
        self.assertGreater(without - with_preload, 60 * 1024, (without, with_preload))
        self.assertLess(with_preload * 2, without, (without, with_preload))


class Reload(PreloadCase):
    def test_hup_reimports_in_a_new_zygote_and_a_broken_module_keeps_the_old_one(self):
        with self.serve() as srv:
            master = srv.proc.pid
            kinds = self.wait_workers(master, 2)
            self.assertTrue(kinds, srv.output())
            old_zygote = kinds["zygote"][0]
            self.assertTrue(self.wait_body(srv.port, "v1"))
            self.write_app("v2")
            srv.send_signal(signal.SIGHUP)
            self.assertTrue(self.wait_body(srv.port, "v2"), srv.output())
            self.assertTrue(wait_until(lambda: "Reload complete" in srv.output()), srv.output())
            kinds = self.wait_workers(master, 2)
            self.assertTrue(kinds, srv.output())
            new_zygote = kinds["zygote"][0]
            self.assertNotEqual(new_zygote, old_zygote)
            self.assertEqual(self.imports(), [old_zygote, new_zygote])
            workers = kinds["worker"]

            # A broken module: the new zygote cannot import it; the old zygote and workers stay.
            self.write_app("v3", broken=True)
            srv.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: "BST-E0704" in srv.output(), timeout=20),
                            srv.output())
            self.assertIn("SyntaxError", srv.output())
            for _ in range(10):
                status, body = http_get(srv.port)
                self.assertEqual((status, body.split()[0]), (200, "v2"))
            kinds = self.wait_workers(master, 2)
            self.assertEqual(kinds["zygote"], [new_zygote], srv.output())
            self.assertEqual(sorted(kinds["worker"]), sorted(workers))

            # Fixed: the next HUP works, and TTIN forks from the newest zygote.
            self.write_app("v4")
            srv.send_signal(signal.SIGHUP)
            self.assertTrue(self.wait_body(srv.port, "v4"), srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())


class ZygoteDeath(PreloadCase):
    def test_killed_zygote_is_replaced_and_workers_keep_serving(self):
        with self.serve("--log-level", "debug") as srv:
            master = srv.proc.pid
            kinds = self.wait_workers(master, 2)
            self.assertTrue(kinds, srv.output())
            zygote = kinds["zygote"][0]
            os.kill(zygote, signal.SIGKILL)
            for _ in range(10):
                self.assertEqual(http_get(srv.port)[0], 200)
            self.assertTrue(wait_until(lambda: "BST-E0725" in srv.output()), srv.output())
            replaced = wait_until(lambda: (lambda k: k if k["zygote"] and
                                           k["zygote"][0] != zygote else None)(self.kinds(master)),
                                  timeout=15)
            self.assertTrue(replaced, srv.output())
            self.assertEqual(sorted(replaced["worker"]), sorted(kinds["worker"]))
            # The new zygote forks the next worker (TTIN), which the master supervises.
            srv.send_signal(signal.SIGTTIN)
            grown = self.wait_workers(master, 3)
            self.assertTrue(grown, srv.output())
            new = (set(grown["worker"]) - set(kinds["worker"])).pop()
            # Killed once it serves (a worker killed while booting is a boot failure).
            self.assertTrue(wait_until(lambda: "Worker (pid:%d) is ready" % new in srv.output(),
                                       timeout=15), srv.output())
            os.kill(new, signal.SIGKILL)
            self.assertTrue(wait_until(lambda: "Worker (pid:%d) was sent SIGKILL" % new
                                       in srv.output()), srv.output())
            self.assertTrue(self.wait_workers(master, 3), srv.output())
            self.assertEqual(srv.stop(), 0, srv.output())


if __name__ == "__main__":
    unittest.main()
