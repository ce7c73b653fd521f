"""compat.tf1x.rnn (part of tf.contrib.rnn, TF 1.8-1.15) in graph mode.

Every cell variable is overwritten with known random numbers and the
outputs are checked against the documented equations written in numpy; the
stacked bidirectional RNN is checked against a numpy composition of the
cells (forward, backward within each example's length, concatenation as
the next layer's input).  Variable names are checked against the names TF
1.x checkpoints hold.  Importing compat.tf1x.rnn sets TF_USE_LEGACY_KERAS
before TensorFlow loads, as compat.tf1x.slim does for test_tf1_layers.
"""

import numpy as np
import pytest

from compat.tf1x import rnn

tf = rnn.tf
v1 = tf.compat.v1

RNG = np.random.RandomState(3)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_block_step(x, c, h, w, forget_bias=1.0, clip=None, peep=None):
    """LSTMBlockCell's equations; peep = (wci, wcf, wco) or None."""
    gates = np.concatenate([x, h], 1) @ w["kernel"] + w["bias"]
    i, ci, f, o = np.split(gates, 4, axis=1)
    wci, wcf, wco = peep if peep is not None else (0.0, 0.0, 0.0)
    i = sigmoid(i + c * wci)
    f = sigmoid(f + forget_bias + c * wcf)
    cs = np.tanh(ci) * i + c * f
    if clip:
        cs = np.clip(cs, -clip, clip)
    o = sigmoid(o + cs * wco)
    return cs, np.tanh(cs) * o


def np_layer_norm(x, gamma, beta):
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gamma + beta


def np_ln_step(x, c, h, w, forget_bias=1.0, layer_norm=True):
    z = np.concatenate([x, h], 1) @ w["kernel"]
    if not layer_norm:
        z = z + w["bias"]
    i, j, f, o = np.split(z, 4, axis=1)
    if layer_norm:
        i, j, f, o = (np_layer_norm(part, *w[name]) for part, name in
                      zip((i, j, f, o), ("input", "transform", "forget", "output")))
    new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    if layer_norm:
        new_c = np_layer_norm(new_c, *w["state"])
    return new_c, np.tanh(new_c) * sigmoid(o)


def randomise(sess, scope=""):
    """Assign every global variable under ``scope`` random numbers; return
    {name without ':0': value}."""
    values = {}
    for var in v1.global_variables():
        if var.name.startswith(scope):
            value = RNG.uniform(-1.0, 1.0, size=var.shape).astype(np.float32)
            var.load(value, sess)
            values[var.name[:-2]] = value
    return values


def run_cell(cell, x, **run_kwargs):
    """dynamic_rnn of ``cell`` over x [batch, time, depth]: returns the
    outputs, final state and variable values."""
    with tf.Graph().as_default(), v1.Session() as sess:
        inputs = v1.placeholder(tf.float32, x.shape)
        outputs, state = v1.nn.dynamic_rnn(cell, inputs, dtype=tf.float32, **run_kwargs)
        sess.run(v1.global_variables_initializer())
        values = randomise(sess)
        got = sess.run((outputs, state), {inputs: x})
    return got[0], got[1], values


@pytest.mark.parametrize("peephole,clip,forget_bias", [
    (False, None, 1.0), (True, None, 0.5), (True, 0.3, 1.0),
])
def test_lstm_block_cell_matches_numpy(peephole, clip, forget_bias):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    cell = rnn.LSTMBlockCell(3, forget_bias=forget_bias, cell_clip=clip,
                             use_peephole=peephole)
    outputs, (c_final, h_final), values = run_cell(cell, x)
    names = ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"]
    if peephole:
        names += ["rnn/lstm_cell/w_%s_diag" % g for g in "ifo"]
    assert sorted(values) == sorted(names)
    assert values["rnn/lstm_cell/kernel"].shape == (4 + 3, 12)
    w = {"kernel": values["rnn/lstm_cell/kernel"], "bias": values["rnn/lstm_cell/bias"]}
    peep = [values["rnn/lstm_cell/w_%s_diag" % g] for g in "ifo"] if peephole else None
    c = h = np.zeros((2, 3), np.float32)
    for t in range(3):
        c, h = np_block_step(x[:, t], c, h, w, forget_bias, clip, peep)
        np.testing.assert_allclose(outputs[:, t], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_final, c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h_final, h, rtol=1e-5, atol=1e-6)
    if clip:
        assert np.abs(c_final).max() <= clip + 1e-6


