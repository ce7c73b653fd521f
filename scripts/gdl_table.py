"""Run the course notes' eight fully-connected programs and tabulate them.

    python scripts/gdl_table.py --notmnist_dir=../shared/data/notMNIST_small \\
        --mnist_dir=../shared/data/mnist --out=docs/gdl_results.md [--steps=N]

Each program runs with the notes' hyperparameters (``--steps`` caps the step
count) on every data set given, in this one process, and the table lists the
program, the data set, the steps, the test accuracy measured here, the
accuracy the notes report and the wall time.  Each program's own output goes
to ``<logdir>/<dataset>/<model>.txt``.
"""

import os
import sys
import time


from compat.util.quiet_import import import_tensorflow  # noqa: E402

import_tensorflow()

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from compat.util import atomic  # noqa: E402
from compat.util import cli  # noqa: E402
from compat.util import errors  # noqa: E402
from compat.train import runtime  # noqa: E402
from tf1_examples import gdl  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("models", list(gdl.PROGRAMS), "Programs to run.")
flags.DEFINE_string("notmnist_dir", None, "notMNIST: letter folders, tarballs or notMNIST.pickle.")
flags.DEFINE_string("mnist_dir", None, "MNIST IDX files (also runs the series on MNIST).")
flags.DEFINE_string("fashion_dir", None, "Fashion-MNIST IDX files.")
flags.DEFINE_integer("validation_size", 5000, "MNIST-format data: training examples held "
                     "out for validation.", lower_bound=0)
flags.DEFINE_string("cache_dir", None, "notMNIST cache (default: ~/.cache/tf1_compat/notmnist).")
flags.DEFINE_integer("steps", None, "Cap every program at this many steps.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of every run.")
flags.DEFINE_string("out", None, "Write the markdown table here (also printed).")
flags.DEFINE_string("logdir", "runs/gdl_table", "Per-program output and event files.")

PROG = "gdl_table.py"


def _datasets():
    """(name, loader) for each data set asked for, in a fixed order."""
    asked = []
    for name, directory, dataset in (("notMNIST", FLAGS.notmnist_dir, "notmnist"),
                                     ("MNIST", FLAGS.mnist_dir, "mnist"),
                                     ("Fashion-MNIST", FLAGS.fashion_dir, "fashion_mnist")):
        if directory:
            asked.append((name, lambda d=directory, s=dataset: gdl.load_data(
                s, d, FLAGS.seed, cache_dir=FLAGS.cache_dir,
                validation_size=FLAGS.validation_size)))
    return asked


def table(rows):
    lines = ["| program | data set | train / valid / test | steps | test accuracy here | "
             "notes report | wall time |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append("| %s | %s | %s | %d | %.1f%% | %s | %.0f s |" % row)
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) > 1:
        return cli.fail(PROG, "unexpected arguments: %s" % " ".join(argv[1:]), 2)
    unknown = [m for m in FLAGS.models if m not in gdl.PROGRAMS]
    if unknown:
        return cli.fail(PROG, "unknown model(s) %s; choose from %s"
                        % (", ".join(unknown), ", ".join(gdl.PROGRAMS)), 2)
    datasets = _datasets()
    if not datasets:
        return cli.fail(PROG, "give at least one of --notmnist_dir, --mnist_dir, "
                        "--fashion_dir", 2)
    runtime.quiet_tensorflow()
    runtime.enable_graph_mode()
    runtime.seed_everything(FLAGS.seed)
    rows = []
    try:
        for name, load in datasets:
            start = time.perf_counter()
            data = load()
            print("%s loaded in %.1f s" % (name, time.perf_counter() - start), file=sys.stderr)
            sizes = "%d / %d / %d" % (data.train_dataset.shape[0], data.valid_dataset.shape[0],
                                      data.test_dataset.shape[0])
            for model in FLAGS.models:
                program = gdl.PROGRAMS[model]
                steps = min(program.steps, FLAGS.steps or program.steps)
                run_dir = os.path.join(FLAGS.logdir, name, model)
                os.makedirs(run_dir, exist_ok=True)
                config = gdl.GdlConfig(model=model, steps=steps, seed=FLAGS.seed)
                start = time.perf_counter()
                with open(os.path.join(run_dir, "output.txt"), "w") as out:
                    result = gdl.train(config, data, run_dir, out=out)
                seconds = time.perf_counter() - start
                print("%s on %s: %.1f%% in %.0f s" % (model, name, result.test_accuracy,
                                                       seconds), file=sys.stderr, flush=True)
                rows.append((model, name, sizes, steps, result.test_accuracy,
                             program.notes_accuracy, seconds))
    except (errors.DataError, errors.ConfigError, OSError) as err:
        return cli.fail(PROG, err)
    text = table(rows)
    print(text, end="")
    if FLAGS.out:
        atomic.write_text(FLAGS.out, text)
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser(PROG))


if __name__ == "__main__":
    run()
