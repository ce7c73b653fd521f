"""TF 1.x-era layers in graphs (issue 16): ``tf.layers`` (dense, conv2d,
max_pooling2d, flatten, batch_normalization, dropout), ``tf.nn.rnn_cell``
with ``tf.nn.dynamic_rnn``, ``tf.keras.Sequential`` built on a placeholder,
and the private ``tensorflow.python.keras`` imports of 2018 tutorials, in one
program of the era's style, run through the runner and upgraded then run
with plain python; every number checked against numpy; a Saver checkpoint
of tf.layers variables restored by name into a rebuilt graph."""

import importlib

import numpy as np
import pytest

from compat import api, upgrade
from era_run import last_json, through_runner, upgraded

PROGRAM = r'''
# A TF 1.x-era (2018) program: tf.layers, rnn_cell, Keras layers in a graph, Saver.
import json
import numpy as np
import tensorflow as tf
from tensorflow.python.keras.layers import Dense
from tensorflow.python.keras import backend as K

W = np.arange(6, dtype=np.float32).reshape(3, 2) / 10.
B = np.array([0.5, -1.], dtype=np.float32)
X = np.array([[1., 2., 3.], [-1., 0., 2.]], dtype=np.float32)
IMG = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2) / 8.
KERNEL = (np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2) - 8.) / 16.
out = {}


def model(x):
    h = tf.layers.dense(x, 2, activation=tf.nn.relu, name="hidden",
                        kernel_initializer=tf.constant_initializer(W),
                        bias_initializer=tf.constant_initializer(B))
    return tf.layers.dense(h, 1, name="out", kernel_initializer=tf.ones_initializer())


x = tf.placeholder(tf.float32, [None, 3])
dense = tf.layers.dense(x, 2, kernel_initializer=tf.constant_initializer(W),
                        bias_initializer=tf.constant_initializer(B))
img = tf.placeholder(tf.float32, [1, 4, 4, 2])
conv = tf.layers.conv2d(img, 2, 2, padding="valid", use_bias=False,
                        kernel_initializer=tf.constant_initializer(KERNEL))
pool = tf.layers.max_pooling2d(img, 2, 2)
flat = tf.layers.flatten(pool)
training = tf.placeholder(tf.bool)
bn = tf.layers.batch_normalization(x, momentum=0.99, training=training)
drop = tf.layers.dropout(x, rate=0.5, training=training, seed=1)
seq = tf.placeholder(tf.float32, [2, 2, 3])
with tf.variable_scope("rnn", initializer=tf.constant_initializer(0.1)):
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    rnn_out, rnn_state = tf.nn.dynamic_rnn(cell, seq, dtype=tf.float32)
lstm_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), seq, dtype=tf.float32,
                                scope="lstm")
keras_model = tf.keras.Sequential([Dense(2, input_shape=(3,),
                                         kernel_initializer=tf.constant_initializer(W),
                                         bias_initializer=tf.constant_initializer(B))])
keras_out = keras_model(x)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
moving_mean = [v for v in tf.global_variables() if v.name.endswith("moving_mean:0")][0]
moving_var = [v for v in tf.global_variables() if v.name.endswith("moving_variance:0")][0]

with tf.Session() as sess:
    K.set_session(sess)
    sess.run(tf.global_variables_initializer())
    out["dense"] = sess.run(dense, {x: X}).tolist()
    out["conv"] = sess.run(conv, {img: IMG}).tolist()
    out["pool"] = sess.run(pool, {img: IMG}).tolist()
    out["flat_shape"] = flat.shape.as_list()
    with tf.control_dependencies(update_ops):
        bn_train = tf.identity(bn)
    out["bn_train"] = sess.run(bn_train, {x: X, training: True}).tolist()
    out["moving"] = [sess.run(moving_mean).tolist(), sess.run(moving_var).tolist()]
    out["drop_eval"] = sess.run(drop, {x: X, training: False}).tolist()
    out["drop_train"] = sess.run(drop, {x: X, training: True}).tolist()
    out["rnn"] = sess.run([rnn_out, rnn_state], {seq: np.stack([X, X[::-1]])})
    out["rnn"] = [a.tolist() for a in out["rnn"]]
    out["lstm_shape"] = sess.run(lstm_out, {seq: np.stack([X, X])}).shape
    out["keras"] = sess.run(keras_out, {x: X}).tolist()
    out["same_session"] = K.get_session() is sess and tf.keras.backend.get_session() is sess
    out["n_update_ops"] = len(update_ops)

# Training with tf.layers: the loss falls; the Saver restores by name.
tf.reset_default_graph()
tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])
loss = tf.reduce_mean(tf.square(model(x) - y))
train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
saver = tf.train.Saver()
target = X.sum(axis=1, keepdims=True) / 4.
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    losses = [sess.run(loss, {x: X, y: target})]
    for _ in range(30):
        sess.run(train, {x: X, y: target})
    losses.append(sess.run(loss, {x: X, y: target}))
    trained = {v.op.name: sess.run(v).tolist() for v in tf.global_variables()}
    path = saver.save(sess, "./model.ckpt")
tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 3])
pred = model(x)
with tf.Session() as sess:
    tf.train.Saver().restore(sess, path)
    restored = {v.op.name: sess.run(v).tolist() for v in tf.global_variables()}
out["losses"] = [float(l) for l in losses]
out["restored_same"] = restored == trained
out["variables"] = sorted(restored)
print(json.dumps(out))
'''

W = np.arange(6, dtype=np.float32).reshape(3, 2) / 10.
B = np.array([0.5, -1.], dtype=np.float32)
X = np.array([[1., 2., 3.], [-1., 0., 2.]], dtype=np.float32)
IMG = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2) / 8.
KERNEL = (np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2) - 8.) / 16.


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The program's output through the runner and upgraded, and the
    upgrade's result."""
    runner_dir, upgraded_dir = (tmp_path_factory.mktemp(n) for n in ("runner", "upgraded"))
    runner_out, runner_err = through_runner(runner_dir, PROGRAM)
    result, upgraded_out = upgraded(upgraded_dir, PROGRAM)
    return {"runner": runner_out, "runner_err": runner_err, "upgraded": upgraded_out,
            "result": result}


@pytest.fixture(scope="module", params=["runner", "upgraded"])
def out(runs, request):
    return last_json(runs[request.param])


def conv2d_valid(image, kernel):
    """Cross-correlation, stride 1, no padding, as conv2d computes it."""
    kh, kw, _, channels = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    result = np.zeros((rows, cols, channels))
    for i in range(rows):
        for j in range(cols):
            result[i, j] = np.tensordot(image[i:i + kh, j:j + kw], kernel, axes=3)
    return result


def test_dense_and_keras_dense_are_x_w_plus_b(out):
    np.testing.assert_allclose(out["dense"], X @ W + B, rtol=1e-6)
    np.testing.assert_allclose(out["keras"], X @ W + B, rtol=1e-6)


def test_conv2d_pooling_flatten(out):
    np.testing.assert_allclose(out["conv"][0], conv2d_valid(IMG[0], KERNEL), atol=1e-6)
    expected_pool = IMG[0].reshape(2, 2, 2, 2, 2).max(axis=(1, 3))
    np.testing.assert_allclose(out["pool"][0], expected_pool)
    assert out["flat_shape"] == [1, 8]


def test_batch_normalization_training_step(out):
    # moving = momentum * moving + (1 - momentum) * batch statistic, from 0
    # and 1, with the batch's (biased) variance; the output is normalised
    # with the batch's statistics and epsilon 1e-3.
    mean, var = X.mean(axis=0), X.var(axis=0)
    np.testing.assert_allclose(out["moving"][0], 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(out["moving"][1], 0.99 + 0.01 * var, rtol=1e-6)
    np.testing.assert_allclose(out["bn_train"], (X - mean) / np.sqrt(var + 1e-3), rtol=1e-5)
    assert out["n_update_ops"] == 2


def test_dropout(out):
    assert out["drop_eval"] == X.tolist()
    train = np.asarray(out["drop_train"])
    # rate 0.5: each unit is dropped or scaled by 1 / (1 - rate).
    assert np.all((train == 0) | np.isclose(train, 2 * X))


def test_dynamic_rnn_basic_cell_is_the_tanh_recurrence(out):
    seqs = np.stack([X, X[::-1]])
    weights = np.full((3 + 2, 2), 0.1)
    state = np.zeros((2, 2))
    outputs = []
    for t in range(2):
        state = np.tanh(np.concatenate([seqs[:, t], state], axis=1) @ weights)
        outputs.append(state)
    np.testing.assert_allclose(out["rnn"][0], np.stack(outputs, axis=1), rtol=1e-6)
    np.testing.assert_allclose(out["rnn"][1], state, rtol=1e-6)
    assert out["lstm_shape"] == [2, 2, 4]


def test_private_keras_backend_is_tf_keras_backend(out):
    # K.set_session(sess) reached the session tf.keras.backend uses.
    assert out["same_session"] is True


def test_training_and_saver_restore_by_name(out):
    first, last = out["losses"]
    hidden = np.maximum(X @ W + B, 0)
    target = X.sum(axis=1, keepdims=True) / 4.
    assert first == pytest.approx(np.mean((hidden.sum(axis=1, keepdims=True) - target) ** 2),
                                  rel=1e-5)
    assert last < 0.01 * first
    assert out["restored_same"] is True
    assert out["variables"] == ["hidden/bias", "hidden/kernel", "out/bias", "out/kernel"]


def test_runner_and_upgraded_print_the_same(runs):
    assert runs["runner"] == runs["upgraded"]
    assert "tensorflow.python.keras.backend -> tf_keras.src.backend" in runs["runner_err"]


def test_upgraded_source(runs):
    source = runs["result"].source
    assert ('os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")\n'
            'import tensorflow.compat.v1 as tf\n') in source
    assert "from tf_keras.src.layers import Dense\n" in source
    assert "from tf_keras.src import backend as K\n" in source
    assert "tensorflow.python" not in source and not runs["result"].flags


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow as tf\ny = tf.layers.dense(x, 2)\n", "tf.layers.dense(x, 2)"),
    ("import tensorflow as tf\nm = tf.keras.Sequential()\n", "tf.keras.Sequential()"),
    ("import tensorflow as tf\nfrom tensorflow.keras.layers import Dense\n",
     "from tensorflow.keras.layers import Dense"),
    ("import tensorflow as tf\nfrom tensorflow.python.keras.models import Sequential\n",
     "from tf_keras.src.models import Sequential"),
    ("import tensorflow as tf\nimport tensorflow.python.keras.backend as K\n",
     "import tf_keras.src.backend as K"),
    ("import tensorflow as tf\nfrom tensorflow.python.keras.layers.core import Dense\n",
     "from tf_keras.src.layers.core import Dense"),
])
def test_every_legacy_keras_use_gets_the_environment_line(source, expected):
    result = upgrade.upgrade_source(source, "prog.py")
    assert result.source.startswith('import os\nos.environ.setdefault("TF_USE_LEGACY_KERAS", '
                                    '"1")\nimport tensorflow.compat.v1 as tf\n'), result.source
    assert expected in result.source


SUBMODULES = """\
from tensorflow.python.keras.layers.core import Dense
from tensorflow.python.keras.engine.training import Model
import tf_keras
print(Dense is tf_keras.layers.Dense, Model is tf_keras.Model)
"""


def test_submodules_of_private_keras_are_tf_keras_own(tmp_path):
    # TF 2.21 still carries a stale copy of these files, whose classes are
    # not tf-keras's: a model mixing the two would not build.
    out, _ = through_runner(tmp_path, SUBMODULES)
    assert out.split() == ["True", "True"]
    _, out = upgraded(tmp_path, SUBMODULES)
    assert out.split() == ["True", "True"]


def test_no_environment_line_without_legacy_keras():
    result = upgrade.upgrade_source("import tensorflow as tf\nx = tf.nn.relu(1.)\n", "p.py")
    assert "TF_USE_LEGACY_KERAS" not in result.source


# What programs of 2017-2019 took from each private module (TF 1.x's
# tensorflow/python/keras): each must be in the module it is served from.
USED_MEMBERS = {
    "activations": ["relu", "softmax"], "applications": ["VGG16", "ResNet50"],
    "backend": ["get_session", "set_session", "learning_phase", "placeholder", "function"],
    "callbacks": ["TensorBoard", "ModelCheckpoint", "EarlyStopping"],
    "constraints": ["max_norm"], "datasets": ["mnist", "cifar10", "imdb"],
    "engine": ["training", "base_layer", "input_layer"],
    "initializers": ["glorot_uniform", "Constant"],
    "layers": ["Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "LSTM", "Input",
               "Embedding", "BatchNormalization", "InputLayer"],
    "losses": ["categorical_crossentropy"], "metrics": ["categorical_accuracy"],
    "models": ["Sequential", "Model", "load_model"], "optimizers": ["Adam", "SGD", "RMSprop"],
    "preprocessing": ["image", "sequence", "text"], "regularizers": ["l2"],
    "utils": ["to_categorical", "Sequence"],
}


def test_private_keras_modules_have_what_programs_used():
    entries = {e.old: e for e in api.removed_modules()
               if e.old.startswith("tensorflow.python.keras.")}
    assert sorted(name.rpartition(".")[2] for name in entries) == sorted(USED_MEMBERS)
    for old, entry in entries.items():
        module = importlib.import_module(entry.new)
        missing = [m for m in USED_MEMBERS[old.rpartition(".")[2]] if not hasattr(module, m)]
        assert not missing, (old, missing)
