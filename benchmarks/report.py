"""The benchmark's output: markdown tables of the numbers
``scripts/bench.py`` collected, and their JSON file.

The results are one dict keyed by model name (``conv``, ``nn``, ...) plus
``machine``, ``upgrader`` and ``run``.  A part that failed holds
``{"error": message}`` and shows as "failed" in the tables; a part that was
not run is absent and shows as an em dash.
"""

import json
import math

from compat.util import atomic

DASH = "\u2014"
NON_MODEL_KEYS = ("machine", "upgrader", "estimator", "run", "cluster", "legacy")

# Row labels of the ratio table, in order (the tests look for them).
ROW_KERAS_TOB = "reproduction / Keras train_on_batch"
ROW_KERAS_FIT = "reproduction / Keras fit"
ROW_CEILING = "share of the matmul ceiling"
ROW_FLOPS = "FLOPs per step: profiler / hand count"
ROW_GROWTH = "late / early step, reproduction"
ROW_LEGACY = "late / early step, legacy summary op per step"
ROW_TFDATA = "tf.data pipeline / feed_dict"
ROW_XLA = "XLA (global_jit_level ON_1) / default"
ROW_ONEDNN = "oneDNN off / on"
ROW_MIXED = "mixed precision (--mixed_precision: bfloat16 on CPU) / default"
ROW_STARTUP = "time to first step, cold / warm"
ROW_MATMUL = "float32 matmul"
ROW_UPGRADE_CLI = "upgrader / tf_upgrade_v2, command"
ROW_UPGRADE_IN = "upgrader / tf_upgrade_v2, in process"
ROW_ESTIMATOR = "Session loop / Estimator.train, steps/s, %s"
ROW_RUNNER = "question's program via run_legacy.py / reproduction via run.py, whole run%s"
ROW_RUNNER_COST = "runner's cost per Session.run (shim / --max_steps / no reuse / plain)"
ESTIMATOR_MODELS = {"mlp": "784-128-10 MLP", "cnn": "layers tutorial CNN"}


def threads_row(intra, inter):
    return "threads intra %d / inter %d vs default" % (intra, inter)


def models_of(results):
    return [name for name in results if name not in NON_MODEL_KEYS]


def _finite(value):
    return isinstance(value, (int, float)) and math.isfinite(value)


def _num(value, digits=2):
    if not _finite(value):
        return DASH
    if value and abs(value) < 10 ** -digits:
        return "%.1e" % value
    return "%.*f" % (digits, value)


def _ms(value):
    return "%.1f ms" % value if _finite(value) else DASH


def _flops(flops, per=""):
    """FLOPs in G (or M below 1 G), ``per="/s"`` for a rate."""
    if not _finite(flops):
        return DASH
    if flops >= 1e9:
        return "%.1f GFLOP%s" % (flops / 1e9, per)
    return "%.1f MFLOP%s" % (flops / 1e6, per)


def _cell(part, render):
    """``render(part)`` for a measured part, "failed" for a failed one, a
    dash for one not run."""
    if part is None:
        return DASH
    if isinstance(part, dict) and "error" in part:
        return "failed"
    try:
        return render(part)
    except (KeyError, TypeError):
        return DASH


def _step_cell(r, key):
    if key not in r:
        return DASH
    return "%s [%s, %s]" % (_num(r[key], 1), _num(r.get(key.replace("_ms", "_p10_ms")), 1),
                            _num(r.get(key.replace("_ms", "_p90_ms")), 1))


def step_table(results):
    lines = ["| model | reproduction | Keras train_on_batch | Keras fit |",
             "|---|---|---|---|"]
    for name in models_of(results):
        r = results[name]
        fit = _num(r["keras_fit_ms"], 1) if "keras_fit_ms" in r else (
            "failed" if "keras_error" in r else DASH)
        lines.append("| %s | %s | %s | %s |" % (name, _step_cell(r, "step_ms"),
                                                _step_cell(r, "keras_train_on_batch_ms"), fit))
    return "\n".join(lines)


