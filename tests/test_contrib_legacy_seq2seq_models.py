"""compat.tf1x.rnn_wrappers and compat.tf1x.legacy_seq2seq_models (contrib.rnn's
projection/embedding wrappers and contrib.legacy_seq2seq's models of TF 1.x)
in graph mode: every variable is loaded with known numpy values and every
output recomputed by a numpy unroll of the documented math; the variable
names are those TF 1.x checkpoints carry."""

import math

import numpy as np
import pytest

from compat.tf1x import legacy_seq2seq_models as models
from compat.tf1x import rnn_wrappers

tf = models.tf
v1 = tf.compat.v1
B, H = 2, 3
RNG = np.random.RandomState(7)


def rand(*shape):
    return RNG.uniform(-0.8, 0.8, size=shape).astype(np.float32)


def load_all(sess):
    """Initialise, then give every variable fresh random values; returns
    {name without ':0': value}."""
    sess.run(v1.global_variables_initializer())
    values = {}
    for var in v1.global_variables():
        values[var.op.name] = rand(*var.shape.as_list())
        var.load(values[var.op.name], sess)
    return values


def rnn_step(values, prefix, x, h):
    """BasicRNNCell: tanh([x, h] K + b)."""
    kernel, bias = values[prefix + "/kernel"], values[prefix + "/bias"]
    return np.tanh(np.concatenate([x, h], 1) @ kernel + bias)


def affine(values, prefix, *parts):
    """TF 1.x's _linear: concat(parts) K + b."""
    return np.concatenate(parts, 1) @ values[prefix + "/kernel"] + values[prefix + "/bias"]


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def cell():
    return v1.nn.rnn_cell.BasicRNNCell(H)


def test_wrappers_one_step_and_names():
    x = rand(B, 4)
    h = rand(B, H)
    ids = np.array([3, 0], dtype=np.int32)
    with tf.Graph().as_default(), v1.Session() as sess:
        out_w = rnn_wrappers.OutputProjectionWrapper(cell(), 5)
        in_w = rnn_wrappers.InputProjectionWrapper(cell(), 2, activation=tf.tanh)
        emb_w = rnn_wrappers.EmbeddingWrapper(cell(), 6, 2)
        with v1.variable_scope("o"):
            o_out, o_state = out_w(tf.constant(x), tf.constant(h))
        with v1.variable_scope("i"):
            i_out, _ = in_w(tf.constant(x), tf.constant(h))
        with v1.variable_scope("e"):
            e_out, _ = emb_w(tf.constant(ids), tf.constant(h))
        assert out_w.output_size == 5 and in_w.output_size == H
        assert emb_w.state_size == H
        names = sorted(v.op.name for v in v1.global_variables())
        assert names == sorted([
            "o/output_projection_wrapper/basic_rnn_cell/kernel",
            "o/output_projection_wrapper/basic_rnn_cell/bias",
            "o/output_projection_wrapper/kernel", "o/output_projection_wrapper/bias",
            "i/input_projection_wrapper/kernel", "i/input_projection_wrapper/bias",
            "i/input_projection_wrapper/basic_rnn_cell/kernel",
            "i/input_projection_wrapper/basic_rnn_cell/bias",
            "e/embedding_wrapper/embedding",
            "e/embedding_wrapper/basic_rnn_cell/kernel",
            "e/embedding_wrapper/basic_rnn_cell/bias"])
        val = load_all(sess)
        got = sess.run([o_out, o_state, i_out, e_out])
    new_h = rnn_step(val, "o/output_projection_wrapper/basic_rnn_cell", x, h)
    np.testing.assert_allclose(got[1], new_h, atol=1e-5)
    np.testing.assert_allclose(
        got[0], affine(val, "o/output_projection_wrapper", new_h), atol=1e-5)
    proj = np.tanh(affine(val, "i/input_projection_wrapper", x))
    np.testing.assert_allclose(
        got[2], rnn_step(val, "i/input_projection_wrapper/basic_rnn_cell", proj, h),
        atol=1e-5)
    emb = val["e/embedding_wrapper/embedding"][ids]
    np.testing.assert_allclose(
        got[3], rnn_step(val, "e/embedding_wrapper/basic_rnn_cell", emb, h), atol=1e-5)