def test_lstm_block_cell_is_trainable():
    # TF 2.21's LSTMBlockCell op has no gradient; the plain-op cell must.
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [2, 2, 3])
        outputs, _ = v1.nn.dynamic_rnn(rnn.LSTMBlockCell(2, use_peephole=True),
                                       inputs, dtype=tf.float32)
        grads = tf.gradients(tf.reduce_sum(outputs), v1.trainable_variables())
    assert len(grads) == 5 and all(g is not None for g in grads)


def test_layer_norm_cell_matches_numpy():
    x = RNG.normal(size=(3, 2, 4)).astype(np.float32)
    outputs, (c_final, h_final), values = run_cell(
        rnn.LayerNormBasicLSTMCell(5, forget_bias=0.7), x)
    prefix = "rnn/layer_norm_basic_lstm_cell/"
    gates = ("input", "transform", "forget", "output", "state")
    assert sorted(values) == sorted([prefix + "kernel"] + [
        prefix + "%s/%s" % (g, p) for g in gates for p in ("gamma", "beta")])
    w = {"kernel": values[prefix + "kernel"]}
    for g in gates:
        assert values[prefix + g + "/gamma"].shape == (5,)
        w[g] = (values[prefix + g + "/gamma"], values[prefix + g + "/beta"])
    c = h = np.zeros((3, 5), np.float32)
    for t in range(2):
        c, h = np_ln_step(x[:, t], c, h, w, forget_bias=0.7)
        np.testing.assert_allclose(outputs[:, t], h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c_final, c, rtol=1e-4, atol=1e-5)


def test_layer_norm_cell_without_norm_has_bias():
    x = RNG.normal(size=(2, 2, 3)).astype(np.float32)
    outputs, _, values = run_cell(rnn.LayerNormBasicLSTMCell(2, layer_norm=False), x)
    prefix = "rnn/layer_norm_basic_lstm_cell/"
    assert sorted(values) == [prefix + "bias", prefix + "kernel"]
    w = {"kernel": values[prefix + "kernel"], "bias": values[prefix + "bias"]}
    c = h = np.zeros((2, 2), np.float32)
    for t in range(2):
        c, h = np_ln_step(x[:, t], c, h, w, layer_norm=False)
        np.testing.assert_allclose(outputs[:, t], h, rtol=1e-5, atol=1e-6)


def test_layer_norm_gain_and_shift_initial_values():
    with tf.Graph().as_default(), v1.Session() as sess:
        inputs = v1.placeholder(tf.float32, [1, 1, 2])
        v1.nn.dynamic_rnn(rnn.LayerNormBasicLSTMCell(3, norm_gain=2.0, norm_shift=0.5),
                          inputs, dtype=tf.float32)
        sess.run(v1.global_variables_initializer())
        values = {v.name: sess.run(v) for v in v1.global_variables()}
    assert np.all(values["rnn/layer_norm_basic_lstm_cell/forget/gamma:0"] == 2.0)
    assert np.all(values["rnn/layer_norm_basic_lstm_cell/state/beta:0"] == 0.5)


