"""The driver: run one of the project's reproductions of a classic TF1 program.

    python scripts/run.py --model=conv --init=zeros --data_dir=../shared/data/mnist

Flags are defined and parsed here and nowhere else, one group per concern
(model, training, data, output and run control, device, cluster);
everything below this file takes a config object.  Each run setting is a
field of one of the configs in ``RUN_CONFIGS``, whose metadata says what
run.json saves and ``--resume`` restores (compat.train.run_record).
Mistakes in the flags or the data end in a one-line error and a non-zero
exit, not a traceback.
"""

import dataclasses
import functools
import os
import sys
import time
import zlib

from compat.util.quiet_import import import_tensorflow

import_tensorflow()

import tensorflow as tf  # noqa: E402

from absl import app
from absl import flags

from compat.cluster import replica as cluster
from compat.data import mnist
from compat.train import initializers
from compat.train import run_control
from compat.train import run_record
from compat.train import runtime
from compat.train import settings
from compat.util import cli
from compat.util import errors
from tf1_examples import conv
from tf1_examples import gdl

MODELS = ("conv",) + tuple(gdl.PROGRAMS)
DATASETS = list(mnist.DATASETS) + ["notmnist"]

FLAGS = flags.FLAGS


def _define_model_flags():
    """Which program, and its architecture."""
    flags.DEFINE_enum("model", "conv", MODELS,
                      "Which program to run: conv (the Stack Overflow question's network) or "
                      "one of the course notes' fully-connected series: "
                      + "; ".join("%s = %s" % (p.name, p.description)
                                  for p in gdl.PROGRAMS.values()))
    flags.DEFINE_enum("init", "normal", list(initializers.INITIALIZERS),
                      "Initializer of the first conv layer's kernel: "
                      + "; ".join("%s = %s" % (i.name, i.description)
                                  for i in initializers.INITIALIZERS.values()))
    flags.DEFINE_enum("init_scope", "first", conv.INIT_SCOPES,
                      "Apply --init to the first conv kernel only, or to all weights "
                      "(biases keep the original random_normal).")
    flags.DEFINE_float("dropout", None, "Keep probability of dropout, in (0, 1] (default: the "
                       "program's: 0.75 for conv, 0.5 for nn_dropout and deep, none "
                       "otherwise).")
    flags.DEFINE_integer("hidden", None, "Units of the (first) hidden layer (notes: 1024).")
    flags.DEFINE_integer("layers", None, "Layers of the deep model (notes: 6).")


def _define_training_flags():
    """How long and how the model learns, and from which seed."""
    flags.DEFINE_float("learning_rate", None,
                       "Learning rate (default: the program's: Adam 0.001 for conv, the notes' "
                       "gradient-descent rate for the others).")
    flags.DEFINE_integer("training_iters", 200000,
                         "Training examples to go through, as the original counted "
                         "them (the loop runs while step * batch_size < training_iters).")
    flags.DEFINE_integer("steps", None, "Train exactly this many steps (default: the "
                         "program's; for conv, overrides --training_iters).")
    flags.DEFINE_integer("batch_size", 128, "Minibatch size.")
    flags.DEFINE_float("beta", None, "L2 weight of nn_l2 and deep (notes: 0.001, also 0.002; "
                       "1e-5 for deep).")
    flags.DEFINE_integer("offset_range", None, "Batches start only at offsets below this "
                         "(nn_overfit, nn_dropout: 1000).")
    flags.DEFINE_integer("decay_steps", None, "exponential_decay steps (nn_lr_decay: 10000, "
                         "deep: 100000).")
    flags.DEFINE_float("decay_rate", None, "exponential_decay rate (notes: 0.96).")
    flags.DEFINE_boolean("mixed_precision", False,
                         "Automatic mixed precision: bfloat16 matmuls and convolutions through "
                         "oneDNN on a CPU, float16 with dynamic loss scaling on a GPU. Faster "
                         "where the hardware supports it, but the numbers are no longer the "
                         "original program's; off by default.")
    flags.DEFINE_integer("seed", None, "Seed for every RNG; the same seed gives the same run. "
                         "Default: a random seed, printed so the run can be repeated.")


