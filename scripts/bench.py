"""Benchmarks: is the graph/Session reproduction as fast as the same model in
Keras 3, and how near the machine's ceiling does it run?

    python scripts/bench.py --data_dir=../shared/data/mnist \\
        --notmnist_dir=../shared/data/notMNIST_small --json=bench.json

In one process and one run, for each of ``--models`` (default conv, nn,
deep: the Stack Overflow question's conv net and the notes' fully-connected
series on notMNIST, or on MNIST with ``--dataset=mnist``):

1. the median time per training step of the reproduction, with p10/p90:
   ``Session.run`` of the train op of the finalized graph ``conv.build`` /
   ``gdl.build`` make, fed the program's own batches, after ``--warmup``;
2. the same model in Keras 3 from the same initial weights: median
   ``train_on_batch`` call, and ``fit`` (epoch time / steps, first epoch
   dropped);
3. the ceiling: FLOP/s of a large float32 matmul, the step's FLOPs from
   TensorFlow's profiler (checked against a count from the layer shapes),
   and the share of the ceiling each step reaches;
4. step time around ``--early`` and ``--late`` in a long run, for the
   reproduction and (conv) for the 2016 program's summary op created on
   every step;
5. the whole program's time to its first step (data, graph, first run) in
   a fresh process: the first time (cold) and again (warm);
6. settings, each on the conv step: thread counts, a tf.data pipeline,
   XLA auto-clustering, oneDNN off;
7. the upgrader's time against ``tf_upgrade_v2`` on one tree of legacy files.

It prints markdown tables (stdout; progress goes to stderr) and, with
``--json``, writes the numbers keyed by model.  ``--no<part>`` skips a part
(``--nokeras``, ``--noceiling``, ``--nogrowth``, ``--nosettings``,
``--nostartup``, ``--noupgrader``).  Timings from a busy machine mean
little: run it on an otherwise idle one.  "Cold" is the first start in this
run, made before this process loads TensorFlow; for a truly cold file cache,
drop the OS caches first (``sync; echo 3 > /proc/sys/vm/drop_caches`` as
root).

Flags are parsed here and nowhere else; the measuring is done by
``benchmarks.measure``, ``benchmarks.models`` and
``benchmarks.upgrader``, the tables by ``benchmarks.report``.
"""

import contextlib
import functools
import os
import random
import sys
import tempfile
import time

_START = time.perf_counter()  # time to first step counts from here in a probe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from benchmarks import probe as bench_probe  # noqa: E402
from compat.util import cli  # noqa: E402
from compat.util import errors  # noqa: E402

# TensorFlow is imported in main(), after the cold start-up probe: a
# probe started after this process loaded TensorFlow would find its
# libraries in the file cache.  So the model list is spelled out here
# (benchmarks.models.MODELS; the tests check they agree).
MODELS = ("conv", "logreg_sgd", "nn", "nn_l2", "nn_overfit", "nn_dropout", "nn_lr_decay",
          "deep")
SERIES_DATASETS = ("notmnist", "mnist", "fashion_mnist")
PROBES = ("", "step", "xla", "first_step")
PROG = "bench.py"
XLA_LOSS_TOLERANCE = 1e-3  # relative; XLA reorders float32 sums

FLAGS = flags.FLAGS
flags.DEFINE_list("models", ["conv", "nn", "deep"],
                  "Models to measure, comma-separated: %s." % ", ".join(MODELS))
flags.DEFINE_string("data_dir", None,
                    "Directory of the MNIST .gz files: conv's data, and the series' with "
                    "--dataset=mnist (default: /tmp/data/, downloaded there when missing, "
                    "as scripts/run.py).")
flags.DEFINE_enum("dataset", "notmnist", SERIES_DATASETS,
                  "The series' data set (conv always reads MNIST).")
flags.DEFINE_string("notmnist_dir", None,
                    "notMNIST for the series (letter folders, tarballs or a notMNIST.pickle, as "
                    "scripts/run.py --data_dir with --dataset=notmnist; default: downloaded "
                    "into --cache_dir).")