def test_layer_norm_cell_dropout():
    # keep_prob as a tensor always adds dropout (as TF 1.x did): fed 1.0 it
    # changes nothing, fed a small value it zeroes candidate units.
    x = RNG.normal(size=(4, 1, 3)).astype(np.float32)
    with tf.Graph().as_default(), v1.Session() as sess:
        keep = v1.placeholder_with_default(1.0, [])
        inputs = v1.placeholder(tf.float32, x.shape)
        outputs, _ = v1.nn.dynamic_rnn(
            rnn.LayerNormBasicLSTMCell(6, dropout_keep_prob=keep, dropout_prob_seed=1),
            inputs, dtype=tf.float32)
        sess.run(v1.global_variables_initializer())
        values = randomise(sess)
        kept = sess.run(outputs, {inputs: x})
        dropped = sess.run(outputs, {inputs: x, keep: 1e-3})
    prefix = "rnn/layer_norm_basic_lstm_cell/"
    w = {"kernel": values[prefix + "kernel"]}
    for g in ("input", "transform", "forget", "output", "state"):
        w[g] = (values[prefix + g + "/gamma"], values[prefix + g + "/beta"])
    zeros = np.zeros((4, 6), np.float32)
    _, h = np_ln_step(x[:, 0], zeros, zeros, w)
    np.testing.assert_allclose(kept[:, 0], h, rtol=1e-4, atol=1e-5)
    assert not np.allclose(dropped, kept)


def np_bidirectional(x, lengths, step_fw, step_bw, units):
    """One bidirectional layer in numpy: fw over each example's first
    lengths[b] steps, bw over the same steps reversed; zeros past the end."""
    batch, time = x.shape[:2]
    out = np.zeros((batch, time, 2 * units), np.float32)
    finals = []
    for b in range(batch):
        fw_state = (np.zeros((1, units)), np.zeros((1, units)))
        bw_state = fw_state
        for t in range(lengths[b]):
            fw_state = step_fw(x[b:b + 1, t], *fw_state)
            out[b, t, :units] = fw_state[1][0]
        for t in reversed(range(lengths[b])):
            bw_state = step_bw(x[b:b + 1, t], *bw_state)
            out[b, t, units:] = bw_state[1][0]
        finals.append((fw_state, bw_state))
    return out, finals


