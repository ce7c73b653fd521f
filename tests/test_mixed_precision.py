"""--mixed_precision, checked through what TensorFlow actually ran: the
optimized partition graphs hold low-precision convolutions and matmuls with
the switch and none without (bfloat16 through oneDNN's automatic mixed
precision on a CPU, float16 through Grappler's on a GPU of compute
capability 7.0 or more), every op stays on the CPU with --device=cpu
(placement log), and loss scaling is added exactly where a GPU is visible.
Each test asserts what the machine it runs on should show."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from compat.train import runtime
from tf1_examples import conv

v1 = tf.compat.v1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_has_bfloat16():
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def gpu_arch():
    """The lowest compute capability of the visible GPUs; None without one."""
    devices = tf.config.get_visible_devices("GPU")
    if not devices:
        return None
    return min(tf.config.experimental.get_device_details(d).get("compute_capability", (0, 0))
               for d in devices)


def low_precision_ops(mixed_precision):
    """{dtype name: op types} of the ops that ran in bfloat16 or float16 in
    one training step of the conv graph."""
    runtime.seed_everything(1)
    program = conv.build(conv.ConvConfig(diagnostics=False, mixed_precision=mixed_precision))
    model = program.model
    rng = np.random.RandomState(0)
    feed = {model.images: rng.rand(16, conv.NUM_INPUTS).astype(np.float32),
            model.labels: np.eye(conv.NUM_CLASSES, dtype=np.float32)[rng.randint(0, 10, 16)],
            model.keep_prob: 1.0}
    config = runtime.session_config(False, mixed_precision)
    with v1.Session(graph=program.graph, config=config) as session:
        session.run(program.init_op)
        metadata = v1.RunMetadata()
        session.run(model.train_op, feed, options=v1.RunOptions(output_partition_graphs=True),
                    run_metadata=metadata)
    found = {}
    for dtype in (tf.bfloat16, tf.float16):
        ops = {node.op for graph in metadata.partition_graphs for node in graph.node
               if "T" in node.attr and node.attr["T"].type == dtype.as_datatype_enum}
        if ops:
            found[dtype.name] = ops
    return found


def test_without_the_switch_nothing_runs_in_low_precision():
    assert low_precision_ops(False) == {}


def test_switch_runs_convolutions_and_matmuls_in_low_precision():
    arch = gpu_arch()
    ops = low_precision_ops(True)
    if arch is not None and arch < (7, 0):
        # Grappler's float16 rewrite needs compute capability 7.0
        # (kMinGPUArch in TF's auto_mixed_precision.cc) and skips older GPUs;
        # the ops sit on the GPU, out of oneDNN's bfloat16 rewrite.
        assert ops == {}, ops
        return
    if arch is None and not cpu_has_bfloat16():
        pytest.skip("this CPU has no bfloat16 instructions (avx512_bf16/amx_bf16), so "
                    "oneDNN's bfloat16 rewrite does not apply (CI's machines have them)")
    dtype = "float16" if arch is not None else "bfloat16"
    assert set(ops) == {dtype}, ops
    assert any("Conv2D" in op for op in ops[dtype]), ops
    assert any("MatMul" in op for op in ops[dtype]), ops


def test_loss_scaling_exactly_where_a_gpu_is_visible():
    # Visible, not physical, devices: what runtime.loss_scaled asks, and
    # what TensorFlow places on (--device=cpu hides the GPUs).
    with tf.Graph().as_default():
        optimizer = v1.train.GradientDescentOptimizer(0.1)
        scaled = runtime.loss_scaled(optimizer, True)
        if tf.config.get_visible_devices("GPU"):
            assert isinstance(scaled, v1.mixed_precision.MixedPrecisionLossScaleOptimizer)
        else:
            assert scaled is optimizer
        assert runtime.loss_scaled(optimizer, False) is optimizer


def test_driver_places_every_op_on_the_cpu_with_mixed_precision(tiny_mnist, tmp_path):
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "run.py"), "--model=conv",
         "--data_dir=%s" % tiny_mnist, "--validation_size=10", "--steps=2", "--batch_size=16",
         "--seed=1", "--device=cpu", "--mixed_precision", "--log_device_placement",
         "--nodiagnostics", "--logdir=%s" % tmp_path],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0"))
    assert result.returncode == 0, result.stderr
    placements = re.findall(r"/job:localhost/replica:0/task:0/device:(\w+):\d", result.stderr)
    assert placements and set(placements) == {"CPU"}
    assert re.search(r"^Testing Accuracy: [\d.]+$", result.stdout, re.M)
