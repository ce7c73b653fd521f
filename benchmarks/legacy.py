"""The question's program run unmodified through ``run_legacy.py`` against its
reproduction through ``run.py``, for ``scripts/bench.py --legacy``.

Three ways, each a fresh process over the same number of training steps
with the same seed and TF 0.x batches, alternating, ``repeats`` times:

* ``legacy``: ``run_legacy.py --max_steps=N`` on the unmodified program,
  with the runner's reuse of the ops its loop builds again (the default);
* ``legacy_noreuse``: the same with ``--noreuse_loop_ops``, so the 2016
  program's ``tf.image_summary`` adds its ops on every step, as on TF 0.x;
* ``reproduction``: ``run.py --model=conv --steps=N``, its graph finalized
  before training, with diagnostics and checkpoints off (the original had
  neither) and its own summary cadence.

Each run is timed whole (start-up, data, graph, training), as a user waits
for it; the ratios legacy / reproduction come from the runs of one round,
and their median, min and max over the rounds are reported.  The graph's
size at the end of each run, and how many ops were created after training
started, come from the runner's own summary line and, for the
reproduction, from the graph its event file holds (finalized: none).

The runner's own cost on every step is measured apart, in a fresh process
(``python -m benchmarks.legacy``): microseconds per ``Session.run`` of a
trivial training op with the shim installed (watchdog and reuse hooks),
with ``--max_steps`` (each run's fetches searched for a training op), with
the reuse off, and without the shim, alternating; and one lookup of an old
name through the legacy namespace (``tf.image_summary``, as a loop does on
each pass).
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

WAYS = ("legacy", "legacy_noreuse", "reproduction")
GRAPH_LINE = re.compile(r"graph size at exit: (\d+) ops \((\d+) created after training started\)")


class LegacyBenchError(RuntimeError):
    """A run failed; the message is one line."""


def _argv(way, root, program, steps, seed, data_dir, logdir):
    common = ["--seed=%d" % seed, "--batching=tf0"] + (
        ["--data_dir=%s" % data_dir] if data_dir else [])
    if way == "reproduction":
        return [sys.executable, os.path.join(root, "scripts", "run.py"), "--model=conv",
                "--steps=%d" % steps, "--noprogress", "--nodiagnostics", "--checkpoint_every=0",
                "--logdir=%s" % logdir] + common
    runner = [sys.executable, os.path.join(root, "scripts", "run_legacy.py"),
              "--max_steps=%d" % steps] + common
    if way == "legacy_noreuse":
        runner.append("--noreuse_loop_ops")
    return runner + [program]


def _reproduction_graph(logdir):
    """Ops in the graph run.py wrote to its event file."""
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.proto import graph_pb2
    for root, _, files in os.walk(logdir):
        for name in sorted(files):
            if "tfevents" not in name:
                continue
            for event in event_file_loader.LegacyEventFileLoader(
                    os.path.join(root, name)).Load():
                if event.HasField("graph_def"):
                    return len(graph_pb2.GraphDef.FromString(event.graph_def).node)
    raise LegacyBenchError("run.py wrote no graph under %s" % logdir)


def _one(way, root, program, steps, seed, data_dir):
    with tempfile.TemporaryDirectory(prefix="bench-legacy-") as work:
        logdir = os.path.join(work, "runs")
        argv = _argv(way, root, program, steps, seed, data_dir, logdir)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True, cwd=work, env=env,
                                timeout=3600)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise LegacyBenchError("the %s run failed (exit %d): %s" % (
                way, result.returncode,
                (result.stderr.strip().splitlines() or ["no output"])[-1]))
        if way == "reproduction":
            ops, created = _reproduction_graph(logdir), 0
        else:
            match = GRAPH_LINE.search(result.stderr)
            if match is None:
                raise LegacyBenchError("the %s run printed no graph size" % way)
            ops, created = int(match.group(1)), int(match.group(2))
    return {"seconds": seconds, "graph_ops": ops, "created_after_start": created}


def measure(root, program, data_dir, steps, repeats, seed=0, say=None):
    """The three ways, alternating, ``repeats`` rounds: the results dict."""
    if not os.path.isfile(program):
        raise LegacyBenchError("no legacy program at %s (--legacy_program)" % program)
    runs = {way: [] for way in WAYS}
    for round_ in range(repeats):
        for way in WAYS:
            if say:
                say("  round %d/%d: %s" % (round_ + 1, repeats, way))
            runs[way].append(_one(way, root, program, steps, seed, data_dir))
    result = {"steps": steps, "repeats": repeats, "program": os.path.basename(program)}
    for way in WAYS:
        result[way + "_s"] = statistics.median(r["seconds"] for r in runs[way])
        last = runs[way][-1]
        result[way + "_graph_ops"] = last["graph_ops"]
        result[way + "_created_after_start"] = last["created_after_start"]
    for way in ("legacy", "legacy_noreuse"):
        ratios = [mine["seconds"] / theirs["seconds"]
                  for mine, theirs in zip(runs[way], runs["reproduction"])]
        result[way + "_over_reproduction"] = statistics.median(ratios)
        result[way + "_ratio_min"] = min(ratios)
        result[way + "_ratio_max"] = max(ratios)
    return result


def _run_cost(tf, repeats):
    """Microseconds per Session.run of a do-nothing training step."""
    graph = tf.Graph()
    with graph.as_default():
        w = tf.compat.v1.Variable(1.0, use_resource=False)
        train = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(w * 0.0)
        init = tf.compat.v1.global_variables_initializer()
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run(init)
        for _ in range(200):
            session.run(train)
        start = time.perf_counter()
        for _ in range(repeats):
            session.run(train)
        return (time.perf_counter() - start) / repeats * 1e6


def shim_costs(runs=3000, rounds=3):
    """The runner's per-step costs in this (fresh) process: a dict of
    medians over ``rounds`` alternating rounds."""
    import tensorflow as tf
    from compat.legacy import shim as legacy_shim
    from compat.train import runtime
    runtime.enable_graph_mode()
    settings = {"plain": None, "shim": {}, "shim_max_steps": {"max_steps": 10 ** 9},
                "shim_noreuse": {"reuse_loop_ops": False}}
    times = {name: [] for name in settings}
    lookups = []
    for _ in range(rounds):
        for name, kwargs in settings.items():
            if kwargs is None:
                times[name].append(_run_cost(tf, runs))
                continue
            shim = legacy_shim.LegacyShim(legacy_shim.Reporter(quiet=True),
                                          program=os.devnull, **kwargs).install()
            try:
                times[name].append(_run_cost(tf, runs))
                import tensorflow as legacy_tf  # the shim's namespace while installed
                start = time.perf_counter()
                for _ in range(runs):
                    legacy_tf.image_summary  # noqa: B018
                lookups.append((time.perf_counter() - start) / runs * 1e6)
            finally:
                shim.uninstall()
    result = {name + "_us_per_run": statistics.median(values) for name, values in times.items()}
    result["old_name_lookup_us"] = statistics.median(lookups)
    return result


def costs_child(root, runs=3000, rounds=3):
    """:func:`shim_costs` in a fresh interpreter from the checkout ``root``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, "-m", "benchmarks.legacy", str(runs), str(rounds)],
                            capture_output=True,
                            text=True, cwd=root, env=env, timeout=1800)
    if result.returncode != 0:
        raise LegacyBenchError("the runner's cost measurement failed: %s"
                               % (result.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(shim_costs(*(int(arg) for arg in sys.argv[1:3]))))
