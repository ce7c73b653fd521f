"""The cell wrappers of ``tf.contrib.rnn`` that TF 2.x dropped (TF 1.4-1.15).

``OutputProjectionWrapper``, ``InputProjectionWrapper`` and
``EmbeddingWrapper`` lived in ``contrib/rnn/python/ops/core_rnn_cell.py``
and are what the legacy seq2seq models (``compat.tf1x.legacy_seq2seq_models``)
wrap their cells in.  tf-keras's ``tf.compat.v1.nn.rnn_cell`` has no copy,
so they are rebuilt here on its ``RNNCell`` with TF 1.x's arguments, math
and variable names:

* a wrapper is a layer, so with no ``scope`` argument its variables live in
  a scope named after the class in snake case, exactly as TF 1.2+ named
  them: ``.../output_projection_wrapper/{kernel,bias}``,
  ``.../input_projection_wrapper/{kernel,bias}``,
  ``.../embedding_wrapper/embedding``; the wrapped cell's own variables
  sit inside that scope (``.../output_projection_wrapper/gru_cell/...``);
* the projections are TF 1.x's ``_linear``: ``kernel`` ``[in, out]`` with
  the scope's default initializer, ``bias`` ``[out]`` starting at zero;
* the embedding defaults to uniform(-sqrt(3), sqrt(3)) (variance 1) unless
  an initializer is given or the enclosing variable scope has one.

``linear`` (TF 1.x's ``rnn_cell_impl._linear``) is exported too, because the
attention decoder builds its own projections with it.

TensorFlow must load in legacy-Keras mode for ``tf.compat.v1.nn.rnn_cell``
to exist, hence ``TF_USE_LEGACY_KERAS=1`` is set as a default before import.
"""

import math
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from compat.util.quiet_import import import_tensorflow  # noqa: E402

tf = import_tensorflow()
v1 = tf.compat.v1
RNNCell = v1.nn.rnn_cell.RNNCell

__all__ = ["OutputProjectionWrapper", "InputProjectionWrapper",
           "EmbeddingWrapper", "linear"]


def _flat(value):
    return tf.nest.flatten(value)


def linear(args, output_size, bias, bias_initializer=None,
           kernel_initializer=None):
    """``concat(args, 1) @ kernel (+ bias)`` with ``kernel``/``bias`` taken
    from the current variable scope, as TF 1.x's ``_linear``.

    ``args`` is a 2-D tensor or a list of them, each with a known second
    dimension (the kernel's row count is their sum).
    """
    if args is None or (tf.nest.is_nested(args) and not args):
        raise ValueError("`args` must be specified")
    if not tf.nest.is_nested(args):
        args = [args]
    total = 0
    shapes = [arg.get_shape() for arg in args]
    for shape in shapes:
        if shape.ndims != 2:
            raise ValueError("linear is expecting 2D arguments: %s" % shapes)
        if shape[1] is None:
            raise ValueError("linear expects shape[1] to be provided for shape %s, "
                             "but saw %s" % (shape, shape[1]))
        total += int(shape[1])
    dtype = args[0].dtype
    scope = v1.get_variable_scope()
    with v1.variable_scope(scope) as outer_scope:
        kernel = v1.get_variable("kernel", [total, output_size], dtype=dtype,
                                 initializer=kernel_initializer)
        joined = args[0] if len(args) == 1 else tf.concat(args, 1)
        result = tf.matmul(joined, kernel)
        if not bias:
            return result
        with v1.variable_scope(outer_scope) as inner_scope:
            # A partitioned bias would be pointless (it is one vector), and
            # TF 1.x switched the partitioner off for it alike.
            inner_scope.set_partitioner(None)
            if bias_initializer is None:
                bias_initializer = v1.constant_initializer(0.0, dtype=dtype)
            biases = v1.get_variable("bias", [output_size], dtype=dtype,
                                     initializer=bias_initializer)
        return tf.nn.bias_add(result, biases)


def _check_cell(cell):
    # TF 1.x duck-typed: anything with output_size, state_size, zero_state
    # and a call is a cell.
    if not all(hasattr(cell, attr) for attr in ("output_size", "state_size",
                                                "zero_state")) \
            or not callable(cell):
        raise TypeError("The parameter cell is not RNNCell.")


class _Wrapper(RNNCell):
    """State size and zero state forwarded to the wrapped cell."""

    def __init__(self, cell, reuse):
        super().__init__(_reuse=reuse)
        _check_cell(cell)
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class OutputProjectionWrapper(_Wrapper):
    """Runs ``cell`` and projects its output to ``output_size`` (plus an
    optional ``activation``); the state passes through unchanged."""

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(cell, reuse)
        if output_size < 1:
            raise ValueError("Parameter output_size must be > 0: %d." % output_size)
        self._output_size = output_size
        self._activation = activation

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        projected = linear(output, self._output_size, True)
        if self._activation:
            projected = self._activation(projected)
        return projected, new_state


class InputProjectionWrapper(_Wrapper):
    """Projects the input to ``num_proj`` (plus an optional ``activation``)
    before running ``cell``.  ``input_size`` is accepted and ignored, as in
    TF 1.x where it was deprecated."""

    def __init__(self, cell, num_proj, activation=None, input_size=None,
                 reuse=None):
        super().__init__(cell, reuse)
        if input_size is not None:
            v1.logging.warn("%s: The input_size parameter is deprecated.", self)
        self._num_proj = num_proj
        self._activation = activation

    def call(self, inputs, state):
        projected = linear(inputs, self._num_proj, True)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


class EmbeddingWrapper(_Wrapper):
    """Looks integer symbols (``[batch]`` or ``[batch, 1]``) up in an
    ``embedding`` variable ``[embedding_classes, embedding_size]`` and runs
    ``cell`` on the vectors."""

    def __init__(self, cell, embedding_classes, embedding_size,
                 initializer=None, reuse=None):
        super().__init__(cell, reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError("Both embedding_classes and embedding_size must be > 0: "
                             "%d, %d." % (embedding_classes, embedding_size))
        self._embedding_classes = embedding_classes
        self._embedding_size = embedding_size
        self._initializer = initializer

    def call(self, inputs, state):
        # TF 1.x pinned the table to the CPU (embedding lookups on GPU were
        # missing or slow then); kept so device placement logs read alike.
        with tf.device("/cpu:0"):
            if self._initializer:
                initializer = self._initializer
            elif v1.get_variable_scope().initializer:
                initializer = v1.get_variable_scope().initializer
            else:
                # uniform(-a, a) has variance a^2/3, so a = sqrt(3) gives 1.
                root3 = math.sqrt(3)
                initializer = v1.random_uniform_initializer(-root3, root3)
            # The table takes the state's dtype, the one float the wrapper
            # sees (its inputs are integer ids).
            dtype = _flat(state)[0].dtype
            embedding = v1.get_variable(
                "embedding", [self._embedding_classes, self._embedding_size],
                initializer=initializer, dtype=dtype)
            embedded = tf.nn.embedding_lookup(embedding, tf.reshape(inputs, [-1]))
            return self._cell(embedded, state)