flags.DEFINE_string("cache_dir", None, "notMNIST's cache (default as scripts/run.py).")
flags.DEFINE_string("source_url", None, "Mirror to download missing MNIST files from.")
flags.DEFINE_integer("validation_size", 5000, "Training examples held out as the validation "
                     "set, as scripts/run.py.", lower_bound=0)
flags.DEFINE_integer("batch_size", 128, "Minibatch size.", lower_bound=1)
flags.DEFINE_integer("steps", 200, "Timed steps (and train_on_batch calls) per measurement.",
                     lower_bound=1)
flags.DEFINE_integer("warmup", 20, "Untimed steps before each timing.", lower_bound=0)
flags.DEFINE_integer("seed", 1, "Graph and numpy seed (same initial weights every run).")
flags.DEFINE_boolean("determinism", True, "Op determinism on, as scripts/run.py runs "
                     "(it seeds every run).")
flags.DEFINE_boolean("keras", True, "Measure the Keras 3 twins.")
flags.DEFINE_integer("fit_epochs", 3, "Timed epochs of Keras fit (after one untimed); "
                     "their median is taken.",
                     lower_bound=1)
flags.DEFINE_boolean("ceiling", True, "Measure the matmul ceiling and the step's FLOPs.")
flags.DEFINE_integer("matmul_size", 2048, "Size n of the n x n matmul.", lower_bound=1)
flags.DEFINE_integer("matmul_repeats", 10, "Timed matmuls.", lower_bound=1)
flags.DEFINE_boolean("growth", True, "Measure early and late step times of a long run.")
flags.DEFINE_integer("early", 100, "Early step of the long run.", lower_bound=1)
flags.DEFINE_integer("late", 1500, "Late step of the long run.", lower_bound=2)
flags.DEFINE_integer("window", 21, "Steps around --early and --late whose median is taken.",
                     lower_bound=1)
flags.DEFINE_boolean("settings", True, "Measure the settings on the conv step (threads, "
                     "tf.data, XLA, oneDNN).")
flags.DEFINE_list("threads", ["1/1", "2/1", "2/2"],
                  "Thread settings to try, as intra/inter (0: TensorFlow's choice, the "
                  "default).")
flags.DEFINE_integer("xla_check_steps", 20, "Steps trained with and without XLA before their "
                     "losses are compared.", lower_bound=1)
flags.DEFINE_boolean("startup", True, "Measure the time to first step in fresh processes "
                     "(of the first of --models).")
flags.DEFINE_boolean("upgrader", True, "Time the upgrader against tf_upgrade_v2.")
flags.DEFINE_integer("upgrader_copies", 25, "Copies of the legacy programs in the tree.",
                     lower_bound=1)
flags.DEFINE_integer("upgrader_repeats", 3, "Runs of each upgrader.", lower_bound=1)
flags.DEFINE_boolean("cluster", True, "Measure conv steps/s on a loopback cluster: alone, "
                     "1 worker + 1 ps, 2 workers + 1 ps (async and sync); needs MNIST.")
flags.DEFINE_integer("cluster_steps", 260, "Steps of each cluster layout's run (the rate "
                     "is taken from a tenth of them in to the last tenth).", lower_bound=3)
flags.DEFINE_string("json", None, "Write the numbers here as JSON, keyed by model.")
# Internal: the child processes of the settings and start-up measurements.
flags.DEFINE_enum("probe", "", PROBES, "(internal) run one measurement for a parent bench.py "
                  "and print it as one line.")
flags.DEFINE_integer("intra", 0, "(internal, --probe) intra_op_parallelism_threads.",
                     lower_bound=0)
flags.DEFINE_boolean("probe_mixed_precision", False, "(internal, --probe) automatic mixed "
                     "precision in the Session config.")
flags.DEFINE_integer("inter", 0, "(internal, --probe) inter_op_parallelism_threads.",
                     lower_bound=0)

_fail = functools.partial(cli.fail, PROG)


def _say(message):
    print("bench: %s" % message, file=sys.stderr, flush=True)


