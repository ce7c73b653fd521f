"""The reproductions on TensorFlow's own cluster runtime, on loopback: one
parameter server and two workers as separate processes started by
scripts/cluster.py.

Synchronous training with two workers of batch B gives the numbers of a
local run of batch 2B (each update averages the two halves of the local
batch), asynchronous training learns, a killed worker is named and the
restarted cluster resumes from the last checkpoint, an unreachable parameter
server is an error within the timeout, and no process is left behind.
"""

import contextlib
import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from compat.cluster import replica as cluster
from compat.util import errors
from conftest import assert_cluster_gone, cluster_tasks
from test_notmnist import make_letter_root

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "scripts", "run.py")
CLUSTER = os.path.join(ROOT, "scripts", "cluster.py")
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
RUNTIME_NOISE = ("I0000", "W0000", "E0000", "WARNING: All log messages", "To enable the")
# Loss of the same model on the same examples: two halves averaged by the
# SyncReplicasOptimizer against one batch, float32 sums in another order,
# compounded over the steps (measured: 4e-5 after 20 conv steps).
SYNC_RTOL = 1e-3
CONV_LOSS = re.compile(r"^(?:\[(\w+)\] )?Iter (\d+), Minibatch Loss= ([-\d.e+]+)")
GDL_LOSS = re.compile(r"^(?:\[(\w+)\] )?Minibatch loss at step (\d+): ([-\d.e+]+)")


def local_run(*args):
    return subprocess.run([sys.executable, RUN, "--noprogress", *args], capture_output=True,
                          text=True, cwd=ROOT, env=ENV, timeout=300)


def cluster_command(*args, workers=2, extra=()):
    return [sys.executable, CLUSTER, "--workers=%d" % workers, "--ps=1", "--grace=3", *extra,
            "--", "--noprogress", *args]


def run_cluster(*args, workers=2):
    return subprocess.run(cluster_command(*args, workers=workers), capture_output=True,
                          text=True, cwd=ROOT, env=ENV, timeout=300)


def losses(text, pattern):
    """{task: {step or example count: loss}}; task None for a local run."""
    found = {}
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            found.setdefault(match.group(1), {})[int(match.group(2))] = float(match.group(3))
    return found


def messages(stderr):
    return [line for line in stderr.splitlines()
            if line and not line.split("] ", 1)[-1].startswith(RUNTIME_NOISE)]


def only_run_dir(logdir, model):
    (path,) = glob.glob(os.path.join(str(logdir), model, "*"))
    return path


def assert_sync_equals_local(local, distributed, pattern):
    expected = losses(local.stdout, pattern)[None]
    workers = losses(distributed.stdout, pattern)
    assert sorted(workers) == ["worker0", "worker1"], distributed.stdout
    assert sorted(workers["worker0"]) == sorted(workers["worker1"]) == sorted(expected)
    for key, loss in expected.items():
        # Each worker prints the loss of its half of the local run's batch.
        mean = (workers["worker0"][key] + workers["worker1"][key]) / 2
        assert mean == pytest.approx(loss, rel=SYNC_RTOL), (key, mean, loss)
    # The halves really differ: the workers did not train on the same data.
    assert any(workers["worker0"][k] != workers["worker1"][k] for k in expected)


