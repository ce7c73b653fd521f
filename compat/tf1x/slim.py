"""Glue that lets tf-slim 1.1.0 (the maintained home of ``tf.contrib.slim``,
``tf.contrib.layers`` and ``tf.contrib.framework``) run on TensorFlow 2.21.

Import it before ``tf_slim`` (upgraded files import it before TensorFlow;
the runner imports it before serving a ``tf_slim`` name).  It changes no
behaviour of TensorFlow: it only puts back, under their old module paths,
objects TF and tf-keras still have but moved, because tf_slim reaches them
as module attributes:

* TensorFlow's ``tensorflow/python/layers/normalization.py`` (which
  ``tf_slim.batch_norm`` and ``slim.learning`` use) lazily imports
  ``tf_keras.legacy_tf_layers``; tf-keras 2.21 keeps that package at
  ``tf_keras.src.legacy_tf_layers``.
* ``ops.Tensor``, ``ops.IndexedSlices``, ``array_ops.stack``/``unstack``,
  ``control_flow_ops.Assert``/``cond``/``case``/``while_loop`` and
  ``variable_scope.variable`` moved to their own modules in TF 2.x.

The legacy layers behind them (``tf.compat.v1.layers``) exist only in
legacy-Keras mode, which must be chosen before TensorFlow loads, hence
``TF_USE_LEGACY_KERAS=1`` (a default: a program's own choice wins).
"""

import importlib
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from compat.util.quiet_import import import_tensorflow  # noqa: E402

import_tensorflow()

from tensorflow.python.framework import indexed_slices, ops, tensor  # noqa: E402
from tensorflow.python.ops import (array_ops, array_ops_stack, cond,  # noqa: E402
                                   control_flow_assert, control_flow_case, control_flow_ops,
                                   variable_scope, variable_v1, while_loop)

_LEGACY_LAYERS = "tf_keras.legacy_tf_layers"
_LEGACY_LAYERS_HOME = "tf_keras.src.legacy_tf_layers"
_LEGACY_LAYER_MODULES = ("base", "core", "convolutional", "normalization", "pooling",
                         "variable_scope_shim")

# (module, attribute its TF 1.x version had, the object now elsewhere)
MOVED = (
    (ops, "Tensor", tensor.Tensor),
    (ops, "IndexedSlices", indexed_slices.IndexedSlices),
    (array_ops, "stack", array_ops_stack.stack),
    (array_ops, "unstack", array_ops_stack.unstack),
    (control_flow_ops, "Assert", control_flow_assert.Assert),
    (control_flow_ops, "cond", cond.cond),
    (control_flow_ops, "case", control_flow_case.case),
    (control_flow_ops, "while_loop", while_loop.while_loop),
    # TF 1.x's variable_scope.variable(initial_value, ...) was VariableV1.
    (variable_scope, "variable", variable_v1.VariableV1),
)


def _alias_legacy_layers():
    sys.modules.setdefault(_LEGACY_LAYERS, importlib.import_module(_LEGACY_LAYERS_HOME))
    for name in _LEGACY_LAYER_MODULES:
        sys.modules.setdefault("%s.%s" % (_LEGACY_LAYERS, name),
                               importlib.import_module("%s.%s" % (_LEGACY_LAYERS_HOME, name)))


# tf_slim's layers module names the legacy layers it builds on; point them at
# tf-keras's copy, the one tf.compat.v1.layers serves in legacy-Keras mode.
# TF 2.21 also ships a stale copy (tensorflow/python/keras/legacy_tf_layers)
# whose layers call TF's stale Keras backend; under the runner, where the
# program's tensorflow.python.keras is tf-keras's (as it was tf.keras's own
# package in TF 1.x), the two copies meet and Dense fails.  One Keras for
# everything: the same classes as tf.layers.
_SLIM_LAYERS = "tf_slim.layers.layers"
_SLIM_LAYER_ATTRS = (("base", "base"), ("core_layers", "core"),
                     ("convolutional_layers", "convolutional"),
                     ("normalization_layers", "normalization"), ("pooling_layers", "pooling"))
_INPUT_SPEC_HOME = "tf_keras.src.engine.input_spec"


def _one_keras():
    slim_layers = importlib.import_module(_SLIM_LAYERS)
    for attr, name in _SLIM_LAYER_ATTRS:
        setattr(slim_layers, attr,
                importlib.import_module("%s.%s" % (_LEGACY_LAYERS_HOME, name)))
    slim_layers.input_spec = importlib.import_module(_INPUT_SPEC_HOME)


def _restore_moved():
    for module, name, obj in MOVED:
        if not hasattr(module, name):
            setattr(module, name, obj)


_alias_legacy_layers()
_restore_moved()
_one_keras()