def _thread_settings():
    settings = []
    for item in FLAGS.threads:
        try:
            intra, inter = (int(n) for n in item.split("/"))
        except ValueError:
            raise errors.ConfigError("--threads takes intra/inter pairs such as 2/1, got %r"
                                     % item) from None
        if intra < 0 or inter < 0:
            raise errors.ConfigError("--threads: counts must be >= 0, got %r" % item)
        settings.append((intra, inter))
    return settings


def _validate():
    unknown = [m for m in FLAGS.models if m not in MODELS]
    if unknown or not FLAGS.models:
        raise errors.ConfigError("--models: unknown %s; choose from: %s"
                                 % (", ".join(unknown) or "(none given)", ", ".join(MODELS)))
    if len(set(FLAGS.models)) != len(FLAGS.models):
        raise errors.ConfigError("--models lists a model twice")
    if FLAGS.early >= FLAGS.late:
        raise errors.ConfigError("--early=%d must be before --late=%d"
                                 % (FLAGS.early, FLAGS.late))
    if FLAGS.late - FLAGS.window // 2 <= FLAGS.early + FLAGS.window // 2:
        raise errors.ConfigError("the --window=%d steps around --early=%d and --late=%d "
                                 "overlap" % (FLAGS.window, FLAGS.early, FLAGS.late))
    _thread_settings()


# --- data --------------------------------------------------------------------------------

def _load_data(name):
    """The model's data, as scripts/run.py loads it (errors: DataError)."""
    from compat.data import mnist
    if name == "conv":
        return mnist.read_data_sets(FLAGS.data_dir, one_hot=True, dataset="mnist",
                                    source_url=FLAGS.source_url,
                                    validation_size=FLAGS.validation_size, batching="tf0")
    from tf1_examples import gdl
    directory = {"notmnist": FLAGS.notmnist_dir, "mnist": FLAGS.data_dir}.get(FLAGS.dataset)
    # notMNIST's loader says what it found on stdout; stdout is the tables'.
    with contextlib.redirect_stdout(sys.stderr):
        return gdl.load_data(FLAGS.dataset, directory, FLAGS.seed, cache_dir=FLAGS.cache_dir,
                             validation_size=FLAGS.validation_size,
                             source_url=FLAGS.source_url if FLAGS.dataset != "notmnist"
                             else None)


class _DataCache:
    """Each data set loaded once: conv's MNIST, the series' data."""

    def __init__(self):
        self._loaded = {}

    def __call__(self, name):
        key = "conv" if name == "conv" else "series"
        if key not in self._loaded:
            self._loaded[key] = _load_data(name)
        return self._loaded[key]


def _setup_tensorflow():
    """Import TensorFlow (banner filtered), TF1 graph mode as run.py sets it,
    seeds.  Graph seeds are set by each program's own build; the
    process-wide default graph is never used (see benchmarks.measure)."""
    from compat.util.quiet_import import import_tensorflow
    tf = import_tensorflow()
    from compat.train import runtime
    runtime.quiet_tensorflow()
    runtime.enable_graph_mode()
    random.seed(FLAGS.seed)
    import numpy as np
    np.random.seed(FLAGS.seed)
    if FLAGS.determinism:
        tf.config.experimental.enable_op_determinism()
    return tf


# --- child processes ------------------------------------------------------------------

def _probe_argv(probe, model, **extra):
    argv = [sys.executable, os.path.abspath(__file__), "--probe=%s" % probe,
            "--models=%s" % model, "--batch_size=%d" % FLAGS.batch_size,
            "--steps=%d" % FLAGS.steps, "--warmup=%d" % FLAGS.warmup, "--seed=%d" % FLAGS.seed,
            "--validation_size=%d" % FLAGS.validation_size, "--dataset=%s" % FLAGS.dataset,
            "--xla_check_steps=%d" % FLAGS.xla_check_steps,
            "--%sdeterminism" % ("" if FLAGS.determinism else "no")]
    for name in ("data_dir", "notmnist_dir", "cache_dir", "source_url"):
        if FLAGS[name].value is not None:
            argv.append("--%s=%s" % (name, FLAGS[name].value))
    argv += ["--%s=%s" % item for item in extra.items()]
    return argv


