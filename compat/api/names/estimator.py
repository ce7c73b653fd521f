"""The table's ``tf.estimator`` and ``tf.contrib.learn`` Estimator names, served by
the reference implementation (tensorflow-estimator 2.15.0) on TF 2.21.
Field meanings: ``compat.api.entry``."""

ENTRIES = ()
