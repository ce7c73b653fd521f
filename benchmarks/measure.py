"""Measurement functions of ``scripts/bench.py``: each takes what it
measures as arguments and returns numbers; none reads flags or prints.

Two execution modes share the benchmark's one process.  The reproductions
are TF1 programs: ``compat.train.runtime.enable_graph_mode()`` (``v1.disable_v2_
behavior``: graph mode, reference variables, v1 control flow), the same as
``scripts/run.py`` runs them.  Keras 3 needs eager execution and
``tf.function``.  TensorFlow allows going back to eager mode
(``v1.enable_v2_behavior()``) only if the process-wide default graph was
never created (``enable_eager_execution`` refuses once it exists), and the
reproductions never create it: ``conv.build``/``gdl.build`` and every
function here build into their own ``tf.Graph()`` and run it in a
``v1.Session(graph=...)``.  So the benchmark runs the graph phase first and
the Keras phase after it (``switch_to_eager``), copying the initial weights
out of the reproductions' Sessions into numpy on the way.  The other ways
do not measure what ``run.py`` runs: under v2 behaviour the same build code
makes another graph (resource variables and their read ops, v2 control
flow: 1775 ops instead of 2116 for conv); and the phases cannot alternate
model by model, because Keras creates the process-wide default graph, after
which eager mode, once left, cannot be entered again.

Settings that TensorFlow fixes once per process are measured in child
processes (``benchmarks.probe``): the intra-op thread pool (the first
Session's ``intra_op_parallelism_threads`` sizes a pool every later Session
shares: measured, a 1-thread first Session made a later default one as slow),
oneDNN (``TF_ENABLE_ONEDNN_OPTS`` is read when TensorFlow loads) and XLA's
CPU auto-clustering (``TF_XLA_FLAGS=--tf_xla_cpu_global_jit``, without which
``global_jit_level`` does nothing on a CPU).
"""

import contextlib
import io
import time

import numpy as np
import tensorflow as tf

from compat.train import runtime

v1 = tf.compat.v1

# --- statistics ------------------------------------------------------------------

def summarize(seconds):
    """Median and spread of per-step times, in milliseconds."""
    ms = 1000.0 * np.asarray(seconds, dtype=np.float64)
    if ms.size == 0:
        raise ValueError("no timings to summarize")
    p10, p25, p50, p75, p90 = np.percentile(ms, [10, 25, 50, 75, 90])
    return {"median_ms": float(p50), "p10_ms": float(p10), "p25_ms": float(p25),
            "p75_ms": float(p75), "p90_ms": float(p90), "n": int(ms.size)}


