"""scripts/bench.py kept working: every part run once with tiny sizes on
tiny IDX files, in subprocesses, checking the JSON's keys and that its
numbers are positive and finite, and the printed table's rows.  No timing
is asserted (the numbers of a tiny run on a busy machine mean nothing);
the FLOP counts are: the profiler's and the hand count must agree."""

import ast
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import cluster as bench_cluster
from benchmarks import report as bench_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "scripts", "bench.py")
# Profiler FLOPs / hand count (3 x the forward convolutions and matmuls):
# measured 1.002 for conv and 1.000 for nn; the profiler also counts bias
# adds, pooling, ReLU and the loss, under 1% of the step here.
FLOPS_AGREE = 1.1

TINY = ["--batch_size=8", "--steps=3", "--warmup=1", "--validation_size=10",
        "--early=2", "--late=6", "--window=1", "--matmul_size=64", "--matmul_repeats=2",
        "--fit_epochs=1", "--xla_check_steps=2", "--upgrader_copies=1", "--upgrader_repeats=1",
        "--cluster_steps=12", "--estimator_steps=5", "--estimator_cnn_steps=2",
        "--estimator_repeats=1",
        # Whole runs of the question's program on real MNIST: its own test.
        "--nolegacy"]


def run_bench(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, BENCH, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)



