"""tf.contrib.learn's Estimator API (compat.tf1x.learn_estimator /
learn_canned) on tensorflow-estimator 2.15.

One subprocess (the estimator glue must load before TensorFlow) runs a
2018-style program and prints its numbers; the assertions recompute them
with numpy: plain gradient descent replayed on the batches TF 1.x's data
feeder would have drawn (RandomState(42), reshuffled per epoch, short last
batch), the evaluation loss as the mean of per-batch losses, the
predictions from the trained variables.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import plain_env

LR = 0.1
PROGRAM = r"""
import compat.tf1x.estimator
import json, os, sys
import numpy as np
from compat.tf1x import learn
from compat.util.errors import LegacyError
import tensorflow as tf
v1 = tf.compat.v1
OUT = sys.argv[1]
LR = %(LR)r

rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, size=(20, 3)).astype(np.float32)
y = (x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3).astype(np.float32)
result = {"x": x.tolist(), "y": y.tolist()}
seen = {}

def linear(features):
    w = v1.get_variable("w", [3, 1], initializer=v1.zeros_initializer())
    b = v1.get_variable("b", [], initializer=v1.zeros_initializer())
    return tf.squeeze(tf.matmul(features, w), 1) + b

def ops_model(features, labels, mode, params, config):
    seen.setdefault("modes", []).append(mode)
    seen["params"] = params
    seen["config_is_runconfig"] = isinstance(config, learn.RunConfig)
    pred = linear(features)
    if mode == learn.ModeKeys.INFER:
        return learn.ModelFnOps(mode, predictions=pred)
    loss = v1.losses.mean_squared_error(labels, pred)
    train = v1.train.GradientDescentOptimizer(params["lr"]).minimize(
        loss, global_step=v1.train.get_global_step())
    return learn.ModelFnOps(mode, predictions=pred, loss=loss, train_op=train)

def tuple_model(features, labels):
    pred = linear(features)
    loss = v1.losses.mean_squared_error(labels, pred)
    train = v1.train.GradientDescentOptimizer(LR).minimize(
        loss, global_step=v1.train.get_global_step())
    return pred, loss, train

def variables(est):
    return {"w": est.get_variable_value("w").ravel().tolist(),
            "b": float(est.get_variable_value("b")),
            "step": int(est.get_variable_value("global_step"))}

def in_fn():
    return tf.constant(x), tf.constant(y)

# 1. ModelFnOps model: fit(x, y) twice (each fit a fresh feeder), then input_fn.
est = learn.Estimator(ops_model, model_dir=os.path.join(OUT, "ops"), params={"lr": LR},
                      config=learn.RunConfig(tf_random_seed=1))
est.fit(x=x, y=y, steps=5, batch_size=8)
result["after_fit1"] = variables(est)
est.fit(x=x, y=y, steps=3, batch_size=8)
result["after_fit2"] = variables(est)
est.fit(input_fn=in_fn, steps=2)
result["after_fit3"] = variables(est)

def contrib_order(predictions, labels):          # contrib.metrics' argument order
    return v1.metrics.mean(predictions - labels)
def bare(predictions, labels):
    return v1.metrics.mean_squared_error(labels, predictions)
ev = est.evaluate(x=x, y=y, batch_size=7, metrics={
    "mae": learn.MetricSpec(v1.metrics.mean_absolute_error),
    "bias": learn.MetricSpec(contrib_order), "bare_mse": bare})
result["eval"] = {k: float(v) for k, v in ev.items()}
result["predict_iter"] = [float(p) for p in est.predict(x=x, batch_size=6)]
result["predict_array"] = est.predict(x=x, as_iterable=False).tolist()
result["seen"] = {"modes": sorted(set(seen["modes"])), "params": seen["params"],
                  "config_is_runconfig": seen["config_is_runconfig"]}