def window_median_ms(seconds, center, window):
    """Median ms of the steps ``center - window//2 .. center + window//2``
    (1-based step numbers, as the training loops count them)."""
    start = max(center - window // 2, 1)
    chunk = seconds[start - 1:start - 1 + window]
    if len(chunk) < window:
        raise ValueError("step %d +- %d is past the %d timed steps"
                         % (center, window // 2, len(seconds)))
    return 1000.0 * float(np.median(chunk))


def steps_needed(late, window):
    """Steps a growth run must take for ``window_median_ms(.., late, window)``."""
    return max(late - window // 2, 1) + window - 1


# --- sessions --------------------------------------------------------------------

def session_config(intra=0, inter=0, xla=False, mixed_precision=False):
    """The project's Session config (``runtime.session_config``) with thread
    counts (0: TensorFlow's choice), XLA auto-clustering and automatic mixed
    precision (``--mixed_precision``)."""
    config = runtime.session_config(False, mixed_precision)
    config.intra_op_parallelism_threads = intra
    config.inter_op_parallelism_threads = inter
    if xla:
        config.graph_options.optimizer_options.global_jit_level = v1.OptimizerOptions.ON_1
    return config


def initial_session(reproduction, config=None):
    """A Session on the reproduction's graph with the variables initialized."""
    session = v1.Session(graph=reproduction.graph, config=config or runtime.session_config())
    session.run(reproduction.init_op)
    return session


def time_feed_steps(session, reproduction, warmup, steps):
    """Per-step seconds of ``steps`` training steps after ``warmup`` untimed
    ones, each timed as ``conv.train`` times a plain step: taking the next
    batch, then ``Session.run`` of the train op with ``feed_dict``.  Only
    the train op is fetched (``conv.train`` adds the checkpoint guard's
    flags, ``gdl.train`` the loss and the 128 x 10 predictions: copies too
    small to matter, and the Keras twin's step fetches only its loss)."""
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        images, labels = reproduction.next_batch()
        session.run(reproduction.train_op, reproduction.feed(images, labels))
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return times


def time_fetch_steps(session, fetch, feed, warmup, steps):
    """Per-step seconds of ``session.run(fetch, feed)`` (no batch to take)."""
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        session.run(fetch, feed)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return times


def initial_values(session, reproduction, images, labels):
    """The variables' initial values (Keras ``get_weights`` order) and the
    reproduction's dropout-free output on one batch, to check the twin."""
    weights = session.run(reproduction.variables)
    reference = session.run(reproduction.reference,
                            reproduction.feed(images, labels, keep=1.0))
    return weights, reference


# --- the ceiling -----------------------------------------------------------------

def matmul_flops_per_s(n, repeats, warmup=2, config=None):
    """FLOP/s of an ``n x n`` float32 matmul in a TF Session: ``2 n^3`` over
    the median of ``repeats`` runs.  The operands are variables (constants
    would be folded by Grappler) and the run fetches the op, not its output,
    so no copy out of the runtime is timed."""
    graph = tf.Graph()
    with graph.as_default():
        a = v1.Variable(v1.random_normal([n, n], seed=1))
        b = v1.Variable(v1.random_normal([n, n], seed=2))
        product = tf.matmul(a, b).op
        init = v1.global_variables_initializer()
    graph.finalize()
    with v1.Session(graph=graph, config=config or runtime.session_config()) as session:
        session.run(init)
        times = time_fetch_steps(session, product, None, warmup, repeats)
    median = float(np.median(times))
    return 2.0 * n ** 3 / median, summarize(times)


def _step_ops(graph, fetch_names):
    """Names of every op a ``Session.run`` of ``fetch_names`` executes: the
    fetches' inputs and control inputs, transitively."""
    seen, stack = set(), [graph.get_operation_by_name(name) for name in fetch_names]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def profiler_flops(graph, fetch_names, static_shapes):
    """FLOPs of one ``Session.run`` of ``fetch_names`` on ``graph``, from
    TensorFlow's profiler (``v1.profiler.profile`` with the float_operation
    options: the FLOP statistics each op registers).

    Those statistics need static shapes, and the conv program's placeholders
    have a ``None`` batch dimension; ``static_shapes`` ({placeholder name:
    shape}) gives them one by importing the graph into a copy with static
    placeholders mapped in (``RunMetadata`` does not help: the shapes it
    records are those of Grappler's rewritten, fused ops, under other names).
    The profiler counts every op of the graph, summaries and evaluation
    included, so only the ops the step executes are summed."""
    copy = tf.Graph()
    with copy.as_default():
        input_map = {}
        for name, shape in static_shapes.items():
            original = graph.get_tensor_by_name(name + ":0")
            input_map[name + ":0"] = v1.placeholder(original.dtype.base_dtype, shape,
                                                    name=name + "_static")
        v1.import_graph_def(graph.as_graph_def(), input_map=input_map, name="")
    wanted = _step_ops(copy, fetch_names)
    options = (v1.profiler.ProfileOptionBuilder(
        v1.profiler.ProfileOptionBuilder.float_operation()).with_empty_output().build())
    # The profiler writes "N ops no flops stats due to incomplete shapes" to
    # sys.stderr for ops outside the step (the diagnostics' reductions over
    # the summary-only tensors); they are not counted anyway.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        root = v1.profiler.profile(copy, cmd="scope", options=options)
    total, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.name in wanted:
            total += node.float_ops
        stack.extend(node.children)
    return int(total)


# --- growth: the reproduction against the legacy loop -----------------------------

def growth_times_reproduction(session, reproduction, steps):
    """Per-step seconds of a long run of plain training steps (no warm-up:
    step numbers are the program's)."""
    return time_feed_steps(session, reproduction, 0, steps)


def growth_times_legacy(legacy, next_batch, steps, make_summary, logdir, config=None):
    """Per-step seconds of the 2016 program's loop body: create the step's
    image summary op (``make_summary(legacy, step)``), take the batch, run
    the optimizer and the new summary, and write the summary, as the
    original did with ``tf.train.SummaryWriter``.  The graph is not
    finalized, so it grows by the summary op and its tag on every step."""
    times = []
    with v1.Session(graph=legacy.graph, config=config or runtime.session_config()) as session:
        writer = v1.summary.FileWriter(logdir, legacy.graph)
        try:
            session.run(legacy.init_op)
            model = legacy.model
            for step in range(steps):
                start = time.perf_counter()
                summary_op = make_summary(legacy, step)
                images, labels = next_batch()
                _, summary = session.run([model.train_op, summary_op], {
                    model.images: images, model.labels: labels,
                    model.keep_prob: legacy.keep_value})
                writer.add_summary(summary)
                times.append(time.perf_counter() - start)
        finally:
            writer.close()
    return times


# --- settings measured in this process ---------------------------------------------

def build_conv_tfdata(conv_module, images, labels, batch_size, seed, learning_rate):
    """The conv network fed by a ``tf.data`` pipeline instead of
    ``feed_dict``: ``from_tensor_slices`` of the in-memory arrays (through
    placeholders, so the 170 MB of MNIST is not copied into the GraphDef),
    repeat, batch, prefetch, and the iterator's ``get_next()`` tensors
    wired into ``conv.build_conv_graph`` as its image and label inputs.
    Batches come in file order, as the program's first epoch does.
    Returns (graph, model, init_ops, iterator initializer feed)."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(seed)
        images_in = v1.placeholder(tf.float32, images.shape, name="all_images")
        labels_in = v1.placeholder(tf.float32, labels.shape, name="all_labels")
        dataset = (tf.data.Dataset.from_tensor_slices((images_in, labels_in))
                   .repeat().batch(batch_size, drop_remainder=True)
                   .prefetch(tf.data.AUTOTUNE))
        iterator = v1.data.make_initializable_iterator(dataset)
        batch_images, batch_labels = iterator.get_next()
        keep_prob = v1.placeholder(tf.float32, name="keep_prob")
        model = conv_module.build_conv_graph(batch_images, batch_labels, keep_prob,
                                             learning_rate=learning_rate)
        init_ops = [v1.global_variables_initializer(), iterator.initializer]
    graph.finalize()
    return graph, model, init_ops, {images_in: images, labels_in: labels}


def time_tfdata_steps(graph, model, init_ops, init_feed, keep_value, warmup, steps,
                      config=None):
    """Per-step seconds of the tf.data-fed conv step (only keep_prob is fed)."""
    with v1.Session(graph=graph, config=config or runtime.session_config()) as session:
        session.run(init_ops, init_feed)
        return time_fetch_steps(session, model.train_op, {model.keep_prob: keep_value},
                                warmup, steps)


def xla_cluster_count(session, fetch, feed):
    """How many XLA clusters a run of ``fetch`` launches (``_XlaRun`` and
    ``XlaLaunch`` nodes in the partition graphs): 0 means XLA did nothing."""
    metadata = v1.RunMetadata()
    session.run(fetch, feed, options=v1.RunOptions(output_partition_graphs=True),
                run_metadata=metadata)
    return sum(1 for graph in metadata.partition_graphs for node in graph.node
               if node.op in ("_XlaRun", "XlaLaunch"))


def loss_after_steps(reproduction, batches, config):
    """The loss on the first batch after training on ``batches`` from the
    initial weights, without dropout (with dropout, the masks XLA draws need
    not be TensorFlow's, and the comparison would compare the masks)."""
    with initial_session(reproduction, config) as session:
        for images, labels in batches:
            session.run(reproduction.train_op, reproduction.feed(images, labels, keep=1.0))
        images, labels = batches[0]
        return float(session.run(reproduction.loss,
                                 reproduction.feed(images, labels, keep=1.0)))


def static_placeholder_shapes(graph, batch_size):
    """{name: static shape} for the graph's placeholders whose shape is not
    fully known: the batch dimension ``batch_size``, an unknown rank (the
    conv program's keep_prob) a scalar."""
    shapes = {}
    for op in graph.get_operations():
        if op.type != "Placeholder":
            continue
        shape = op.outputs[0].shape
        if shape.rank is None:
            shapes[op.name] = []
        elif not shape.is_fully_defined():
            shapes[op.name] = [batch_size if d is None else d for d in shape.as_list()]
    return shapes


def relative_difference(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-30)


# --- eager mode for Keras -------------------------------------------------------------

class ModeError(RuntimeError):
    """Eager execution could not be restored after the graph phase."""


def switch_to_eager():
    """Back to TF2 behaviour (eager, resource variables) for Keras 3; see
    the module docstring for why this works after the graph phase."""
    try:
        v1.enable_v2_behavior()
    except ValueError as err:
        raise ModeError("cannot return to eager mode for the Keras part (%s): something "
                        "used the process-wide default graph" % err) from None
    if not tf.executing_eagerly():
        raise ModeError("eager execution is still off after enable_v2_behavior()")


# --- Keras 3 ------------------------------------------------------------------------

def time_keras_train_on_batch(model, next_batch, warmup, steps):
    """Per-call seconds of ``model.train_on_batch`` (which returns the loss,
    so each call waits for its step), taking each batch as the reproduction
    does; the first ``warmup`` calls (tracing the train function) untimed."""
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        images, labels = next_batch()
        model.train_on_batch(images, labels)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return times


def time_keras_fit(model, images, labels, batch_size, epochs):
    """Seconds of each epoch of ``model.fit`` on in-memory arrays (in order,
    no shuffling, no validation, silent).  Callers drop the first epoch:
    it traces the train function."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    timer = EpochTimer()
    model.fit(images, labels, batch_size=batch_size, epochs=epochs, shuffle=False,
              verbose=0, callbacks=[timer])
    return timer.seconds


def rows(images, labels, start, count):
    """``count`` rows of the arrays from row ``start``, wrapping around at
    the end (tiny test data sets are smaller than a benchmark's batches)."""
    index = (start + np.arange(count)) % images.shape[0]
    return images[index], labels[index]