def positive_finite(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def assert_positive(part, keys):
    bad = {key: part.get(key, "(missing)") for key in keys if not positive_finite(part.get(key))}
    assert not bad, bad


MODEL_KEYS = ["step_ms", "step_p10_ms", "step_p90_ms", "keras_train_on_batch_ms",
              "keras_fit_ms", "step_over_keras_train_on_batch", "step_over_keras_fit",
              "flops_per_step", "flops_per_step_hand", "flops_profiler_over_hand",
              "achieved_flops_per_s", "ceiling_share", "early_ms", "late_ms",
              "late_over_early"]


def check_model(result):
    assert_positive(result, MODEL_KEYS)
    # The twin starts from the reproduction's initial weights.
    assert 0 <= result["keras_init_max_rel_diff"] < 1e-4
    assert 1 / FLOPS_AGREE < result["flops_profiler_over_hand"] < FLOPS_AGREE


def table_rows(stdout):
    return {line.split("|")[1].strip(): line for line in stdout.splitlines()
            if line.startswith("| ")}


def test_every_part_on_conv(tiny_mnist, tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--models=conv", "--data_dir=%s" % tiny_mnist, "--threads=1/1",
                       "--json=%s" % out, *TINY)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(out.read_text())
    assert set(data) == {"conv", "machine", "upgrader", "estimator", "run", "cluster"}
    # The loopback cluster's four layouts, each a real run of its processes.
    assert list(data["cluster"]) == [name for name, _, _, _ in bench_cluster.LAYOUTS]
    for name, layout in data["cluster"].items():
        assert_positive(layout, ["steps_per_s", "examples_per_s"])
    sync = data["cluster"]["2 workers + 1 ps, sync"]
    assert sync["examples_per_s"] == pytest.approx(2 * 8 * sync["steps_per_s"])
    assert "### Loopback cluster" in result.stdout
    conv = data["conv"]
    check_model(conv)
    assert_positive(conv, ["legacy_early_ms", "legacy_late_ms", "legacy_late_over_early"])
    # The legacy loop grew its graph by a summary op (and its tag) per step.
    assert conv["legacy_graph_ops"] > 0

    settings = conv["settings"]
    assert set(settings) == {"default", "threads_1_1", "tf_data", "xla", "onednn_off",
                             "mixed_precision"}
    assert_positive(settings["default"], ["median_ms", "p10_ms", "p90_ms"])
    for key in ("threads_1_1", "tf_data", "xla", "onednn_off", "mixed_precision"):
        assert_positive(settings[key], ["step_ms", "ratio"])
    assert (settings["threads_1_1"]["intra"], settings["threads_1_1"]["inter"]) == (1, 1)
    assert settings["onednn_off"]["onednn_env"] == "0"
    xla = settings["xla"]
    assert xla["clusters"] >= 1  # XLA really compiled part of the step
    assert xla["loss_within_tolerance"], xla
    assert_positive(xla, ["loss_default", "loss_xla"])

    startup = conv["startup"]
    assert_positive(startup, ["cold_s", "warm_s"])
    for kind in ("cold", "warm"):
        assert_positive(startup[kind], ["tensorflow_import_s", "data_s", "build_s",
                                        "first_step_s", "in_process_s"])

    assert_positive(data["machine"], ["matmul_flops_per_s", "matmul_ms"])
    upgrader = data["upgrader"]
    assert upgrader["files"] == 4
    assert_positive(upgrader, ["ours_cli_s", "tf_upgrade_v2_cli_s", "ours_in_process_s",
                               "tf_upgrade_v2_in_process_s", "ours_over_tf_upgrade_v2_cli",
                               "ours_over_tf_upgrade_v2_in_process"])

    rows = table_rows(result.stdout)
    for label in (bench_report.ROW_KERAS_TOB, bench_report.ROW_KERAS_FIT,
                  bench_report.ROW_CEILING, bench_report.ROW_FLOPS, bench_report.ROW_GROWTH,
                  bench_report.ROW_LEGACY, bench_report.threads_row(1, 1),
                  bench_report.ROW_TFDATA, bench_report.ROW_XLA, bench_report.ROW_ONEDNN,
                  bench_report.ROW_MIXED,
                  bench_report.ROW_STARTUP, bench_report.ROW_UPGRADE_CLI,
                  bench_report.ROW_UPGRADE_IN):
        assert label in rows, (label, result.stdout)
    assert any(key.startswith(bench_report.ROW_MATMUL) for key in rows)
    assert "| conv |" in result.stdout
    assert "failed" not in result.stdout


def test_series_on_mnist(tiny_mnist, tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--models=nn,deep", "--dataset=mnist", "--data_dir=%s" % tiny_mnist,
                       "--nosettings", "--nostartup", "--noupgrader", "--noestimator",
                       "--json=%s" % out, *TINY)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert set(data) == {"nn", "deep", "machine", "run"}
    for name in ("nn", "deep"):
        check_model(data[name])
        assert "settings" not in data[name] and "startup" not in data[name]
    rows = table_rows(result.stdout)
    assert "| ratio | nn | deep |" in result.stdout
    assert bench_report.ROW_KERAS_TOB in rows and bench_report.ROW_GROWTH in rows
    # Parts not run leave no rows.
    for label in (bench_report.ROW_LEGACY, bench_report.ROW_TFDATA, bench_report.ROW_STARTUP,
                  bench_report.ROW_UPGRADE_CLI):
        assert label not in rows


def test_missing_data_is_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    # Port 9 (discard) refuses at once: no download can succeed.
    result = run_bench("--models=conv", "--data_dir=%s" % empty,
                       "--source_url=http://127.0.0.1:9/")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("bench.py: error: data files missing")
    assert result.stdout == ""


def test_bad_flags_are_one_line():
    result = run_bench("--models=conv,bogus")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "bench.py: error: --models: unknown bogus; choose from: "
        "conv, logreg_sgd, nn, nn_l2, nn_overfit, nn_dropout, nn_lr_decay, deep"]
    result = run_bench("--threads=2x1")
    assert result.returncode == 1 and "intra/inter" in result.stderr
    result = run_bench("--early=10", "--late=15")
    assert result.returncode == 1 and "overlap" in result.stderr


def test_model_list_matches_bench_models():
    # bench.py spells the list out so it can start its cold probe before
    # importing TensorFlow; it must stay the list benchmarks.models serves.
    from benchmarks import models as bench_models
    tree = ast.parse(open(BENCH, encoding="utf-8").read())
    spelled = next(ast.literal_eval(node.value) for node in tree.body
                   if isinstance(node, ast.Assign) and node.targets[0].id == "MODELS")
    assert spelled == bench_models.MODELS


# --- units -------------------------------------------------------------------------------

