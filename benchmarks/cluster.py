"""Training speed of the conv program on the loopback cluster, for
``scripts/bench.py --cluster``: one worker alone, one worker with a
parameter server, and two workers with one (asynchronous and synchronous),
each as real processes started by scripts/run.py or scripts/cluster.py.

The rate is read off the chief's progress lines, which give the mean time
per global step since the start: between two of them, the steps taken over
the time they took, so start-up and the first step are left out.  This
module imports no TensorFlow; the children do.
"""

import os
import re
import subprocess
import sys

PROGRESS = re.compile(r"^(?:\[worker0\] )?Iter \d+, .*\[step (\d+)/\d+, ([\d.]+) ms/step")

LAYOUTS = [
    # (name, workers, ps, extra flags); workers 0: the plain local run.
    ("1 worker, local", 0, 0, []),
    ("1 worker + 1 ps", 1, 1, []),
    ("2 workers + 1 ps, async", 2, 1, []),
    ("2 workers + 1 ps, sync", 2, 1, ["--sync_replicas"]),
]


class ClusterBenchError(RuntimeError):
    """A layout's run failed; the message is its last error line."""


def rate_between(lines, first, last):
    """Steps per second from the progress line at step >= ``first`` to the
    one at the highest step <= ``last``."""
    points = []
    for line in lines:
        match = PROGRESS.match(line)
        if match:
            points.append((int(match.group(1)), float(match.group(2)) / 1000))
    start = next((p for p in points if p[0] >= first), None)
    end = max((p for p in points if p[0] <= last), default=None)
    if start is None or end is None or end[0] <= start[0]:
        raise ClusterBenchError("no progress lines between steps %d and %d" % (first, last))
    (a, mean_a), (b, mean_b) = start, end
    return (b - a) / (b * mean_b - a * mean_a)


def measure(root, data_dir, logdir, batch_size=128, steps=260, seed=1, validation_size=5000):
    """{layout name: {"steps_per_s", "examples_per_s", "workers"}}; the
    layouts run one after the other.  The rate is taken from the first
    progress line (a tenth of ``steps`` in) to the last one before the final
    step, which also writes summaries."""
    first = max(1, steps // 10)
    last = (steps - 1) // first * first
    common = ["--model=conv", "--batch_size=%d" % batch_size,
              "--validation_size=%d" % validation_size,
              "--steps=%d" % steps, "--display_step=%d" % first, "--seed=%d" % seed,
              "--nodiagnostics", "--checkpoint_every=0", "--summary_every=%d" % (steps + 1),
              "--logdir=%s" % logdir] + (["--data_dir=%s" % data_dir] if data_dir else [])
    results = {}
    for name, workers, ps, extra in LAYOUTS:
        if workers == 0:
            argv = [sys.executable, os.path.join(root, "scripts", "run.py"), *common]
        else:
            argv = [sys.executable, os.path.join(root, "scripts", "cluster.py"),
                    "--workers=%d" % workers, "--ps=%d" % ps, "--", *common, *extra]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=root,
                              env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise ClusterBenchError("%s: %s" % (name, lines[-1] if lines else
                                                "exit status %d" % done.returncode))
        per_update = batch_size * (workers if "--sync_replicas" in extra else 1)
        rate = rate_between(done.stdout.splitlines(), first, last)
        results[name] = {"steps_per_s": rate, "examples_per_s": rate * per_update,
                         "workers": max(workers, 1)}
    return results


def table(results):
    """The rates as text, each against the local run's."""
    base = results[LAYOUTS[0][0]]
    lines = ["Conv on the loopback cluster (global steps; sync: one step = one batch per "
             "worker):",
             "%-26s %10s %12s %10s %12s" % ("layout", "steps/s", "examples/s", "/ local",
                                             "examples /")]
    for name, r in results.items():
        lines.append("%-26s %10.1f %12.0f %10.2f %12.2f" % (
            name, r["steps_per_s"], r["examples_per_s"], r["steps_per_s"] / base["steps_per_s"],
            r["examples_per_s"] / base["examples_per_s"]))
    return "\n".join(lines) + "\n"
