"""The fully-connected notMNIST series of the course notes (Udacity's Deep
Learning assignments, as the GDLnotes walk through them), in graph/Session
style on ``tf.compat.v1``.

Eight programs share one set of building blocks:

==============  ===============================================================
logreg_gd       linear model, full-batch gradient descent on a 10000-example
                subset held in ``tf.constant``, lr 0.5, 801 steps
logreg_sgd      the same model on minibatches of 128 fed through placeholders,
                offset ``(step * batch) % (N - batch)``, 3001 steps
nn              one hidden ReLU layer of 1024 units
nn_l2           plus ``beta * (l2_loss(W1) + l2_loss(W2))``
nn_overfit      batches restricted to an offset range of 1000 examples
nn_dropout      dropout on the hidden layer, keep probability fed through a
                placeholder (in the overfit setting, as the notes show it)
nn_lr_decay     ``exponential_decay`` learning rate, global step passed to the
                optimizer
deep            ``layers`` layers (default 6), hidden sizes halving from 1024,
                stddev sqrt(2/n), L2, dropout with the notes' keep-probability
                schedule, learning-rate decay, 20000 steps
==============  ===============================================================

Validation and test sets are graph constants and the predictions are
evaluated with ``.eval()``-style runs, as the course did.  Output follows the
notes: ``Minibatch loss at step N: L``, ``Minibatch accuracy: A%``,
``Validation accuracy: A%``, ``Test accuracy: A%``.
"""

import collections
import dataclasses
import math
import sys

import numpy as np
import tensorflow as tf

from compat.tensorboard.kernel_grid import put_kernels_on_grid
from compat.train import diagnostics
from compat.train import loop
from compat.train import run_control
from compat.train import runtime
from compat.train import settings
from compat.util import errors

v1 = tf.compat.v1

IMAGE_SIZE = 28
NUM_INPUTS = IMAGE_SIZE * IMAGE_SIZE
NUM_LABELS = 10
FIRST_LAYER_TAG = "layer1/weights"


@dataclasses.dataclass(frozen=True)
class Program:
    """One program of the series: its architecture switches and the notes'
    hyperparameters (each of which the driver exposes as a flag)."""
    name: str
    description: str
    notes_accuracy: str
    steps: int
    learning_rate: float
    display_step: int
    hidden: int = 0            # 0: the linear model
    full_batch: int = 0        # >0: gradient descent on this many examples
    beta: float = 0.0          # L2 weight
    offset_range: int = 0      # >0: batches only from the first offset_range+batch
    keep_prob: float = 1.0     # <1: dropout on the hidden layer(s)
    lr_decay: bool = False
    decay_steps: int = 0
    decay_rate: float = 1.0
    layers: int = 0            # >0: the deep network with this many layers
    init_stddev: float = 1.0   # 0: sqrt(2 / fan_in)


PROGRAMS = collections.OrderedDict((p.name, p) for p in [
    Program("logreg_gd", "logistic regression, full-batch gradient descent", "83.2%",
            steps=801, learning_rate=0.5, display_step=100, full_batch=10000),
    Program("logreg_sgd", "logistic regression, minibatch SGD", "86.5%",
            steps=3001, learning_rate=0.5, display_step=500),
    Program("nn", "one hidden ReLU layer of 1024 units", "88.8%",
            steps=3001, learning_rate=0.5, display_step=500, hidden=1024),
    Program("nn_l2", "nn + L2 on the weights", "92.7% (beta 0.001), 93.5% (beta 0.002)",
            steps=3001, learning_rate=0.5, display_step=500, hidden=1024, beta=0.001),
    Program("nn_overfit", "nn on batches from the first 1000 offsets only", "85.4%",
            steps=3001, learning_rate=0.5, display_step=500, hidden=1024, offset_range=1000),
    Program("nn_dropout", "nn_overfit + dropout on the hidden layer", "88.0%",
            steps=3001, learning_rate=0.5, display_step=500, hidden=1024, offset_range=1000,
            keep_prob=0.5),
    # The notes point at TF's own exponential_decay example: 0.1, 10000, 0.96.
    Program("nn_lr_decay", "nn + exponentially decaying learning rate", "90.6%",
            steps=3001, learning_rate=0.1, display_step=500, hidden=1024, lr_decay=True,
            decay_steps=10000, decay_rate=0.96),
    Program("deep", "6 layers, He init, L2, dropout schedule, lr decay", "95.2%",
            steps=20001, learning_rate=0.4, display_step=500, hidden=1024, beta=1e-5,
            keep_prob=0.5, lr_decay=True, decay_steps=100000, decay_rate=0.96, layers=6,
            init_stddev=0.0),
])

