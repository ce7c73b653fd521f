"""What ``tf.contrib.learn`` meant in TF 1.x, for the names of it that the
legacy-API table serves (``compat.api.names.estimator``).

``ModeKeys`` is contrib.learn's own class (``contrib/learn/python/learn/
estimators/model_fn.py``, TF 1.0-1.15): its inference key is spelt ``INFER``,
where ``tf.estimator.ModeKeys`` says ``PREDICT``; both are the string
``'infer'``, so a model_fn written against either sees the same mode.

The Estimator API (``Estimator``, ``ModelFnOps``, ``RunConfig``,
``MetricSpec``, the canned DNN/Linear estimators) is served by
:mod:`compat.tf1x.learn_estimator` and :mod:`compat.tf1x.learn_canned`,
loaded on first use of a name here (they import TensorFlow).
"""


class ModeKeys(object):
    """Standard names for model modes, as tf.contrib.learn spelt them."""

    TRAIN = "train"
    EVAL = "eval"
    INFER = "infer"

    @classmethod
    def validate(cls, key):
        """Raise ValueError unless ``key`` is one of the three modes."""
        if key not in (cls.TRAIN, cls.EVAL, cls.INFER):
            raise ValueError("Invalid mode %s." % key)


# The Estimator API lives in modules that import TensorFlow (and must set up
# tensorflow-estimator first); this module stays light, so they load on
# first use of one of their names.
_LAZY = {
    "Estimator": "learn_estimator", "ModelFnOps": "learn_estimator",
    "RunConfig": "learn_estimator", "MetricSpec": "learn_metrics",
    "DNNClassifier": "learn_canned", "DNNRegressor": "learn_canned",
    "LinearClassifier": "learn_canned", "LinearRegressor": "learn_canned",
    "DNNLinearCombinedClassifier": "learn_canned", "DNNLinearCombinedRegressor": "learn_canned",
    "infer_real_valued_columns_from_input": "learn_canned",
    "PredictionKey": "learn_runner", "Experiment": "learn_runner", "SKCompat": "learn_runner",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib
    return getattr(importlib.import_module("compat.tf1x." + _LAZY[name]), name)
