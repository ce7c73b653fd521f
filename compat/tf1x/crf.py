"""``tf.contrib.crf`` (linear-chain CRF, TF 1.8-1.15) for TensorFlow 2.21.

TF 2.x dropped ``tf.contrib`` and tensorflow-addons (its CRF's later home)
is no longer maintained, so this module rebuilds the functions TF 1.x
programs call, with the same names, argument order, return values and
edge cases as ``tensorflow/contrib/crf/python/ops/crf.py`` of r1.15, out of
``tf.compat.v1`` ops that work in graph mode (placeholders and a Session):

* ``crf_sequence_score``, ``crf_unary_score``, ``crf_binary_score`` and
  ``crf_multitag_sequence_score``: unnormalised scores of tag sequences;
* ``crf_log_norm``: the log-partition function (forward algorithm);
* ``crf_log_likelihood``: per-example log-likelihood, creating the
  ``transitions`` variable with ``get_variable`` when none is given;
* ``crf_decode`` (in the graph) and ``viterbi_decode`` (numpy): the best
  tag sequence and its score.

TF 1.x's behaviour for ragged batches is kept: steps at or past an
example's length are masked out of every score, an example of length 0
scores 0 and has log-norm 0, ``crf_decode`` returns tag 0 at padded
positions, and a batch whose ``max_seq_len`` is 1 takes a separate,
transition-free path (chosen statically when the time dimension is known,
with ``tf.cond`` otherwise).  The RNN cell classes TF 1.x used internally
(``CrfForwardRnnCell`` and the two decode cells) are not provided: the
recursions here run on ``tf.scan``.
"""

import numpy as np

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = [
    "crf_sequence_score", "crf_multitag_sequence_score", "crf_log_norm",
    "crf_log_likelihood", "crf_unary_score", "crf_binary_score",
    "viterbi_decode", "crf_decode",
]


def _if_single_step(inputs, single_fn, multi_fn):
    """``single_fn()`` when ``inputs`` (batch-major) has one time step, else
    ``multi_fn()``.  A known static length decides in Python, so only one
    branch enters the graph (as TF 1.x's smart_cond did); an unknown one is
    decided at run time."""
    static_len = inputs.shape[1]
    if static_len is not None:
        return single_fn() if static_len == 1 else multi_fn()
    return v1.cond(tf.equal(tf.shape(inputs)[1], 1), single_fn, multi_fn)


def _zero_where_empty(values, sequence_lengths):
    # TF 1.15 defines every per-example result of a length-0 example as 0.
    return tf.where(sequence_lengths <= 0, tf.zeros_like(values), values)


def _steps_left(sequence_lengths):
    """Per example, how many transitions its sequence has (length - 1,
    never below 0)."""
    return tf.maximum(sequence_lengths - 1, tf.zeros_like(sequence_lengths))


