"""TF 0.x's meanings of ``a // b``, ``a % b`` and Python 2's ``a / b`` on
tensors, for files the upgrader wrote for a TF 0.x program
(``--tf_version``, ``compat.api.era``).

Before TF 1.0 the operators ran the Div and Mod kernels, which follow C:
integer quotients truncated toward zero (``-7 // 2`` was -3), and ``%``
was ``fmod`` (the sign of the dividend), for floats too; ``//`` on floats
floored; Python 2's ``/`` on integer tensors truncated too, floats divided
exactly (RELEASE.md 1.0.0: "Division and modulus operators (/, //, %) now
match Python (flooring) semantics").  The source does not show whether an
operand is a tensor, so the upgrader writes ``tf0_ops.floordiv(a, b)``
(and ``mod``, ``div``) and these decide when the line runs: an operand that
is a tensor or a variable gets the old kernel, anything else Python's own
operator.  TensorFlow is imported only when an operand is a tensor.

It also holds the runtime forms of the argument-order tests the source
cannot decide (``compat.upgrade.static.RUNTIME_ORDER``), shared with the
runner's own (``compat.legacy.adapters.ORDER_TESTS``).
"""

import sys

from compat.py2.runtime import old_div


def _tensor_dtype(a, b):
    """The TF dtype of the first tensor or variable operand, or None."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    for x in (a, b):
        if isinstance(x, (tf.Tensor, tf.Variable)):
            return x.dtype.base_dtype
    return None


def _both(a, b, dtype):
    import tensorflow as tf
    return (tf.convert_to_tensor(a, dtype=dtype), tf.convert_to_tensor(b, dtype=dtype))


def floordiv(a, b):
    """TF 0.x's ``a // b``: integer tensors truncated toward zero, float
    tensors floored; Python's ``//`` for anything else."""
    dtype = _tensor_dtype(a, b)
    if dtype is None or not dtype.is_integer:
        return a // b
    import tensorflow as tf
    return tf.truncatediv(*_both(a, b, dtype))


def mod(a, b):
    """TF 0.x's ``a % b``: C's fmod on integer and float tensors; Python's
    ``%`` for anything else."""
    dtype = _tensor_dtype(a, b)
    if dtype is None or not (dtype.is_integer or dtype.is_floating):
        return a % b
    import tensorflow as tf
    return tf.truncatemod(*_both(a, b, dtype))


def div(a, b):
    """Python 2's ``a / b`` in a TF 0.x program: on a tensor, the Div kernel
    (integers truncated toward zero, floats divided exactly); otherwise
    Python 2's ``/`` (``compat.py2.old_div``)."""
    dtype = _tensor_dtype(a, b)
    if dtype is None:
        return old_div(a, b)
    import tensorflow as tf
    x, y = _both(a, b, dtype)
    return tf.raw_ops.Div(x=x, y=y)


def is_integer_valued(value):
    """An int tensor, array, number or nested list of them: what labels
    (class ids) are."""
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(value, (tf.Tensor, tf.Variable)):
        return value.dtype.is_integer
    import numpy as np
    try:
        return np.issubdtype(np.asarray(value).dtype, np.integer)
    except (TypeError, ValueError, NotImplementedError):
        return False    # e.g. a list holding symbolic tensors: not class ids


def third_arg_order(function, *args, **kwargs):
    """``function(weights, biases, x, y, ...)`` called positionally, where
    TF 0.x's order was ``(weights, biases, inputs, labels)`` and 1.0's is
    ``(weights, biases, labels, inputs)`` (``tf.nn.nce_loss``,
    ``sampled_softmax_loss``): labels are integer class ids, so a third
    argument that is not integer is 0.x's inputs, and the two swap."""
    if len(args) > 3 and not is_integer_valued(args[2]):
        args = args[:2] + (args[3], args[2]) + args[4:]
    return function(*args, **kwargs)
