"""compat.tf1x.feature_column (tf.contrib.layers feature columns of TF
1.4-1.15) in graph mode: each function's core column and mapped
arguments, dense input-layer values checked against matrices written out
by hand, hashed ids against tf.strings.to_hash_bucket_fast run on its own,
the embedding initializer's spread against the truncated normal's
closed-form standard deviation, the one-line refusals and
sparse_combiner_of.  A canned LinearClassifier trained on these columns
runs in a subprocess that imports compat.tf1x.estimator first, as
tests/test_estimator.py does (the glue switches the process to legacy
Keras, which must not leak into other tests)."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compat.tf1x import feature_column as layers
from compat.util.errors import LegacyError
from conftest import plain_env

tf = layers.tf
v1 = tf.compat.v1


def run_dense(features, columns, use_contrib_entry=True):
    """The dense input layer of ``columns`` over ``features`` (numpy or
    SparseTensorValue), evaluated in a fresh graph."""
    with tf.Graph().as_default():
        feeds = {name: (tf.SparseTensor(*value) if isinstance(value, tuple)
                        else tf.constant(value)) for name, value in features.items()}
        if use_contrib_entry:
            dense = layers.input_from_feature_columns(feeds, columns)
        else:
            dense = v1.feature_column.input_layer(feeds, columns)
        with v1.Session() as sess:
            sess.run([v1.global_variables_initializer(), v1.tables_initializer()])
            return sess.run(dense)


def one_line(err):
    message = str(err.value)
    assert "\n" not in message
    return message


# ---- each function's core column and arguments ---------------------------

def test_sparse_columns_map_to_core_categorical_columns(tmp_path):
    hashed = layers.sparse_column_with_hash_bucket("w", 50, "sqrtn", tf.int64)
    assert type(hashed).__name__ == "HashedCategoricalColumn"
    assert (hashed.key, hashed.hash_bucket_size, hashed.dtype) == ("w", 50, tf.int64)

    keyed = layers.sparse_column_with_keys("k", ["a", "b"], default_value=0)
    assert type(keyed).__name__ == "VocabularyListCategoricalColumn"
    assert (keyed.vocabulary_list, keyed.default_value, keyed.dtype) == (("a", "b"), 0,
                                                                         tf.string)
    assert keyed.num_buckets == 2

    ids = layers.sparse_column_with_integerized_feature("i", 7)
    assert isinstance(ids, type(v1.feature_column.categorical_column_with_identity("i", 7)))
    assert (ids.key, ids.number_buckets, ids.default_value) == ("i", 7, None)
    with pytest.raises(ValueError):
        layers.sparse_column_with_integerized_feature("i", 7, dtype=tf.string)

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("x\ny\nz\n")
    plain = layers.sparse_column_with_vocabulary_file("v", str(vocab), vocab_size=3)
    assert type(plain).__name__ == "VocabularyFileCategoricalColumn"
    assert (plain.vocabulary_size, plain.num_oov_buckets, plain.default_value) == (3, 0, -1)
    oov = layers.sparse_column_with_vocabulary_file("v2", str(vocab), 2, 3, default_value=5)
    # with OOV buckets TF 1.x never used default_value; core must not get it
    assert (oov.num_oov_buckets, oov.default_value, oov.num_buckets) == (2, -1, 5)
    with pytest.raises(ValueError, match="vocab_size"):
        layers.sparse_column_with_vocabulary_file("v3", str(vocab))

    weighted = layers.weighted_sparse_column(hashed, "w_weight", tf.float64)
    assert type(weighted).__name__ == "WeightedCategoricalColumn"
    assert (weighted.categorical_column, weighted.weight_feature_key, weighted.dtype) == (
        hashed, "w_weight", tf.float64)


def test_dense_columns_map_to_core_columns():
    def norm(x):
        return x / 2.0

    real = layers.real_valued_column("r", 3, 1.5, tf.float64, norm)
    assert type(real).__name__ == "NumericColumn"
    assert (real.key, real.shape, real.default_value, real.dtype, real.normalizer_fn) == (
        "r", (3,), (1.5, 1.5, 1.5), tf.float64, norm)
    assert layers.real_valued_column("s").shape == (1,)
    with pytest.raises(TypeError):
        layers.real_valued_column("s", 2.0)

    bucketed = layers.bucketized_column(layers.real_valued_column("h"), [0, 1, 1, 2])
    assert type(bucketed).__name__ == "BucketizedColumn"
    assert bucketed.boundaries == (0, 1, 2)       # TF 1.x merged the repeated 1
    with pytest.raises(ValueError, match="sorted"):
        layers.bucketized_column(layers.real_valued_column("h"), [2, 1])

    hot = layers.one_hot_column(layers.sparse_column_with_keys("k", ["a"]))
    assert type(hot).__name__ == "IndicatorColumn"


def test_crossed_column_crosses_raw_values_and_bucket_ids():
    word = layers.sparse_column_with_hash_bucket("word", 10)
    age = layers.bucketized_column(layers.real_valued_column("age"), [30])
    crossed = layers.crossed_column([word, age], 100, hash_key=7)
    assert type(crossed).__name__ == "CrossedColumn"
    assert (crossed.keys, crossed.hash_bucket_size, crossed.hash_key) == (("word", age), 100, 7)
    nested = layers.crossed_column([crossed, layers.sparse_column_with_keys("k", ["a"])], 20)
    assert nested.keys == (crossed, "k") and nested.hash_key is None
    with pytest.raises(TypeError):
        layers.crossed_column([layers.real_valued_column("r"), word], 10)

    # The ids: the cross of the bucket index and the raw string (in name
    # order, age_bucketized before word, as TF 1.x sorted them), hashed with
    # the default FingerprintCat64 key, computed here with the op directly.
    words = np.array([[b"a"], [b"b"]])
    ages = np.array([[20.0], [40.0]], dtype=np.float32)     # buckets 0 and 1
    with tf.Graph().as_default():
        one_per_row = [[0, 0], [1, 0]]
        ids = tf.sparse.cross_hashed(
            [tf.SparseTensor(one_per_row, tf.constant([0, 1], tf.int64), [2, 1]),
             tf.SparseTensor(one_per_row, words[:, 0], [2, 1])],
            num_buckets=16, hash_key=layers.SPARSE_FEATURE_CROSS_DEFAULT_HASH_KEY)
        with v1.Session() as sess:
            ids = sess.run(tf.sparse.to_dense(ids))
    for order in ([word, age], [age, word]):
        cross = layers.crossed_column(order, 16)
        got = run_dense({"word": words, "age": ages}, [layers.one_hot_column(cross)])
        np.testing.assert_array_equal(got, np.eye(16)[ids[:, 0]])


def test_embedding_column_arguments_and_tf1_default_initializer():
    ids = layers.sparse_column_with_integerized_feature("i", 100)
    emb = layers.embedding_column(ids, 4, "sqrtn", max_norm=2.0, trainable=False)
    assert type(emb).__name__ == "EmbeddingColumn"
    assert (emb.categorical_column, emb.dimension, emb.combiner, emb.max_norm,
            emb.trainable) == (ids, 4, "sqrtn", 2.0, False)
    assert emb.initializer.mean == 0.0 and emb.initializer.stddev == pytest.approx(0.1)
    mine = v1.random_uniform_initializer()
    assert layers.embedding_column(ids, 4, initializer=mine).initializer is mine

    # Samples of the default: TF 1.x's truncated normal of stddev
    # 1/sqrt(100) = 0.1, cut at 2 stddev, whose spread is
    # 0.1 * sqrt(1 - 2 * 2 * pdf(2) / (cdf(2) - cdf(-2))).
    pdf2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    expected_std = 0.1 * math.sqrt(1 - 4 * pdf2 / mass)
    with tf.Graph().as_default():
        samples = emb.initializer([200, 100])
        table = layers.input_from_feature_columns(
            {"i": tf.constant([[3]], dtype=tf.int64)}, [layers.embedding_column(ids, 4)])
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            samples, (weights,) = sess.run(samples), sess.run(v1.global_variables())
    assert np.abs(samples).max() <= 0.2 + 1e-6
    assert samples.std() == pytest.approx(expected_std, rel=0.03)
    assert weights.shape == (100, 4) and np.abs(weights).max() <= 0.2 + 1e-6


def test_create_feature_spec_for_parsing():
    columns = {
        "a": layers.real_valued_column("r", 2, default_value=0.0),
        "b": layers.weighted_sparse_column(
            layers.sparse_column_with_hash_bucket("w", 9), "wt"),
        "c": layers.embedding_column(layers.sparse_column_with_integerized_feature("i", 5), 2),
    }
    assert layers.create_feature_spec_for_parsing(columns) == {
        "r": tf.io.FixedLenFeature((2,), tf.float32, default_value=(0.0, 0.0)),
        "w": tf.io.VarLenFeature(tf.string),
        "wt": tf.io.VarLenFeature(tf.float32),
        "i": tf.io.VarLenFeature(tf.int64),
    }


# ---- values of the dense input layer -------------------------------------

def test_input_layer_over_real_one_hot_and_bucketized_columns():
    columns = [
        layers.bucketized_column(layers.real_valued_column("h"), [0.0, 10.0]),
        layers.one_hot_column(layers.sparse_column_with_keys("color", ["r", "g", "b"])),
        layers.real_valued_column("age"),
    ]
    features = {
        "age": np.array([[1.0], [2.0], [3.0]], dtype=np.float32),
        # "z" is out of vocabulary (id -1): an all-zero one-hot block
        "color": np.array([[b"r"], [b"b"], [b"z"]]),
        "h": np.array([[-5.0], [5.0], [15.0]], dtype=np.float32),
    }
    # blocks in core's order, by column name: age, color_indicator, h_bucketized
    expected = np.array([[1, 1, 0, 0, 1, 0, 0],
                         [2, 0, 0, 1, 0, 1, 0],
                         [3, 0, 0, 0, 0, 0, 1]], dtype=np.float32)
    np.testing.assert_array_equal(run_dense(features, columns), expected)
    np.testing.assert_array_equal(run_dense(features, columns, use_contrib_entry=False),
                                  expected)


def test_hash_bucket_ids_are_fast_string_hashes():
    words = [b"cat", b"dog", b"emu", b"yak"]
    with tf.Graph().as_default():
        expected_ids = tf.strings.to_hash_bucket_fast(words, 10)
        number_ids = tf.strings.to_hash_bucket_fast(["17", "-3"], 10)
        with v1.Session() as sess:
            expected_ids, number_ids = sess.run([expected_ids, number_ids])
    # two values in row 0, one in row 1: the one-hot block counts them
    sparse = ([[0, 0], [0, 1], [1, 0], [1, 1]], words, [2, 2])
    got = run_dense({"w": sparse},
                    [layers.one_hot_column(layers.sparse_column_with_hash_bucket("w", 10))])
    expected = np.zeros((2, 10))
    for (row, _), bucket in zip(sparse[0], expected_ids):
        expected[row, bucket] += 1
    np.testing.assert_array_equal(got, expected)
    # integer values hash as their decimal strings, as in TF 1.x
    got = run_dense({"n": np.array([[17], [-3]], dtype=np.int64)},
                    [layers.one_hot_column(
                        layers.sparse_column_with_hash_bucket("n", 10, dtype=tf.int64))])
    np.testing.assert_array_equal(got, np.eye(10)[number_ids])


def test_integerized_ids_wrap_modulo_bucket_size_as_in_tf1():
    hot = layers.one_hot_column(layers.sparse_column_with_integerized_feature("i", 4))
    # 3 and 0 are in range; 6 -> 6 mod 4 = 2; -3 (fed sparse, where -1 is not
    # dropped as a dense ignore value would be) -> floor mod -> 1
    got = run_dense({"i": ([[0, 0], [1, 0], [2, 0], [3, 0]],
                           np.array([3, 0, 6, -3], np.int64), [4, 1])}, [hot])
    np.testing.assert_array_equal(got, np.eye(4)[[3, 0, 2, 1]])
    ids = layers.sparse_column_with_integerized_feature("j", 5)
    got = run_dense({"j": np.array([[7], [4]], dtype=np.int64)},
                    [layers.embedding_column(ids, 3)])
    assert got.shape == (2, 3)


def test_weighted_one_hot_sums_weights():
    weighted = layers.weighted_sparse_column(
        layers.sparse_column_with_keys("k", ["a", "b", "c"]), "kw")
    features = {"k": ([[0, 0], [0, 1], [1, 0]], [b"a", b"c", b"a"], [2, 2]),
                "kw": ([[0, 0], [0, 1], [1, 0]], np.array([0.5, 2.0, 3.0], np.float32),
                       [2, 2])}
    got = run_dense(features, [layers.one_hot_column(weighted)])
    np.testing.assert_array_equal(got, [[0.5, 0, 2.0], [3.0, 0, 0]])


# ---- refusals and combiners ----------------------------------------------

def test_calls_without_a_core_meaning_stop_in_one_line():
    with pytest.raises(LegacyError) as err:
        layers.real_valued_column("seq", dimension=None)
    assert "real_valued_column('seq', dimension=None)" in one_line(err)
    with pytest.raises(LegacyError) as err:
        layers.sparse_column_with_hash_bucket("w", 10, hash_keys=[[1, 2], [3, 4]])
    assert "sparse_column_with_hash_bucket('w')" in one_line(err)
    assert "hash_keys" in one_line(err)
    a = layers.sparse_column_with_keys("a", ["x"])
    b = layers.sparse_column_with_keys("b", ["y"])
    with pytest.raises(LegacyError) as err:
        layers.crossed_column([a, b], 10, ckpt_to_load_from="ckpt", tensor_name_in_ckpt="t")
    assert "crossed_column(a, b)" in one_line(err) and "ckpt_to_load_from" in one_line(err)


def test_sparse_combiner_of_agreeing_missing_and_disagreeing():
    x = layers.sparse_column_with_hash_bucket("cx", 10, combiner="sqrtn")
    y = layers.sparse_column_with_keys("cy", ["p"], combiner="sqrtn")
    z = layers.sparse_column_with_integerized_feature("cz", 3, combiner="mean")
    real = layers.real_valued_column("creal")
    assert layers.sparse_combiner_of([x, y, real]) == "sqrtn"
    assert layers.sparse_combiner_of({"one": x}) == "sqrtn"
    assert layers.sparse_combiner_of([real, layers.embedding_column(z, 2)]) == "sum"
    weighted = layers.weighted_sparse_column(z, "czw")
    assert layers.sparse_combiner_of([weighted]) == "mean"
    assert layers.sparse_combiner_of(
        [layers.crossed_column([x, y], 5, combiner="sqrtn"), x]) == "sqrtn"
    with pytest.raises(LegacyError) as err:
        layers.sparse_combiner_of([x, z, real])
    assert "cx (sqrtn)" in one_line(err) and "cz (mean)" in one_line(err)
    # a bucketized column of several dimensions was summed in TF 1.x
    wide = layers.bucketized_column(layers.real_valued_column("cw", 2), [0.0])
    assert layers.sparse_combiner_of([wide]) == "sum"
    with pytest.raises(LegacyError):
        layers.sparse_combiner_of([wide, y])
    with pytest.raises(ValueError, match="combiner"):
        layers.sparse_column_with_keys("cbad", ["p"], combiner="max")


# ---- a canned estimator on these columns ---------------------------------

LINEAR = """\
import compat.tf1x.estimator
import numpy as np
import tensorflow as tf
from compat.tf1x import feature_column as layers

rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, size=(400, 2)).astype(np.float32)
x = x[np.abs(x[:, 0] + x[:, 1]) >= 0.2][:120]
y = (x[:, 0] + x[:, 1] > 0).astype(np.int32)
color = np.where(np.arange(len(y)) % 2 == 0, b"red", b"blue").reshape(-1, 1)
columns = [layers.real_valued_column("x", 2),
           layers.sparse_column_with_keys("color", ["red", "blue"], combiner="sqrtn"),
           layers.bucketized_column(layers.real_valued_column("s"), [0.0])]
features = {"x": x, "color": color, "s": (x[:, :1] + x[:, 1:])}
est = tf.compat.v1.estimator.LinearClassifier(
    columns, model_dir=MODEL_DIR, sparse_combiner=layers.sparse_combiner_of(columns),
    config=tf.compat.v1.estimator.RunConfig(tf_random_seed=1))
inputs = tf.compat.v1.estimator.inputs.numpy_input_fn
est.train(inputs(features, y, batch_size=40, num_epochs=None, shuffle=False), steps=60)
result = est.evaluate(inputs(features, y, batch_size=40, num_epochs=1, shuffle=False))
print("ACCURACY", result["accuracy"])
"""


def test_linear_classifier_trains_on_contrib_columns(tmp_path):
    code = LINEAR.replace("MODEL_DIR", repr(str(tmp_path / "model")))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, env=plain_env(), timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("ACCURACY")]
    assert lines == ["ACCURACY 1.0"]
