"""tf.contrib.seq2seq's decoders, helpers and attention (compat.tf1x.seq2seq_*)
in graph mode: every variable is set to a known numpy value and the results
are recomputed with a plain numpy RNN / greedy loop / attention formula."""

import numpy as np
import pytest

from compat.tf1x import seq2seq_attention as attn
from compat.tf1x import seq2seq_decoder as dec
from compat.tf1x import seq2seq_helper as helpers

tf = dec.tf
v1 = tf.compat.v1

B, T, IN, UNITS, VOCAB, MEM = 3, 5, 3, 4, 6, 4
RNG = np.random.RandomState(7)


def rand(*shape, scale=1.0):
    return (RNG.normal(size=shape) * scale).astype(np.float32)


def variables_by_name():
    return {v.op.name: v for v in v1.global_variables()}


def set_variables(sess, values):
    """Assign numpy values to variables named (without ':0') in ``values``."""
    found = variables_by_name()
    assert set(values) <= set(found), sorted(found)
    for name, value in values.items():
        sess.run(found[name].assign(value))


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_rnn_step(x, h, kernel, bias):
    """BasicRNNCell: tanh([x, h] K + b)."""
    return np.tanh(np.concatenate([x, h], -1) @ kernel + bias)


RNN_K, RNN_B = rand(IN + UNITS, UNITS), rand(UNITS)
OUT_W, OUT_B = rand(UNITS, VOCAB), rand(VOCAB)
INPUTS = rand(B, T, IN)
LENGTHS = np.array([5, 2, 3], dtype=np.int32)


def np_unroll(inputs, h0):
    hs = []
    h = h0
    for t in range(inputs.shape[1]):
        h = np_rnn_step(inputs[:, t], h, RNN_K, RNN_B)
        hs.append(h)
    return np.stack(hs, 1)


def run_training_decoder(impute_finished, output_time_major=False):
    with tf.Graph().as_default():
        cell = v1.nn.rnn_cell.BasicRNNCell(UNITS)
        helper = helpers.TrainingHelper(tf.constant(INPUTS), tf.constant(LENGTHS))
        h0 = tf.constant(rand(B, UNITS))
        decoder = dec.BasicDecoder(cell, helper, h0,
                                   output_layer=v1.layers.Dense(VOCAB, name="proj"))
        outputs, state, lengths = dec.dynamic_decode(
            decoder, impute_finished=impute_finished, output_time_major=output_time_major)
        names = sorted(variables_by_name())
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            set_variables(sess, {"decoder/basic_rnn_cell/kernel": RNN_K,
                                 "decoder/basic_rnn_cell/bias": RNN_B,
                                 "decoder/proj/kernel": OUT_W, "decoder/proj/bias": OUT_B})
            return sess.run([outputs, state, lengths, h0]) + [names]


