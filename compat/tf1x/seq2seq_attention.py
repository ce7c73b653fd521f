"""``tf.contrib.seq2seq``'s attention (TF 1.8-1.15) for TF 2.21, graph mode.

Rebuilt with the arguments, math and variable names of TF 1.x so that
attention models and their checkpoints carry over:

* ``AttentionMechanism``: the marker base class;
* ``LuongAttention``: multiplicative score ``query . keys`` with
  ``keys = memory_layer(memory)`` (``memory_layer/kernel``, no bias);
  ``scale=True`` multiplies by a scalar ``luong_attention/attention_g``;
* ``BahdanauAttention``: additive score
  ``sum(v * tanh(keys + query_layer(query)))`` with variables
  ``memory_layer/kernel``, ``bahdanau_attention/query_layer/kernel`` and
  ``bahdanau_attention/attention_v``; ``normalize=True`` uses the weight
  normalised ``g * v / |v|`` and adds ``attention_b`` inside the tanh;
* ``AttentionWrapper`` and ``AttentionWrapperState``: an RNN cell that
  feeds ``concat(inputs, previous attention)`` to the wrapped cell, scores
  the memory with the cell output, and emits
  ``attention_layer(concat(cell_output, context))`` (``attention_layer``
  kernel without bias) or the bare context when ``attention_layer_size``
  is None.

Scores of memory positions beyond ``memory_sequence_length`` are replaced
by ``score_mask_value`` (default -inf) before the probability function,
and the memory itself is zeroed there, as TF 1.x did.
"""

import collections
import math

import numpy as np

from compat.tf1x.seq2seq import hardmax  # noqa: F401  (TF 1.x exported it here too)
from compat.tf1x.seq2seq_decoder import tf, v1

__all__ = ["AttentionMechanism", "LuongAttention", "BahdanauAttention",
           "AttentionWrapper", "AttentionWrapperState", "hardmax"]

rnn_cell = v1.nn.rnn_cell
_Dense = v1.layers.Dense


class AttentionMechanism:
    """Base class TF 1.x checked attention mechanisms against."""

    @property
    def alignments_size(self):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError


def _prepare_memory(memory, memory_sequence_length):
    """Zero the memory past each entry's length (no-op without lengths)."""
    memory = tf.nest.map_structure(lambda m: tf.convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is None:
        return memory
    lengths = tf.convert_to_tensor(memory_sequence_length, name="memory_sequence_length")
    first = tf.nest.flatten(memory)[0]
    mask = tf.sequence_mask(lengths, maxlen=tf.shape(first)[1], dtype=first.dtype)

    def apply(m):
        rank = m.shape.ndims if m.shape.ndims is not None else tf.rank(m)
        # Broadcast the [batch, time] mask over any trailing axes.
        expanded = tf.reshape(mask, tf.concat((tf.shape(mask),
                                               tf.ones(rank - 2, dtype=tf.int32)), 0))
        check = v1.assert_equal(tf.shape(lengths)[0], tf.shape(m)[0], message=(
            "memory_sequence_length and memory tensor batch sizes do not match."))
        with tf.control_dependencies([check]):
            return m * expanded
    return tf.nest.map_structure(apply, memory)


def _mask_score(score, memory_sequence_length, score_mask_value):
    if memory_sequence_length is None:
        return score
    check = v1.assert_positive(memory_sequence_length, message=(
        "All values in memory_sequence_length must greater than zero."))
    with tf.control_dependencies([check]):
        mask = tf.sequence_mask(memory_sequence_length, maxlen=tf.shape(score)[1])
        return v1.where(mask, score, score_mask_value * tf.ones_like(score))


class _BaseAttentionMechanism(AttentionMechanism):
    """Shared set-up: masked memory (``values``), projected ``keys``, and a
    probability function applied to masked scores."""

    def __init__(self, query_layer, memory, probability_fn, memory_sequence_length=None,
                 memory_layer=None, score_mask_value=None, name=None):
        if not callable(probability_fn):
            raise TypeError("probability_fn must be callable, saw type: %s"
                            % type(probability_fn).__name__)
        self._query_layer = query_layer
        self._memory_layer = memory_layer
        self.dtype = tf.as_dtype(memory_layer.dtype)
        if score_mask_value is None:
            score_mask_value = self.dtype.as_numpy_dtype(-np.inf)
        self._probability_fn = lambda score, prev: probability_fn(
            _mask_score(score, memory_sequence_length, score_mask_value), prev)
        with v1.name_scope(name, "BaseAttentionMechanismInit", tf.nest.flatten(memory)):
            self._values = _prepare_memory(memory, memory_sequence_length)
            # Called here, outside any decoder scope: hence the top-level
            # "memory_layer/kernel" TF 1.x checkpoints have.
            self._keys = self._memory_layer(self._values) if self._memory_layer \
                else self._values
            self._batch_size = (tf.compat.dimension_value(self._keys.shape[0])
                                or tf.shape(self._keys)[0])
            self._alignments_size = (tf.compat.dimension_value(self._keys.shape[1])
                                     or tf.shape(self._keys)[1])

    @property
    def memory_layer(self):
        return self._memory_layer

    @property
    def query_layer(self):
        return self._query_layer

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    def initial_alignments(self, batch_size, dtype):
        """Zeros ``[batch_size, max_time]``."""
        return tf.zeros(tf.stack([batch_size, self._alignments_size]), dtype=dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)


def _ignore_previous(probability_fn):
    # Luong and Bahdanau ignore the previous alignments (monotonic ones did not).
    return lambda score, _: probability_fn(score)


class LuongAttention(_BaseAttentionMechanism):
    """Multiplicative attention (Luong et al. 2015): score = query . keys,
    optionally times a learned scalar ``attention_g``."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 name="LuongAttention"):
        probability_fn = probability_fn or tf.nn.softmax
        dtype = dtype or tf.float32
        super().__init__(
            query_layer=None,
            memory_layer=_Dense(num_units, name="memory_layer", use_bias=False, dtype=dtype),
            memory=memory, probability_fn=_ignore_previous(probability_fn),
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value, name=name)
        self._num_units = num_units
        self._scale = scale
        self._name = name

    def __call__(self, query, state):
        """-> ``(alignments, next_state)``, both ``[batch, max_time]``."""
        with v1.variable_scope(None, "luong_attention", [query]):
            depth = query.shape[-1]
            key_units = self._keys.shape[-1]
            if depth != key_units:
                raise ValueError(
                    "Incompatible or unknown inner dimensions between query and keys. "
                    "Query (%s) has units: %s.  Keys (%s) have units: %s.  Perhaps you "
                    "need to set num_units to the keys' dimension (%s)?"
                    % (query, depth, self._keys, key_units, key_units))
            # [batch, 1, depth] x [batch, depth, time] -> [batch, time]
            score = tf.squeeze(tf.matmul(tf.expand_dims(query, 1), self._keys,
                                         transpose_b=True), [1])
            if self._scale:
                g = v1.get_variable("attention_g", dtype=query.dtype, shape=(),
                                    initializer=v1.ones_initializer())
                score = g * score
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class BahdanauAttention(_BaseAttentionMechanism):
    """Additive attention (Bahdanau et al. 2015):
    score = sum_units(v * tanh(keys + query_layer(query)))."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 name="BahdanauAttention"):
        probability_fn = probability_fn or tf.nn.softmax
        dtype = dtype or tf.float32
        super().__init__(
            query_layer=_Dense(num_units, name="query_layer", use_bias=False, dtype=dtype),
            memory_layer=_Dense(num_units, name="memory_layer", use_bias=False, dtype=dtype),
            memory=memory, probability_fn=_ignore_previous(probability_fn),
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value, name=name)
        self._num_units = num_units
        self._normalize = normalize
        self._name = name

    def __call__(self, query, state):
        """-> ``(alignments, next_state)``, both ``[batch, max_time]``."""
        with v1.variable_scope(None, "bahdanau_attention", [query]):
            processed = self._query_layer(query) if self._query_layer else query
            keys = self._keys
            dtype = processed.dtype
            units = tf.compat.dimension_value(keys.shape[2]) or tf.shape(keys)[2]
            processed = tf.expand_dims(processed, 1)
            v = v1.get_variable("attention_v", [units], dtype=dtype)
            if self._normalize:
                # Weight normalisation (Salimans & Kingma 2016), g starting at
                # 1/sqrt(units) so |g v / |v|| matches v's initial scale.
                g = v1.get_variable("attention_g", dtype=dtype, shape=(),
                                    initializer=v1.constant_initializer(math.sqrt(1. / units)))
                b = v1.get_variable("attention_b", [units], dtype=dtype,
                                    initializer=v1.zeros_initializer())
                normed_v = g * v * tf.math.rsqrt(tf.reduce_sum(tf.square(v)))
                score = tf.reduce_sum(normed_v * tf.tanh(keys + processed + b), [2])
            else:
                score = tf.reduce_sum(v * tf.tanh(keys + processed), [2])
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState", ("cell_state", "attention", "time", "alignments",
                                  "alignment_history", "attention_state"))):
    """State of ``AttentionWrapper``: the wrapped cell's state, the last
    attention vector, the step counter, the last alignments, the TensorArray
    of all alignments (``()`` unless ``alignment_history``) and each
    mechanism's own state."""

    def clone(self, **kwargs):
        """A copy with fields replaced; new tensors keep the old static
        shapes (so e.g. ``zero_state(...).clone(cell_state=encoder_state)``
        stays usable as a while-loop variable)."""
        def same_shape(old, new):
            if isinstance(old, tf.Tensor) and isinstance(new, tf.Tensor):
                new.set_shape(new.shape.merge_with(old.shape))
            return new
        return tf.nest.map_structure(same_shape, self, self._replace(**kwargs))


