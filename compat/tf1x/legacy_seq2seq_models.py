"""The seq2seq models of ``tf.contrib.legacy_seq2seq`` (TF 1.4-1.15).

The translation tutorial, chatbots and many papers' code built their models
from these list-of-time-steps functions (``tf.nn.seq2seq`` in r0.x).  They
are rebuilt here from ``tf.compat.v1`` graph ops with r1.x's arguments,
return values and variable names, so TF 1.x checkpoints restore:

* ``basic_rnn_seq2seq``: a static-RNN encoder (variables under ``rnn/``,
  on a deep copy of the cell) then ``rnn_decoder`` from its final state;
* ``tied_rnn_seq2seq``: the same cell and variables for both, in
  ``combined_tied_rnn_seq2seq/tied_rnn_seq2seq``;
* ``embedding_rnn_seq2seq``: encoder inputs are symbols embedded by an
  ``EmbeddingWrapper`` (``rnn/embedding_wrapper/embedding``), the decoder
  embeds with ``embedding_rnn_decoder/embedding`` and, without an
  ``output_projection``, projects to the vocabulary through an
  ``OutputProjectionWrapper``;
* ``attention_decoder``: Bahdanau-style attention (arXiv 1412.7449):
  per head a score ``v . tanh(W1 h_i + W2 q)`` (``AttnW_k`` as a 1x1
  convolution, ``AttnV_k``, ``Attention_k/{kernel,bias}`` for ``W2``),
  softmax over the encoder steps, the context as the weighted sum; the cell
  reads ``linear([input] + contexts)`` and the output is
  ``AttnOutputProjection`` of ``[cell output] + contexts``;
* ``embedding_attention_decoder`` and ``embedding_attention_seq2seq``;
* ``model_with_buckets``: one model per bucket on the first inputs, all
  sharing one set of variables, with a loss each.

``feed_previous`` may be a Python bool or a boolean tensor (then both
decoders are built and ``tf.cond`` picks one, as in r1.x).
``embedding_attention_seq2seq`` keeps r1.4's positional order and takes
r1.5+'s ``encoder_cell`` as a keyword.
"""

import copy

from compat.tf1x.legacy_seq2seq import rnn_decoder, sequence_loss, \
    sequence_loss_by_example
from compat.tf1x.rnn_wrappers import EmbeddingWrapper, \
    OutputProjectionWrapper, linear, tf, v1

__all__ = ["basic_rnn_seq2seq", "tied_rnn_seq2seq", "embedding_rnn_decoder",
           "embedding_rnn_seq2seq", "attention_decoder",
           "embedding_attention_decoder", "embedding_attention_seq2seq",
           "model_with_buckets"]


def _argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    """A loop_function feeding back the embedding of the previous step's
    most likely symbol (greedy decoding)."""
    def loop_function(prev, _):
        if output_projection is not None:
            prev = tf.matmul(prev, output_projection[0]) + output_projection[1]
        emb_prev = tf.nn.embedding_lookup(embedding, tf.argmax(prev, 1))
        if not update_embedding:
            emb_prev = tf.stop_gradient(emb_prev)
        return emb_prev
    return loop_function


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell,
                      dtype=tf.float32, scope=None):
    """Encode with a copy of ``cell``, decode with ``cell`` (separate
    variables); returns ``rnn_decoder``'s ``(outputs, state)``."""
    with v1.variable_scope(scope or "basic_rnn_seq2seq"):
        # The copy is unbuilt, so it creates its own variables (under rnn/).
        enc_cell = copy.deepcopy(cell)
        _, enc_state = v1.nn.static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None,
                     dtype=tf.float32, scope=None):
    """Encoder and decoder share ``cell`` and its variables."""
    with v1.variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = v1.nn.static_rnn(cell, encoder_inputs, dtype=dtype,
                                        scope=scope)
        v1.get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, enc_state, cell,
                           loop_function=loop_function, scope=scope)


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols,
                          embedding_size, output_projection=None,
                          feed_previous=False,
                          update_embedding_for_previous=True, scope=None):
    """``rnn_decoder`` on embedded symbols (``embedding`` variable in
    ``scope``, default ``"embedding_rnn_decoder"``); with ``feed_previous``
    each step after the first reads the previous argmax."""
    with v1.variable_scope(scope or "embedding_rnn_decoder") as scope:
        if output_projection is not None:
            _check_projection(output_projection, num_symbols, scope.dtype)
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _argmax_and_embed(
            embedding, output_projection,
            update_embedding_for_previous) if feed_previous else None
        emb_inp = [tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return rnn_decoder(emb_inp, initial_state, cell,
                           loop_function=loop_function)


def _check_projection(output_projection, num_symbols, dtype):
    weights = tf.convert_to_tensor(output_projection[0], dtype=dtype)
    weights.get_shape().assert_is_compatible_with([None, num_symbols])
    biases = tf.convert_to_tensor(output_projection[1], dtype=dtype)
    biases.get_shape().assert_is_compatible_with([num_symbols])


def _decode_either_way(feed_previous, build, num_outputs, state_structure):
    """``feed_previous`` is a tensor: build the greedy decoder (creating the
    variables) and the teacher-forced one (reusing them), and pick with
    ``tf.cond``.  ``build(flag)`` returns ``(outputs, state)``."""
    def branch(flag):
        reuse = None if flag else True
        with v1.variable_scope(v1.get_variable_scope(), reuse=reuse):
            outputs, state = build(flag)
            return list(outputs) + tf.nest.flatten(state)
    both = tf.cond(feed_previous, lambda: branch(True), lambda: branch(False))
    state_list = both[num_outputs:]
    state = state_list[0]
    if tf.nest.is_nested(state_structure):
        state = tf.nest.pack_sequence_as(state_structure, state_list)
    return both[:num_outputs], state


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell,
                          num_encoder_symbols, num_decoder_symbols,
                          embedding_size, output_projection=None,
                          feed_previous=False, dtype=None, scope=None):
    """Embedded-symbol encoder (copy of ``cell``) and embedded-symbol
    decoder; outputs are logits over ``num_decoder_symbols`` unless
    ``output_projection`` ``(W, b)`` is given (then cell outputs)."""
    with v1.variable_scope(scope or "embedding_rnn_seq2seq") as scope:
        if dtype is not None:
            scope.set_dtype(dtype)
        else:
            dtype = scope.dtype
        encoder_cell = EmbeddingWrapper(copy.deepcopy(cell),
                                        embedding_classes=num_encoder_symbols,
                                        embedding_size=embedding_size)
        _, encoder_state = v1.nn.static_rnn(encoder_cell, encoder_inputs,
                                            dtype=dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)

        def build(flag, update=True):
            return embedding_rnn_decoder(
                decoder_inputs, encoder_state, cell, num_decoder_symbols,
                embedding_size, output_projection=output_projection,
                feed_previous=flag, update_embedding_for_previous=update)
        if isinstance(feed_previous, bool):
            return build(feed_previous)
        return _decode_either_way(feed_previous, lambda f: build(f, False),
                                  len(decoder_inputs), encoder_state)


