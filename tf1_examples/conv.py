"""The 2016 MNIST convolutional program of the Stack Overflow question, rebuilt
in graph/Session style on ``tf.compat.v1``.

Same network (weights dict wc1/wc2/wd1/out with biases bc1/bc2/bd1/out, two
5x5 conv + 2x2 max-pool layers, a 1024-unit dense layer with dropout, a
10-way output), same loss, optimizer, loop and prints as the original, with
its one real defect fixed: the original built a new ``tf.image_summary`` op
on every step, so its graph (and step time) grew without bound and
TensorBoard showed one card per step.  Here every op, summaries included, is
built once before the loop, the graph is finalized, and the kernel image is
written under one tag with the global step.

Variables are created in the original's order (placeholders, the weights
dict, the biases dict, then the network), so with the same graph seed the
random initial values match the legacy program's.
"""

import collections
import dataclasses
import sys

import tensorflow as tf

from compat.train import diagnostics
from compat.train import initializers
from compat.train import loop
from compat.train import run_control
from compat.train import runtime
from compat.train import settings
from compat.util import errors

v1 = tf.compat.v1

IMAGE_SIZE = 28
NUM_INPUTS = IMAGE_SIZE * IMAGE_SIZE
NUM_CLASSES = 10

# name -> shape, in the original's dict order.
WEIGHT_SHAPES = collections.OrderedDict([
    ("wc1", [5, 5, 1, 32]),
    ("wc2", [5, 5, 32, 64]),
    ("wd1", [7 * 7 * 64, 1024]),
    ("out", [1024, NUM_CLASSES]),
])
BIAS_SHAPES = collections.OrderedDict([
    ("bc1", [32]),
    ("bc2", [64]),
    ("bd1", [1024]),
    ("out", [NUM_CLASSES]),
])
INIT_SCOPES = ("first", "all")
FIRST_LAYER = "wc1"
KERNEL_IMAGE_TAG = "conv1/features"
# The diagnostics' tag prefix of each variable: its layer, then its role.
LAYER_OF = {"wc1": "conv1", "bc1": "conv1", "wc2": "conv2", "bc2": "conv2",
            "wd1": "fc1", "bd1": "fc1", "out": "out"}

ConvGraph = collections.namedtuple("ConvGraph", [
    "images", "labels", "keep_prob", "weights", "biases", "logits", "loss",
    "accuracy", "train_op", "global_step", "grads_and_vars"])


