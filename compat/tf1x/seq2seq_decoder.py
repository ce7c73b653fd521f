"""``tf.contrib.seq2seq``'s decoder driver (TF 1.8-1.15) for TF 2.21, graph mode.

TF 2.x dropped ``tf.contrib`` and tensorflow-addons reshaped the decoders
into Keras layers, so TF 1.x programs that call
``tf.contrib.seq2seq.dynamic_decode(BasicDecoder(cell, helper, state))``
have nothing to run on.  This module rebuilds, with ``tf.compat.v1`` ops:

* ``Decoder``: the abstract interface ``dynamic_decode`` drives
  (``batch_size``, ``output_size``, ``output_dtype``, ``initialize``,
  ``step``, optional ``finalize``, ``tracks_own_finished``);
* ``dynamic_decode``: the ``while_loop`` that calls ``decoder.step`` until
  every batch entry is finished (or ``maximum_iterations``), returning
  ``(final_outputs, final_state, final_sequence_lengths)``;
* ``BasicDecoder`` and its ``BasicDecoderOutput(rnn_output, sample_id)``:
  one cell step, an optional output layer, then the helper picks samples
  and the next inputs.

Variables are created where TF 1.x created them: everything the decoder
builds lives under the ``decoder`` variable scope (or ``scope``), e.g.
``decoder/basic_rnn_cell/kernel`` and ``decoder/dense/kernel``, so TF 1.x
checkpoints restore.  The helpers are in ``compat.tf1x.seq2seq_helper``.
"""

import abc
import collections
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from compat.util.quiet_import import import_tensorflow  # noqa: E402

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = ["Decoder", "dynamic_decode", "BasicDecoder", "BasicDecoderOutput"]


def _transpose_batch_time(x):
    """Swap axes 0 and 1 of ``x`` (rank >= 2), keeping static shape."""
    x = tf.convert_to_tensor(x)
    rank = x.shape.ndims
    if rank is not None and rank < 2:
        # Scalars per step (rank 1 after stacking) have no batch axis to swap.
        return x
    if rank is None:
        perm = tf.concat(([1, 0], tf.range(2, tf.rank(x))), 0)
    else:
        perm = [1, 0] + list(range(2, rank))
    return tf.transpose(x, perm)


def _static_or_dynamic_batch(tensor):
    return tf.compat.dimension_value(tensor.shape[0]) or tf.shape(tensor)[0]


class Decoder(metaclass=abc.ABCMeta):
    """What ``dynamic_decode`` needs from a decoder (TF 1.x's interface).

    ``initialize()`` returns ``(finished, first_inputs, initial_state)``;
    ``step(time, inputs, state)`` returns ``(outputs, next_state,
    next_inputs, finished)``.  ``output_size`` and ``output_dtype`` are
    structures matching one step's outputs, without the batch axis.
    """

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    @property
    def output_dtype(self):
        raise NotImplementedError

    @abc.abstractmethod
    def initialize(self, name=None):
        raise NotImplementedError

    @abc.abstractmethod
    def step(self, time, inputs, state, name=None):
        raise NotImplementedError

    def finalize(self, outputs, final_state, sequence_lengths):
        # Optional: dynamic_decode treats NotImplementedError as "nothing to do".
        raise NotImplementedError

    @property
    def tracks_own_finished(self):
        """True when ``step`` already keeps finished entries finished (beam
        search does); otherwise ``dynamic_decode`` ORs the flags itself."""
        return False


def _map_size_dtype(fn, size, dtype):
    # TensorShape is itself iterable, so nest would descend into it; flatten
    # the dtype structure and pair its leaves with the matching size leaves.
    dtypes = tf.nest.flatten(dtype)
    sizes = _flatten_sizes(size)
    return tf.nest.pack_sequence_as(dtype, [fn(s, d) for s, d in zip(sizes, dtypes)])


def _flatten_sizes(size):
    """Flatten a structure of sizes whose leaves are ints or TensorShapes."""
    if isinstance(size, (int, tf.TensorShape)) or size is None:
        return [size]
    if isinstance(size, tf.compat.v1.Dimension):
        return [size.value]
    leaves = []
    # nest orders dict leaves by sorted key; do the same.
    items = [size[k] for k in sorted(size)] if isinstance(size, dict) else size
    for item in items:
        leaves.extend(_flatten_sizes(item))
    return leaves