def _attention_reader(attention_states, num_heads):
    """Creates ``AttnW_k``/``AttnV_k`` and returns ``read(query)``, the list
    of per-head context vectors for a query (a tensor or nested state)."""
    attn_length = attention_states.get_shape()[1]
    if attn_length is None:
        attn_length = tf.shape(attention_states)[1]
    attn_size = int(attention_states.get_shape()[2])
    # [batch, length, 1, size] so that W1 h_i for every i is one 1x1 conv.
    hidden = tf.reshape(attention_states, [-1, attn_length, 1, attn_size])
    features, vs = [], []
    for head in range(num_heads):
        kernel = v1.get_variable("AttnW_%d" % head, [1, 1, attn_size, attn_size])
        features.append(tf.nn.conv2d(hidden, kernel, [1, 1, 1, 1], "SAME"))
        vs.append(v1.get_variable("AttnV_%d" % head, [attn_size]))

    def read(query):
        if tf.nest.is_nested(query):
            # A multi-layer or LSTM state queries with all its parts joined.
            query = tf.concat(tf.nest.flatten(query), 1)
        contexts = []
        for head in range(num_heads):
            with v1.variable_scope("Attention_%d" % head):
                y = tf.reshape(linear(query, attn_size, True),
                               [-1, 1, 1, attn_size])
                scores = tf.reduce_sum(vs[head] * tf.tanh(features[head] + y), [2, 3])
                weights = tf.nn.softmax(scores)
                context = tf.reduce_sum(
                    tf.reshape(weights, [-1, attn_length, 1, 1]) * hidden, [1, 2])
                contexts.append(tf.reshape(context, [-1, attn_size]))
        return contexts
    return read, attn_size


def attention_decoder(decoder_inputs, initial_state, attention_states, cell,
                      output_size=None, num_heads=1, loop_function=None,
                      dtype=None, scope=None, initial_state_attention=False):
    """RNN decoder attending over ``attention_states`` ``[batch, length,
    size]``; returns ``(outputs, final_state)``, outputs of ``output_size``
    (default ``cell.output_size``).  Contexts start at zero unless
    ``initial_state_attention``, which reads them from ``initial_state``."""
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder.")
    if attention_states.get_shape()[2] is None:
        raise ValueError("Shape[2] of attention_states must be known: %s"
                         % attention_states.get_shape())
    if output_size is None:
        output_size = cell.output_size
    with v1.variable_scope(scope or "attention_decoder", dtype=dtype) as scope:
        dtype = scope.dtype
        batch_size = tf.shape(decoder_inputs[0])[0]
        attend, attn_size = _attention_reader(attention_states, num_heads)
        state = initial_state
        outputs = []
        prev = None
        contexts = []
        for _ in range(num_heads):
            zeros = tf.zeros(tf.stack([batch_size, attn_size]), dtype=dtype)
            zeros.set_shape([None, attn_size])
            contexts.append(zeros)
        if initial_state_attention:
            contexts = attend(initial_state)
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                v1.get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            input_size = inp.get_shape().with_rank(2)[1]
            if input_size is None:
                raise ValueError("Could not infer input size from input: %s" % inp.name)
            x = linear([inp] + contexts, input_size, True)
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                # The Attention_k variables already exist (made above).
                with v1.variable_scope(v1.get_variable_scope(), reuse=True):
                    contexts = attend(state)
            else:
                contexts = attend(state)
            with v1.variable_scope("AttnOutputProjection"):
                output = linear([cell_output] + contexts, output_size, True)
            if loop_function is not None:
                prev = output
            outputs.append(output)
    return outputs, state


