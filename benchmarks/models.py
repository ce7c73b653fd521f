"""What ``scripts/bench.py`` measures: the reproductions' programs as their
own ``build`` functions make them, their Keras 3 twins, the 2016 program's
summary-op-in-the-loop pattern, and FLOP counts from the layer shapes.

A ``Reproduction`` wraps the finalized graph of ``conv.build`` or
``gdl.build`` (the same graph ``scripts/run.py`` trains) with what a timing
loop needs: the train op, how to feed a batch, the batches in the program's
own order, and the variables in the order a Keras model lists its weights,
so the Keras twin can start from the very same initial values.

The Keras twins use ``import keras`` (Keras 3, TensorFlow backend), not
``tf.keras``/tf-keras.  They must be built in eager mode: see
``benchmarks.measure`` and ``benchmarks.suite`` for how the one process
runs the TF1 graph part first and the Keras part after it.  Differences
that cannot be removed are stated where the twin is built.
"""

import collections
import dataclasses
import functools

import numpy as np
import tensorflow as tf

from compat.tensorboard.kernel_grid import put_kernels_on_grid
from tf1_examples import conv
from tf1_examples import gdl

v1 = tf.compat.v1

CONV = "conv"
# The series' programs that train on fed minibatches; logreg_gd trains on a
# 10000-example constant with no feed, so "time per minibatch step" and its
# Keras train_on_batch twin mean something else there.
SERIES = tuple(name for name, program in gdl.PROGRAMS.items() if not program.full_batch)
MODELS = (CONV,) + SERIES


@dataclasses.dataclass
class Reproduction:
    """One model's program, ready to time."""
    name: str
    graph: tf.Graph
    init_op: object
    train_op: object
    loss: object
    images: object           # input placeholder
    labels: object           # label placeholder
    keep_prob: object        # dropout keep placeholder, or None
    keep_value: float        # the program's training keep probability (1.0: no dropout)
    variables: list          # [w1, b1, w2, b2, ...]: a Keras model's get_weights() order
    reference: object        # forward output on a batch without dropout, to check the twin
    reference_is_softmax: bool
    batch_size: int
    next_batch: object       # () -> (images, labels), the program's own batch order
    config: object           # conv.ConvConfig or the resolved gdl.GdlConfig
    extra_forward: bool      # the step also runs a dropout-free forward pass

    def feed(self, images, labels, keep=None):
        feed = {self.images: images, self.labels: labels}
        if self.keep_prob is not None:
            feed[self.keep_prob] = self.keep_value if keep is None else keep
        return feed


def conv_config(batch_size, seed):
    """The conv program's config as ``scripts/run.py`` makes it by default
    (diagnostics on: their ops are built, though plain steps never run them)."""
    return conv.ConvConfig(batch_size=batch_size, seed=seed)


def build_conv(datasets, batch_size, seed):
    """``conv.build``'s finalized program; batches from ``datasets.train``
    (``compat.data.mnist`` data, one-hot) as ``conv.train`` takes them."""
    config = conv_config(batch_size, seed)
    config.validate()
    program = conv.build(config)
    model = program.model
    variables = []
    for weight, bias in zip(model.weights.values(), model.biases.values()):
        variables += [weight, bias]
    return Reproduction(
        name=CONV, graph=program.graph, init_op=program.init_op, train_op=model.train_op,
        loss=model.loss, images=model.images, labels=model.labels, keep_prob=model.keep_prob,
        keep_value=config.dropout, variables=variables, reference=model.logits,
        reference_is_softmax=False, batch_size=batch_size,
        next_batch=functools.partial(datasets.train.next_batch, batch_size), config=config,
        extra_forward=False)


def series_config(name, batch_size, seed, num_train):
    """The series program's resolved config (the notes' values), checked
    against the training set's size."""
    return gdl.GdlConfig(model=name, batch_size=batch_size, seed=seed).validate(num_train)


class _SeriesBatches:
    """The series' batches in the notes' order: offset ``(step * batch) %
    (N - batch)``, or within ``offset_range`` for the overfit programs."""

    def __init__(self, config, data):
        self._config, self._data, self._step = config, data, 0

    def __call__(self):
        # gdl.batch is the training loop's own slicing; reused so the
        # benchmark feeds exactly what gdl.train feeds.
        batch = gdl.batch(self._config, self._data, self._step)
        self._step += 1
        return batch


def build_series(name, data, batch_size, seed):
    """``gdl.build``'s finalized program for series model ``name`` on
    ``data`` (a ``gdl.GdlData``)."""
    config = series_config(name, batch_size, seed, data.train_dataset.shape[0])
    program = gdl.build(config, data)
    model = program.model
    variables = []
    for weight, bias in zip(model.weights, model.biases):
        variables += [weight, bias]
    return Reproduction(
        name=name, graph=program.graph, init_op=program.init_op, train_op=model.train_op,
        loss=model.loss, images=model.train_inputs, labels=model.train_labels,
        keep_prob=model.keep_prob,
        keep_value=config.keep_prob if model.keep_prob is not None else 1.0,
        variables=variables, reference=model.train_prediction, reference_is_softmax=True,
        batch_size=batch_size, next_batch=_SeriesBatches(config, data), config=config,
        # With dropout, the notes' minibatch accuracy comes from a second,
        # dropout-free forward pass, and gdl's train_op waits for it.
        extra_forward=model.keep_prob is not None)


