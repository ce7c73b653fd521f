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
import time

import tensorflow as tf

from compat.train import diagnostics
from compat.util import errors
from compat.train import initializers
from compat.train import run_control
from compat.train import runtime

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
    original's values)."""
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
    seed: int = 0
    device: str = "auto"
    log_device_placement: bool = False
    progress: bool = True

    def num_steps(self):
        """The original loop ran ``while step * batch_size < training_iters``
        from step 1: 1562 steps for 200000 at batch 128."""
        if self.steps is not None:
            return self.steps
        return max(0, (self.training_iters - 1) // self.batch_size)

    def validate(self):
        for name in ("batch_size", "display_step", "summary_every"):
            if getattr(self, name) < 1:
                raise errors.ConfigError("--%s must be a positive integer, got %r"
                                 % (name, getattr(self, name)))
        if self.steps is not None and self.steps < 1:
            raise errors.ConfigError("--steps must be a positive integer, got %r" % self.steps)
        if self.steps is None and self.training_iters <= self.batch_size:
            raise errors.ConfigError(
                "--training_iters=%d trains no step at --batch_size=%d "
                "(the original loop runs while step * batch_size < "
                "training_iters)" % (self.training_iters, self.batch_size))
        if self.checkpoint_every < 0:
            raise errors.ConfigError("--checkpoint_every must be >= 0 (0: no periodic "
                                     "checkpoints), got %r" % self.checkpoint_every)
        if not 0.0 < self.dropout <= 1.0:
            raise errors.ConfigError("--dropout is a keep probability and must be in "
                             "(0, 1], got %r" % self.dropout)
        if not self.learning_rate > 0:
            raise errors.ConfigError("--learning_rate must be positive, got %r"
                             % self.learning_rate)
        if self.init not in initializers.INITIALIZERS:
            raise errors.ConfigError("unknown --init=%s; choose one of: %s"
                             % (self.init, ", ".join(initializers.INITIALIZERS)))
        if self.init_scope not in INIT_SCOPES:
            raise errors.ConfigError("unknown --init_scope=%s; choose one of: %s"
                             % (self.init_scope, ", ".join(INIT_SCOPES)))


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
    config.validate()
    task, shards = replica.shard if replica else (0, 1)
    chief = replica is None or replica.is_chief
    if config.batch_size * shards > data.train.num_examples:
        raise errors.ConfigError("--batch_size=%d%s is larger than the training set (%d examples)"
                         % (config.batch_size, " x %d workers" % shards if shards > 1 else "",
                            data.train.num_examples))
    program = build(config, run_dir, replica)
    model, monitor, control = program.model, program.monitor, program.control
    num_steps = config.num_steps()
    image_steps = set(summary_steps(num_steps, config.summary_every))
    # What the model learns from per update, which the "Iter" count counts.
    examples_per_update = config.batch_size * (replica.config.aggregate if replica else 1)
    losses = []
    plain_times, summary_times = [], []
    train_fetches = [model.train_op, control.guard.flags] + ([replica.step_after] if replica else [])
    test_acc = None

    def loop_state():
        return {"data": data.train.state(), "losses": list(losses)}

    session = run_control.open_session(program, runtime.session_config(
        config.log_device_placement, config.mixed_precision))
    with session as sess:
        writer = v1.summary.FileWriter(run_dir, None if resume else program.graph) \
            if chief else None
        try:
            done, state = run_control.begin_run(program, sess, resume, writer, loop_state)
            if state is not None:
                data.train.restore_state(state["data"])
                losses.extend(state["losses"])
                print("Resumed from %s at step %d of %d" % (control.checkpointer.last, done,
                                                              num_steps), file=out, flush=True)
            elif not chief:
                for _ in range(replica.batches_before(done)):
                    data.train.next_batch(config.batch_size * shards)
                print("%s joined the cluster at step %d of %d" % (
                    replica.config.task_name, done, num_steps), file=out, flush=True)
            schedule = run_control.SummarySchedule(image_steps, done)
            start = time.perf_counter()
            step, feed = done, None
            while step < num_steps:
                upcoming = step + 1  # unless other workers' updates come first
                step_start = time.perf_counter()
                batch_x, batch_y = data.train.next_batch(config.batch_size * shards)
                if shards > 1:
                    shard = slice(task * config.batch_size, (task + 1) * config.batch_size)
                    batch_x, batch_y = batch_x[shard], batch_y[shard]
                feed = {model.images: batch_x, model.labels: batch_y,
                        model.keep_prob: config.dropout}
                if chief and schedule.take(upcoming):
                    results = monitor.step(sess, writer, upcoming, train_fetches, feed)
                    summary_times.append(time.perf_counter() - step_start)
                else:
                    results = sess.run(train_fetches, feed)
                    plain_times.append(time.perf_counter() - step_start)
                control.replay.ran()
                previous, step = step, int(results[2]) if replica else upcoming

                if step // config.display_step > previous // config.display_step:
                    loss, acc = sess.run([model.loss, model.accuracy], {
                        model.images: batch_x, model.labels: batch_y,
                        model.keep_prob: 1.0})
                    control.replay.ran()  # the dropout op runs even at keep_prob 1
                    losses.append((step, float(loss), float(acc)))
                    line = _loss_line(step, examples_per_update, loss, acc)
                    if config.progress:
                        per_step = (time.perf_counter() - start) / (step - done)
                        line += "  [step %d/%d, %.1f ms/step, ETA %s]" % (
                            step, num_steps, 1000 * per_step,
                            _format_duration(per_step * max(0, num_steps - step)))
                    print(line, file=out, flush=True)
                control.after_step(sess, step, results[1], num_steps)
            elapsed = time.perf_counter() - start
            if chief and feed is not None and schedule.take(step):
                # The other workers' updates ran past the last summary step.
                monitor.step(sess, writer, step, [], feed)
            print("Optimization Finished!", file=out)

            if chief:
                test_acc = sess.run(model.accuracy, {
                    model.images: data.test.images[:256],
                    model.labels: data.test.labels[:256],
                    model.keep_prob: 1.0})
                print("Testing Accuracy:", test_acc, file=out, flush=True)
                control.finish(sess, step)
            run_control.end_run(program, sess)
        finally:
            run_control.close_run(program)
            if writer is not None:
                writer.close()
    step_ms = diagnostics.median_step_ms(plain_times, summary_times)
    if config.progress:
        print("Step time (median): %.1f ms on %d plain steps, %.1f ms on %d summary steps"
              % (step_ms["plain"], len(plain_times), step_ms["summary"], len(summary_times)),
              file=out)
    rows = None
    if chief:
        test_acc = float(test_acc)
        rows = monitor.finish(run_dir, out, {
            "model": "conv", "config": dataclasses.asdict(config), "steps": num_steps,
            "summary_steps": sorted(image_steps), "test_accuracy": test_acc,
            "step_ms": step_ms})
    return RunResult(run_dir, num_steps, losses, test_acc,
                     elapsed / max(len(plain_times) + len(summary_times), 1), step_ms, rows)
