"""Per-variable training diagnostics: does each layer learn, and how much?

The Stack Overflow question behind this project ("my first conv layer's
kernels never change") is a question about numbers that the original program
never printed.  For every trainable variable this module computes, on the
summary steps of a run:

=====================  =========================================================
``grad_norm``          ``||g_t||``, the gradient the training step applied
``weight_norm``        ``||W_t||`` after the step
``update_ratio``       ``||W_t - W_{t-1}|| / ||W_{t-1}||``: how much this one
                       step moved the variable, relative to its size
``change_since_init``  ``||W_t - W_0|| / ||W_0||``: how far it has moved since
                       the start
``range_moved``        ``mean|W_t - W_0| / (max W_t - min W_t)``: the share of
                       the kernel image's grey range the average weight moved,
                       i.e. how visible the change is in the original picture
=====================  =========================================================

Both ratios are absolute (the bare norm of the difference) where their
denominator is zero, as it is for a zeros-initialized layer; the report says
so.  Histograms of each variable and its gradient go with the scalars, all
tagged ``<layer>/<variable>/<quantity>`` so TensorBoard groups them per layer.

Cost: every op is built before the loop.  ``W_0`` and ``W_{t-1}`` live in
non-trainable copies of each variable; the copy of ``W_{t-1}`` is taken (one
extra ``Session.run``) only before a summary step, and all the reductions run
only when a summary step fetches them.  On the other steps the training step
runs exactly the ops it runs without diagnostics.
"""

import collections
import json
import math
import os

import numpy as np
import tensorflow as tf

from compat.util import atomic
from compat.tensorboard.kernel_grid import put_kernels_on_grid

v1 = tf.compat.v1

JSON_NAME = "diagnostics.json"
QUANTITIES = ("grad_norm", "weight_norm", "update_ratio", "change_since_init", "range_moved")
# Suffix of each kernel-grid image tag and the normalization that answers it.
KERNEL_VIEWS = (("", "all"), ("_per_kernel", "per_kernel"),
                ("_change_since_init", "symmetric"))


def _copy_of(variable, name):
    return v1.Variable(tf.zeros(variable.shape, variable.dtype.base_dtype),
                       trainable=False, name=name)


def _ratio(numerator, denominator):
    """``numerator / denominator``, or ``numerator`` where the denominator is 0."""
    return tf.where(denominator > 0, numerator / tf.maximum(denominator, 1e-30), numerator)


def _norm(x):
    return tf.sqrt(tf.reduce_sum(tf.square(tf.cast(x, tf.float32))))


def _dense(gradient):
    # Embedding lookups give IndexedSlices; a dense copy is only made when a
    # summary step asks for it.
    return tf.convert_to_tensor(gradient) if isinstance(gradient, tf.IndexedSlices) else gradient


class InitialValues:
    """A copy of each variable's value at the start of training (``W_0``):
    run ``remember`` once, after the variables are initialized."""

    def __init__(self, variables):
        with v1.name_scope("initial_values"):
            self.copies = collections.OrderedDict(
                (v.ref(), _copy_of(v, v.op.name.replace("/", "_") + "_initial"))
                for v in variables)
            self.remember = tf.group(*[copy.assign(v.deref()) for v, copy in self.copies.items()])

    def __getitem__(self, variable):
        return self.copies[variable.ref()]


def kernel_view_summaries(tag, kernel, initial):
    """The first-layer kernel grid in three image summaries: raw weights over
    all kernels (``tag``, the original's view), each kernel stretched on its
    own (``tag + "_per_kernel"``) and ``W_t - W_0`` around grey
    (``tag + "_change_since_init"``).  ``initial`` is the kernel's copy from
    ``InitialValues``."""
    change = kernel - initial
    return [v1.summary.image(tag + suffix,
                             put_kernels_on_grid(change if normalize == "symmetric" else kernel,
                                                 normalize=normalize),
                             max_outputs=1)
            for suffix, normalize in KERNEL_VIEWS]


