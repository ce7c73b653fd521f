"""compat.tf1x.crf (tf.contrib.crf of TF 1.8-1.15) in graph mode, every
number checked against numpy brute force: enumerate all num_tags**length
tag sequences, score each by hand, and take the logsumexp / max.

Sizes stay tiny (3 tags, lengths up to 4) so enumeration is exact and the
module runs a handful of Session calls."""

import itertools

import numpy as np
import pytest

from compat.tf1x import crf

tf = crf.tf
v1 = tf.compat.v1

TAGS = 3
LENGTHS = np.array([4, 1, 3, 0], dtype=np.int32)   # full, length 1, padded, empty
T = 4
RNG = np.random.RandomState(7)
X = RNG.normal(size=(len(LENGTHS), T, TAGS)).astype(np.float32)
TRANS = RNG.normal(size=(TAGS, TAGS)).astype(np.float32)
# Gold tags; padded positions hold junk tags that must not count.
GOLD = np.array([[2, 0, 1, 1], [1, 2, 2, 0], [0, 0, 2, 1], [2, 1, 0, 2]], dtype=np.int32)


def path_score(x, trans, tags):
    """Score of one tag path written out term by term."""
    total = 0.0
    for t, tag in enumerate(tags):
        total += x[t, tag]
        if t:
            total += trans[tags[t - 1], tag]
    return total


def all_paths(length):
    return list(itertools.product(range(TAGS), repeat=length))


def brute_log_norm(x, trans, length):
    if length == 0:
        return 0.0          # TF 1.15 defines a length-0 example's log-norm as 0
    scores = np.array([path_score(x, trans, p) for p in all_paths(length)], np.float64)
    top = scores.max()
    return top + np.log(np.exp(scores - top).sum())


def brute_best(x, trans, length):
    paths = all_paths(length)
    scores = [path_score(x, trans, p) for p in paths]
    k = int(np.argmax(scores))
    return list(paths[k]), scores[k]


def run(fetches, feed=None):
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        return sess.run(fetches, feed)


def test_scores_log_norm_and_likelihood_of_a_padded_batch():
    expected_unary = [sum(X[b, t, GOLD[b, t]] for t in range(n)) for b, n in enumerate(LENGTHS)]
    expected_binary = [sum(TRANS[GOLD[b, t - 1], GOLD[b, t]] for t in range(1, n))
                       for b, n in enumerate(LENGTHS)]
    expected_score = [path_score(X[b], TRANS, GOLD[b, :n]) for b, n in enumerate(LENGTHS)]
    expected_norm = [brute_log_norm(X[b], TRANS, n) for b, n in enumerate(LENGTHS)]
    with tf.Graph().as_default():
        # Unknown time dimension: the max_seq_len == 1 test is made at run time.
        x = v1.placeholder(tf.float32, [None, None, TAGS])
        tags = v1.placeholder(tf.int32, [None, None])
        lengths = v1.placeholder(tf.int32, [None])
        trans = tf.constant(TRANS)
        fetches = dict(
            unary=crf.crf_unary_score(tags, lengths, x),
            binary=crf.crf_binary_score(tags, lengths, trans),
            score=crf.crf_sequence_score(x, tags, lengths, trans),
            norm=crf.crf_log_norm(x, lengths, trans),
            ll=crf.crf_log_likelihood(x, tags, lengths, trans)[0],
            # Static shapes and int64 tags/lengths take the other code path.
            static_score=crf.crf_sequence_score(tf.constant(X), tf.constant(GOLD, tf.int64),
                                                tf.constant(LENGTHS, tf.int64), trans),
            static_norm=crf.crf_log_norm(tf.constant(X), tf.constant(LENGTHS, tf.int64), trans))
        out = run(fetches, {x: X, tags: GOLD, lengths: LENGTHS})
    np.testing.assert_allclose(out["unary"], expected_unary, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["binary"], expected_binary, rtol=1e-5, atol=1e-5)
    for key in ("score", "static_score"):
        np.testing.assert_allclose(out[key], expected_score, rtol=1e-5, atol=1e-5)
    for key in ("norm", "static_norm"):
        np.testing.assert_allclose(out[key], expected_norm, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["ll"], np.subtract(expected_score, expected_norm),
                               rtol=1e-5, atol=1e-5)
    assert out["score"][3] == 0.0 and out["norm"][3] == 0.0   # the empty example


