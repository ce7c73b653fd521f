"""The driver: run one of the project's reproductions of a classic TF1 program.

    python scripts/run.py --model=conv --init=zeros --data_dir=../shared/data/mnist

Flags are parsed here and nowhere else; everything below this file takes a
config object.  Mistakes in the flags or the data end in a one-line error
and a non-zero exit, not a traceback.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from compat.quiet_import import import_tensorflow

import_tensorflow()

from absl import app
from absl import flags

from compat import errors
from compat import initializers
from compat import mnist
from compat import runtime
from tf1_examples import conv

MODELS = ("conv",)

FLAGS = flags.FLAGS
flags.DEFINE_enum("model", "conv", MODELS, "Which program to run.")
flags.DEFINE_enum("init", "normal", list(initializers.INITIALIZERS),
                  "Initializer of the first conv layer's kernel: "
                  + "; ".join("%s = %s" % (i.name, i.description)
                              for i in initializers.INITIALIZERS.values()))
flags.DEFINE_enum("init_scope", "first", conv.INIT_SCOPES,
                  "Apply --init to the first conv kernel only, or to all weights "
                  "(biases keep the original random_normal).")
flags.DEFINE_float("learning_rate", 0.001, "Adam learning rate.")
flags.DEFINE_integer("training_iters", 200000,
                     "Training examples to go through, as the original counted "
                     "them (the loop runs while step * batch_size < training_iters).")
flags.DEFINE_integer("steps", None, "Train exactly this many steps (overrides --training_iters).")
flags.DEFINE_integer("batch_size", 128, "Minibatch size.")
flags.DEFINE_integer("display_step", 10, "Print loss and accuracy every this many steps.")
flags.DEFINE_float("dropout", 0.75, "Keep probability of the dense layer's dropout, in (0, 1].")
flags.DEFINE_integer("summary_every", 50,
                     "Write the kernel image and training scalars every this many steps "
                     "(and at step 0 and the last step).")
flags.DEFINE_string("logdir", "runs", "Parent directory of the run's TensorBoard log directory.")
flags.DEFINE_string("data_dir", None,
                    "Directory holding the four IDX .gz files (downloaded there when "
                    "missing). Default: /tmp/data/ for mnist, "
                    "/usr/share/datasets/fashion-mnist for fashion_mnist.")
flags.DEFINE_string("source_url", None,
                    "Mirror to download missing data files from (default: the data set's "
                    "canonical mirror).")
flags.DEFINE_integer("validation_size", 5000,
                     "Training examples held out as the validation set (the first ones, as "
                     "the tutorial loader did).", lower_bound=0)
flags.DEFINE_enum("dataset", "mnist", list(mnist.DATASETS), "Data set in MNIST's IDX format.")
flags.DEFINE_enum("batching", "tf0", ["tf0", "tf1"],
                  "next_batch behaviour: tf0 = TF 0.x as 2016 programs saw it (first epoch "
                  "in file order, partial batch dropped); tf1 = TF 1.2+ (shuffled from the "
                  "start, partial batch joined with the next epoch).")
flags.DEFINE_integer("seed", None, "Seed for every RNG; the same seed gives the same run. "
                     "Default: a random seed, printed so the run can be repeated.")
flags.DEFINE_enum("device", "auto", ["auto", "cpu", "gpu"],
                  "Where to run: auto (a GPU when TensorFlow sees one), cpu, or gpu "
                  "(an error when there is none).")
flags.DEFINE_boolean("log_device_placement", False, "Log the device each op runs on.")
flags.DEFINE_boolean("progress", True,
                     "Append step count, time per step and ETA to each display line.")


def _fail(message, code=1):
    print("run.py: error: %s" % message, file=sys.stderr)
    return code


def _parse_flags(argv):
    # absl reports a bad flag on two lines with a hint; one line is enough.
    try:
        return FLAGS(argv)
    except flags.Error as err:
        sys.exit(_fail(err, 2))


def _make_run_dir(config, dataset):
    base = conv.run_dir_name(config, dataset)
    path, n = base, 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            n += 1
            path = "%s-%d" % (base, n)


def main(argv):
    if len(argv) > 1:
        return _fail("unexpected arguments: %s" % " ".join(argv[1:]), 2)

    runtime.quiet_tensorflow()
    runtime.enable_graph_mode()

    seed = FLAGS.seed
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little") >> 1
    config = conv.ConvConfig(
        learning_rate=FLAGS.learning_rate, training_iters=FLAGS.training_iters,
        steps=FLAGS.steps, batch_size=FLAGS.batch_size, display_step=FLAGS.display_step,
        dropout=FLAGS.dropout, init=FLAGS.init, init_scope=FLAGS.init_scope,
        summary_every=FLAGS.summary_every, logdir=os.path.join(FLAGS.logdir, FLAGS.model),
        seed=seed, device=FLAGS.device, log_device_placement=FLAGS.log_device_placement,
        progress=FLAGS.progress)
    try:
        config.validate()
        runtime.select_device(config.device)
        runtime.seed_everything(seed)
        data = mnist.read_data_sets(FLAGS.data_dir, one_hot=True, dataset=FLAGS.dataset,
                                    source_url=FLAGS.source_url,
                                    validation_size=FLAGS.validation_size,
                                    batching=FLAGS.batching,
                                    seed=seed if FLAGS.batching == "tf1" else None)
        try:
            run_dir = _make_run_dir(config, FLAGS.dataset)
        except OSError as err:
            return _fail("cannot create the log directory under %s: %s"
                         % (config.logdir, err.strerror or err))
        print("%s on %s: %d train / %d validation / %d test examples; %d steps of %d; "
              "init=%s (%s); batching=%s; seed=%d (pass --seed=%d to repeat)"
              % (FLAGS.model, FLAGS.dataset, data.train.num_examples,
                 data.validation.num_examples, data.test.num_examples, config.num_steps(),
                 config.batch_size, config.init,
                 "first conv layer" if config.init_scope == "first" else "all weights",
                 FLAGS.batching, seed, seed))
        print("TensorBoard logs: %s  (tensorboard --logdir=%s)" % (run_dir, FLAGS.logdir),
              flush=True)
        conv.train(config, data, run_dir)
    except (errors.DataError, runtime.DeviceError, ValueError) as err:
        return _fail(err)
    return 0


if __name__ == "__main__":
    app.run(main, flags_parser=_parse_flags)
