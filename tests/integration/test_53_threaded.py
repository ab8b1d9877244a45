"""The HTTP and WSGI suites again with --threads 4: the application runs on a pool of Python
threads and the loop thread only does I/O. Both execution paths must behave the same
(DESIGN.md section 2, rule 4). Only the subclasses below are collected here; the base classes
run in their own modules.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_40_http1_conformance as t40  # noqa: E402
import test_41_http1_smuggling as t41  # noqa: E402
import test_42_http1_connection as t42  # noqa: E402
import test_50_wsgi_environ as t50  # noqa: E402
import test_51_wsgi_response as t51  # noqa: E402
import test_52_flask as t52  # noqa: E402

THREADS = ("--threads", "4")


class ThreadedCorpus(t40.CorpusReplay):
    EXTRA = THREADS


class ThreadedSmuggling(t41.Smuggling):
    EXTRA = THREADS


class ThreadedConnection(t42.ConnectionBasics):
    EXTRA = THREADS


class ThreadedSlowClients(t42.SlowClients):
    EXTRA = THREADS


class ThreadedEnviron(t50.Environ):
    EXTRA = THREADS

    def test_multithread_flag(self):
        env = t50.environ_of(self.server, "/environ")
        self.assertIs(env["wsgi.multithread"], True)


class ThreadedResponses(t51.Responses):
    EXTRA = THREADS


class ThreadedValidated(t51.Validated):
    EXTRA = THREADS


class ThreadedFlask(t52.Flask):
    EXTRA = THREADS


if __name__ == "__main__":
    unittest.main()