class Diagnostics:
    """The diagnostic ops of ``grads_and_vars`` (as ``compute_gradients``
    returns them); ``tags`` maps each variable to its tag prefix (default:
    its op name).  ``initial`` is an ``InitialValues`` covering them."""

    def __init__(self, grads_and_vars, initial, tags=None):
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        tags = tags or {}
        # Rows in the order of ``tags`` (layer by layer), the rest after.
        order = {ref: i for i, ref in enumerate(tags)}
        pairs.sort(key=lambda pair: order.get(pair[1].ref(), len(order)))
        self.tags = [tags.get(v.ref(), v.op.name) for _, v in pairs]
        self.shapes = {tag: v.shape.as_list() for tag, (_, v) in zip(self.tags, pairs)}
        with_step, state, update = {}, {}, {}
        with v1.name_scope("diagnostics"):
            previous = [_copy_of(v, v.op.name.replace("/", "_") + "_previous") for _, v in pairs]
            self.snapshot = tf.group(*[p.assign(v) for p, (_, v) in zip(previous, pairs)])
            # Scratch space, refilled before every summary step: not worth a checkpoint.
            self.scratch = previous
            for tag, (g, v), prev in zip(self.tags, pairs, previous):
                g, w, w0 = _dense(g), tf.cast(v, tf.float32), tf.cast(initial[v], tf.float32)
                change = w - w0
                span = tf.reduce_max(w) - tf.reduce_min(w)
                with_step[tag] = {"grad_norm": _norm(g)}
                prev_norm = _norm(prev)
                update[tag] = {"update_ratio": _ratio(_norm(w - tf.cast(prev, tf.float32)),
                                                      prev_norm),
                               "previous_norm": prev_norm}
                state[tag] = {
                    "weight_norm": _norm(w),
                    "change_since_init": _ratio(_norm(change), _norm(w0)),
                    "range_moved": tf.where(
                        span > 0, tf.reduce_mean(tf.abs(change)) / tf.maximum(span, 1e-30), 0.0),
                }
        # Summaries outside the name scope, whose name would prefix every tag.
        self.with_step = self._summaries(with_step, [(t, "gradients", _dense(g))
                                                     for t, (g, _) in zip(self.tags, pairs)])
        self.state = self._summaries(state, [(t, "values", v) for t, (_, v) in zip(self.tags, pairs)])
        self.update = self._summaries(update, [])

    @staticmethod
    def _summaries(values, histograms):
        ops = [v1.summary.scalar("%s/%s" % (tag, name), tensor)
               for tag, quantities in values.items() for name, tensor in quantities.items()
               if name in QUANTITIES]
        return {"values": values, "summary": v1.summary.merge(ops) if ops else None,
                "histograms": {"%s/%s" % (tag, name): histogram_stats(tensor)
                               for tag, name, tensor in histograms}}


HISTOGRAM_BUCKETS = 30


def histogram_stats(tensor):
    """The tensors a TensorBoard histogram is made of: counts in
    ``HISTOGRAM_BUCKETS`` equal buckets between the minimum and the maximum,
    and the moments.  ``tf.compat.v1.summary.histogram`` would do it in one
    op, but its exponential buckets take about 130 ms on the conv model's 3.2
    million fc1 weights where this takes 8 ms, and it fails the whole
    ``Session.run`` on a NaN, hiding a divergence behind an op error."""
    with v1.name_scope("histogram"):
        x = tf.reshape(tf.cast(tensor, tf.float32), [-1])
        # The bucketing op refuses NaN; a diverging run's histogram shows its
        # finite values (the divergence itself is the numerics guard's to report).
        ok = tf.math.is_finite(x)
        x = tf.cond(tf.reduce_all(ok), lambda: x, lambda: tf.boolean_mask(x, ok))
        lo, hi = tf.reduce_min(x), tf.reduce_max(x)
        finite = tf.logical_and(tf.math.is_finite(lo), tf.math.is_finite(hi))
        lo = tf.where(finite, lo, 0.0)
        hi = tf.where(finite, hi, 1.0)
        # An empty range (all values equal) gets width 1 around the value.
        top = tf.where(hi > lo, hi, lo + 1.0)
        counts = tf.histogram_fixed_width(x, tf.stack([lo, top]), nbins=HISTOGRAM_BUCKETS)
        return {"counts": counts, "min": lo, "max": hi, "top": top, "num": tf.size(x),
                "sum": tf.reduce_sum(x), "sum_squares": tf.reduce_sum(tf.square(x))}