def _compute_attention(mechanism, cell_output, attention_state, attention_layer):
    alignments, next_attention_state = mechanism(cell_output, state=attention_state)
    # context_b = sum_t alignments[b, t] * values[b, t, :]
    context = tf.squeeze(tf.matmul(tf.expand_dims(alignments, 1), mechanism.values), [1])
    if attention_layer is not None:
        attention = attention_layer(tf.concat([cell_output, context], 1))
    else:
        attention = context
    return attention, alignments, next_attention_state


class AttentionWrapper(rnn_cell.RNNCell):
    """Wraps ``cell`` with one or more attention mechanisms (TF 1.x's)."""

    def __init__(self, cell, attention_mechanism, attention_layer_size=None,
                 alignment_history=False, cell_input_fn=None, output_attention=True,
                 initial_cell_state=None, name=None, attention_layer=None):
        super().__init__(name=name)
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            mechanisms = tuple(attention_mechanism)
            if not mechanisms:
                raise ValueError("attention_mechanism must contain at least one "
                                 "attention mechanism")
        else:
            self._is_multi = False
            mechanisms = (attention_mechanism,)
        for mechanism in mechanisms:
            if not isinstance(mechanism, AttentionMechanism):
                raise TypeError("attention_mechanism must be an AttentionMechanism or "
                                "list of multiple AttentionMechanism instances, saw "
                                "type: %s" % type(mechanism).__name__)
        if cell_input_fn is None:
            cell_input_fn = lambda inputs, attention: tf.concat([inputs, attention], -1)
        elif not callable(cell_input_fn):
            raise TypeError("cell_input_fn must be callable, saw type: %s"
                            % type(cell_input_fn).__name__)
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer "
                             "should be set")
        if attention_layer_size is not None:
            sizes = tuple(attention_layer_size if isinstance(attention_layer_size,
                                                             (list, tuple))
                          else (attention_layer_size,))
            if len(sizes) != len(mechanisms):
                raise ValueError("If provided, attention_layer_size must contain exactly "
                                 "one integer per attention_mechanism, saw: %d vs %d"
                                 % (len(sizes), len(mechanisms)))
            self._attention_layers = tuple(
                _Dense(size, name="attention_layer", use_bias=False, dtype=m.dtype)
                for size, m in zip(sizes, mechanisms))
            self._attention_layer_size = sum(sizes)
        elif attention_layer is not None:
            layers = tuple(attention_layer if isinstance(attention_layer, (list, tuple))
                           else (attention_layer,))
            self._attention_layers = layers
            self._attention_layer_size = sum(
                tf.compat.dimension_value(layer.compute_output_shape(
                    [None, cell.output_size
                     + tf.compat.dimension_value(m.values.shape[-1])])[-1])
                for layer, m in zip(layers, mechanisms))
        else:
            self._attention_layers = None
            self._attention_layer_size = sum(
                tf.compat.dimension_value(m.values.shape[-1]) for m in mechanisms)
        self._cell = cell
        self._attention_mechanisms = mechanisms
        self._cell_input_fn = cell_input_fn
        self._output_attention = output_attention
        self._alignment_history = alignment_history
        if initial_cell_state is None:
            self._initial_cell_state = None
        else:
            with v1.name_scope(name, "AttentionWrapperInit"):
                self._initial_cell_state = tf.nest.map_structure(
                    lambda s: tf.identity(s, name="check_initial_cell_state"),
                    initial_cell_state)

    def _batch_size_checks(self, batch_size, error_message):
        return [v1.assert_equal(batch_size, m.batch_size, message=error_message)
                for m in self._attention_mechanisms]

    def _item_or_tuple(self, seq):
        # A single mechanism gives bare values, several give tuples (TF 1.x).
        t = tuple(seq)
        return t if self._is_multi else t[0]

    @property
    def output_size(self):
        return self._attention_layer_size if self._output_attention \
            else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(
            cell_state=self._cell.state_size,
            time=tf.TensorShape([]),
            attention=self._attention_layer_size,
            alignments=self._item_or_tuple(m.alignments_size
                                           for m in self._attention_mechanisms),
            attention_state=self._item_or_tuple(m.state_size
                                                for m in self._attention_mechanisms),
            alignment_history=self._item_or_tuple(
                m.alignments_size if self._alignment_history else ()
                for m in self._attention_mechanisms))

    def zero_state(self, batch_size, dtype):
        """All-zero state, except ``cell_state`` = ``initial_cell_state`` when
        given; use ``.clone(cell_state=...)`` to start from an encoder state."""
        with v1.name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            if self._initial_cell_state is not None:
                cell_state = self._initial_cell_state
            else:
                cell_state = self._cell.zero_state(batch_size, dtype)
            message = (
                "When calling zero_state of AttentionWrapper %s: " % self.name
                + "Non-matching batch sizes between the memory (encoder output) and the "
                "requested batch size.  Are you using the BeamSearchDecoder?  If so, "
                "make sure your encoder output has been tiled to beam_width via "
                "tf.contrib.seq2seq.tile_batch, and the batch_size= argument passed to "
                "zero_state is batch_size * beam_width.")
            with tf.control_dependencies(self._batch_size_checks(batch_size, message)):
                cell_state = tf.nest.map_structure(
                    lambda s: tf.identity(s, name="checked_cell_state"), cell_state)
            alignments = [m.initial_alignments(batch_size, dtype)
                          for m in self._attention_mechanisms]
            return AttentionWrapperState(
                cell_state=cell_state,
                time=tf.zeros([], dtype=tf.int32),
                attention=tf.zeros(tf.stack([batch_size, self._attention_layer_size]),
                                   dtype=dtype),
                alignments=self._item_or_tuple(alignments),
                attention_state=self._item_or_tuple(
                    m.initial_state(batch_size, dtype)
                    for m in self._attention_mechanisms),
                alignment_history=self._item_or_tuple(
                    tf.TensorArray(dtype, size=0, dynamic_size=True,
                                   element_shape=a.shape)
                    if self._alignment_history else () for a in alignments))

    def call(self, inputs, state):
        """One step: cell on ``concat(inputs, state.attention)``, then attend
        with the cell output; returns ``(attention or cell_output, next_state)``."""
        if not isinstance(state, AttentionWrapperState):
            raise TypeError("Expected state to be instance of AttentionWrapperState. "
                            "Received type %s instead." % type(state))
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        batch = tf.compat.dimension_value(cell_output.shape[0]) or tf.shape(cell_output)[0]
        message = ("When applying AttentionWrapper %s: " % self.name
                   + "Non-matching batch sizes between the memory (encoder output) and the "
                   "query (decoder output).  Are you using the BeamSearchDecoder?  You "
                   "may need to tile your memory input via the tf.contrib.seq2seq."
                   "tile_batch function with argument multiple=beam_width.")
        with tf.control_dependencies(self._batch_size_checks(batch, message)):
            cell_output = tf.identity(cell_output, name="checked_cell_output")
        if self._is_multi:
            previous_states = state.attention_state
            previous_histories = state.alignment_history
        else:
            previous_states = [state.attention_state]
            previous_histories = [state.alignment_history]
        attentions, all_alignments, states, histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignments, next_attention_state = _compute_attention(
                mechanism, cell_output, previous_states[i],
                self._attention_layers[i] if self._attention_layers else None)
            history = previous_histories[i].write(state.time, alignments) \
                if self._alignment_history else ()
            attentions.append(attention)
            all_alignments.append(alignments)
            states.append(next_attention_state)
            histories.append(history)
        attention = tf.concat(attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1, cell_state=next_cell_state, attention=attention,
            attention_state=self._item_or_tuple(states),
            alignments=self._item_or_tuple(all_alignments),
            alignment_history=self._item_or_tuple(histories))
        return (attention if self._output_attention else cell_output), next_state
