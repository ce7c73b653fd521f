"""The upgrader's speed against TensorFlow's ``tf_upgrade_v2``, on one tree
of legacy programs written here (small TF 0.x-style programs of this
project's own, copied N times), for ``scripts/bench.py``.

The two tools do different jobs (``compat.upgrade`` brings TF 0.x/1.x
source to ``tf.compat.v1``; ``tf_upgrade_v2`` brings 1.x source to 2.x and
does not know the 0.x names), so only the time is compared.  Both are
timed two ways: as a user runs them (a command in a fresh process,
interpreter and imports included: ``tf_upgrade_v2`` imports TensorFlow,
``scripts/upgrade.py`` does not) and in this process (the tree walk and
rewrite alone).
"""

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from compat import upgrade

# Each program exercises names the 0.x -> 1.0 renames removed.
LEGACY_PROGRAMS = {
    "mnist_softmax.py": '''\
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(tf.mul(y_, tf.log(y)), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
tf.scalar_summary("loss", cross_entropy)
merged = tf.merge_all_summaries()

sess = tf.Session()
writer = tf.train.SummaryWriter("/tmp/logs", sess.graph)
sess.run(tf.initialize_all_variables())
for i in range(1000):
    batch_xs, batch_ys = mnist.train.next_batch(100)
    summary, _ = sess.run([merged, train_step], feed_dict={x: batch_xs, y_: batch_ys})
    writer.add_summary(summary, i)
''',
    "layers.py": '''\
import tensorflow as tf


def dense(x, fan_in, fan_out, name):
    with tf.variable_scope(name):
        w = tf.Variable(tf.truncated_normal([fan_in, fan_out], stddev=0.1))
        b = tf.Variable(tf.constant(0.1, shape=[fan_out]))
        tf.histogram_summary(name + "/weights", w)
        return tf.nn.relu(tf.matmul(x, w) + b)


def two_towers(x):
    left = dense(x, 784, 256, "left")
    right = dense(x, 784, 256, "right")
    both = tf.concat(1, [left, right])
    halves = tf.split(1, 2, both)
    return tf.sub(halves[0], tf.neg(halves[1]))


def loss(logits, labels):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, labels))
''',
    "kernels.py": '''\
import tensorflow as tf


def grid(kernel, grid_y, grid_x, pad=1):
    x_min = tf.reduce_min(kernel)
    x_max = tf.reduce_max(kernel)
    scaled = tf.div(kernel - x_min, x_max - x_min)
    padded = tf.pad(scaled, tf.constant([[pad, pad], [pad, pad], [0, 0], [0, 0]]))
    y = kernel.get_shape()[0] + 2 * pad
    x = kernel.get_shape()[1] + 2 * pad
    tiles = tf.transpose(padded, (3, 0, 1, 2))
    columns = tf.reshape(tiles, tf.pack([grid_x, y * grid_y, x, 1]))
    image = tf.transpose(columns, (0, 2, 1, 3))
    return tf.image.convert_image_dtype(tf.expand_dims(image[0], 0), dtype=tf.uint8)


def kernel_summary(kernel, step):
    return tf.image_summary("conv1/features" + str(step), grid(kernel, 4, 8), max_images=1)
''',
    "train_loop.py": '''\
import numpy as np
import tensorflow as tf

from layers import two_towers, loss

x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.float32, [None, 10])
w_out = tf.Variable(tf.random_normal([256, 10]))
logits = tf.matmul(two_towers(x), w_out)
cost = loss(logits, y)
step = tf.train.AdamOptimizer(1e-3).minimize(cost)
correct = tf.equal(tf.arg_max(logits, 1), tf.arg_max(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
init = tf.initialize_all_variables()

with tf.Session() as sess:
    sess.run(init)
    for i in range(100):
        batch = np.random.rand(32, 784), np.eye(10)[np.random.randint(0, 10, 32)]
        _, c = sess.run([step, cost], feed_dict={x: batch[0], y: batch[1]})
        if i % 10 == 0:
            print("step", i, "cost", c, "accuracy", sess.run(accuracy, {x: batch[0], y: batch[1]}))
''',
}


def write_legacy_tree(root, copies):
    """``copies`` directories of the legacy programs under ``root``; returns
    the number of files written."""
    count = 0
    for n in range(copies):
        directory = os.path.join(root, "project_%03d" % n)
        os.makedirs(directory)
        for name, source in LEGACY_PROGRAMS.items():
            with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
                f.write(source)
            count += 1
    return count