def _define_data_flags():
    """Which examples, from where, in which batches."""
    flags.DEFINE_enum("dataset", None, DATASETS,
                      "Data set (default: mnist for conv, notmnist for the others).")
    flags.DEFINE_string("data_dir", None,
                        "Directory holding the four IDX .gz files (downloaded there when "
                        "missing). Default: /tmp/data/ for mnist, "
                        "/usr/share/datasets/fashion-mnist for fashion_mnist. For notmnist: the "
                        "letter folders, the tarballs or a notMNIST.pickle.")
    flags.DEFINE_string("source_url", None,
                        "Mirror to download missing data files from (default: the data set's "
                        "canonical mirror).")
    flags.DEFINE_integer("validation_size", 5000,
                         "Training examples held out as the validation set (the first ones, as "
                         "the tutorial loader did).", lower_bound=0)
    flags.DEFINE_enum("batching", "tf0", ["tf0", "tf1"],
                      "next_batch behaviour: tf0 = TF 0.x as 2016 programs saw it (first epoch "
                      "in file order, partial batch dropped); tf1 = TF 1.2+ (shuffled from the "
                      "start, partial batch joined with the next epoch).")
    flags.DEFINE_string("cache_dir", None, "Where notMNIST's extracted folders and pickles are "
                        "cached (default: $TF1_COMPAT_CACHE or ~/.cache/tf1_compat/notmnist).")
    flags.DEFINE_integer("train_size", None, "notMNIST training examples (course: 200000; with "
                         "only notMNIST_small: 15000).")
    flags.DEFINE_integer("valid_size", None, "notMNIST validation examples (course: 10000).")
    flags.DEFINE_integer("test_size", None, "notMNIST test examples (course: 10000).")


def _define_output_flags():
    """What the run prints and writes, and continuing a stopped run."""
    flags.DEFINE_string("logdir", "runs",
                        "Parent directory of the run's TensorBoard log directory.")
    flags.DEFINE_integer("display_step", None, "Print loss and accuracy every this many steps "
                         "(default: the program's: 10 for conv, 100 or 500 for the others).")
    flags.DEFINE_boolean("progress", True,
                         "Append step count, time per step and ETA to each display line.")
    flags.DEFINE_integer("summary_every", None,
                         "Write images and training scalars every this many steps (and at the "
                         "first and last step); default: 50 for conv, the display step "
                         "otherwise.")
    flags.DEFINE_boolean("diagnostics", None,
                         "Per-variable diagnostics on summary steps (gradient and weight norms, "
                         "update ratio, change since initialization, histograms), a table at "
                         "the end and diagnostics.json in the run's log dir. Default: on for "
                         "conv, off for the others.")
    flags.DEFINE_integer("checkpoint_every", run_control.DEFAULT_CHECKPOINT_EVERY,
                         "Save a checkpoint (weights, optimizer state, data order, RNG states) "
                         "in the run's directory every this many steps, and at step 0 and the "
                         "end; 0: only when stopped by a signal.", lower_bound=0)
    flags.DEFINE_string("resume", None,
                        "Continue the run in this run directory from its newest checkpoint, "
                        "with the flags it was started with (--data_dir, --cache_dir, "
                        "--source_url, --device and --progress may differ).")


def _define_device_flags():
    """Where the ops run."""
    flags.DEFINE_enum("device", "auto", ["auto", "cpu", "gpu"],
                      "Where to run: auto (a GPU when TensorFlow sees one), cpu, or gpu "
                      "(an error when there is none).")
    flags.DEFINE_boolean("log_device_placement", False, "Log the device each op runs on.")


def _define_cluster_flags():
    """One task of a TF1 cluster (between-graph replication)."""
    flags.DEFINE_string("ps_hosts", None, "Cluster: comma-separated host:port of the parameter "
                        "servers (TF1's between-graph replication; see README, 'On a "
                        "cluster').")
    flags.DEFINE_string("worker_hosts", None, "Cluster: comma-separated host:port of the "
                        "workers; worker 0 is the chief, which writes summaries, checkpoints "
                        "and the test accuracy.")
    flags.DEFINE_enum("job_name", None, list(cluster.JOBS), "Cluster: this process's job.")
    flags.DEFINE_integer("task_index", 0, "Cluster: this process's index within its job.",
                         lower_bound=0)
    flags.DEFINE_boolean("sync_replicas", False,
                         "Cluster: average the gradients of --replicas_to_aggregate workers "
                         "into each update (SyncReplicasOptimizer); otherwise every worker "
                         "updates the shared variables on its own (asynchronous).")
    flags.DEFINE_integer("replicas_to_aggregate", None,
                         "Cluster, with --sync_replicas: gradients per update (default: one "
                         "from every worker).")
    flags.DEFINE_float("cluster_timeout", cluster.DEFAULT_TIMEOUT,
                       "Cluster: seconds to wait for the parameter servers to answer, and for "
                       "the chief to initialize the model, before giving up with an error.")


def define_flags():
    """Define every flag of run.py (on import: the console script needs them)."""
    _define_model_flags()
    _define_training_flags()
    _define_data_flags()
    _define_output_flags()
    _define_device_flags()
    _define_cluster_flags()


define_flags()

_fail = functools.partial(cli.fail, "run.py")