def test_hand_flop_count_agrees_with_the_profiler_for_conv(tiny_mnist):
    from benchmarks import measure as bench_measure
    from benchmarks import models as bench_models
    from compat.data import mnist
    data = mnist.read_data_sets(str(tiny_mnist), one_hot=True, validation_size=10)
    reproduction = bench_models.build_conv(data, 16, seed=0)
    profiler = bench_measure.profiler_flops(
        reproduction.graph, [reproduction.train_op.name],
        bench_measure.static_placeholder_shapes(reproduction.graph, 16))
    hand = bench_models.hand_flops_per_step(reproduction)
    # conv1 5x5x1->32 at 28x28, conv2 5x5x32->64 at 14x14, 3136->1024, 1024->10:
    # 27.77 MFLOP forward per image, x 3 for the training step.
    assert hand == 3 * 16 * 2 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 800 + 3136 * 1024
                                 + 1024 * 10)
    assert 1 / FLOPS_AGREE < profiler / hand < FLOPS_AGREE, (profiler, hand)


def test_hand_flop_count_agrees_with_the_profiler_for_the_series():
    from benchmarks import measure as bench_measure
    from benchmarks import models as bench_models
    from tf1_examples import gdl
    rng = np.random.RandomState(0)

    def split(n):
        return (rng.uniform(-0.5, 0.5, (n, 784)).astype(np.float32),
                np.eye(10, dtype=np.float32)[rng.randint(0, 10, n)])
    data = gdl.GdlData(*split(40), *split(10), *split(10))
    for name, extra in (("nn", False), ("deep", True)):
        reproduction = bench_models.build_series(name, data, 16, seed=0)
        assert reproduction.extra_forward == extra
        profiler = bench_measure.profiler_flops(reproduction.graph,
                                                [reproduction.train_op.name], {})
        hand = bench_models.hand_flops_per_step(reproduction)
        # deep's L2 term and dropout cost per weight, not per example: a
        # few % at batch 16, under 1% at 128.
        assert 1 / FLOPS_AGREE < profiler / hand < FLOPS_AGREE, (name, profiler, hand)


def test_window_median_and_summary():
    from benchmarks import measure as bench_measure
    times = [0.001 * step for step in range(1, 31)]  # step s took s ms
    assert bench_measure.window_median_ms(times, 10, 5) == pytest.approx(10.0)
    assert bench_measure.window_median_ms(times, 1, 3) == pytest.approx(2.0)
    assert bench_measure.steps_needed(28, 5) == 30
    with pytest.raises(ValueError):
        bench_measure.window_median_ms(times, 29, 5)
    summary = bench_measure.summarize(times)
    assert summary["median_ms"] == pytest.approx(15.5) and summary["n"] == 30
    assert summary["p10_ms"] < summary["p25_ms"] < summary["p75_ms"] < summary["p90_ms"]


def test_report_marks_failed_and_missing_parts():
    results = {
        "conv": {"step_ms": 40.0, "step_over_keras_train_on_batch": 0.9, "settings": {
                     "threads_1_1": {"intra": 1, "inter": 1, "step_ms": 60.0, "ratio": 1.5},
                     "xla": {"error": "child died"}}},
        "nn": {"step_ms": 3.0, "keras_error": "no eager"},
        "machine": {}, "run": {},
    }
    text = bench_report.render(results)
    rows = table_rows(text)
    assert rows[bench_report.ROW_KERAS_TOB].split("|")[2:4] == [" 0.90 ", " failed "]
    assert rows[bench_report.ROW_KERAS_FIT].split("|")[2:4] == [" \u2014 ", " failed "]
    assert "1.50 (60.0 ms)" in rows[bench_report.threads_row(1, 1)]
    assert "failed" in rows[bench_report.ROW_XLA]
    assert bench_report.ROW_GROWTH not in rows


TWIN_CHECK = r"""
import numpy as np
from benchmarks import models as bench_models
spec = bench_models.KerasSpec("nn", sizes=[784, 16, 10], dropout=[0.0], optimizer="sgd",
                              learning_rate=0.5)
rng = np.random.RandomState(0)
weights = [rng.normal(size=(784, 16)).astype(np.float32), rng.normal(size=16).astype(np.float32),
           rng.normal(size=(16, 10)).astype(np.float32), rng.normal(size=10).astype(np.float32)]
images = rng.uniform(-0.5, 0.5, (8, 784)).astype(np.float32)
logits = np.maximum(images @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
probabilities = np.exp(logits - logits.max(1, keepdims=True))
probabilities /= probabilities.sum(1, keepdims=True)
model = bench_models.keras_twin(spec, weights)
print(bench_models.twin_max_rel_diff(model, images, probabilities, True))
print(bench_models.twin_max_rel_diff(model, images, logits, False))
print(bench_models.twin_max_rel_diff(model, images, logits[::-1], False))
"""


