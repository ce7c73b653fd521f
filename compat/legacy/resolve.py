"""What a path of the legacy table names at run time: a ``tf.`` name in
``tf.compat.v1``, else in TF 2.x; a Python path outside TF (``tf_slim``,
``compat.input_data``, ``numpy.float64``); or an entry's modern form, after
the glue module it needs has run.  Shared by the shim and the reports."""

import builtins
import importlib

from compat import api
from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1


def found_in_tf(path):
    """The objects ``tf.x.y`` names in tf.compat.v1 and in TF 2.x, in that
    order (none, one or both)."""
    parts = path.split(".")
    assert parts[0] == "tf", path
    found = []
    for root in (v1, tf):
        obj = root
        try:
            for part in parts[1:]:
                obj = getattr(obj, part)
        except AttributeError:
            continue
        found.append(obj)
    return found


def resolve(path):
    """The object a table ``new`` path names: ``tf.x.y`` in tf.compat.v1,
    else in TF 2.x."""
    found = found_in_tf(path)
    if not found:
        raise AttributeError("TensorFlow %s has no %s" % (tf.__version__, path))
    return found[0]


def import_path(path):
    """The object a Python path outside TF names (``tf_slim.arg_scope``,
    ``compat.input_data``, ``numpy.float64``): each part an attribute where
    its parent has it, else a module."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for end, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:end]))
    return obj


def object_at(path):
    """The object a table path names: a ``tf.`` name, else a Python path."""
    return resolve(path) if path.startswith("tf.") else import_path(path)


def modern(entry):
    """What an entry's ``new`` names, after its ``preload`` module (the glue
    that puts it back into TF, or makes its package work) has run: a TF name;
    a bare name, a builtin (NumPy's removed ``np.int`` is ``int``); else a
    module or name outside TF (a module of this project, which reads the
    environment the shim set; a package such as tf_slim; another library's
    member)."""
    if entry.preload:
        importlib.import_module(entry.preload)
    if not api.is_outside_tf(entry.new):
        return resolve(entry.new)
    if "." not in entry.new and hasattr(builtins, entry.new):
        return getattr(builtins, entry.new)
    return import_path(entry.new)