def histogram_summary(tag, stats):
    """A ``Summary`` holding the histogram of ``stats`` (values of
    ``histogram_stats``), as TensorBoard's histogram tab reads it."""
    edges = np.linspace(float(stats["min"]), float(stats["top"]), HISTOGRAM_BUCKETS + 1)[1:]
    histogram = v1.HistogramProto(
        min=float(stats["min"]), max=float(stats["max"]), num=float(stats["num"]),
        sum=float(stats["sum"]), sum_squares=float(stats["sum_squares"]),
        bucket_limit=edges.tolist(), bucket=np.asarray(stats["counts"], float).tolist())
    return v1.Summary(value=[v1.Summary.Value(tag=tag, histo=histogram)])


class TrainingMonitor:
    """What a training loop does on its summary steps, built once before the
    loop: ``train_summary`` is evaluated with the training step (it describes
    the minibatch the step used), ``image_summaries`` after it (they show the
    weights the step produced), and the diagnostics, if any, around it.

    The loop calls ``start`` after initializing the variables (step 0: the
    initial weights), then ``step`` on each summary step instead of its own
    ``Session.run``; the other steps stay the loop's own business.
    """

    def __init__(self, initial, train_summary=None, image_summaries=(), diagnostics=None):
        self.initial = initial
        self.diagnostics = diagnostics
        with_step = [train_summary] if train_summary is not None else []
        after = list(image_summaries)
        if diagnostics is not None:
            with_step.append(diagnostics.with_step["summary"])
            after.append(diagnostics.state["summary"])
        start = after[:]
        if diagnostics is not None and diagnostics.update["summary"] is not None:
            after.append(diagnostics.update["summary"])
        # Fetch dicts: "summary" is written, anything else recorded.
        self._with_step = self._fetches(with_step, "with_step")
        self._start = self._fetches(start, "state")
        self._after = self._fetches(after, "state", "update")
        self.history = collections.defaultdict(lambda: collections.defaultdict(list))

    def _fetches(self, summaries, *kinds):
        fetches = {}
        if summaries:
            fetches["summary"] = v1.summary.merge(summaries)
        if self.diagnostics is not None:
            for kind in kinds:
                part = getattr(self.diagnostics, kind)
                fetches[kind] = part["values"]
                if part["histograms"]:
                    fetches["histograms_" + kind] = part["histograms"]
        return fetches

    def _write(self, writer, step, out):
        if "summary" in out:
            writer.add_summary(out.pop("summary"), step)
        for key in [k for k in out if k.startswith("histograms_")]:
            for tag, stats in out.pop(key).items():
                writer.add_summary(histogram_summary(tag, stats), step)
        for values in out.values():
            for tag, quantities in values.items():
                for name, value in quantities.items():
                    self.history[tag][name].append((step, float(value)))

    def start(self, session, writer):
        session.run(self.initial.remember)
        if self._start:
            self._write(writer, 0, session.run(self._start))

    def scratch_variables(self):
        """Variables a checkpoint need not save."""
        return list(self.diagnostics.scratch) if self.diagnostics is not None else []

    def state(self):
        """The recorded values, for a checkpoint."""
        return {tag: dict(quantities) for tag, quantities in self.history.items()}

    def restore_state(self, state):
        for tag, quantities in state.items():
            for name, series in quantities.items():
                self.history[tag][name] = list(series)

    def step(self, session, writer, step, fetches, feed):
        """Run the training ``fetches`` for summary step ``step``; returns
        what ``Session.run(fetches, feed)`` would."""
        if self.diagnostics is not None:
            session.run(self.diagnostics.snapshot)
        out = session.run(dict(self._with_step, fetches=fetches), feed)
        result = out.pop("fetches")
        self._write(writer, step, out)
        if self._after:
            self._write(writer, step, session.run(self._after))
        return result

    def report(self):
        """The per-variable table (``None`` without diagnostics)."""
        if self.diagnostics is None:
            return None
        return report(self.history, self.diagnostics.shapes)

    def finish(self, run_dir, out, meta):
        """Print the table to ``out`` and write ``run_dir/diagnostics.json``
        with ``meta`` (the run's description); returns the table's rows."""
        rows = self.report()
        if rows is not None:
            steps = len({step for quantities in self.history.values()
                         for series in quantities.values() for step, _ in series})
            print(format_table(rows, steps), end="", file=out, flush=True)
            write_json(os.path.join(run_dir, JSON_NAME), rows, self.history, meta)
        return rows


