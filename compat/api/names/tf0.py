"""The table's TF 0.x names: the renames and argument-order changes of TF
0.12 and 1.0 (RELEASE.md, and TF 1.0's own tf_upgrade.py), the 0.x summary
ops, name scopes and images, the flags and entry point, 0.x distributed
training, the removed MNIST tutorial package, and the namespaces with no
safe mapping; the math, linear-algebra and FFT names are in ``tf0_ops``.
Field meanings: ``compat.api.entry``."""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

_SUMMARY_TAGS = ("tf.summary ops put the enclosing name scopes in front of the tag (and "
                 "replace characters illegal in op names); the old op used it literally")

# The old meanings, as the runner's decision line says them (compat.api.era).
_TRUNC_DIV = "integer tf.div, // and Python 2 / truncate toward zero"
_FMOD = "tf.mod and % are C's fmod (the sign of the dividend)"

ENTRIES = (
    # Renames of TF 1.0 (RELEASE.md 1.0: "tf.pack -> tf.stack", ...).
    _entry("tf.pack", "tf.stack", "1.0", Kind.RENAME),
    _entry("tf.unpack", "tf.unstack", "1.0", Kind.RENAME),
    _entry("tf.mul", "tf.multiply", "1.0", Kind.RENAME),
    _entry("tf.sub", "tf.subtract", "1.0", Kind.RENAME),
    _entry("tf.neg", "tf.negative", "1.0", Kind.RENAME),
    # Same names, new meanings (RELEASE.md 1.0.0: "Division and modulus
    # operators (/, //, %) now match Python (flooring) semantics. This applies
    # to tf.div and tf.mod as well"; "tf.round now uses banker's rounding").
    # Before 1.0 the Div and Mod kernels were C's: integer quotients truncated
    # toward zero and Mod was fmod, for floats too (r0.12 math_ops.floordiv:
    # "floordiv uses C semantics for negative numbers").  Served with the old
    # meaning to programs of TF 0.x (compat.api.era).
    _entry("tf.div", "tf.div", "2.0", Kind.KEPT,
           note="floors integer quotients since TF 1.0 (Python semantics); TF 0.x truncated "
                "them toward zero and divided floats exactly (tf.raw_ops.Div, its kernel); "
                "still tf.compat.v1.div",
           era_adapter="truncate_div", era_since="1.0",
           era_note=_TRUNC_DIV),
    _entry("tf.mod", "tf.mod", "2.0", Kind.KEPT,
           note="floor modulus since TF 1.0; TF 0.x's was C's fmod (tf.truncatemod), "
                "for floats too",
           era_adapter="truncate_mod", era_since="1.0",
           era_note=_FMOD),
    _entry("tf.round", "tf.round", "2.0", Kind.KEPT,
           note="rounds half to even since TF 1.0; TF 0.x rounded half away from zero",
           era_adapter="round_half_away", era_since="1.0",
           era_note="tf.round rounds half away from zero"),
    # The operators: Tensor's and Variable's // and % called floordiv and mod
    # (a Python 2 `/` on integers, __div__, called div); the runner's Python 2
    # translation turns `/` into old_div, which uses //.
    *(_entry("tf.%s.__%s__" % (owner, op), "tf.%s.__%s__" % (owner, op), "2.0", Kind.KEPT,
             note=note, era_adapter=key, era_since="1.0", era_note=era_note)
      for owner in ("Tensor", "Variable")
      for op, key, note, era_note in (
          ("floordiv", "truncating_floordiv",
           "x // y floors integer tensors since TF 1.0; TF 0.x truncated them toward zero "
           "(as did a Python 2 x / y)", _TRUNC_DIV),
          ("mod", "truncating_mod",
           "x % y is a floor modulus since TF 1.0; TF 0.x's was C's fmod", _FMOD))),
    _entry("tf.select", "tf.where", "1.0", Kind.RENAME,
           note="tf.compat.v1.where keeps select's same-shape semantics"),
    _entry("tf.batch_matmul", "tf.matmul", "1.0", Kind.ARGS,
           params=("x", "y", "adj_x", "adj_y", "name"),
           renames={"x": "a", "y": "b", "adj_x": "adjoint_a", "adj_y": "adjoint_b"},
           new_params=("a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b"),
           positional_kept=2,
           note="tf.matmul multiplies batches of matrices; adj_x=/adj_y= became "
                "adjoint_a=/adjoint_b= (tf_upgrade.py 1.0), not transpose_a=/transpose_b="),
    _entry("tf.arg_max", "tf.argmax", "1.0", Kind.ARGS,
           params=("input", "dimension", "name"), renames={"dimension": "axis"},
           new_params=("input", "axis", "name"), positional_kept=1,
           survived_1_0=True),
    _entry("tf.arg_min", "tf.argmin", "1.0", Kind.ARGS,
           params=("input", "dimension", "name"), renames={"dimension": "axis"},
           new_params=("input", "axis", "name"), positional_kept=1,
           survived_1_0=True),
    _entry("tf.concat", "tf.concat", "1.0", Kind.ARGS,
           params=("concat_dim", "values", "name"), renames={"concat_dim": "axis"},
           old_order_if="first_arg_is_axis", new_params=("values", "axis", "name"),
           note="argument order changed from (concat_dim, values) to (values, axis)"),
    _entry("tf.split", "tf.split", "1.0", Kind.ARGS,
           params=("split_dim", "num_split", "value", "name"),
           renames={"split_dim": "axis", "num_split": "num_or_size_splits"},
           old_order_if="first_arg_is_axis",
           new_params=("value", "num_or_size_splits", "axis", "num", "name"),
           note="argument order changed from (split_dim, num_split, value) to "
                "(value, num_or_size_splits, axis)"),
    _entry("tf.reverse", "tf.reverse", "1.0", Kind.ADAPTER, params=("tensor", "dims", "name"),
           adapter="reverse_with_mask", old_order_if="second_arg_is_bool_mask",
           renames={"dims": "axis"}, new_params=("tensor", "axis", "name"), positional_kept=1,
           note="a bool mask per dimension became a list of axes"),
    _entry("tf.sparse_split", "tf.sparse.split", "1.0", Kind.ARGS,
           params=("split_dim", "num_split", "sp_input", "name"),
           renames={"split_dim": "axis"}, old_order_if="positional",
           new_params=("keyword_required", "sp_input", "num_split", "axis", "name"),
           note="(split_dim, num_split, sp_input) became keyword-only sp_input=, "
                "num_split=, axis= (RELEASE.md 1.0)"),
    # RELEASE.md 1.0: nce_loss and sampled_softmax_loss switched "inputs, labels"
    # to "labels, inputs"; both still take these parameters, in the new order.
    *(_entry("tf.nn." + name, "tf.nn." + name, "1.0", Kind.ARGS,
             params=("weights", "biases", "inputs", "labels", "num_sampled", "num_classes",
                     "num_true", "sampled_values", "remove_accidental_hits",
                     "partition_strategy", "name"),
             old_order_if="third_arg_not_integer",
             new_params=("weights", "biases", "labels", "inputs", "num_sampled",
                         "num_classes", "num_true", "sampled_values",
                         "remove_accidental_hits", "partition_strategy", "name"),
             positional_kept=2,
             note="argument order changed from (weights, biases, inputs, labels) to "
                  "(weights, biases, labels, inputs); the runner tells a 0.x call by its "
                  "float third argument (labels are integer class ids)")
      for name in ("nce_loss", "sampled_softmax_loss")),
    # Name scopes (RELEASE.md 0.11: op_scope deprecated for a unified name_scope;
    # tf_upgrade.py 1.0 reorders op_scope's (values, name, default_name)).
    _entry("tf.op_scope", "tf.name_scope", "0.11", Kind.ARGS,
           params=("values", "name", "default_name"),
           new_params=("name", "default_name", "values"),
           note="the same scope, its arguments in the order (name, default_name, values)"),
    _entry("tf.image.per_image_whitening", "tf.image.per_image_standardization", "0.12",
           Kind.RENAME, note="renamed; the same (x - mean) / max(stddev, 1/sqrt(N))"),
    # RELEASE.md 1.0: decode_jpeg "by default uses the faster DCT method ... One
    # can revert to the old behavior by specifying the attribute
    # dct_method='INTEGER_ACCURATE'"; 0.x's op had no dct_method, and its
    # name came seventh, where dct_method is now.
    # A 1.x program gets 1.x's fast default: the program's era decides.
    _entry("tf.image.decode_jpeg", "tf.image.decode_jpeg", "1.0", Kind.KEPT,
           era_adapter="exact_dct", era_since="1.0",
           era_note="tf.image.decode_jpeg uses the exact integer DCT",
           note="0.x decoded with the exact integer DCT; 1.0's default is the faster, "
                "less exact one: dct_method='INTEGER_ACCURATE' keeps the 0.x pixels"),
    # Summaries (0.12 moved them under tf.summary; the old ops used their tag
    # literally, without name scopes, and accepted tag vectors).
    _entry("tf.scalar_summary", "tf.summary.scalar", "0.12", Kind.ADAPTER,
           params=("tags", "values", "collections", "name"), adapter="scalar_summary",
           renames={"tags": "name", "values": "tensor"},
           new_params=("name", "tensor", "collections", "family"), positional_kept=2,
           note="the old op used its tag literally (no name scope)",
           upgrade_note=_SUMMARY_TAGS),
    _entry("tf.image_summary", "tf.summary.image", "0.12", Kind.ADAPTER,
           params=("tag", "tensor", "max_images", "collections", "name"),
           adapter="image_summary", renames={"tag": "name", "max_images": "max_outputs"},
           new_params=("name", "tensor", "max_outputs", "collections", "family"),
           positional_kept=3, note="max_images= became max_outputs=",
           upgrade_note="max_images= became max_outputs=; " + _SUMMARY_TAGS),
    _entry("tf.histogram_summary", "tf.summary.histogram", "0.12", Kind.ADAPTER,
           params=("tag", "values", "collections", "name"), adapter="histogram_summary",
           renames={"tag": "name", "values": "values"},
           new_params=("name", "values", "collections", "family"), positional_kept=2,
           upgrade_note=_SUMMARY_TAGS),
    _entry("tf.audio_summary", "tf.summary.audio", "0.12", Kind.ADAPTER,
           params=("tag", "tensor", "sample_rate", "max_outputs", "collections", "name"),
           adapter="audio_summary", renames={"tag": "name"},
           new_params=("name", "tensor", "sample_rate", "max_outputs", "collections", "family"),
           positional_kept=4, upgrade_note=_SUMMARY_TAGS),
    _entry("tf.merge_summary", "tf.summary.merge", "0.12", Kind.RENAME),
    _entry("tf.merge_all_summaries", "tf.summary.merge_all", "0.12", Kind.RENAME),
    _entry("tf.train.SummaryWriter", "tf.summary.FileWriter", "0.12", Kind.RENAME),
    # Variables.  TF 1.x kept these as deprecated aliases (tf.compat.v1, TF
    # 1.15's API, still has them): they do not tell the program's era.
    _entry("tf.initialize_all_variables", "tf.global_variables_initializer", "0.12", Kind.RENAME,
           survived_1_0=True),
    _entry("tf.initialize_variables", "tf.variables_initializer", "0.12", Kind.RENAME,
           survived_1_0=True),
    _entry("tf.initialize_local_variables", "tf.local_variables_initializer", "0.12", Kind.RENAME,
           survived_1_0=True),
    _entry("tf.all_variables", "tf.global_variables", "0.12", Kind.RENAME,
           survived_1_0=True),
    # RELEASE.md 0.12 and tf_upgrade.py (1.0) write tf.VARIABLES ->
    # tf.GLOBAL_VARIABLES; the collection key lives on tf.GraphKeys.
    _entry("tf.VARIABLES", "tf.GraphKeys.GLOBAL_VARIABLES", "0.12", Kind.RENAME,
           note="the collection of all variables, renamed GLOBAL_VARIABLES (the same "
                "key, 'variables')"),
    # Losses called positionally in the pre-1.0 (logits, labels) order.
    _entry("tf.nn.softmax_cross_entropy_with_logits",
           "tf.nn.softmax_cross_entropy_with_logits", "1.0", Kind.ARGS,
           params=("logits", "labels", "dim", "name"), old_order_if="positional",
           new_params=("labels", "logits", "dim", "name", "axis"),
           note="positional (logits, labels) became keyword-only labels=, logits=; "
                "tf.compat.v1's version keeps labels out of backprop, as the old op did"),
    _entry("tf.nn.sparse_softmax_cross_entropy_with_logits",
           "tf.nn.sparse_softmax_cross_entropy_with_logits", "1.0", Kind.ARGS,
           params=("logits", "labels", "name"), old_order_if="positional",
           new_params=("labels", "logits", "name"),
           note="positional (logits, labels) became keyword-only labels=, logits="),
    _entry("tf.nn.sigmoid_cross_entropy_with_logits",
           "tf.nn.sigmoid_cross_entropy_with_logits", "1.0", Kind.ARGS,
           params=("logits", "targets", "name"), renames={"targets": "labels"},
           old_order_if="positional_or_targets", new_params=("labels", "logits", "name"),
           note="positional (logits, targets) became keyword-only labels=, logits="),
    _entry("tf.nn.dropout", "tf.nn.dropout", "2.0", Kind.ARGS,
           params=("x", "keep_prob", "noise_shape", "seed", "name"), old_order_if="positional",
           new_params=("x", "keep_prob", "noise_shape", "seed", "name", "rate"),
           # keep_prob= spelled out: TF 2.x's tf.nn.dropout reads a second
           # positional argument as rate.
           positional_kept=1,
           note="tf.compat.v1.nn.dropout still takes keep_prob; TF 2.x's second "
                "argument is rate = 1 - keep_prob"),
    # Recurrent networks.
    # RELEASE.md 0.11.0: "LSTMCell, BasicLSTMCell, and MultiRNNCell
    # constructors now default to state_is_tuple=True"; before, one flat state
    # tensor (c and h concatenated).
    *(_entry("tf.nn.rnn_cell." + cell, "tf.nn.rnn_cell." + cell, "2.0", Kind.KEPT,
             note="state_is_tuple defaults to True since TF 0.11 (False before: one flat "
                  "state tensor)",
             era_adapter="flat_lstm_state", era_since="0.11",
             era_note="LSTM cells keep one flat state tensor")
      for cell in ("BasicLSTMCell", "LSTMCell", "MultiRNNCell")),
    _entry("tf.nn.rnn", "tf.nn.static_rnn", "1.0", Kind.RENAME),
    _entry("tf.nn.bidirectional_rnn", "tf.nn.static_bidirectional_rnn", "1.0", Kind.RENAME),
    _entry("tf.nn.rnn_cell", "tf.nn.rnn_cell", "2.0", Kind.MODULE,
           note="the cells live on in tf_keras; tf.compat.v1.nn.rnn_cell needs "
                "TF_USE_LEGACY_KERAS=1 and the tf-keras package",
           env=(("TF_USE_LEGACY_KERAS", "1"),),
           upgrade_note="tf.compat.v1.nn.rnn_cell is served from the tf-keras package only "
                        "when TF_USE_LEGACY_KERAS=1 is set before TensorFlow is imported"),
    _entry("tensorflow.python.ops.rnn.rnn", "tf.nn.static_rnn", "1.0", Kind.RENAME),
    _entry("tensorflow.python.ops.rnn.bidirectional_rnn", "tf.nn.static_bidirectional_rnn",
           "1.0", Kind.RENAME),
    # The program's flags and entry point.
    _entry("tf.app.flags", "tf.app.flags", "2.0", Kind.ADAPTER, adapter="legacy_flags",
           note="absl flags; the runner parses known flags lazily on first use, "
                "as TF 0.x's argparse-based flags did",
           upgrade_note="tf.compat.v1.app.flags is absl.flags: reading a flag before "
                        "tf.app.run() has parsed the command line raises "
                        "UnparsedFlagAccessError (TF 0.x parsed on first use)"),
    _entry("tf.app.run", "tf.app.run", "2.0", Kind.ADAPTER, adapter="legacy_app_run",
           note="unknown arguments are passed to main instead of rejected, as in TF 0.x",
           upgrade_note="tf.compat.v1.app.run is absl's: an unknown --flag on the command "
                        "line is an error (TF 0.x passed it on to main)"),
    # Distributed training.  tf.train.Server, ClusterSpec, replica_device_setter
    # and Supervisor are still in tf.compat.v1 with their 0.x meaning; only the
    # synchronous optimizer changed (RELEASE.md 1.0: "SyncReplicasOptimizer is
    # removed and SyncReplicasOptimizerV2 renamed to SyncReplicasOptimizer").
    # The 0.x one took replica_id and summed the replicas' gradients; V2 has
    # no replica_id and averages them.
    _entry("tf.train.SyncReplicasOptimizer", "tf.train.SyncReplicasOptimizer", "1.0",
           Kind.ADAPTER, adapter="sync_replicas_v1", old_order_if="has_replica_id",
           params=("opt", "replicas_to_aggregate", "variable_averages",
                   "variables_to_average", "replica_id", "total_num_replicas", "use_locking",
                   "name"),
           new_params=("opt", "replicas_to_aggregate", "total_num_replicas",
                       "variable_averages", "variables_to_average", "use_locking", "name"),
           positional_kept=2,
           note="0.x's optimizer (the one taking replica_id) summed the replicas' gradients, "
                "1.0's averages them: the runner applies their sum; replica_id is dropped "
                "(each worker keeps its own local step now)",
           upgrade_note="replica_id dropped: each worker keeps its own local step now",
           upgrade_flag="the modern optimizer averages the replicas' gradients where 0.x's "
                        "summed them: multiply the wrapped optimizer's learning rate by "
                        "replicas_to_aggregate to keep the old step size"),
    _entry("tf.train.SyncReplicasOptimizerV2", "tf.train.SyncReplicasOptimizer", "1.0",
           Kind.RENAME, note="the same optimizer (gradients averaged), under its 1.0 name"),
    # The MNIST tutorial package TF no longer ships.
    _entry("tensorflow.examples.tutorials.mnist.input_data", "compat.input_data", "2.0",
           Kind.MODULE, note="the project's drop-in loader",
           pin_kwargs=(("read_data_sets", "batching", "tf0"),),
           upgrade_note="batching='tf0': next_batch as TF 0.x served it (what 2016 programs "
                        "saw, and the runner's default); compat.input_data alone defaults "
                        "to TF 1.2+'s 'tf1'",
           local_copy="input_data",
           local_copy_note="input_data.py beside the program is a copy of TF's tutorial "
                           "module, whose IDX parsing fails on today's numpy; the project's "
                           "loader does the same job",
           # Under numpy >= 1.x the copy's IDX parsing fails
           # (bytestream.read(<1-element array>)).
           local_copy_markers=("def read_data_sets", "def extract_images", "def _read32",
                               "class DataSet")),
    _entry("tensorflow.examples.tutorials.mnist.mnist", "compat.tutorial_mnist", "2.0",
           Kind.MODULE, note="the tutorial's model functions, rebuilt"),
    # No safe mapping.
    _entry("tf.contrib", None, "2.0", Kind.UNSUPPORTED,
           note="tf.contrib was removed in TF 2.0 and its pieces went to different "
                "places (tf.compat.v1, tf_slim, tensorflow_addons) or nowhere; replace "
                "the call by hand"),
    _entry("tf.user_ops", None, "2.0", Kind.UNSUPPORTED,
           note="custom ops must be rebuilt for TF 2.x and loaded with tf.load_op_library"),
)
