"""Short real trainings of the conv reproduction on the real data sets: MNIST
in ../shared/data/mnist and Debian's Fashion-MNIST (CI requires both;
elsewhere the tests skip)."""

import re

import pytest

from test_run_script import LOSS_LINE, run_driver

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
