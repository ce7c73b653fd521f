"""The runner's reuse of the stateless ops a training loop builds again
(compat.legacy.loop_ops): a legacy program run with and without it prints
the same numbers and writes the same summaries, while only its stateful
ops (assign, random draws) still grow the graph.

Expected values are worked out by hand: gradient descent on (w - 1)^2 with
rate 0.25 halves w - 1 each step, so after k steps w = 1 + 2^-k (from 2).
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_file_loader

from compat.legacy.loop_ops import LoopOpReuse
from compat.legacy.reporter import Reporter
from compat.legacy.watchdog import GraphWatchdog
from conftest import REPO_ROOT

v1 = tf.compat.v1
RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")


@pytest.fixture
def hooked():
    """The runner's hooks, with this file as the program."""
    reporter = Reporter(quiet=True)
    reuse = LoopOpReuse(reporter, program=__file__)
    watchdog = GraphWatchdog(reporter, __file__, reuse=reuse)
    watchdog.attach()
    reuse.attach()
    try:
        yield reporter, reuse
    finally:
        reuse.detach()
        watchdog.detach()


def _model():
    graph = tf.Graph()
    with graph.as_default():
        w = v1.Variable(2.0, use_resource=False)  # as under the runner
        train = v1.train.GradientDescentOptimizer(0.25).minimize(tf.square(w - 1.0))
        init = v1.global_variables_initializer()
    return graph, w, train, init


def _summary_values(serialized):
    summary = tf.compat.v1.Summary.FromString(serialized)
    return [(value.tag, value.simple_value) for value in summary.value]


def _each_step(steps, build):
    """Train a step, then build ``build(step, w)`` (always the same line of
    this file) and run it: the values fetched and the graph's size, a pair
    per step."""
    graph, w, train, init = _model()
    values, sizes = [], []
    with graph.as_default(), v1.Session() as sess:
        sess.run(init)
        for step in range(steps):
            sess.run(train)
            values.append(sess.run(build(step, w)))
            sizes.append(len(graph.get_operations()))
    return values, sizes


def test_changing_summary_tags_are_fed_and_no_op_is_added(hooked):
    reporter, _ = hooked
    written, sizes = _each_step(6, lambda step, w: v1.summary.scalar("w%d" % step, w))
    # Each step's own tag, with w after step+1 updates.
    assert [_summary_values(s) for s in written] == \
        [[("w%d" % k, pytest.approx(1 + 2.0 ** -(k + 1)))] for k in range(6)]
    # Built on the first pass, handed back on the five after it.
    assert len(set(sizes)) == 1
    reused = [c for c in reporter.changes if c["kind"] == "reuse"]
    assert len(reused) == 1 and reused[0]["count"] == 5


def test_two_constants_of_one_line_are_told_apart_by_order(hooked):
    values, sizes = _each_step(
        5, lambda step, w: tf.constant(float(step)) + tf.constant(10.0 * step) * w)
    expected = [k + 10.0 * k * (1 + 2.0 ** -(k + 1)) for k in range(5)]
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert len(set(sizes)) == 1


def test_several_requests_of_one_line_between_two_runs_keep_their_values(hooked):
    """A line run for each layer of a list, all fetched together: the k-th
    request of the line is the k-th op, each with its own tag."""
    graph, w, train, init = _model()
    fetched = []
    with graph.as_default(), v1.Session() as sess:
        sess.run(init)
        for step in range(3):
            sess.run(train)
            summaries = [v1.summary.scalar(name + str(step), w * scale)
                         for name, scale in (("a", 1.0), ("b", 2.0), ("c", 3.0))]
            fetched.append([_summary_values(s)[0] for s in sess.run(summaries)])
    for step, got in enumerate(fetched):
        w_now = 1 + 2.0 ** -(step + 1)
        assert [tag for tag, _ in got] == ["a%d" % step, "b%d" % step, "c%d" % step]
        np.testing.assert_allclose([value for _, value in got],
                                   [w_now, 2 * w_now, 3 * w_now], rtol=1e-6)


def test_stateful_ops_are_built_on_every_pass_and_run_once_each(hooked):
    graph, w, train, init = _model()
    with graph.as_default():
        counter = v1.Variable(0.0, use_resource=False)
        init = v1.global_variables_initializer()
    counts, new_types = [], []
    with graph.as_default(), v1.Session() as sess:
        sess.run(init)
        sess.run(train)
        for step in range(4):
            before = set(graph.get_operations())
            bump = v1.assign(counter, counter + 1.0)
            draw = v1.random_uniform([3], seed=1)  # op determinism may be on
            counts.append(sess.run(bump))
            sess.run(draw)
            new_types.append(sorted(op.type for op in set(graph.get_operations()) - before))
    assert counts == [1.0, 2.0, 3.0, 4.0]
    # The first pass builds everything; later ones only the two stateful
    # ops (random_uniform with its default [0, 1) range is the draw alone).
    assert len(new_types[0]) > 2
    assert new_types[1:] == [["Assign", "RandomUniform"]] * 3


def test_an_integer_constant_that_changes_is_built_anew(hooked):
    """Integers may be shapes, which TF reads while building the graph:
    tf.range(step + 1) gets a new op each step, with the right values."""
    values, sizes = _each_step(4, lambda step, w: tf.range(step + 1))
    assert [list(v) for v in values] == [list(range(k + 1)) for k in range(4)]
    assert len(set(sizes)) == 4


