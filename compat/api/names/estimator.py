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
    # tf.contrib.learn's Estimator API is served (compat.api.names.contrib,
    # compat.tf1x.learn_*); the rest of it stops with this advice.
    _entry("tf.contrib.learn", None, "2.0", Kind.UNSUPPORTED,
           note="this part of tf.contrib.learn (its datasets, preprocessing, monitors, io, "
                "...) was removed with tf.contrib and nothing carries it; its Estimator API "
                "(Estimator, ModelFnOps, RunConfig, MetricSpec, the canned DNN/Linear "
                "estimators, Experiment) is served: replace the rest by hand"),
)