# The configs whose fields are the run's settings, each field a flag.  What
# run.json saves and --resume restores follows from their fields' metadata
# (compat.train.settings): a new field is restored unless marked otherwise.
RUN_CONFIGS = (conv.ConvConfig, gdl.GdlConfig, run_record.DataConfig, run_record.Replication)
# The flags that are no run setting: where the logs go, what to resume, and
# the cluster's addresses and this process's place in it (a restarted
# cluster has other ports).
NOT_RUN_SETTINGS = ("logdir", "resume", "ps_hosts", "worker_hosts", "job_name", "task_index",
                    "cluster_timeout")
SAVED_FLAGS = run_record.saved_flags(RUN_CONFIGS)
_ROLES = run_record.flags_by_role(RUN_CONFIGS)
# Flags a resumed run may change: where things are and how it shows, not what it computes.
RESUME_MAY_CHANGE = _ROLES[settings.LOCATION] + _ROLES[settings.FREE] + NOT_RUN_SETTINGS


def _from_flags(config_class, **values):
    """A ``config_class`` with each field from its flag where the flag has a
    value (None keeps the field's default), ``values`` over them."""
    for field in dataclasses.fields(config_class):
        value = FLAGS[settings.flag_name(field)].value
        if field.name not in values and value is not None:
            values[field.name] = value
    return config_class(**values)


def _make_run_dir(model, name):
    """A fresh directory per run, so two runs never mix their event files."""
    base = os.path.join(FLAGS.logdir, model, "%s-%s" % (name, time.strftime("%Y%m%d-%H%M%S")))
    path, n = base, 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            n += 1
            path = "%s-%d" % (base, n)


def _log_dir_or_fail(model, name):
    try:
        return _make_run_dir(model, name)
    except OSError as err:
        raise errors.DataError("cannot create the log directory under %s: %s"
                               % (FLAGS.logdir, err.strerror or err)) from None


def _num_workers():
    return len([h for h in (FLAGS.worker_hosts or "").split(",") if h.strip()]) or 1


def _write_run_file(run_dir, seed):
    """What the run was started with, for --resume.  Of a cluster only the
    number of workers: a restarted one has other ports."""
    run_record.RunRecord(seed, _num_workers(),
                         {name: FLAGS[name].value for name in SAVED_FLAGS}).write(run_dir)


def _take_flags_of(run_dir):
    """Set the flags to those ``run_dir`` was started with; returns its seed.
    A run-defining flag given now with another value is an error."""
    record = run_record.RunRecord.read(run_dir)
    given = {name: FLAGS[name].value for name in FLAGS if FLAGS[name].present}
    for name, value in record.resume(given, RESUME_MAY_CHANGE, _num_workers()).items():
        if name in FLAGS:  # not a flag removed since the run started
            FLAGS[name].value = value
    return record.seed


def _run_dir(model, name, seed):
    """The run's directory: the one being resumed, or a new one with its run.json."""
    if FLAGS.resume:
        return FLAGS.resume
    run_dir = _log_dir_or_fail(model, name)
    _write_run_file(run_dir, seed)
    return run_dir


def _announce(run_dir):
    if run_dir is None:
        print("The chief (worker0) writes the TensorBoard logs and checkpoints.", flush=True)
        return
    print("TensorBoard logs: %s  (tensorboard --logdir=%s)"
          % (run_dir, run_dir if FLAGS.resume else FLAGS.logdir), flush=True)


def _cluster_config():
    """This process's task in a cluster (flags, else TF_CONFIG), or None."""
    replication = _from_flags(run_record.Replication)
    return cluster.from_flags(FLAGS.ps_hosts, FLAGS.worker_hosts, FLAGS.job_name,
                              FLAGS.task_index, replication.sync_replicas,
                              replication.replicas_to_aggregate, FLAGS.cluster_timeout,
                              os.environ.get("TF_CONFIG"))


def _replica(cluster_config, device):
    if cluster_config is None:
        return None
    print(cluster_config.describe(), flush=True)
    cluster.wait_for_ps(cluster_config)  # before the run directory is made
    return cluster.Replica(cluster_config, runtime.select_device(device))


