"""What every benchmark process does before it measures, the parent and
each probe child alike: TensorFlow set up as ``scripts/run.py`` sets it, the
models' data loaded as ``run.py`` loads it, and progress lines on stderr
(stdout is the tables').

Nothing heavy is imported at module level: the parent starts its cold
start-up probe before it loads TensorFlow.
"""

import contextlib
import random
import sys


def say(message):
    """One progress line on stderr."""
    print("bench: %s" % message, file=sys.stderr, flush=True)


def setup_tensorflow(options):
    """Import TensorFlow (banner filtered), TF1 graph mode as run.py sets it,
    seeds.  Graph seeds are set by each program's own build; the
    process-wide default graph is never used (see benchmarks.measure)."""
    from compat.util.quiet_import import import_tensorflow
    tf = import_tensorflow()
    from compat.train import runtime
    runtime.quiet_tensorflow()
    runtime.enable_graph_mode()
    random.seed(options.seed)
    import numpy as np
    np.random.seed(options.seed)
    if options.determinism:
        tf.config.experimental.enable_op_determinism()
    return tf


def load_data(options, name):
    """The model's data, as scripts/run.py loads it (errors: DataError)."""
    from compat.data import mnist
    if name == "conv":
        return mnist.read_data_sets(options.data_dir, one_hot=True, dataset="mnist",
                                    source_url=options.source_url,
                                    validation_size=options.validation_size, batching="tf0")
    from tf1_examples import gdl
    directory = {"notmnist": options.notmnist_dir,
                 "mnist": options.data_dir}.get(options.dataset)
    # notMNIST's loader says what it found on stdout; stdout is the tables'.
    with contextlib.redirect_stdout(sys.stderr):
        return gdl.load_data(options.dataset, directory, options.seed,
                             cache_dir=options.cache_dir,
                             validation_size=options.validation_size,
                             source_url=options.source_url if options.dataset != "notmnist"
                             else None)


class DataCache:
    """Each data set loaded once: conv's MNIST, the series' data."""

    def __init__(self, options):
        self._options = options
        self._loaded = {}

    def __call__(self, name):
        key = "conv" if name == "conv" else "series"
        if key not in self._loaded:
            self._loaded[key] = load_data(self._options, name)
        return self._loaded[key]
