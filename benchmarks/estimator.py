"""tf.estimator's overhead: steps/s of a small ``model_fn`` trained with
``Estimator.train`` against the same graph run in a plain ``Session`` loop,
for ``scripts/bench.py --estimator``.

The measurement runs in a fresh interpreter (``python -m
benchmarks.estimator``): the Estimator needs legacy Keras chosen before
TensorFlow loads (``compat.tf1x.estimator``), and bench.py's own process
has already loaded Keras 3 for its twins.  In that one process the two
ways alternate, ``repeats`` times each, on the same input pipeline and
model: a 784-128-10 MLP, Adam, batch 64, random data (the numbers are
time, not accuracy).  The Estimator runs with its defaults (checkpoint at
the start and the end, summaries every 100 steps), as a program would.
Each way reports its time to the first step (graph, session, first run)
and its steps/s after it; the ratio Session / Estimator above 1 is the
Estimator's cost (the issue's goal: within 1.15).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BATCH, FEATURES, HIDDEN, CLASSES, EXAMPLES = 64, 784, 128, 10, 4096


def _pieces(tf, seed):
    """The input_fn and model_fn both ways share."""
    import numpy as np
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(EXAMPLES, FEATURES)).astype(np.float32)
    y = rng.randint(CLASSES, size=EXAMPLES).astype(np.int32)

    def input_fn():
        data = tf.data.Dataset.from_tensor_slices(({"x": x}, y))
        return data.repeat().batch(BATCH)

    def model_fn(features, labels, mode):
        hidden = tf.layers.dense(features["x"], HIDDEN, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(hidden, CLASSES, name="logits")
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        train_op = tf.train.AdamOptimizer(1e-3).minimize(
            loss, global_step=tf.train.get_or_create_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    return input_fn, model_fn


def _rate(times, steps):
    """(time to the first step, steps/s after it) from ``times``: the start,
    then the end of every step."""
    return times[1] - times[0], (steps - 1) / (times[-1] - times[1])


def _estimator_way(tf, steps, seed):
    input_fn, model_fn = _pieces(tf, seed)
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


def _session_way(tf, steps, seed):
    input_fn, model_fn = _pieces(tf, seed)
    times = [time.perf_counter()]
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        features, labels = tf.data.make_one_shot_iterator(input_fn()).get_next()
        train_op = model_fn(features, labels, tf.estimator.ModeKeys.TRAIN).train_op
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            for _ in range(steps):
                session.run(train_op)
                times.append(time.perf_counter())
    return _rate(times, steps)


def measure(steps, repeats, seed=0):
    """Both ways, alternating, in this (fresh) process: the results dict."""
    import compat.tf1x.estimator  # noqa: F401  (before TensorFlow)
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    runs = {"estimator": [], "session": []}
    for _ in range(repeats):
        runs["estimator"].append(_estimator_way(tf, steps, seed))
        runs["session"].append(_session_way(tf, steps, seed))
    ratios = [s[1] / e[1] for e, s in zip(runs["estimator"], runs["session"])]
    result = {"steps": steps, "repeats": repeats,
              "session_over_estimator": statistics.median(ratios),
              "ratio_min": min(ratios), "ratio_max": max(ratios)}
    for way, pairs in runs.items():
        result[way + "_steps_per_s"] = statistics.median(rate for _, rate in pairs)
        result[way + "_first_step_s"] = statistics.median(first for first, _ in pairs)
    return result


def run_child(root, steps, repeats, seed=0):
    """:func:`measure` in a fresh interpreter from the checkout ``root``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    env.pop("TF_USE_LEGACY_KERAS", None)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.estimator", "--steps=%d" % steps,
         "--repeats=%d" % repeats, "--seed=%d" % seed],
        capture_output=True, text=True, cwd=root, env=env, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError("estimator benchmark failed: %s"
                           % (result.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.steps < 2 or args.repeats < 1:
        parser.error("--steps must be >= 2 and --repeats >= 1")
    print(json.dumps(measure(args.steps, args.repeats, args.seed)))


if __name__ == "__main__":
    main()
