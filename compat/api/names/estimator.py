"""The table's ``tf.estimator`` and ``tf.contrib.learn`` Estimator names, served by
the reference implementation (tensorflow-estimator 2.15.0) on TF 2.21.
Field meanings: ``compat.api.entry``."""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

ENTRIES = (
    # RELEASE.md 2.16: "The tf.estimator API is removed."  tensorflow-estimator
    # 2.15 still runs on TF 2.21 once compat.tf1x.estimator has put back what
    # it imports; TF 1.x programs mean the v1 API, tf.compat.v1.estimator.
    _entry("tf.estimator", "tf.estimator", "2.16", Kind.MODULE,
           preload="compat.tf1x.estimator",
           note="tensorflow-estimator 2.15 on TF 2.x",
           upgrade_note="compat.tf1x.estimator puts tensorflow-estimator 2.15 back as "
                        "tf.compat.v1.estimator and sets TF_USE_LEGACY_KERAS=1 (its layers "
                        "and canned models are tf-keras); it must come before TensorFlow"),
    # tf.contrib.learn is not a thin layer over tf.estimator: its ModeKeys has
    # INFER where tf.estimator's has PREDICT (both 'infer'), its RunConfig and
    # Estimator take other arguments (fit(x=, y=, steps=), model_fn returning
    # ModelFnOps; contrib/learn/python/learn/estimators/model_fn.py, TF 1.x).
    _entry("tf.contrib.learn", None, "2.0", Kind.UNSUPPORTED,
           note="tf.contrib.learn was removed with tf.contrib and differs from tf.estimator "
                "(ModeKeys.INFER is tf.estimator.ModeKeys.PREDICT, fit(x=, y=) and ModelFnOps "
                "are gone); port to tf.estimator.Estimator with a model_fn returning "
                "tf.estimator.EstimatorSpec, tf.estimator.RunConfig and "
                "tf.estimator.inputs.numpy_input_fn"),
)