def embedding_attention_decoder(decoder_inputs, initial_state, attention_states,
                                cell, num_symbols, embedding_size, num_heads=1,
                                output_size=None, output_projection=None,
                                feed_previous=False,
                                update_embedding_for_previous=True, dtype=None,
                                scope=None, initial_state_attention=False):
    """``attention_decoder`` on embedded symbols (``embedding`` variable in
    ``scope``, default ``"embedding_attention_decoder"``)."""
    if output_size is None:
        output_size = cell.output_size
    if output_projection is not None:
        biases = tf.convert_to_tensor(output_projection[1], dtype=dtype)
        biases.get_shape().assert_is_compatible_with([num_symbols])
    with v1.variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _argmax_and_embed(
            embedding, output_projection,
            update_embedding_for_previous) if feed_previous else None
        emb_inp = [tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return attention_decoder(
            emb_inp, initial_state, attention_states, cell,
            output_size=output_size, num_heads=num_heads,
            loop_function=loop_function,
            initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell,
                                num_encoder_symbols, num_decoder_symbols,
                                embedding_size, num_heads=1,
                                output_projection=None, feed_previous=False,
                                dtype=None, scope=None,
                                initial_state_attention=False,
                                encoder_cell=None):
    """Embedded encoder (``encoder_cell`` or a copy of ``cell``) whose
    outputs the embedded attention decoder attends over; returns
    ``(outputs, state)``, outputs logits over ``num_decoder_symbols``
    unless ``output_projection`` is given."""
    with v1.variable_scope(scope or "embedding_attention_seq2seq",
                           dtype=dtype) as scope:
        dtype = scope.dtype
        if encoder_cell is None:
            encoder_cell = copy.deepcopy(cell)
        encoder_cell = EmbeddingWrapper(encoder_cell,
                                        embedding_classes=num_encoder_symbols,
                                        embedding_size=embedding_size)
        encoder_outputs, encoder_state = v1.nn.static_rnn(
            encoder_cell, encoder_inputs, dtype=dtype)
        # [batch, encoder steps, cell output]: what the decoder attends to.
        attention_states = tf.concat(
            [tf.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs], 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols

        def build(flag, update=True):
            return embedding_attention_decoder(
                decoder_inputs, encoder_state, attention_states, cell,
                num_decoder_symbols, embedding_size, num_heads=num_heads,
                output_size=output_size, output_projection=output_projection,
                feed_previous=flag, update_embedding_for_previous=update,
                initial_state_attention=initial_state_attention)
        if isinstance(feed_previous, bool):
            return build(feed_previous)
        return _decode_either_way(feed_previous, lambda f: build(f, False),
                                  len(decoder_inputs), encoder_state)


def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights,
                       buckets, seq2seq, softmax_loss_function=None,
                       per_example_loss=False, name=None):
    """For each ``(encoder length, decoder length)`` bucket, call
    ``seq2seq(encoder_inputs[:n], decoder_inputs[:m])`` (the first bucket
    creates the variables, the others reuse them) and its
    ``sequence_loss`` (or, with ``per_example_loss``,
    ``sequence_loss_by_example``) on the first ``m`` targets/weights.
    Returns ``(outputs per bucket, losses per bucket)``."""
    if len(encoder_inputs) < buckets[-1][0]:
        raise ValueError("Length of encoder_inputs (%d) must be at least that of la"
                         "st bucket (%d)." % (len(encoder_inputs), buckets[-1][0]))
    if len(targets) < buckets[-1][1]:
        raise ValueError("Length of targets (%d) must be at least that of last"
                         "bucket (%d)." % (len(targets), buckets[-1][1]))
    if len(weights) < buckets[-1][1]:
        raise ValueError("Length of weights (%d) must be at least that of last"
                         "bucket (%d)." % (len(weights), buckets[-1][1]))
    all_inputs = list(encoder_inputs) + list(decoder_inputs) + list(targets) \
        + list(weights)
    losses, outputs = [], []
    loss_fn = sequence_loss_by_example if per_example_loss else sequence_loss
    with v1.name_scope(name, "model_with_buckets", all_inputs):
        for j, (enc_len, dec_len) in enumerate(buckets):
            with v1.variable_scope(v1.get_variable_scope(),
                                   reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(encoder_inputs[:enc_len],
                                            decoder_inputs[:dec_len])
                outputs.append(bucket_outputs)
                losses.append(loss_fn(bucket_outputs, targets[:dec_len],
                                      weights[:dec_len],
                                      softmax_loss_function=softmax_loss_function))
    return outputs, losses
