"""The table's TF 1.x-era names (2017-2019): ``tf.layers``, ``tf.nn.rnn_cell`` and
Keras in graph mode, the private ``tensorflow.python.keras`` imports, input
pipelines of the era.
Field meanings: ``compat.api.entry``.

What was checked on TF 2.21 with tf-keras 2.21 (tests/test_tf1_layers.py,
tests/test_input_pipelines.py):

* ``tf.compat.v1.layers`` and ``tf.compat.v1.keras`` are TF 1.x's layers and
  Keras (served from tf-keras) only when ``TF_USE_LEGACY_KERAS=1`` is set
  before TensorFlow loads; otherwise ``tf.layers.dense`` stops with "`dense`
  is not available with Keras 3" and ``tf.keras`` is Keras 3, which builds no
  TF1 graph.  The names are KEPT: only the environment line is needed.
* ``tensorflow.python.keras`` was ``tf.keras``'s own package in TF 1.x.  TF
  2.21 still ships a stale copy of part of it (no ``datasets``,
  ``preprocessing``, ``applications``), which is not the Keras that
  ``tf.compat.v1.keras`` serves: its ``backend.get_session`` is another
  session than ``tf.keras.backend``'s.  Its modules are served from, and
  upgraded to, the tf-keras package that is ``tf.keras`` now
  (``tf_keras.src.X`` is ``tensorflow.python.keras.X``'s successor, with the
  same members, ``get_session`` included, which the public
  ``tf_keras.backend`` lacks).
* The input pipelines of the era (``Dataset.make_one_shot_iterator()``,
  ``make_initializable_iterator()``, queue runners, ``tf.TFRecordReader``,
  ``tf.parse_single_example``, ``tf.train.shuffle_batch``,
  ``tf.python_io.TFRecordWriter``) are all still in ``tf.compat.v1`` with
  their meaning: no entries needed.
"""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

_LEGACY_KERAS = (("TF_USE_LEGACY_KERAS", "1"),)
_ONLY_WHEN = ("only when TF_USE_LEGACY_KERAS=1 is set before TensorFlow is imported "
              "(else Keras 3, which builds no TF1 graph)")

# The submodules of tensorflow.python.keras that 2017-2019 programs imported;
# each is tf_keras.src's module of the same name (checked member by member in
# tests/test_tf1_layers.py).
_PRIVATE_KERAS = ("activations", "applications", "backend", "callbacks", "constraints",
                  "datasets", "engine", "initializers", "layers", "losses", "metrics",
                  "models", "optimizers", "preprocessing", "regularizers", "utils")

ENTRIES = (
    _entry("tf.layers", "tf.layers", "2.0", Kind.KEPT, env=_LEGACY_KERAS,
           note="tf.compat.v1.layers (dense, conv2d, batch_normalization, ...) is served "
                "from the tf-keras package " + _ONLY_WHEN),
    _entry("tf.keras", "tf.keras", "2.0", Kind.KEPT, env=_LEGACY_KERAS,
           note="tf.compat.v1.keras is TF 1.x's Keras (the tf-keras package) " + _ONLY_WHEN),
) + tuple(
    _entry("tensorflow.python.keras." + name, "tf_keras.src." + name, "2.0", Kind.MODULE,
           env=_LEGACY_KERAS,
           note="tf.keras's own module in TF 1.x; its successor is the tf-keras package's")
    for name in _PRIVATE_KERAS)
