"""``tf.estimator`` on TensorFlow 2.21: the real tensorflow-estimator 2.15
(its last release), made importable by a little glue.

``import compat.tf1x.estimator`` (idempotent; the legacy runner imports it
when a program takes ``tf.estimator``, upgraded files import it before
TensorFlow) leaves ``tf.compat.v1.estimator`` (what TF 1.x programs call
``tf.estimator``) and ``tf.compat.v2.estimator`` / ``tensorflow.estimator``
as TF 2.15 had them.  What the glue does, each fix for one import failure
of tensorflow-estimator 2.15 on TF 2.21:

* legacy Keras: the Estimator's layers, canned models and optimizers are
  ``tf.keras`` 2 (tf-keras), which TF serves only with
  ``TF_USE_LEGACY_KERAS=1`` set before its Keras loaders first resolve;
  set here, or one line says why it is too late;
* ``tensorflow.python.distribute.estimator_training``, removed from TF:
  :mod:`compat.tf1x.estimator_training` stands in (single machine);
* ``tf_export`` lost the ``estimator`` API name the package's
  ``estimator_export`` decorators register under;
* three TPU modules TF removed, imported by ``tf.estimator.tpu``: stand-ins
  whose classes stop with one line naming TPUEstimator when used.
"""

import importlib
import os
import sys
import types

from compat.util.errors import UserError

LEGACY_KERAS = "TF_USE_LEGACY_KERAS"
_TRUE = ("true", "True", "1")   # what TF's KerasLazyLoader accepts
_STANDIN = "tensorflow.python.distribute.estimator_training"
_TPU_MODULES = ("tpu_embedding", "tpu_embedding_gradient", "session_support")
_V1_API = "tensorflow_estimator.python.estimator.api._v1.estimator"
_V2_API = "tensorflow_estimator.python.estimator.api._v2.estimator"
# tf.compat.v1 and v2: depending on how TensorFlow was first imported, each
# is one module object or two (under both names), so both are served.
_V1_MODULES = ("tensorflow.compat.v1", "tensorflow._api.v2.compat.v1")
_V2_MODULES = ("tensorflow.compat.v2", "tensorflow._api.v2.compat.v2")


class KerasModeError(UserError, ImportError):
    """TensorFlow already serves Keras 3, with which the Estimator cannot run."""


def _real_tf():
    """The ``tensorflow`` package, or None under the legacy runner, whose
    namespace stands in for it (and serves ``tf.estimator`` from its table)."""
    top = sys.modules.get("tensorflow")
    return top if type(top) is types.ModuleType else None


def _loaded(names):
    """The distinct modules loaded under ``names``."""
    found = []
    for name in names:
        module = sys.modules.get(name)
        if module is not None and all(module is not other for other in found):
            found.append(module)
    return found


def _keras_loaders():
    """TF's lazy Keras entry points a TF 1.x program's estimator goes through:
    ``tf.keras`` and ``tf.compat.v1.keras``/``layers``."""
    places = [(top, ("keras",)) for top in (_real_tf(),) if top is not None]
    places += [(v1, ("keras", "layers")) for v1 in _loaded(_V1_MODULES)]
    for module, attrs in places:
        for attr in attrs:
            yield "%s.%s" % (module.__name__, attr), vars(module).get(attr)


def _resolved_to_keras3(loader):
    """Whether a Keras entry point already chose Keras 3 (a loader records
    its choice; a loaded one has replaced itself by the module)."""
    if isinstance(loader, types.ModuleType) and type(loader) is types.ModuleType:
        return loader.__name__.startswith("keras.")
    return vars(loader).get("_tfll_keras_version") == "keras_3" if loader is not None else False


def _choose_legacy_keras():
    value = os.environ.setdefault(LEGACY_KERAS, "1")
    if value not in _TRUE:
        raise KerasModeError("tf.estimator needs legacy Keras (tf-keras), but the environment "
                             "sets %s=%s; unset it" % (LEGACY_KERAS, value))
    late = [name for name, loader in _keras_loaders() if _resolved_to_keras3(loader)]
    if late:
        raise KerasModeError("tf.estimator cannot work in this process: TensorFlow was imported "
                             "and %s already resolved to Keras 3; import compat.tf1x.estimator "
                             "before TensorFlow (or set %s=1 in the environment)"
                             % (late[0], LEGACY_KERAS))


class _TpuOnly:
    """A class of a TPU module TF removed: stops with one line when used."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "%s is TPU-only (tf.estimator.tpu.TPUEstimator), which TensorFlow %s no longer has; "
            "use tf.estimator.Estimator" % (type(self).__name__, _tf().__version__))


class _TpuStandin(types.ModuleType):
    """A removed ``tensorflow.python.tpu`` module: any public name is a
    :class:`_TpuOnly` class (tensorflow-estimator only names them at import,
    in signatures and isinstance checks of its TPU code)."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(name, (_TpuOnly,), {"__module__": self.__name__})
        setattr(self, name, cls)
        return cls


def _tf():
    from compat.util.quiet_import import import_tensorflow
    return import_tensorflow()


def _install_standins():
    from compat.tf1x import estimator_training
    import tensorflow.python.distribute as distribute
    import tensorflow.python.tpu as tpu
    sys.modules[_STANDIN] = estimator_training
    distribute.estimator_training = estimator_training
    for name in _TPU_MODULES:
        full = "%s.%s" % (tpu.__name__, name)
        try:
            importlib.import_module(full)
        except ImportError:
            module = sys.modules[full] = _TpuStandin(full)
            setattr(tpu, name, module)


def _restore_api_name():
    """The ``estimator`` API name ``tf_export`` had up to TF 2.15."""
    from tensorflow.python.util import tf_export
    if hasattr(tf_export, "ESTIMATOR_API_NAME"):
        return
    tf_export.ESTIMATOR_API_NAME = "estimator"
    tf_export.API_ATTRS["estimator"] = tf_export._Attributes(
        "_estimator_api_names", "_estimator_api_constants")
    tf_export.API_ATTRS_V1["estimator"] = tf_export._Attributes(
        "_estimator_api_names_v1", "_estimator_api_constants_v1")


def _attach(v1_api, v2_api):
    """The API where TF 2.15 had it: v1 under tf.compat.v1 (what TF 1.x
    programs and upgraded files call tf.estimator), v2 under tf.compat.v2
    and at the top."""
    places = [(module, v1_api) for module in _loaded(_V1_MODULES)]
    places += [(module, v2_api) for module in _loaded(_V2_MODULES) + [_real_tf()] if module]
    for module, api in places:
        module.estimator = api
    for name, api in (("tensorflow.estimator", v2_api), (_V1_MODULES[0] + ".estimator", v1_api),
                      (_V2_MODULES[0] + ".estimator", v2_api)):
        sys.modules.setdefault(name, api)


def install():
    """Make ``tf.compat.v1.estimator`` work; returns that (v1) API module.
    Safe to call again."""
    if _STANDIN in sys.modules and _V1_API in sys.modules:
        return sys.modules[_V1_API]
    _choose_legacy_keras()
    _tf()
    _install_standins()
    _restore_api_name()
    v1_api = importlib.import_module(_V1_API)
    _attach(v1_api, importlib.import_module(_V2_API))
    return v1_api


install()
