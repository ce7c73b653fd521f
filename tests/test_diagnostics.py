"""compat.train.diagnostics on a tiny linear model, checked against the same
quantities computed by hand with numpy: gradient and weight norms, update
ratio, change since initialization (relative, and absolute from zeros), the
share of the displayed range moved, the report, the JSON, the kernel views,
and that a plain step runs exactly the ops it runs without diagnostics."""

import json

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from compat.train import diagnostics

v1 = tf.compat.v1

X = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 1.0, 1.0], [-1.0, 0.5, 0.0]], np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], np.float32)
W0 = np.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]], np.float32)
LR = 0.1


def numpy_gradients(w, b):
    """d/dW, d/db of mean((XW + b - Y)^2) over all 8 elements."""
    residual = X @ w + b - Y
    scale = 2.0 / residual.size
    return scale * X.T @ residual, scale * residual.sum(axis=0)


def numpy_trajectory(steps):
    """[(W_t, b_t, gW_t, gb_t)] for t = 0..steps: weights after t SGD steps
    and the gradient step t applied (None at t = 0)."""
    w, b = W0.copy(), np.zeros(2, np.float32)
    out = [(w, b, None, None)]
    for _ in range(steps):
        gw, gb = numpy_gradients(w, b)
        w, b = w - LR * gw, b - LR * gb
        out.append((w, b, gw, gb))
    return out


