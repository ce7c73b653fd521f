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
7. the upgrader's time against ``tf_upgrade_v2`` on one tree of legacy files;
8. tf.estimator's steps/s against the same graph in a Session loop
   (``benchmarks.estimator``, in a fresh process);
9. the question's program run unmodified through ``run_legacy.py`` (with
   and without the reuse of its loop's ops) against its reproduction
   through ``run.py``, whole runs of ``--legacy_steps`` alternating, with
   each graph's size at the end (``benchmarks.legacy``).

It prints markdown tables (stdout; progress goes to stderr) and, with
``--json``, writes the numbers keyed by model.  ``--no<part>`` skips a part
(``--nokeras``, ``--noceiling``, ``--nogrowth``, ``--nosettings``,
``--nostartup``, ``--noupgrader``, ``--noestimator``, ``--nolegacy``).  Timings from a busy machine mean
little: run it on an otherwise idle one.  "Cold" is the first start in this
run, made before this process loads TensorFlow; for a truly cold file cache,
drop the OS caches first (``sync; echo 3 > /proc/sys/vm/drop_caches`` as
root).

Flags are parsed here and nowhere else: ``main`` turns them into a
``benchmarks.options.Options`` and hands it to ``benchmarks.suite`` (the
run, phase by phase) or, in a ``--probe`` child, to ``benchmarks.children``;
the measuring is done by ``benchmarks.measure``, ``benchmarks.models`` and
``benchmarks.upgrader``, the tables by ``benchmarks.report``.
"""

import functools
import os
import sys
import time

_START = time.perf_counter()  # time to first step counts from here in a probe

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from benchmarks import children  # noqa: E402
from benchmarks import options as bench_options  # noqa: E402
from benchmarks import suite  # noqa: E402
from compat.util import cli  # noqa: E402
from compat.util import errors  # noqa: E402

# TensorFlow is imported once main() runs (benchmarks.suite), after the
# cold start-up probe: a probe started after this process loaded TensorFlow
# would find its libraries in the file cache.  So the model list is spelled
# out here (benchmarks.models.MODELS; the tests check they agree).
MODELS = ("conv", "logreg_sgd", "nn", "nn_l2", "nn_overfit", "nn_dropout", "nn_lr_decay",
          "deep")
SERIES_DATASETS = ("notmnist", "mnist", "fashion_mnist")
PROBES = ("", "step", "xla", "first_step")
PROG = "bench.py"

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
flags.DEFINE_boolean("estimator", True, "Time tf.estimator's Estimator.train against the "
                     "same graph in a Session loop (in a fresh process).")
flags.DEFINE_integer("estimator_steps", 200, "Steps of each Estimator / Session run of the "
                     "MLP (a ~1 ms step).",
                     lower_bound=2)
flags.DEFINE_integer("estimator_cnn_steps", 30, "Steps of each Estimator / Session run of "
                     "the layers tutorial's CNN.", lower_bound=2)
flags.DEFINE_integer("estimator_repeats", 3, "Alternating runs of each way.", lower_bound=1)
flags.DEFINE_boolean("cluster", True, "Measure conv steps/s on a loopback cluster: alone, "
                     "1 worker + 1 ps, 2 workers + 1 ps (async and sync); needs MNIST.")
flags.DEFINE_integer("cluster_steps", 260, "Steps of each cluster layout's run (the rate "
                     "is taken from a tenth of them in to the last tenth).", lower_bound=3)
flags.DEFINE_boolean("legacy", True, "Time the question's program run unmodified through "
                     "run_legacy.py (with and without --reuse_loop_ops) against its "
                     "reproduction through run.py; needs MNIST.")
flags.DEFINE_string("legacy_program", os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.pardir, "shared",
    "legacy", "so_conv_kernels.py"), "The legacy program of --legacy.")
flags.DEFINE_integer("legacy_steps", 400, "Training steps of each --legacy run.", lower_bound=2)
flags.DEFINE_integer("legacy_repeats", 3, "Alternating rounds of the --legacy runs.",
                     lower_bound=1)
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


def main(argv):
    if len(argv) > 1:
        return _fail("unexpected arguments: %s" % " ".join(argv[1:]), 2)
    options = bench_options.Options.from_values(
        FLAGS.flag_values_dict(), script=os.path.abspath(__file__), started=_START)
    try:
        bench_options.validate(options, MODELS)
        if options.probe:
            return children.probe_main(options)
        results = suite.run(options)
    except (errors.DataError, errors.ConfigError, children.StartupFailed) as err:
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