def test_stack_bidirectional_dynamic_rnn_matches_numpy():
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    lengths = np.array([4, 2], np.int32)
    units = (3, 2)
    with tf.Graph().as_default(), v1.Session() as sess:
        inputs = v1.placeholder(tf.float32, x.shape)
        outputs, states_fw, states_bw = rnn.stack_bidirectional_dynamic_rnn(
            [rnn.LSTMBlockCell(n) for n in units],
            [rnn.LSTMBlockCell(n, use_peephole=True) for n in units],
            inputs, dtype=tf.float32, sequence_length=lengths)
        assert outputs.shape.as_list() == [2, 4, 2 * units[-1]]
        assert len(states_fw) == len(states_bw) == 2
        sess.run(v1.global_variables_initializer())
        values = randomise(sess)
        got, got_fw, got_bw = sess.run((outputs, states_fw, states_bw), {inputs: x})
    base = "stack_bidirectional_rnn/cell_%d/bidirectional_rnn/%s/lstm_cell/"
    expected_names = []
    for layer in range(2):
        expected_names += [base % (layer, "fw") + n for n in ("kernel", "bias")]
        expected_names += [base % (layer, "bw") + n for n in
                           ("kernel", "bias", "w_i_diag", "w_f_diag", "w_o_diag")]
    assert sorted(values) == sorted(expected_names)

    def stepper(layer, direction):
        prefix = base % (layer, direction)
        w = {"kernel": values[prefix + "kernel"], "bias": values[prefix + "bias"]}
        peep = ([values[prefix + "w_%s_diag" % g] for g in "ifo"]
                if direction == "bw" else None)
        return lambda xt, c, h: np_block_step(xt, c, h, w, peep=peep)

    # Layer 2 reads layer 1's concatenated fw/bw outputs (zeros past the end).
    layer_input = x
    for layer, n in enumerate(units):
        layer_input, finals = np_bidirectional(
            layer_input, lengths, stepper(layer, "fw"), stepper(layer, "bw"), n)
        for b in range(2):
            np.testing.assert_allclose(got_fw[layer].h[b], finals[b][0][1][0], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(got_bw[layer].c[b], finals[b][1][0][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, layer_input, rtol=1e-5, atol=1e-6)


def test_stack_bidirectional_dynamic_rnn_time_major_and_scope():
    x = RNG.normal(size=(3, 2, 4)).astype(np.float32)   # [time, batch, depth]
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, x.shape)
        outputs, _, _ = rnn.stack_bidirectional_dynamic_rnn(
            [rnn.LSTMBlockCell(2)], [rnn.LSTMBlockCell(5)], inputs,
            dtype=tf.float32, time_major=True, scope="enc")
        names = sorted(v.name for v in v1.global_variables())
    assert outputs.shape.as_list() == [3, 2, 7]
    assert names[0] == "enc/cell_0/bidirectional_rnn/bw/lstm_cell/bias:0"


def test_stack_bidirectional_rnn_static_matches_numpy():
    x = RNG.normal(size=(2, 3, 3)).astype(np.float32)
    lengths = np.array([3, 3], np.int32)
    with tf.Graph().as_default(), v1.Session() as sess:
        inputs = [v1.placeholder(tf.float32, [2, 3]) for _ in range(3)]
        outputs, states_fw, _ = rnn.stack_bidirectional_rnn(
            [rnn.LSTMBlockCell(2), rnn.LSTMBlockCell(2)],
            [rnn.LSTMBlockCell(2), rnn.LSTMBlockCell(2)], inputs, dtype=tf.float32)
        sess.run(v1.global_variables_initializer())
        values = randomise(sess)
        got = sess.run(outputs, dict(zip(inputs, np.moveaxis(x, 1, 0))))
    assert len(got) == 3 and got[0].shape == (2, 4) and len(states_fw) == 2
    assert "stack_bidirectional_rnn/cell_1/fw/lstm_cell/kernel" in values
    assert len(values) == 8

    def stepper(layer, direction):
        prefix = "stack_bidirectional_rnn/cell_%d/%s/lstm_cell/" % (layer, direction)
        w = {"kernel": values[prefix + "kernel"], "bias": values[prefix + "bias"]}
        return lambda xt, c, h: np_block_step(xt, c, h, w)

    layer_input = x
    for layer in range(2):
        layer_input, _ = np_bidirectional(
            layer_input, lengths, stepper(layer, "fw"), stepper(layer, "bw"), 2)
    np.testing.assert_allclose(np.stack(got, 1), layer_input, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fw,bw,states,message", [
    ([], [1], None, "at least one fw cell"),
    ((1,), (1,), None, "cells_fw must be a list"),
    ([1], [1, 2], None, "same depth"),
    ([1], [1], [1, 2], "initial_states_fw"),
])
def test_stack_argument_errors(fw, bw, states, message):
    for function in (rnn.stack_bidirectional_dynamic_rnn, rnn.stack_bidirectional_rnn):
        with pytest.raises(ValueError, match=message):
            function(fw, bw, None, initial_states_fw=states)


@pytest.mark.parametrize("peephole,clip", [(False, -1.0), (True, 0.4)])
def test_lstm_block_cell_matches_fused_kernel(peephole, clip):
    # TF 2.21 still runs the fused LSTMBlockCell op forward (no gradient),
    # so the plain-op cell can be checked against the kernel TF 1.x used.
    x = RNG.normal(size=(2, 3)).astype(np.float32)
    c0, h0 = (RNG.normal(size=(2, 4)).astype(np.float32) for _ in range(2))
    with tf.Graph().as_default(), v1.Session() as sess:
        cell = rnn.LSTMBlockCell(4, forget_bias=0.8, cell_clip=clip, use_peephole=peephole)
        _, (cs, h) = cell(tf.constant(x), rnn.LSTMStateTuple(tf.constant(c0), tf.constant(h0)))
        sess.run(v1.global_variables_initializer())
        values = randomise(sess)
        zeros = np.zeros(4, np.float32)
        peep = [values.get("lstm_cell/w_%s_diag" % g, zeros) for g in "ifo"]
        fused = tf.raw_ops.LSTMBlockCell(
            x=x, cs_prev=c0, h_prev=h0, w=values["lstm_cell/kernel"],
            wci=peep[0], wcf=peep[1], wco=peep[2], b=values["lstm_cell/bias"],
            forget_bias=0.8, cell_clip=clip, use_peephole=peephole)
        got, want = sess.run(((cs, h), (fused.cs, fused.h)))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
