"""The table's ``tf.contrib`` names, served in the order of their use in 2018
(``contrib_usage_2018.json``), each with its TF 1.x meaning.
Field meanings: ``compat.api.entry``."""

ENTRIES = ()