def test_batch_of_one_step_takes_the_single_step_path():
    x1 = X[:, :1, :]
    gold1 = GOLD[:, :1]
    lengths1 = np.array([1, 1, 1, 0], np.int32)
    with tf.Graph().as_default():
        trans = tf.constant(TRANS)
        dynamic = v1.placeholder(tf.float32, [None, None, TAGS])
        fetches = {}
        for name, x in (("static", tf.constant(x1)), ("dynamic", dynamic)):
            fetches[name] = (crf.crf_sequence_score(x, gold1, lengths1, trans),
                             crf.crf_log_norm(x, lengths1, trans),
                             crf.crf_decode(x, trans, lengths1))
        out = run(fetches, {dynamic: x1})
    scores = [x1[b, 0, GOLD[b, 0]] if n else 0.0 for b, n in enumerate(lengths1)]
    norms = [brute_log_norm(x1[b], TRANS, n) for b, n in enumerate(lengths1)]
    for name in ("static", "dynamic"):
        score, norm, (tags, best) = out[name]
        np.testing.assert_allclose(score, scores, rtol=1e-6)
        np.testing.assert_allclose(norm, norms, rtol=1e-5)
        # TF 1.x decodes every row of a one-step batch, even a length-0 one.
        assert tags.dtype == np.int32 and tags.shape == (4, 1)
        np.testing.assert_array_equal(tags[:, 0], x1[:, 0].argmax(1))
        np.testing.assert_allclose(best, x1[:, 0].max(1), rtol=1e-6)


def test_viterbi_decode_is_the_brute_force_best_path():
    rng = np.random.RandomState(3)
    for length in (1, 2, 4):
        for _ in range(5):
            x = rng.normal(size=(length, TAGS)).astype(np.float32)
            trans = rng.normal(size=(TAGS, TAGS)).astype(np.float32)
            path, score = crf.viterbi_decode(x, trans)
            best_path, best_score = brute_best(x, trans, length)
            assert path == best_path
            assert all(isinstance(tag, int) for tag in path)
            assert score == pytest.approx(best_score, rel=1e-5)


def test_crf_decode_matches_viterbi_decode_per_example():
    lengths = LENGTHS[:3]          # 4, 1 and 3 in a batch padded to 4
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, None, TAGS])
        seq_len = v1.placeholder(tf.int64, [None])
        tags, best = crf.crf_decode(x, tf.constant(TRANS), seq_len)
        static_tags, static_best = crf.crf_decode(tf.constant(X[:3]), TRANS, lengths)
        out = run((tags, best, static_tags, static_best), {x: X[:3], seq_len: lengths})
    for decoded, scores in (out[:2], out[2:]):
        assert decoded.dtype == np.int32 and decoded.shape == (3, T)
        for b, n in enumerate(lengths):
            path, score = crf.viterbi_decode(X[b, :n], TRANS)
            assert path == brute_best(X[b], TRANS, n)[0]
            np.testing.assert_array_equal(decoded[b, :n], path)
            np.testing.assert_array_equal(decoded[b, n:], 0)     # padding is tag 0
            assert scores[b] == pytest.approx(score, rel=1e-5)


def test_multitag_score_sums_the_allowed_paths():
    bitmap = np.zeros((3, T, TAGS), bool)
    bitmap[0] = [[1, 1, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]]
    bitmap[1] = [[0, 1, 1], [1, 0, 0], [1, 0, 0], [1, 0, 0]]
    bitmap[2, np.arange(T), GOLD[2]] = True                    # one-hot: the gold path
    lengths = LENGTHS[:3]
    expected = []
    for b, n in enumerate(lengths):
        scores = [path_score(X[b], TRANS, p) for p in all_paths(n)
                  if all(bitmap[b, t, tag] for t, tag in enumerate(p))]
        expected.append(np.log(np.sum(np.exp(scores))))
    with tf.Graph().as_default():
        out = run(crf.crf_multitag_sequence_score(tf.constant(X[:3]), bitmap, lengths,
                                                  tf.constant(TRANS)))
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert out[2] == pytest.approx(path_score(X[2], TRANS, GOLD[2, :3]), rel=1e-5)


def test_log_likelihood_creates_transitions_and_a_gradient_step_lowers_the_loss():
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        x = tf.Variable(X[:3], name="unaries")
        with v1.variable_scope("crf"):
            ll, trans = crf.crf_log_likelihood(x, GOLD[:3], LENGTHS[:3])
        assert trans.name == "crf/transitions:0"
        assert trans.shape.as_list() == [TAGS, TAGS]
        loss = tf.reduce_mean(-ll)
        train = v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            before, trans_value, ll_value = sess.run((loss, trans, ll))
            sess.run(train)
            after = sess.run(loss)
    expected = [path_score(X[b], trans_value, GOLD[b, :n]) - brute_log_norm(X[b], trans_value, n)
                for b, n in enumerate(LENGTHS[:3])]
    np.testing.assert_allclose(ll_value, expected, rtol=1e-5, atol=1e-5)
    assert before == pytest.approx(-np.mean(expected), rel=1e-5)
    assert after < before - 1e-3
