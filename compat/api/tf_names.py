"""Facts about today's TensorFlow names that the engines need and that are
not legacy names (those are in ``compat.api.table``): how a program gets
TF 1.x behaviour on TF 2.x, and which calls build no graph ops.

The source upgrader reads these to write the set-up lines and to flag ops
built inside a training loop; nothing here is about what an old name meant.
"""

TF_MODULE = "tensorflow"
COMPAT_V1_MODULE = "tensorflow.compat.v1"
# tf.compat.v1's switch to graph mode, tf.Session and the other TF1 behaviours.
DISABLE_V2 = "disable_v2_behavior"

# Calls on the tensorflow module that create no graph ops, so running them
# on every step of a training loop does not grow the graph.
NON_OP_CALLS = frozenset((
    "tf.Session", "tf.InteractiveSession", "tf.ConfigProto", "tf.GPUOptions",
    "tf.RunOptions", "tf.RunMetadata", "tf.get_default_graph", "tf.get_default_session",
    "tf.set_random_seed", "tf.get_collection", "tf.trainable_variables",
    "tf.global_variables", "tf.all_variables", "tf.local_variables",
    "tf.train.SummaryWriter", "tf.summary.FileWriter", "tf.train.Coordinator",
    "tf.train.start_queue_runners", "tf.train.latest_checkpoint",
    "tf.train.get_checkpoint_state", "tf.train.global_step",
))
NON_OP_PREFIXES = ("tf.logging.", "tf.gfile.", "tf.io.gfile.", "tf.app.", "tf.flags.",
                   "tf.test.")
# A loop that makes a fresh graph each pass is the cure, not the disease.
GRAPH_RESETS = frozenset(("tf.reset_default_graph", "tf.Graph"))
# Method names that execute a graph: a loop calling one is a training loop.
RUN_METHODS = frozenset(("run", "eval"))
# Where graph-building functions live: the program's tensorflow alias and
# TF's op modules (not, say, protobuf classes from tensorflow.core).
OP_NAMESPACES = ("tf.", TF_MODULE + ".python.ops.")
# Calls whose ops hold or change state (variables, assignments, random
# draws, queues, a Saver's save and restore) or take a feed (placeholders):
# run unmodified, the legacy runner still builds these anew on every pass of
# a training loop, as TF did; the other ops a loop builds it hands back
# (compat.legacy.loop_ops).  Said in the upgrader's flag.
STATEFUL_CALLS = frozenset((
    "tf.Variable", "tf.get_variable", "tf.assign", "tf.assign_add", "tf.assign_sub",
    "tf.count_up_to", "tf.nn.dropout", "tf.multinomial", "tf.random_shuffle",
    "tf.random_crop", "tf.truncated_normal", "tf.FIFOQueue", "tf.RandomShuffleQueue",
    "tf.train.Saver", "tf.placeholder",
))
STATEFUL_PREFIXES = ("tf.random_", "tf.random.", "tf.scatter_", "tf.compat.v1.assign",
                     "tf.compat.v1.scatter_", "tf.compat.v1.random")
# The module upgraded files of TF 0.x programs call where the source cannot
# decide an old meaning (an operator's operands, a positional call's order)
# and the line must decide when it runs (compat.tf1x.tf0_ops).
TF0_RUNTIME = "compat.tf1x.tf0_ops"
