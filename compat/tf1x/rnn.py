"""Part of ``tf.contrib.rnn`` (TF 1.8-1.15) for TensorFlow 2.21, graph mode.

TF 2.x dropped ``tf.contrib``; ``tf.compat.v1.nn`` still has the plain RNN
drivers and, in legacy-Keras mode (tf-keras), the core ``rnn_cell`` classes,
but not the contrib extras.  This module rebuilds the ones TF 1.x programs
used most, with the same arguments, return values, math and *variable
names*, so checkpoints written by TF 1.x restore into them:

* ``stack_bidirectional_dynamic_rnn`` and ``stack_bidirectional_rnn``:
  bidirectional layers stacked so that layer k+1 reads layer k's
  concatenated forward/backward outputs; variables live under
  ``stack_bidirectional_rnn/cell_<k>/bidirectional_rnn/{fw,bw}/...``
  (dynamic) or ``stack_bidirectional_rnn/cell_<k>/{fw,bw}/...`` (static).
* ``LSTMBlockCell``: TF 1.x's fused-kernel LSTM.  Gates are packed
  ``[i, ci, f, o]`` in ``kernel`` ([input+units, 4*units]) and ``bias``;
  optional peepholes ``w_i_diag``/``w_f_diag``/``w_o_diag``; ``cell_clip``
  clips the new cell state.  TF 2.21 still ships the ``LSTMBlockCell`` op
  but registers no gradient for it, so the same math is written with plain
  ops here (trainable, and identical forward values).
* ``LayerNormBasicLSTMCell``: LSTM with layer normalisation per gate
  (``input``, ``transform``, ``forget``, ``output`` and the new cell
  ``state``, each with ``gamma``/``beta``) and recurrent dropout on the
  candidate.

TensorFlow must load in legacy-Keras mode for ``tf.compat.v1.nn.rnn_cell``
to exist, hence ``TF_USE_LEGACY_KERAS=1`` is set as a default before import.
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from compat.util.quiet_import import import_tensorflow  # noqa: E402

tf = import_tensorflow()
v1 = tf.compat.v1
rnn_cell = v1.nn.rnn_cell
LSTMStateTuple = rnn_cell.LSTMStateTuple

# tf-keras keeps LayerRNNCell (the base TF 1.x's LSTMBlockCell had) but no
# longer exports it; BasicLSTMCell derives from it, so take it from there
# rather than from a private module path that may move.
LayerRNNCell = next(klass for klass in rnn_cell.BasicLSTMCell.__mro__
                    if klass.__name__ == "LayerRNNCell")

__all__ = [
    "stack_bidirectional_dynamic_rnn", "stack_bidirectional_rnn",
    "LSTMBlockCell", "LayerNormBasicLSTMCell", "LSTMStateTuple",
]


def _check_stack_args(cells_fw, cells_bw, initial_states_fw, initial_states_bw):
    """The argument checks (and messages) both stacking functions made."""
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for states, which in ((initial_states_fw, "fw"), (initial_states_bw, "bw")):
        if states is not None and (not isinstance(states, list)
                                   or len(states) != len(cells_fw)):
            raise ValueError("initial_states_%s must be a list of state tensors "
                             "(one per layer)." % which)


def _layer_state(states, index):
    # TF 1.x tested the list's truth value, so an empty list means "none".
    return states[index] if states else None


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs,
                                    initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None,
                                    parallel_iterations=None, time_major=False,
                                    scope=None, swap_memory=False):
    """Stacked bidirectional ``dynamic_rnn`` layers.

    Returns ``(outputs, output_states_fw, output_states_bw)``: ``outputs`` is
    the last layer's forward and backward outputs concatenated on the depth
    axis (``[batch, time, 2*units]``, or time-major), the states are tuples
    with one final state per layer.
    """
    _check_stack_args(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    layer_input = inputs
    with v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            # bidirectional_dynamic_rnn adds its own "bidirectional_rnn"
            # scope inside cell_<k>, which is where TF 1.x's checkpoints
            # keep the variables.
            with v1.variable_scope("cell_%d" % index):
                outputs, (state_fw, state_bw) = v1.nn.bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer_input,
                    initial_state_fw=_layer_state(initial_states_fw, index),
                    initial_state_bw=_layer_state(initial_states_bw, index),
                    sequence_length=sequence_length,
                    parallel_iterations=parallel_iterations,
                    dtype=dtype, swap_memory=swap_memory, time_major=time_major)
                # Depth is axis 2 in both batch- and time-major layouts.
                layer_input = tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer_input, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                            initial_states_bw=None, dtype=None,
                            sequence_length=None, scope=None):
    """Stacked ``static_bidirectional_rnn`` layers over a list of T inputs.

    Returns ``(outputs, output_states_fw, output_states_bw)`` with
    ``outputs`` a length-T list of concatenated fw/bw outputs of the last
    layer.
    """
    _check_stack_args(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    layer_input = inputs
    with v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            # TF 1.x handed cell_<k> itself as the scope, so the static
            # variables sit at cell_<k>/fw, with no "bidirectional_rnn" level.
            with v1.variable_scope("cell_%d" % index) as cell_scope:
                layer_input, state_fw, state_bw = v1.nn.static_bidirectional_rnn(
                    cell_fw, cell_bw, layer_input,
                    initial_state_fw=_layer_state(initial_states_fw, index),
                    initial_state_bw=_layer_state(initial_states_bw, index),
                    sequence_length=sequence_length, dtype=dtype, scope=cell_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer_input, tuple(states_fw), tuple(states_bw)


class _LSTMSizes(object):
    """An LSTM's state (c, h) and output sizes, all ``num_units``."""

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units


