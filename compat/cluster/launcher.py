"""Start a TF1 between-graph cluster as local processes, and stop it in order.

A TensorFlow 1.x distributed program is one process per task, each told the
whole cluster with ``--ps_hosts --worker_hosts --job_name --task_index``.
This module runs such a cluster on one machine for scripts/cluster.py: it
picks a free port per task (held until the run ends: ``PortReservation``),
starts the ps tasks and then the workers (worker 0 is the chief), copies
every line they print to our stdout/stderr with the task's name in front,
and ends the cluster when

* every worker has exited with status 0: the ps tasks, which usually block
  in ``server.join()`` forever, are terminated;
* a task fails (non-zero status or a signal) or we are asked to stop
  (SIGINT, SIGTERM): the chief gets SIGINT first, so it can save a
  checkpoint, then the others SIGTERM, then whatever is left SIGKILL.

Every child is waited for before we return, so no process is left and every
port handed out is free again.  Nothing here imports TensorFlow: the
children do.
"""

import ctypes
import ctypes.util
import dataclasses
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

from compat.util import errors

CLUSTER_FLAGS = ("ps_hosts", "worker_hosts", "job_name", "task_index")
# What scripts/run.py prints when a signal made it save a checkpoint.
RESUME_LINE = re.compile(r"resume with: python scripts/run\.py --resume=(\S+)")

EXIT_OK = 0
EXIT_TASK_FAILED = 1
POLL_SECONDS = 0.05
# Output still held by a pipe after its process is gone comes through at
# once, unless a grandchild kept the pipe open; we do not wait for that.
READER_JOIN_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


class LaunchError(errors.UserError, ValueError):
    """A cluster that cannot be started as asked (bad input)."""


# ---------------------------------------------------------------------------
# Pure helpers: what to run, where, and how to say what happened.

@dataclasses.dataclass
class Task:
    job: str
    index: int
    address: str
    proc: subprocess.Popen = None

    @property
    def name(self):
        return "%s%d" % (self.job, self.index)

    @property
    def is_chief(self):
        return self.job == "worker" and self.index == 0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def __str__(self):
        pid = self.proc.pid if self.proc is not None else "-"
        return "%s (pid %s, %s)" % (self.name, pid, self.address)


def cluster_flags_in(args):
    """The cluster flags already present in ``args`` (the launcher sets
    them; a second value would be ambiguous)."""
    found = []
    for arg in args:
        match = re.match(r"^--?(?:no)?(\w+)(?:=|$)", arg)
        if match and match.group(1) in CLUSTER_FLAGS and match.group(1) not in found:
            found.append(match.group(1))
    return found


def resolve_command(command, root):
    """``command`` as an absolute path: relative to the working directory if
    it exists there, else to ``root`` (so the default scripts/run.py works
    from anywhere)."""
    for candidate in (command, os.path.join(root, command)):
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    raise LaunchError("no such command file: %s" % command)