GdlData = collections.namedtuple("GdlData", [
    "train_dataset", "train_labels", "valid_dataset", "valid_labels",
    "test_dataset", "test_labels"])

GdlGraph = collections.namedtuple("GdlGraph", [
    "train_inputs", "train_labels", "keep_prob", "weights", "biases", "loss", "train_op",
    "train_prediction", "valid_prediction", "test_prediction", "learning_rate",
    "global_step", "grads_and_vars"])


@dataclasses.dataclass
class GdlConfig:
    """A run of one program; ``None`` fields take the program's values.  Each
    field is a flag of scripts/run.py (``keep_prob`` is ``--dropout``); its
    ``settings.field`` metadata says what ``--resume`` does with it."""
    model: str = "nn"
    steps: int = None
    learning_rate: float = None
    batch_size: int = 128
    beta: float = None
    offset_range: int = None
    keep_prob: float = settings.field(None, flag="dropout")
    decay_steps: int = None
    decay_rate: float = None
    layers: int = None
    hidden: int = None
    display_step: int = None
    summary_every: int = None
    diagnostics: bool = None  # default: off for this series
    checkpoint_every: int = run_control.DEFAULT_CHECKPOINT_EVERY  # 0: only on a signal
    mixed_precision: bool = False  # bfloat16 on a CPU, float16 on a GPU: other numbers
    seed: int = settings.field(0, resume=settings.SEED)
    device: str = settings.field("auto", resume=settings.FREE)
    log_device_placement: bool = settings.field(False, resume=settings.FREE)

    def program(self):
        try:
            return PROGRAMS[self.model]
        except KeyError:
            raise errors.ConfigError("unknown model %r; choose one of: %s"
                             % (self.model, ", ".join(PROGRAMS))) from None

    def resolved(self):
        """This config with every None replaced by the program's value."""
        program = self.program()
        values = dataclasses.asdict(self)
        for field in ("steps", "learning_rate", "beta", "offset_range", "keep_prob",
                      "decay_steps", "decay_rate", "layers", "hidden", "display_step"):
            if values[field] is None:
                values[field] = getattr(program, field)
        if values["summary_every"] is None:
            values["summary_every"] = values["display_step"]
        if values["diagnostics"] is None:
            values["diagnostics"] = False
        return GdlConfig(**values)

    def validate(self, num_train=None, workers=1):
        """Check the config and, given the training set's size
        ``num_train``, that the program's examples (its full batch, or a
        global batch of ``batch_size`` x ``workers`` plus one offset) fit in
        it; raises ``ConfigError``.  Returns the config to run: this one
        resolved (``resolved``)."""
        c = self.resolved()
        program = self.program()
        settings.check_training(c.steps, c.batch_size, c.display_step, c.summary_every,
                                c.checkpoint_every, c.learning_rate, c.keep_prob)
        if c.beta < 0:
            raise errors.ConfigError("--beta must be >= 0, got %r" % c.beta)
        if program.layers and c.layers < 3:
            raise errors.ConfigError("--layers must be at least 3 for the deep model, got %r"
                             % c.layers)
        if program.hidden and c.hidden < 1:
            raise errors.ConfigError("--hidden must be positive, got %r" % c.hidden)
        needed = program.full_batch or c.batch_size * workers + 1
        if num_train is not None and needed > num_train:
            raise errors.ConfigError(
                "the %s program needs at least %d training examples; the training set has %d "
                "(set by --train_size for notmnist, by the training files minus "
                "--validation_size otherwise)" % (c.model, needed, num_train))
        return c


def _one_hot(labels):
    return (np.arange(NUM_LABELS) == np.asarray(labels)[:, None]).astype(np.float32)


def _course_normalized(images):
    # The course's (pixel - 255/2) / 255, so the notes' learning rates and
    # initial scales mean the same on MNIST-format data.
    return ((images.astype(np.float32) - 255.0 / 2) / 255.0).reshape(-1, NUM_INPUTS)


def data_from_course(course):
    """GdlData from the course's notMNIST dict (the notes' ``reformat``)."""
    def flat(images):
        return images.reshape(-1, NUM_INPUTS).astype(np.float32)
    return GdlData(flat(course["train_dataset"]), _one_hot(course["train_labels"]),
                   flat(course["valid_dataset"]), _one_hot(course["valid_labels"]),
                   flat(course["test_dataset"]), _one_hot(course["test_labels"]))


