"""Session-level settings every graph/Session program of the project shares:
TF1 graph mode, seeding with op determinism, and device choice.

Kept apart from the models so that the driver, the legacy runner and the
benchmarks set TensorFlow up the same way.
"""

import contextlib
import functools
import random

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

from compat.util import errors

v1 = tf.compat.v1

DEVICES = ("auto", "cpu", "gpu")


class DeviceError(errors.UserError, RuntimeError):
    """The requested device cannot be used on this machine."""


def quiet_tensorflow():
    """Silence TensorFlow's Python-side deprecation notes so a program's own
    output reads as it did in 2016 (the C++ banner: compat.util.quiet_import)."""
    tf.get_logger().setLevel("ERROR")


def enable_graph_mode():
    """TF1 semantics: graphs, sessions, placeholders, ref variables."""
    v1.disable_v2_behavior()


def seed_everything(seed):
    """Seed Python's, numpy's global and TensorFlow's default-graph RNGs, and
    turn on op determinism so the same seed gives the same run."""
    random.seed(seed)
    np.random.seed(seed)
    v1.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def seed_every_graph(seed):
    """Give every graph built from now on the graph-level seed ``seed``, as
    ``seed_everything`` gave the default graph.  A program that makes its own
    ``tf.Graph`` (``reset_default_graph``, an Estimator building one per
    ``train`` and setting its config's seed, None by default) would otherwise
    have unseeded random ops, which op determinism refuses.  A seed the
    program sets on a graph still wins; setting None means "no choice" and
    keeps ``seed``."""
    graph_class = tf.Graph
    prop = graph_class.__dict__["seed"]
    fset = getattr(prop.fset, "_tf1_compat_original", prop.fset)

    def set_seed(graph, value):
        fset(graph, seed if value is None else value)
    set_seed._tf1_compat_original = fset
    graph_class.seed = property(prop.fget, set_seed, doc=prop.__doc__)

    init = getattr(graph_class.__init__, "_tf1_compat_original", graph_class.__init__)

    @functools.wraps(init)
    def seeded_init(graph, *args, **kwargs):
        init(graph, *args, **kwargs)
        graph.seed = seed
    seeded_init._tf1_compat_original = init
    graph_class.__init__ = seeded_init


def gpus():
    return tf.config.list_physical_devices("GPU")


def select_device(device):
    """Validate ``device`` and return the device string to build under
    (``None`` lets TensorFlow place ops, preferring a GPU when present)."""
    if device not in DEVICES:
        raise DeviceError("unknown device %r; choose one of: %s"
                          % (device, ", ".join(DEVICES)))
    if device == "gpu":
        if not gpus():
            raise DeviceError(
                "--device=gpu but TensorFlow sees no GPU (CUDA not found or "
                "the installed build has no GPU support); see BUILD.md, or "
                "use --device=cpu")
        return "/device:GPU:0"
    if device == "cpu":
        # Hiding the GPUs, not just pinning ops, keeps TensorFlow from
        # claiming GPU memory for a CPU run.
        with contextlib.suppress(RuntimeError, ValueError):
            tf.config.set_visible_devices([], "GPU")
        return "/device:CPU:0"
    return None


def session_config(log_device_placement=False, mixed_precision=False):
    """The Session's ConfigProto.  ``mixed_precision`` turns on Grappler's
    automatic mixed precision: float16 on a GPU (pair it with
    ``loss_scaled``), bfloat16 through oneDNN on a CPU.  It changes the
    numbers, so it is never on by default."""
    # Soft placement lets ops with no GPU kernel (summaries, string ops)
    # fall back to the CPU, as TF1 programs relied on.
    config = v1.ConfigProto(allow_soft_placement=True,
                            log_device_placement=log_device_placement)
    if mixed_precision:
        rewrite = config.graph_options.rewrite_options
        rewrite.auto_mixed_precision = rewriter_config_pb2.RewriterConfig.ON
        rewrite.auto_mixed_precision_onednn_bfloat16 = rewriter_config_pb2.RewriterConfig.ON
    return config


def loss_scaled(optimizer, mixed_precision):
    """``optimizer`` with dynamic loss scaling where mixed precision means
    float16 (a visible GPU): small gradients would underflow in float16.
    bfloat16 has float32's exponent range and needs none."""
    if mixed_precision and tf.config.get_visible_devices("GPU"):
        return v1.mixed_precision.MixedPrecisionLossScaleOptimizer(optimizer, "dynamic")
    return optimizer


def device_scope(device_name):
    return tf.device(device_name) if device_name else contextlib.nullcontext()