# 2. A (predictions, loss, train_op) model_fn of (features, labels) only.
tup = learn.Estimator(tuple_model, model_dir=os.path.join(OUT, "tuple"))
tup.fit(input_fn=in_fn, steps=3)
tup.fit(x=x, y=y, steps=2)       # batch_size None: the whole array per step
result["tuple"] = variables(tup)

# 3. Canned classifiers on separable data (margin 0.3 around x0 + x1 = 0).
c = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
c = c[np.abs(c[:, 0] + c[:, 1]) >= 0.3][:60]
labels = (c[:, 0] + c[:, 1] > 0).astype(np.int64)
result["c_labels"] = labels.tolist()
cols = learn.infer_real_valued_columns_from_input(c)
dnn = learn.DNNClassifier([8], cols, model_dir=os.path.join(OUT, "dnn"),
                          config=learn.RunConfig(tf_random_seed=1))
dnn.fit(x=c, y=labels, steps=150)
result["dnn_acc"] = float(dnn.evaluate(x=c, y=labels)["accuracy"])
result["dnn_pred"] = [int(p) for p in dnn.predict(x=c)]
result["dnn_proba_shape"] = list(dnn.predict_proba(x=c, as_iterable=False).shape)
lin = learn.LinearClassifier([tf.feature_column.numeric_column("p", shape=[2])],
                             model_dir=os.path.join(OUT, "lin"))
lin_in = v1.estimator.inputs.numpy_input_fn({"p": c}, labels, batch_size=60,
                                            num_epochs=None, shuffle=False)
lin.fit(input_fn=lin_in, steps=150)
result["lin_acc"] = float(lin.evaluate(input_fn=lin_in, steps=1)["accuracy"])
result["lin_pred"] = [int(p) for p in lin.predict(input_fn=v1.estimator.inputs.numpy_input_fn(
    {"p": c}, batch_size=60, num_epochs=1, shuffle=False))]

# 4. DNNLinearCombined: both parts step the global step unless fixed (TF 1.x).
for fix in (False, True):
    comb = learn.DNNLinearCombinedClassifier(
        model_dir=os.path.join(OUT, "comb%%d" %% fix), linear_feature_columns=cols,
        dnn_feature_columns=cols, dnn_hidden_units=[4], fix_global_step_increment_bug=fix)
    comb.fit(x=c, y=labels, steps=3)
    result["comb_step_%%s" %% fix] = int(comb.get_variable_value("global_step"))

# 5. RunConfig and refusals.
cfg = learn.RunConfig(num_cores=3)
result["config"] = [cfg.save_checkpoints_secs, cfg.tf_config.intra_op_parallelism_threads,
                    learn.RunConfig(save_checkpoints_steps=10).save_checkpoints_secs,
                    cfg.keep_checkpoint_max, cfg.save_summary_steps]
refusals = {}
attempts = {
    "centered_bias": lambda: learn.DNNClassifier([4], cols, enable_centered_bias=True),
    "clip": lambda: learn.LinearClassifier(cols, gradient_clip_norm=5.0),
    "master": lambda: learn.RunConfig(master="grpc://host:2222"),
    "monitor": lambda: est.fit(x=x, y=y, steps=1, monitors=[object()]),
    "linear_opt_name": lambda: learn.LinearRegressor(cols, optimizer="Ftrl"),
}
for name, attempt in attempts.items():
    try:
        attempt()
        refusals[name] = None
    except LegacyError as err:
        refusals[name] = str(err)
result["refusals"] = refusals
try:
    learn.Estimator(tuple_model, params={"lr": 1})
    result["params_check"] = None
except ValueError as err:
    result["params_check"] = str(err)

# 6. Experiment through learn_runner.run (local default: train_and_evaluate).
from compat.tf1x import learn_runner
def experiment_fn(run_config, hparams):
    return learn.Experiment(learn.Estimator(tuple_model, config=run_config),
                            train_input_fn=in_fn, eval_input_fn=in_fn, train_steps=4,
                            eval_steps=1)
