"""What ``tf.contrib.learn`` meant in TF 1.x, for the names of it that the
legacy-API table serves (``compat.api.names.estimator``).

``ModeKeys`` is contrib.learn's own class (``contrib/learn/python/learn/
estimators/model_fn.py``, TF 1.0-1.15): its inference key is spelt ``INFER``,
where ``tf.estimator.ModeKeys`` says ``PREDICT``; both are the string
``'infer'``, so a model_fn written against either sees the same mode.
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