def data_from_mnist(datasets):
    """GdlData from ``read_data_sets(..., dtype=uint8)`` (MNIST, Fashion-MNIST)."""
    return GdlData(
        _course_normalized(datasets.train.images), _one_hot(datasets.train.labels),
        _course_normalized(datasets.validation.images), _one_hot(datasets.validation.labels),
        _course_normalized(datasets.test.images), _one_hot(datasets.test.labels))


def load_data(dataset, data_dir, seed, cache_dir=None, train_size=None, valid_size=None,
              test_size=None, validation_size=5000, source_url=None):
    """The series' data: notMNIST as the course prepared it, or MNIST-format
    data (``mnist``, ``fashion_mnist``) normalized the same way."""
    if dataset == "notmnist":
        from compat.data import notmnist
        return data_from_course(notmnist.load_notmnist(
            data_dir, cache_dir or notmnist.default_cache_dir(), train_size=train_size,
            valid_size=valid_size, test_size=test_size, seed=seed))
    from compat.data import mnist
    return data_from_mnist(mnist.read_data_sets(
        data_dir, dtype="uint8", dataset=dataset, source_url=source_url,
        validation_size=validation_size))


def accuracy(predictions, labels):
    """Percent of rows whose argmax agrees, as the notes computed it."""
    return 100.0 * np.sum(np.argmax(predictions, 1) == np.argmax(labels, 1)) / \
        predictions.shape[0]


def hidden_sizes(first, layers):
    """Sizes of the deep net's hidden layers: ``first`` then halving (not
    below 2), ``layers - 1`` of them (input and output layers not counted)."""
    sizes = [first]
    for _ in range(layers - 2):
        sizes.append(sizes[-1] // 2 if sizes[-1] > 2 else 2)
    return sizes


def _dense(fan_in, fan_out, stddev):
    weights = v1.Variable(v1.truncated_normal([fan_in, fan_out], stddev=stddev))
    return weights, v1.Variable(tf.zeros([fan_out]))


def _stddevs(program, sizes):
    """Initial stddev of each layer's weights: the program's constant, or He
    (sqrt(2 / fan_in)) for the deep net, whose output layer the notes start
    at half the last middle layer's stddev."""
    if program.init_stddev:
        return [program.init_stddev] * (len(sizes) - 1)
    stddevs = [math.sqrt(2.0 / fan_in) for fan_in in sizes[:-2]]
    return stddevs + [stddevs[-1] / 2]


def _layer_sizes(program, config):
    if not program.hidden:
        return [NUM_INPUTS, NUM_LABELS]
    if not program.layers:
        return [NUM_INPUTS, config.hidden, NUM_LABELS]
    return [NUM_INPUTS] + hidden_sizes(config.hidden, config.layers) + [NUM_LABELS]


def keep_schedule(keep_prob, num_hidden, layers):
    """Keep probability after each hidden layer: the notes' schedule raises it
    by 0.5 * i / (layers + 1) for middle layer i, so later layers drop less."""
    keeps = [keep_prob]
    for i in range(num_hidden - 1):
        keeps.append(min(1.0, keeps[-1] + 0.5 * i / (layers + 1)))
    return keeps


def build_gdl_graph(config, data, wrap_optimizer=None):
    """The program's graph in the default graph; returns a GdlGraph.
    ``wrap_optimizer`` (e.g. a cluster's synchronizing wrapper) is applied to
    the optimizer before it is used."""
    program = config.program()
    sizes = _layer_sizes(program, config)
    if program.full_batch:
        train_inputs = tf.constant(data.train_dataset[:program.full_batch])
        train_labels = tf.constant(data.train_labels[:program.full_batch])
    else:
        train_inputs = v1.placeholder(tf.float32, shape=(config.batch_size, NUM_INPUTS))
        train_labels = v1.placeholder(tf.float32, shape=(config.batch_size, NUM_LABELS))
    valid_inputs = tf.constant(data.valid_dataset)
    test_inputs = tf.constant(data.test_dataset)
    keep_prob = v1.placeholder_with_default(1.0, shape=(), name="keep_prob") \
        if config.keep_prob < 1.0 else None

    params = [_dense(fan_in, fan_out, stddev) for fan_in, fan_out, stddev
              in zip(sizes[:-1], sizes[1:], _stddevs(program, sizes))]
    keeps = keep_schedule(1.0, len(params) - 1, config.layers or 0)

    def forward(x, training):
        for i, (w, b) in enumerate(params[:-1]):
            x = tf.nn.relu(tf.matmul(x, w) + b)
            if training and keep_prob is not None:
                # Later layers keep more: the notes' schedule on top of the
                # fed keep probability.
                x = v1.nn.dropout(x, keep_prob=tf.minimum(1.0, keep_prob + (keeps[i] - 1.0)))
        w, b = params[-1]
        return tf.matmul(x, w) + b

    logits = forward(train_inputs, training=True)
    loss = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(labels=train_labels, logits=logits))
    if config.beta:
        loss += config.beta * tf.add_n([tf.nn.l2_loss(w) for w, _ in params])
    # The notes report minibatch accuracy without dropout.
    train_logits = forward(train_inputs, training=False) if keep_prob is not None else logits

    global_step = v1.train.get_or_create_global_step()
    learning_rate = config.learning_rate
    if program.lr_decay:
        learning_rate = v1.train.exponential_decay(
            config.learning_rate, global_step, config.decay_steps, config.decay_rate,
            staircase=True)
    # minimize() in its two halves, so diagnostics can see the gradients.
    optimizer = runtime.loss_scaled(v1.train.GradientDescentOptimizer(learning_rate),
                                    config.mixed_precision)
    if wrap_optimizer is not None:
        optimizer = wrap_optimizer(optimizer)
    grads_and_vars = optimizer.compute_gradients(loss)
    train_prediction = tf.nn.softmax(train_logits)
    # Without dropout the prediction reads the weights on its own, and in the
    # same Session.run as the update it could read them before or after it:
    # the printed accuracy would change from run to run.  It reads them before:
    # the gradients wait for it (not the whole apply, whose ops a cluster's
    # chief also runs without a batch fed).
    with tf.control_dependencies([train_prediction]):
        applied = [(tf.identity(g), v) for g, v in grads_and_vars]
    train_op = optimizer.apply_gradients(applied, global_step=global_step)
    return GdlGraph(
        train_inputs, train_labels, keep_prob, [w for w, _ in params], [b for _, b in params],
        loss, train_op,
        train_prediction, tf.nn.softmax(forward(valid_inputs, training=False)),
        tf.nn.softmax(forward(test_inputs, training=False)),
        tf.convert_to_tensor(learning_rate), global_step, grads_and_vars)