def test_nothing_is_reused_before_training_or_across_control_contexts(hooked):
    graph, w, train, init = _model()
    with graph.as_default(), v1.Session() as sess:
        first = [w * 3.0 for _ in range(2)]          # before any run: the model
        assert first[0] is not first[1]
        sess.run(init)
        sess.run(train)
        # One line, a run between its requests: the same op, unless the
        # request is made under other control dependencies.
        doubled = []
        for deps in ([], [train], []):
            with tf.control_dependencies(deps):
                doubled.append(w * 2.0)
            sess.run(train)
        assert doubled[0] is doubled[2]
        assert doubled[1] is not doubled[0]


def test_a_finalized_graph_still_refuses_new_ops(hooked):
    graph, w, train, init = _model()
    with graph.as_default(), v1.Session() as sess:
        sess.run(init)
        sess.run(train)
        for _ in range(2):
            half = w * 0.5
        graph.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            for _ in range(2):
                half = w * 0.5  # noqa: F841


def test_detach_restores_tensorflow():
    from tensorflow.python.framework import ops
    original = ops.Graph._create_op_internal
    reuse = LoopOpReuse(Reporter(quiet=True), program=__file__)
    reuse.attach()
    assert ops.Graph._create_op_internal is not original
    reuse.detach()
    assert ops.Graph._create_op_internal is original


LOOP_PROGRAM = """
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
y_ = tf.placeholder(tf.float32, [None, 3])
W = tf.Variable(tf.truncated_normal([4, 3], stddev=0.5))
b = tf.Variable(tf.zeros([3]))
logits = tf.matmul(x, W) + b
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y_))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
seen = tf.Variable(0.0)

rng = np.random.RandomState(0)
xs = rng.rand(48, 4).astype(np.float32)
ys = np.eye(3)[np.argmax(xs[:, :3], 1)].astype(np.float32)
sess = tf.Session()
sess.run(tf.initialize_all_variables())
writer = tf.train.SummaryWriter('logs', sess.graph)
for i in range(STEPS):
    loss_summary = tf.scalar_summary('loss_at_' + str(i), loss)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    count = tf.assign(seen, seen + 1)
    _, summary, acc, out, n = sess.run([train_step, loss_summary, accuracy, logits, count],
                                       feed_dict={x: xs, y_: ys})
    writer.add_summary(summary, i)
    print(i, repr(float(acc)), repr(float(n)), len(tf.get_default_graph().get_operations()))
    np.save('logits_%d.npy' % i, out)
writer.close()
"""
STEPS = 8


def _run(tmp_path, *runner_args):
    work = tmp_path / ("off" if runner_args else "on")
    work.mkdir()
    program = work / "prog.py"
    program.write_text(textwrap.dedent(LOOP_PROGRAM).replace("STEPS", str(STEPS)))
    report = work / "report.json"
    result = subprocess.run(
        [sys.executable, RUNNER, "--seed=5", "--report=%s" % report, *runner_args,
         str(program)], capture_output=True, text=True, cwd=str(work), timeout=300,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 0, result.stderr[-3000:]
    events = []
    for name in sorted(os.listdir(work / "logs")):
        for event in event_file_loader.LegacyEventFileLoader(str(work / "logs" / name)).Load():
            events.extend((event.step, value.tag, value.simple_value)
                          for value in event.summary.value if value.HasField("simple_value"))
    return work, result, json.loads(report.read_text())["changes"], events


def test_a_loop_building_a_summary_an_accuracy_and_an_assign(tmp_path):
    on, reused, changes, events = _run(tmp_path)
    off, rebuilt, _, events_off = _run(tmp_path, "--noreuse_loop_ops")
    # The same printed values, bit for bit, except the graph's size.
    rows = [line.split() for line in reused.stdout.splitlines()]
    rows_off = [line.split() for line in rebuilt.stdout.splitlines()]
    assert [r[:3] for r in rows] == [r[:3] for r in rows_off] and len(rows) == STEPS
    # The same summaries: each step's own tag, once.
    assert events == events_off
    assert [(step, tag) for step, tag, _ in events] == \
        [(i, "loss_at_%d" % i) for i in range(STEPS)]
    # Each assign ran once, on its step; the accuracy is numpy's on the
    # step's logits.
    ys = np.eye(3)[np.argmax(np.random.RandomState(0).rand(48, 4)[:, :3], 1)]
    for i, row in enumerate(rows):
        assert float(row[2]) == i + 1
        logits = np.load(on / ("logits_%d.npy" % i))
        assert float(row[1]) == np.float32(np.mean(logits.argmax(1) == ys.argmax(1)))
    # Training started on the first pass's run: after it, the graph grows by
    # the assign alone with reuse, by every op of the four lines without.
    sizes = [int(r[3]) for r in rows]
    sizes_off = [int(r[3]) for r in rows_off]
    assert [b - a for a, b in zip(sizes, sizes[1:])] == [1] * (STEPS - 1)
    assert all(b - a > 10 for a, b in zip(sizes_off, sizes_off[1:]))
    # Said once per line, and in the report with how many steps it applied.
    source = textwrap.dedent(LOOP_PROGRAM).splitlines()
    lines = [n for n, text in enumerate(source, 1)
             if text.startswith(("    loss_summary", "    correct", "    accuracy", "    count"))]
    reuse = [c for c in changes if c["kind"] == "reuse"]
    assert sorted(c["line"] for c in reuse) == lines
    assert all(c["count"] == STEPS - 1 for c in reuse)
    for line in lines:
        assert reused.stderr.count("loop ops at prog.py:%d:" % line) == 1
    assert "loop ops at" not in rebuilt.stderr
    assert "(%d created after training started)" % (STEPS - 1) in reused.stderr
