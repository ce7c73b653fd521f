"""tf.estimator's overhead: steps/s of a small ``model_fn`` trained with
``Estimator.train`` against the same graph run in a plain ``Session`` loop,
for ``scripts/bench.py --estimator``.

The measurement runs in a fresh interpreter (``python -m
benchmarks.estimator``): the Estimator needs legacy Keras chosen before
TensorFlow loads (``compat.tf1x.estimator``), and bench.py's own process
has already loaded Keras 3 for its twins.  In that one process the two
ways alternate, ``repeats`` times each, on the same input pipeline and
model, random data (the numbers are time, not accuracy), for two models:

* ``mlp``: 784-128-10, Adam, batch 64: a step of about a millisecond, so
  what is measured is mostly the Estimator's own cost per step;
* ``cnn``: the model_fn of TF 1.x's layers tutorial (``cnn_mnist.py``: two
  5x5 convolutions of 32 and 64 with 2x2 pooling, dense 1024, dropout
  0.4, SGD 0.001, batch 100), the era's canonical small Estimator model.

The Estimator runs with its defaults (checkpoint at the start and the end,
summaries every 100 steps), as a program would; the Session loop fetches
what the Estimator's own loop fetches, ``[train_op, loss]``.  Each way
reports its time to the first step (graph, session, first run) and its
steps/s after it; the ratio Session / Estimator above 1 is the Estimator's
cost (the issue's goal: within 1.15), and ``overhead_ms_per_step`` the same
cost as time: what MonitoredTrainingSession's hooks and run bookkeeping
add to each step, whatever the model.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

FEATURES, CLASSES, EXAMPLES = 784, 10, 2048
BATCH = {"mlp": 64, "cnn": 100}
MODELS = tuple(BATCH)


def _mlp_logits(tf, x, mode):
    hidden = tf.layers.dense(x, 128, activation=tf.nn.relu, name="hidden")
    return tf.layers.dense(hidden, CLASSES, name="logits"), tf.train.AdamOptimizer(1e-3)


def _cnn_logits(tf, x, mode):
    net = tf.reshape(x, [-1, 28, 28, 1])
    for filters in (32, 64):
        net = tf.layers.conv2d(net, filters, [5, 5], padding="same", activation=tf.nn.relu)
        net = tf.layers.max_pooling2d(net, pool_size=[2, 2], strides=2)
    net = tf.layers.dense(tf.reshape(net, [-1, 7 * 7 * 64]), 1024, activation=tf.nn.relu)
    net = tf.layers.dropout(net, rate=0.4, training=mode == tf.estimator.ModeKeys.TRAIN)
    return (tf.layers.dense(net, CLASSES, name="logits"),
            tf.train.GradientDescentOptimizer(learning_rate=0.001))


def _pieces(tf, seed, model):
    """The input_fn and model_fn both ways share."""
    import numpy as np
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(EXAMPLES, FEATURES)).astype(np.float32)
    y = rng.randint(CLASSES, size=EXAMPLES).astype(np.int32)
    logits_of = {"mlp": _mlp_logits, "cnn": _cnn_logits}[model]

    def input_fn():
        data = tf.data.Dataset.from_tensor_slices(({"x": x}, y))
        return data.repeat().batch(BATCH[model])

    def model_fn(features, labels, mode):
        logits, optimizer = logits_of(tf, features["x"], mode)
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        train_op = optimizer.minimize(loss, global_step=tf.train.get_or_create_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    return input_fn, model_fn


def _rate(times, steps):
    """(time to the first step, steps/s after it) from ``times``: the start,
    then the end of every step."""
    return times[1] - times[0], (steps - 1) / (times[-1] - times[1])


def _estimator_way(tf, model, steps, seed):
    input_fn, model_fn = _pieces(tf, seed, model)
    times = []

    class StepTimes(tf.train.SessionRunHook):
        def after_run(self, run_context, run_values):
            times.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as model_dir:
        estimator = tf.estimator.Estimator(
            model_fn, model_dir=model_dir, config=tf.estimator.RunConfig(tf_random_seed=seed))
        times.append(time.perf_counter())
        estimator.train(input_fn, steps=steps, hooks=[StepTimes()])
    return _rate(times, steps)


def _session_way(tf, model, steps, seed):
    input_fn, model_fn = _pieces(tf, seed, model)
    times = [time.perf_counter()]
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        features, labels = tf.data.make_one_shot_iterator(input_fn()).get_next()
        spec = model_fn(features, labels, tf.estimator.ModeKeys.TRAIN)
        init = tf.global_variables_initializer()
        tf.get_default_graph().finalize()
        with tf.Session() as session:
            session.run(init)
            for _ in range(steps):
                session.run([spec.train_op, spec.loss])
                times.append(time.perf_counter())
    return _rate(times, steps)


def _model_result(tf, model, steps, repeats, seed):
    runs = {"estimator": [], "session": []}
    for _ in range(repeats):
        runs["estimator"].append(_estimator_way(tf, model, steps, seed))
        runs["session"].append(_session_way(tf, model, steps, seed))
    pairs = list(zip(runs["estimator"], runs["session"]))
    ratios = [s[1] / e[1] for e, s in pairs]
    result = {"steps": steps, "batch": BATCH[model],
              "session_over_estimator": statistics.median(ratios),
              "ratio_min": min(ratios), "ratio_max": max(ratios),
              "overhead_ms_per_step": statistics.median(
                  1e3 / e[1] - 1e3 / s[1] for e, s in pairs)}
    for way, measured in runs.items():
        result[way + "_steps_per_s"] = statistics.median(rate for _, rate in measured)
        result[way + "_first_step_s"] = statistics.median(first for first, _ in measured)
    return result


def measure(steps, cnn_steps, repeats, seed=0):
    """Both ways, alternating, for each model in this (fresh) process: the
    results dict (``{"repeats": n, "mlp": {...}, "cnn": {...}}``)."""
    import compat.tf1x.estimator  # noqa: F401  (before TensorFlow)
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    result = {"repeats": repeats}
    for model, model_steps in (("mlp", steps), ("cnn", cnn_steps)):
        result[model] = _model_result(tf, model, model_steps, repeats, seed)
    return result


def run_child(root, steps, cnn_steps, repeats, seed=0):
    """:func:`measure` in a fresh interpreter from the checkout ``root``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    env.pop("TF_USE_LEGACY_KERAS", None)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.estimator", "--steps=%d" % steps,
         "--cnn_steps=%d" % cnn_steps, "--repeats=%d" % repeats, "--seed=%d" % seed],
        capture_output=True, text=True, cwd=root, env=env, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError("estimator benchmark failed: %s"
                           % (result.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--cnn_steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.steps, args.cnn_steps) < 2 or args.repeats < 1:
        parser.error("--steps and --cnn_steps must be >= 2 and --repeats >= 1")
    print(json.dumps(measure(args.steps, args.cnn_steps, args.repeats, args.seed)))


if __name__ == "__main__":
    main()
