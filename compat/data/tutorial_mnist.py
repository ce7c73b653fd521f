"""The model functions of TF 1.x's removed ``tensorflow.examples.tutorials.
mnist.mnist`` module, rebuilt for legacy programs that import them
(``fully_connected_feed.py`` and the many programs copied from it).

Two ReLU hidden layers with truncated-normal weights (stddev 1/sqrt(fan_in))
and zero biases, a linear softmax layer, sparse cross-entropy loss, plain
gradient descent with a global step, and an in-top-1 count for evaluation,
with the tutorial's scope and op names so checkpoints and TensorBoard graphs
look the same.
"""

import math

import tensorflow as tf

v1 = tf.compat.v1

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(inputs, fan_in, units, scope):
    with v1.name_scope(scope):
        weights = v1.Variable(
            v1.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
            name="weights")
        biases = v1.Variable(tf.zeros([units]), name="biases")
        return tf.matmul(inputs, weights) + biases


def inference(images, hidden1_units, hidden2_units):
    """Logits of the two-hidden-layer network for ``images`` ([N, 784])."""
    hidden1 = tf.nn.relu(_layer(images, IMAGE_PIXELS, hidden1_units, "hidden1"))
    hidden2 = tf.nn.relu(_layer(hidden1, hidden1_units, hidden2_units, "hidden2"))
    return _layer(hidden2, hidden2_units, NUM_CLASSES, "softmax_linear")


def loss(logits, labels):
    """Mean cross-entropy of ``logits`` against integer ``labels``."""
    labels = tf.cast(labels, tf.int64)
    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits, name="xentropy")
    return tf.reduce_mean(cross_entropy, name="xentropy_mean")


def training(loss, learning_rate):
    """Gradient-descent train op that also bumps a ``global_step``."""
    v1.summary.scalar("loss", loss)
    optimizer = v1.train.GradientDescentOptimizer(learning_rate)
    global_step = v1.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """Number of examples whose true label is the top prediction."""
    correct = tf.nn.in_top_k(predictions=logits, targets=labels, k=1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))
