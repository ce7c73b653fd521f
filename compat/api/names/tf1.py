"""The table's TF 1.x-era names (2017-2019): ``tf.layers``, ``tf.nn.rnn_cell`` and
Keras in graph mode, the private ``tensorflow.python.keras`` imports, input
pipelines of the era.
Field meanings: ``compat.api.entry``."""

ENTRIES = ()