def _probe_main():
    """One measurement in this fresh process, printed as one marker line."""
    name = FLAGS.models[0]
    t_import = time.perf_counter()
    tf = _setup_tensorflow()
    from benchmarks import measure as bench_measure
    from benchmarks import models as bench_models
    t_data = time.perf_counter()
    data = _load_data(name)
    t_build = time.perf_counter()
    if FLAGS.probe == "first_step":
        reproduction = bench_models.build(name, data, FLAGS.batch_size, FLAGS.seed)
        t_run = time.perf_counter()
        with bench_measure.initial_session(reproduction) as session:
            images, labels = reproduction.next_batch()
            session.run(reproduction.train_op, reproduction.feed(images, labels))
            t_end = time.perf_counter()
            bench_probe.emit_probe({
                "python_and_imports_s": t_import - _START, "tensorflow_import_s": t_data - t_import,
                "data_s": t_build - t_data, "build_s": t_run - t_build,
                "first_step_s": t_end - t_run, "in_process_s": t_end - _START}, sys.stdout)
        return 0
    config = bench_measure.session_config(FLAGS.intra, FLAGS.inter, xla=FLAGS.probe == "xla",
                                          mixed_precision=FLAGS.probe_mixed_precision)
    reproduction = bench_models.build(name, data, FLAGS.batch_size, FLAGS.seed)
    payload = {"intra": FLAGS.intra, "inter": FLAGS.inter,
               "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
               "tensorflow": tf.__version__}
    with bench_measure.initial_session(reproduction, config) as session:
        if FLAGS.probe == "xla":
            images, labels = reproduction.next_batch()
            payload["clusters"] = bench_measure.xla_cluster_count(
                session, reproduction.train_op, reproduction.feed(images, labels))
        times = bench_measure.time_feed_steps(session, reproduction, FLAGS.warmup, FLAGS.steps)
    payload.update(bench_measure.summarize(times))
    if FLAGS.probe == "xla":
        # Same initial weights (same seed, same graph), same batches, no
        # dropout: the losses differ only by what XLA computes differently.
        images, labels = bench_models.training_arrays(name, data)
        batches = [bench_measure.rows(images, labels, i * FLAGS.batch_size, FLAGS.batch_size)
                   for i in range(FLAGS.xla_check_steps)]
        losses = [bench_measure.loss_after_steps(
            bench_models.build(name, data, FLAGS.batch_size, FLAGS.seed), batches,
            bench_measure.session_config(xla=xla)) for xla in (False, True)]
        payload.update(loss_steps=FLAGS.xla_check_steps, loss_default=losses[0],
                       loss_xla=losses[1],
                       loss_rel_diff=bench_measure.relative_difference(*losses),
                       loss_identical=losses[0] == losses[1])
    bench_probe.emit_probe(payload, sys.stdout)
    return 0


def _probe_or_error(argv, env=None):
    """(payload, wall seconds, stderr) of a probe, or ({"error": ...}, None, "")."""
    try:
        return bench_probe.run_probe(argv, env=env)
    except bench_probe.ProbeError as err:
        _say("a child measurement failed: %s" % err)
        return {"error": str(err)}, None, ""


class StartupFailed(errors.UserError):
    """The first-step child failed: this process would fail the same way
    (it loads the same data and builds the same graph), so stop here."""


def _startup(model):
    """Time to first step in a fresh process, first (cold) then again (warm)."""
    result = {}
    for kind in ("cold", "warm"):
        _say("%s: time to first step, %s start" % (model, kind))
        try:
            payload, wall, _ = bench_probe.run_probe(_probe_argv("first_step", model))
        except bench_probe.ProbeError as err:
            # The child's own one-line error (missing data, a bad size...).
            raise StartupFailed(str(err).split(" error: ", 1)[-1]) from None
        result[kind] = payload
        result["%s_s" % kind] = wall
    return result


