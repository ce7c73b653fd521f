"""``tf.contrib.lookup``'s vocabulary-table functions, which were TF's own
``lookup_ops`` functions re-exported (TF 1.x ``contrib/lookup/__init__.py``).

TF 2.x still has them, with the same arguments and the same v1 tables
(initialised by ``tf.compat.v1.tables_initializer()``), but exports them
nowhere: ``tensorflow.python.ops.lookup_ops`` is a private module, which a
program cannot reach as an attribute of ``tensorflow``.  The legacy-API
table (``compat.api.names.contrib``) serves them from here.
"""

from compat.util.quiet_import import import_tensorflow

import_tensorflow()

from tensorflow.python.ops.lookup_ops import (  # noqa: E402
    index_table_from_file, index_table_from_tensor, index_to_string_table_from_file,
    index_to_string_table_from_tensor)

__all__ = ["index_table_from_file", "index_table_from_tensor",
           "index_to_string_table_from_file", "index_to_string_table_from_tensor"]
