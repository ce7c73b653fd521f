"""``tf.contrib.summary`` (TF 1.5-1.15): the graph-mode face of the summary
API that became TF 2.x's ``tf.summary``, for the legacy-API table.

contrib/summary/summary.py only re-exported the functions of TF's own
``summary_ops_v2``, which TF 2.21 still has with the same signatures and
graph-mode behaviour (a writer made with ``create_file_writer`` and put in
place with ``as_default()``; ``scalar(name, tensor, family=None, step=None)``
recording under ``always_record_summaries()`` or ``record_summaries_every_
n_global_steps(n)``; ``summary_writer_initializer_op()``/``initialize()``
and ``all_summary_ops()`` run in the program's Session).  That module is
private (not reachable as an attribute of ``tensorflow``), so the table
serves the names from here.  ``all_summary_ops`` is the one rename: TF 1.14
called it ``all_v2_summary_ops``.
"""

from compat.util.quiet_import import import_tensorflow

import_tensorflow()

from tensorflow.python.ops.summary_ops_v2 import (  # noqa: E402
    SummaryWriter, all_v2_summary_ops, always_record_summaries, audio,
    create_file_writer, create_summary_file_writer, eval_dir, flush, generic, graph,
    histogram, image, import_event, initialize, never_record_summaries,
    record_summaries_every_n_global_steps, scalar, should_record_summaries,
    summary_writer_initializer_op)

all_summary_ops = all_v2_summary_ops

__all__ = [
    "SummaryWriter", "all_summary_ops", "always_record_summaries", "audio",
    "create_file_writer", "create_summary_file_writer", "eval_dir", "flush", "generic",
    "graph", "histogram", "image", "import_event", "initialize", "never_record_summaries",
    "record_summaries_every_n_global_steps", "scalar", "should_record_summaries",
    "summary_writer_initializer_op"]
