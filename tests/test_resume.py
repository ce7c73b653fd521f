"""Nothing lost: a run stopped by a real signal and resumed ends with exactly
the weights and printed losses of an uninterrupted run; a diverging run stops
with a diagnosis and keeps its last good checkpoint; --resume refuses what it
cannot continue."""

import glob
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from compat.data import mnist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "scripts", "run.py")
# Lines TensorFlow's C++ runtime prints at start-up, whatever the program does.
RUNTIME_NOISE = ("I0000", "W0000", "E0000", "WARNING: All log messages", "To enable the")


def driver(*args):
    return [sys.executable, RUN, "--validation_size=10", "--noprogress", *args]


def run(*args):
    return subprocess.run(driver(*args), capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), timeout=300)


def messages(stderr):
    return [line for line in stderr.splitlines() if line and not line.startswith(RUNTIME_NOISE)]


# scripts/run.py with one test-side change: after update PAUSE_AFTER_UPDATE
# it says so on stdout and waits (at most 120 s) for a stop signal before
# going on.  The signal then always lands in a running loop at that update;
# without the wait the run could end before the signal arrived.
PAUSING_RUN = """
import os, runpy, sys, time
sys.path.insert(0, %(root)r)
from compat.util.quiet_import import import_tensorflow
import_tensorflow()
from compat.train import run_control

pause = int(os.environ["PAUSE_AFTER_UPDATE"])
after_step = run_control.RunControl.after_step


def pausing_after_step(self, session, step, *args, **kwargs):
    if step == pause:
        print("paused after update %%d" %% step, flush=True)
        deadline = time.monotonic() + 120
        while self.signals.signum is None and time.monotonic() < deadline:
            time.sleep(0.01)
    return after_step(self, session, step, *args, **kwargs)


run_control.RunControl.after_step = pausing_after_step
sys.argv[0] = %(run)r
runpy.run_path(%(run)r, run_name="__main__")
""" % {"root": ROOT, "run": RUN}


def run_and_signal(args, pause, signum, tmp_path):
    """Run the driver, paused after update ``pause``, and send ``signum``
    once it says it is there; returns (returncode, stdout lines, stderr
    messages)."""
    wrapper = tmp_path / "pausing_run.py"
    wrapper.write_text(PAUSING_RUN)
    process = subprocess.Popen(
        [sys.executable, str(wrapper)] + driver(*args)[2:], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PAUSE_AFTER_UPDATE=str(pause)))
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line == "paused after update %d\n" % pause:
            process.send_signal(signum)
    stderr = process.stderr.read()
    process.wait(timeout=300)
    return process.returncode, lines, messages(stderr)


def run_dir_of(logdir, model):
    (path,) = glob.glob(os.path.join(str(logdir), model, "*"))
    return path


def variables(run_dir):
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(run_dir))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def loss_lines(lines, prefixes):
    return [line for line in lines if line.startswith(prefixes)]