def test_embedding_default_initializer_has_unit_variance():
    with tf.Graph().as_default(), v1.Session() as sess:
        v1.set_random_seed(1)
        wrapper = rnn_wrappers.EmbeddingWrapper(cell(), 400, 50)
        wrapper(tf.zeros([1], tf.int32), tf.zeros([1, H]))
        sess.run(v1.global_variables_initializer())
        table = sess.run(v1.global_variables()[0])
    bound = math.sqrt(3)
    assert np.all(np.abs(table) <= bound) and np.abs(table).max() > 0.99 * bound
    assert abs(table.var() - 1.0) < 0.03


def test_wrapper_argument_checks():
    with pytest.raises(TypeError):
        rnn_wrappers.OutputProjectionWrapper("not a cell", 3)
    with pytest.raises(ValueError):
        rnn_wrappers.OutputProjectionWrapper(cell(), 0)
    with pytest.raises(ValueError):
        rnn_wrappers.EmbeddingWrapper(cell(), 0, 2)


def test_basic_and_tied_rnn_seq2seq_match_numpy_unroll():
    enc = [rand(B, 2) for _ in range(3)]
    dec = [rand(B, 2) for _ in range(2)]
    with tf.Graph().as_default(), v1.Session() as sess:
        enc_t = [tf.constant(e) for e in enc]
        dec_t = [tf.constant(d) for d in dec]
        basic_out, basic_state = models.basic_rnn_seq2seq(enc_t, dec_t, cell())
        tied_out, tied_state = models.tied_rnn_seq2seq(enc_t, dec_t, cell())
        names = sorted(v.op.name for v in v1.global_variables())
        assert names == sorted(
            "%s/basic_rnn_cell/%s" % (prefix, kind)
            for prefix in ("basic_rnn_seq2seq/rnn", "basic_rnn_seq2seq/rnn_decoder",
                           "combined_tied_rnn_seq2seq/tied_rnn_seq2seq")
            for kind in ("kernel", "bias"))
        val = load_all(sess)
        got = sess.run([basic_out, basic_state, tied_out, tied_state])

    def unroll(enc_prefix, dec_prefix):
        h = np.zeros((B, H), np.float32)
        for x in enc:
            h = rnn_step(val, enc_prefix + "/basic_rnn_cell", x, h)
        outs = []
        for x in dec:
            h = rnn_step(val, dec_prefix + "/basic_rnn_cell", x, h)
            outs.append(h)
        return outs, h
    outs, h = unroll("basic_rnn_seq2seq/rnn", "basic_rnn_seq2seq/rnn_decoder")
    np.testing.assert_allclose(got[0], outs, atol=1e-5)
    np.testing.assert_allclose(got[1], h, atol=1e-5)
    tied = "combined_tied_rnn_seq2seq/tied_rnn_seq2seq"
    outs, h = unroll(tied, tied)
    np.testing.assert_allclose(got[2], outs, atol=1e-5)
    np.testing.assert_allclose(got[3], h, atol=1e-5)


def np_attention_decoder(val, prefix, inputs, state, attn, heads, out_size,
                         initial_state_attention):
    """The documented attention: per head k, score_i = v_k . tanh(W1_k h_i +
    W2_k q + b_k), a = softmax(score), context = sum_i a_i h_i."""
    length, size = attn.shape[1:]

    def attend(query):
        contexts = []
        for k in range(heads):
            w1 = val["%s/AttnW_%d" % (prefix, k)].reshape(size, size)
            feats = attn @ w1                                   # [B, L, A]
            y = affine(val, "%s/Attention_%d" % (prefix, k), query)
            score = (val["%s/AttnV_%d" % (prefix, k)]
                     * np.tanh(feats + y[:, None, :])).sum(-1)  # [B, L]
            weights = softmax(score, axis=1)
            contexts.append((weights[:, :, None] * attn).sum(1))
        return contexts
    contexts = attend(state) if initial_state_attention else \
        [np.zeros((B, size), np.float32) for _ in range(heads)]
    outputs = []
    for inp in inputs:
        x = affine(val, prefix, inp, *contexts)
        state = rnn_step(val, prefix + "/basic_rnn_cell", x, state)
        contexts = attend(state)
        outputs.append(affine(val, prefix + "/AttnOutputProjection", state, *contexts))
    return outputs, state