def test_sync_conv_equals_a_local_run_with_the_workers_batches_in_one(tiny_mnist, tmp_path):
    common = ["--model=conv", "--data_dir=%s" % tiny_mnist, "--validation_size=10",
              "--steps=12", "--display_step=1", "--seed=3", "--dropout=1.0",
              "--nodiagnostics", "--summary_every=4"]
    local = local_run(*common, "--batch_size=16", "--logdir=%s" % (tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    distributed = run_cluster(*common, "--batch_size=8", "--sync_replicas",
                              "--logdir=%s" % (tmp_path / "cluster"))
    assert distributed.returncode == 0, distributed.stderr
    assert len(losses(local.stdout, CONV_LOSS)[None]) == 12
    assert_sync_equals_local(local, distributed, CONV_LOSS)
    # Only the chief tests and writes; the parameter server ends by itself.
    out = distributed.stdout
    assert out.count("Testing Accuracy:") == 1 and "[worker0] Testing Accuracy:" in out
    assert "[ps0] ps0: every worker is done; stopping" in out
    assert os.listdir(tmp_path / "cluster") == ["conv"]
    assert glob.glob(os.path.join(only_run_dir(tmp_path / "cluster", "conv"), "events.*"))
    assert_cluster_gone(cluster_tasks(distributed.stderr))


def test_sync_notmnist_model_equals_a_local_run(tmp_path):
    letters = tmp_path / "notMNIST_small"
    make_letter_root(letters)
    common = ["--model=nn_l2", "--data_dir=%s" % letters, "--cache_dir=%s" % (tmp_path / "cache"),
              "--train_size=80", "--valid_size=20", "--test_size=20", "--hidden=32",
              "--steps=10", "--display_step=1", "--seed=5"]
    local = local_run(*common, "--batch_size=16", "--logdir=%s" % (tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    distributed = run_cluster(*common, "--batch_size=8", "--sync_replicas",
                              "--logdir=%s" % (tmp_path / "cluster"))
    assert distributed.returncode == 0, distributed.stderr
    assert sorted(losses(local.stdout, GDL_LOSS)[None]) == list(range(10))
    assert_sync_equals_local(local, distributed, GDL_LOSS)
    assert distributed.stdout.count("Test accuracy:") == 1
    assert_cluster_gone(cluster_tasks(distributed.stderr))


def test_async_workers_learn_together(tiny_mnist, tmp_path):
    # Logistic regression: a convex loss, so staleness slows it but the trend
    # is clear in few steps (the conv net's minibatch losses of 8 examples
    # swing by a factor of 4 from step to step; its sync test covers it).
    result = run_cluster("--model=logreg_sgd", "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                         "--validation_size=10", "--steps=60", "--display_step=5", "--seed=4",
                         "--batch_size=8", "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    found = losses(result.stdout, GDL_LOSS)
    assert sorted(found) == ["worker0", "worker1"], result.stdout
    # Both workers' updates count: together they reach step 60, each takes part.
    by_step = sorted((step, loss) for task in found.values() for step, loss in task.items())
    assert by_step[-1][0] >= 55 and all(len(task) >= 3 for task in found.values())
    early = [loss for _, loss in by_step[:3]]
    late = [loss for _, loss in by_step[-5:]]
    # Measured over seeds 1-3: from about 10 to below 1 on average.
    assert sum(late) / 5 < 0.3 * sum(early) / 3, by_step
    assert "asynchronous" in result.stdout
    assert_cluster_gone(cluster_tasks(result.stderr))


def test_sync_with_fewer_gradients_per_update_than_workers_ends(tiny_mnist, tmp_path):
    """Backup workers, as TF1 used them against stragglers: each update takes
    the first gradient; the late one is dropped as stale, and no worker is
    left waiting for an update when the chief has finished."""
    result = run_cluster("--model=nn", "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                         "--validation_size=10", "--steps=30", "--display_step=29",
                         "--seed=8", "--batch_size=8", "--hidden=16", "--sync_replicas",
                         "--replicas_to_aggregate=1", "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    assert "synchronous, 1 gradient per update" in result.stdout
    assert "[worker1] worker1 done" in result.stdout
    assert "[ps0] ps0: every worker is done; stopping" in result.stdout
    assert_cluster_gone(cluster_tasks(result.stderr))


def watch(command, trigger):
    """Start ``command``; once a stdout line matches ``trigger``, return the
    process, the lines so far and the stderr collected by then is left to
    the caller."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env=ENV)
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if trigger(line):
            return process, lines
    raise AssertionError("never saw the trigger:\n" + "\n".join(lines))


def test_killed_worker_is_named_and_the_restarted_cluster_resumes(tiny_mnist, tmp_path):
    common = ["--model=conv", "--data_dir=%s" % tiny_mnist, "--validation_size=10",
              "--steps=60", "--display_step=1", "--seed=6", "--batch_size=8",
              "--checkpoint_every=5", "--nodiagnostics", "--sync_replicas"]
    process, lines = watch(cluster_command(*common, "--logdir=%s" % tmp_path),
                           lambda line: line.startswith("[worker0] Iter %d," % (12 * 16)))
    stderr_so_far = []
    started = {}
    # cluster.py names the pids on its first stderr line.
    while "worker1" not in started:
        stderr_so_far.append(process.stderr.readline())
        started = cluster_tasks("".join(stderr_so_far))
    os.kill(started["worker1"][1], signal.SIGKILL)
    out, err = process.communicate(timeout=120)
    err = "".join(stderr_so_far) + err
    assert process.returncode == 1, err
    assert "cluster.py: worker1 (pid %d, localhost:%d) was killed by SIGKILL" % (
        started["worker1"][1], started["worker1"][0]) in err
    assert_cluster_gone(started)

    run_dir = only_run_dir(tmp_path, "conv")
    index = json.load(open(os.path.join(run_dir, "run.json")))
    assert index["workers"] == 2
    with open(os.path.join(run_dir, "checkpoint")) as f:
        saved = int(re.search(r'model_checkpoint_path: "model.ckpt-(\d+)"', f.read()).group(1))
    # The last checkpoint is a periodic one (every 5 steps) or the one the
    # chief writes at whatever step it has reached when the launcher stops it
    # (SIGINT) after worker1 died; either way past step 12's periodic one.
    assert saved >= 10

    resumed = run_cluster("--resume=%s" % run_dir)
    assert resumed.returncode == 0, resumed.stderr
    assert "[worker0] Resumed from %s at step %d of 60" % (
        os.path.join(run_dir, "model.ckpt-%d" % saved), saved) in resumed.stdout
    assert "[worker1] worker1 joined the cluster at step %d of 60" % saved in resumed.stdout
    after = losses(resumed.stdout, CONV_LOSS)
    assert sorted(after["worker0"]) == [16 * s for s in range(saved + 1, 61)]
    assert sorted(after["worker1"]) == sorted(after["worker0"])
    assert "[worker0] Testing Accuracy:" in resumed.stdout
    assert_cluster_gone(cluster_tasks(resumed.stderr))


def test_ctrl_c_stops_the_cluster_with_a_checkpoint_and_leaves_nothing(tiny_mnist, tmp_path):
    process, lines = watch(cluster_command(
        "--model=nn", "--dataset=mnist", "--data_dir=%s" % tiny_mnist, "--validation_size=10",
        "--steps=100000", "--display_step=5", "--seed=2", "--batch_size=8", "--hidden=16",
        "--logdir=%s" % tmp_path), lambda line: "Minibatch loss at step 10:" in line)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    run_dir = only_run_dir(tmp_path, "nn")
    assert "[worker0] run.py: interrupted by SIGINT after step" in err
    assert "cluster.py: resume the cluster with: python scripts/cluster.py --workers=2 " \
           "--ps=1 --grace=3 -- --resume=%s" % run_dir in err
    assert os.path.exists(os.path.join(run_dir, "checkpoint"))
    assert_cluster_gone(cluster_tasks(err))


@contextlib.contextmanager
def closed_ports(count):
    """``count`` loopback ports guaranteed closed while the block runs: each
    is bound by a socket of ours that never listens, so a connection to it
    is refused and no other program can bind it meanwhile (a port merely
    found free and released could be taken by then)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        yield [sock.getsockname()[1] for sock in socks]


def test_unreachable_parameter_server_is_an_error_within_the_timeout(tiny_mnist, tmp_path):
    with closed_ports(2) as (ps, worker):
        result = local_run("--model=conv", "--data_dir=%s" % tiny_mnist, "--steps=2",
                           "--validation_size=10", "--logdir=%s" % tmp_path,
                           "--ps_hosts=localhost:%d" % ps, "--worker_hosts=localhost:%d" % worker,
                           "--job_name=worker", "--task_index=0", "--cluster_timeout=3")
    assert result.returncode == 1
    assert messages(result.stderr) == [
        "run.py: error: worker0: parameter server ps0 at localhost:%d cannot be reached "
        "(Connection refused) within 3 s; start it first, or wait longer with "
        "--cluster_timeout" % ps]
    assert not os.listdir(tmp_path)  # checked before the run directory is made


@pytest.mark.parametrize("flags, message", [
    (["--job_name=worker"], "a cluster needs --worker_hosts"),
    (["--worker_hosts=localhost:1", "--job_name=worker"], "a cluster needs --ps_hosts"),
    (["--ps_hosts=a:1", "--worker_hosts=b:2", "--job_name=worker", "--task_index=1"],
     "--task_index=1 is not a worker task: 1 --worker_hosts given"),
    (["--ps_hosts=a:1", "--worker_hosts=b", "--job_name=worker"],
     "--worker_hosts: 'b' is not host:port"),
    (["--sync_replicas"], "--sync_replicas and --replicas_to_aggregate need a cluster"),
    (["--ps_hosts=a:1", "--worker_hosts=a:1", "--job_name=ps"],
     "--ps_hosts and --worker_hosts share an address: a:1"),
])
def test_bad_cluster_flags_are_one_line(tiny_mnist, flags, message):
    result = local_run("--model=conv", "--data_dir=%s" % tiny_mnist, *flags)
    assert result.returncode == 1
    (line,) = messages(result.stderr)
    assert line.startswith("run.py: error: ") and message in line, line


def test_tf_config_describes_the_same_cluster_as_the_flags():
    flags = cluster.from_flags("p:1", "c:2,w:3", "worker", 1, sync_replicas=True)
    tf_config = json.dumps({"cluster": {"ps": ["p:1"], "chief": ["c:2"], "worker": ["w:3"]},
                            "task": {"type": "worker", "index": 0}})
    assert cluster.from_flags(tf_config=tf_config, sync_replicas=True) == flags
    chief = cluster.from_flags(tf_config=tf_config.replace('"worker", "index"',
                                                           '"chief", "index"'))
    assert chief.is_chief and chief.address == "c:2" and chief.aggregate == 1
    assert flags.aggregate == 2 and not flags.is_chief
    # Flags win over the environment.
    assert cluster.from_flags("q:1", "r:2", "ps", 0, tf_config=tf_config).ps_hosts == ("q:1",)
    assert cluster.from_flags(tf_config=None) is None
    with pytest.raises(errors.ConfigError, match="TF_CONFIG is not a cluster description"):
        cluster.from_flags(tf_config="{not json")


def test_resume_refuses_another_number_of_workers(tmp_path):
    run_dir = tmp_path / "conv" / "run"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps(
        {"seed": 1, "workers": 2, "flags": {"model": "conv", "steps": 5}}))
    result = local_run("--resume=%s" % run_dir)
    assert result.returncode == 1
    assert messages(result.stderr) == [
        "run.py: error: --resume continues the run as it was started, on 2 workers (each "
        "update's batches depend on it); got 1"]


@pytest.mark.parametrize("sync", [False, True])
def test_variables_live_on_the_ps_tasks_and_the_model_on_its_worker(sync):
    """The graph a worker builds: replica_device_setter spreads the variables
    over the ps tasks and keeps every computation on this worker (here with
    --device=cpu); sync mode adds the SyncReplicasOptimizer's accumulators on
    the variables' ps tasks."""
    from tf1_examples import conv
    config = cluster.from_flags("localhost:1,localhost:2", "localhost:3,localhost:4", "worker", 1,
                                sync_replicas=sync)
    replica = cluster.Replica(config, "/device:CPU:0")
    program = conv.build(conv.ConvConfig(diagnostics=False), replica=replica)
    variables = [v for v in program.graph.get_collection("variables")]
    assert {v.device for v in variables} == {"/job:ps/task:0", "/job:ps/task:1"}
    ops = program.graph.get_operations()
    for kind in ("Conv2D", "MatMul", "Conv2DBackpropFilter"):
        assert {op.device for op in ops if op.type == kind} == \
            {"/job:worker/task:1/device:CPU:0"}, kind
    accumulators = [op for op in ops if op.type == "ResourceConditionalAccumulator"]
    assert len(accumulators) == (8 if sync else 0)
    assert all(op.device.startswith("/job:ps/task:") for op in accumulators)
    assert (replica.sync_optimizer is not None) == sync