def first_layer_kernels(weights):
    """Each first-layer unit's 784 weights as a 28x28 one-channel kernel."""
    return tf.reshape(weights, [IMAGE_SIZE, IMAGE_SIZE, 1, weights.shape[1]])


def first_layer_image(weights):
    """Each first-layer unit's 784 weights as a 28x28 tile, on one grid."""
    return put_kernels_on_grid(first_layer_kernels(weights))


def variable_tags(model):
    """Diagnostics tags, layer by layer: ``layer1/weights``, ``layer1/biases``..."""
    tags = collections.OrderedDict()
    for i, (w, b) in enumerate(zip(model.weights, model.biases), 1):
        tags[w.ref()] = "layer%d/weights" % i
        tags[b.ref()] = "layer%d/biases" % i
    return tags


def build_monitor(model, with_diagnostics):
    """The summary-step work: training loss, the first layer's weights as
    images in three views, and (``with_diagnostics``) the diagnostics."""
    first = model.weights[0]
    initial = diagnostics.InitialValues(
        [v for _, v in model.grads_and_vars] if with_diagnostics else [first])
    train = v1.summary.scalar("train/loss", model.loss)
    images = diagnostics.kernel_view_summaries(
        FIRST_LAYER_TAG, first_layer_kernels(first), first_layer_kernels(initial[first]))
    diag = diagnostics.Diagnostics(model.grads_and_vars, initial, variable_tags(model)) \
        if with_diagnostics else None
    return diagnostics.TrainingMonitor(initial, train, images, diag)


