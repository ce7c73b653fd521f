"""The table's ``tf.contrib`` names, served in the order of their use in 2018
(``contrib_usage_2018.json``; ``scripts/contrib_coverage.py`` reports the
share served), each with its TF 1.x meaning.

* ``tf.contrib.slim``, and the ``tf.contrib.layers`` / ``framework`` /
  ``training`` / ``metrics`` functions tf-slim took over: tf-slim 1.1.0 is
  the code contrib had (forked from TF 1.15's contrib), so the names map to
  the same functions, under ``tf_slim``; each entry's ``preload`` is the
  module that makes tf_slim work on TF 2.21 (``compat.tf1x.slim``).
* ``tf.contrib.rnn`` cells: since TF 1.2 contrib.rnn re-exported TF's own
  ``rnn_cell_impl`` cells, which live on as ``tf.compat.v1.nn.rnn_cell``
  (tf-keras, legacy-Keras mode).
* Everything else under ``tf.contrib`` stops the program with the
  ``tf.contrib`` entry's advice (``compat.api.names.tf0``), e.g. the
  feature columns of ``tf.contrib.layers``, whose classes differ from
  ``tf.feature_column``'s.

Field meanings: ``compat.api.entry``.
"""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

# tf_slim works on TF 2.21 only once this module has run (before TensorFlow).
_SLIM_GLUE = "compat.tf1x.slim"

_SLIM_NOTE = "tf-slim 1.1.0 carries contrib's code for it"
_LEGACY_KERAS = (("TF_USE_LEGACY_KERAS", "1"),)
_RNN_NOTE = ("contrib.rnn re-exported TF's rnn_cell_impl; tf.compat.v1.nn.rnn_cell is that "
             "code, served by tf-keras with TF_USE_LEGACY_KERAS=1")
_RNN_UPGRADE_NOTE = ("tf.compat.v1.nn.rnn_cell is served from the tf-keras package only when "
                     "TF_USE_LEGACY_KERAS=1 is set before TensorFlow is imported")


def _slim(namespace, names):
    """``tf.contrib.<namespace>.<name>`` -> ``tf_slim.<name>``: the same function."""
    return tuple(_entry("tf.contrib.%s.%s" % (namespace, name), "tf_slim." + name, "2.0",
                        Kind.RENAME, note=_SLIM_NOTE, preload=_SLIM_GLUE) for name in names)


def _rnn(names, target="tf.nn.rnn_cell"):
    return tuple(_entry("tf.contrib.rnn." + name, "%s.%s" % (target, name), "2.0", Kind.RENAME,
                        note=_RNN_NOTE, env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE)
                 for name in names)


ENTRIES = (
    # 882 lines: `slim = tf.contrib.slim` and every slim.* member.
    _entry("tf.contrib.slim", "tf_slim", "2.0", Kind.MODULE, note=_SLIM_NOTE,
           preload=_SLIM_GLUE),
    # tf.contrib.layers, most used first (initializers, regularizers, layers, optimizers).
    *_slim("layers", (
        "xavier_initializer", "l2_regularizer", "fully_connected", "batch_norm",
        "variance_scaling_initializer", "conv2d", "flatten", "optimize_loss",
        "xavier_initializer_conv2d", "dropout", "layer_norm", "convolution2d", "softmax",
        "max_pool2d", "conv2d_transpose", "apply_regularization", "one_hot_encoding",
        "l1_regularizer", "linear", "sum_regularizer", "convolution2d_transpose",
        "conv3d_transpose", "avg_pool2d", "unit_norm", "bias_add", "conv3d",
        "l1_l2_regularizer", "legacy_fully_connected", "conv2d_in_plane",
        "convolution2d_in_plane", "repeat", "separable_convolution2d", "stack",
        "spatial_softmax", "instance_norm", "summarize_activation", "summarize_tensor",
        "summarize_tensors", "summarize_collection", "summarize_activations",
        "OPTIMIZER_CLS_NAMES", "separable_conv2d", "max_pool3d", "avg_pool3d", "conv1d",
        "group_norm", "elu", "relu", "relu6", "maxout")),
    # tf.contrib.framework: arg scopes, the global step, variable helpers.
    *_slim("framework", (
        "arg_scope", "get_or_create_global_step", "add_arg_scope", "get_global_step",
        "get_model_variables", "get_variables", "get_variables_by_name",
        "assign_from_checkpoint_fn", "add_model_variable", "local_variable",
        "get_unique_variable", "get_variables_to_restore", "filter_variables",
        "assign_from_values_fn", "model_variable", "create_global_step",
        "assign_from_values", "get_trainable_variables", "has_arg_scope",
        "arg_scoped_arguments", "assert_or_get_global_step", "assign_from_checkpoint",
        "get_local_variables", "get_variables_by_suffix", "variable",
        "VariableDeviceChooser", "current_arg_scope", "global_variable",
        "assert_global_step", "get_variable_full_name")),
    # tf.contrib.rnn: the core cells it re-exported, and the static RNNs.
    *_rnn(("BasicLSTMCell", "MultiRNNCell", "LSTMCell", "DropoutWrapper", "GRUCell",
           "LSTMStateTuple", "RNNCell", "BasicRNNCell", "DeviceWrapper", "ResidualWrapper")),
    *_rnn(("static_rnn", "static_bidirectional_rnn", "static_state_saving_rnn"),
          target="tf.nn"),
)