@pytest.mark.parametrize("heads,initial_state_attention", [(1, False), (2, True)])
def test_attention_decoder_matches_numpy(heads, initial_state_attention):
    inputs = [rand(B, 2) for _ in range(2)]
    state0 = rand(B, H)
    attn = rand(B, 4, 5)
    with tf.Graph().as_default(), v1.Session() as sess:
        outs, state = models.attention_decoder(
            [tf.constant(x) for x in inputs], tf.constant(state0), tf.constant(attn),
            cell(), output_size=6, num_heads=heads,
            initial_state_attention=initial_state_attention)
        names = {v.op.name: v.shape.as_list() for v in v1.global_variables()}
        val = load_all(sess)
        got_outs, got_state = sess.run([outs, state])
    p = "attention_decoder"
    expected = {"%s/kernel" % p: [2 + 5 * heads, 2], "%s/bias" % p: [2],
                "%s/basic_rnn_cell/kernel" % p: [2 + H, H],
                "%s/basic_rnn_cell/bias" % p: [H],
                "%s/AttnOutputProjection/kernel" % p: [H + 5 * heads, 6],
                "%s/AttnOutputProjection/bias" % p: [6]}
    for k in range(heads):
        expected.update({"%s/AttnW_%d" % (p, k): [1, 1, 5, 5], "%s/AttnV_%d" % (p, k): [5],
                         "%s/Attention_%d/kernel" % (p, k): [H, 5],
                         "%s/Attention_%d/bias" % (p, k): [5]})
    assert names == expected
    want_outs, want_state = np_attention_decoder(
        val, p, inputs, state0, attn, heads, 6, initial_state_attention)
    np.testing.assert_allclose(got_outs, want_outs, atol=1e-5)
    np.testing.assert_allclose(got_state, want_state, atol=1e-5)


ENC_SYMS, DEC_SYMS, EMB = 5, 6, 2


def np_embedding_rnn_seq2seq(val, enc_ids, dec_ids):
    p = "embedding_rnn_seq2seq"
    h = np.zeros((len(enc_ids[0]), H), np.float32)
    for ids in enc_ids:
        x = val[p + "/rnn/embedding_wrapper/embedding"][ids]
        h = rnn_step(val, p + "/rnn/embedding_wrapper/basic_rnn_cell", x, h)
    outs = []
    d = p + "/embedding_rnn_decoder/rnn_decoder/output_projection_wrapper"
    for ids in dec_ids:
        x = val[p + "/embedding_rnn_decoder/embedding"][ids]
        h = rnn_step(val, d + "/basic_rnn_cell", x, h)
        outs.append(affine(val, d, h))
    return outs


def np_sequence_loss(logits, targets, weights):
    """r1.x legacy sequence_loss: per-example weighted cross-entropy summed
    over time, / (summed weights + 1e-12), averaged over the batch."""
    total = np.zeros(len(targets[0]))
    for logit, target, weight in zip(logits, targets, weights):
        logp = np.log(softmax(logit.astype(np.float64)))
        total += -logp[np.arange(len(target)), target] * weight
    per_example = total / (np.sum(weights, axis=0) + 1e-12)
    return per_example.sum() / len(targets[0]), per_example


def build_buckets(buckets, per_example_loss=False):
    enc = [tf.constant(RNG_IDS.randint(0, ENC_SYMS, B).astype(np.int32)) for _ in range(4)]
    dec = [tf.constant(RNG_IDS.randint(0, DEC_SYMS, B).astype(np.int32)) for _ in range(3)]
    tgt = [tf.constant(RNG_IDS.randint(0, DEC_SYMS, B).astype(np.int32)) for _ in range(3)]
    wts = [tf.constant(w) for w in np.array([[1, 1], [1, 0.5], [1, 0]], np.float32)]
    outputs, losses = models.model_with_buckets(
        enc, dec, tgt, wts, buckets,
        lambda x, y: models.embedding_rnn_seq2seq(x, y, cell(), ENC_SYMS, DEC_SYMS, EMB),
        per_example_loss=per_example_loss)
    return (enc, dec, tgt, wts), outputs, losses


RNG_IDS = np.random.RandomState(11)