def dynamic_decode(decoder, output_time_major=False, impute_finished=False,
                   maximum_iterations=None, parallel_iterations=32,
                   swap_memory=False, scope=None):
    """Run ``decoder`` step by step until all entries are finished.

    Returns ``(final_outputs, final_state, final_sequence_lengths)``:
    outputs stacked over time (``[batch, time, ...]`` unless
    ``output_time_major``), the state after the last step (or
    ``decoder.finalize``'s), and the int32 ``[batch]`` step count at which
    each entry finished (``maximum_iterations`` for those that never did).
    With ``impute_finished`` the outputs of finished entries are zeros and
    their state is carried through unchanged.
    """
    if not isinstance(decoder, Decoder):
        raise TypeError("Expected decoder to be type Decoder, but saw: %s" % type(decoder))
    with v1.variable_scope(scope, "decoder"):
        if maximum_iterations is not None:
            maximum_iterations = tf.convert_to_tensor(
                maximum_iterations, dtype=tf.int32, name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError("maximum_iterations must be a scalar")

        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = _map_size_dtype(
            lambda s, d: _zeros_for(s, d, decoder.batch_size),
            decoder.output_size, decoder.output_dtype)
        if maximum_iterations is not None:
            # A zero budget means nothing runs: every entry starts finished.
            initial_finished = tf.logical_or(initial_finished, 0 >= maximum_iterations)
        initial_lengths = tf.zeros_like(initial_finished, dtype=tf.int32)
        static_batch = tf.get_static_value(tf.convert_to_tensor(decoder.batch_size))

        def make_ta(s, d):
            element_shape = None
            if isinstance(s, tf.TensorShape) or isinstance(s, int):
                element_shape = tf.TensorShape([static_batch]).concatenate(
                    tf.TensorShape(s if not isinstance(s, int) else [s]))
            return tf.TensorArray(dtype=d, size=0, dynamic_size=True,
                                  element_shape=element_shape)

        outputs_ta = _map_size_dtype(make_ta, decoder.output_size, decoder.output_dtype)

        def condition(unused_time, unused_ta, unused_state, unused_inputs,
                      finished, unused_lengths):
            return tf.logical_not(tf.reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, lengths):
            outputs, decoder_state, next_inputs, decoder_finished = \
                decoder.step(time, inputs, state)
            if decoder.tracks_own_finished:
                next_finished = decoder_finished
            else:
                next_finished = tf.logical_or(decoder_finished, finished)
            # An entry's length is the step count up to and including the
            # step at which it finished; finished entries keep theirs.
            next_lengths = v1.where(tf.logical_not(finished),
                                    tf.fill(tf.shape(lengths), time + 1), lengths)
            tf.nest.assert_same_structure(state, decoder_state)
            tf.nest.assert_same_structure(inputs, next_inputs)
            if impute_finished:
                emit = tf.nest.map_structure(
                    lambda out, zero: v1.where(finished, zero, out), outputs, zero_outputs)

                def keep_finished(new, cur):
                    # TensorArrays and scalars (e.g. a time counter) pass through.
                    if isinstance(cur, tf.TensorArray):
                        return new
                    new.set_shape(cur.shape)
                    if new.shape.ndims == 0:
                        return new
                    return v1.where(finished, cur, new)
                next_state = tf.nest.map_structure(keep_finished, decoder_state, state)
            else:
                emit = outputs
                next_state = decoder_state
            outputs_ta = tf.nest.map_structure(lambda ta, out: ta.write(time, out),
                                               outputs_ta, emit)
            return (time + 1, outputs_ta, next_state, next_inputs, next_finished,
                    next_lengths)

        result = v1.while_loop(
            condition, body,
            loop_vars=(tf.constant(0, dtype=tf.int32), outputs_ta, initial_state,
                       initial_inputs, initial_finished, initial_lengths),
            parallel_iterations=parallel_iterations,
            maximum_iterations=maximum_iterations, swap_memory=swap_memory)
        final_outputs = tf.nest.map_structure(lambda ta: ta.stack(), result[1])
        final_state = result[2]
        final_lengths = result[5]
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state,
                                                          final_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = tf.nest.map_structure(_transpose_batch_time, final_outputs)
    return final_outputs, final_state, final_lengths


def _zeros_for(size, dtype, batch_size):
    """``zeros([batch] + size)``; ``size`` is an int, TensorShape or list."""
    if isinstance(size, int):
        dims = [size]
    else:
        dims = tf.TensorShape(size).as_list()
    return tf.zeros(tf.stack([batch_size] + dims) if dims else
                    tf.reshape(batch_size, [1]), dtype=dtype)


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput",
                                                ("rnn_output", "sample_id"))):
    """One step's output of ``BasicDecoder``: the (projected) cell output
    and the id the helper sampled from it."""


class BasicDecoder(Decoder):
    """Cell step -> optional ``output_layer`` -> ``helper.sample`` ->
    ``helper.next_inputs``, as TF 1.x's sampling decoder."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        if not callable(cell) or not hasattr(cell, "output_size"):
            raise TypeError("cell must be an RNNCell, received: %s" % type(cell))
        # Checked by duck type rather than class: the helpers live in a module
        # that imports this one.
        if not all(hasattr(helper, attr) for attr in ("initialize", "sample", "next_inputs")):
            raise TypeError("helper must be a Helper, received: %s" % type(helper))
        if output_layer is not None and not callable(output_layer):
            raise TypeError("output_layer must be a Layer, received: %s" % type(output_layer))
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    def _rnn_output_size(self):
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        # The layer's output shape for an unknown batch, minus that batch axis.
        with_batch = tf.nest.map_structure(
            lambda s: tf.TensorShape([None]).concatenate(tf.TensorShape(s)), size)
        out_shape = self._output_layer.compute_output_shape(with_batch)
        return tf.TensorShape(out_shape)[1:]

    @property
    def output_size(self):
        return BasicDecoderOutput(rnn_output=self._rnn_output_size(),
                                  sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        # The outputs take the state's dtype, as in TF 1.x.
        dtype = tf.nest.flatten(self._initial_state)[0].dtype
        rnn_size = self._rnn_output_size()
        leaves = _flatten_sizes(rnn_size)
        rnn_dtype = dtype if len(leaves) == 1 else tf.nest.pack_sequence_as(
            rnn_size, [dtype] * len(leaves))
        return BasicDecoderOutput(rnn_dtype, self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with v1.name_scope(name, "BasicDecoderStep", (time, inputs, state)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs,
                                             state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state,
                sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished
