"""tf.estimator the TF 1.x way (tensorflow-estimator 2.15 through
compat.tf1x.estimator): a 2018-style program with a custom model_fn and a
canned LinearClassifier, run unmodified through the legacy runner and
upgraded then run with plain python; the glue's one-line refusals."""

import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compat import upgrade
from conftest import REPO_ROOT, plain_env

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")
N, M = 30, 20          # the two train() calls' steps

# The data: 200 points, label = x0 + x1 > 0.  The canned model sees only
# the points at least 0.2 from that line, so a linear model (the line
# through the origin with normal (1, 1) is in its hypothesis class) can
# and, minimising logistic loss on separable data, does classify all of
# them: accuracy 1.0.
PROGRAM = """\
import json
import sys

import numpy as np
import tensorflow as tf

tf.logging.set_verbosity(tf.logging.INFO)
MODEL_DIR, LINEAR_DIR = sys.argv[1], sys.argv[2]

rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
y = (x[:, 0] + x[:, 1] > 0).astype(np.int32)


def model_fn(features, labels, mode, params):
    logits = tf.layers.dense(features["x"], 2, name="logits")
    classes = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"class": classes})
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.metrics.accuracy(labels, classes)}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    optimizer = tf.train.GradientDescentOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


config = tf.estimator.RunConfig(tf_random_seed=42, log_step_count_steps=10)
estimator = tf.estimator.Estimator(model_fn, model_dir=MODEL_DIR, config=config,
                                   params={"learning_rate": 0.5})
train_input = tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=20,
                                                 num_epochs=None, shuffle=False)
checkpoints = []
estimator.train(train_input, steps=%(N)d)
checkpoints.append(tf.train.latest_checkpoint(MODEL_DIR))
estimator.train(train_input, steps=%(M)d)
checkpoints.append(tf.train.latest_checkpoint(MODEL_DIR))
evaluation = estimator.evaluate(tf.estimator.inputs.numpy_input_fn(
    {"x": x}, y, batch_size=20, num_epochs=1, shuffle=False))
predictions = list(estimator.predict(tf.estimator.inputs.numpy_input_fn(
    {"x": x}, batch_size=20, num_epochs=1, shuffle=False)))
kernel = estimator.get_variable_value("logits/kernel")
bias = estimator.get_variable_value("logits/bias")

keep = np.abs(x[:, 0] + x[:, 1]) >= 0.2
linear = tf.estimator.LinearClassifier([tf.feature_column.numeric_column("x", shape=[2])],
                                       model_dir=LINEAR_DIR,
                                       config=tf.estimator.RunConfig(tf_random_seed=42))
linear.train(tf.estimator.inputs.numpy_input_fn({"x": x[keep]}, y[keep], batch_size=50,
                                                num_epochs=None, shuffle=False), steps=200)
linear_eval = linear.evaluate(tf.estimator.inputs.numpy_input_fn(
    {"x": x[keep]}, y[keep], batch_size=50, num_epochs=1, shuffle=False))

print("RESULT " + json.dumps({
    "checkpoints": checkpoints,
    "evaluation": {key: float(value) for key, value in evaluation.items()},
    "predicted": [int(p["class"]) for p in predictions],
    "kernel": kernel.tolist(), "bias": bias.tolist(),
    "linear_accuracy": float(linear_eval["accuracy"]),
}))
""" % {"N": N, "M": M}


