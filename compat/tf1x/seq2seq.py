"""The functional parts of ``tf.contrib.seq2seq`` (TF 1.4-1.15) for TF 2.21.

TF 2.x removed ``tf.contrib`` and tensorflow-addons (where seq2seq went
next) is unmaintained, so this module rebuilds, from ``tf.compat.v1`` ops
that work in graph mode, the three stand-alone functions TF 1.x programs
call from ``tf.contrib.seq2seq``:

* ``sequence_loss``: weighted cross-entropy over ``[batch, time, classes]``
  logits, reduced by the r1.15 rules: the ``average_across_*`` flags divide
  by summed weights, the ``sum_over_*`` flags (added in r1.13) divide by the
  count of non-zero weights, and a zero divisor gives 0, not NaN;
* ``tile_batch``: repeats every batch entry of each tensor in a nested
  structure ``multiplier`` times in a row (``[a, b] -> [a, a, b, b]``), the
  layout ``BeamSearchDecoder`` expects for encoder outputs and states;
* ``hardmax``: one-hot of the arg-max along the last axis (the attention
  wrapper's alternative to softmax).

The decoders, helpers, attention and beam search of the package live next
to this module: ``seq2seq_decoder``, ``seq2seq_helper``,
``seq2seq_attention`` and ``seq2seq_beam``.
"""

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = ["sequence_loss", "tile_batch", "hardmax"]


def _check_rank(tensor, rank, message):
    if tensor.shape.ndims != rank:
        raise ValueError(message)


def _old_positional_order(sum_over_timesteps, sum_over_batch,
                          softmax_loss_function, name):
    """Map r1.4-r1.12 positional calls onto the r1.13+ signature.

    Before r1.13 the sixth and seventh positional parameters were
    ``softmax_loss_function`` and ``name``; r1.13 inserted the two
    ``sum_over_*`` flags in front of them.  A callable (or a string name)
    landing in a flag's slot can only come from the old order, so it is
    moved back rather than read as a truthy flag.
    """
    if callable(sum_over_timesteps) or isinstance(sum_over_batch, str):
        if softmax_loss_function is None and callable(sum_over_timesteps):
            softmax_loss_function = sum_over_timesteps
        if name is None and isinstance(sum_over_batch, str):
            name = sum_over_batch
        return False, False, softmax_loss_function, name
    return sum_over_timesteps, sum_over_batch, softmax_loss_function, name


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False,
                  sum_over_batch=False, softmax_loss_function=None, name=None):
    """Weighted cross-entropy of ``logits`` ``[batch, time, classes]``
    against int ``targets`` ``[batch, time]``, each term multiplied by
    ``weights`` ``[batch, time]`` (typically a 0/1 mask).

    Reduction (as in r1.15): averaging across both axes gives the scalar
    sum / sum(weights); summing over both gives the scalar sum / number of
    non-zero weights; otherwise one axis at most is reduced (the average
    flag winning over the sum flag of the other axis), giving a ``[batch]``
    or ``[time]`` tensor, and with no flag set the weighted ``[batch, time]``
    losses come back unreduced.  Division by zero gives 0.

    ``softmax_loss_function`` replaces the sparse softmax cross-entropy and
    is called as ``f(labels=flat_targets, logits=flat_logits)`` with
    ``[batch*time]`` labels and ``[batch*time, classes]`` logits.
    """
    sum_over_timesteps, sum_over_batch, softmax_loss_function, name = \
        _old_positional_order(sum_over_timesteps, sum_over_batch,
                              softmax_loss_function, name)
    logits = tf.convert_to_tensor(logits)
    targets = tf.convert_to_tensor(targets)
    weights = tf.convert_to_tensor(weights)
    _check_rank(logits, 3, "Logits must be a [batch_size x sequence_length x "
                           "logits] tensor")
    _check_rank(targets, 2, "Targets must be a [batch_size x sequence_length] tensor")
    _check_rank(weights, 2, "Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot "
                         "be set to True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set "
                         "to True at same time.")
    with v1.name_scope(name, "sequence_loss", [logits, targets, weights]):
        flat_logits = tf.reshape(logits, [-1, tf.shape(logits)[2]])
        flat_targets = tf.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=flat_targets, logits=flat_logits)
        else:
            crossent = softmax_loss_function(labels=flat_targets, logits=flat_logits)
        crossent = crossent * tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return tf.math.divide_no_nan(tf.reduce_sum(crossent),
                                         tf.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            count = tf.cast(tf.math.count_nonzero(weights), crossent.dtype)
            return tf.math.divide_no_nan(tf.reduce_sum(crossent), count)
        crossent = tf.reshape(crossent, tf.shape(logits)[0:2])
        # Axis 0 is batch, 1 is time; r1.15 tests the average flags first, so
        # average_across_timesteps with sum_over_batch averages time only.
        if average_across_timesteps or average_across_batch:
            axis = 0 if average_across_batch else 1
            return tf.math.divide_no_nan(tf.reduce_sum(crossent, axis=axis),
                                         tf.reduce_sum(weights, axis=axis))
        if sum_over_timesteps or sum_over_batch:
            axis = 0 if sum_over_batch else 1
            count = tf.cast(tf.math.count_nonzero(weights, axis=axis), crossent.dtype)
            return tf.math.divide_no_nan(tf.reduce_sum(crossent, axis=axis), count)
        return crossent


def _tile_one(t, multiplier):
    """``t`` ``[batch, ...]`` -> ``[batch * multiplier, ...]`` with each
    entry repeated ``multiplier`` times in a row."""
    t = tf.convert_to_tensor(t, name="t")
    rank = t.shape.ndims
    if rank is None or rank < 1:
        raise ValueError("t must have statically known rank")
    # A new axis after batch, tiled, then folded back into batch keeps the
    # copies of one entry adjacent (tf.tile on axis 0 would interleave them).
    multiples = [1] * (rank + 1)
    multiples[1] = multiplier
    tiled = tf.tile(tf.expand_dims(t, 1), multiples)
    dynamic = tf.shape(t)
    tiled = tf.reshape(tiled, tf.concat([[dynamic[0] * multiplier], dynamic[1:]], 0))
    batch = t.shape[0]
    static_batch = batch * multiplier if batch is not None and isinstance(multiplier, int) else None
    tiled.set_shape(tf.TensorShape([static_batch]).concatenate(t.shape[1:]))
    return tiled


def tile_batch(t, multiplier, name=None):
    """Tile the batch (first) dimension of every tensor in the possibly
    nested structure ``t``: entries ``t[0], t[0], ..., t[1], t[1], ...``,
    each ``multiplier`` times.  Raises ``ValueError`` for a tensor of
    unknown rank or rank 0."""
    flat = tf.nest.flatten(t)
    with v1.name_scope(name, "tile_batch", flat + [multiplier]):
        return tf.nest.map_structure(lambda x: _tile_one(x, multiplier), t)


def hardmax(logits, name=None):
    """One-hot vectors (in ``logits``' dtype) marking the arg-max of the last
    axis; ties go to the first maximum, as ``argmax`` does."""
    with v1.name_scope(name, "Hardmax", [logits]):
        logits = tf.convert_to_tensor(logits, name="logits")
        depth = logits.shape[-1]
        if depth is None:
            depth = tf.shape(logits)[-1]
        return tf.one_hot(tf.argmax(logits, -1), depth, dtype=logits.dtype)
