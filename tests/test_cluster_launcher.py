"""scripts/cluster.py and compat.cluster.launcher: a local TF1 cluster of fake tasks.

The tasks are a small Python program written by the tests (no TensorFlow):
each takes the cluster flags, binds its own port as a TF server would,
writes its pid, argv and the signals it gets (with CLOCK_MONOTONIC times,
comparable across processes) to files, and behaves as its ``--role_<task>``
says.  cluster.py runs as a subprocess, stopped with real signals.
"""

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from compat.cluster import launcher
from conftest import assert_cluster_gone, cluster_tasks, process_alive

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(ROOT, "scripts", "cluster.py")

FAKE_TASK = r'''
import json, os, signal, socket, sys, time

opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
job, index = opts["job_name"], int(opts["task_index"])
name = "%s%d" % (job, index)
role = opts.get("role_" + name, "serve" if job == "ps" else "lines")
out = os.path.join(opts["dir"], name)


def record(what):
    with open(out + ".log", "a") as f:
        f.write("%s %.6f\n" % (what, time.monotonic()))


def on_signal(signum, frame):
    sig = signal.Signals(signum).name
    record(sig)
    if role == "stubborn":
        return
    if role == "chief" and signum == signal.SIGINT:
        time.sleep(0.3)  # "saving a checkpoint": nobody else may be stopped meanwhile
        print("run.py: interrupted; checkpoint saved: /x/y/ckpt-7", file=sys.stderr)
        print("resume with: python scripts/run.py --resume=/x/y", file=sys.stderr)
        record("exit")
        sys.exit(130)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, on_signal)
hosts = opts["%s_hosts" % job].split(",")
server = socket.socket()
# As TensorFlow's gRPC servers do: the launcher holds the port, not listening.
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(hosts[index].rsplit(":", 1)[1])))
server.listen()
with open(out + ".argv.tmp", "w") as f:
    json.dump({"argv": sys.argv[1:], "cwd": os.getcwd(),
               "unbuffered": os.environ.get("PYTHONUNBUFFERED")}, f)
os.rename(out + ".argv.tmp", out + ".argv")
with open(out + ".pid.tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(out + ".pid.tmp", out + ".pid")  # last: handlers and port are in place

# Like a TF1 session, wait for the whole cluster: no task acts before all run.
everyone = ["%s%d" % (j, i) for j in ("ps", "worker") if opts.get(j + "_hosts")
            for i in range(len(opts[j + "_hosts"].split(",")))]
deadline = time.monotonic() + 20
while time.monotonic() < deadline and not all(
        os.path.exists(os.path.join(opts["dir"], n + ".pid")) for n in everyone):
    time.sleep(0.01)

if role == "lines":
    for i in range(int(opts.get("lines", 3))):
        print("%s line %d" % (name, i))
    print("%s says bye on stderr" % name, file=sys.stderr)
    sys.exit(0)
if role == "long":
    for i in range(300):
        print("%s %d %s" % (name, i, "x" * 3000))
        print("%s %d %s" % (name, i, "e" * 3000), file=sys.stderr)
    sys.exit(0)
if role == "exit3":
    time.sleep(float(opts.get("delay", 0.5)))
    record("exit")
    sys.exit(3)
while True:  # serve, wait, chief, stubborn: until a signal ends us
    time.sleep(60)
'''

@pytest.fixture
def fake(tmp_path):
    path = tmp_path / "fake_task.py"
    path.write_text(FAKE_TASK)
    return path


