"""``tf.contrib.keras.initializers`` (TF 1.1-1.9) with the numbers they drew.

contrib.keras's ``he_normal``, ``glorot_normal`` and ``lecun_normal`` were
TF's ``init_ops.VarianceScaling(distribution='normal')``, which then drew
from a normal of standard deviation ``sqrt(scale / n)`` truncated at two
standard deviations, so the values' own spread was about 0.88 of that
(tensorflow/tensorflow#16344, January 2018).  Later releases divide the
standard deviation by 0.8796..., the spread of a unit normal truncated at
+-2, so that the values themselves have ``sqrt(scale / n)``: TF 2.21's
``tf.compat.v1.keras.initializers.he_normal`` is that later initializer.
The normal ones here draw as contrib.keras did; the uniform ones never
changed and are TF's own.
"""

import math

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()

from tensorflow.python.ops import init_ops  # noqa: E402


class TruncatedVarianceScaling(init_ops.VarianceScaling):
    """``VarianceScaling(distribution='normal')`` as TF 1.x drew it: a normal
    of standard deviation ``sqrt(scale / n)``, truncated at two of them."""

    def __init__(self, scale=1.0, mode="fan_in", seed=None, dtype=tf.float32):
        super().__init__(scale=scale, mode=mode, distribution="truncated_normal", seed=seed,
                         dtype=dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = dtype or self.dtype
        full_shape = partition_info.full_shape if partition_info is not None else shape
        fan_in, fan_out = init_ops._compute_fans(full_shape)  # pylint: disable=protected-access
        fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        stddev = math.sqrt(self.scale / max(1.0, fans[self.mode]))
        return tf.random.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)


def he_normal(seed=None):
    return TruncatedVarianceScaling(scale=2.0, mode="fan_in", seed=seed)


def glorot_normal(seed=None):
    return TruncatedVarianceScaling(scale=1.0, mode="fan_avg", seed=seed)


def lecun_normal(seed=None):
    return TruncatedVarianceScaling(scale=1.0, mode="fan_in", seed=seed)


def he_uniform(seed=None):
    return init_ops.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


def glorot_uniform(seed=None):
    return init_ops.VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)


def lecun_uniform(seed=None):
    return init_ops.VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)
