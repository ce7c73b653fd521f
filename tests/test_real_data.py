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
    real MNIST with its own prints; the watchdog names its in-loop
    tf.image_summary line."""
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
    assert "graph growth at so_conv_kernels.py:%d" % summary_line in result.stderr
    changes = json.loads(report.read_text())["changes"]
    growth = [c for c in changes if c["kind"] == "watchdog"]
    assert [c["line"] for c in growth] == [summary_line]
    # The original wrote one image card per step (its bug, reproduced
    # faithfully): 1562 tags, one per step, in ./train of its working directory.
    acc = event_accumulator.EventAccumulator(str(tmp_path / "train"),
                                             size_guidance={event_accumulator.IMAGES: 1})
    acc.Reload()
    assert len(acc.Tags()["images"]) == 1562