def _settings():
    """Each setting on the conv step in its own child process (see
    benchmarks.measure on why), as ratios to a child with the defaults."""
    _say("conv: settings, default (child process)")
    base, _, _ = _probe_or_error(_probe_argv("step", "conv"))
    if "error" in base:
        return {"default": base}
    settings = {"default": base}

    def record(key, payload):
        if "error" not in payload:
            payload["step_ms"] = payload["median_ms"]
            payload["ratio"] = payload["median_ms"] / base["median_ms"]
        settings[key] = payload

    for intra, inter in _thread_settings():
        _say("conv: settings, threads %d/%d (child process)" % (intra, inter))
        payload, _, _ = _probe_or_error(_probe_argv("step", "conv", intra=intra, inter=inter))
        record("threads_%d_%d" % (intra, inter), payload)
    _say("conv: settings, oneDNN off (child process)")
    payload, _, _ = _probe_or_error(_probe_argv("step", "conv"),
                                    env=bench_probe.child_env(TF_ENABLE_ONEDNN_OPTS="0"))
    record("onednn_off", payload)
    # Not a faithful setting (other numbers), measured because it may be the
    # largest speed-up a user can opt into.
    _say("conv: settings, mixed precision (child process)")
    payload, _, _ = _probe_or_error(_probe_argv("step", "conv", probe_mixed_precision=True))
    record("mixed_precision", payload)
    _say("conv: settings, XLA (child process)")
    xla_flags = (os.environ.get("TF_XLA_FLAGS", "") + " --tf_xla_cpu_global_jit").strip()
    payload, _, stderr = _probe_or_error(_probe_argv("xla", "conv"),
                                         env=bench_probe.child_env(TF_XLA_FLAGS=xla_flags))
    if "error" not in payload:
        payload["loss_tolerance"] = XLA_LOSS_TOLERANCE
        payload["loss_within_tolerance"] = payload["loss_rel_diff"] <= XLA_LOSS_TOLERANCE
        # E.g. op determinism: "GPU MaxPool gradient ops do not yet have a
        # deterministic XLA implementation" (logged on CPU too); that
        # cluster then runs without XLA.
        notes = [line.strip() for line in stderr.splitlines() if "UNIMPLEMENTED" in line]
        if notes:
            payload["note"] = notes[0][:300]
    record("xla", payload)
    return settings


# --- the graph phase -------------------------------------------------------------------

def _graph_phase(name, data, results, ceiling_flops):
    """Everything measured on the reproduction in TF1 graph mode; returns
    what the Keras phase needs."""
    from benchmarks import measure as m
    from benchmarks import models as bench_models
    r = results[name]
    reproduction = bench_models.build(name, data, FLAGS.batch_size, FLAGS.seed)
    _say("%s: reproduction, %d steps after %d" % (name, FLAGS.steps, FLAGS.warmup))
    with m.initial_session(reproduction) as session:
        first_batch = reproduction.next_batch()
        weights, reference = m.initial_values(session, reproduction, *first_batch)
        times = m.time_feed_steps(session, reproduction, FLAGS.warmup, FLAGS.steps)
    step = m.summarize(times)
    r.update(step_ms=step["median_ms"], step_p10_ms=step["p10_ms"], step_p25_ms=step["p25_ms"],
             step_p75_ms=step["p75_ms"], step_p90_ms=step["p90_ms"], steps=step["n"])

    if FLAGS.ceiling:
        _say("%s: FLOPs per step (profiler)" % name)
        flops = m.profiler_flops(reproduction.graph, [reproduction.train_op.name],
                                 m.static_placeholder_shapes(reproduction.graph,
                                                             FLAGS.batch_size))
        hand = bench_models.hand_flops_per_step(reproduction)
        achieved = flops / (step["median_ms"] / 1000.0)
        r.update(flops_per_step=flops, flops_per_step_hand=hand,
                 flops_profiler_over_hand=flops / hand, achieved_flops_per_s=achieved,
                 ceiling_share=achieved / ceiling_flops)

    if FLAGS.growth:
        steps = m.steps_needed(FLAGS.late, FLAGS.window)
        _say("%s: long run, %d steps" % (name, steps))
        with m.initial_session(reproduction) as session:
            times = m.growth_times_reproduction(session, reproduction, steps)
        early = m.window_median_ms(times, FLAGS.early, FLAGS.window)
        late = m.window_median_ms(times, FLAGS.late, FLAGS.window)
        r.update(early_step=FLAGS.early, late_step=FLAGS.late, window=FLAGS.window,
                 early_ms=early, late_ms=late, late_over_early=late / early)
        if name == "conv":
            _say("conv: long run of the legacy pattern, %d steps" % steps)
            legacy = bench_models.build_legacy_conv(FLAGS.batch_size, FLAGS.seed)
            with tempfile.TemporaryDirectory(prefix="bench_legacy_") as logdir:
                times = m.growth_times_legacy(legacy, reproduction.next_batch, steps,
                                              bench_models.legacy_summary_op, logdir)
            early = m.window_median_ms(times, FLAGS.early, FLAGS.window)
            late = m.window_median_ms(times, FLAGS.late, FLAGS.window)
            r.update(legacy_early_ms=early, legacy_late_ms=late,
                     legacy_late_over_early=late / early,
                     legacy_graph_ops=len(legacy.graph.get_operations()))

    if name == "conv" and FLAGS.settings:
        _say("conv: settings, tf.data input pipeline")
        from tf1_examples import conv
        images, labels = bench_models.training_arrays(name, data)
        graph, model, init_ops, init_feed = m.build_conv_tfdata(
            conv, images, labels, FLAGS.batch_size, FLAGS.seed, reproduction.config.learning_rate)
        tfdata = m.summarize(m.time_tfdata_steps(graph, model, init_ops, init_feed,
                                                 reproduction.keep_value, FLAGS.warmup,
                                                 FLAGS.steps))
        r.setdefault("settings", {})["tf_data"] = dict(
            tfdata, step_ms=tfdata["median_ms"], ratio=tfdata["median_ms"] / step["median_ms"])
    return {"spec": bench_models.keras_spec(reproduction), "weights": weights,
            "reference": reference, "reference_is_softmax": reproduction.reference_is_softmax,
            "first_batch": first_batch, "next_batch": reproduction.next_batch,
            "arrays": bench_models.training_arrays(name, data)}