def test_twin_check_sees_the_copied_weights():
    # In a child: Keras 3 needs eager mode, which other tests of this
    # process may have turned off (the legacy shim runs TF1 programs).
    result = subprocess.run([sys.executable, "-c", TWIN_CHECK], capture_output=True,
                            text=True, cwd=ROOT, timeout=300,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 0, result.stderr
    same_softmax, same_logits, other = (float(x) for x in result.stdout.split())
    assert same_softmax < 1e-5 and same_logits < 1e-5
    assert other > 0.01


def test_estimator_line_measures_both_ways_and_renders():
    """benchmarks.estimator in its fresh process (as bench.py starts it):
    both ways' rates and first steps, the ratio with its spread, its row."""
    from benchmarks import estimator as bench_estimator
    result = bench_estimator.run_child(ROOT, steps=5, cnn_steps=3, repeats=2)
    assert result["repeats"] == 2 and set(result) == {"repeats", "mlp", "cnn"}
    rows = table_rows(bench_report.render({"machine": {}, "run": {}, "estimator": result}))
    for model, steps, batch in (("mlp", 5, 64), ("cnn", 3, 100)):
        part = result[model]
        assert (part["steps"], part["batch"]) == (steps, batch)
        assert_positive(part, ["estimator_steps_per_s", "session_steps_per_s",
                               "estimator_first_step_s", "session_first_step_s"])
        assert part["ratio_min"] <= part["session_over_estimator"] <= part["ratio_max"]
        row = rows[bench_report.ROW_ESTIMATOR % bench_report.ESTIMATOR_MODELS[model]]
        assert row.split("|")[2].strip().startswith(
            "%.2f [%.2f, %.2f]" % (part["session_over_estimator"], part["ratio_min"],
                                   part["ratio_max"]))
        assert "own %.2f ms a step" % part["overhead_ms_per_step"] in row


def test_legacy_line_runs_the_three_ways_and_renders(shared_data):
    """benchmarks.legacy as bench.py --legacy runs it: the question's program
    through run_legacy.py with and without the reuse of its loop's ops, and
    the reproduction through run.py, 3 steps each on real MNIST."""
    from benchmarks import legacy as bench_legacy
    program = os.path.join(os.path.dirname(str(shared_data)), "legacy", "so_conv_kernels.py")
    steps = 3
    result = bench_legacy.measure(ROOT, program, str(shared_data / "mnist"), steps, 1)
    assert_positive(result, ["legacy_s", "legacy_noreuse_s", "reproduction_s",
                             "legacy_over_reproduction", "legacy_noreuse_over_reproduction",
                             "legacy_graph_ops", "reproduction_graph_ops"])
    # The program's loop builds its tf.image_summary (a tag constant and the
    # summary op) at the top of every pass; the first pass builds it before
    # training starts, and --max_steps=3 stops the fourth pass at its run,
    # after it was built: passes 2 to 4 add 2 ops each without the reuse.
    grown = 2 * steps
    assert result["legacy_created_after_start"] == 0
    assert result["legacy_noreuse_created_after_start"] == grown
    assert result["legacy_noreuse_graph_ops"] == result["legacy_graph_ops"] + grown
    assert result["reproduction_created_after_start"] == 0
    result["costs"] = bench_legacy.costs_child(ROOT, runs=50, rounds=1)
    assert_positive(result["costs"], ["shim_us_per_run", "shim_max_steps_us_per_run",
                                      "shim_noreuse_us_per_run", "plain_us_per_run",
                                      "old_name_lookup_us"])
    rows = table_rows(bench_report.render({"machine": {}, "run": {}, "legacy": result}))
    row = rows[bench_report.ROW_RUNNER % ""]
    assert row.split("|")[2].strip().startswith("%.2f [" % result["legacy_over_reproduction"])
    assert "%d ops, 0 made after training started" % result["legacy_graph_ops"] in row
    assert "%d made after" % grown in \
        rows[bench_report.ROW_RUNNER % ", --noreuse_loop_ops"]
    assert bench_report.ROW_RUNNER_COST in rows
