"""``tf.contrib.seq2seq``'s beam search (TF 1.9-1.15) for TF 2.21, graph mode.

* ``BeamSearchDecoder(cell, embedding, start_tokens, end_token,
  initial_state, beam_width, output_layer=None, length_penalty_weight=0.0,
  coverage_penalty_weight=0.0, reorder_tensor_arrays=True)``: a ``Decoder``
  for ``dynamic_decode``.  ``initial_state`` (and any attention memory) must
  already be tiled to ``batch_size * beam_width`` with ``tile_batch``.
  Each step takes log-softmax of the logits, forces finished beams onto
  ``end_token`` at no cost, scores hypotheses by
  ``log_prob / ((5 + length) / 6) ** length_penalty_weight`` (Wu et al.
  2016; plus the coverage penalty for finished beams when weighted), and
  keeps the ``beam_width`` best over ``beam x vocab`` of each batch entry.
* ``BeamSearchDecoderState``, ``BeamSearchDecoderOutput`` (per step:
  ``scores``, ``predicted_ids``, ``parent_ids``) and
  ``FinalBeamSearchDecoderOutput`` (``predicted_ids`` traced back through
  the parents, plus the raw step outputs).
* ``gather_tree``: that trace-back.  TF 1.x had it as a contrib C++ kernel;
  TF 2.21 ships no such op, so it is a reverse ``scan`` here, with the
  kernel's behaviour: positions at or past an entry's maximum length, and
  everything after the first ``end_token``, are ``end_token``.

The cell runs on ``[batch * beam, ...]`` tensors under the ``decoder``
scope exactly as with ``BasicDecoder``, so variable names match TF 1.x.
Not rebuilt: re-sorting TensorArrays held in the cell state (e.g. an
``AttentionWrapper`` alignment history) by beam at the end; they are
returned in step order, unsorted.
"""

import collections

import numpy as np

from compat.tf1x.seq2seq_attention import AttentionWrapperState
from compat.tf1x.seq2seq_decoder import Decoder, tf, v1

__all__ = ["BeamSearchDecoder", "BeamSearchDecoderState", "BeamSearchDecoderOutput",
           "FinalBeamSearchDecoderOutput", "gather_tree"]


class BeamSearchDecoderState(collections.namedtuple(
        "BeamSearchDecoderState", ("cell_state", "log_probs", "finished", "lengths",
                                   "accumulated_attention_probs"))):
    """Per-beam cell state, cumulative log-probs, finished flags, int64
    lengths and (coverage penalty only) summed attention."""


class BeamSearchDecoderOutput(collections.namedtuple(
        "BeamSearchDecoderOutput", ("scores", "predicted_ids", "parent_ids"))):
    """One step: each kept hypothesis's score, its new word and the beam it
    extends."""


class FinalBeamSearchDecoderOutput(collections.namedtuple(
        "FinalBeamDecoderOutput", ["predicted_ids", "beam_search_decoder_output"])):
    """``predicted_ids`` ``[batch, time, beam]`` (time-major if asked) after
    the trace-back, and the ``BeamSearchDecoderOutput`` of every step."""


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name=None):
    """Follow ``parent_ids`` back from each entry's last step.

    ``step_ids``/``parent_ids`` are ``[max_time, batch, beam]``; returns the
    full id sequence ending in each final beam, same shape.
    """
    with v1.name_scope(name, "GatherTree", [step_ids, parent_ids, max_sequence_lengths]):
        step_ids = tf.convert_to_tensor(step_ids, name="step_ids")
        parent_ids = tf.convert_to_tensor(parent_ids, name="parent_ids")
        max_lengths = tf.cast(max_sequence_lengths, tf.int32)
        end_token = tf.cast(end_token, step_ids.dtype)
        max_time = tf.shape(step_ids)[0]
        batch, beam = tf.shape(step_ids)[1], tf.shape(step_ids)[2]
        start = tf.tile(tf.expand_dims(tf.range(beam, dtype=parent_ids.dtype), 0), [batch, 1])

        def back(carry, elems):
            beams_at = carry[0]
            ids_t, parents_t, t = elems
            # Steps at or past the entry's length are padding: end_token,
            # and the pointer stays at "each beam is itself".
            active = tf.expand_dims(t < max_lengths, 1)
            picked = tf.gather(ids_t, beams_at, batch_dims=1)
            parent = tf.gather(parents_t, beams_at, batch_dims=1)
            out = tf.where(active, picked, tf.fill(tf.shape(picked), end_token))
            return tf.where(active, parent, beams_at), out

        _, traced = tf.scan(back, (step_ids, parent_ids, tf.range(max_time)),
                            initializer=(start, tf.zeros_like(start, step_ids.dtype)),
                            reverse=True)
        # After the first end_token everything is end_token.
        seen_end = tf.cumsum(tf.cast(tf.equal(traced, end_token), tf.int32),
                             axis=0, exclusive=True) > 0
        result = tf.where(seen_end, tf.fill(tf.shape(traced), end_token), traced)
        result.set_shape(step_ids.shape)
        return result