def _run(tmp_path, argv, tag):
    dirs = [str(tmp_path / (tag + "_model")), str(tmp_path / (tag + "_linear"))]
    result = subprocess.run([sys.executable, *argv, *dirs], capture_output=True, text=True,
                            cwd=str(tmp_path), env=plain_env(), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(l for l in result.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):]), result.stderr, dirs[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The program through the runner and upgraded with plain python."""
    tmp = tmp_path_factory.mktemp("estimator")
    (tmp / "prog.py").write_text(PROGRAM)
    upgraded = upgrade.upgrade_source(PROGRAM, "prog.py")
    (tmp / "prog_up.py").write_text(upgraded.source)
    return {"runner": _run(tmp, [RUNNER, str(tmp / "prog.py")], "runner"),
            "upgraded": _run(tmp, [str(tmp / "prog_up.py")], "upgraded"),
            "source": upgraded.source}


def _data():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int32)


@pytest.mark.parametrize("way", ["runner", "upgraded"])
def test_custom_model_fn_the_tf1_way(runs, way):
    result, stderr, model_dir = runs[way]
    # TF 1.x's LoggingTensorHook lines, every log_step_count_steps=10 steps
    # of each train().  The step they show is the global step read in the
    # same run as its increment: 0, 10, ... where tensorflow-estimator was
    # imported with TF 2.x behaviour on (the upgraded file), 1, 11, ... where
    # graph mode was on first (the runner) -- an ordering left open.
    steps = [int(step) for step in
             re.findall(r"INFO:tensorflow:loss = [-0-9.e]+, step = (\d+)", stderr)]
    first = steps[0]
    assert first in (0, 1)
    expected = [first + i for i in range(0, N, 10)] + [first + N + i for i in range(0, M, 10)]
    assert steps[:len(expected)] == expected   # then the LinearClassifier's
    assert result["checkpoints"] == [os.path.join(model_dir, "model.ckpt-%d" % N),
                                     os.path.join(model_dir, "model.ckpt-%d" % (N + M))]
    evaluation = result["evaluation"]
    assert set(evaluation) == {"accuracy", "loss", "global_step"}
    assert evaluation["global_step"] == N + M
    # One prediction per example; accuracy and loss recomputed with numpy
    # from the predictions and the trained variables (ten equal batches, so
    # the mean of batch losses is the mean over all examples).
    x, y = _data()
    assert len(result["predicted"]) == len(y)
    assert evaluation["accuracy"] == pytest.approx(np.mean(np.array(result["predicted"]) == y))
    logits = x @ np.array(result["kernel"]) + np.array(result["bias"])
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert evaluation["loss"] == pytest.approx(-logp[np.arange(len(y)), y].mean(), rel=1e-4)
    assert evaluation["accuracy"] > 0.9


@pytest.mark.parametrize("way", ["runner", "upgraded"])
def test_canned_linear_classifier_separates_separable_data(runs, way):
    assert runs[way][0]["linear_accuracy"] == 1.0


def test_runner_and_upgraded_give_the_same_numbers(runs):
    runner, upgraded = runs["runner"][0], runs["upgraded"][0]
    for key in ("evaluation", "predicted", "kernel", "bias", "linear_accuracy"):
        assert runner[key] == upgraded[key], key


def test_upgraded_file_imports_the_glue_before_tensorflow(runs):
    lines = runs["source"].splitlines()
    glue = lines.index("import compat.tf1x.estimator  # tf.estimator: tensorflow-estimator "
                       "2.15 on TF 2.x")
    assert lines[glue + 1] == "import tensorflow.compat.v1 as tf"
    # Upgrading again adds nothing.
    assert upgrade.upgrade_source(runs["source"], "prog.py").source == runs["source"]


def _python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=plain_env(), timeout=180)


def test_glue_is_idempotent_and_refuses_late_keras3_and_tpu_in_one_line():
    result = _python("""\
        import compat.tf1x.estimator as glue
        import tensorflow as tf
        import os
        first = tf.compat.v1.estimator
        assert glue.install() is first and tf.compat.v1.estimator.Estimator.__name__ == "Estimator"
        assert tf.compat.v1.estimator.ModeKeys.PREDICT == "infer"
        print(os.environ["TF_USE_LEGACY_KERAS"])
        from tensorflow.python.tpu import tpu_embedding
        tpu_embedding.TPUEmbedding()
        """)
    assert result.stdout.split() == ["1"]
    err = result.stderr.strip().splitlines()[-1]
    assert err.startswith("NotImplementedError: TPUEmbedding is TPU-only") and "TPUEstimator" in err
    late = _python("""\
        import tensorflow as tf
        tf.keras.layers.Dense
        import compat.tf1x.estimator
        """)
    assert late.returncode == 1
    assert late.stderr.strip().splitlines()[-1].startswith(
        "compat.tf1x.estimator.KerasModeError: tf.estimator cannot work in this process")


def test_contrib_learn_stops_with_what_to_use(tmp_path):
    (tmp_path / "prog.py").write_text(
        "import tensorflow as tf\nsvm = tf.contrib.learn.SVM(\"example_id\", [])\n")
    result = subprocess.run([sys.executable, RUNNER, str(tmp_path / "prog.py")],
                            capture_output=True, text=True, env=plain_env(), timeout=180)
    assert result.returncode == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "tf.contrib.learn.SVM (prog.py:2)" in err[0]
    assert "its Estimator API (Estimator, ModelFnOps" in err[0]