def _setting_cell(part, extra=None):
    def render(p):
        return "%s (%s%s)" % (_num(p["ratio"]), _ms(p["step_ms"]), extra(p) if extra else "")
    return _cell(part, render)


def _xla_extra(p):
    if p["loss_identical"]:
        loss = "identical"
    else:
        loss = "rel. diff %s%s" % (_num(p["loss_rel_diff"]), "" if p["loss_within_tolerance"]
                                   else " OVER TOLERANCE %g" % p["loss_tolerance"])
    return ", %d clusters, loss after %d steps %s" % (p["clusters"], p["loss_steps"], loss)


def _setting_rows(results, models):
    """(label, cells) of the settings measured (on conv): thread counts in
    the order tried, then tf.data, XLA and oneDNN."""
    def settings(name):
        return results[name].get("settings", {})
    threads = []
    for name in models:
        for key, part in settings(name).items():
            if key.startswith("threads_") and key not in threads:
                threads.append(key)
    rows = []
    for key in threads:
        intra, inter = (int(n) for n in key.split("_")[1:])
        rows.append((threads_row(intra, inter),
                     [_setting_cell(settings(n).get(key)) for n in models]))
    for key, label, extra in (("tf_data", ROW_TFDATA, None), ("xla", ROW_XLA, _xla_extra),
                              ("onednn_off", ROW_ONEDNN, None),
                              ("mixed_precision", ROW_MIXED, None)):
        rows.append((label, [_setting_cell(settings(n).get(key), extra) for n in models]))
    return rows


def ratio_table(results):
    """Rows of ratios (and the start-up times), a column per model; rows
    with nothing measured are left out."""
    models = models_of(results)

    def row(label, render, *needed):
        def cell(r):
            if all(name in r for name in needed):
                return render(r)
            keras_row = needed[0].startswith("step_over_keras")
            return "failed" if keras_row and "keras_error" in r else DASH
        return label, [cell(results[n]) for n in models]

    rows = [
        row(ROW_KERAS_TOB, lambda r: _num(r["step_over_keras_train_on_batch"]),
            "step_over_keras_train_on_batch"),
        row(ROW_KERAS_FIT, lambda r: _num(r["step_over_keras_fit"]), "step_over_keras_fit"),
        row(ROW_CEILING, lambda r: "%s (%s)" % (
            _num(r["ceiling_share"]), _flops(r["achieved_flops_per_s"], "/s")),
            "ceiling_share"),
        row(ROW_FLOPS, lambda r: "%s (%s / %s)" % (
            _num(r["flops_profiler_over_hand"], 3), _flops(r["flops_per_step"]),
            _flops(r["flops_per_step_hand"])), "flops_profiler_over_hand"),
        row(ROW_GROWTH, lambda r: "%s (step %d: %s, step %d: %s)" % (
            _num(r["late_over_early"]), r["early_step"], _ms(r["early_ms"]), r["late_step"],
            _ms(r["late_ms"])), "late_over_early"),
        row(ROW_LEGACY, lambda r: "%s (%s, %s)" % (
            _num(r["legacy_late_over_early"]), _ms(r["legacy_early_ms"]),
            _ms(r["legacy_late_ms"])), "legacy_late_over_early"),
    ]
    rows += _setting_rows(results, models)
    rows.append(row(ROW_STARTUP, lambda r: _cell(r["startup"], lambda s: "%.1f s / %.1f s" % (
        s["cold_s"], s["warm_s"])), "startup"))
    lines = ["| ratio | %s |" % " | ".join(models), "|---|%s" % ("---|" * len(models))]
    lines += ["| %s | %s |" % (label, " | ".join(cells)) for label, cells in rows
              if any(cell != DASH for cell in cells)]
    return "\n".join(lines)


