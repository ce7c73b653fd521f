"""One benchmark run of ``scripts/bench.py``, phase by phase, into one results
dict (keyed by model, plus ``machine``, ``upgrader``, ``estimator``, ``cluster`` and
``run``; ``benchmarks.report`` renders it): the cold and warm start-up
probes first (before this process loads TensorFlow), the data, the matmul
ceiling, the graph phase of every model, the settings children, the Keras
phase (eager mode, after every graph: see ``benchmarks.measure``), the
upgrader and the loopback cluster.

It takes a ``benchmarks.options.Options``; the measuring itself is done by
``benchmarks.measure``, ``benchmarks.models``, ``benchmarks.children``,
``benchmarks.upgrader`` and ``benchmarks.cluster``.
"""

import os
import tempfile

from benchmarks import children
from benchmarks import options as bench_options
from benchmarks.environment import DataCache, say, setup_tensorflow


def _root(options):
    # The checkout (or install) bench.py runs from: its scripts/ are what the
    # upgrader and cluster phases start.
    return os.path.dirname(os.path.dirname(options.script))


# --- the graph phase ---------------------------------------------------------------------

def _graph_phase(options, name, data, results, ceiling_flops):
    """Everything measured on the reproduction in TF1 graph mode; returns
    what the Keras phase needs."""
    from benchmarks import measure as m
    from benchmarks import models as bench_models
    r = results[name]
    reproduction = bench_models.build(name, data, options.batch_size, options.seed)
    say("%s: reproduction, %d steps after %d" % (name, options.steps, options.warmup))
    with m.initial_session(reproduction) as session:
        first_batch = reproduction.next_batch()
        weights, reference = m.initial_values(session, reproduction, *first_batch)
        times = m.time_feed_steps(session, reproduction, options.warmup, options.steps)
    step = m.summarize(times)
    r.update(step_ms=step["median_ms"], step_p10_ms=step["p10_ms"], step_p25_ms=step["p25_ms"],
             step_p75_ms=step["p75_ms"], step_p90_ms=step["p90_ms"], steps=step["n"])

    if options.ceiling:
        say("%s: FLOPs per step (profiler)" % name)
        flops = m.profiler_flops(reproduction.graph, [reproduction.train_op.name],
                                 m.static_placeholder_shapes(reproduction.graph,
                                                             options.batch_size))
        hand = bench_models.hand_flops_per_step(reproduction)
        achieved = flops / (step["median_ms"] / 1000.0)
        r.update(flops_per_step=flops, flops_per_step_hand=hand,
                 flops_profiler_over_hand=flops / hand, achieved_flops_per_s=achieved,
                 ceiling_share=achieved / ceiling_flops)

    if options.growth:
        steps = m.steps_needed(options.late, options.window)
        say("%s: long run, %d steps" % (name, steps))
        with m.initial_session(reproduction) as session:
            times = m.growth_times_reproduction(session, reproduction, steps)
        early = m.window_median_ms(times, options.early, options.window)
        late = m.window_median_ms(times, options.late, options.window)
        r.update(early_step=options.early, late_step=options.late, window=options.window,
                 early_ms=early, late_ms=late, late_over_early=late / early)
        if name == "conv":
            say("conv: long run of the legacy pattern, %d steps" % steps)
            legacy = bench_models.build_legacy_conv(options.batch_size, options.seed)
            with tempfile.TemporaryDirectory(prefix="bench_legacy_") as logdir:
                times = m.growth_times_legacy(legacy, reproduction.next_batch, steps,
                                              bench_models.legacy_summary_op, logdir)
            early = m.window_median_ms(times, options.early, options.window)
            late = m.window_median_ms(times, options.late, options.window)
            r.update(legacy_early_ms=early, legacy_late_ms=late,
                     legacy_late_over_early=late / early,
                     legacy_graph_ops=len(legacy.graph.get_operations()))

    if name == "conv" and options.settings:
        say("conv: settings, tf.data input pipeline")
        from tf1_examples import conv
        images, labels = bench_models.training_arrays(name, data)
        graph, model, init_ops, init_feed = m.build_conv_tfdata(
            conv, images, labels, options.batch_size, options.seed,
            reproduction.config.learning_rate)
        tfdata = m.summarize(m.time_tfdata_steps(graph, model, init_ops, init_feed,
                                                 reproduction.keep_value, options.warmup,
                                                 options.steps))
        r.setdefault("settings", {})["tf_data"] = dict(
            tfdata, step_ms=tfdata["median_ms"], ratio=tfdata["median_ms"] / step["median_ms"])
    return {"spec": bench_models.keras_spec(reproduction), "weights": weights,
            "reference": reference, "reference_is_softmax": reproduction.reference_is_softmax,
            "first_batch": first_batch, "next_batch": reproduction.next_batch,
            "arrays": bench_models.training_arrays(name, data)}


# --- the Keras phase ---------------------------------------------------------------------

