"""tf1-compat: classic TensorFlow 0.x/1.x programs on TensorFlow 2.x.

The subpackages, lowest layer first (each imports only those before it;
``tests/test_layout.py`` holds the exact rule, docs/ARCHITECTURE.md the map):

* ``util``: user-facing errors (one ``UserError`` base), atomic writes, the
  scripts' one-line failure, TensorFlow's quiet import.
* ``api``: the one table of legacy TensorFlow names and what they became.
* ``py2``: Python 2 -> 3 translation (fissix) and ``old_div``, the one
  helper translated files import.
* ``data``: the IDX reader, MNIST/Fashion-MNIST, notMNIST, safe downloads,
  the drop-ins for ``tensorflow.examples.tutorials.mnist``.
* ``tensorboard``: the kernel grid, image export, the TensorBoard server.
* ``cluster``: TF1 between-graph replication and the local launcher.
* ``tf1x``: TF 1.x-era libraries revived at run time (tensorflow-estimator,
  tf-slim), for the runner and upgraded files alike.
* ``train``: what the reproductions train with (settings, initializers, the
  training loop, run control, checkpoints, diagnostics, the run record).
* ``legacy``: run an old program unmodified (shim, adapters, module finder,
  flags, watchdog, Python 2 import hook, IPython extension).
* ``upgrade``: rewrite an old program's source (libcst).

``compat.input_data``, ``compat.tutorial_mnist``, ``compat.kernel_grid``,
``compat.ipython_ext`` and ``compat.legacy_shim`` are the public paths of
modules that live in the subpackages.
"""