exp_dir = os.path.join(OUT, "exp")
ev, exports = learn_runner.run(experiment_fn, run_config=learn.RunConfig(model_dir=exp_dir))
exp_est = learn.Estimator(tuple_model, model_dir=exp_dir)
result["experiment"] = {"eval": {k: float(v) for k, v in ev.items()}, "exports": exports,
                        "vars": variables(exp_est),
                        "eval_dir": os.path.isdir(os.path.join(exp_dir, "eval"))}
sk = learn.SKCompat(learn.Estimator(ops_model, model_dir=os.path.join(OUT, "sk"),
                                   params={"lr": LR}))
sk.fit(x, y, steps=2)
result["sk"] = {"score": sorted(sk.score(x, y)), "predict": sk.predict(x).tolist(),
                "vars": variables(sk._estimator)}
result["prediction_keys"] = [learn.PredictionKey.CLASSES, learn.PredictionKey.SCORES,
                             learn.PredictionKey.PROBABILITIES]

# 7. Weighted LinearRegressor: training loss sum(w*l)/batch (one GD step),
# evaluation loss contrib's per-batch sum(w*l)/sum(w).
weights = rng.uniform(0.5, 2.0, size=20).astype(np.float32)
result["weights"] = weights.tolist()
reg = learn.LinearRegressor([tf.feature_column.numeric_column("f", shape=[3])],
                            weight_column_name="wt", model_dir=os.path.join(OUT, "reg"),
                            optimizer=v1.train.GradientDescentOptimizer(LR))
reg.fit(input_fn=lambda: ({"f": tf.constant(x), "wt": tf.constant(weights)}, tf.constant(y)),
        steps=1)
names = reg.get_variable_names()
kernel = [n for n in names if n.endswith("f/weights")][0]
bias = [n for n in names if n.endswith("bias_weights")][0]
reg_ev = reg.evaluate(input_fn=v1.estimator.inputs.numpy_input_fn(
    {"f": x, "wt": weights}, y, batch_size=8, num_epochs=1, shuffle=False))
result["reg"] = {"w": reg.get_variable_value(kernel).ravel().tolist(),
                 "b": float(reg.get_variable_value(bias).ravel()[0]),
                 "loss": float(reg_ev["loss"]),
                 "scores": [float(p) for p in reg.predict(
                     input_fn=v1.estimator.inputs.numpy_input_fn(
                         {"f": x, "wt": weights}, batch_size=8, num_epochs=1, shuffle=False))]}
