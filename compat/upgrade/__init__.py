"""Source to source: rewrite a TF 0.x/1.x program, notebook or tree so that
it runs on TensorFlow 2.x through ``tf.compat.v1`` with no runtime shim.

Where the legacy runner (``compat.legacy_shim``) maps old names while the
program runs, this package writes the modern form into the source, once,
from the same table (``compat.api.table``) and with the same meaning as
``compat.legacy.adapters`` gives a call at run time:

* ``import tensorflow as tf`` becomes ``import tensorflow.compat.v1 as tf``
  followed by ``tf.disable_v2_behavior()``, so every name ``tf.compat.v1``
  still has keeps working unchanged;
* removed names are renamed, and calls whose arguments changed are bound to
  the old parameters and written out by keyword (``softmax_cross_entropy_
  with_logits(pred, y)`` -> ``(logits=pred, labels=y)``; old-order
  ``tf.concat``/``tf.split``; ``tf.reverse`` with a bool mask; the
  ``tf.*_summary`` ops);
* what cannot be decided from the source (an argument order that depends on
  a value, ``tf.contrib``, a vector of summary tags) is left as it is and
  *flagged*, as are graph-building calls inside a loop that also runs the
  session (the graph grows every step);
* Python 2 sources go through ``compat.py2.translator`` first.

libcst keeps comments and layout: only the touched expressions change.  An
upgraded file that used the MNIST tutorial package (or Python 2 integer
division) imports the project's ``compat`` package, so it needs the tf1-compat
package installed (``pip install`` puts ``compat`` on the path; importing
those modules pulls in neither libcst nor fissix).  TensorFlow is not imported here: this is
a source-to-source tool.  ``scripts/upgrade.py`` is its command line.

The modules, one job each: ``bindings`` (what the program's names stand
for), ``static`` (argument order and adapters decided from the source),
``rewriter`` (the libcst rewrite), ``loops`` (ops built in a training
loop), ``source`` and ``notebook`` (one text), ``files`` (files, trees,
atomic writes), ``report`` (diff, JSON report, summary lines) and
``findings`` (what they all return).
"""

from compat.upgrade.files import (upgrade_file, upgrade_text, upgrade_tree,  # noqa: F401
                                  write_atomic)
from compat.upgrade.findings import (Finding, RefusedError, UpgradeError,  # noqa: F401
                                     UpgradeResult)
from compat.upgrade.notebook import upgrade_notebook  # noqa: F401
from compat.upgrade.report import report, summary, unified_diff  # noqa: F401
from compat.upgrade.source import upgrade_source  # noqa: F401
from compat.upgrade.static import ORDER_TESTS, STATIC_ADAPTERS, StaticAdapter  # noqa: F401