def _length_penalty(lengths, weight):
    """``((5 + length) / 6) ** weight``; exactly 1 for a static zero weight."""
    weight = tf.convert_to_tensor(weight, name="penalty_factor")
    weight.set_shape(())
    static = tf.get_static_value(weight)
    if static is not None and static == 0:
        return 1.0
    return (5.0 + tf.cast(lengths, tf.float32)) ** weight / (6.0 ** weight)


def _mean_alignments(state):
    """An AttentionWrapperState's alignments, averaged over its mechanisms."""
    alignments = state.alignments
    if isinstance(alignments, tuple):
        return tf.reduce_mean(tf.stack(list(alignments), -1), -1)
    return alignments


def _attention_probs(cell_state, coverage_penalty_weight):
    """Attention of the cell state (averaged over every AttentionWrapper in
    it: the state itself or the items of a tuple such as a MultiRNNCell's),
    or None without a coverage penalty."""
    if tf.get_static_value(tf.convert_to_tensor(coverage_penalty_weight)) == 0.0:
        return None
    if isinstance(cell_state, AttentionWrapperState):
        per_layer = [_mean_alignments(cell_state)]
    elif isinstance(cell_state, tuple):
        per_layer = [_mean_alignments(s) for s in cell_state
                     if isinstance(s, AttentionWrapperState)]
    else:
        per_layer = []
    if not per_layer:
        raise ValueError("coverage_penalty_weight must be 0.0 if no cell is attentional.")
    if len(per_layer) == 1:
        return per_layer[0]
    return tf.reduce_mean(tf.stack(per_layer, -1), -1)


def _scores(log_probs, lengths, length_penalty_weight, coverage_penalty_weight,
            finished, accumulated_attention_probs):
    scores = log_probs / tf.cast(_length_penalty(lengths, length_penalty_weight),
                                 log_probs.dtype)
    if tf.get_static_value(tf.convert_to_tensor(coverage_penalty_weight)) == 0.0:
        return scores
    # Zero attention marks memory padding: counted as fully covered (log 1).
    acc = accumulated_attention_probs
    acc = tf.where(tf.equal(acc, 0.0), tf.ones_like(acc), acc)
    penalty = tf.reduce_sum(tf.math.log(tf.minimum(acc, 1.0)), 2)
    penalty *= tf.cast(finished, penalty.dtype)
    return scores + tf.expand_dims(penalty * coverage_penalty_weight, 2)


def _gather_beams(values, beam_ids):
    """``values[b, beam_ids[b, k], ...]`` -> ``[batch, beam, ...]``."""
    if isinstance(values, tf.TensorArray) or values.shape.ndims is None \
            or values.shape.ndims < 2:
        return values
    out = tf.gather(values, beam_ids, batch_dims=1)
    # Same [batch, beam, ...] layout as the source; gather loses static dims.
    out.set_shape(values.shape)
    return out