def _keras_phase(options, name, twin, results):
    from benchmarks import measure as m
    from benchmarks import models as bench_models
    import keras
    r = results[name]
    say("%s: Keras %s train_on_batch, %d calls after %d"
        % (name, keras.__version__, options.steps, options.warmup))
    model = bench_models.keras_twin(twin["spec"], twin["weights"])
    r["keras_init_max_rel_diff"] = bench_models.twin_max_rel_diff(
        model, twin["first_batch"][0], twin["reference"], twin["reference_is_softmax"])
    r["keras_jit_compile"] = bool(model.jit_compile)
    calls = m.summarize(m.time_keras_train_on_batch(model, twin["next_batch"], options.warmup,
                                                    options.steps))
    r.update(keras_train_on_batch_ms=calls["median_ms"],
             keras_train_on_batch_p10_ms=calls["p10_ms"],
             keras_train_on_batch_p90_ms=calls["p90_ms"],
             step_over_keras_train_on_batch=r["step_ms"] / calls["median_ms"])
    say("%s: Keras fit, %d + %d epochs of %d steps"
        % (name, 1, options.fit_epochs, options.steps))
    model = bench_models.keras_twin(twin["spec"], twin["weights"])
    images, labels = m.rows(*twin["arrays"], 0, options.steps * options.batch_size)
    epochs = m.time_keras_fit(model, images, labels, options.batch_size, 1 + options.fit_epochs)
    import numpy as np
    fit_ms = 1000.0 * float(np.median(epochs[1:])) / options.steps
    r.update(keras_fit_ms=fit_ms, keras_fit_epoch_s=epochs,
             step_over_keras_fit=r["step_ms"] / fit_ms)


def _keras_phases(options, twins, results):
    """The Keras phase of every model, or why none could run."""
    from benchmarks import measure as m
    try:
        m.switch_to_eager()
    except m.ModeError as err:
        say(str(err))
        for name in options.models:
            results[name]["keras_error"] = str(err)
        return
    import keras
    results["machine"].update(keras=keras.__version__, keras_backend=keras.backend.backend())
    # `import keras` must be Keras 3 (tf-keras, Keras 2, is installed too,
    # for the old rnn_cell classes).
    if int(keras.__version__.split(".")[0]) < 3:
        for name in options.models:
            results[name]["keras_error"] = "import keras gave Keras %s" % keras.__version__
        return
    for name in options.models:
        _keras_phase(options, name, twins[name], results)


# --- the tools ---------------------------------------------------------------------------

def _upgrader_phase(options, results):
    from benchmarks import upgrader as bench_upgrade
    say("upgrader against tf_upgrade_v2, %d copies of %d programs"
        % (options.upgrader_copies, len(bench_upgrade.LEGACY_PROGRAMS)))
    try:
        results["upgrader"] = bench_upgrade.time_upgraders(
            options.upgrader_copies, options.upgrader_repeats,
            os.path.join(_root(options), "scripts", "upgrade.py"))
    except RuntimeError as err:
        say(str(err))
        results["upgrader"] = {"error": str(err)}


def _estimator_phase(options, results):
    from benchmarks import estimator as bench_estimator
    say("tf.estimator against a Session loop, %d MLP and %d CNN steps x %d"
        % (options.estimator_steps, options.estimator_cnn_steps, options.estimator_repeats))
    try:
        results["estimator"] = bench_estimator.run_child(
            _root(options), options.estimator_steps, options.estimator_cnn_steps,
            options.estimator_repeats, options.seed)
    except RuntimeError as err:
        say(str(err))
        results["estimator"] = {"error": str(err)}


def _cluster_phase(options, results):
    from benchmarks import cluster as bench_cluster
    say("conv on the loopback cluster: %s" % ", ".join(l[0] for l in bench_cluster.LAYOUTS))
    with tempfile.TemporaryDirectory() as logdir:
        try:
            results["cluster"] = bench_cluster.measure(
                _root(options), options.data_dir, logdir, options.batch_size,
                options.cluster_steps, seed=options.seed,
                validation_size=options.validation_size)
        except bench_cluster.ClusterBenchError as err:
            say(str(err))
            results["cluster"] = {"error": str(err)}


def _legacy_phase(options, results):
    from benchmarks import legacy as bench_legacy
    say("the question's program through run_legacy.py / its reproduction, %d steps x %d"
        % (options.legacy_steps, options.legacy_repeats))
    try:
        results["legacy"] = bench_legacy.measure(
            _root(options), os.path.abspath(options.legacy_program), options.data_dir,
            options.legacy_steps, options.legacy_repeats, options.seed, say=say)
        say("the runner's own cost per Session.run")
        results["legacy"]["costs"] = bench_legacy.costs_child(_root(options))
    except bench_legacy.LegacyBenchError as err:
        say(str(err))
        results["legacy"] = {"error": str(err)}


# --- the run -----------------------------------------------------------------------------

def _machine(tf):
    return {"cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "tensorflow": tf.__version__,
            "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
            "load_average_start": os.getloadavg()[0]}


def run(options):
    """Every part ``options`` asks for; the results dict (errors: DataError,
    ConfigError, children.StartupFailed)."""
    results = {name: {} for name in options.models}
    if options.startup:
        results[options.models[0]]["startup"] = children.startup(options, options.models[0])
    tf = setup_tensorflow(options)
    from benchmarks import measure as m
    results["machine"] = _machine(tf)
    data = DataCache(options)
    for name in options.models:
        data(name)  # every data error before the first measurement
    ceiling = None
    if options.ceiling:
        say("matmul ceiling, %dx%d" % (options.matmul_size, options.matmul_size))
        ceiling, matmul = m.matmul_flops_per_s(options.matmul_size, options.matmul_repeats)
        results["machine"].update(matmul_size=options.matmul_size, matmul_flops_per_s=ceiling,
                                  matmul_ms=matmul["median_ms"])
    twins = {name: _graph_phase(options, name, data(name), results, ceiling)
             for name in options.models}
    if options.settings and "conv" in options.models:
        results["conv"].setdefault("settings", {}).update(children.settings(options))
    if options.keras:
        _keras_phases(options, twins, results)
    if options.upgrader:
        _upgrader_phase(options, results)
    if options.estimator:
        _estimator_phase(options, results)
    if options.cluster and "conv" in options.models:
        _cluster_phase(options, results)
    if options.legacy:
        _legacy_phase(options, results)
    results["machine"]["load_average_end"] = os.getloadavg()[0]
    results["run"] = bench_options.recorded(options)
    return results