class Run:
    """One cluster.py process over the fake tasks, started in tmp_path."""

    def __init__(self, tmp_path, fake, *flags, roles=None, args=()):
        self.dir = tmp_path / "tasks"
        self.dir.mkdir()
        task_args = ["--dir=%s" % self.dir]
        task_args += ["--role_%s=%s" % item for item in (roles or {}).items()]
        self.argv = [sys.executable, CLUSTER, "--command=%s" % fake, *flags, "--",
                     *task_args, *args]
        self.proc = subprocess.Popen(self.argv, cwd=str(tmp_path), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.stdout = self.stderr = None

    def wait_for(self, names, timeout=15):
        """The pids of tasks ``names`` once each has started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all((self.dir / (n + ".pid")).exists() for n in names):
                return {n: int((self.dir / (n + ".pid")).read_text()) for n in names}
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.02)
        self.proc.kill()
        pytest.fail("tasks did not start: %s" % (self.proc.communicate(),))

    def finish(self, timeout=120):
        """cluster.py's exit status once it has ended.  ``timeout`` only
        keeps a hung launcher from hanging the suite: the runs that must not
        wait out --grace use a grace far longer than it."""
        try:
            self.stdout, self.stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # its tasks die with it (PR_SET_PDEATHSIG)
            self.stdout, self.stderr = self.proc.communicate()
            pytest.fail("cluster.py still running after %d s: %s" % (timeout, self.stderr))
        return self.proc.returncode

    def layout(self):
        """{task: (port, pid)} from cluster.py's start line."""
        return cluster_tasks(self.stderr)

    def log(self, name):
        """[(event, monotonic time)] task ``name`` recorded."""
        path = self.dir / (name + ".log")
        if not path.exists():
            return []
        return [(w, float(t)) for w, t in (l.split() for l in path.read_text().splitlines())]

    def events(self, name):
        return [w for w, _ in self.log(name)]

    def time_of(self, name, event):
        return next(t for w, t in self.log(name) if w == event)

    def task_argv(self, name):
        return json.loads((self.dir / (name + ".argv")).read_text())

    def own_lines(self):
        return [l for l in self.stderr.splitlines() if l.startswith("cluster.py: ")]


def assert_all_gone(run):
    """No task process left and every port free again."""
    assert_cluster_gone(run.layout())


# --- normal runs -------------------------------------------------------------

def test_workers_finish_then_ps_is_stopped(tmp_path, fake):
    # --grace=600: had the launcher waited out the grace before stopping the
    # ps, finish() would time out instead of the run ending.
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=600",
              args=("--lines=3", "positional"))
    assert run.finish() == 0, run.stderr
    layout = run.layout()
    assert sorted(layout) == ["ps0", "worker0", "worker1"]
    assert run.wait_for(layout) == {n: pid for n, (_, pid) in layout.items()}

    out = run.stdout.splitlines()
    assert all(re.match(r"^\[(ps0|worker0|worker1)\] ", l) for l in out), out
    for worker in ("worker0", "worker1"):
        assert [l for l in out if l.startswith("[%s]" % worker)] == [
            "[%s] %s line %d" % (worker, worker, i) for i in range(3)]
        assert "[%s] %s says bye on stderr" % (worker, worker) in run.stderr.splitlines()
    assert run.own_lines() == [l for l in run.stderr.splitlines() if not l.startswith("[")]
    assert len(run.own_lines()) == 1  # only the layout: no fault, no stop report

    # The ps, blocked "in server.join()", got SIGTERM (and nothing before it).
    assert run.events("ps0") == ["SIGTERM"]

    port = {n: p for n, (p, _) in layout.items()}
    seen = run.task_argv("worker1")
    assert seen["argv"][-4:] == [
        "--ps_hosts=localhost:%d" % port["ps0"],
        "--worker_hosts=localhost:%d,localhost:%d" % (port["worker0"], port["worker1"]),
        "--job_name=worker", "--task_index=1"]
    assert seen["argv"][:-4] == run.argv[run.argv.index("--") + 1:]
    assert seen["cwd"] == str(tmp_path)
    assert seen["unbuffered"] == "1"
    assert run.task_argv("ps0")["argv"][-2:] == ["--job_name=ps", "--task_index=0"]
    assert len(set(port.values())) == 3
    assert_all_gone(run)


def test_worker_only_cluster_gets_no_ps_hosts(tmp_path, fake):
    run = Run(tmp_path, fake, "--workers=1", "--ps=0")
    assert run.finish() == 0, run.stderr
    port = run.layout()["worker0"][0]
    assert run.task_argv("worker0")["argv"][-3:] == [
        "--worker_hosts=localhost:%d" % port, "--job_name=worker", "--task_index=0"]
    assert not any("ps_hosts" in a for a in run.task_argv("worker0")["argv"])
    assert_all_gone(run)


def test_lines_of_busy_tasks_never_mix(tmp_path, fake):
    run = Run(tmp_path, fake, "--workers=3", "--ps=0",
              roles={"worker0": "long", "worker1": "long", "worker2": "long"})
    assert run.finish() == 0, run.stderr[-2000:]
    for stream, fill in ((run.stdout, "x"), (run.stderr, "e")):
        counts = {}
        for line in stream.splitlines():
            if line.startswith("cluster.py: "):
                continue
            match = re.match(r"^\[(worker\d)\] \1 (\d+) %s{3000}$" % fill, line)
            assert match, line[:100]
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        assert counts == {"worker0": 300, "worker1": 300, "worker2": 300}
    assert_all_gone(run)


# --- faults ------------------------------------------------------------------