def median_step_ms(plain, summary):
    """Median milliseconds of the plain steps and of the summary steps (the
    second includes the summaries' and diagnostics' extra runs)."""
    def median(times):
        return 1000 * float(np.median(times)) if times else float("nan")
    return {"plain": median(plain), "summary": median(summary)}


def _mean(series):
    values = [v for _, v in series]
    return float(np.mean(values)) if values else float("nan")


def _relative(ratios, previous_norms):
    """The update ratios that are ratios: a step from all-zero weights has
    no size to compare with, and its absolute value would swamp the mean."""
    nonzero = {step for step, norm in previous_norms if norm > 0}
    return [(step, r) for step, r in ratios if step in nonzero]


def _last(series):
    return series[-1][1] if series else float("nan")


def report(history, shapes):
    """Summarize ``history`` ({tag: {quantity: [(step, value)]}}) into one
    row per variable: initial and final norms, the change since
    initialization, the mean gradient norm and update ratio over the summary
    steps, and the share of the displayed range moved."""
    rows = []
    for tag, shape in shapes.items():
        series = history.get(tag, {})
        norms = series.get("weight_norm", [])
        initial_norm = norms[0][1] if norms else float("nan")
        rows.append(collections.OrderedDict([
            ("variable", tag),
            ("shape", shape),
            ("initial_norm", initial_norm),
            ("final_norm", _last(norms)),
            ("change_since_init", _last(series.get("change_since_init", []))),
            # A zero W_0 has no size to compare with: the change is absolute.
            ("change_is_absolute", initial_norm == 0.0),
            ("mean_grad_norm", _mean(series.get("grad_norm", []))),
            ("mean_update_ratio", _mean(_relative(series.get("update_ratio", []),
                                                  series.get("previous_norm", [])))),
            ("range_moved", _last(series.get("range_moved", []))),
        ]))
    return rows


def _fmt(value):
    return "nan" if math.isnan(value) else "%.3g" % value


def format_table(rows, steps):
    """The report as a fixed-width table for stdout."""
    header = ("variable", "shape", "init norm", "final norm", "change", "mean |grad|",
              "mean update", "range moved")
    lines = []
    for row in rows:
        change = _fmt(row["change_since_init"]) + (" abs" if row["change_is_absolute"] else "")
        lines.append((row["variable"], "x".join(map(str, row["shape"])),
                      _fmt(row["initial_norm"]), _fmt(row["final_norm"]), change,
                      _fmt(row["mean_grad_norm"]), _fmt(row["mean_update_ratio"]),
                      "%.2f%%" % (100 * row["range_moved"])))
    widths = [max(len(str(r[i])) for r in [header] + lines) for i in range(len(header))]
    text = ["Per-variable diagnostics, %d summary steps:" % steps,
            "  change = ||W_t - W_0|| / ||W_0|| at the end ('abs': W_0 = 0, so ||W_t - W_0||)",
            "  mean |grad|, mean update = ||W_t - W_t-1|| / ||W_t-1||: means over the summary "
            "steps",
            "  range moved = mean |W_t - W_0| / (max W_t - min W_t): how far the average weight "
            "moved in the kernel image's grey scale"]
    for line in [header] + lines:
        text.append("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                              for i, (c, w) in enumerate(zip(line, widths))))
    return "\n".join(text) + "\n"


def write_json(path, rows, history, meta):
    """``diagnostics.json``: the table, every recorded value, and the run's
    description (``meta``), written atomically."""
    document = collections.OrderedDict(meta)
    document["variables"] = rows
    document["history"] = {tag: {name: series for name, series in quantities.items()}
                           for tag, quantities in history.items()}
    atomic.write_text(path, json.dumps(_finite_or_null(document), indent=1) + "\n")


def _finite_or_null(value):
    # JSON has no NaN or Infinity: a diverged run's values become null.
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(v) for v in value]
    return value