def build(name, data, batch_size, seed):
    """The reproduction of model ``name``: ``data`` is ``compat.data.mnist``
    Datasets for conv, ``gdl.GdlData`` for the series."""
    if name == CONV:
        return build_conv(data, batch_size, seed)
    return build_series(name, data, batch_size, seed)


def training_arrays(name, data):
    """All training images and one-hot labels, float32, in file order."""
    if name == CONV:
        return (np.asarray(data.train.images, np.float32),
                np.asarray(data.train.labels, np.float32))
    return data.train_dataset, data.train_labels


# --- the legacy pattern --------------------------------------------------------

LegacyConv = collections.namedtuple("LegacyConv", [
    "graph", "model", "init_op", "grid", "keep_value"])


def build_legacy_conv(batch_size, seed):
    """The conv network as the 2016 program built it, for its training loop
    to add a summary op on every step: the same ops as ``conv.build``'s
    model, plus the kernel grid built once, and a graph left open
    (not finalized) so the loop can grow it."""
    config = conv_config(batch_size, seed)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(seed)
        images = v1.placeholder(tf.float32, [None, conv.NUM_INPUTS], name="x")
        labels = v1.placeholder(tf.float32, [None, conv.NUM_CLASSES], name="y")
        keep_prob = v1.placeholder(tf.float32, name="keep_prob")
        model = conv.build_conv_graph(images, labels, keep_prob,
                                      learning_rate=config.learning_rate)
        # The 2016 program: grid = put_kernels_on_grid(weights['wc1'], 4, 8)
        # before the loop, then tf.image_summary('conv1/features' + str(i),
        # grid, max_images=1) inside it.
        grid = put_kernels_on_grid(model.weights[conv.FIRST_LAYER], grid_Y=4, grid_X=8)
        init_op = v1.global_variables_initializer()
    return LegacyConv(graph, model, init_op, grid, config.dropout)


def legacy_summary_op(legacy, step):
    """The op the 2016 loop created on step ``step`` (a new tag each time)."""
    with legacy.graph.as_default():
        return v1.summary.image("conv1/features" + str(step), legacy.grid, max_outputs=1)


# --- FLOPs from the layer shapes -----------------------------------------------

def _same_pool(size, k=2):
    # max_pool2d with SAME padding and stride k: ceil(size / k).
    return -(-size // k)


def conv_forward_flops(batch_size):
    """Multiply-adds x 2 of the conv model's convolutions and matmuls on
    one forward pass over a batch (biases, ReLU, pooling, softmax left out:
    they are under 1% here)."""
    size = conv.IMAGE_SIZE
    flops = 0
    for name in ("wc1", "wc2"):
        ky, kx, cin, cout = conv.WEIGHT_SHAPES[name]
        # SAME padding, stride 1: output size = input size.
        flops += 2 * size * size * cout * ky * kx * cin
        size = _same_pool(size)
    for name in ("wd1", "out"):
        fan_in, fan_out = conv.WEIGHT_SHAPES[name]
        flops += 2 * fan_in * fan_out
    return flops * batch_size


def dense_forward_flops(sizes, batch_size):
    """2 x the multiply-adds of a stack of dense layers ``sizes`` (inputs
    first) over a batch."""
    return batch_size * sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:]))


def layer_sizes(reproduction):
    """Input size then each dense layer's width, from the weights' shapes."""
    weights = reproduction.variables[0::2]
    return [int(weights[0].shape[0])] + [int(w.shape[1]) for w in weights]


def hand_flops_per_step(reproduction):
    """The training step's FLOPs from the layer shapes: forward x 3 (the
    backward pass computes a gradient for the weights and one for the
    inputs, each as costly as the forward), plus one more forward where the
    step also runs a dropout-free pass (the series' programs with dropout)."""
    if reproduction.name == CONV:
        forward = conv_forward_flops(reproduction.batch_size)
    else:
        forward = dense_forward_flops(layer_sizes(reproduction), reproduction.batch_size)
    return forward * (3 + (1 if reproduction.extra_forward else 0))


# --- the Keras 3 twins ---------------------------------------------------------

@dataclasses.dataclass
class KerasSpec:
    """Architecture, regularization and optimizer of a Keras twin, in plain
    values taken from the reproduction (so the twin needs no TF1 objects)."""
    name: str
    sizes: list = None          # dense series: input and layer widths
    dropout: list = None        # rate after each hidden layer (0: none)
    l2: float = 0.0             # Keras L2 factor (TF's beta * l2_loss = beta/2 * sum w^2)
    optimizer: str = "sgd"
    learning_rate: float = 0.001
    decay_steps: int = 0        # >0: staircase exponential decay
    decay_rate: float = 1.0