@dataclasses.dataclass
class ConvConfig:
    """Everything a run of the conv program depends on (defaults: the
    original's values).  Each field is a flag of scripts/run.py; its
    ``settings.field`` metadata says what ``--resume`` does with it."""
    learning_rate: float = 0.001
    training_iters: int = 200000
    steps: int = None  # overrides training_iters when set
    batch_size: int = 128
    display_step: int = 10
    dropout: float = 0.75  # keep probability, as the original named it
    init: str = "normal"
    init_scope: str = "first"
    summary_every: int = 50
    diagnostics: bool = True
    checkpoint_every: int = run_control.DEFAULT_CHECKPOINT_EVERY  # 0: only on a signal
    mixed_precision: bool = False  # bfloat16 on a CPU, float16 on a GPU: other numbers
    seed: int = settings.field(0, resume=settings.SEED)
    device: str = settings.field("auto", resume=settings.FREE)
    log_device_placement: bool = settings.field(False, resume=settings.FREE)
    progress: bool = settings.field(True, resume=settings.FREE)

    def num_steps(self):
        """The original loop ran ``while step * batch_size < training_iters``
        from step 1: 1562 steps for 200000 at batch 128."""
        if self.steps is not None:
            return self.steps
        return max(0, (self.training_iters - 1) // self.batch_size)

    def validate(self, num_train=None, workers=1):
        """Check the config and, given the training set's size
        ``num_train``, that a global batch (``batch_size`` x ``workers``)
        fits in it; raises ``ConfigError``.  Returns the config to run: this
        one, which has no program defaults to resolve."""
        settings.check_training(self.steps, self.batch_size, self.display_step,
                                self.summary_every, self.checkpoint_every, self.learning_rate,
                                self.dropout)
        if self.steps is None and self.training_iters <= self.batch_size:
            raise errors.ConfigError(
                "--training_iters=%d trains no step at --batch_size=%d "
                "(the original loop runs while step * batch_size < "
                "training_iters)" % (self.training_iters, self.batch_size))
        if self.init not in initializers.INITIALIZERS:
            raise errors.ConfigError("unknown --init=%s; choose one of: %s"
                             % (self.init, ", ".join(initializers.INITIALIZERS)))
        if self.init_scope not in INIT_SCOPES:
            raise errors.ConfigError("unknown --init_scope=%s; choose one of: %s"
                             % (self.init_scope, ", ".join(INIT_SCOPES)))
        if num_train is not None and self.batch_size * workers > num_train:
            raise errors.ConfigError(
                "--batch_size=%d%s is larger than the training set (%d examples)"
                % (self.batch_size, " x %d workers" % workers if workers > 1 else "", num_train))
        return self


def _weight_init(name, init, init_scope):
    if name == FIRST_LAYER or init_scope == "all":
        return init
    return "normal"


def _conv2d(x, w, b, strides=1):
    x = tf.nn.conv2d(x, w, strides=[1, strides, strides, 1], padding="SAME")
    return tf.nn.relu(tf.nn.bias_add(x, b))


def _maxpool2d(x, k=2):
    return tf.nn.max_pool2d(x, ksize=[1, k, k, 1], strides=[1, k, k, 1],
                            padding="SAME")


def build_conv_graph(images, labels, keep_prob, init="normal",
                     init_scope="first", learning_rate=0.001, mixed_precision=False,
                     wrap_optimizer=None):
    """Build the network, loss, accuracy and Adam step on ``images``
    ([N, 784] float32), one-hot ``labels`` ([N, 10]) and the dropout
    ``keep_prob`` (scalar) in the default graph.

    ``init`` applies to the first conv kernel (``init_scope='first'``, the
    layer the question is about) or to every weight (``'all'``); the rest
    keep the original's ``random_normal`` with stddev 1, as do the biases.
    ``wrap_optimizer`` (e.g. a cluster's synchronizing wrapper) is applied to
    the Adam optimizer before it is used.
    """
    weights = collections.OrderedDict(
        (name, v1.Variable(initializers.initial_value(
            _weight_init(name, init, init_scope), shape), name=name))
        for name, shape in WEIGHT_SHAPES.items())
    biases = collections.OrderedDict(
        (name, v1.Variable(initializers.initial_value("normal", shape),
                           name="b" + name if name == "out" else name))
        for name, shape in BIAS_SHAPES.items())

    with v1.name_scope("model"):
        x = tf.reshape(images, shape=[-1, IMAGE_SIZE, IMAGE_SIZE, 1])
        with v1.name_scope("conv1"):
            conv1 = _maxpool2d(_conv2d(x, weights["wc1"], biases["bc1"]))
        with v1.name_scope("conv2"):
            conv2 = _maxpool2d(_conv2d(conv1, weights["wc2"], biases["bc2"]))
        with v1.name_scope("fc1"):
            fc1 = tf.reshape(conv2, [-1, WEIGHT_SHAPES["wd1"][0]])
            fc1 = tf.nn.relu(tf.add(tf.matmul(fc1, weights["wd1"]), biases["bd1"]))
            fc1 = v1.nn.dropout(fc1, keep_prob=keep_prob)
        with v1.name_scope("out"):
            logits = tf.add(tf.matmul(fc1, weights["out"]), biases["out"])

    with v1.name_scope("loss"):
        loss = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    global_step = v1.train.get_or_create_global_step()
    # minimize() split in its two halves, so diagnostics can see the
    # gradients the step applies; the ops are the same, in the same order.
    optimizer = runtime.loss_scaled(v1.train.AdamOptimizer(learning_rate=learning_rate),
                                    mixed_precision)
    if wrap_optimizer is not None:
        optimizer = wrap_optimizer(optimizer)
    grads_and_vars = optimizer.compute_gradients(loss)
    train_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
    with v1.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return ConvGraph(images, labels, keep_prob, weights, biases, logits, loss,
                     accuracy, train_op, global_step, grads_and_vars)


def variable_tags(graph):
    """Each variable's diagnostics tag: ``conv1/weights``, ``conv1/biases``..."""
    tags = collections.OrderedDict()
    for weight, bias in zip(graph.weights, graph.biases):
        tags[graph.weights[weight].ref()] = LAYER_OF[weight] + "/weights"
        tags[graph.biases[bias].ref()] = LAYER_OF[bias] + "/biases"
    return tags


def build_summaries(graph, with_diagnostics=True):
    """Everything written on summary steps, built once, as a
    ``diagnostics.TrainingMonitor``: the training scalars, the first-layer
    kernel grid in its three views, and (``with_diagnostics``) the
    per-variable diagnostics."""
    kernel = graph.weights[FIRST_LAYER]
    variables = [v for _, v in graph.grads_and_vars] if with_diagnostics else [kernel]
    initial = diagnostics.InitialValues(variables)
    train = v1.summary.merge([
        v1.summary.scalar("train/loss", graph.loss),
        v1.summary.scalar("train/accuracy", graph.accuracy),
    ])
    images = diagnostics.kernel_view_summaries(KERNEL_IMAGE_TAG, kernel, initial[kernel])
    diag = diagnostics.Diagnostics(graph.grads_and_vars, initial, variable_tags(graph)) \
        if with_diagnostics else None
    return diagnostics.TrainingMonitor(initial, train, images, diag)


def build(config, run_dir=None, replica=None):
    """A new graph holding the whole program, finalized, as a
    ``run_control.Program``; with ``run_dir`` it also holds the run's
    checkpointing (``control``).  With ``replica`` (a
    ``compat.cluster.replica.Replica``) it is that worker's graph of the cluster."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(config.seed + (replica.config.task_index if replica else 0))
        with replica.device_scope() if replica else \
                runtime.device_scope(runtime.select_device(config.device)):
            images = v1.placeholder(tf.float32, [None, NUM_INPUTS], name="x")
            labels = v1.placeholder(tf.float32, [None, NUM_CLASSES], name="y")
            keep_prob = v1.placeholder(tf.float32, name="keep_prob")
            model = build_conv_graph(images, labels, keep_prob,
                                     init=config.init, init_scope=config.init_scope,
                                     learning_rate=config.learning_rate,
                                     mixed_precision=config.mixed_precision,
                                     wrap_optimizer=replica.wrap if replica else None)
            monitor = build_summaries(model, config.diagnostics)
            return run_control.finish_program(graph, model, monitor, config, run_dir,
                                              variable_tags(model), replica)


def summary_steps(num_steps, every):
    """Steps whose kernel image is written: the initial weights (step 0),
    every ``every`` steps, and the last step."""
    steps = list(range(0, num_steps + 1, every))
    if steps[-1] != num_steps:
        steps.append(num_steps)
    return steps


@dataclasses.dataclass
class RunResult:
    run_dir: str
    steps: int
    losses: list  # (step, minibatch loss, training accuracy) per display step
    test_accuracy: float
    seconds_per_step: float
    step_ms: dict  # median ms of the plain steps ("plain") and the summary steps ("summary")
    diagnostics: list  # per-variable rows of diagnostics.report, or None


def _format_duration(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return "%dm%02ds" % (minutes, seconds) if minutes else "%ds" % seconds


def _loss_line(step, batch_size, loss, acc):
    return ("Iter " + str(step * batch_size) + ", Minibatch Loss= " + "{:.6f}".format(loss) +
            ", Training Accuracy= " + "{:.5f}".format(acc))


class _Steps(loop.Steps):
    """conv's part of the training loop: the original's batches, its
    "Iter" lines on display steps and its test on the first 256 test
    images."""

    name = "conv"
    graph_in_events = True

    def __init__(self, config, data, program, out):
        self.config, self.data, self.out = config, data, out
        self.model, self.control, self.replica = program.model, program.control, program.replica
        self.task, self.shards = self.replica.shard if self.replica else (0, 1)
        self.num_steps = config.num_steps()
        self.summary_steps = set(summary_steps(self.num_steps, config.summary_every))
        self.fetches = [self.model.train_op]
        self.show_step_times = config.progress
        # What the model learns from per update, which the "Iter" count counts.
        self.examples_per_update = config.batch_size * (
            self.replica.config.aggregate if self.replica else 1)
        self.losses = []  # (step, minibatch loss, training accuracy) per display step
        self.batch = None

    def loop_state(self):
        return {"data": self.data.train.state(), "losses": list(self.losses)}

    def restore(self, state):
        self.data.train.restore_state(state["data"])
        self.losses.extend(state["losses"])

    def join(self, done):
        for _ in range(self.replica.batches_before(done)):
            self.data.train.next_batch(self.config.batch_size * self.shards)

    def feed(self, done):
        batch_size = self.config.batch_size
        images, labels = self.data.train.next_batch(batch_size * self.shards)
        if self.shards > 1:
            shard = slice(self.task * batch_size, (self.task + 1) * batch_size)
            images, labels = images[shard], labels[shard]
        self.batch = images, labels
        return {self.model.images: images, self.model.labels: labels,
                self.model.keep_prob: self.config.dropout}

    def after_update(self, session, results, before, after, clock):
        config = self.config
        if after // config.display_step <= before // config.display_step:
            return
        images, labels = self.batch
        loss, acc = session.run([self.model.loss, self.model.accuracy], {
            self.model.images: images, self.model.labels: labels, self.model.keep_prob: 1.0})
        self.control.replay.ran()  # the dropout op runs even at keep_prob 1
        self.losses.append((after, float(loss), float(acc)))
        line = _loss_line(after, self.examples_per_update, loss, acc)
        if config.progress:
            per_step = clock.per_step(after)
            line += "  [step %d/%d, %.1f ms/step, ETA %s]" % (
                after, self.num_steps, 1000 * per_step,
                _format_duration(per_step * max(0, self.num_steps - after)))
        print(line, file=self.out, flush=True)

    def finish(self, session, chief):
        print("Optimization Finished!", file=self.out)
        if not chief:
            return None
        test_acc = session.run(self.model.accuracy, {
            self.model.images: self.data.test.images[:256],
            self.model.labels: self.data.test.labels[:256],
            self.model.keep_prob: 1.0})
        print("Testing Accuracy:", test_acc, file=self.out, flush=True)
        return float(test_acc)


def train(config, data, run_dir, out=sys.stdout, resume=False, replica=None):
    """Train as the original did and return a ``RunResult``.

    ``data`` is what ``read_data_sets(..., one_hot=True)`` returns.  With
    ``config.diagnostics`` the per-variable table is printed at the end and
    written to ``run_dir/diagnostics.json``.  Checkpoints go to ``run_dir``
    every ``config.checkpoint_every`` steps, at step 0 and at the end;
    ``resume`` continues from the newest one, with the same batches and
    dropout masks as an uninterrupted run.  Raises ``run_control.Interrupted``
    after SIGINT/SIGTERM and ``run_control.Diverged`` on a non-finite loss or
    gradient.

    With ``replica`` this process is one worker of a cluster: steps count
    the model's updates (the global step), worker i trains on slice i of
    each global batch of ``batch_size`` x workers examples, and only the
    chief writes to ``run_dir`` (the others pass None) and tests.
    """
    config = config.validate(data.train.num_examples, replica.shard[1] if replica else 1)
    program = build(config, run_dir, replica)
    steps = _Steps(config, data, program, out)
    outcome = loop.train(program, steps, config, run_dir, out, resume)
    return RunResult(run_dir, steps.num_steps, steps.losses, outcome.test_accuracy,
                     outcome.seconds / max(outcome.updates, 1), outcome.step_ms,
                     outcome.diagnostics)
