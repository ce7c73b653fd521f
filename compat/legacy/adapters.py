"""How a call written against a legacy name is re-issued to its modern form.

``compat.api.table`` says *what* maps to what; this module holds the small
amount of code that applies it: binding old positional arguments by their
old names, the tests that tell an old-order call from a new-order one
(``ORDER_TESTS``), and the adapters for names whose old semantics need real
work (``ADAPTERS``: summary ops that used their tag literally,
``tf.reverse`` with a bool mask, TF 0.x's ``SyncReplicasOptimizer``, and
``tf.app.flags``/``tf.app.run`` with TF 0.x's leniency).  Both registries
are keyed by the names the table uses; the source upgrader has a static
counterpart of each, and both are checked against the table on import
(``compat.api.registry``).
"""

import dataclasses
import numbers

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import gen_logging_ops

from compat import api
from compat.legacy import era_adapters
from compat.legacy import flags as legacy_flags
from compat.tf1x.tf0_ops import is_integer_valued
from compat.util import errors

v1 = tf.compat.v1


# Defined with the other user errors, so compat.tf1x can raise it too.
LegacyError = errors.LegacyError


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
    return {entry.renames.get(key, key): value for key, value in bound.items()
            if key not in entry.dropped}


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


def _is_dtype(value):
    """A dtype as TF accepts one (tf.float32, 'float32', np.float32)."""
    if isinstance(value, tf.DType):
        return True
    if isinstance(value, (str, np.dtype, type)):
        try:
            tf.as_dtype(value)
        except (TypeError, ValueError):
            return False
        return True
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
    # (weights, biases, inputs, labels) became (weights, biases, labels,
    # inputs): the third positional is float inputs in the old order and
    # integer class ids in the new (both eras documented labels as int64).
    "third_arg_not_integer": lambda entry, args, kwargs: (
        len(args) > 2 and not is_integer_valued(args[2])),
    # 0.x's SyncReplicasOptimizer could not run without replica_id (it
    # indexed the local steps with it); 1.0's has no such parameter.
    "has_replica_id": lambda entry, args, kwargs: (
        "replica_id" in kwargs or len(args) > entry.params.index("replica_id")),
    # A 0.x initializer function was called with the shape to fill (and is
    # called so when passed bare as an initializer); its 0.12+ class takes
    # an optional dtype.
    "first_arg_is_shape": lambda entry, args, kwargs: (
        entry.params[0] in kwargs or (len(args) > 0 and not _is_dtype(args[0]))),
    # Only a keyword was renamed (tf.SparseTensor(shape=) -> dense_shape=):
    # a call is old when it names one of the old keywords.
    "uses_old_keyword": lambda entry, args, kwargs: any(key in entry.renames for key in kwargs),
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


def _times(grad, factor):
    if grad is None:
        return None
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
    return grad * factor


class _SummedReplicas:
    """The optimizer a 0.x ``SyncReplicasOptimizer`` wrapped, given the
    replicas' summed gradient.  The 0.x optimizer added up the
    ``replicas_to_aggregate`` gradients of a step; the modern one (0.12's
    ``SyncReplicasOptimizerV2``) averages them, which would make every step
    ``replicas_to_aggregate`` times shorter, so its mean is scaled back up."""

    def __init__(self, opt, replicas):
        self._opt = opt
        self._replicas = replicas

    def __getattr__(self, name):
        return getattr(self._opt, name)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        summed = [(_times(grad, self._replicas), var) for grad, var in grads_and_vars]
        return self._opt.apply_gradients(summed, global_step=global_step, name=name)


class SyncReplicasOptimizerV1(v1.train.SyncReplicasOptimizer):
    """TF 0.x ``tf.train.SyncReplicasOptimizer`` (gone in 1.0, when
    ``SyncReplicasOptimizerV2`` took its name), on the modern optimizer:
    its parameter order, its summed gradients, and its ``get_clean_up_op``.

    ``replica_id`` indexed the 0.x optimizer's one vector of per-replica
    local steps; the modern optimizer gives each worker its own local step
    variable, so the argument has nothing left to do.  The workers' token
    barrier, the staleness check, ``get_chief_queue_runner`` and
    ``get_init_tokens_op`` work as they did."""

    def __init__(self, opt, replicas_to_aggregate, variable_averages=None,
                 variables_to_average=None, replica_id=None, total_num_replicas=0,
                 use_locking=False, name="sync_replicas"):
        del replica_id
        super().__init__(_SummedReplicas(opt, replicas_to_aggregate), replicas_to_aggregate,
                         # 0.x said "all of them" with 0, the modern one with None.
                         total_num_replicas=total_num_replicas or None,
                         variable_averages=variable_averages,
                         variables_to_average=variables_to_average,
                         use_locking=use_locking, name=name)
        self._clean_up_op = None

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        train_op = super().apply_gradients(grads_and_vars, global_step=global_step, name=name)
        # An op for a Supervisor argument (ready_for_local_init_op) that 0.x
        # programs never pass, since 0.x had none; TF logs an error with a
        # stack trace at exit for it when it was never run.
        self.ready_for_local_init_op.mark_used()
        # Made here, as 0.x did: a program may ask for it after the
        # Supervisor has finalized the graph.
        with v1.device(global_step.device):
            self._clean_up_op = tf.raw_ops.Abort(error_msg="From sync_replicas")
        return train_op

    def get_clean_up_op(self):
        """The op 0.x's chief ran before exiting on an error: it aborts the
        task holding the token queue, so that blocked replicas restart."""
        if self._clean_up_op is None:
            raise ValueError("get_clean_up_op() should be called after apply_gradients().")
        return self._clean_up_op


@dataclasses.dataclass(frozen=True)
class Adapter:
    """How the runner serves an ``adapter`` entry: either ``call`` stands in
    for the old function on old-order calls (new-order ones go to ``new``
    unchanged), or ``serve()`` makes the object the old name itself yields
    (once per installation of the shim), or, for an ``era_adapter`` on a
    member TF looks up itself (an operator, a class's constructor),
    ``patch(owner, attr, report, decided)`` changes it while the program
    runs and returns the function that restores it
    (``compat.legacy.era_adapters``)."""

    call: object = None
    serve: object = None
    patch: object = None


ADAPTERS = {
    "scalar_summary": Adapter(call=scalar_summary),
    "image_summary": Adapter(call=image_summary),
    "histogram_summary": Adapter(call=histogram_summary),
    "audio_summary": Adapter(call=audio_summary),
    "reverse_with_mask": Adapter(call=reverse_with_mask),
    "sync_replicas_v1": Adapter(call=SyncReplicasOptimizerV1),
    # TF 0.x's lenient flags: a fresh tf.app.flags-like module, and its run.
    "legacy_flags": Adapter(serve=legacy_flags.build_module),
    "legacy_app_run": Adapter(serve=lambda: legacy_flags.run),
    # What a TF 0.x program's names meant (era_adapter; compat.api.era).
    "truncate_div": Adapter(call=era_adapters.truncate_div),
    "truncate_mod": Adapter(call=era_adapters.truncate_mod),
    "round_half_away": Adapter(call=era_adapters.round_half_away),
    "truncating_floordiv": Adapter(patch=era_adapters.truncating_floordiv),
    "truncating_mod": Adapter(patch=era_adapters.truncating_mod),
    "flat_lstm_state": Adapter(patch=era_adapters.flat_lstm_state),
    "svd_0x_flags": Adapter(call=era_adapters.svd_0x_flags),
    "exact_dct": Adapter(call=era_adapters.exact_dct),
}

api.check_registries(__name__, ADAPTERS, ORDER_TESTS)