# --- the Keras phase ---------------------------------------------------------------------

def _keras_phase(name, twin, results):
    from benchmarks import measure as m
    from benchmarks import models as bench_models
    import keras
    r = results[name]
    _say("%s: Keras %s train_on_batch, %d calls after %d"
         % (name, keras.__version__, FLAGS.steps, FLAGS.warmup))
    model = bench_models.keras_twin(twin["spec"], twin["weights"])
    r["keras_init_max_rel_diff"] = bench_models.twin_max_rel_diff(
        model, twin["first_batch"][0], twin["reference"], twin["reference_is_softmax"])
    r["keras_jit_compile"] = bool(model.jit_compile)
    calls = m.summarize(m.time_keras_train_on_batch(model, twin["next_batch"], FLAGS.warmup,
                                                    FLAGS.steps))
    r.update(keras_train_on_batch_ms=calls["median_ms"],
             keras_train_on_batch_p10_ms=calls["p10_ms"],
             keras_train_on_batch_p90_ms=calls["p90_ms"],
             step_over_keras_train_on_batch=r["step_ms"] / calls["median_ms"])
    _say("%s: Keras fit, %d + %d epochs of %d steps" % (name, 1, FLAGS.fit_epochs, FLAGS.steps))
    model = bench_models.keras_twin(twin["spec"], twin["weights"])
    images, labels = m.rows(*twin["arrays"], 0, FLAGS.steps * FLAGS.batch_size)
    epochs = m.time_keras_fit(model, images, labels, FLAGS.batch_size, 1 + FLAGS.fit_epochs)
    import numpy as np
    fit_ms = 1000.0 * float(np.median(epochs[1:])) / FLAGS.steps
    r.update(keras_fit_ms=fit_ms, keras_fit_epoch_s=epochs,
             step_over_keras_fit=r["step_ms"] / fit_ms)


# --- main --------------------------------------------------------------------------------

def _machine(tf):
    return {"cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "tensorflow": tf.__version__,
            "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
            "load_average_start": os.getloadavg()[0]}


