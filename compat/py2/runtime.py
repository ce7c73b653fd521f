"""The runtime half of the Python 2 division fixer: ``old_div``.

Files that ``compat.py2.translator`` (through the runner or the upgrader)
rewrote call ``old_div(a, b)`` where Python 2 wrote ``a / b``, and import it
as ``from compat.py2 import old_div``.  An upgraded file runs with plain
``python``, so this module imports nothing heavy: neither fissix nor libcst,
and numpy only when an operand already is a numpy value.
"""

import numbers
import sys

def _integer_like(x):
    """'int' for Python/numpy integer scalars, 'numpy' for numpy integer
    arrays, 'tensor' for other objects with an integer dtype, else None."""
    if isinstance(x, numbers.Integral):
        return "int"
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return None
    # An object with a numpy dtype implies numpy is already imported, so
    # looking it up in sys.modules keeps this module free of the import.
    np = sys.modules.get("numpy")
    if np is not None and isinstance(dtype, np.dtype):
        return "numpy" if dtype.kind in "iu" else None
    if getattr(dtype, "is_integer", False) is True:
        return "tensor"
    return None


def old_div(a, b):
    """Python 2's ``a / b``: floor division when both operands are integers
    (Python ints, numpy integer scalars or arrays), true division otherwise."""
    kinds = (_integer_like(a), _integer_like(b))
    if None in kinds:
        return a / b
    if kinds == ("int", "int"):
        return a // b
    if "tensor" in kinds:
        # TF1's __div__ floored integer tensors; __truediv__ (what '/' means
        # now) does not, but '//' still does.
        return a // b
    import numpy

    return numpy.floor_divide(a, b)