class PortReservation:
    """``count`` distinct free TCP ports on ``host``, held until ``release``.

    Each port stays bound by a socket of ours with SO_REUSEADDR that never
    listens.  Linux lets a task's server bind the same port only if it sets
    SO_REUSEADDR too (TensorFlow's gRPC servers do) and ours is not
    listening; anything else asking for a port (an ephemeral port of an
    outgoing connection, a bind to port 0, a bind without SO_REUSEADDR)
    cannot get it.  So a port handed to a task cannot be taken by another
    program between our pick and the task's bind, as it could if we closed
    the socket after picking.  A connection to a port whose task is not
    listening yet is refused, as it would be with nothing bound."""

    def __init__(self, host, count):
        family, address = _bind_address(host)
        self._sockets = []
        try:
            for _ in range(count):
                sock = socket.socket(family, socket.SOCK_STREAM)
                self._sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(address[:1] + (0,) + address[2:])
        except OSError as err:
            self.release()
            raise LaunchError("cannot pick a free port on %s: %s"
                              % (host, err.strerror or err)) from None
        self.ports = [sock.getsockname()[1] for sock in self._sockets]

    def release(self):
        for sock in self._sockets:
            sock.close()
        self._sockets = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def _bind_address(host):
    """Where to bind to test a port of ``host``: its IPv4 address if it has
    one (``localhost`` may list ::1 first, but TF's servers take IPv4)."""
    for family in (socket.AF_INET, socket.AF_UNSPEC):
        try:
            info = socket.getaddrinfo(host, 0, family=family, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            error = err
            continue
        return info[0][0], info[0][4]
    raise LaunchError("cannot resolve --host %s: %s" % (host, error))


def plan_tasks(host, n_ps, n_workers, ports):
    """The tasks in start order: ps first (workers connect to them)."""
    jobs = [("ps", i) for i in range(n_ps)] + [("worker", i) for i in range(n_workers)]
    return [Task(job, index, "%s:%d" % (host, port)) for (job, index), port in zip(jobs, ports)]


def task_argv(python, command, args, tasks, task):
    """The command line of ``task``: the cluster flags go last, so a runner
    like run_legacy.py passes them on to the program it runs."""
    ps = ",".join(t.address for t in tasks if t.job == "ps")
    workers = ",".join(t.address for t in tasks if t.job == "worker")
    flags = ["--ps_hosts=%s" % ps] if ps else []
    flags += ["--worker_hosts=%s" % workers, "--job_name=%s" % task.job,
              "--task_index=%d" % task.index]
    return [python, command] + list(args) + flags


def describe_exit(returncode):
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "signal %d" % -returncode
        return "was killed by %s" % name
    return "exited with status %d" % returncode


def layout_line(tasks):
    return "started " + ", ".join(
        "%s%s at %s (pid %d)" % (t.name, " (chief)" if t.is_chief else "", t.address,
                                 t.proc.pid)
        for t in tasks)


def resume_command(n_workers, n_ps, options, resume_dir):
    """The command that continues a stopped cluster run; ``options`` are the
    launcher's other flags as given (--command, --host, --grace)."""
    words = ["python", "scripts/cluster.py", "--workers=%d" % n_workers, "--ps=%d" % n_ps]
    words += list(options) + ["--", "--resume=%s" % resume_dir]
    return " ".join(shlex.quote(w) for w in words)


# ---------------------------------------------------------------------------
# Processes.

class Output:
    """Our stdout and stderr, shared by every reader thread: one lock, so
    lines from different tasks never mix mid-line."""

    def __init__(self, prog, stdout=None, stderr=None):
        self.prog = prog
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        self._lock = threading.Lock()

    def line(self, text, to_stderr=False):
        stream = self._stderr if to_stderr else self._stdout
        with self._lock:
            try:
                stream.write(text + "\n")
                stream.flush()
            except (OSError, ValueError):
                pass  # our reader went away; keep draining the children

    def message(self, text):
        self.line("%s: %s" % (self.prog, text), to_stderr=True)


def _pump(pipe, prefix, output, to_stderr, on_line=None):
    """Copy ``pipe`` line by line to ``output`` until its writer closes it."""
    with pipe:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            output.line(prefix + text, to_stderr)
            if on_line is not None:
                on_line(text)


def _die_with_parent(parent_pid):
    """A preexec_fn: the child gets SIGKILL when we die, even by SIGKILL,
    so a killed launcher leaves no cluster behind."""
    libc = None
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        except OSError:
            libc = None

    def preexec():
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            # We may have died between fork and prctl: no signal would come.
            if os.getppid() != parent_pid:
                os._exit(1)
    return preexec


class Cluster:
    """One run of the cluster: ``run()`` starts it, watches it, stops it and
    returns the exit status (0, EXIT_TASK_FAILED, or 128 + the signal that
    stopped us); whichever of these came first decides.  A signal during the
    stop itself ends the waiting: everything left gets SIGKILL at once.
    ``resume_dir`` is set if the chief said how to resume."""

    def __init__(self, command, args, n_workers, n_ps, host="localhost", grace=10.0,
                 output=None, python=sys.executable):
        self.command = command
        self.args = list(args)
        self.grace = grace
        self.python = python
        self.output = output or Output("cluster.py")
        self._ports = PortReservation(host, n_ps + n_workers)
        self.tasks = plan_tasks(host, n_ps, n_workers, self._ports.ports)
        self.resume_dir = None
        self._readers = []
        self._signal = None      # the SIGINT/SIGTERM that asked us to stop
        self._stopping = False
        self._kill_now = False   # a signal during the stop: no more waiting

    # -- signals ------------------------------------------------------------
    def _on_signal(self, signum, frame):
        # Only flags here: the loops act on them within POLL_SECONDS.
        if self._stopping or self._signal is not None:
            self._kill_now = True
        else:
            self._signal = signum

    def run(self):
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {s: signal.signal(s, self._on_signal) for s in handled}
        try:
            try:
                self._start()
                status = self._supervise()
            finally:
                self._stop_all()
                # Every task is gone: its port may go back to the system.
                self._ports.release()
                self._finish_output()
            return status
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    # -- start ---------------------------------------------------------------
    def _start(self):
        preexec = _die_with_parent(os.getpid())
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        # All processes first, reader threads after: preexec_fn is only safe
        # to run while no other thread exists.
        for task in self.tasks:
            if self._signal is not None:
                break
            task.proc = subprocess.Popen(
                task_argv(self.python, self.command, self.args, self.tasks, task),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, start_new_session=True, preexec_fn=preexec)
        started = [t for t in self.tasks if t.proc is not None]
        for task in started:
            self._read(task)
        if len(started) == len(self.tasks):
            self.output.message(layout_line(self.tasks))

    def _read(self, task):
        prefix = "[%s] " % task.name
        on_err = self._watch_resume if task.is_chief else None
        for pipe, to_stderr, on_line in ((task.proc.stdout, False, None),
                                         (task.proc.stderr, True, on_err)):
            reader = threading.Thread(target=_pump, name="%s-%s" % (task.name, to_stderr),
                                      args=(pipe, prefix, self.output, to_stderr, on_line),
                                      daemon=True)
            reader.start()
            self._readers.append(reader)

    def _watch_resume(self, text):
        match = RESUME_LINE.search(text)
        if match:
            self.resume_dir = match.group(1)

    # -- watch ---------------------------------------------------------------
    def _supervise(self):
        """Wait for the run to end; the status it ended with."""
        workers = [t for t in self.tasks if t.job == "worker"]
        while True:
            if self._signal is not None:
                return 128 + self._signal
            failed = [t for t in self.tasks
                      if t.proc is not None and t.proc.poll() not in (None, 0)]
            for task in failed:
                self.output.message("%s %s" % (task, describe_exit(task.proc.returncode)))
            if failed:
                return EXIT_TASK_FAILED
            if all(t.proc.poll() == 0 for t in workers):
                return EXIT_OK
            time.sleep(POLL_SECONDS)

    # -- stop ----------------------------------------------------------------
    def _stop_all(self):
        """Chief SIGINT, others SIGTERM, then SIGKILL; each step waits up to
        the grace time.  After a normal end only the ps tasks are left and
        the first step does nothing."""
        self._stopping = True
        alive = [t for t in self.tasks if t.alive()]
        workers_done = all(t.proc is not None and t.proc.returncode == 0
                           for t in self.tasks if t.job == "worker")
        chief = [t for t in alive if t.is_chief]
        if chief:
            self._send(chief, signal.SIGINT)
            self._wait(chief, self.grace)
        others = [t for t in alive if not t.is_chief and t.alive()]
        if others:
            self._send(others, signal.SIGTERM)
            self._wait(others, self.grace)
        left = [t for t in self.tasks if t.alive()]
        if left:
            self._send(left, signal.SIGKILL)
        for task in self.tasks:
            if task.proc is not None:
                task.proc.wait()
        if alive and not workers_done:
            self.output.message("stopped: " + ", ".join(
                "%s %s" % (t.name, describe_exit(t.proc.returncode)) for t in alive))

    def _send(self, tasks, signum):
        for task in tasks:
            if task.alive():
                try:
                    # The whole process group: helpers a task started go too.
                    os.killpg(task.proc.pid, signum)
                except (ProcessLookupError, PermissionError):
                    pass

    def _wait(self, tasks, seconds):
        deadline = time.monotonic() + seconds
        while any(t.alive() for t in tasks):
            if self._kill_now:
                self._send([t for t in self.tasks if t.alive()], signal.SIGKILL)
                return
            if time.monotonic() >= deadline:
                return
            time.sleep(POLL_SECONDS)

    def _finish_output(self):
        deadline = time.monotonic() + READER_JOIN_SECONDS
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