def keras_spec(reproduction):
    if reproduction.name == CONV:
        return KerasSpec(CONV, dropout=[1.0 - reproduction.keep_value], optimizer="adam",
                         learning_rate=reproduction.config.learning_rate)
    config = reproduction.config
    program = config.program()
    sizes = layer_sizes(reproduction)
    hidden = len(sizes) - 2
    rates = [0.0] * hidden
    if reproduction.keep_prob is not None:
        # The same per-layer keep as gdl.build_gdl_graph: the fed keep plus
        # the notes' schedule (gdl's own helper, so the two cannot drift).
        schedule = gdl.keep_schedule(1.0, hidden, config.layers or 0)
        rates = [1.0 - min(1.0, reproduction.keep_value + (keep - 1.0)) for keep in schedule]
    return KerasSpec(reproduction.name, sizes=sizes, dropout=rates, l2=config.beta / 2.0,
                     optimizer="sgd", learning_rate=config.learning_rate,
                     decay_steps=config.decay_steps if program.lr_decay else 0,
                     decay_rate=config.decay_rate)


def keras_model(spec):
    """The twin, compiled: the same layers, loss and optimizer.

    Conv: tf.nn.conv2d SAME + bias + ReLU and max_pool2d SAME are Conv2D and
    MaxPooling2D with padding="same"; Keras' kernels are HWIO like TF's and
    Flatten of NHWC is TF's reshape, so the weights copy unchanged.  Adam
    with TF1's epsilon 1e-8 (Keras' default is 1e-7); both apply the bias
    correction to the step size the same way.

    Series: Dense + ReLU, dropout (rate = 1 - keep) after each hidden layer,
    L2 on every kernel (not the biases) as beta * tf.nn.l2_loss, plain SGD
    with the staircase exponential decay where the program has it.

    What cannot match: dropout masks come from Keras' own RNG, and the
    series' programs with dropout run one more dropout-free forward pass per
    step (the printed minibatch accuracy) that the twin does not.
    """
    import keras  # Keras 3; imported only here, in the eager phase

    layers = [keras.Input((conv.NUM_INPUTS,))]
    if spec.name == CONV:
        layers += [
            keras.layers.Reshape((conv.IMAGE_SIZE, conv.IMAGE_SIZE, 1)),
            keras.layers.Conv2D(32, 5, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2, 2, padding="same"),
            keras.layers.Conv2D(64, 5, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2, 2, padding="same"),
            keras.layers.Flatten(),
            keras.layers.Dense(1024, activation="relu"),
            keras.layers.Dropout(spec.dropout[0]),
            keras.layers.Dense(conv.NUM_CLASSES),
        ]
    else:
        regularizer = keras.regularizers.L2(spec.l2) if spec.l2 else None
        for width, rate in zip(spec.sizes[1:-1], spec.dropout):
            layers.append(keras.layers.Dense(width, activation="relu",
                                             kernel_regularizer=regularizer))
            if rate:
                layers.append(keras.layers.Dropout(rate))
        layers.append(keras.layers.Dense(spec.sizes[-1], kernel_regularizer=regularizer))
    model = keras.Sequential(layers)
    if spec.optimizer == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=spec.learning_rate, beta_1=0.9,
                                          beta_2=0.999, epsilon=1e-8)
    else:
        rate = spec.learning_rate
        if spec.decay_steps:
            rate = keras.optimizers.schedules.ExponentialDecay(
                spec.learning_rate, spec.decay_steps, spec.decay_rate, staircase=True)
        optimizer = keras.optimizers.SGD(learning_rate=rate)
    # No metrics: the reproduction's timed step runs only its train op.
    model.compile(optimizer=optimizer,
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def keras_twin(spec, initial_weights):
    """A compiled twin holding ``initial_weights`` (numpy arrays in
    ``Reproduction.variables`` order)."""
    model = keras_model(spec)
    shapes = [tuple(w.shape) for w in model.get_weights()]
    given = [tuple(np.shape(w)) for w in initial_weights]
    if shapes != given:
        raise ValueError("the Keras twin of %s has weights %s, the reproduction %s"
                         % (spec.name, shapes, given))
    model.set_weights(initial_weights)
    return model


def twin_max_rel_diff(model, images, reference, reference_is_softmax):
    """Largest difference between the twin's dropout-free output on
    ``images`` and the reproduction's (``reference``), relative to the
    reference's largest magnitude: ~1e-7 when the weights were copied right."""
    import keras

    out = np.asarray(model(images, training=False))
    if reference_is_softmax:
        out = np.asarray(keras.ops.softmax(out, axis=-1))
    scale = max(float(np.max(np.abs(reference))), 1e-30)
    return float(np.max(np.abs(out - reference))) / scale