def test_training_helper_basic_decoder_matches_numpy_unroll():
    (rnn_output, sample_id), state, lengths, h0, names = run_training_decoder(False)
    assert names == ["decoder/basic_rnn_cell/bias", "decoder/basic_rnn_cell/kernel",
                     "decoder/proj/bias", "decoder/proj/kernel"]
    hs = np_unroll(INPUTS, h0)
    logits = hs @ OUT_W + OUT_B
    np.testing.assert_array_equal(lengths, LENGTHS)
    # Without imputation every entry keeps stepping until all are done.
    assert rnn_output.shape == (B, T, VOCAB)
    np.testing.assert_allclose(rnn_output, logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(sample_id, logits.argmax(-1))
    np.testing.assert_allclose(state, hs[:, -1], rtol=1e-5, atol=1e-5)


def test_impute_finished_zeros_outputs_and_keeps_state():
    (rnn_output, sample_id), state, lengths, h0, _ = run_training_decoder(True)
    hs = np_unroll(INPUTS, h0)
    logits = hs @ OUT_W + OUT_B
    alive = np.arange(T)[None, :] < LENGTHS[:, None]
    np.testing.assert_allclose(rnn_output, np.where(alive[..., None], logits, 0),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(sample_id, np.where(alive, logits.argmax(-1), 0))
    # The state is copied through past each entry's end.
    np.testing.assert_allclose(state, hs[np.arange(B), LENGTHS - 1], rtol=1e-5, atol=1e-5)


def test_output_time_major():
    (rnn_output, _), _, _, h0, _ = run_training_decoder(False, output_time_major=True)
    logits = np_unroll(INPUTS, h0) @ OUT_W + OUT_B
    np.testing.assert_allclose(rnn_output, logits.transpose(1, 0, 2), rtol=1e-5, atol=1e-5)


EMBED = rand(VOCAB, IN)
START = np.array([1, 2, 3], dtype=np.int32)


def np_greedy(h0, end_token, max_steps):
    """Feed back the arg-max's embedding; stop each entry at end_token."""
    h, x = h0, EMBED[START]
    finished = np.zeros(B, bool)
    lengths = np.zeros(B, np.int32)
    logits_seq, ids_seq = [], []
    for t in range(max_steps):
        if finished.all():
            break
        h = np_rnn_step(x, h, RNN_K, RNN_B)
        logits = h @ OUT_W + OUT_B
        ids = logits.argmax(-1)
        lengths = np.where(finished, lengths, t + 1)
        finished |= ids == end_token
        logits_seq.append(logits)
        ids_seq.append(ids)
        x = EMBED[ids]
    return np.stack(logits_seq, 1), np.stack(ids_seq, 1), lengths


def test_greedy_embedding_helper_stops_at_end_token():
    h0 = rand(B, UNITS)
    max_steps = 8
    # Take as end token an id entry 0 emits at step 1 of an unstopped run, so
    # at least that entry ends early while others may run to the limit.
    _, free_ids, _ = np_greedy(h0, -1, max_steps)
    end_token = int(free_ids[0, 1])
    logits, ids, lengths = np_greedy(h0, end_token, max_steps)
    assert lengths.min() < max_steps
    with tf.Graph().as_default():
        cell = v1.nn.rnn_cell.BasicRNNCell(UNITS)
        helper = helpers.GreedyEmbeddingHelper(tf.constant(EMBED), tf.constant(START),
                                               end_token)
        decoder = dec.BasicDecoder(cell, helper, tf.constant(h0),
                                   output_layer=v1.layers.Dense(VOCAB))
        outputs, _, out_lengths = dec.dynamic_decode(decoder, maximum_iterations=max_steps)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            set_variables(sess, {"decoder/basic_rnn_cell/kernel": RNN_K,
                                 "decoder/basic_rnn_cell/bias": RNN_B,
                                 "decoder/dense/kernel": OUT_W, "decoder/dense/bias": OUT_B})
            (rnn_output, sample_id), got_lengths = sess.run([outputs, out_lengths])
    np.testing.assert_array_equal(got_lengths, lengths)
    np.testing.assert_array_equal(sample_id, ids)
    np.testing.assert_allclose(rnn_output, logits, rtol=1e-5, atol=1e-5)


MEMORY = rand(B, T, MEM)
MEM_LEN = np.array([5, 3, 1], dtype=np.int32)
QUERY = rand(B, UNITS)


def np_masked_softmax(score):
    valid = np.arange(T)[None, :] < MEM_LEN[:, None]
    return np_softmax(np.where(valid, score, -np.inf))


def masked_memory():
    valid = np.arange(T)[None, :] < MEM_LEN[:, None]
    return MEMORY * valid[..., None]


def run_mechanism(make, values):
    with tf.Graph().as_default():
        mechanism = make(tf.constant(MEMORY), tf.constant(MEM_LEN))
        alignments, next_state = mechanism(tf.constant(QUERY),
                                           state=mechanism.initial_state(B, tf.float32))
        names = sorted(variables_by_name())
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            set_variables(sess, values)
            return sess.run([alignments, next_state]) + [names]


@pytest.mark.parametrize("scale", [False, True])
def test_luong_alignments(scale):
    w_mem = rand(MEM, UNITS)
    values = {"memory_layer/kernel": w_mem}
    if scale:
        values["luong_attention/attention_g"] = np.float32(0.7)
    alignments, state, names = run_mechanism(
        lambda m, n: attn.LuongAttention(UNITS, m, memory_sequence_length=n, scale=scale),
        values)
    assert names == sorted(values)
    keys = masked_memory() @ w_mem
    score = np.einsum("bu,btu->bt", QUERY, keys) * (0.7 if scale else 1.0)
    expected = np_masked_softmax(score)
    np.testing.assert_allclose(alignments, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state, expected, rtol=1e-5, atol=1e-6)
    assert (alignments[2, 1:] == 0).all()


@pytest.mark.parametrize("normalize", [False, True])
def test_bahdanau_alignments(normalize):
    w_mem, w_query, v = rand(MEM, UNITS), rand(UNITS, UNITS), rand(UNITS)
    values = {"memory_layer/kernel": w_mem,
              "bahdanau_attention/query_layer/kernel": w_query,
              "bahdanau_attention/attention_v": v}
    g, b = np.float32(1.3), rand(UNITS)
    if normalize:
        values["bahdanau_attention/attention_g"] = g
        values["bahdanau_attention/attention_b"] = b
    alignments, _, names = run_mechanism(
        lambda m, n: attn.BahdanauAttention(UNITS, m, memory_sequence_length=n,
                                            normalize=normalize), values)
    assert names == sorted(values)
    keys = masked_memory() @ w_mem
    pq = (QUERY @ w_query)[:, None, :]
    if normalize:
        score = (np.tanh(keys + pq + b) * (g * v / np.linalg.norm(v))).sum(-1)
    else:
        score = (np.tanh(keys + pq) * v).sum(-1)
    np.testing.assert_allclose(alignments, np_masked_softmax(score), rtol=1e-5, atol=1e-6)


def test_normalized_bahdanau_initial_g():
    with tf.Graph().as_default():
        mechanism = attn.BahdanauAttention(UNITS, tf.constant(MEMORY), normalize=True)
        mechanism(tf.constant(QUERY), state=mechanism.initial_state(B, tf.float32))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            g = sess.run(variables_by_name()["bahdanau_attention/attention_g"])
    np.testing.assert_allclose(g, np.sqrt(1.0 / UNITS), rtol=1e-6)


@pytest.mark.parametrize("output_attention", [True, False])
def test_attention_wrapper_one_step(output_attention):
    att_size = 5
    x, h0, a0 = rand(B, IN), rand(B, UNITS), rand(B, att_size)
    w_mem, w_att = rand(MEM, UNITS), rand(UNITS + MEM, att_size)
    kernel, bias = rand(IN + att_size + UNITS, UNITS), rand(UNITS)
    with tf.Graph().as_default():
        mechanism = attn.LuongAttention(UNITS, tf.constant(MEMORY),
                                        memory_sequence_length=tf.constant(MEM_LEN))
        cell = attn.AttentionWrapper(v1.nn.rnn_cell.BasicRNNCell(UNITS), mechanism,
                                     attention_layer_size=att_size,
                                     output_attention=output_attention)
        state = cell.zero_state(B, tf.float32).clone(cell_state=tf.constant(h0),
                                                    attention=tf.constant(a0))
        assert isinstance(state, attn.AttentionWrapperState)
        with v1.variable_scope("decoder"):
            output, next_state = cell(tf.constant(x), state)
        names = sorted(variables_by_name())
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            set_variables(sess, {
                "memory_layer/kernel": w_mem,
                "decoder/attention_wrapper/attention_layer/kernel": w_att,
                "decoder/attention_wrapper/basic_rnn_cell/kernel": kernel,
                "decoder/attention_wrapper/basic_rnn_cell/bias": bias})
            output, next_state = sess.run([output, next_state])
    assert names == ["decoder/attention_wrapper/attention_layer/kernel",
                     "decoder/attention_wrapper/basic_rnn_cell/bias",
                     "decoder/attention_wrapper/basic_rnn_cell/kernel",
                     "memory_layer/kernel"]
    # The cell reads concat(inputs, previous attention).
    h = np_rnn_step(np.concatenate([x, a0], -1), h0, kernel, bias)
    alignments = np_masked_softmax(np.einsum("bu,btu->bt", h, masked_memory() @ w_mem))
    context = np.einsum("bt,btm->bm", alignments, masked_memory())
    attention = np.concatenate([h, context], -1) @ w_att
    np.testing.assert_allclose(output, attention if output_attention else h,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(next_state.cell_state, h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(next_state.attention, attention, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(next_state.alignments, alignments, rtol=1e-5, atol=1e-6)
    assert next_state.time == 1


def test_attention_wrapper_decodes_with_alignment_history():
    """Attention in the loop: TrainingHelper drives AttentionWrapper (no
    attention layer, so the output is the context); the stacked alignment
    history is [time, batch, memory_time] and each row sums to 1."""
    with tf.Graph().as_default():
        mechanism = attn.BahdanauAttention(UNITS, tf.constant(MEMORY),
                                           memory_sequence_length=tf.constant(MEM_LEN))
        cell = attn.AttentionWrapper(v1.nn.rnn_cell.GRUCell(UNITS), mechanism,
                                     alignment_history=True)
        assert cell.output_size == MEM
        decoder = dec.BasicDecoder(cell, helpers.TrainingHelper(
            tf.constant(INPUTS), tf.constant(LENGTHS)), cell.zero_state(B, tf.float32))
        outputs, state, lengths = dec.dynamic_decode(decoder)
        history = state.alignment_history.stack()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            rnn_output, history, lengths = sess.run([outputs.rnn_output, history, lengths])
    assert rnn_output.shape == (B, T, MEM)
    assert history.shape == (T, B, T)
    np.testing.assert_allclose(history.sum(-1), 1.0, rtol=1e-5)
    assert (history[:, 2, 1:] == 0).all()
    np.testing.assert_array_equal(lengths, LENGTHS)


def test_custom_helper_and_errors():
    with tf.Graph().as_default():
        cell = v1.nn.rnn_cell.BasicRNNCell(UNITS)
        inputs = tf.constant(INPUTS[:, 0])
        helper = helpers.CustomHelper(
            initialize_fn=lambda: (tf.zeros([B], tf.bool), inputs),
            sample_fn=lambda time, outputs, state: tf.argmax(outputs, -1, output_type=tf.int32),
            next_inputs_fn=lambda time, outputs, state, sample_ids: (
                tf.fill([B], time + 1 >= 3), inputs, state))
        decoder = dec.BasicDecoder(cell, helper, cell.zero_state(B, tf.float32))
        outputs, _, lengths = dec.dynamic_decode(decoder)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            rnn_output, lengths = sess.run([outputs.rnn_output, lengths])
        assert rnn_output.shape == (B, 3, UNITS)
        np.testing.assert_array_equal(lengths, [3, 3, 3])
        with pytest.raises(TypeError):
            dec.dynamic_decode(object())
        with pytest.raises(ValueError):
            helpers.TrainingHelper(tf.constant(INPUTS), tf.constant(3))


BEAM, END = 3, 0


def np_log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def np_gather_tree(step_ids, parent_ids, max_lengths, end_token):
    """Trace back [time, batch, beam] ids from each entry's last step."""
    out = np.full_like(step_ids, end_token)
    for b in range(step_ids.shape[1]):
        for k in range(step_ids.shape[2]):
            parent = k
            for t in range(max_lengths[b] - 1, -1, -1):
                out[t, b, k] = step_ids[t, b, parent]
                parent = parent_ids[t, b, parent]
            ended = np.cumsum(out[:, b, k] == end_token) - (out[:, b, k] == end_token) > 0
            out[ended, b, k] = end_token
    return out


def np_beam_search(h0, bias, penalty, max_steps):
    """Beam search one batch entry at a time, in float64.  Returns per step
    (scores, words, parents) ``[batch, beam]`` and the final lengths, over as
    many steps as dynamic_decode runs (until every entry is done)."""
    per_entry, lengths_per_entry, done_at = [], [], []
    for b in range(B):
        logp = np.array([0.0] + [-np.inf] * (BEAM - 1))
        fin = np.array([False] + [True] * (BEAM - 1))
        length = np.zeros(BEAM, np.int64)
        h = np.repeat(h0[b:b + 1], BEAM, 0).astype(np.float64)
        ids = np.full(BEAM, START[b])
        entry, entry_lengths, done = [], [], max_steps
        for t in range(max_steps):
            h = np_rnn_step(EMBED[ids], h, RNN_K, RNN_B)
            step = np_log_softmax(h @ OUT_W + bias)
            # Finished beams can only add END, for free.
            step[fin] = np.finfo(np.float32).min
            step[fin, END] = 0.0
            total = logp[:, None] + step
            grow = (~fin)[:, None] & (np.arange(VOCAB) != END)[None, :]
            score_len = length[:, None] + grow
            scores = total if penalty == 0 else total / ((5.0 + score_len) / 6.0) ** penalty
            order = np.argsort(-scores.ravel(), kind="stable")[:BEAM]
            parent, word = order // VOCAB, order % VOCAB
            entry.append((scores.ravel()[order], word, parent))
            logp = total.ravel()[order]
            length = length[parent] + ~fin[parent]
            fin = fin[parent] | (word == END)
            h, ids = h[parent], word
            entry_lengths.append(length)
            if fin.all() and done == max_steps:
                done = t + 1
        per_entry.append(entry)
        lengths_per_entry.append(entry_lengths)
        done_at.append(done)
    n_steps = max(done_at)
    steps = [[tuple(np.stack([per_entry[b][t][i] for b in range(B)]) for i in range(3))
              for t in range(n_steps)]]
    lengths = np.stack([lengths_per_entry[b][n_steps - 1] for b in range(B)])
    return steps[0], lengths


@pytest.mark.parametrize("penalty", [0.0, 0.8])
def test_beam_search_decoder_matches_numpy(penalty):
    from compat.tf1x import seq2seq, seq2seq_beam
    h0 = rand(B, UNITS)
    bias = OUT_B.copy()
    bias[END] += 1.0  # make END likely so some beams finish early
    max_steps = 6
    with tf.Graph().as_default():
        cell = v1.nn.rnn_cell.BasicRNNCell(UNITS)
        decoder = seq2seq_beam.BeamSearchDecoder(
            cell, tf.constant(EMBED), tf.constant(START), END,
            seq2seq.tile_batch(tf.constant(h0), BEAM), BEAM,
            output_layer=v1.layers.Dense(VOCAB), length_penalty_weight=penalty)
        outputs, state, lengths = dec.dynamic_decode(decoder, maximum_iterations=max_steps)
        assert isinstance(outputs, seq2seq_beam.FinalBeamSearchDecoderOutput)
        assert isinstance(state, seq2seq_beam.BeamSearchDecoderState)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            set_variables(sess, {"decoder/basic_rnn_cell/kernel": RNN_K,
                                 "decoder/basic_rnn_cell/bias": RNN_B,
                                 "decoder/dense/kernel": OUT_W, "decoder/dense/bias": bias})
            outputs, state = sess.run([outputs, state])
    steps, final_lengths = np_beam_search(h0, bias, penalty, max_steps)
    raw = outputs.beam_search_decoder_output
    assert raw.predicted_ids.shape == (B, len(steps), BEAM)
    for t, (scores, word, parent) in enumerate(steps):
        np.testing.assert_array_equal(raw.predicted_ids[:, t], word)
        np.testing.assert_array_equal(raw.parent_ids[:, t], parent)
        np.testing.assert_allclose(raw.scores[:, t], scores, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(state.lengths, final_lengths)
    # Some hypotheses ended early, so the END handling was exercised.
    assert (final_lengths < len(steps)).any()
    traced = np_gather_tree(raw.predicted_ids.transpose(1, 0, 2),
                            raw.parent_ids.transpose(1, 0, 2),
                            state.lengths.max(1), END).transpose(1, 0, 2)
    np.testing.assert_array_equal(outputs.predicted_ids, traced)


def test_gather_tree_matches_numpy():
    from compat.tf1x import seq2seq_beam
    rng = np.random.RandomState(0)
    ids = rng.randint(0, 4, size=(5, 2, 3)).astype(np.int32)
    parents = rng.randint(0, 3, size=(5, 2, 3)).astype(np.int32)
    max_lengths = np.array([5, 3], dtype=np.int32)
    with tf.Graph().as_default(), v1.Session() as sess:
        got = sess.run(seq2seq_beam.gather_tree(ids, parents, max_lengths, 0))
    np.testing.assert_array_equal(got, np_gather_tree(ids, parents, max_lengths, 0))
    assert (got[3:, 1] == 0).all()


def test_beam_search_over_attention_wrapper_runs():
    """The usual TF 1.x inference set-up: tiled memory and encoder state,
    AttentionWrapper.zero_state(batch * beam).clone(cell_state=...), with a
    coverage penalty; checks shapes, names and the best beam's score order."""
    from compat.tf1x import seq2seq, seq2seq_beam
    with tf.Graph().as_default():
        memory = seq2seq.tile_batch(tf.constant(MEMORY), BEAM)
        mechanism = attn.BahdanauAttention(
            UNITS, memory, memory_sequence_length=seq2seq.tile_batch(tf.constant(MEM_LEN), BEAM))
        cell = attn.AttentionWrapper(v1.nn.rnn_cell.GRUCell(UNITS), mechanism,
                                     attention_layer_size=UNITS)
        initial = cell.zero_state(B * BEAM, tf.float32).clone(
            cell_state=seq2seq.tile_batch(tf.constant(rand(B, UNITS)), BEAM))
        decoder = seq2seq_beam.BeamSearchDecoder(
            cell, tf.constant(EMBED), tf.constant(START), END, initial, BEAM,
            output_layer=v1.layers.Dense(VOCAB), coverage_penalty_weight=0.2)
        outputs, state, lengths = dec.dynamic_decode(decoder, maximum_iterations=4)
        names = sorted(variables_by_name())
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            outputs, lengths = sess.run([outputs, lengths])
    assert "decoder/attention_wrapper/bahdanau_attention/attention_v" in names
    assert "decoder/attention_wrapper/gru_cell/gates/kernel" in names
    assert outputs.predicted_ids.shape[0::2] == (B, BEAM)
    assert lengths.shape == (B, BEAM)
    scores = outputs.beam_search_decoder_output.scores
    assert (np.diff(scores[:, -1], axis=-1) <= 1e-6).all()
