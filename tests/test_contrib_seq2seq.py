"""compat.tf1x.seq2seq and compat.tf1x.legacy_seq2seq (tf.contrib.seq2seq
and tf.contrib.legacy_seq2seq of TF 1.x) in graph mode, every number checked
against numpy: softmax cross-entropy written out by hand, masked by the
weights, reduced the way each flag combination of r1.x says."""

import itertools

import numpy as np
import pytest

from compat.tf1x import legacy_seq2seq, seq2seq

tf = seq2seq.tf
v1 = tf.compat.v1

B, T, C = 3, 4, 5
RNG = np.random.RandomState(3)
LOGITS = RNG.normal(size=(B, T, C)).astype(np.float32)
TARGETS = RNG.randint(0, C, size=(B, T)).astype(np.int32)
# Row 0 full, row 1 padded with a non-binary weight, row 2 all zero; the
# last time step is all zero too, so every divisor path sees a 0.
WEIGHTS = np.array([[1, 1, 1, 0], [1, 0.5, 0, 0], [0, 0, 0, 0]], dtype=np.float32)


def np_crossent(logits, targets):
    """-log softmax(logits)[target], along the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    picked = np.take_along_axis(shifted, targets[..., None], axis=-1)[..., 0]
    return log_norm - picked


def safe_div(num, den):
    den = np.asarray(den, dtype=np.float64)
    return np.where(den == 0, 0.0, num / np.where(den == 0, 1.0, den))


def np_contrib_loss(avg_t, avg_b, sum_t, sum_b):
    """tf.contrib.seq2seq.sequence_loss of r1.15, reduced by hand."""
    ce = np_crossent(LOGITS.astype(np.float64), TARGETS) * WEIGHTS
    nonzero = (WEIGHTS != 0).astype(np.float64)
    if avg_t and avg_b:
        return safe_div(ce.sum(), WEIGHTS.sum())
    if sum_t and sum_b:
        return safe_div(ce.sum(), nonzero.sum())
    if avg_t or avg_b:
        axis = 0 if avg_b else 1
        return safe_div(ce.sum(axis=axis), WEIGHTS.sum(axis=axis))
    if sum_t or sum_b:
        axis = 0 if sum_b else 1
        return safe_div(ce.sum(axis=axis), nonzero.sum(axis=axis))
    return ce


def run(fetch):
    with v1.Session() as sess:
        return sess.run(fetch)


FLAG_SETS = [flags for flags in itertools.product([False, True], repeat=4)
             if not (flags[0] and flags[2]) and not (flags[1] and flags[3])]


@pytest.mark.parametrize("avg_t,avg_b,sum_t,sum_b", FLAG_SETS)
def test_contrib_sequence_loss_every_flag_combination(avg_t, avg_b, sum_t, sum_b):
    with tf.Graph().as_default():
        # Placeholders of unknown batch/time: the reshapes must be dynamic.
        logits = v1.placeholder(tf.float32, [None, None, C])
        targets = v1.placeholder(tf.int32, [None, None])
        weights = v1.placeholder(tf.float32, [None, None])
        loss = seq2seq.sequence_loss(
            logits, targets, weights, average_across_timesteps=avg_t,
            average_across_batch=avg_b, sum_over_timesteps=sum_t,
            sum_over_batch=sum_b)
        with v1.Session() as sess:
            got = sess.run(loss, {logits: LOGITS, targets: TARGETS, weights: WEIGHTS})
    want = np_contrib_loss(avg_t, avg_b, sum_t, sum_b)
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert np.all(np.isfinite(got))


def test_contrib_sequence_loss_rejects_conflicting_flags_and_bad_ranks():
    with tf.Graph().as_default():
        args = (tf.constant(LOGITS), tf.constant(TARGETS), tf.constant(WEIGHTS))
        with pytest.raises(ValueError):
            seq2seq.sequence_loss(*args, sum_over_timesteps=True)
        with pytest.raises(ValueError):
            seq2seq.sequence_loss(*args, sum_over_batch=True)
        with pytest.raises(ValueError):
            seq2seq.sequence_loss(args[0][0], args[1], args[2])


def test_contrib_sequence_loss_custom_loss_gets_keywords_and_old_positions():
    calls = []

    def loss_fn(labels, logits):
        calls.append((labels.shape.as_list(), logits.shape.as_list()))
        # Mean squared logit: unrelated to cross-entropy, so using it shows.
        return tf.reduce_mean(tf.square(logits), axis=1) + tf.cast(labels, tf.float32)

    want_terms = (LOGITS.astype(np.float64) ** 2).mean(axis=2) + TARGETS
    want = (want_terms * WEIGHTS).sum() / WEIGHTS.sum()
    with tf.Graph().as_default():
        args = (tf.constant(LOGITS), tf.constant(TARGETS), tf.constant(WEIGHTS))
        by_keyword = seq2seq.sequence_loss(*args, softmax_loss_function=loss_fn)
        # r1.4-r1.12 order: (..., average_across_batch, softmax_loss_function, name).
        by_position = seq2seq.sequence_loss(*args, True, True, loss_fn, "old_order")
        got = run([by_keyword, by_position])
    assert by_position.name.startswith("old_order/")
    assert calls == [([B * T], [B * T, C])] * 2
    np.testing.assert_allclose(got, [want, want], rtol=1e-5)


def test_tile_batch_on_a_nested_structure_matches_numpy_repeat():
    a = RNG.normal(size=(2, 3)).astype(np.float32)
    b = np.array([7, 9], dtype=np.int32)
    c = RNG.normal(size=(2, 2, 2)).astype(np.float32)
    with tf.Graph().as_default():
        c_ph = v1.placeholder(tf.float32, [None, 2, 2])
        tiled = seq2seq.tile_batch((tf.constant(a), (tf.constant(b), c_ph)), 3)
        assert isinstance(tiled, tuple) and isinstance(tiled[1], tuple)
        assert tiled[0].shape.as_list() == [6, 3]
        assert tiled[1][1].shape.as_list() == [None, 2, 2]
        with v1.Session() as sess:
            got = sess.run(tiled, {c_ph: c})
    np.testing.assert_array_equal(got[0], np.repeat(a, 3, axis=0))
    np.testing.assert_array_equal(got[1][0], [7, 7, 7, 9, 9, 9])
    np.testing.assert_array_equal(got[1][1], np.repeat(c, 3, axis=0))
    with tf.Graph().as_default():
        with pytest.raises(ValueError):
            seq2seq.tile_batch(tf.constant(1.0), 2)


def test_hardmax_is_one_hot_of_the_first_maximum():
    x = np.array([[0.1, 2.0, -1.0], [3.0, 3.0, 1.0]], dtype=np.float32)
    with tf.Graph().as_default():
        dynamic = v1.placeholder(tf.float64, [None, None])
        out = seq2seq.hardmax(tf.constant(x))
        out_dynamic = seq2seq.hardmax(dynamic)
        assert out.dtype == tf.float32 and out_dynamic.dtype == tf.float64
        with v1.Session() as sess:
            got, got_dynamic = sess.run([out, out_dynamic], {dynamic: x.astype(np.float64)})
    want = np.eye(3)[np.argmax(x, axis=-1)]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_dynamic, want)


def step_lists():
    """The fixture as legacy lists: one [B, C] / [B] / [B] tensor per step."""
    return ([tf.constant(LOGITS[:, t]) for t in range(T)],
            [tf.constant(TARGETS[:, t]) for t in range(T)],
            [tf.constant(WEIGHTS[:, t]) for t in range(T)])


def np_by_example(average):
    ce = (np_crossent(LOGITS.astype(np.float64), TARGETS) * WEIGHTS).sum(axis=1)
    if average:
        # r1.x's epsilon, not a zero guard: all-zero rows give 0 / 1e-12 = 0.
        ce = ce / (WEIGHTS.sum(axis=1) + 1e-12)
    return ce


@pytest.mark.parametrize("average", [True, False])
def test_legacy_sequence_loss_by_example_per_example(average):
    with tf.Graph().as_default():
        loss = legacy_seq2seq.sequence_loss_by_example(
            *step_lists(), average_across_timesteps=average)
        got = run(loss)
    assert got.shape == (B,)
    np.testing.assert_allclose(got, np_by_example(average), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("avg_t,avg_b", list(itertools.product([False, True], repeat=2)))
def test_legacy_sequence_loss_flags(avg_t, avg_b):
    with tf.Graph().as_default():
        loss = legacy_seq2seq.sequence_loss(
            *step_lists(), average_across_timesteps=avg_t, average_across_batch=avg_b)
        got = run(loss)
    # The batch average divides by the batch size, whatever the weights.
    want = np_by_example(avg_t).sum() / (B if avg_b else 1)
    assert np.shape(got) == ()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_legacy_custom_loss_is_called_with_labels_and_logits_keywords():
    seen = []

    def loss_fn(*args, **kwargs):
        assert args == ()
        seen.append(sorted(kwargs))
        return tf.reduce_sum(kwargs["logits"], axis=1)

    with tf.Graph().as_default():
        loss = legacy_seq2seq.sequence_loss_by_example(
            *step_lists(), average_across_timesteps=False, softmax_loss_function=loss_fn)
        got = run(loss)
    assert seen == [["labels", "logits"]] * T
    np.testing.assert_allclose(got, (LOGITS.sum(axis=2) * WEIGHTS).sum(axis=1), rtol=1e-5)


def test_legacy_lengths_must_match():
    logits, targets, weights = [np.zeros((1, 2), np.float32)], [], [np.ones(1, np.float32)]
    with pytest.raises(ValueError):
        legacy_seq2seq.sequence_loss_by_example(logits, targets, weights)


def tanh_cell(units):
    """A minimal RNN cell: h' = tanh([x, h] W + b), output = state = h'."""
    def cell(inputs, state):
        joined = tf.concat([inputs, state], 1)
        w = v1.get_variable("w", [joined.shape[1], units],
                            initializer=v1.random_normal_initializer(seed=1))
        b = v1.get_variable("b", [units], initializer=v1.constant_initializer(0.1))
        h = tf.tanh(tf.matmul(joined, w) + b)
        return h, h
    return cell


def np_tanh_steps(inputs, h, w, b, loop_function=None):
    outputs = []
    for i, x in enumerate(inputs):
        if loop_function is not None and outputs:
            x = loop_function(outputs[-1], i)
        h = np.tanh(np.concatenate([x, h], 1) @ w + b)
        outputs.append(h)
    return outputs, h


@pytest.mark.parametrize("feed_back", [False, True])
def test_rnn_decoder_shares_one_set_of_weights_in_rnn_decoder_scope(feed_back):
    units = 3
    xs = [RNG.normal(size=(2, units)).astype(np.float32) for _ in range(3)]
    h0 = RNG.normal(size=(2, units)).astype(np.float32)
    loop_fn = (lambda prev, i: prev * 2.0) if feed_back else None
    with tf.Graph().as_default():
        outputs, state = legacy_seq2seq.rnn_decoder(
            [tf.constant(x) for x in xs], tf.constant(h0), tanh_cell(units),
            loop_function=loop_fn)
        variables = {v.op.name: v for v in v1.global_variables()}
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            w, b = sess.run([variables["rnn_decoder/w"], variables["rnn_decoder/b"]])
            got_outputs, got_state = sess.run([outputs, state])
    # One w and one b for all steps: later steps reused the first's.
    assert sorted(variables) == ["rnn_decoder/b", "rnn_decoder/w"]
    want_outputs, want_state = np_tanh_steps(xs, h0, w, b, loop_fn)
    np.testing.assert_allclose(got_outputs, want_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, want_state, rtol=1e-5, atol=1e-6)
