"""``tf.contrib.tfprof`` (TF 1.1-1.x): the model analyzer's
``print_model_analysis`` and its option dictionaries, for the legacy-API
table.

The analyzer itself lives on as TF's ``tf.compat.v1.profiler.profile``,
which reads the same option dictionaries (missing keys take the same
defaults, ``dump_to_file`` included); ``print_model_analysis(graph,
run_meta, op_log, tfprof_cmd, tfprof_options)`` is that call with the old
argument names.  The three option sets are contrib's, key for key.
"""

import copy

from compat.util.quiet_import import import_tensorflow

import_tensorflow()

from tensorflow.python.profiler import model_analyzer as _analyzer  # noqa: E402
from tensorflow.python.profiler import tfprof_logger  # noqa: E402,F401


def _options(**changes):
    options = {
        "max_depth": 10000, "min_bytes": 0, "min_micros": 0, "min_params": 0,
        "min_float_ops": 0, "order_by": "name", "account_type_regexes": [".*"],
        "start_name_regexes": [".*"], "trim_name_regexes": [], "show_name_regexes": [".*"],
        "hide_name_regexes": [], "account_displayed_op_only": True, "select": ["params"],
        "output": "stdout", "dump_to_file": ""}
    options.update(changes)
    return options


# Parameters of the trainable variables, by scope.
TRAINABLE_VARS_PARAMS_STAT_OPTIONS = _options(
    account_type_regexes=[tfprof_logger.TRAINABLE_VARIABLES])
# Floating-point operations (of ops with a registered flop count).
FLOAT_OPS_OPTIONS = _options(min_float_ops=1, order_by="float_ops", select=["float_ops"])
# Time and memory of each op (needs run_meta).
PRINT_ALL_TIMING_MEMORY = _options(min_bytes=1, min_micros=1, select=["micros", "bytes"])
# Parameters placed on parameter server 0.
PRINT_PARAMS_ON_DEVICE = _options(max_depth=1, account_type_regexes=[".*ps.*task:0.*"],
                                  account_displayed_op_only=False,
                                  select=["device", "params"])


def print_model_analysis(graph, run_meta=None, op_log=None, tfprof_cmd="scope",
                         tfprof_options=TRAINABLE_VARS_PARAMS_STAT_OPTIONS):
    """Print the analysis ``tfprof_cmd`` of ``graph`` and return it (a
    GraphNodeProto for 'scope'/'graph', MultiGraphNodeProto for 'op'/'code')."""
    return _analyzer.profile(graph, run_meta=run_meta, op_log=op_log, cmd=tfprof_cmd,
                             options=copy.deepcopy(tfprof_options))