def tf_upgrade_v2_command():
    """The installed ``tf_upgrade_v2`` (or the module it runs)."""
    found = shutil.which("tf_upgrade_v2")
    if found:
        return [found]
    return [sys.executable, "-m", "tensorflow.tools.compatibility.tf_upgrade_v2_main"]


def _timed_command(name, argv, cwd, env):
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise RuntimeError("%s failed: %s" % (name, lines[-1] if lines
                                              else "exit status %d" % result.returncode))
    return seconds


def _ours_in_process(indir, outdir):
    done = upgrade.upgrade_tree(indir, outdir)
    failed = [rel for rel, _, error in done if error is not None]
    if failed:
        raise RuntimeError("the upgrader failed on %s" % ", ".join(failed))


def _tf_upgrade_v2_modules():
    # Imported before the clock starts, as compat.upgrade is imported before
    # ours is timed: the in-process times compare the work, not the imports.
    from tensorflow.tools.compatibility import ast_edits
    from tensorflow.tools.compatibility import tf_upgrade_v2
    return ast_edits, tf_upgrade_v2


def _theirs_in_process(indir, outdir):
    ast_edits, tf_upgrade_v2 = _tf_upgrade_v2_modules()
    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
    # process_tree prints what it does; the benchmark's stdout is its table.
    with contextlib.redirect_stdout(io.StringIO()):
        upgrader.process_tree(indir, outdir, True)


def _check_output(outdir, files):
    written = sum(name.endswith(".py") for _, _, names in os.walk(outdir) for name in names)
    if written != files:
        raise RuntimeError("an upgrader wrote %d of %d files into %s" % (written, files, outdir))


def time_upgraders(copies, repeats, upgrade_script, env=None):
    """Median seconds of each upgrader over ``repeats`` runs on one tree of
    ``copies`` x the legacy programs, and our time over theirs:
    ``{"files", "ours_cli_s", "tf_upgrade_v2_cli_s", "ours_in_process_s",
    "tf_upgrade_v2_in_process_s", "ours_over_tf_upgrade_v2_cli",
    "ours_over_tf_upgrade_v2_in_process"}``.  ``upgrade_script`` is the
    absolute path of scripts/upgrade.py (the commands run in a scratch
    directory, where tf_upgrade_v2 also leaves its report)."""
    _tf_upgrade_v2_modules()
    with tempfile.TemporaryDirectory(prefix="bench_upgrade_") as work:
        indir = os.path.join(work, "legacy")
        files = write_legacy_tree(indir, copies)
        times = {"ours_cli_s": [], "tf_upgrade_v2_cli_s": [], "ours_in_process_s": [],
                 "tf_upgrade_v2_in_process_s": []}
        for r in range(repeats):
            # Fresh output trees: tf_upgrade_v2 refuses an existing one.
            out = lambda name: os.path.join(work, "%s_%d" % (name, r))  # noqa: E731
            times["ours_cli_s"].append(_timed_command(
                "scripts/upgrade.py", [sys.executable, upgrade_script, "--intree", indir,
                                       "--outtree", out("ours_cli")], work, env))
            times["tf_upgrade_v2_cli_s"].append(_timed_command(
                "tf_upgrade_v2", tf_upgrade_v2_command() + [
                    "--intree", indir, "--outtree", out("tf2_cli"),
                    "--reportfile", out("report") + ".txt"], work, env))
            start = time.perf_counter()
            _ours_in_process(indir, out("ours"))
            times["ours_in_process_s"].append(time.perf_counter() - start)
            _check_output(out("ours"), files)
            start = time.perf_counter()
            _theirs_in_process(indir, out("tf2"))
            times["tf_upgrade_v2_in_process_s"].append(time.perf_counter() - start)
            _check_output(out("tf2"), files)
    result = {name: float(np.median(values)) for name, values in times.items()}
    result["files"] = files
    result["ours_over_tf_upgrade_v2_cli"] = result["ours_cli_s"] / result["tf_upgrade_v2_cli_s"]
    result["ours_over_tf_upgrade_v2_in_process"] = (result["ours_in_process_s"]
                                                   / result["tf_upgrade_v2_in_process_s"])
    return result