def test_model_with_buckets_shares_variables_and_matches_numpy():
    with tf.Graph().as_default():
        build_buckets([(4, 3)])
        one_bucket = sorted(v.op.name for v in v1.global_variables())
    with tf.Graph().as_default(), v1.Session() as sess:
        feeds, outputs, losses = build_buckets([(2, 2), (4, 3)])
        assert sorted(v.op.name for v in v1.global_variables()) == one_bucket
        assert len(outputs) == 2 and [len(o) for o in outputs] == [2, 3]
        val = load_all(sess)
        got_outputs, got_losses, (enc, dec, tgt, wts) = sess.run([outputs, losses, feeds])
    for (n_enc, n_dec), got_out, got_loss in zip([(2, 2), (4, 3)], got_outputs,
                                                 got_losses):
        want = np_embedding_rnn_seq2seq(val, enc[:n_enc], dec[:n_dec])
        np.testing.assert_allclose(got_out, want, atol=1e-5)
        want_loss, _ = np_sequence_loss(want, tgt[:n_dec], wts[:n_dec])
        np.testing.assert_allclose(got_loss, want_loss, rtol=1e-5)


def test_model_with_buckets_per_example_loss():
    with tf.Graph().as_default(), v1.Session() as sess:
        feeds, outputs, losses = build_buckets([(3, 3)], per_example_loss=True)
        load_all(sess)
        got_out, got_loss, (_, _, tgt, wts) = sess.run([outputs, losses, feeds])
    _, per_example = np_sequence_loss(got_out[0], tgt, wts)
    np.testing.assert_allclose(got_loss[0], per_example, rtol=1e-5)
    with pytest.raises(ValueError):
        with tf.Graph().as_default():
            build_buckets([(5, 3)])


def test_embedding_attention_seq2seq_names_and_feed_previous_tensor():
    enc = [np.array([1, 4], np.int32), np.array([0, 2], np.int32), np.array([3, 3], np.int32)]
    dec = [np.array([0, 1], np.int32), np.array([5, 2], np.int32)]
    with tf.Graph().as_default(), v1.Session() as sess:
        flag = v1.placeholder(tf.bool, [])
        results = {}
        for key, feed_previous in (("false", False), ("true", True), ("tensor", flag)):
            with v1.variable_scope("m", reuse=tf.compat.v1.AUTO_REUSE if key != "false"
                                   else None):
                results[key] = models.embedding_attention_seq2seq(
                    [tf.constant(e) for e in enc], [tf.constant(d) for d in dec],
                    cell(), ENC_SYMS, DEC_SYMS, EMB, feed_previous=feed_previous)
        names = sorted(v.op.name for v in v1.global_variables())
        p = "m/embedding_attention_seq2seq/"
        a = p + "embedding_attention_decoder/attention_decoder/"
        assert names == sorted(
            [p + "rnn/embedding_wrapper/embedding",
             p + "rnn/embedding_wrapper/basic_rnn_cell/kernel",
             p + "rnn/embedding_wrapper/basic_rnn_cell/bias",
             p + "embedding_attention_decoder/embedding",
             a + "AttnW_0", a + "AttnV_0", a + "kernel", a + "bias",
             a + "output_projection_wrapper/basic_rnn_cell/kernel",
             a + "output_projection_wrapper/basic_rnn_cell/bias",
             a + "output_projection_wrapper/kernel", a + "output_projection_wrapper/bias",
             a + "Attention_0/kernel", a + "Attention_0/bias",
             a + "AttnOutputProjection/kernel", a + "AttnOutputProjection/bias"])
        load_all(sess)
        fixed = sess.run([results["false"][0], results["true"][0]])
        for index, value in enumerate((False, True)):
            picked = sess.run(results["tensor"][0], {flag: value})
            np.testing.assert_allclose(picked, fixed[index], atol=1e-6)
        assert results["false"][0][0].shape.as_list() == [B, DEC_SYMS]
    # Greedy decoding differs from teacher forcing once step 2 reads argmax.
    assert not np.allclose(fixed[0][1], fixed[1][1])


def test_models_reachable_from_legacy_seq2seq():
    from compat.tf1x import legacy_seq2seq
    assert legacy_seq2seq.attention_decoder is models.attention_decoder
    assert legacy_seq2seq.model_with_buckets is models.model_with_buckets
    with pytest.raises(AttributeError):
        legacy_seq2seq.no_such_model  # noqa: B018