class LSTMBlockCell(_LSTMSizes, LayerRNNCell):
    """TF 1.x ``tf.contrib.rnn.LSTMBlockCell`` (one LSTM step).

    With ``[i, ci, f, o] = [x, h_prev] @ kernel + bias``::

        i  = sigmoid(i + cs_prev * w_i_diag)          # peephole terms only
        f  = sigmoid(f + forget_bias + cs_prev * w_f_diag)  # if use_peephole
        cs = tanh(ci) * i + cs_prev * f
        cs = clip(cs, -cell_clip, cell_clip)          # if cell_clip > 0
        o  = sigmoid(o + cs * w_o_diag)
        h  = tanh(cs) * o

    The state is ``LSTMStateTuple(cs, h)``; variables are ``kernel``,
    ``bias`` (zeros) and, with peepholes, ``w_i_diag``, ``w_f_diag``,
    ``w_o_diag``, under the layer name (default ``lstm_cell``, the same as
    ``LSTMCell`` so the weights are interchangeable).
    """

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None,
                 use_peephole=False, dtype=None, reuse=None, name="lstm_cell"):
        super().__init__(_reuse=reuse, dtype=dtype, name=name)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._use_peephole = use_peephole
        # The kernel's convention: a non-positive clip means "no clipping".
        self._cell_clip = cell_clip if cell_clip is not None else -1

    def build(self, inputs_shape):
        inputs_shape = tf.TensorShape(inputs_shape)
        if inputs_shape.rank != 2 or not inputs_shape[1]:
            raise ValueError("Expecting inputs_shape[1] to be set: %s" % str(inputs_shape))
        input_size = inputs_shape[1]
        self._kernel = self.add_weight(
            "kernel", [input_size + self._num_units, 4 * self._num_units])
        self._bias = self.add_weight(
            "bias", [4 * self._num_units], initializer=v1.constant_initializer(0.0))
        if self._use_peephole:
            self._w_i_diag = self.add_weight("w_i_diag", [self._num_units])
            self._w_f_diag = self.add_weight("w_f_diag", [self._num_units])
            self._w_o_diag = self.add_weight("w_o_diag", [self._num_units])
        self.built = True

    def call(self, inputs, state):
        if len(state) != 2:
            raise ValueError("Expecting state to be a tuple with length 2.")
        cs_prev, h_prev = state
        gates = tf.matmul(tf.concat([inputs, h_prev], 1), self._kernel) + self._bias
        i, ci, f, o = tf.split(gates, 4, axis=1)
        f = f + self._forget_bias
        if self._use_peephole:
            i = i + cs_prev * self._w_i_diag
            f = f + cs_prev * self._w_f_diag
        cs = tf.tanh(ci) * tf.sigmoid(i) + cs_prev * tf.sigmoid(f)
        if self._cell_clip > 0:
            cs = tf.clip_by_value(cs, -self._cell_clip, self._cell_clip)
        if self._use_peephole:
            # The output gate peeks at the *new* (clipped) cell state.
            o = o + cs * self._w_o_diag
        h = tf.tanh(cs) * tf.sigmoid(o)
        return h, LSTMStateTuple(cs, h)


