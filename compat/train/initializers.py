"""The one table of weight initializers the driver's ``--init`` flag offers.

Each entry builds the initial value of a weight tensor in graph mode, so the
original programs' ``tf.Variable(tf.random_normal(shape))`` pattern keeps
working with any of them.  ``normal`` is the 2016 program's own choice
(``tf.random_normal``, stddev 1); the others are what people replaced it
with: the TF tutorials' truncated normal (stddev 0.1), zeros (what the Stack
Overflow question tried), Glorot/Xavier uniform (``tf.contrib.layers.
xavier_initializer``'s default) and He (``variance_scaling_initializer``'s
default: factor 2, fan-in, truncated normal).
"""

import collections

import tensorflow as tf

from compat.util.errors import ConfigError

v1 = tf.compat.v1

Initializer = collections.namedtuple("Initializer", ["name", "description", "make"])


def _normal(shape, seed):
    return v1.random_normal(shape, stddev=1.0, seed=seed)


def _truncated_normal(shape, seed):
    return v1.truncated_normal(shape, stddev=0.1, seed=seed)


def _zeros(shape, seed):
    del seed  # deterministic by nature
    return tf.zeros(shape)


def _xavier(shape, seed):
    return v1.glorot_uniform_initializer(seed=seed)(shape)


def _he(shape, seed):
    return v1.variance_scaling_initializer(
        scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)(shape)


INITIALIZERS = collections.OrderedDict(
    (init.name, init) for init in [
        Initializer("normal", "tf.random_normal, stddev 1 (the original program)", _normal),
        Initializer("truncated_normal", "tf.truncated_normal, stddev 0.1 (TF tutorials)",
                    _truncated_normal),
        Initializer("zeros", "all zeros", _zeros),
        Initializer("xavier", "Glorot/Xavier uniform", _xavier),
        Initializer("he", "He: truncated normal, variance 2/fan_in", _he),
    ])


def initial_value(name, shape, seed=None):
    """The initial-value tensor of initializer ``name`` for ``shape``."""
    try:
        init = INITIALIZERS[name]
    except KeyError:
        raise ConfigError("unknown initializer %r; choose one of: %s"
                         % (name, ", ".join(INITIALIZERS))) from None
    return init.make(shape, seed)