def run_conv(seed, cluster_config=None):
    data_config = _from_flags(run_record.DataConfig)
    dataset = data_config.dataset or "mnist"
    if dataset not in mnist.DATASETS:
        raise errors.ConfigError("--model=conv reads MNIST-format data: --dataset=%s"
                         % "|".join(mnist.DATASETS))
    config = _from_flags(conv.ConvConfig, seed=seed).validate()
    runtime.select_device(config.device)
    runtime.seed_everything(seed)
    data = mnist.read_data_sets(data_config.data_dir, one_hot=True, dataset=dataset,
                                source_url=data_config.source_url,
                                validation_size=data_config.validation_size,
                                batching=data_config.batching,
                                seed=seed if data_config.batching == "tf1" else None)
    replica = _replica(cluster_config, config.device)
    run_dir = _run_dir("conv", "%s-init_%s-seed_%d" % (dataset, config.init, seed), seed) \
        if replica is None or replica.is_chief else None
    print("conv on %s: %d train / %d validation / %d test examples; %d steps of %d; "
          "init=%s (%s); batching=%s; seed=%d (pass --seed=%d to repeat)"
          % (dataset, data.train.num_examples, data.validation.num_examples,
             data.test.num_examples, config.num_steps(), config.batch_size, config.init,
             "first conv layer" if config.init_scope == "first" else "all weights",
             data_config.batching, seed, seed))
    _announce(run_dir)
    conv.train(config, data, run_dir, resume=bool(FLAGS.resume), replica=replica)


def run_gdl(seed, cluster_config=None):
    data_config = _from_flags(run_record.DataConfig)
    dataset = data_config.dataset or "notmnist"
    config = _from_flags(gdl.GdlConfig, seed=seed)
    config.program()
    runtime.select_device(config.device)
    runtime.seed_everything(seed)
    data = gdl.load_data(dataset, data_config.data_dir, seed, cache_dir=data_config.cache_dir,
                         train_size=data_config.train_size, valid_size=data_config.valid_size,
                         test_size=data_config.test_size,
                         validation_size=data_config.validation_size,
                         source_url=data_config.source_url)
    resolved = config.validate(data.train_dataset.shape[0])
    replica = _replica(cluster_config, config.device)
    run_dir = _run_dir(FLAGS.model, "%s-seed_%d" % (dataset, seed), seed) \
        if replica is None or replica.is_chief else None
    print("%s on %s: %d train / %d valid / %d test; %d steps; seed=%d (pass --seed=%d to "
          "repeat); the notes report %s"
          % (FLAGS.model, dataset, data.train_dataset.shape[0], data.valid_dataset.shape[0],
             data.test_dataset.shape[0], resolved.steps, seed, seed,
             config.program().notes_accuracy))
    _announce(run_dir)
    gdl.train(config, data, run_dir, resume=bool(FLAGS.resume), replica=replica)


def _cluster_resume_flags():
    if not FLAGS.job_name:
        return ""
    return (" --ps_hosts=%s --worker_hosts=%s --job_name=worker --task_index=0  (and the other "
            "workers and parameter servers with their own commands)"
            % (FLAGS.ps_hosts, FLAGS.worker_hosts))


def main(argv):
    if len(argv) > 1:
        return _fail("unexpected arguments: %s" % " ".join(argv[1:]), 2)

    runtime.quiet_tensorflow()
    runtime.enable_graph_mode()

    cluster_config = None
    try:
        cluster_config = _cluster_config()
        if cluster_config is not None and cluster_config.job_name == "ps":
            cluster.serve_ps(cluster_config, sys.stdout)
            return 0
        if cluster_config is not None and not cluster_config.is_chief:
            cluster.die_on_signals()
        seed = _take_flags_of(FLAGS.resume) if FLAGS.resume else FLAGS.seed
        cluster_config = _cluster_config()  # --resume may have set --sync_replicas
        if seed is None and cluster_config is not None:
            # Every worker must cut the same batches, so they share a seed;
            # the cluster's addresses are what all of them know.
            seed = zlib.crc32(",".join(cluster_config.worker_hosts).encode()) >> 1
        elif seed is None:
            seed = int.from_bytes(os.urandom(4), "little") >> 1
        if FLAGS.model == "conv":
            run_conv(seed, cluster_config)
        else:
            run_gdl(seed, cluster_config)
    except (errors.DataError, errors.ConfigError, runtime.DeviceError,
            cluster.ClusterError) as err:
        return _fail(err)
    except tf.errors.OpError as err:
        if cluster_config is None:
            raise
        # A task of the cluster went away mid-run (or never answered).
        return _fail("%s: %s" % (cluster_config.task_name, cluster.describe_error(err)))
    except run_control.Diverged as err:
        where = ("last good checkpoint: %s" % err.last_checkpoint if err.last_checkpoint
                 else "no checkpoint was written")
        return _fail("%s; %s" % (err, where), run_control.EXIT_DIVERGED)
    except run_control.Interrupted as stop:
        print("run.py: %s; checkpoint saved: %s\nresume with: python scripts/run.py --resume=%s%s"
              % (stop, stop.path, os.path.dirname(stop.path), _cluster_resume_flags()),
              file=sys.stderr, flush=True)
        return stop.exit_code
    except KeyboardInterrupt:
        return _fail("interrupted before a checkpoint could be saved", 130)
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser("run.py"))


if __name__ == "__main__":
    run()