@pytest.mark.parametrize("model, extra, pause, signum, prefixes", [
    # conv: Adam, dropout on a batch-sized shape, tf0 batching reshuffling.
    ("conv", ["--batch_size=16", "--display_step=1", "--checkpoint_every=3"], 5,
     signal.SIGINT, ("Iter ",)),
    # A series model with dropout: SGD, fixed-shape dropout, offsets by step.
    ("nn_dropout", ["--dataset=mnist", "--batch_size=16", "--display_step=1",
                    "--checkpoint_every=4", "--offset_range=40"],
     6, signal.SIGTERM, ("Minibatch ", "Validation ")),
    # Six layers: five dropout ops on a keep-probability schedule, decaying lr.
    ("deep", ["--dataset=mnist", "--batch_size=16", "--display_step=1", "--checkpoint_every=5",
              "--hidden=64"],
     8, signal.SIGINT, ("Minibatch ", "Validation ")),
])
def test_stopped_and_resumed_run_equals_an_uninterrupted_one(
        tiny_mnist, tmp_path, model, extra, pause, signum, prefixes):
    common = ["--model=%s" % model, "--data_dir=%s" % tiny_mnist, "--steps=12", "--seed=7",
              "--diagnostics", *extra]
    whole = run(*common, "--logdir=%s" % (tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr

    code, first, stopped = run_and_signal(common + ["--logdir=%s" % (tmp_path / "parts")],
                                          pause, signum, tmp_path)
    assert code == 128 + signum, stopped
    run_dir = run_dir_of(tmp_path / "parts", model)
    assert len(stopped) == 2, stopped
    # The signal came while the loop waited after update ``pause``: it
    # stops right there, with that update's checkpoint.
    assert stopped[0].startswith("run.py: interrupted by %s after step %d" % (signum.name, pause))
    assert "checkpoint saved: %s" % os.path.join(run_dir, "model.ckpt-%d" % pause) in stopped[0]
    assert stopped[1] == "resume with: python scripts/run.py --resume=%s" % run_dir

    resumed = run("--resume=%s" % run_dir)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resumed from " in resumed.stdout
    whole_lines = whole.stdout.splitlines()
    assert loss_lines(first, prefixes) + loss_lines(resumed.stdout.splitlines(), prefixes) == \
        loss_lines(whole_lines, prefixes)
    assert len(loss_lines(whole_lines, prefixes)) >= 12
    expected = variables(run_dir_of(tmp_path / "whole", model))
    got = variables(run_dir)
    assert sorted(got) == sorted(expected)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    # The diagnostics table covers the whole run, not just the resumed part.
    assert resumed.stdout.split("Per-variable diagnostics")[1] == \
        whole.stdout.split("Per-variable diagnostics")[1]


def test_divergence_stops_naming_step_and_variable(tiny_mnist, tmp_path):
    # Diagnostics on every step too: their histograms must not turn the
    # divergence into an op error.
    result = run("--model=nn", "--dataset=mnist", "--data_dir=%s" % tiny_mnist, "--steps=50",
                 "--batch_size=16", "--display_step=1", "--seed=5", "--learning_rate=1e4",
                 "--diagnostics", "--summary_every=1", "--logdir=%s" % tmp_path)
    assert result.returncode == 3
    (message,) = messages(result.stderr)
    run_dir = run_dir_of(tmp_path, "nn")
    last_printed = [line for line in result.stdout.splitlines()
                    if line.startswith("Minibatch loss at step")][-1]
    step = int(last_printed.split("step ")[1].split(":")[0])
    assert message.startswith("run.py: error: diverged at step %d: " % step)
    assert "first variable whose gradient is not finite: layer1/weights" in message
    assert message.endswith("last good checkpoint: %s" % os.path.join(run_dir, "model.ckpt-0"))
    # The bad state was not saved: the newest checkpoint is the good one.
    assert tf.train.latest_checkpoint(run_dir).endswith("model.ckpt-0")
    assert all(np.isfinite(v).all() for v in variables(run_dir).values())


def test_resume_refuses_what_it_cannot_continue(tiny_mnist, tmp_path):
    missing = run("--resume=%s" % (tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert messages(missing.stderr) == [
        "run.py: error: --resume: no such run directory: %s" % (tmp_path / "nowhere")]
    not_a_run = tmp_path / "empty"
    not_a_run.mkdir()
    result = run("--resume=%s" % not_a_run)
    assert messages(result.stderr) == ["run.py: error: --resume: %s is not a run directory "
                                       "of run.py (it has no run.json)" % not_a_run]
    done = run("--model=conv", "--data_dir=%s" % tiny_mnist, "--steps=2", "--batch_size=16",
               "--seed=1", "--logdir=%s" % (tmp_path / "runs"), "--nodiagnostics")
    assert done.returncode == 0, done.stderr
    run_dir = run_dir_of(tmp_path / "runs", "conv")
    changed = run("--resume=%s" % run_dir, "--init=zeros")
    assert changed.returncode != 0
    assert messages(changed.stderr) == [
        "run.py: error: --resume continues the run as it was started, with --init=normal; "
        "drop --init or start a new run"]
    for path in glob.glob(os.path.join(run_dir, "model.ckpt-*")):
        os.remove(path)
    empty = run("--resume=%s" % run_dir)
    assert len(messages(empty.stderr)) == 1
    assert "holds no checkpoint" in empty.stderr


@pytest.mark.parametrize("batching", ["tf0", "tf1"])
def test_dataset_state_continues_the_same_batches(batching):
    rng = np.random.RandomState(0)
    images, labels = rng.randint(0, 256, (23, 4, 4, 1)).astype(np.uint8), np.arange(23)

    def fresh():
        return mnist.DataSet(images, labels, dtype="uint8", batching=batching, seed=3)

    np.random.seed(11)
    reference = fresh()
    for _ in range(9):  # a few epochs in
        reference.next_batch(5)
    state, rng_state = reference.state(), np.random.get_state()
    expected = [reference.next_batch(5) for _ in range(8)]

    np.random.seed(99)  # whatever happened before the restart
    restored = fresh()
    restored.restore_state(state)
    np.random.set_state(rng_state)
    for want, got in zip(expected, (restored.next_batch(5) for _ in range(8))):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