def build(with_diagnostics=True):
    graph = tf.Graph()
    with graph.as_default():
        w = v1.Variable(W0, name="w")
        b = v1.Variable(np.zeros(2, np.float32), name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.constant(X), w) + b - tf.constant(Y)))
        optimizer = v1.train.GradientDescentOptimizer(LR)
        grads_and_vars = optimizer.compute_gradients(loss)
        train_op = optimizer.apply_gradients(grads_and_vars)
        kernel = tf.reshape(w, [3, 2, 1, 1])
        initial = diagnostics.InitialValues([w, b] if with_diagnostics else [w])
        images = diagnostics.kernel_view_summaries(
            "dense/kernel", kernel, tf.reshape(initial[w], [3, 2, 1, 1]))
        diag = diagnostics.Diagnostics(grads_and_vars, initial,
                                       {b.ref(): "dense/biases", w.ref(): "dense/weights"}) \
            if with_diagnostics else None
        monitor = diagnostics.TrainingMonitor(
            initial, v1.summary.scalar("train/loss", loss), images, diag)
        init = v1.global_variables_initializer()
    graph.finalize()
    return graph, train_op, monitor, init


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Three SGD steps; summary steps 1 and 3, step 2 plain."""
    logdir = str(tmp_path_factory.mktemp("diag"))
    graph, train_op, monitor, init = build()
    with v1.Session(graph=graph) as session:
        writer = v1.summary.FileWriter(logdir)
        session.run(init)
        monitor.start(session, writer)
        monitor.step(session, writer, 1, train_op, None)
        session.run(train_op)
        monitor.step(session, writer, 3, train_op, None)
        writer.close()
    return monitor, logdir


def _series(monitor, tag, name):
    return dict(monitor.history[tag][name])


def norm(x):
    return float(np.sqrt(np.sum(np.square(x, dtype=np.float64))))


def test_gradient_norms_are_the_gradients_each_step_applied(trained):
    monitor, _ = trained
    path = numpy_trajectory(3)
    grads = _series(monitor, "dense/weights", "grad_norm")
    assert sorted(grads) == [1, 3]  # summary steps only, not the plain step 2
    for step in (1, 3):
        assert grads[step] == pytest.approx(norm(path[step][2]), rel=1e-5)
        assert _series(monitor, "dense/biases", "grad_norm")[step] == \
            pytest.approx(norm(path[step][3]), rel=1e-5)


def test_weight_norm_and_update_ratio(trained):
    monitor, _ = trained
    path = numpy_trajectory(3)
    norms = _series(monitor, "dense/weights", "weight_norm")
    assert sorted(norms) == [0, 1, 3]
    for step in (0, 1, 3):
        assert norms[step] == pytest.approx(norm(path[step][0]), rel=1e-5)
    ratios = _series(monitor, "dense/weights", "update_ratio")
    # The update of step 3 alone, relative to the weights before it (W_2).
    assert ratios[3] == pytest.approx(norm(path[3][0] - path[2][0]) / norm(path[2][0]), rel=1e-4)
    assert ratios[1] == pytest.approx(LR * norm(path[1][2]) / norm(W0), rel=1e-4)


def test_change_since_init_relative_and_absolute_from_zeros(trained):
    monitor, _ = trained
    path = numpy_trajectory(3)
    change = _series(monitor, "dense/weights", "change_since_init")
    assert change[0] == 0.0
    assert change[3] == pytest.approx(norm(path[3][0] - W0) / norm(W0), rel=1e-4)
    # The biases start at zero: no size to compare with, so the change is
    # the bare norm, and the first update ratio too.
    bias_change = _series(monitor, "dense/biases", "change_since_init")
    assert bias_change[3] == pytest.approx(norm(path[3][1]), rel=1e-4)
    assert _series(monitor, "dense/biases", "update_ratio")[1] == \
        pytest.approx(norm(path[1][1]), rel=1e-4)


def test_range_moved_is_the_share_of_the_grey_scale(trained):
    monitor, _ = trained
    w3 = numpy_trajectory(3)[3][0]
    expected = np.mean(np.abs(w3 - W0)) / (w3.max() - w3.min())
    assert _series(monitor, "dense/weights", "range_moved")[3] == pytest.approx(expected, rel=1e-4)
    assert _series(monitor, "dense/weights", "range_moved")[0] == 0.0


def test_report_rows(trained):
    monitor, _ = trained
    path = numpy_trajectory(3)
    rows = {row["variable"]: row for row in monitor.report()}
    assert list(rows) == ["dense/biases", "dense/weights"]  # the order of the tags given
    w = rows["dense/weights"]
    assert w["shape"] == [3, 2]
    assert w["initial_norm"] == pytest.approx(norm(W0), rel=1e-5)
    assert w["final_norm"] == pytest.approx(norm(path[3][0]), rel=1e-5)
    assert w["mean_grad_norm"] == pytest.approx((norm(path[1][2]) + norm(path[3][2])) / 2, rel=1e-5)
    assert not w["change_is_absolute"]
    b = rows["dense/biases"]
    assert b["change_is_absolute"]
    # Step 1 started from zero biases and is left out of the mean ratio.
    assert b["mean_update_ratio"] == pytest.approx(
        norm(path[3][1] - path[2][1]) / norm(path[2][1]), rel=1e-4)
    text = diagnostics.format_table(monitor.report(), 3)
    assert "dense/weights" in text and " abs" in text


def test_json_has_rows_history_and_no_nan(trained, tmp_path):
    monitor, _ = trained
    rows = monitor.report()
    rows[0]["mean_grad_norm"] = float("nan")
    path = tmp_path / "diagnostics.json"
    diagnostics.write_json(str(path), rows, monitor.history, {"model": "tiny"})
    document = json.loads(path.read_text())  # strict JSON: NaN became null
    assert document["model"] == "tiny"
    assert document["variables"][0]["mean_grad_norm"] is None
    assert [s for s, _ in document["history"]["dense/weights"]["weight_norm"]] == [0, 1, 3]
    assert not list(tmp_path.glob("*.part"))


def test_event_file_scalars_histograms_and_three_kernel_views(trained):
    _, logdir = trained
    acc = event_accumulator.EventAccumulator(
        logdir, size_guidance={"images": 0, "scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    assert set(tags["images"]) == {"dense/kernel/image", "dense/kernel_per_kernel/image",
                                   "dense/kernel_change_since_init/image"}
    for tag in tags["images"]:
        assert [e.step for e in acc.Images(tag)] == [0, 1, 3]
    assert [e.step for e in acc.Scalars("dense/weights/update_ratio")] == [1, 3]
    assert [e.step for e in acc.Scalars("dense/weights/weight_norm")] == [0, 1, 3]
    assert "dense/biases/previous_norm" not in tags["scalars"]  # recorded, not plotted
    assert {"dense/weights/values", "dense/weights/gradients"} <= set(tags["histograms"])
    histogram = acc.Histograms("dense/weights/values")[0].histogram_value
    assert histogram.num == W0.size and histogram.min == pytest.approx(W0.min())


def _decoded(image_event):
    return tf.io.decode_png(image_event.encoded_image_string).numpy()[:, :, 0]


def test_change_view_is_grey_at_start_and_signed_later(trained):
    _, logdir = trained
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"images": 0})
    acc.Reload()
    start, end = acc.Images("dense/kernel_change_since_init/image")[0::2]
    inner = (slice(1, 4), slice(1, 3))  # inside the 1-pixel black pad
    assert np.all(_decoded(start)[inner] == 127)
    delta = numpy_trajectory(3)[3][0] - W0
    pixels = _decoded(end)[inner].astype(int)
    # Brighter than grey where the weight grew, darker where it shrank, and
    # the largest change is black or white.
    assert np.all(np.sign(pixels - 127.5) == np.sign(delta))
    assert 0 in pixels or 255 in pixels


def _executed_nodes(session, fetch):
    metadata = v1.RunMetadata()
    session.run(fetch, options=v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE),
                run_metadata=metadata)
    return sorted(node.node_name for device in metadata.step_stats.dev_stats
                  for node in device.node_stats if not node.node_name.startswith("_"))


def test_plain_steps_run_the_same_ops_with_and_without_diagnostics():
    executed = []
    for with_diagnostics in (True, False):
        graph, train_op, monitor, init = build(with_diagnostics)
        with v1.Session(graph=graph) as session:
            session.run(init)
            session.run(train_op)  # warm-up
            executed.append(_executed_nodes(session, train_op))
    assert executed[0] == executed[1]
    assert not [n for n in executed[0] if "diagnostics" in n or "initial_values" in n]


def test_histograms_count_like_numpy(trained):
    _, logdir = trained
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"histograms": 0})
    acc.Reload()
    histogram = acc.Histograms("dense/weights/values")[0].histogram_value
    counts, edges = np.histogram(W0, bins=diagnostics.HISTOGRAM_BUCKETS,
                                 range=(W0.min(), W0.max()))
    np.testing.assert_array_equal(histogram.bucket, counts)
    np.testing.assert_allclose(histogram.bucket_limit, edges[1:], rtol=1e-6, atol=1e-6)
    assert histogram.sum == pytest.approx(W0.sum(), abs=1e-6)
    assert histogram.sum_squares == pytest.approx(np.square(W0).sum(), rel=1e-6)
    # The zero biases at step 0: one value, one full bucket, no error.
    flat = acc.Histograms("dense/biases/values")[0].histogram_value
    assert flat.num == 2 and sum(flat.bucket) == 2


def test_histogram_of_non_finite_values_does_not_fail():
    with tf.Graph().as_default():
        stats = diagnostics.histogram_stats(tf.constant([1.0, np.nan, np.inf, -2.0]))
        with v1.Session() as session:
            values = session.run(stats)
    histogram = diagnostics.histogram_summary("bad", values).value[0].histo
    # The finite values only: 1 and -2.
    assert histogram.num == 2 and sum(histogram.bucket) == 2
    assert (histogram.min, histogram.max) == (-2.0, 1.0)
