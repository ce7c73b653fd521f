"""Short real trainings of the conv reproduction on the real data sets: MNIST
in ../shared/data/mnist and Debian's Fashion-MNIST (CI requires both;
elsewhere the tests skip)."""

import json
import os
import re
import subprocess
import sys

import pytest
from tensorboard.backend.event_processing import event_accumulator

from test_run_script import LOSS_LINE, ROOT, run_driver

pytestmark = pytest.mark.real_data


@pytest.mark.parametrize("init", ["zeros", "normal"])
def test_training_accuracy_rises_well_above_chance(shared_data, tmp_path, init):
    result = run_driver("--model=conv", "--init=%s" % init, "--steps=300",
                        "--display_step=10", "--seed=7", "--validation_size=5000",
                        "--data_dir=%s" % (shared_data / "mnist"),
                        "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    assert "55000 train / 5000 validation / 10000 test" in result.stdout
    accuracies = [float(m.group(3)) for m in map(LOSS_LINE.match, result.stdout.splitlines())
                  if m]
    assert len(accuracies) == 30
    # Chance is 0.1. The last 50 steps' minibatches must average well above it,
    # and above where training started.
    assert sum(accuracies[-5:]) / 5 > 0.6
    assert sum(accuracies[-5:]) > sum(accuracies[:5])
    test_accuracy = float(re.search(r"^Testing Accuracy: ([\d.]+)$", result.stdout,
                                    re.M).group(1))
    assert test_accuracy > 0.6


def test_fashion_mnist_from_its_default_location(fashion_dir, tmp_path):
    result = run_driver("--model=conv", "--dataset=fashion_mnist", "--steps=20",
                        "--display_step=10", "--seed=3", "--validation_size=5000",
                        "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    assert "conv on fashion_mnist: 55000 train / 5000 validation / 10000 test" in result.stdout
    assert len([line for line in result.stdout.splitlines() if LOSS_LINE.match(line)]) == 2


def test_question_program_runs_unmodified_through_the_runner(shared_data, tmp_path):
    """../shared/legacy/so_conv_kernels.py, read from there, runs to the end on
    real MNIST with its own prints; its in-loop tf.image_summary line is
    built once and handed back on the other 1561 steps, its changing tag fed,
    so the graph does not grow and every step's image is still written."""
    program = shared_data.parent / "legacy" / "so_conv_kernels.py"
    assert program.is_file(), program
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "run_legacy.py"),
         "--data_dir=%s" % (shared_data / "mnist"), "--report=%s" % report, str(program)],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=1500,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    loss_lines = [line for line in lines if LOSS_LINE.match(line)]
    # The original's own format, every 10 steps of 128 up to 200000 examples.
    assert len(loss_lines) == 156
    assert loss_lines[0].startswith("Iter 1280, Minibatch Loss= ")
    assert lines[-2] == "Optimization Finished!"
    accuracy = float(re.match(r"^Testing Accuracy: ([\d.]+)$", lines[-1]).group(1))
    assert accuracy > 0.9

    source = program.read_text().splitlines()
    summary_line = next(i for i, text in enumerate(source, 1) if "tf.image_summary(" in text)
    assert "loop ops at so_conv_kernels.py:%d" % summary_line in result.stderr
    assert "(0 created after training started)" in result.stderr
    changes = json.loads(report.read_text())["changes"]
    assert not [c for c in changes if c["kind"] == "watchdog"]
    reused = [c for c in changes if c["kind"] == "reuse"]
    assert [(c["line"], c["count"]) for c in reused] == [(summary_line, 1561)]
    # The original wrote one image card per step (its bug, reproduced
    # faithfully): 1562 tags, one per step, in ./train of its working directory.
    acc = event_accumulator.EventAccumulator(str(tmp_path / "train"),
                                             size_guidance={event_accumulator.IMAGES: 1})
    acc.Reload()
    assert len(acc.Tags()["images"]) == 1562


def test_sync_cluster_on_real_mnist_gives_the_local_run_of_both_batches(shared_data, tmp_path):
    """Loopback cluster, 1 ps + 2 workers of batch 32, against one local run
    of batch 64 on the real MNIST."""
    from test_cluster import CONV_LOSS, assert_sync_equals_local, local_run, run_cluster
    common = ["--model=conv", "--steps=30", "--display_step=5", "--seed=9", "--dropout=1.0",
              "--nodiagnostics", "--data_dir=%s" % (shared_data / "mnist")]
    local = local_run(*common, "--batch_size=64", "--logdir=%s" % (tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    distributed = run_cluster(*common, "--batch_size=32", "--sync_replicas",
                              "--logdir=%s" % (tmp_path / "cluster"))
    assert distributed.returncode == 0, distributed.stderr
    assert_sync_equals_local(local, distributed, CONV_LOSS)


def test_async_cluster_on_real_notmnist_learns(shared_data, tmp_path):
    from test_cluster import GDL_LOSS, losses, run_cluster
    result = run_cluster("--model=nn", "--steps=301", "--display_step=50", "--seed=2",
                         "--data_dir=%s" % (shared_data / "notMNIST_small"),
                         "--cache_dir=%s" % (tmp_path / "cache"), "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    assert "15000 train / 1000 valid / 2500 test" in result.stdout
    found = losses(result.stdout, GDL_LOSS)
    assert sorted(found) == ["worker0", "worker1"]
    # A local run of the same 301 updates reaches 88.8% (seed 1); chance is 10%.
    test_accuracy = float(re.search(r"^\[worker0\] Test accuracy: ([\d.]+)%$", result.stdout,
                                    re.M).group(1))
    assert test_accuracy > 70
