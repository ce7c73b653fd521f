"""Run an old program unmodified: the shim that serves legacy names from the
table (``shim``), the runtime adapters (``adapters``), TF 0.x's lenient
``tf.app.flags`` (``flags``), the graph-growth watchdog, the Python 2 import
hook and the IPython extension."""