print("RESULT " + json.dumps(result))
""" % {"LR": LR}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contrib_learn")
    script = tmp / "prog.py"
    script.write_text(PROGRAM)
    proc = subprocess.run([sys.executable, str(script), str(tmp)], capture_output=True,
                          text=True, env=plain_env(), timeout=600, cwd=str(tmp))
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def _gd(x, y, w, b, batches):
    """Plain gradient descent on mean squared error, batch by batch."""
    for rows in batches:
        err = x[rows] @ w + b - y[rows]
        w = w - LR * 2 * x[rows].T @ err / len(rows)
        b = b - LR * 2 * err.mean()
    return w, b


def _feeder_batches(n, batch_size, steps):
    """TF 1.x DataFeeder's draws: RandomState(42) permutations, one per
    epoch, the last batch of an epoch short."""
    random = np.random.RandomState(42)
    order, offset, out = random.permutation(n), 0, []
    for _ in range(steps):
        out.append(order[offset:offset + batch_size])
        offset += batch_size
        if offset >= n:
            order, offset = random.permutation(n), 0
    return out


def _data(run):
    return np.array(run["x"], np.float64), np.array(run["y"], np.float64)


def _check(variables, w, b, step):
    assert variables["step"] == step
    np.testing.assert_allclose(variables["w"], w, rtol=1e-4, atol=1e-5)
    assert variables["b"] == pytest.approx(b, rel=1e-4, abs=1e-5)


def test_fit_feeds_numpy_like_tf1_and_resumes_at_the_saved_step(run):
    x, y = _data(run)
    w, b = _gd(x, y, np.zeros(3), 0.0, _feeder_batches(20, 8, 5))
    _check(run["after_fit1"], w, b, 5)
    # A second fit starts a fresh feeder (same draws) at global step 5.
    w, b = _gd(x, y, w, b, _feeder_batches(20, 8, 3))
    _check(run["after_fit2"], w, b, 8)
    w, b = _gd(x, y, w, b, [np.arange(20)] * 2)
    _check(run["after_fit3"], w, b, 10)


def test_tuple_model_fn_trains_with_input_fn_and_full_batch_x(run):
    x, y = _data(run)
    w, b = _gd(x, y, np.zeros(3), 0.0, [np.arange(20)] * 5)
    _check(run["tuple"], w, b, 5)


def test_model_fn_arguments_detected_by_name(run):
    assert run["seen"] == {"modes": ["eval", "infer", "train"], "params": {"lr": LR},
                           "config_is_runconfig": True}
    assert run["params_check"].startswith("Estimator's model_fn")


def test_evaluate_and_predict_match_numpy(run):
    x, y = _data(run)
    w, b = np.array(run["after_fit3"]["w"]), run["after_fit3"]["b"]
    pred = x @ w + b
    ev = run["eval"]
    assert set(ev) == {"loss", "global_step", "mae", "bias", "bare_mse"}
    assert ev["global_step"] == 10
    batches = [slice(0, 7), slice(7, 14), slice(14, 20)]
    assert ev["loss"] == pytest.approx(np.mean([np.mean((pred[s] - y[s]) ** 2)
                                                for s in batches]), rel=1e-4)
    assert ev["mae"] == pytest.approx(np.abs(pred - y).mean(), rel=1e-4)
    assert ev["bias"] == pytest.approx((pred - y).mean(), rel=1e-3, abs=1e-6)
    assert ev["bare_mse"] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-4)
    np.testing.assert_allclose(run["predict_iter"], pred, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run["predict_array"], pred, rtol=1e-4, atol=1e-5)


def test_canned_classifiers_learn_separable_data_and_predict_class_ids(run):
    labels = run["c_labels"]
    assert run["dnn_acc"] == 1.0 and run["lin_acc"] == 1.0
    assert run["dnn_pred"] == labels and run["lin_pred"] == labels
    assert run["dnn_proba_shape"] == [len(labels), 2]


def test_combined_estimator_keeps_the_global_step_bug_unless_fixed(run):
    # steps=3 stops at the first global step >= 3: 0 -> 2 -> 4 with the bug.
    assert run["comb_step_False"] == 4 and run["comb_step_True"] == 3


def test_run_config_defaults(run):
    assert run["config"] == [600, 3, None, 5, 100]


def test_unservable_arguments_stop_with_one_line(run):
    refusals = run["refusals"]
    assert all(message and "\n" not in message for message in refusals.values()), refusals
    assert "enable_centered_bias" in refusals["centered_bias"]
    assert "gradient_clip_norm" in refusals["clip"]
    assert "master" in refusals["master"]
    assert "monitors" in refusals["monitor"]
    assert "optimizer" in refusals["linear_opt_name"]


def test_learn_runner_trains_to_train_steps_then_evaluates(run):
    x, y = _data(run)
    w, b = _gd(x, y, np.zeros(3), 0.0, [np.arange(20)] * 4)
    exp = run["experiment"]
    _check(exp["vars"], w, b, 4)
    assert exp["exports"] == [] and exp["eval_dir"]
    assert exp["eval"]["global_step"] == 4
    assert exp["eval"]["loss"] == pytest.approx(np.mean((x @ w + b - y) ** 2), rel=1e-4)


def test_skcompat_feeds_batches_of_128(run):
    x, y = _data(run)
    # 128 > 20 rows: every step sees all rows (in a new order).
    w, b = _gd(x, y, np.zeros(3), 0.0, [np.arange(20)] * 2)
    _check(run["sk"]["vars"], w, b, 2)
    assert run["sk"]["score"] == ["global_step", "loss"]
    np.testing.assert_allclose(run["sk"]["predict"], x @ w + b, rtol=1e-4, atol=1e-5)
    assert run["prediction_keys"] == ["classes", "scores", "probabilities"]


def test_weighted_regressor_trains_on_mean_and_reports_weighted_average(run):
    x, y = _data(run)
    weights = np.array(run["weights"])
    # One GD step from zero on sum(w * (pred - y)^2) / batch_size.
    w = LR * 2 * x.T @ (weights * y) / len(y)
    b = LR * 2 * (weights * y).sum() / len(y)
    reg = run["reg"]
    np.testing.assert_allclose(reg["w"], w, rtol=1e-4)
    assert reg["b"] == pytest.approx(b, rel=1e-4)
    pred = x @ w + b
    np.testing.assert_allclose(reg["scores"], pred, rtol=1e-4, atol=1e-5)
    batches = [slice(0, 8), slice(8, 16), slice(16, 20)]
    expected = np.mean([(weights[s] * (pred[s] - y[s]) ** 2).sum() / weights[s].sum()
                        for s in batches])
    assert reg["loss"] == pytest.approx(expected, rel=1e-4)


# The same API as a 2017 program wrote it (tf.contrib.learn with contrib
# feature columns, wide-and-deep), run unmodified and upgraded.
WIDE_AND_DEEP = """\
import itertools
import json
import os
import sys
import numpy as np
import tensorflow as tf
from tensorflow.contrib import layers, learn

