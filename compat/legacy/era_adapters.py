"""The runtime forms of the table's ``era_adapter`` keys: what a name meant
before TF changed it without renaming it (``compat.api.era`` decides when a
program gets them; ``compat.legacy.era_serve`` applies them).

Functions (``tf.div``, ``tf.mod``, ``tf.round``) are served in place of the
name.  The operators and the LSTM cells cannot be: ``a // b`` looks
``__floordiv__`` up on the class, and ``tf.nn.rnn_cell`` is TF's own module.
They are patched while the program runs and restored after (:func:`patch`
returns the undo).  That is safe because a patched member changes only what
the program's own lines get: a call made from TensorFlow, Keras, tf_slim,
the estimator or this project (which compute shapes and indices with ``//``
and ``%`` and mean TF 1.x's floor, e.g. a negative axis ``% rank``) goes to
the original unchanged (:func:`from_program`).  The Python 2 translation's
``old_div`` counts as the program's line that called it.
"""

import inspect
import os
import sys

import tensorflow as tf

v1 = tf.compat.v1

# Packages whose own calls keep TF 1.x's meaning.
_LIBRARIES = ("tensorflow", "tf_keras", "keras", "tf_slim", "tensorflow_estimator", "compat")
_PY2_RUNTIME = "compat.py2.runtime"


def _roots():
    roots = []
    for name in _LIBRARIES:
        module = sys.modules.get(name)
        for path in getattr(module, "__path__", None) or ():
            roots.append(os.path.join(os.path.abspath(path), ""))
    return tuple(roots)


def _file_of(module_name):
    module = sys.modules.get(module_name)
    return os.path.abspath(module.__file__) if module is not None else None


def from_program(depth=2):
    """Whether the frame ``depth`` levels above the caller (past old_div and
    this module) is the program's, not a library's."""
    frame = sys._getframe(depth)
    skipped = {os.path.abspath(__file__), _file_of(_PY2_RUNTIME)}
    while frame is not None and os.path.abspath(frame.f_code.co_filename) in skipped:
        frame = frame.f_back
    if frame is None:
        return False
    filename = os.path.abspath(frame.f_code.co_filename)
    return not filename.startswith(_roots())


# --- functions ---------------------------------------------------------------------

def svd_0x_flags(tensor, compute_uv=True, full_matrices=False, name=None):
    """TF 0.x ``tf.svd``: its flags in the order (compute_uv, full_matrices);
    1.0 swapped them (RELEASE.md 1.0, tf_upgrade.py's reorders)."""
    return v1.svd(tensor, full_matrices=full_matrices, compute_uv=compute_uv, name=name)


def exact_dct(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
              acceptable_fraction=1, name=None, **kwargs):
    """TF 0.x ``tf.image.decode_jpeg``: the exact integer DCT (1.0 made the
    fast one the default, RELEASE.md 1.0); 0.x had no ``dct_method``, and
    its ``name`` came where ``dct_method`` is now."""
    kwargs.setdefault("dct_method", "INTEGER_ACCURATE")
    return v1.image.decode_jpeg(contents, channels=channels, ratio=ratio,
                                fancy_upscaling=fancy_upscaling,
                                try_recover_truncated=try_recover_truncated,
                                acceptable_fraction=acceptable_fraction, name=name, **kwargs)


def truncate_div(x, y, name=None):
    """TF 0.x ``tf.div``: the Div kernel, which truncated integer quotients
    toward zero (C) and divided floats."""
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y, dtype=x.dtype)
    if x.dtype.is_integer:
        return tf.truncatediv(x, y, name=name)
    return v1.div(x, y, name=name)


def truncate_mod(x, y, name=None):
    """TF 0.x ``tf.mod``: C's fmod, for integers and floats alike."""
    x = tf.convert_to_tensor(x)
    return tf.truncatemod(x, tf.convert_to_tensor(y, dtype=x.dtype), name=name)


def round_half_away(x, name=None):
    """TF 0.x ``tf.round``: halves away from zero, sign(x) * floor(|x| + 0.5)
    (1.0 made it round half to even)."""
    with v1.name_scope(name, "Round", [x]) as scope:
        x = tf.convert_to_tensor(x)
        if x.dtype.is_integer:
            return tf.identity(x, name=scope)
        return tf.multiply(tf.sign(x), tf.floor(tf.abs(x) + 0.5), name=scope)


# --- patches ---------------------------------------------------------------------

def _operator(owner, attr, old_op, applies, report):
    """Replace ``owner.__op__`` and ``__rop__`` by versions that give the
    program's integer (``//``) or numeric (``%``) operands the old op."""
    undo = []
    for name, reflected in ((attr, False), ("__r" + attr[2:], True)):
        original = owner.__dict__.get(name, getattr(owner, name))

        def patched(a, b, original=original, reflected=reflected):
            left = tf.convert_to_tensor(a) if isinstance(a, tf.Variable) else a
            if applies(left.dtype) and from_program():
                report()
                x, y = (b, left) if reflected else (left, b)
                x = tf.convert_to_tensor(x, dtype=left.dtype)
                return old_op(x, tf.convert_to_tensor(y, dtype=left.dtype))
            return original(a, b)
        had = name in owner.__dict__
        setattr(owner, name, patched)
        undo.append((name, original, had))

    def restore():
        for name, original, had in undo:
            if had:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
    return restore


def truncating_floordiv(owner, attr, report, decided=True):
    return _operator(owner, attr, tf.truncatediv, lambda dtype: dtype.is_integer, report)


def truncating_mod(owner, attr, report, decided=True):
    return _operator(owner, attr, tf.truncatemod,
                     lambda dtype: dtype.is_integer or dtype.is_floating, report)


def flat_lstm_state(owner, attr, report, decided=True):
    """``state_is_tuple`` defaulting to False (one flat state tensor), as
    before TF 0.11, for cells the program makes without saying; where the
    era cannot tell (``decided`` False), only the report."""
    cls = getattr(owner, attr)
    original = cls.__dict__["__init__"]
    # Where a positional call would pass it (counting self).
    position = list(inspect.signature(original).parameters).index("state_is_tuple")

    def __init__(self, *args, **kwargs):
        if "state_is_tuple" not in kwargs and len(args) < position and from_program():
            report()
            if decided:
                kwargs["state_is_tuple"] = False
        original(self, *args, **kwargs)
    cls.__init__ = __init__

    def restore():
        cls.__init__ = original
    return restore