def test_failed_worker_is_named_and_the_chief_is_stopped_first(tmp_path, fake):
    # --grace=600: the chief's exit, not the grace, must end the wait for
    # it; waiting out the grace would make finish() time out.
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=600",
              roles={"worker0": "chief", "worker1": "exit3"})
    assert run.finish() == 1, run.stderr
    port, pid = run.layout()["worker1"]
    assert run.own_lines()[1] == (
        "cluster.py: worker1 (pid %d, localhost:%d) exited with status 3" % (pid, port))
    assert sum("status 3" in l for l in run.own_lines()) == 1

    # Chief: SIGINT only, and the others were left alone until it had exited.
    assert run.events("worker0") == ["SIGINT", "exit"]
    assert run.events("ps0") == ["SIGTERM"]
    assert run.time_of("worker0", "SIGINT") > run.time_of("worker1", "exit")
    assert run.time_of("ps0", "SIGTERM") > run.time_of("worker0", "exit")
    assert "[worker0] resume with: python scripts/run.py --resume=/x/y" in run.stderr
    assert "cluster.py: stopped: ps0 was killed by SIGTERM, worker0 exited with status 130" \
        in run.own_lines()
    assert run.own_lines()[-1] == (
        "cluster.py: resume the cluster with: python scripts/cluster.py --workers=2 --ps=1 "
        "--command=%s --grace=600 -- --resume=/x/y" % fake)
    assert_all_gone(run)


def test_worker_killed_by_a_signal_is_named(tmp_path, fake):
    run = Run(tmp_path, fake, "--workers=2", "--ps=1",
              roles={"worker0": "chief", "worker1": "wait"})
    pids = run.wait_for(["ps0", "worker0", "worker1"])
    os.kill(pids["worker1"], signal.SIGKILL)
    assert run.finish() == 1, run.stderr
    port = run.layout()["worker1"][0]
    assert ("cluster.py: worker1 (pid %d, localhost:%d) was killed by SIGKILL"
            % (pids["worker1"], port)) in run.own_lines()
    assert run.events("worker0") == ["SIGINT", "exit"]
    assert run.events("ps0") == ["SIGTERM"]
    assert_all_gone(run)


def test_failed_chief_is_reported_and_the_rest_stopped(tmp_path, fake):
    # --grace=600: the others are stopped at once (the chief is already
    # gone); waiting out the grace would make finish() time out.
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=600",
              roles={"worker0": "exit3", "worker1": "wait"})
    assert run.finish() == 1, run.stderr
    port, pid = run.layout()["worker0"]
    assert run.own_lines()[1] == (
        "cluster.py: worker0 (pid %d, localhost:%d) exited with status 3" % (pid, port))
    assert run.events("worker1") == ["SIGTERM"]
    assert run.events("ps0") == ["SIGTERM"]
    assert not any("resume" in l for l in run.own_lines())
    assert_all_gone(run)


# --- signals to cluster.py ------------------------------------------------------

@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_the_chief_first_then_the_others(tmp_path, fake, signum, status):
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=5", "--host=localhost",
              roles={"worker0": "chief", "worker1": "wait"})
    run.wait_for(["ps0", "worker0", "worker1"])
    run.proc.send_signal(signum)
    assert run.finish() == status, run.stderr
    assert run.events("worker0") == ["SIGINT", "exit"]
    assert run.events("worker1") == ["SIGTERM"]
    assert run.events("ps0") == ["SIGTERM"]
    chief_done = run.time_of("worker0", "exit")
    assert run.time_of("worker1", "SIGTERM") > chief_done
    assert run.time_of("ps0", "SIGTERM") > chief_done
    assert run.own_lines()[-1] == (
        "cluster.py: resume the cluster with: python scripts/cluster.py --workers=2 --ps=1 "
        "--command=%s --host=localhost --grace=5 -- --resume=/x/y" % fake)
    assert not any(" was killed by" in l and "(pid" in l for l in run.own_lines())
    assert_all_gone(run)


def test_tasks_that_ignore_signals_get_sigkill_after_grace(tmp_path, fake):
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=0.5",
              roles={"worker0": "stubborn", "worker1": "stubborn"})
    run.wait_for(["ps0", "worker0", "worker1"])
    run.proc.send_signal(signal.SIGINT)
    assert run.finish() == 130, run.stderr
    assert run.events("worker0") == ["SIGINT"]  # the chief is not sent SIGTERM
    assert run.events("worker1") == ["SIGTERM"]
    assert run.time_of("worker1", "SIGTERM") > run.time_of("worker0", "SIGINT")
    assert ("cluster.py: stopped: ps0 was killed by SIGTERM, worker0 was killed by SIGKILL, "
            "worker1 was killed by SIGKILL") in run.own_lines()
    assert_all_gone(run)


