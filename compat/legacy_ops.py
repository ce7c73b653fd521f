"""How a call written against a legacy name is re-issued to its modern form.

``compat.legacy_api`` says *what* maps to what; this module holds the small
amount of code that applies it: binding old positional arguments by their
old names, the tests that tell an old-order call from a new-order one, and
the adapters for names whose old semantics need real work (summary ops that
used their tag literally, ``tf.reverse`` with a bool mask).
"""

import numbers

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import gen_logging_ops

v1 = tf.compat.v1


class LegacyError(RuntimeError):
    """A legacy call that has no safe modern form."""


def bind_old_call(entry, args, kwargs):
    """Keyword arguments for ``entry.new`` from a call made with the old
    signature: positionals take the old parameter names, then renames."""
    if len(args) > len(entry.params):
        raise TypeError("%s takes at most %d positional arguments (%d given)"
                        % (entry.old, len(entry.params), len(args)))
    bound = dict(zip(entry.params, args))
    for key, value in kwargs.items():
        if key in bound:
            raise TypeError("%s got multiple values for argument %r" % (entry.old, key))
        bound[key] = value
    return {entry.renames.get(key, key): value for key, value in bound.items()}


def _is_axis(value):
    """An int, or a scalar integer tensor: what (concat|split)_dim were."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (numbers.Integral, np.integer)):
        return True
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.dtype.is_integer and value.shape.rank == 0
    return False


def _is_bool_mask(value):
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(isinstance(v, (bool, np.bool_)) for v in value)
    if isinstance(value, np.ndarray):
        return value.dtype == np.bool_
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.dtype == tf.bool
    return False


def _arg(args, kwargs, index, name):
    if len(args) > index:
        return args[index]
    return kwargs.get(name)


# old_order_if name -> test on the call's (entry, args, kwargs).
ORDER_TESTS = {
    None: lambda entry, args, kwargs: True,
    "positional": lambda entry, args, kwargs: len(args) > 0,
    "positional_or_targets": lambda entry, args, kwargs: len(args) > 0 or "targets" in kwargs,
    "first_arg_is_axis": lambda entry, args, kwargs: (
        entry.params[0] in kwargs or (len(args) > 0 and _is_axis(args[0]))),
    "second_arg_is_bool_mask": lambda entry, args, kwargs: _is_bool_mask(
        _arg(args, kwargs, 1, "dims")),
}


def is_old_call(entry, args, kwargs):
    return ORDER_TESTS[entry.old_order_if](entry, args, kwargs)


def _collect(op, collections):
    for key in collections if collections is not None else [v1.GraphKeys.SUMMARIES]:
        v1.add_to_collection(key, op)
    return op


def scalar_summary(tags, values, collections=None, name=None):
    """TF 0.x ``tf.scalar_summary``: the tag is used as given (no name
    scope), and a vector of tags may label a vector of values."""
    with v1.name_scope(name, "ScalarSummary", [tags, values]) as scope:
        op = gen_logging_ops.scalar_summary(tags=tags, values=values, name=scope)
    return _collect(op, collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    with v1.name_scope(name, "ImageSummary", [tag, tensor]) as scope:
        op = gen_logging_ops.image_summary(tag=tag, tensor=tensor, max_images=max_images,
                                           name=scope)
    return _collect(op, collections)


def histogram_summary(tag, values, collections=None, name=None):
    with v1.name_scope(name, "HistogramSummary", [tag, values]) as scope:
        op = gen_logging_ops.histogram_summary(tag=tag, values=values, name=scope)
    return _collect(op, collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    with v1.name_scope(name, "AudioSummary", [tag, tensor]) as scope:
        sample_rate = tf.convert_to_tensor(sample_rate, dtype=tf.float32)
        op = gen_logging_ops.audio_summary_v2(tag=tag, tensor=tensor, sample_rate=sample_rate,
                                              max_outputs=max_outputs, name=scope)
    return _collect(op, collections)


def reverse_with_mask(tensor, dims, name=None):
    """TF 0.x ``tf.reverse(tensor, dims)`` with ``dims`` a bool per axis."""
    mask = dims
    if isinstance(dims, (tf.Tensor, tf.Variable)):
        mask = tf.get_static_value(dims)
        if mask is None:
            raise LegacyError(
                "tf.reverse with a bool mask computed at run time cannot be mapped to "
                "axes; pass the axes to reverse as a Python list instead")
    axes = [i for i, flag in enumerate(np.asarray(mask).tolist()) if flag]
    return tf.reverse(tensor, axes, name=name)


ADAPTERS = {
    "scalar_summary": scalar_summary,
    "image_summary": image_summary,
    "histogram_summary": histogram_summary,
    "audio_summary": audio_summary,
    "reverse_with_mask": reverse_with_mask,
}
