"""--mixed_precision, checked on the CPU through what TensorFlow actually
ran: the optimized partition graphs hold bfloat16 convolutions and matmuls
(oneDNN's automatic mixed precision) with the switch and none without, every
op stays on the CPU (placement log), and no loss scaling is added where no
GPU is visible."""

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


def bfloat16_ops(mixed_precision):
    """Op types that ran in bfloat16 in one training step of the conv graph."""
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
    return {node.op for graph in metadata.partition_graphs for node in graph.node
            if "T" in node.attr and node.attr["T"].type == tf.bfloat16.as_datatype_enum}


def test_without_the_switch_nothing_runs_in_bfloat16():
    assert bfloat16_ops(False) == set()


@pytest.mark.skipif(not cpu_has_bfloat16(),
                    reason="this CPU has no bfloat16 instructions (avx512_bf16/amx_bf16), "
                           "so oneDNN's bfloat16 rewrite does not apply")
def test_switch_runs_convolutions_and_matmuls_in_bfloat16():
    ops = bfloat16_ops(True)
    assert any("Conv2D" in op for op in ops), ops
    assert any("MatMul" in op for op in ops), ops


def test_no_loss_scaling_without_a_gpu():
    with tf.Graph().as_default():
        optimizer = v1.train.GradientDescentOptimizer(0.1)
        assert runtime.loss_scaled(optimizer, True) is optimizer


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
