# A gunicorn.conf.py laid out like the example in Gunicorn's documentation: every section of
# settings with a comment, plus the usual server hooks. Bastion must load it unchanged.
# (Fixture for tests/unit/config and the integration tests; values are chosen so that every
# one differs from the default where Bastion supports the setting.)
import multiprocessing
import os

# Server socket
#
#   bind - The socket to bind: 'HOST', 'HOST:PORT', 'unix:PATH' or a list of them.
#   backlog - The number of pending connections the kernel queues.

bind = os.environ.get("BASTION_TEST_BIND", "127.0.0.1:8123")
backlog = 512

# Worker processes
#
#   workers - How many worker processes; a common rule of thumb is 2-4 per core.
#   worker_class - sync or gthread.
#   worker_connections - Maximum simultaneous clients per worker.
#   timeout - A worker silent for longer than this is killed and restarted.
#   keepalive - Seconds to wait for the next request on a keep-alive connection.

workers = min(2, multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = 2
worker_connections = 500
timeout = 45
keepalive = 3

# Debugging
#
#   spew - Trace every executed line (very noisy); left off here.

spew = False

# Server mechanics
#
#   daemon - Detach from the controlling terminal.
#   raw_env - Environment variables for the application, KEY=VALUE.
#   pidfile - Where to write the master's PID; None for no file.
#   umask - Mask for files the server creates.
#   user, group - Switch workers to this user and group; None keeps the current ones.
#   tmp_upload_dir - Unused.

daemon = False
raw_env = ["GREETING=hello", "MODE=test"]
pidfile = None
umask = 0
user = None
group = None
tmp_upload_dir = None

# Logging
#
#   errorlog - Where errors go; '-' is stderr.
#   loglevel - debug, info, warning, error or critical.
#   accesslog - Where the access log goes; '-' is stdout.
#   access_log_format - The access log line.

errorlog = "-"
loglevel = "warning"
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# Process naming
#
#   proc_name - Shown in ps and top; defaults to the application.

proc_name = None

# Server hooks
#
#   post_fork - Called just after a worker has been forked.
#   pre_fork - Called just before a worker is forked.
#   pre_exec - Called just before a new master process is forked.
#   when_ready - Called just after the server is started.
#   worker_int - Called when a worker receives INT or QUIT.
#   worker_abort - Called when a worker receives SIGABRT (usually a timeout).


def post_fork(server, worker):
    server.log.info("Worker spawned (pid: %s)", worker.pid)


def pre_fork(server, worker):
    pass


def pre_exec(server):
    server.log.info("Forked child, re-executing.")


def when_ready(server):
    server.log.info("Server is ready. Spawning workers")


def worker_int(worker):
    worker.log.info("worker received INT or QUIT signal")

    # Print the stack of every thread, to see where a worker was stuck.
    import sys
    import threading
    import traceback

    names = {th.ident: th.name for th in threading.enumerate()}
    lines = []
    for thread_id, stack in sys._current_frames().items():
        lines.append("\n# Thread: %s(%d)" % (names.get(thread_id, ""), thread_id))
        for filename, lineno, name, line in traceback.extract_stack(stack):
            lines.append('File: "%s", line %d, in %s' % (filename, lineno, name))
            if line:
                lines.append("  %s" % (line.strip()))
    worker.log.debug("\n".join(lines))


def worker_abort(worker):
    worker.log.info("worker received SIGABRT signal")