def _run():
    results = {name: {} for name in FLAGS.models}
    if FLAGS.startup:
        results[FLAGS.models[0]]["startup"] = _startup(FLAGS.models[0])
    tf = _setup_tensorflow()
    from benchmarks import measure as m
    results["machine"] = _machine(tf)
    data = _DataCache()
    for name in FLAGS.models:
        data(name)  # every data error before the first measurement
    ceiling = None
    if FLAGS.ceiling:
        _say("matmul ceiling, %dx%d" % (FLAGS.matmul_size, FLAGS.matmul_size))
        ceiling, matmul = m.matmul_flops_per_s(FLAGS.matmul_size, FLAGS.matmul_repeats)
        results["machine"].update(matmul_size=FLAGS.matmul_size, matmul_flops_per_s=ceiling,
                                  matmul_ms=matmul["median_ms"])
    twins = {name: _graph_phase(name, data(name), results, ceiling) for name in FLAGS.models}
    if FLAGS.settings and "conv" in FLAGS.models:
        results["conv"].setdefault("settings", {}).update(_settings())
    if FLAGS.keras:
        try:
            m.switch_to_eager()
        except m.ModeError as err:
            _say(str(err))
            for name in FLAGS.models:
                results[name]["keras_error"] = str(err)
        else:
            import keras
            results["machine"].update(keras=keras.__version__,
                                      keras_backend=keras.backend.backend())
            # `import keras` must be Keras 3 (tf-keras, Keras 2, is
            # installed too, for the old rnn_cell classes).
            if int(keras.__version__.split(".")[0]) < 3:
                for name in FLAGS.models:
                    results[name]["keras_error"] = "import keras gave Keras %s" % (
                        keras.__version__)
            else:
                for name in FLAGS.models:
                    _keras_phase(name, twins[name], results)
    if FLAGS.upgrader:
        from benchmarks import upgrader as bench_upgrade
        _say("upgrader against tf_upgrade_v2, %d copies of %d programs"
             % (FLAGS.upgrader_copies, len(bench_upgrade.LEGACY_PROGRAMS)))
        try:
            results["upgrader"] = bench_upgrade.time_upgraders(
                FLAGS.upgrader_copies, FLAGS.upgrader_repeats,
                os.path.join(ROOT, "scripts", "upgrade.py"))
        except RuntimeError as err:
            _say(str(err))
            results["upgrader"] = {"error": str(err)}
    if FLAGS.cluster and "conv" in FLAGS.models:
        from benchmarks import cluster as bench_cluster
        _say("conv on the loopback cluster: %s" % ", ".join(l[0] for l in bench_cluster.LAYOUTS))
        with tempfile.TemporaryDirectory() as logdir:
            try:
                results["cluster"] = bench_cluster.measure(
                    ROOT, FLAGS.data_dir, logdir, FLAGS.batch_size,
                    FLAGS.cluster_steps, seed=FLAGS.seed,
                    validation_size=FLAGS.validation_size)
            except bench_cluster.ClusterBenchError as err:
                _say(str(err))
                results["cluster"] = {"error": str(err)}
    results["machine"]["load_average_end"] = os.getloadavg()[0]
    results["run"] = {name: FLAGS[name].value for name in (
        "models", "dataset", "batch_size", "steps", "warmup", "seed", "determinism",
        "fit_epochs", "matmul_repeats", "early", "late", "window", "threads",
        "xla_check_steps", "upgrader_copies", "upgrader_repeats")}
    return results


def main(argv):
    if len(argv) > 1:
        return _fail("unexpected arguments: %s" % " ".join(argv[1:]), 2)
    try:
        _validate()
        if FLAGS.probe:
            return _probe_main()
        results = _run()
    except (errors.DataError, errors.ConfigError, StartupFailed) as err:
        return _fail(err)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    from benchmarks import report as bench_report
    sys.stdout.write(bench_report.render(results))
    sys.stdout.flush()
    if FLAGS.json:
        try:
            bench_report.write_json(FLAGS.json, results)
        except OSError as err:
            return _fail("cannot write --json %s: %s" % (FLAGS.json, err.strerror or err))
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser(PROG))


if __name__ == "__main__":
    run()