def _time_major_rest(inputs):
    """Time steps 1.. of a [B, T, O] tensor as [T - 1, B, O] plus their
    indices 0..T-2 (the index of the transition that enters each step)."""
    rest = tf.transpose(inputs[:, 1:, :], [1, 0, 2])
    return rest, tf.range(tf.shape(rest)[0])


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """Sum over each example's first ``sequence_lengths`` steps of the unary
    potential ``inputs[b, t, tag_indices[b, t]]``; returns [batch_size]."""
    inputs = tf.convert_to_tensor(inputs)
    tag_indices = tf.convert_to_tensor(tag_indices)
    # batch_dims=2 picks inputs[b, t, tags[b, t]] for every (b, t).
    picked = tf.gather(inputs, tag_indices, batch_dims=2)
    masks = tf.sequence_mask(sequence_lengths, maxlen=tf.shape(tag_indices)[1],
                             dtype=picked.dtype)
    return tf.reduce_sum(picked * masks, 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """Sum over each example's transitions t-1 -> t (for 0 < t < length) of
    ``transition_params[tag[t - 1], tag[t]]``; returns [batch_size]."""
    tag_indices = tf.convert_to_tensor(tag_indices)
    transition_params = tf.convert_to_tensor(transition_params)
    pairs = tf.stack([tag_indices[:, :-1], tag_indices[:, 1:]], axis=-1)
    scores = tf.gather_nd(transition_params, pairs)
    # The transition into step t counts while step t is inside the sequence.
    masks = tf.sequence_mask(sequence_lengths, maxlen=tf.shape(tag_indices)[1],
                             dtype=scores.dtype)[:, 1:]
    return tf.reduce_sum(scores * masks, 1)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """Unnormalised score (unary + binary) of the tag sequences
    ``tag_indices`` [batch_size, max_seq_len] under ``inputs``
    [batch_size, max_seq_len, num_tags]; returns [batch_size]."""
    inputs = tf.convert_to_tensor(inputs)
    tag_indices = tf.convert_to_tensor(tag_indices)
    sequence_lengths = tf.convert_to_tensor(sequence_lengths)

    def single():
        # One step: just the unary potential of the one tag.
        picked = tf.gather(inputs[:, 0, :], tag_indices[:, 0], batch_dims=1)
        return _zero_where_empty(picked, sequence_lengths)

    def multi():
        return (crf_unary_score(tag_indices, sequence_lengths, inputs)
                + crf_binary_score(tag_indices, sequence_lengths, transition_params))

    return _if_single_step(inputs, single, multi)


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """Log of the partition function: logsumexp over all tag sequences of
    each example's first ``sequence_lengths`` steps; returns [batch_size]."""
    inputs = tf.convert_to_tensor(inputs)
    sequence_lengths = tf.convert_to_tensor(sequence_lengths)
    first = inputs[:, 0, :]

    def single():
        return _zero_where_empty(tf.reduce_logsumexp(first, [1]), sequence_lengths)

    def multi():
        transitions = tf.expand_dims(tf.convert_to_tensor(transition_params), 0)
        steps = _steps_left(sequence_lengths)
        rest, step_ids = _time_major_rest(inputs)

        def forward(alphas, elems):
            unary, step = elems
            # alphas[b, i] + transitions[i, j], summed (in log space) over i.
            new = unary + tf.reduce_logsumexp(tf.expand_dims(alphas, 2) + transitions, [1])
            # Past an example's end its alphas stay as they were (dynamic_rnn's
            # sequence_length semantics in TF 1.x).
            live = tf.expand_dims(tf.cast(step, steps.dtype) < steps, 1)
            return tf.where(live, new, alphas)

        # scan stacks every step's alphas; the last row is the final state.
        alphas = v1.scan(forward, (rest, step_ids), initializer=first)
        final = tf.concat([tf.expand_dims(first, 0), alphas], 0)[-1]
        return _zero_where_empty(tf.reduce_logsumexp(final, [1]), sequence_lengths)

    return _if_single_step(inputs, single, multi)


def crf_multitag_sequence_score(inputs, tag_bitmap, sequence_lengths, transition_params):
    """Log of the summed exp-scores of every tag sequence allowed by
    ``tag_bitmap`` [batch_size, max_seq_len, num_tags] (bool); one-hot
    bitmaps give ``crf_sequence_score``.  Returns [batch_size]."""
    inputs = tf.convert_to_tensor(inputs)
    # Disallowed tags get potential -inf, so they drop out of the logsumexp.
    minus_inf = tf.fill(tf.shape(inputs), tf.constant(float("-inf"), inputs.dtype))
    filtered = tf.where(tag_bitmap, inputs, minus_inf)

    def single():
        # TF 1.15 applies no length mask on this path.
        return tf.reduce_logsumexp(filtered, axis=[1, 2])

    def multi():
        return crf_log_norm(filtered, sequence_lengths, transition_params)

    return _if_single_step(inputs, single, multi)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """Per-example log-likelihood of ``tag_indices`` under the CRF.

    Returns ``(log_likelihood [batch_size], transition_params)``; without
    ``transition_params`` a [num_tags, num_tags] variable named
    ``transitions`` is made with ``tf.compat.v1.get_variable`` (its default
    initializer) in the current variable scope and returned.
    """
    inputs = tf.convert_to_tensor(inputs)
    if transition_params is None:
        num_tags = inputs.shape[2]
        transition_params = v1.get_variable("transitions", [num_tags, num_tags])
    sequence_scores = crf_sequence_score(inputs, tag_indices, sequence_lengths,
                                         transition_params)
    log_norm = crf_log_norm(inputs, sequence_lengths, transition_params)
    return sequence_scores - log_norm, transition_params


def viterbi_decode(score, transition_params):
    """Best tag sequence of one example outside TensorFlow (numpy).

    ``score`` is [seq_len, num_tags] (already cut to the example's length),
    ``transition_params`` [num_tags, num_tags].  Returns ``(viterbi,
    viterbi_score)``: a list of seq_len tag indices and the path's score (a
    numpy scalar of ``score``'s dtype, as TF 1.x returned).  Ties go to the
    lowest tag index (numpy's argmax).
    """
    score = np.asarray(score)
    transition_params = np.asarray(transition_params)
    best = score[0].copy()          # best[j]: best path score ending in tag j
    back = []                       # back[t-1][j]: best tag at t-1 before tag j at t
    for t in range(1, score.shape[0]):
        candidates = best[:, None] + transition_params   # [from, to]
        back.append(np.argmax(candidates, 0))
        best = score[t] + np.max(candidates, 0)
    path = [int(np.argmax(best))]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    path.reverse()
    return path, np.max(best)


def crf_decode(potentials, transition_params, sequence_length):
    """Best tag sequence of each example in the graph (Viterbi).

    ``potentials`` is [batch_size, max_seq_len, num_tags].  Returns
    ``(decode_tags, best_score)``: int32 [batch_size, max_seq_len] (tag 0
    at padded positions) and [batch_size] scores of those paths.
    """
    potentials = tf.convert_to_tensor(potentials)
    sequence_length = tf.convert_to_tensor(sequence_length)

    def single():
        # One step: the best tag is the largest potential (no length mask).
        first = potentials[:, 0, :]
        tags = tf.cast(tf.argmax(first, axis=1), tf.int32)
        return tf.expand_dims(tags, 1), tf.reduce_max(first, axis=1)

    def multi():
        transitions = tf.expand_dims(tf.convert_to_tensor(transition_params), 0)
        first = potentials[:, 0, :]
        steps = _steps_left(sequence_length)
        rest, step_ids = _time_major_rest(potentials)

        def forward(carry, elems):
            scores, _ = carry
            unary, step = elems
            candidates = tf.expand_dims(scores, 2) + transitions     # [B, from, to]
            new = unary + tf.reduce_max(candidates, [1])
            pointers = tf.cast(tf.argmax(candidates, 1), tf.int32)  # [B, to]
            live = tf.expand_dims(tf.cast(step, steps.dtype) < steps, 1)
            return tf.where(live, new, scores), pointers

        zero_pointers = tf.zeros_like(first, dtype=tf.int32)
        all_scores, pointers = v1.scan(forward, (rest, step_ids),
                                       initializer=(first, zero_pointers))
        final = tf.concat([tf.expand_dims(first, 0), all_scores], 0)[-1]
        last_tag = tf.cast(tf.argmax(final, axis=1), tf.int32)       # [B]

        # Walk back from position T-2 to 0.  At position t the carried tag is
        # the one chosen for t+1; inside the sequence (t < length-1) the
        # pointers of step t+1 give tag t, at or past the end the path's
        # last tag is carried.
        steps_i32 = tf.cast(steps, tf.int32)

        def backward(carry, elems):
            step_pointers, t = elems
            followed = tf.gather(step_pointers, carry, batch_dims=1)
            return tf.where(t < steps_i32, followed, last_tag)

        earlier = v1.scan(backward, (pointers, step_ids), initializer=last_tag,
                          reverse=True)                               # [T-1, B]
        tags = tf.transpose(tf.concat([earlier, tf.expand_dims(last_tag, 0)], 0))
        # Padding is tag 0; a length-0 example keeps position 0 (TF 1.15's
        # reverse_sequence of length 0 left its first tag in place).
        shown = tf.maximum(tf.cast(sequence_length, tf.int32), 1)
        inside = tf.sequence_mask(shown, maxlen=tf.shape(tags)[1])
        tags = tf.where(inside, tags, tf.zeros_like(tags))
        return tags, tf.reduce_max(final, axis=1)

    return _if_single_step(potentials, single, multi)