tf.logging.set_verbosity(tf.logging.ERROR)
rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, size=(64, 2)).astype(np.float32)
colors = np.array(["blue", "red"])[(x[:, 0] > 0).astype(int)]
y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def input_fn():
    features = {"x": tf.constant(x), "color": tf.constant(colors.reshape(-1, 1))}
    return features, tf.constant(y)


color = layers.sparse_column_with_keys("color", ["blue", "red"])
real = layers.real_valued_column("x", dimension=2)
model = learn.DNNLinearCombinedClassifier(
    linear_feature_columns=[color, real],
    dnn_feature_columns=[real, layers.embedding_column(color, dimension=2)],
    dnn_hidden_units=[8], model_dir="model_" + os.path.basename(sys.argv[0]),
    config=learn.RunConfig(tf_random_seed=1))
model.fit(input_fn=input_fn, steps=60)
evaluation = model.evaluate(input_fn=input_fn, steps=1)
predicted = list(itertools.islice(model.predict(input_fn=input_fn), len(y)))
print(json.dumps({"keys": sorted(evaluation), "accuracy": float(evaluation["accuracy"]),
                  "global_step": int(evaluation["global_step"]),
                  "predicted": [int(p) for p in predicted]}))
"""


def test_wide_and_deep_program_runs_both_ways_with_the_same_numbers(tmp_path):
    import era_run
    runner = era_run.last_json(era_run.through_runner(tmp_path, WIDE_AND_DEEP)[0])
    result, out = era_run.upgraded(tmp_path, WIDE_AND_DEEP)
    assert not result.flags
    assert era_run.last_json(out) == runner
    assert {"accuracy", "loss", "global_step", "auc"} <= set(runner["keys"])
    # fit(steps=60) with both parts and contrib's global-step bug (+2 per
    # step): StopAtStepHook sees 58 + 1 < 60 after step 30, 60 + 1 after
    # step 31, then reads the step itself: 62.
    assert runner["global_step"] == 62
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(64, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    assert runner["accuracy"] == pytest.approx(np.mean(np.array(runner["predicted"]) == y))
    assert runner["accuracy"] > 0.8
