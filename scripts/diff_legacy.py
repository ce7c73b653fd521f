"""Run a legacy program and its reproduction side by side and compare them.

    python scripts/diff_legacy.py old_program.py --model=conv [--steps=N]
        [--against=reproduction|upgraded] [--plot=FILE.png] [--data_dir=DIR]

The legacy program runs unmodified through scripts/run_legacy.py; the other
side is the project's reproduction (scripts/run.py --model=...) or, with
``--against=upgraded``, the legacy file after scripts/upgrade.py, run on
plain TF 2.x (run_legacy.py --nolegacy_names: no removed names served, only
the seed, the step limit and the data directory).  Both get the same seed (graph seed, numpy, op determinism),
the same data and batch order (tf0 batching) and so the same initial
weights, and stop after the same number of training steps.  The loss lines
both print are compared step by step; the verdict says whether they agree
within ``--rtol``.  The source diff between the legacy file and its upgraded
form is shown too, so a user sees what changed and that the numbers did not.
Exit status: 0 agree, 1 differ, 2 bad input.
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from compat.util import atomic  # noqa: E402
from compat.util import cli  # noqa: E402
from compat.util import errors

FLAGS = flags.FLAGS
flags.DEFINE_enum("model", "conv", ["conv"], "The reproduction to compare with.")
flags.DEFINE_integer("steps", 300, "Training steps on each side.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "The seed both sides use.")
flags.DEFINE_string("data_dir", None, "MNIST directory for both sides (default: what the "
                    "legacy program asks for, and run.py's default).")
flags.DEFINE_enum("against", "reproduction", ["reproduction", "upgraded"],
                  "Compare the legacy run with the reproduction or with the upgraded file.")
flags.DEFINE_float("rtol", 1e-5, "Largest relative loss difference that still agrees.")
flags.DEFINE_string("plot", None, "Draw both loss curves and their relative difference here "
                    "(PNG).")
flags.DEFINE_boolean("source_diff", True, "Show the legacy -> upgraded source diff.")

LOSS_LINE = re.compile(r"^Iter (\d+), Minibatch Loss= (\S+), Training Accuracy= (\S+)")
TEST_LINE = re.compile(r"^Testing Accuracy:\s*(\S+)")
PROG = "diff_legacy.py"


class DiffError(errors.UserError):
    """One side could not run; the message says which and why."""


def parse_run(stdout):
    """{iter: (loss, accuracy)} and the test accuracy (or None)."""
    losses = {}
    test = None
    for line in stdout.splitlines():
        match = LOSS_LINE.match(line)
        if match:
            losses[int(match.group(1))] = (float(match.group(2)), float(match.group(3)))
        match = TEST_LINE.match(line)
        if match:
            test = float(match.group(1))
    return losses, test


def _run(label, argv, cwd):
    result = subprocess.run(argv, capture_output=True, text=True, cwd=cwd,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise DiffError("the %s run failed (exit %d): %s" % (label, result.returncode, tail))
    return result.stdout


def run_legacy(program, steps, seed, data_dir, workdir):
    argv = [sys.executable, os.path.join(ROOT, "scripts", "run_legacy.py"), "--quiet",
            "--seed=%d" % seed, "--max_steps=%d" % steps, "--batching=tf0"]
    if data_dir:
        argv.append("--data_dir=%s" % data_dir)
    return _run("legacy", argv + [os.path.abspath(program)], workdir)


def run_reproduction(model, steps, seed, data_dir, workdir):
    argv = [sys.executable, os.path.join(ROOT, "scripts", "run.py"), "--model=%s" % model,
            "--seed=%d" % seed, "--steps=%d" % steps, "--batching=tf0", "--noprogress",
            "--summary_every=%d" % steps, "--logdir=%s" % os.path.join(workdir, "runs")]
    if data_dir:
        argv.append("--data_dir=%s" % data_dir)
    return _run("reproduction", argv, workdir)


def upgraded_source(program):
    from compat import upgrade
    with open(program, encoding="utf-8") as f:
        source = f.read()
    return source, upgrade.upgrade_source(source, program).source


def compare(legacy, other, rtol):
    """Rows (iter, legacy loss, other loss, abs diff, rel diff) over the
    display steps both printed, and whether all agree within rtol."""
    rows = []
    for it in sorted(set(legacy) & set(other)):
        a, b = legacy[it][0], other[it][0]
        diff = abs(a - b)
        rel = diff / max(abs(a), abs(b)) if max(abs(a), abs(b)) > 0 else 0.0
        rows.append((it, a, b, diff, rel))
    agree = bool(rows) and all(rel <= rtol for *_, rel in rows) and set(legacy) == set(other)
    return rows, agree


def draw(rows, path, other_label):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    iters = [r[0] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
    top.plot(iters, [r[1] for r in rows], label="legacy program", linewidth=2)
    top.plot(iters, [r[2] for r in rows], "--", label=other_label)
    top.set_yscale("log")
    top.set_ylabel("minibatch loss")
    top.legend()
    bottom.plot(iters, [r[4] for r in rows], color="tab:red")
    bottom.set_ylabel("relative difference")
    bottom.set_xlabel("examples seen (Iter)")
    fig.tight_layout()
    with atomic.replacing(path) as part:
        fig.savefig(part, format="png")
    plt.close(fig)


def main(argv):
    if len(argv) != 2:
        return cli.fail(PROG, "give exactly one legacy program", 2)
    program = argv[1]
    if not os.path.isfile(program):
        return cli.fail(PROG, "no such program: %s" % program, 2)
    if FLAGS.data_dir:
        # Both sides run in a scratch directory.
        FLAGS.data_dir = os.path.abspath(FLAGS.data_dir)
    source = upgraded = upgrade_error = None
    if FLAGS.source_diff or FLAGS.against == "upgraded":
        try:
            source, upgraded = upgraded_source(program)
        except Exception as err:  # the source diff is a courtesy; the runs still compare
            upgrade_error = err
    other_label = ("the %s reproduction" % FLAGS.model if FLAGS.against == "reproduction"
                   else "the upgraded file")
    try:
        with tempfile.TemporaryDirectory(prefix="diff_legacy-") as workdir:
            legacy_out = run_legacy(program, FLAGS.steps, FLAGS.seed, FLAGS.data_dir, workdir)
            if FLAGS.against == "reproduction":
                other_out = run_reproduction(FLAGS.model, FLAGS.steps, FLAGS.seed,
                                             FLAGS.data_dir, workdir)
            else:
                if upgraded is None:
                    raise DiffError("the upgrader failed: %s" % upgrade_error)
                upgraded_path = os.path.join(workdir, os.path.basename(program))
                with open(upgraded_path, "w") as f:
                    f.write(upgraded)
                other_out = _run("upgraded", [
                    sys.executable, os.path.join(ROOT, "scripts", "run_legacy.py"), "--quiet",
                    "--nolegacy_names", "--seed=%d" % FLAGS.seed, "--max_steps=%d" % FLAGS.steps,
                    "--batching=tf0"] + (["--data_dir=%s" % FLAGS.data_dir]
                                         if FLAGS.data_dir else []) + [upgraded_path],
                    workdir)
    except DiffError as err:
        return cli.fail(PROG, err, 2)

    legacy, legacy_test = parse_run(legacy_out)
    other, other_test = parse_run(other_out)
    rows, agree = compare(legacy, other, FLAGS.rtol)
    print("legacy: %s through run_legacy.py; other side: %s; seed %d, %d steps, tf0 batches"
          % (program, other_label, FLAGS.seed, FLAGS.steps))
    print("%8s  %18s  %18s  %12s  %10s" % ("Iter", "legacy loss", "other loss", "abs diff",
                                           "rel diff"))
    for it, a, b, diff, rel in rows:
        print("%8d  %18.6f  %18.6f  %12.6g  %10.3g" % (it, a, b, diff, rel))
    if rows:
        worst_abs = max(rows, key=lambda r: r[3])
        worst_rel = max(rows, key=lambda r: r[4])
        print("largest absolute difference: %.6g (Iter %d); largest relative: %.3g (Iter %d)"
              % (worst_abs[3], worst_abs[0], worst_rel[4], worst_rel[0]))
    only = sorted(set(legacy) ^ set(other))
    if only:
        print("printed by one side only: Iter %s" % ", ".join(map(str, only[:10])))
    if legacy_test is not None and other_test is not None:
        print("Testing Accuracy: legacy %s, other %s" % (legacy_test, other_test))
    print("verdict: %s (%d display steps, rtol %g)"
          % ("AGREE" if agree else "DIFFER", len(rows), FLAGS.rtol))

    if FLAGS.source_diff:
        import difflib
        if upgraded is None:
            print("(no source diff: the upgrader failed: %s)" % upgrade_error)
        else:
            name = os.path.basename(program)
            print("\nsource changes (legacy -> upgraded by scripts/upgrade.py):")
            sys.stdout.writelines(difflib.unified_diff(
                source.splitlines(True), upgraded.splitlines(True), name,
                name + " (upgraded)"))
    if FLAGS.plot and rows:
        draw(rows, FLAGS.plot, other_label)
        print("plot: %s" % FLAGS.plot)
    return 0 if agree else 1


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser(PROG))


if __name__ == "__main__":
    run()
