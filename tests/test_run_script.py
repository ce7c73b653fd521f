"""scripts/run.py end to end in a subprocess, on tiny IDX files: the prints,
the event file as TensorBoard reads it, determinism, and bad input."""

import glob
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator

from conftest import write_mnist_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "scripts", "run.py")
LOSS_LINE = re.compile(
    r"^Iter (\d+), Minibatch Loss= (-?[\d.]+|nan|inf), Training Accuracy= ([\d.]+)")


def run_driver(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if not any(a.startswith("--validation_size") for a in args):
        args = ("--validation_size=10",) + args
    return subprocess.run([sys.executable, RUN, *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=300)



def _events(logdir):
    files = glob.glob(os.path.join(logdir, "conv", "*", "events.out.tfevents.*"))
    assert len(files) == 1, files
    acc = event_accumulator.EventAccumulator(
        os.path.dirname(files[0]),
        size_guidance={event_accumulator.IMAGES: 0, event_accumulator.SCALARS: 0})
    acc.Reload()
    return acc


def test_short_run_prints_like_the_original_and_writes_one_image_card(tiny_mnist, tmp_path):
    logdir = tmp_path / "runs"
    result = run_driver("--model=conv", "--data_dir=%s" % tiny_mnist, "--steps=7", "--summary_every=3", "--batch_size=16",
                        "--display_step=2", "--seed=1", "--logdir=%s" % logdir, "--init=zeros")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    iters = [int(m.group(1)) for m in map(LOSS_LINE.match, lines) if m]
    assert iters == [32, 64, 96]  # steps 2, 4, 6 at batch 16, as "Iter " + step*batch
    assert "Optimization Finished!" in lines
    assert any(re.match(r"^Testing Accuracy: [\d.]+$", line) for line in lines)
    assert "Traceback" not in result.stderr

    acc = _events(str(logdir))
    # The original view plus the per-kernel and change-since-init views.
    assert sorted(acc.Tags()["images"]) == [
        "conv1/features/image", "conv1/features_change_since_init/image",
        "conv1/features_per_kernel/image"]
    for tag in acc.Tags()["images"]:
        assert [event.step for event in acc.Images(tag)] == [0, 3, 6, 7]
    images = acc.Images("conv1/features/image")
    for event in images:
        picture = Image.open(io.BytesIO(event.encoded_image_string))
        assert picture.format == "PNG"
        assert (picture.width, picture.height) == (56, 28)  # 4x8 tiles of 7x7
    # Zeros at step 0 draw a flat grey grid; training then moves the kernels.
    first = np.array(Image.open(io.BytesIO(images[0].encoded_image_string)))
    last = np.array(Image.open(io.BytesIO(images[-1].encoded_image_string)))
    assert set(np.unique(first)) == {0, 127}
    assert len(np.unique(last)) > 2
    assert [e.step for e in acc.Scalars("train/loss")] == [3, 6, 7]
    # Diagnostics are on by default for conv: per layer, as scalars, and a table.
    assert {"conv1/weights/grad_norm", "conv1/weights/update_ratio",
            "conv1/weights/change_since_init", "out/biases/weight_norm"} <= set(
                acc.Tags()["scalars"])
    assert [e.step for e in acc.Scalars("conv1/weights/grad_norm")] == [3, 6, 7]
    # From zeros the change since initialization is absolute, and not zero.
    assert re.search(r"^conv1/weights +5x5x1x32 +0 +[\d.e+-]+ +[\d.e+-]+ abs ",
                     result.stdout, re.M), result.stdout
    document = json.loads(open(glob.glob(str(logdir / "conv" / "*" / "diagnostics.json"))[0]).read())
    assert [row["variable"] for row in document["variables"]][:2] == ["conv1/weights",
                                                                       "conv1/biases"]
    assert document["summary_steps"] == [0, 3, 6, 7]


def test_nodiagnostics_writes_only_the_training_scalars(tiny_mnist, tmp_path):
    result = run_driver("--model=conv", "--data_dir=%s" % tiny_mnist, "--steps=3",
                        "--batch_size=16", "--seed=1", "--logdir=%s" % tmp_path,
                        "--nodiagnostics")
    assert result.returncode == 0, result.stderr
    assert "Per-variable diagnostics" not in result.stdout
    assert not glob.glob(str(tmp_path / "conv" / "*" / "diagnostics.json"))
    acc = _events(str(tmp_path))
    assert sorted(acc.Tags()["scalars"]) == ["train/accuracy", "train/loss"]
    assert len(acc.Tags()["images"]) == 3


def test_same_seed_same_run(tiny_mnist, tmp_path):
    def losses(seed, name):
        result = run_driver("--data_dir=%s" % tiny_mnist, "--steps=6", "--batch_size=16",
                            "--display_step=1", "--seed=%d" % seed, "--noprogress",
                            "--logdir=%s" % (tmp_path / name))
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines()
                if LOSS_LINE.match(line) or line.startswith("Testing Accuracy")]

    first, again, other = losses(5, "a"), losses(5, "b"), losses(6, "c")
    assert len(first) == 7
    assert first == again
    assert first != other


@pytest.mark.parametrize("args, message", [
    (["--init=ones"], "--init=ones: value should be one of"),
    (["--model=resnet"], "value should be one of <conv|logreg_gd|logreg_sgd|nn|"),
    (["--steps=0"], "--steps must be a positive integer"),
    (["--batch_size=-3", "--steps=2"], "--batch_size must be a positive integer"),
    (["--dropout=1.5", "--steps=2"], "keep probability and must be in (0, 1]"),
    (["--dropout=0", "--steps=2"], "keep probability and must be in (0, 1]"),
    (["--batch_size=500", "--steps=2"], "larger than the training set"),
    (["--training_iters=100"], "trains no step"),
    (["--steps=2", "stray"], "unexpected arguments: stray"),
])
def test_bad_input_is_one_line_and_nonzero(tiny_mnist, tmp_path, args, message):
    result = run_driver("--data_dir=%s" % tiny_mnist, "--logdir=%s" % tmp_path, *args)
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert message in err[0]
    assert "Traceback" not in result.stderr


def test_device_gpu_runs_on_a_gpu_and_is_one_line_without(tiny_mnist, tmp_path):
    # What TensorFlow sees here decides which is right; the driver runs in a
    # child process, which sees the same devices.
    import tensorflow as tf
    result = run_driver("--data_dir=%s" % tiny_mnist, "--logdir=%s" % tmp_path, "--steps=2",
                        "--batch_size=8", "--device=gpu", "--log_device_placement")
    if tf.config.list_physical_devices("GPU"):
        assert result.returncode == 0, result.stderr
        placements = re.findall(r"^(\S+): \((\w+)\): (\S+)$",
                                result.stdout + result.stderr, re.M)
        assert any(op_type == "Conv2D" and device.endswith("/device:GPU:0")
                   for _, op_type, device in placements), placements
    else:
        assert result.returncode != 0
        err = result.stderr.strip().splitlines()
        assert len(err) == 1, result.stderr
        assert "--device=gpu but TensorFlow sees no GPU" in err[0]
        assert "Traceback" not in result.stderr


def test_missing_data_names_the_files_and_the_flag(tmp_path):
    empty = tmp_path / "nothing"
    result = run_driver("--data_dir=%s" % empty, "--steps=2", "--logdir=%s" % tmp_path,
                        "--source_url=http://127.0.0.1:9/")
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert name in err[0]
    assert "--data_dir" in err[0]


def test_unwritable_logdir(tiny_mnist, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_driver("--data_dir=%s" % tiny_mnist, "--steps=2", "--batch_size=8",
                        "--logdir=%s" % blocker)
    assert result.returncode != 0
    assert "cannot create the log directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_device_cpu_places_every_op_on_the_cpu(tiny_mnist, tmp_path):
    # The GPU path is checked the only way this machine allows: placement logs.
    result = run_driver("--data_dir=%s" % tiny_mnist, "--steps=1", "--batch_size=8",
                        "--device=cpu", "--log_device_placement", "--seed=1",
                        "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    placements = re.findall(r"^(\S+): \((\w+)\): (\S+)$",
                            result.stdout + result.stderr, re.M)
    assert any(op_type == "Conv2D" for _, op_type, _ in placements)
    assert placements and all(device.endswith("/device:CPU:0")
                              for _, _, device in placements)


@pytest.mark.parametrize("model", ["logreg_sgd", "nn_dropout", "deep"])
def test_series_models_run_from_the_driver(tiny_mnist, tmp_path, model):
    result = run_driver("--model=%s" % model, "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                        "--steps=3", "--display_step=1", "--batch_size=16", "--seed=2",
                        "--logdir=%s" % tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"^Minibatch loss at step \d: [\d.]+$", result.stdout, re.M)) == 3
    assert re.search(r"^Test accuracy: [\d.]+%$", result.stdout, re.M)
    acc = event_accumulator.EventAccumulator(
        glob.glob(str(tmp_path / model / "*"))[0],
        size_guidance={event_accumulator.IMAGES: 0})
    acc.Reload()
    assert sorted(acc.Tags()["images"]) == [
        "layer1/weights/image", "layer1/weights_change_since_init/image",
        "layer1/weights_per_kernel/image"]
    # Step 0 holds the initial weights; the notes' step s is global step s + 1.
    assert [e.step for e in acc.Images("layer1/weights/image")] == [0, 1, 2, 3]
    assert acc.Tags()["scalars"] == ["train/loss"]  # diagnostics are off by default here


def test_series_diagnostics_on_request(tiny_mnist, tmp_path):
    result = run_driver("--model=nn", "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                        "--steps=3", "--display_step=1", "--batch_size=16", "--seed=2",
                        "--logdir=%s" % tmp_path, "--diagnostics")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^layer1/weights +784x1024 ", result.stdout, re.M)
    document = json.loads(open(glob.glob(str(tmp_path / "nn" / "*" / "diagnostics.json"))[0]).read())
    assert [row["variable"] for row in document["variables"]] == [
        "layer1/weights", "layer1/biases", "layer2/weights", "layer2/biases"]


def test_series_needs_enough_data(tiny_mnist, tmp_path):
    result = run_driver("--model=logreg_gd", "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                        "--logdir=%s" % tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "run.py: error: the logreg_gd program needs at least 10000 training examples; "
        "the training set has 70 (set by --train_size for notmnist, by the training files "
        "minus --validation_size otherwise)"]


def test_gdl_table_on_tiny_data(tmp_path):
    tiny_mnist = tmp_path / "mnist"
    write_mnist_dir(tiny_mnist, n_train=300, n_test=20)
    out = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "gdl_table.py"),
         "--mnist_dir=%s" % tiny_mnist, "--validation_size=10", "--models=logreg_sgd,nn",
         "--steps=3",
         "--out=%s" % out, "--logdir=%s" % (tmp_path / "logs")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [line for line in out.read_text().splitlines() if line.startswith("| logreg")
            or line.startswith("| nn")]
    assert len(rows) == 2
    assert rows[0].startswith("| logreg_sgd | MNIST | 290 / 10 / 20 | 3 | ")
    assert "| 86.5% |" in rows[0]