class BeamSearchDecoder(Decoder):
    """Beam search over ``cell`` with ids embedded back as the next inputs."""

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state,
                 beam_width, output_layer=None, length_penalty_weight=0.0,
                 coverage_penalty_weight=0.0, reorder_tensor_arrays=True):
        if not callable(cell) or not hasattr(cell, "output_size"):
            raise TypeError("cell must be an RNNCell, received: %s" % type(cell))
        if output_layer is not None and not callable(output_layer):
            raise TypeError("output_layer must be a Layer, received: %s" % type(output_layer))
        self._cell = cell
        self._output_layer = output_layer
        self._reorder_tensor_arrays = reorder_tensor_arrays
        self._embedding_fn = embedding if callable(embedding) else \
            (lambda ids: tf.nn.embedding_lookup(embedding, ids))
        start_tokens = tf.convert_to_tensor(start_tokens, dtype=tf.int32, name="start_tokens")
        if start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._end_token = tf.convert_to_tensor(end_token, dtype=tf.int32, name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = tf.size(start_tokens)
        self._beam_width = beam_width
        self._length_penalty_weight = length_penalty_weight
        self._coverage_penalty_weight = coverage_penalty_weight
        self._initial_cell_state = tf.nest.map_structure(self._maybe_split, initial_state)
        self._start_tokens = tf.tile(tf.expand_dims(start_tokens, 1), [1, beam_width])
        self._start_inputs = self._embedding_fn(self._start_tokens)
        # Only beam 0 starts alive, so the first step expands one hypothesis
        # instead of beam_width identical copies.
        self._finished = tf.one_hot(tf.zeros([self._batch_size], dtype=tf.int32),
                                    depth=beam_width, on_value=False, off_value=True,
                                    dtype=tf.bool)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def tracks_own_finished(self):
        # Beams are reordered each step, so dynamic_decode must not OR the
        # old flags (which belong to other hypotheses) into the new ones.
        return True

    def _rnn_output_size(self):
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        shape = self._output_layer.compute_output_shape(
            tf.TensorShape([None]).concatenate(tf.TensorShape(size)))
        return tf.TensorShape(shape)[1:]

    @property
    def output_size(self):
        beams = tf.TensorShape([self._beam_width])
        return BeamSearchDecoderOutput(scores=beams, predicted_ids=beams, parent_ids=beams)

    @property
    def output_dtype(self):
        dtype = tf.nest.flatten(self._initial_cell_state)[0].dtype
        return BeamSearchDecoderOutput(scores=dtype, predicted_ids=tf.int32,
                                       parent_ids=tf.int32)

    def _split(self, t):
        """``[batch * beam, ...]`` -> ``[batch, beam, ...]``."""
        shape = tf.shape(t)
        out = tf.reshape(t, tf.concat(([self._batch_size, self._beam_width], shape[1:]), 0))
        static_batch = tf.get_static_value(self._batch_size)
        out.set_shape(tf.TensorShape([static_batch, self._beam_width])
                      .concatenate(t.shape[1:]))
        return out

    def _merge(self, t):
        """``[batch, beam, ...]`` -> ``[batch * beam, ...]``."""
        shape = tf.shape(t)
        out = tf.reshape(t, tf.concat(([self._batch_size * self._beam_width], shape[2:]), 0))
        static_batch = tf.get_static_value(self._batch_size)
        rows = static_batch * self._beam_width if static_batch is not None else None
        out.set_shape(tf.TensorShape([rows]).concatenate(t.shape[2:]))
        return out

    def _maybe_split(self, t):
        # TensorArrays and scalars (AttentionWrapperState.time) have no batch axis.
        if isinstance(t, tf.TensorArray) or t.shape.ndims is None or t.shape.ndims < 1:
            return t
        return self._split(t)

    def _maybe_merge(self, t):
        if isinstance(t, tf.TensorArray) or t.shape.ndims is None or t.shape.ndims < 2:
            return t
        return self._merge(t)

    def initialize(self, name=None):
        dtype = tf.nest.flatten(self._initial_cell_state)[0].dtype
        log_probs = tf.one_hot(tf.zeros([self._batch_size], dtype=tf.int32),
                               depth=self._beam_width,
                               on_value=tf.constant(0.0, dtype),
                               off_value=tf.constant(-np.inf, dtype), dtype=dtype)
        attention = _attention_probs(self._initial_cell_state,
                                     self._coverage_penalty_weight)
        state = BeamSearchDecoderState(
            cell_state=self._initial_cell_state, log_probs=log_probs,
            finished=self._finished,
            lengths=tf.zeros([self._batch_size, self._beam_width], dtype=tf.int64),
            accumulated_attention_probs=() if attention is None else attention)
        return self._finished, self._start_inputs, state

    def step(self, time, inputs, state, name=None):
        with v1.name_scope(name, "BeamSearchDecoderStep", (time, inputs, state)):
            inputs = tf.nest.map_structure(self._merge, inputs)
            cell_state = tf.nest.map_structure(self._maybe_merge, state.cell_state)
            cell_outputs, next_cell_state = self._cell(inputs, cell_state)
            cell_outputs = tf.nest.map_structure(self._split, cell_outputs)
            next_cell_state = tf.nest.map_structure(self._maybe_split, next_cell_state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            output, next_state = self._search_step(time, cell_outputs, next_cell_state, state)
            finished = next_state.finished
            next_inputs = tf.cond(tf.reduce_all(finished), lambda: self._start_inputs,
                                  lambda: self._embedding_fn(output.predicted_ids))
        return output, next_state, next_inputs, finished

    def _search_step(self, time, logits, next_cell_state, beam_state):
        beam_width, end_token = self._beam_width, self._end_token
        previously_finished = beam_state.finished
        not_finished = tf.logical_not(previously_finished)
        vocab = tf.compat.dimension_value(logits.shape[-1]) or tf.shape(logits)[-1]
        step_log_probs = tf.nn.log_softmax(logits)
        # A finished beam may only continue with end_token, at log-prob 0.
        dtype = step_log_probs.dtype
        finished_row = tf.one_hot(end_token, vocab, on_value=tf.constant(0.0, dtype),
                                  off_value=tf.constant(dtype.min, dtype), dtype=dtype)
        step_log_probs = tf.where(
            tf.broadcast_to(tf.expand_dims(previously_finished, 2), tf.shape(step_log_probs)),
            tf.broadcast_to(finished_row, tf.shape(step_log_probs)), step_log_probs)
        total = tf.expand_dims(beam_state.log_probs, 2) + step_log_probs
        # The length used for scoring grows for live beams except on end_token.
        grows = tf.one_hot(tf.fill([self._batch_size, beam_width], end_token), depth=vocab,
                           on_value=np.int64(0), off_value=np.int64(1), dtype=tf.int64)
        grows *= tf.expand_dims(tf.cast(not_finished, tf.int64), 2)
        score_lengths = grows + tf.expand_dims(beam_state.lengths, 2)
        accumulated = None
        attention = _attention_probs(next_cell_state, self._coverage_penalty_weight)
        if attention is not None:
            attention *= tf.expand_dims(tf.cast(not_finished, attention.dtype), 2)
            accumulated = beam_state.accumulated_attention_probs + attention
        scores = _scores(total, score_lengths, self._length_penalty_weight,
                         self._coverage_penalty_weight, previously_finished, accumulated)
        scores_flat = tf.reshape(scores, [self._batch_size, -1])
        next_scores, word_indices = tf.nn.top_k(scores_flat, k=beam_width)
        static_batch = tf.get_static_value(self._batch_size)
        next_scores.set_shape([static_batch, beam_width])
        word_indices.set_shape([static_batch, beam_width])
        next_log_probs = tf.gather(tf.reshape(total, [self._batch_size, -1]),
                                   word_indices, batch_dims=1)
        next_log_probs.set_shape([static_batch, beam_width])
        next_word_ids = tf.cast(tf.math.floormod(word_indices, vocab), tf.int32)
        next_beam_ids = tf.cast(tf.math.floordiv(word_indices, vocab), tf.int32)
        parent_finished = _gather_beams(previously_finished, next_beam_ids)
        next_finished = tf.logical_or(parent_finished, tf.equal(next_word_ids, end_token))
        # The stored length grows by one for every beam not finished before
        # this step (an end_token just emitted counts).
        next_lengths = _gather_beams(beam_state.lengths, next_beam_ids) + \
            tf.cast(tf.logical_not(parent_finished), tf.int64)
        next_accumulated = () if accumulated is None else \
            _gather_beams(accumulated, next_beam_ids)
        next_cell_state = tf.nest.map_structure(
            lambda s: _gather_beams(s, next_beam_ids), next_cell_state)
        next_state = BeamSearchDecoderState(
            cell_state=next_cell_state, log_probs=next_log_probs, finished=next_finished,
            lengths=next_lengths, accumulated_attention_probs=next_accumulated)
        return BeamSearchDecoderOutput(next_scores, next_word_ids, next_beam_ids), next_state

    def finalize(self, outputs, final_state, sequence_lengths):
        """Trace the hypotheses back (outputs are time-major here)."""
        del sequence_lengths
        max_lengths = tf.cast(tf.reduce_max(final_state.lengths, axis=1), tf.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids,
                                    max_sequence_lengths=max_lengths,
                                    end_token=self._end_token)
        return FinalBeamSearchDecoderOutput(predicted_ids=predicted_ids,
                                            beam_search_decoder_output=outputs), final_state
