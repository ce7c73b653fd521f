"""The losses and plain decoder of ``tf.contrib.legacy_seq2seq`` (TF 1.x).

Old translation, chatbot and char-rnn programs (the r0.x ``tf.nn.seq2seq``
API, renamed ``tf.contrib.legacy_seq2seq`` in r1.0) work on Python lists of
per-time-step tensors rather than ``[batch, time, ...]`` ones.  TF 2.x has
no copy, so this module rebuilds, from ``tf.compat.v1`` ops that work in
graph mode, with r1.x semantics:

* ``sequence_loss_by_example``: per-example log-perplexity, optionally
  divided by that example's total weight plus 1e-12 (so all-zero weights
  give 0, not NaN);
* ``sequence_loss``: the sum of those, optionally divided by the batch size;
* ``rnn_decoder``: runs an RNN cell over the list of decoder inputs in
  variable scope ``"rnn_decoder"``, optionally feeding each output back
  through ``loop_function``.

A custom ``softmax_loss_function`` is called with keywords,
``f(labels=target, logits=logit)``, as from r1.0 on (r0.x passed
``(logit, target)`` positionally).  The seq2seq models built on these
(``basic_rnn_seq2seq``, ``attention_decoder``, ``embedding_attention_seq2seq``,
``model_with_buckets``, ...) live in ``compat.tf1x.legacy_seq2seq_models``
and are reachable as attributes of this module too, as in TF 1.x.
"""

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = ["sequence_loss_by_example", "sequence_loss", "rnn_decoder"]

# Names served by legacy_seq2seq_models, which imports this module: loaded
# on first access (PEP 562) so that neither import order makes a cycle.
_MODEL_NAMES = ("basic_rnn_seq2seq", "tied_rnn_seq2seq", "embedding_rnn_decoder",
                "embedding_rnn_seq2seq", "attention_decoder",
                "embedding_attention_decoder", "embedding_attention_seq2seq",
                "model_with_buckets")


def __getattr__(name):
    if name in _MODEL_NAMES:
        from compat.tf1x import legacy_seq2seq_models
        return getattr(legacy_seq2seq_models, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def sequence_loss_by_example(logits, targets, weights,
                             average_across_timesteps=True,
                             softmax_loss_function=None, name=None):
    """Weighted cross-entropy summed over time for each example.

    ``logits``: list of ``[batch, classes]`` tensors, one per step;
    ``targets``: list of ``[batch]`` int tensors; ``weights``: list of
    ``[batch]`` float tensors.  Returns a ``[batch]`` tensor; with
    ``average_across_timesteps`` each entry is divided by the example's
    summed weights + 1e-12.
    """
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError("Lengths of logits, weights, and targets must be the same "
                         "%d, %d, %d." % (len(logits), len(weights), len(targets)))
    with v1.name_scope(name, "sequence_loss_by_example",
                       list(logits) + list(targets) + list(weights)):
        weighted = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                # Flattened because r1.x callers sometimes pass [batch, 1]
                # (or scalar-per-row) targets.
                crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=tf.reshape(target, [-1]), logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            weighted.append(crossent * weight)
        log_perps = tf.add_n(weighted)
        if average_across_timesteps:
            # The epsilon (not divide_no_nan) is what r1.x used: it shifts
            # every average a hair, which exact comparisons can see.
            log_perps = log_perps / (tf.add_n(list(weights)) + 1e-12)
    return log_perps


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, softmax_loss_function=None,
                  name=None):
    """Scalar: ``sequence_loss_by_example`` summed over the batch, divided by
    the batch size (the first dimension of ``targets[0]``) when
    ``average_across_batch`` is set.  Note the batch average divides by
    the number of examples, not by their weights."""
    with v1.name_scope(name, "sequence_loss",
                       list(logits) + list(targets) + list(weights)):
        cost = tf.reduce_sum(sequence_loss_by_example(
            logits, targets, weights,
            average_across_timesteps=average_across_timesteps,
            softmax_loss_function=softmax_loss_function))
        if average_across_batch:
            batch_size = tf.shape(targets[0])[0]
            return cost / tf.cast(batch_size, cost.dtype)
        return cost


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None,
                scope=None):
    """Run ``cell`` over ``decoder_inputs`` (list of ``[batch, input]``)
    starting from ``initial_state``; returns ``(outputs, final_state)``.

    Variables live in ``scope`` (default ``"rnn_decoder"``) and are created
    by the first step and reused by the later ones.  With ``loop_function``
    only the first input is used; step ``i > 0`` gets
    ``loop_function(previous_output, i)``, built in a reusing
    ``"loop_function"`` sub-scope.
    """
    with v1.variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                # Later steps share the first step's weights.
                v1.get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state
