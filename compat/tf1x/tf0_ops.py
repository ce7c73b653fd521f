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