def build(config, data, run_dir=None, replica=None):
    """The program's graph, finalized, as a ``run_control.Program``; with
    ``run_dir`` also its checkpointing (``control``); with ``replica`` (a
    ``compat.cluster.replica.Replica``) that worker's graph of the cluster."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(config.seed + (replica.config.task_index if replica else 0))
        with replica.device_scope() if replica else \
                runtime.device_scope(runtime.select_device(config.device)):
            model = build_gdl_graph(config, data, replica.wrap if replica else None)
            monitor = build_monitor(model, config.diagnostics)
            return run_control.finish_program(graph, model, monitor, config, run_dir,
                                              variable_tags(model), replica)


def batch(config, data, step):
    """The minibatch of ``step``, cut as the notes did: at offset
    ``(step * batch) % (N - batch)``, or within ``offset_range``."""
    if config.offset_range:
        offset = (step * config.batch_size) % config.offset_range
    else:
        offset = (step * config.batch_size) % (data.train_labels.shape[0] - config.batch_size)
    return (data.train_dataset[offset:offset + config.batch_size],
            data.train_labels[offset:offset + config.batch_size])


@dataclasses.dataclass
class GdlResult:
    steps: int
    test_accuracy: float
    valid_accuracy: float
    seconds: float
    step_ms: dict = None  # median ms of plain and of summary steps
    diagnostics: list = None  # per-variable rows, with --diagnostics


class _Steps(loop.Steps):
    """The series' part of the training loop: the notes' batches, their
    loss and accuracy lines on display steps, the validation and test
    accuracy at the end."""

    start_message = "Initialized"
    # No graph in the event file: the course kept its data sets as graph
    # constants, which would copy them into every log.
    graph_in_events = False

    def __init__(self, config, data, built, out):
        self.config, self.data, self.out = config, data, out
        self.model, self.replica = built.model, built.replica
        self.program = config.program()
        self.name = config.model
        self.task, shards = self.replica.shard if self.replica else (0, 1)
        # The batches of a local run with every worker's examples in one batch.
        self.global_config = dataclasses.replace(config, batch_size=config.batch_size * shards)
        self.num_steps = config.steps
        # Update s + 1 writes the summaries of the notes' step s.
        notes_steps = set(range(0, config.steps, config.summary_every)) | {config.steps - 1}
        self.summary_steps = {s + 1 for s in notes_steps}
        self.fetches = [self.model.train_op, self.model.loss, self.model.train_prediction]
        self.batch_labels = None
        self.valid = None

    def feed(self, done):
        if self.program.full_batch:
            return {}
        batch_size = self.config.batch_size
        batch_data, batch_labels = batch(self.global_config, self.data, done)
        shard = slice(self.task * batch_size, (self.task + 1) * batch_size)
        batch_data, self.batch_labels = batch_data[shard], batch_labels[shard]
        feed = {self.model.train_inputs: batch_data, self.model.train_labels: self.batch_labels}
        if self.model.keep_prob is not None:
            feed[self.model.keep_prob] = self.config.keep_prob
        return feed

    def after_update(self, session, results, before, after, clock):
        _, loss, predictions = results
        display_step = self.config.display_step
        # Any display step from this update's to the next one seen.
        if (after - 1) // display_step <= (before - 1) // display_step:
            return
        out = self.out
        self.valid = accuracy(session.run(self.model.valid_prediction), self.data.valid_labels)
        if self.program.full_batch:
            print("Loss at step %d: %f" % (before, loss), file=out)
            print("Training accuracy: %.1f%%" % accuracy(
                predictions, self.data.train_labels[:self.program.full_batch]), file=out)
        else:
            print("Minibatch loss at step %d: %f" % (before, loss), file=out)
            print("Minibatch accuracy: %.1f%%" % accuracy(predictions, self.batch_labels),
                  file=out)
        print("Validation accuracy: %.1f%%" % self.valid, file=out, flush=True)

    def shown_step(self, before, after):
        return before  # the notes' step: updates done before this one

    def finish(self, session, chief):
        if not chief:
            print("%s done" % self.replica.config.task_name, file=self.out, flush=True)
            return None
        self.valid = accuracy(session.run(self.model.valid_prediction), self.data.valid_labels)
        test = accuracy(session.run(self.model.test_prediction), self.data.test_labels)
        print("Test accuracy: %.1f%%" % test, file=self.out, flush=True)
        return test


def train(config, data, run_dir, out=sys.stdout, resume=False, replica=None):
    """Run the program as the notes did; returns a GdlResult.

    Summaries are written with the global step: the loss of the notes'
    ``step`` s (printed as "at step s") is written at step s + 1, with the
    weights that step produced; step 0 holds the initial weights.
    Checkpoints are numbered the same way.  ``resume``, ``Interrupted`` and
    ``Diverged`` work as in ``conv.train``, and so does ``replica``: worker i
    trains on slice i of the batch a local run of ``batch_size`` x workers
    would take at the same step; only the chief writes and tests.
    """
    num_train = data.train_dataset.shape[0]
    config = config.validate(num_train)
    workers = replica.shard[1] if replica else 1
    if workers > 1:
        config.validate(num_train, workers)  # the global batch must fit too
    built = build(config, data, run_dir, replica)
    steps = _Steps(config, data, built, out)
    outcome = loop.train(built, steps, config, run_dir, out, resume)
    return GdlResult(config.steps, outcome.test_accuracy, steps.valid, outcome.seconds,
                     outcome.step_ms, outcome.diagnostics)
