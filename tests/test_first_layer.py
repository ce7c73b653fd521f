"""The finding of docs/first_layer.md, checked on a short run: with the
first conv kernel at zeros, a unit whose bias starts at or below zero
outputs relu(bias) = 0 for every image, gets no gradient, and its kernel
stays exactly zero; every other kernel starts to learn at once."""

import numpy as np
import tensorflow as tf

from compat.train import runtime
from tf1_examples import conv

v1 = tf.compat.v1


def test_zero_kernels_with_non_positive_bias_never_change():
    runtime.seed_everything(3)
    config = conv.ConvConfig(init="zeros", seed=3, diagnostics=False)
    program = conv.build(config)
    graph, model, init_op = program.graph, program.model, program.init_op
    rng = np.random.RandomState(3)
    with v1.Session(graph=graph) as session:
        session.run(init_op)
        bias0 = session.run(model.biases["bc1"])
        for _ in range(5):
            labels = np.eye(conv.NUM_CLASSES, dtype=np.float32)[rng.randint(0, 10, 32)]
            session.run(model.train_op, {
                model.images: rng.rand(32, conv.NUM_INPUTS).astype(np.float32),
                model.labels: labels, model.keep_prob: 0.75})
        kernel, bias = session.run([model.weights["wc1"], model.biases["bc1"]])
    dead = bias0 <= 0
    assert 0 < dead.sum() < len(dead)  # the seed gives both kinds of unit
    per_kernel = np.abs(kernel).reshape(-1, kernel.shape[-1]).max(axis=0)
    assert np.all(per_kernel[dead] == 0)
    np.testing.assert_array_equal(bias[dead], bias0[dead])
    assert np.all(per_kernel[~dead] > 0)
