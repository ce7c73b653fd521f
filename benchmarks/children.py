"""The measurements made in fresh processes, both sides: the parent's start-up
and settings phases, which start ``bench.py --probe=...`` children and
collect their numbers, and what such a child measures (:func:`probe_main`).
Why these need a process of their own is said in ``benchmarks.measure``;
how a child is started and heard is ``benchmarks.probe``.

TensorFlow is imported only inside the child's functions: the parent runs
the cold start-up probe before it loads TensorFlow itself.
"""

import os
import sys
import time

from benchmarks import options as bench_options
from benchmarks import probe as bench_probe
from benchmarks.environment import load_data, say, setup_tensorflow
from compat.util import errors

XLA_LOSS_TOLERANCE = 1e-3  # relative; XLA reorders float32 sums


class StartupFailed(errors.UserError):
    """The first-step child failed: this process would fail the same way
    (it loads the same data and builds the same graph), so stop here."""


# --- the parent's side -------------------------------------------------------------------

def probe_argv(options, probe, model, **extra):
    """The command line of a child measuring ``probe`` on ``model`` with the
    parent's sizes, seed and data; ``extra`` adds --name=value flags."""
    argv = [sys.executable, options.script, "--probe=%s" % probe,
            "--models=%s" % model, "--batch_size=%d" % options.batch_size,
            "--steps=%d" % options.steps, "--warmup=%d" % options.warmup,
            "--seed=%d" % options.seed,
            "--validation_size=%d" % options.validation_size,
            "--dataset=%s" % options.dataset,
            "--xla_check_steps=%d" % options.xla_check_steps,
            "--%sdeterminism" % ("" if options.determinism else "no")]
    for name in ("data_dir", "notmnist_dir", "cache_dir", "source_url"):
        if getattr(options, name) is not None:
            argv.append("--%s=%s" % (name, getattr(options, name)))
    argv += ["--%s=%s" % item for item in extra.items()]
    return argv


def _probe_or_error(argv, env=None):
    """(payload, wall seconds, stderr) of a probe, or ({"error": ...}, None, "")."""
    try:
        return bench_probe.run_probe(argv, env=env)
    except bench_probe.ProbeError as err:
        say("a child measurement failed: %s" % err)
        return {"error": str(err)}, None, ""


def startup(options, model):
    """Time to first step in a fresh process, first (cold) then again (warm)."""
    result = {}
    for kind in ("cold", "warm"):
        say("%s: time to first step, %s start" % (model, kind))
        try:
            payload, wall, _ = bench_probe.run_probe(probe_argv(options, "first_step", model))
        except bench_probe.ProbeError as err:
            # The child's own one-line error (missing data, a bad size...).
            raise StartupFailed(str(err).split(" error: ", 1)[-1]) from None
        result[kind] = payload
        result["%s_s" % kind] = wall
    return result


def settings(options):
    """Each setting on the conv step in its own child process (see
    benchmarks.measure on why), as ratios to a child with the defaults."""
    say("conv: settings, default (child process)")
    base, _, _ = _probe_or_error(probe_argv(options, "step", "conv"))
    if "error" in base:
        return {"default": base}
    measured = {"default": base}

    def record(key, payload):
        if "error" not in payload:
            payload["step_ms"] = payload["median_ms"]
            payload["ratio"] = payload["median_ms"] / base["median_ms"]
        measured[key] = payload

    for intra, inter in bench_options.thread_settings(options):
        say("conv: settings, threads %d/%d (child process)" % (intra, inter))
        payload, _, _ = _probe_or_error(probe_argv(options, "step", "conv", intra=intra,
                                                   inter=inter))
        record("threads_%d_%d" % (intra, inter), payload)
    say("conv: settings, oneDNN off (child process)")
    payload, _, _ = _probe_or_error(probe_argv(options, "step", "conv"),
                                    env=bench_probe.child_env(TF_ENABLE_ONEDNN_OPTS="0"))
    record("onednn_off", payload)
    # Not a faithful setting (other numbers), measured because it may be the
    # largest speed-up a user can opt into.
    say("conv: settings, mixed precision (child process)")
    payload, _, _ = _probe_or_error(probe_argv(options, "step", "conv",
                                               probe_mixed_precision=True))
    record("mixed_precision", payload)
    say("conv: settings, XLA (child process)")
    xla_flags = (os.environ.get("TF_XLA_FLAGS", "") + " --tf_xla_cpu_global_jit").strip()
    payload, _, stderr = _probe_or_error(probe_argv(options, "xla", "conv"),
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
    return measured


# --- the child's side --------------------------------------------------------------------

def probe_main(options):
    """One measurement in this fresh process, printed as one marker line."""
    name = options.models[0]
    t_import = time.perf_counter()
    tf = setup_tensorflow(options)
    from benchmarks import measure as bench_measure
    from benchmarks import models as bench_models
    t_data = time.perf_counter()
    data = load_data(options, name)
    t_build = time.perf_counter()
    if options.probe == "first_step":
        reproduction = bench_models.build(name, data, options.batch_size, options.seed)
        t_run = time.perf_counter()
        with bench_measure.initial_session(reproduction) as session:
            images, labels = reproduction.next_batch()
            session.run(reproduction.train_op, reproduction.feed(images, labels))
            t_end = time.perf_counter()
            bench_probe.emit_probe({
                "python_and_imports_s": t_import - options.started,
                "tensorflow_import_s": t_data - t_import,
                "data_s": t_build - t_data, "build_s": t_run - t_build,
                "first_step_s": t_end - t_run, "in_process_s": t_end - options.started},
                sys.stdout)
        return 0
    config = bench_measure.session_config(options.intra, options.inter,
                                          xla=options.probe == "xla",
                                          mixed_precision=options.probe_mixed_precision)
    reproduction = bench_models.build(name, data, options.batch_size, options.seed)
    payload = {"intra": options.intra, "inter": options.inter,
               "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
               "tensorflow": tf.__version__}
    with bench_measure.initial_session(reproduction, config) as session:
        if options.probe == "xla":
            images, labels = reproduction.next_batch()
            payload["clusters"] = bench_measure.xla_cluster_count(
                session, reproduction.train_op, reproduction.feed(images, labels))
        times = bench_measure.time_feed_steps(session, reproduction, options.warmup,
                                              options.steps)
    payload.update(bench_measure.summarize(times))
    if options.probe == "xla":
        # Same initial weights (same seed, same graph), same batches, no
        # dropout: the losses differ only by what XLA computes differently.
        images, labels = bench_models.training_arrays(name, data)
        batches = [bench_measure.rows(images, labels, i * options.batch_size,
                                      options.batch_size)
                   for i in range(options.xla_check_steps)]
        losses = [bench_measure.loss_after_steps(
            bench_models.build(name, data, options.batch_size, options.seed), batches,
            bench_measure.session_config(xla=xla)) for xla in (False, True)]
        payload.update(loss_steps=options.xla_check_steps, loss_default=losses[0],
                       loss_xla=losses[1],
                       loss_rel_diff=bench_measure.relative_difference(*losses),
                       loss_identical=losses[0] == losses[1])
    bench_probe.emit_probe(payload, sys.stdout)
    return 0