def test_second_ctrl_c_kills_everyone_at_once(tmp_path, fake):
    # --grace=600: only the second SIGINT can end this run before finish()
    # times out.
    run = Run(tmp_path, fake, "--workers=2", "--ps=1", "--grace=600",
              roles={"worker0": "stubborn", "worker1": "stubborn"})
    run.wait_for(["ps0", "worker0", "worker1"])
    run.proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    while "SIGINT" not in run.events("worker0") and time.monotonic() < deadline:
        time.sleep(0.02)
    run.proc.send_signal(signal.SIGINT)
    assert run.finish() == 130, run.stderr
    assert run.events("worker1") == []  # killed before its turn for SIGTERM
    assert_all_gone(run)


def test_killed_launcher_takes_its_tasks_along(tmp_path, fake):
    run = Run(tmp_path, fake, "--workers=2", "--ps=1",
              roles={"worker0": "wait", "worker1": "wait"})
    pids = run.wait_for(["ps0", "worker0", "worker1"])
    run.proc.kill()
    run.finish()
    deadline = time.monotonic() + 5
    while any(map(process_alive, pids.values())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [n for n, pid in pids.items() if process_alive(pid)]


# --- bad input -----------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--workers=0"],
    ["--ps=-1"],
    ["--grace=-1"],
    ["--command=no/such/program.py"],
    ["--nosuchflag"],
    ["--", "--model=conv", "--job_name=ps"],
    ["--", "--task_index", "1"],
    ["--", "--ps_hosts=localhost:1"],
    ["--", "-worker_hosts=localhost:1"],
])
def test_bad_input_is_one_line_and_status_2(tmp_path, argv):
    result = subprocess.run([sys.executable, CLUSTER, *argv], capture_output=True, text=True,
                            cwd=str(tmp_path), timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cluster.py: error: "), result.stderr


# --- the library's pure parts ------------------------------------------------

def test_cluster_flags_in_finds_every_spelling():
    assert launcher.cluster_flags_in(
        ["--steps=3", "--job_name", "ps", "-task_index=1", "--ps_hosts=a:1", "x",
         "--worker_hosts=b:2", "--job_name=worker"]) == [
             "job_name", "task_index", "ps_hosts", "worker_hosts"]
    assert launcher.cluster_flags_in(["--model=conv", "--job_names=x", "job_name"]) == []


def test_describe_exit():
    assert launcher.describe_exit(3) == "exited with status 3"
    assert launcher.describe_exit(-signal.SIGKILL) == "was killed by SIGKILL"
    assert launcher.describe_exit(-signal.SIGTERM) == "was killed by SIGTERM"


def test_reserved_ports_are_distinct_and_kept_for_their_tasks():
    with launcher.PortReservation("localhost", 5) as reservation:
        ports = reservation.ports
        assert len(set(ports)) == 5
        for port in ports:
            # Nobody else gets the port (a bind without SO_REUSEADDR fails)...
            with socket.socket() as other:
                with pytest.raises(OSError) as failure:
                    other.bind(("127.0.0.1", port))
                assert failure.value.errno == errno.EADDRINUSE
            # ...a connection is refused until the task listens...
            with socket.socket() as client:
                assert client.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
            # ...and the task's server, binding as TF's gRPC servers do, can.
            with socket.socket() as server:
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(("127.0.0.1", port))
                server.listen()
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass


def test_command_is_found_from_the_repository_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert launcher.resolve_command("scripts/run.py", ROOT) == os.path.join(
        ROOT, "scripts", "run.py")
    (tmp_path / "mine.py").write_text("")
    assert launcher.resolve_command("mine.py", ROOT) == str(tmp_path / "mine.py")
    with pytest.raises(launcher.LaunchError):
        launcher.resolve_command("missing.py", ROOT)


def test_task_argv_and_resume_command():
    tasks = launcher.plan_tasks("h", 0, 2, [11, 12])
    assert launcher.task_argv("py", "c.py", ["--a"], tasks, tasks[1]) == [
        "py", "c.py", "--a", "--worker_hosts=h:11,h:12", "--job_name=worker",
        "--task_index=1"]
    assert launcher.resume_command(2, 0, ["--grace=3"], "runs/a b") == (
        "python scripts/cluster.py --workers=2 --ps=0 --grace=3 -- '--resume=runs/a b'")