def tools_table(results):
    lines = ["| measurement | value |", "|---|---|"]
    machine = results.get("machine", {})
    if "matmul_flops_per_s" in machine:
        lines.append("| %s %dx%d (the ceiling) | %s (%s) |" % (
            ROW_MATMUL, machine["matmul_size"], machine["matmul_size"],
            _flops(machine["matmul_flops_per_s"], "/s"), _ms(machine["matmul_ms"])))
    upgrader = results.get("upgrader")
    if upgrader is not None:
        lines.append("| %s | %s |" % (ROW_UPGRADE_CLI, _cell(
            upgrader, lambda u: "%s (%.2f s / %.2f s, %d files)" % (
                _num(u["ours_over_tf_upgrade_v2_cli"]), u["ours_cli_s"],
                u["tf_upgrade_v2_cli_s"], u["files"]))))
        lines.append("| %s | %s |" % (ROW_UPGRADE_IN, _cell(
            upgrader, lambda u: "%s (%.3f s / %.3f s)" % (
                _num(u["ours_over_tf_upgrade_v2_in_process"]), u["ours_in_process_s"],
                u["tf_upgrade_v2_in_process_s"]))))
    estimator = results.get("estimator")
    for model, name in ESTIMATOR_MODELS.items() if estimator is not None else ():
        part = estimator if "error" in estimator else estimator.get(model)
        lines.append("| %s | %s |" % (ROW_ESTIMATOR % name, _cell(
            part, lambda e: "%s [%s, %s] (%.1f / %.1f steps/s; Estimator's own %.2f ms a "
            "step; first step %.2f s / %.2f s)" % (
                _num(e["session_over_estimator"]), _num(e["ratio_min"]), _num(e["ratio_max"]),
                e["session_steps_per_s"], e["estimator_steps_per_s"],
                e["overhead_ms_per_step"], e["session_first_step_s"],
                e["estimator_first_step_s"]))))
    legacy = results.get("legacy")
    for way, label in (("legacy", ""), ("legacy_noreuse", ", --noreuse_loop_ops")) \
            if legacy is not None else ():
        lines.append("| %s | %s |" % (ROW_RUNNER % label, _cell(
            legacy, lambda r: "%s [%s, %s] (%.1f s / %.1f s, %d steps; graph at the end "
            "%d ops, %d made after training started / %d ops)" % (
                _num(r[way + "_over_reproduction"]), _num(r[way + "_ratio_min"]),
                _num(r[way + "_ratio_max"]), r[way + "_s"], r["reproduction_s"], r["steps"],
                r[way + "_graph_ops"], r[way + "_created_after_start"],
                r["reproduction_graph_ops"]))))
    if legacy is not None and "error" not in legacy:
        lines.append("| %s | %s |" % (ROW_RUNNER_COST, _cell(
            legacy.get("costs"), lambda c: "%.0f / %.0f / %.0f / %.0f us; an old name's "
            "lookup %.1f us" % (c["shim_us_per_run"], c["shim_max_steps_us_per_run"],
                                c["shim_noreuse_us_per_run"], c["plain_us_per_run"],
                                c["old_name_lookup_us"]))))
    if "load_average_start" in machine:
        lines.append("| load average at start / end (1 min) | %.2f / %.2f on %d cores |" % (
            machine["load_average_start"], machine.get("load_average_end", float("nan")),
            machine["cpu_count"]))
    return "\n".join(lines)


def render(results):
    """The tables as markdown text (a table with no rows is left out)."""
    parts = []
    for title, table in (
            ("Step time (median [p10, p90] ms)", step_table(results)),
            ("Ratios (below 1: the reproduction or the setting is faster)",
             ratio_table(results)),
            ("Machine and tools", tools_table(results))):
        if table.count("\n") > 1:
            parts += ["### " + title, table]
    cluster = results.get("cluster")
    if cluster and "error" not in cluster:
        from benchmarks import cluster as bench_cluster
        parts += ["### Loopback cluster", "```\n" + bench_cluster.table(cluster) + "```"]
    elif cluster:
        parts += ["### Loopback cluster", "failed: " + cluster["error"]]
    return "\n\n".join(parts) + "\n"


def write_json(path, results):
    """The results as JSON, written atomically (complete or absent)."""
    atomic.write_text(path, json.dumps(results, indent=1, sort_keys=False,
                                       allow_nan=True) + "\n")