def _layer_norm(x, gain, shift, scope, dtype):
    """contrib ``layers.layer_norm`` over the last axis with the cell's own
    ``gamma``/``beta``: (x - mean) / sqrt(var + 1e-12) * gamma + beta."""
    with v1.variable_scope(scope):
        gamma = v1.get_variable("gamma", shape=x.shape[-1:], dtype=dtype,
                                initializer=v1.constant_initializer(gain))
        beta = v1.get_variable("beta", shape=x.shape[-1:], dtype=dtype,
                               initializer=v1.constant_initializer(shift))
    mean, variance = tf.nn.moments(x, [1], keepdims=True)
    # contrib's epsilon: 1e-12, raised to 1e-3 for float16's small range.
    epsilon = 1e-3 if dtype == tf.float16 else 1e-12
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)


class LayerNormBasicLSTMCell(_LSTMSizes, rnn_cell.RNNCell):
    """TF 1.x ``tf.contrib.rnn.LayerNormBasicLSTMCell``.

    With ``[i, j, f, o] = [x, h] @ kernel`` (plus ``bias`` only when
    ``layer_norm`` is False), each of i, j, f, o layer-normalised under the
    scopes ``input``, ``transform``, ``forget``, ``output``::

        g     = dropout(activation(j), dropout_keep_prob)
        new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * g
        new_c = layer_norm(new_c)          # scope "state"
        new_h = activation(new_c) * sigmoid(o)

    Variables sit under ``layer_norm_basic_lstm_cell/`` (the layer name TF
    derived from the class name, kept here by keeping the class name).
    """

    def __init__(self, num_units, forget_bias=1.0, input_size=None,
                 activation=tf.tanh, layer_norm=True, norm_gain=1.0,
                 norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None,
                 reuse=None):
        super().__init__(_reuse=reuse)
        if input_size is not None:
            v1.logging.warn("%s: The input_size parameter is deprecated.", self)
        self._num_units = num_units
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    def _norm(self, x, scope, dtype):
        return _layer_norm(x, self._norm_gain, self._norm_shift, scope, dtype)

    def call(self, inputs, state):
        c, h = state
        args = tf.concat([inputs, h], 1)
        dtype = args.dtype
        out_size = 4 * self._num_units
        kernel = v1.get_variable("kernel", [args.shape[-1], out_size], dtype=dtype)
        concat = tf.matmul(args, kernel)
        if not self._layer_norm:
            # Layer norm's beta replaces the bias, so TF 1.x made one only here.
            bias = v1.get_variable("bias", [out_size], dtype=dtype)
            concat = tf.nn.bias_add(concat, bias)
        i, j, f, o = tf.split(concat, 4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input", dtype)
            j = self._norm(j, "transform", dtype)
            f = self._norm(f, "forget", dtype)
            o = self._norm(o, "output", dtype)
        g = self._activation(j)
        # TF 1.x skipped dropout only for a Python float keep_prob >= 1; a
        # tensor (e.g. a placeholder fed 1.0 at test time) always adds it.
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = v1.nn.dropout(g, keep_prob=self._keep_prob, seed=self._seed)
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state", dtype)
        new_h = self._activation(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)
