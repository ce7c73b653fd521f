"""The table's ``tf.contrib`` names, served in the order of their use in 2018
(``contrib_usage_2018.json``; ``scripts/contrib_coverage.py`` reports the
share served), each with its TF 1.x meaning.

* ``tf.contrib.slim``, and the ``tf.contrib.layers`` / ``framework`` /
  ``training`` / ``metrics`` functions tf-slim took over: tf-slim 1.1.0 is
  the code contrib had (forked from TF 1.15's contrib), so the names map to
  the same functions, under ``tf_slim``; each entry's ``preload`` is the
  module that makes tf_slim work on TF 2.21 (``compat.tf1x.slim``).
* ``tf.contrib.metrics`` (streaming_*), ``tf.contrib.losses`` and
  ``tf.contrib.training`` (create_train_op, the eval hooks): tf-slim carries
  those modules of contrib too (``tf_slim.metrics``, ``tf_slim.losses``,
  ``tf_slim.training``, ``tf_slim.evaluation``).
* ``tf.contrib.rnn`` cells: since TF 1.2 contrib.rnn re-exported TF's own
  ``rnn_cell_impl`` cells, which live on as ``tf.compat.v1.nn.rnn_cell``
  (tf-keras, legacy-Keras mode).
* Functions contrib re-exported from TF itself (``framework.nest``,
  checkpoint readers, ``util.constant_value``, ``lookup``'s tables, the
  ``data`` transformations): their TF 2.x names, or ``compat.tf1x.lookup``
  where TF keeps them without exporting them.
* What nothing carries any more, re-implemented with its TF 1.x semantics
  (and variable names) in ``compat.tf1x``: the feature columns (as the core
  columns with the contrib columns' meaning), ``learn``'s Estimator API on
  tensorflow-estimator, its text preprocessing and CSV data sets,
  ``training.HParams``, ``crf``, ``seq2seq``, ``legacy_seq2seq``, contrib.rnn's
  own cells, ``opt``, ``image``, ``summary``, ``tfprof``, the
  ``tensorboard`` projector, ``keras.initializers`` as they drew.
* Everything else under ``tf.contrib`` stops the program with the
  ``tf.contrib`` entry's advice (``compat.api.names.tf0``), e.g. the
  feature columns of ``tf.contrib.layers``, whose classes differ from
  ``tf.feature_column``'s.

Field meanings: ``compat.api.entry``.
"""

import dataclasses

from compat.api.entry import Kind
from compat.api.entry import entry as _entry
from compat.api.names import tf0

# tf_slim works on TF 2.21 only once this module has run (before TensorFlow).
_SLIM_GLUE = "compat.tf1x.slim"

_SLIM_NOTE = "tf-slim 1.1.0 carries contrib's code for it"
_LEGACY_KERAS = (("TF_USE_LEGACY_KERAS", "1"),)
_RNN_NOTE = ("contrib.rnn re-exported TF's rnn_cell_impl; tf.compat.v1.nn.rnn_cell is that "
             "code, served by tf-keras with TF_USE_LEGACY_KERAS=1")
_RNN_UPGRADE_NOTE = ("tf.compat.v1.nn.rnn_cell is served from the tf-keras package only when "
                     "TF_USE_LEGACY_KERAS=1 is set before TensorFlow is imported")


def _slim(namespace, names, module="tf_slim"):
    """``tf.contrib.<namespace>.<name>`` -> ``<module>.<name>``, a module of
    tf_slim: the same function."""
    return tuple(_entry("tf.contrib.%s.%s" % (namespace, name), "%s.%s" % (module, name), "2.0",
                        Kind.RENAME, note=_SLIM_NOTE, preload=_SLIM_GLUE) for name in names)


def _rnn(names, target="tf.nn.rnn_cell"):
    return tuple(_entry("tf.contrib.rnn." + name, "%s.%s" % (target, name), "2.0", Kind.RENAME,
                        note=_RNN_NOTE, env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE)
                 for name in names)


# TF 1.x's contrib.lookup functions, which TF 2.x keeps but exports nowhere.
_LOOKUP_OPS = "compat.tf1x.lookup."


def _same_function(pairs):
    """``tf.contrib.<old>`` -> ``<new>``: the function contrib re-exported,
    still in TensorFlow."""
    return tuple(_entry("tf.contrib." + old, new, "2.0", Kind.RENAME,
                        note="tf.contrib re-exported this function of TensorFlow's own")
                 for old, new in pairs)


def _ours(namespace, module, names, note, **kwargs):
    """``tf.contrib.<namespace>.<name>`` -> ``<module>.<name>``, a module of
    this project that re-implements it with its TF 1.x semantics."""
    return tuple(_entry("tf.contrib.%s.%s" % (namespace, name), "%s.%s" % (module, name), "2.0",
                        Kind.RENAME, note=note, **kwargs) for name in names)


ENTRIES = (
    # 882 lines: `slim = tf.contrib.slim` and every slim.* member.
    _entry("tf.contrib.slim", "tf_slim", "2.0", Kind.MODULE, note=_SLIM_NOTE,
           preload=_SLIM_GLUE),
    # tf.contrib.layers, most used first (initializers, regularizers, layers, optimizers).
    *_slim("layers", (
        "xavier_initializer", "l2_regularizer", "fully_connected", "batch_norm",
        "variance_scaling_initializer", "conv2d", "flatten", "optimize_loss",
        "xavier_initializer_conv2d", "dropout", "layer_norm", "convolution2d", "softmax",
        "max_pool2d", "conv2d_transpose", "apply_regularization", "one_hot_encoding",
        "l1_regularizer", "linear", "sum_regularizer", "convolution2d_transpose",
        "conv3d_transpose", "avg_pool2d", "unit_norm", "bias_add", "conv3d",
        "l1_l2_regularizer", "legacy_fully_connected", "conv2d_in_plane",
        "convolution2d_in_plane", "repeat", "separable_convolution2d", "stack",
        "spatial_softmax", "instance_norm", "summarize_activation", "summarize_tensor",
        "summarize_tensors", "summarize_collection", "summarize_activations",
        "OPTIMIZER_CLS_NAMES", "separable_conv2d", "max_pool3d", "avg_pool3d", "conv1d",
        "group_norm", "elu", "relu", "relu6", "maxout")),
    # tf.contrib.framework: arg scopes, the global step, variable helpers.
    *_slim("framework", (
        "arg_scope", "get_or_create_global_step", "add_arg_scope", "get_global_step",
        "get_model_variables", "get_variables", "get_variables_by_name",
        "assign_from_checkpoint_fn", "add_model_variable", "local_variable",
        "get_unique_variable", "get_variables_to_restore", "filter_variables",
        "assign_from_values_fn", "model_variable", "create_global_step",
        "assign_from_values", "get_trainable_variables", "has_arg_scope",
        "arg_scoped_arguments", "assert_or_get_global_step", "assign_from_checkpoint",
        "get_local_variables", "get_variables_by_suffix", "variable",
        "VariableDeviceChooser", "current_arg_scope", "global_variable",
        "assert_global_step", "get_variable_full_name")),
    # tf.contrib.metrics: contrib's metric_ops (streaming_* with their
    # (predictions, labels) order), as tf_slim.metrics carries them.
    *_slim("metrics", (
        "streaming_accuracy", "streaming_mean", "streaming_mean_squared_error",
        "streaming_mean_iou", "aggregate_metric_map", "streaming_precision", "streaming_recall",
        "accuracy", "streaming_auc", "streaming_recall_at_k", "streaming_mean_absolute_error",
        "streaming_covariance", "streaming_sparse_recall_at_k",
        "streaming_recall_at_thresholds", "streaming_precision_at_thresholds",
        "streaming_mean_relative_error", "streaming_mean_tensor",
        "streaming_root_mean_squared_error", "streaming_pearson_correlation",
        "streaming_mean_cosine_distance", "streaming_percentage_less",
        "streaming_sensitivity_at_specificity", "streaming_sparse_average_precision_at_k",
        "streaming_sparse_precision_at_k", "streaming_sparse_precision_at_top_k",
        "streaming_specificity_at_sensitivity", "streaming_concat", "streaming_false_negatives",
        "streaming_false_negatives_at_thresholds", "streaming_false_positives",
        "streaming_false_positives_at_thresholds", "streaming_true_negatives",
        "streaming_true_negatives_at_thresholds", "streaming_true_positives",
        "streaming_true_positives_at_thresholds", "auc_using_histogram", "aggregate_metrics"),
        module="tf_slim.metrics"),
    # tf.contrib.training: training.py (create_train_op, the hook-based train)
    # and evaluation.py (the eval hooks and loops, which slim's evaluation
    # module re-exports); slim.learning's create_train_op/train are other
    # functions, with other arguments.
    *_slim("training", (
        "create_train_op", "train", "multiply_gradients", "clip_gradient_norms",
        "clip_gradient_norms_fn", "add_gradients_summaries"), module="tf_slim.training"),
    *_slim("training", (
        "SummaryAtEndHook", "StopAfterNEvalsHook", "evaluate_repeatedly",
        "get_or_create_eval_step", "checkpoints_iterator", "wait_for_new_checkpoint"),
        module="tf_slim.evaluation"),
    # tf.contrib.losses: the pre-tf.losses loss_ops, (predictions, labels)
    # and (logits, onehot_labels) orders kept.
    *_slim("losses", (
        "get_losses", "mean_squared_error", "mean_pairwise_squared_error",
        "get_regularization_losses", "get_total_loss", "log_loss", "add_loss",
        "softmax_cross_entropy", "absolute_difference", "hinge_loss", "compute_weighted_loss",
        "cosine_distance", "sigmoid_cross_entropy", "sparse_softmax_cross_entropy",
        "metric_learning"), module="tf_slim.losses"),
    *_slim("layers", ("summaries", "optimizers"), module="tf_slim.layers"),
    # tf.contrib.framework / util names that were TF's own functions
    # re-exported, still in TF under their core names.
    *_same_function((
        ("framework.list_variables", "tf.train.list_variables"),
        ("framework.load_checkpoint", "tf.train.load_checkpoint"),
        ("framework.load_variable", "tf.train.load_variable"),
        ("framework.init_from_checkpoint", "tf.train.init_from_checkpoint"),
        ("framework.is_tensor", "tf.is_tensor"),
        ("framework.sort", "tf.sort"),
        ("framework.nest.map_structure", "tf.nest.map_structure"),
        ("framework.nest.flatten", "tf.nest.flatten"),
        ("framework.nest.pack_sequence_as", "tf.nest.pack_sequence_as"),
        ("framework.nest.assert_same_structure", "tf.nest.assert_same_structure"),
        ("util.make_tensor_proto", "tf.make_tensor_proto"),
        ("util.make_ndarray", "tf.make_ndarray"),
        ("util.constant_value", "tf.get_static_value"),
        # contrib.lookup was lookup_ops: the v1 tables, whose initializers
        # tf.tables_initializer() runs.  HashTable's shared_name argument
        # is gone (a call passing it fails).
        ("lookup.HashTable", "tf.lookup.StaticHashTable"),
        ("lookup.KeyValueTensorInitializer", "tf.lookup.KeyValueTensorInitializer"),
        ("lookup.TextFileInitializer", "tf.lookup.TextFileInitializer"),
        ("lookup.TextFileIndex", "tf.lookup.TextFileIndex"),
        ("lookup.MutableHashTable", "tf.lookup.experimental.MutableHashTable"),
        ("lookup.MutableDenseHashTable", "tf.lookup.experimental.DenseHashTable"),
        ("lookup.index_table_from_file", _LOOKUP_OPS + "index_table_from_file"),
        ("lookup.index_table_from_tensor", _LOOKUP_OPS + "index_table_from_tensor"),
        ("lookup.index_to_string_table_from_file",
         _LOOKUP_OPS + "index_to_string_table_from_file"),
        ("lookup.index_to_string_table_from_tensor",
         _LOOKUP_OPS + "index_to_string_table_from_tensor"),
    )),
    # tf.contrib.data's dataset transformations (TF 1.4-1.15), which moved
    # to tf.data.experimental unchanged.  Its Dataset classes are not
    # served: TF 1.2-1.3's took map(num_threads=, output_buffer_size=).
    *_same_function(("data." + old, "tf.data.experimental." + new) for old, new in (
        ("group_by_window", "group_by_window"), ("parallel_interleave", "parallel_interleave"),
        ("enumerate", "enumerate_dataset"), ("enumerate_dataset", "enumerate_dataset"),
        ("ignore_errors", "ignore_errors"), ("dense_to_sparse_batch", "dense_to_sparse_batch"),
        ("unique", "unique"), ("unbatch", "unbatch"),
        ("bucket_by_sequence_length", "bucket_by_sequence_length"),
        ("rejection_resample", "rejection_resample"), ("shuffle_and_repeat", "shuffle_and_repeat"),
        ("map_and_batch", "map_and_batch"), ("prefetch_to_device", "prefetch_to_device"),
        ("sample_from_datasets", "sample_from_datasets"), ("scan", "scan"),
        ("get_single_element", "get_single_element"), ("make_csv_dataset", "make_csv_dataset"),
        ("Counter", "Counter"))),
    # tf.contrib.layers' feature columns, as the core columns that carry
    # their meaning (hash buckets, keys, embeddings' TF 1.x initializer,
    # integer ids taken modulo the bucket count).
    *_ours("layers", "compat.tf1x.feature_column", (
        "sparse_column_with_hash_bucket", "real_valued_column", "embedding_column",
        "sparse_column_with_keys", "bucketized_column", "crossed_column", "one_hot_column",
        "create_feature_spec_for_parsing", "sparse_column_with_integerized_feature",
        "weighted_sparse_column", "sparse_column_with_vocabulary_file",
        "input_from_feature_columns"),
        note="compat.tf1x.feature_column builds the tf.feature_column column with the "
             "contrib column's meaning"),
    # tf.contrib.learn is otherwise unsupported (compat.api.names.estimator),
    # but a model_fn's mode comparisons are the same strings.
    _entry("tf.contrib.learn.ModeKeys", "compat.tf1x.learn.ModeKeys", "2.0", Kind.RENAME,
           note="contrib.learn's ModeKeys (TRAIN='train', EVAL='eval', INFER='infer'), "
                "served as it was"),
    # ... and its Estimator API, on the reference tf.estimator (glue first).
    *(entry for module, names in (
        ("learn_estimator", ("Estimator", "ModelFnOps", "RunConfig")),
        ("learn_metrics", ("MetricSpec",)),
        ("learn_canned", ("DNNClassifier", "DNNRegressor", "LinearClassifier",
                          "LinearRegressor", "DNNLinearCombinedClassifier",
                          "DNNLinearCombinedRegressor", "infer_real_valued_columns_from_input")),
        ("learn_runner", ("PredictionKey", "Experiment", "SKCompat")))
      for entry in _ours("learn", "compat.tf1x." + module, names,
                         note="compat.tf1x.%s serves contrib.learn's Estimator API on "
                              "tensorflow-estimator, with contrib.learn's arguments, defaults "
                              "and numpy feeding" % module,
                         preload="compat.tf1x.estimator")),
    *_ours("learn.learn_runner", "compat.tf1x.learn_runner", ("run",),
           note="compat.tf1x.learn_runner runs an Experiment as contrib.learn did",
           preload="compat.tf1x.estimator"),
    *_ours("learn.python.learn.learn_runner", "compat.tf1x.learn_runner", ("run",),
           note="compat.tf1x.learn_runner runs an Experiment as contrib.learn did",
           preload="compat.tf1x.estimator"),
    # tf.contrib.training.HParams, re-implemented (no package carries it).
    *_ours("training", "compat.tf1x.hparams", ("HParams", "parse_values"),
           note="compat.tf1x.hparams re-implements contrib.training's HParams as TF 1.15 "
                "had it (HParamDef protos excepted)"),
    # tf.contrib.seq2seq and legacy_seq2seq (the decoders' cells and layers
    # are tf-keras's legacy ones, hence TF_USE_LEGACY_KERAS).
    *_ours("seq2seq", "compat.tf1x.seq2seq", ("sequence_loss", "tile_batch", "hardmax"),
           note="compat.tf1x.seq2seq re-implements it as TF 1.15's contrib.seq2seq computed it"),
    *(entry for module, names in (
        ("seq2seq_decoder", ("Decoder", "dynamic_decode", "BasicDecoder", "BasicDecoderOutput")),
        ("seq2seq_helper", ("Helper", "CustomHelper", "TrainingHelper",
                            "ScheduledEmbeddingTrainingHelper", "GreedyEmbeddingHelper",
                            "SampleEmbeddingHelper", "InferenceHelper")),
        ("seq2seq_attention", ("AttentionMechanism", "LuongAttention", "BahdanauAttention",
                               "AttentionWrapper", "AttentionWrapperState")),
        ("seq2seq_beam", ("BeamSearchDecoder", "BeamSearchDecoderState",
                          "BeamSearchDecoderOutput", "FinalBeamSearchDecoderOutput",
                          "gather_tree")))
      for entry in _ours("seq2seq", "compat.tf1x." + module, names,
                         note="compat.tf1x.%s re-implements it as TF 1.15's contrib.seq2seq "
                              "computed it, with its variable names" % module,
                         env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE)),
    *_ours("legacy_seq2seq", "compat.tf1x.legacy_seq2seq_models", (
        "basic_rnn_seq2seq", "tied_rnn_seq2seq", "embedding_rnn_decoder",
        "embedding_rnn_seq2seq", "attention_decoder", "embedding_attention_decoder",
        "embedding_attention_seq2seq", "model_with_buckets"),
        note="compat.tf1x.legacy_seq2seq_models re-implements it as TF 1.x's contrib."
             "legacy_seq2seq built it, with its variable names",
        env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE),
    *_ours("rnn", "compat.tf1x.rnn_wrappers", (
        "OutputProjectionWrapper", "InputProjectionWrapper", "EmbeddingWrapper"),
        note="compat.tf1x.rnn_wrappers re-implements contrib.rnn's wrapper with its "
             "variable names", env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE),
    *_ours("learn.preprocessing", "compat.tf1x.learn_text", (
        "VocabularyProcessor", "CategoricalVocabulary", "tokenizer"),
        note="compat.tf1x.learn_text re-implements contrib.learn's text preprocessing "
             "(and reads the vocabularies TF 1.x pickled)"),
    *_ours("learn.datasets.base", "compat.tf1x.learn_datasets", (
        "load_csv_with_header", "load_csv_without_header", "Dataset", "Datasets",
        "maybe_download"),
        note="compat.tf1x.learn_datasets reads CSV data sets as contrib.learn did"),
    *_ours("learn.python.learn.datasets.base", "compat.tf1x.learn_datasets",
           ("maybe_download",),
           note="compat.tf1x.learn_datasets downloads as contrib.learn did"),
    *_ours("legacy_seq2seq", "compat.tf1x.legacy_seq2seq",
           ("sequence_loss_by_example", "sequence_loss", "rnn_decoder"),
           note="compat.tf1x.legacy_seq2seq re-implements it as TF 1.x's contrib."
                "legacy_seq2seq computed it"),
    # tf.contrib.keras's initializers, drawing as TF 1.1-1.9 did.
    *_ours("keras.initializers", "compat.tf1x.keras_initializers", (
        "he_normal", "glorot_normal", "lecun_normal", "he_uniform", "glorot_uniform",
        "lecun_uniform"),
        note="compat.tf1x.keras_initializers draws as contrib.keras did: a normal of "
             "stddev sqrt(scale/n) truncated at 2 stddev (today's divides by 0.88)"),
    # tf.contrib.deprecated kept TF 0.x's summary ops through TF 1.x, with
    # their literal tags: the same entries as tf.scalar_summary & co.
    *(dataclasses.replace(e, old="tf.contrib.deprecated." + e.old[len("tf."):], version="2.0")
      for e in tf0.ENTRIES
      if e.old in ("tf.scalar_summary", "tf.histogram_summary", "tf.image_summary",
                   "tf.audio_summary", "tf.merge_summary", "tf.merge_all_summaries")),
    *_same_function((
        ("compiler.jit.experimental_jit_scope", "tf.xla.experimental.jit_scope"),
        ("compiler.experimental_jit_scope", "tf.xla.experimental.jit_scope"),
        # contrib.linalg (TF 1.1-1.4) moved to tf.linalg as it was; TriL
        # took the name LinearOperatorLowerTriangular there.
        ("linalg.LinearOperatorTriL", "tf.linalg.LinearOperatorLowerTriangular"),
        *(("linalg." + name, "tf.linalg." + name) for name in (
            "LinearOperator", "LinearOperatorDiag", "LinearOperatorIdentity",
            "LinearOperatorScaledIdentity", "LinearOperatorFullMatrix",
            "LinearOperatorComposition")))),
    # tf.contrib.signal moved to tf.signal (TF 1.13) with the same arguments.
    *_same_function(("signal." + name, "tf.signal." + name) for name in (
        "stft", "inverse_stft", "frame", "overlap_and_add", "inverse_stft_window_fn",
        "hann_window", "hamming_window", "linear_to_mel_weight_matrix",
        "mfccs_from_log_mel_spectrograms")),
    *_ours("image", "compat.tf1x.image", (
        "rotate", "transform", "compose_transforms", "angles_to_projective_transforms",
        "translations_to_projective_transforms", "translate", "flat_transforms_to_matrices",
        "matrices_to_flat_transforms"),
        note="compat.tf1x.image runs TF's projective-transform kernel as contrib.image did "
             "(zeros outside the image)"),
    *_ours("opt", "compat.tf1x.opt", (
        "MovingAverageOptimizer", "LazyAdamOptimizer", "NadamOptimizer", "AdamWOptimizer",
        "MomentumWOptimizer", "DecoupledWeightDecayExtension",
        "extend_with_decoupled_weight_decay"),
        note="compat.tf1x.opt re-implements contrib.opt's optimizer with its TF 1.x updates"),
    *_ours("layers", "compat.tf1x.layers", ("embed_sequence",),
           note="compat.tf1x.layers builds it as contrib.layers did (EmbedSequence/embeddings)"),
    *_ours("tensorboard.plugins.projector", "compat.tf1x.projector", (
        "ProjectorConfig", "EmbeddingInfo", "visualize_embeddings"),
        note="the tensorboard package's projector, taking the FileWriter as contrib did"),
    *_same_function((
        ("layers.safe_embedding_lookup_sparse", "tf.nn.safe_embedding_lookup_sparse"),
        ("framework.nest.is_sequence", "tf.nest.is_nested"),
        # From TF 1.3 contrib.distributions re-exported tf.distributions'
        # classes (TF 1.0-1.2's own took mu=/sigma=, not loc=/scale=).
        *(("distributions." + name, "tf.distributions." + name) for name in (
            "Normal", "Categorical", "kl_divergence", "Uniform", "Bernoulli", "Beta",
            "Dirichlet", "DirichletMultinomial", "Exponential", "Gamma", "Laplace",
            "Multinomial", "StudentT", "Distribution", "RegisterKL",
            "ReparameterizationType", "FULLY_REPARAMETERIZED", "NOT_REPARAMETERIZED")))),
    *_ours("tfprof.model_analyzer", "compat.tf1x.tfprof", (
        "print_model_analysis", "TRAINABLE_VARS_PARAMS_STAT_OPTIONS", "FLOAT_OPS_OPTIONS",
        "PRINT_ALL_TIMING_MEMORY", "PRINT_PARAMS_ON_DEVICE"),
        note="compat.tf1x.tfprof runs TF's profiler with contrib.tfprof's arguments and "
             "option sets"),
    *_same_function((
        ("tfprof.tfprof_logger.write_op_log", "tf.profiler.write_op_log"),
        ("metrics.confusion_matrix", "tf.confusion_matrix"),
        ("metrics.set_size", "tf.sets.set_size"),
        ("metrics.set_difference", "tf.sets.set_difference"),
        ("metrics.set_union", "tf.sets.set_union"),
        ("metrics.set_intersection", "tf.sets.set_intersection"))),
    # TF 1.0-1.1 spelt the core cells tf.contrib.rnn.core_rnn_cell.*.
    *(dataclasses.replace(e, old="tf.contrib.rnn.core_rnn_cell." + e.old.rpartition(".")[2])
      for e in _rnn(("LSTMCell", "MultiRNNCell", "GRUCell", "BasicLSTMCell", "BasicRNNCell",
                     "DropoutWrapper", "LSTMStateTuple", "RNNCell"))),
    # tf.contrib.summary: TF's summary_ops_v2, which TF 2.x keeps private.
    *_same_function(("summary." + name, "compat.tf1x.summary." + name) for name in (
        "scalar", "histogram", "create_file_writer", "always_record_summaries",
        "record_summaries_every_n_global_steps", "SummaryWriter", "summary_writer_initializer_op",
        "graph", "generic", "all_summary_ops", "initialize", "create_summary_file_writer",
        "never_record_summaries", "should_record_summaries", "image", "audio", "flush",
        "import_event", "eval_dir")),
    # tf.contrib.crf (TF 1.8-1.15), gone with contrib; tensorflow_addons'
    # successor no longer runs either.
    *_ours("crf", "compat.tf1x.crf", (
        "crf_log_likelihood", "viterbi_decode", "crf_decode", "crf_sequence_score",
        "crf_unary_score", "crf_log_norm", "crf_binary_score", "crf_multitag_sequence_score"),
        note="compat.tf1x.crf re-implements tf.contrib.crf as TF 1.15 computed it"),
    # tf.contrib.rnn: the core cells it re-exported, and the static RNNs.
    *_rnn(("BasicLSTMCell", "MultiRNNCell", "LSTMCell", "DropoutWrapper", "GRUCell",
           "LSTMStateTuple", "RNNCell", "BasicRNNCell", "DeviceWrapper", "ResidualWrapper")),
    *_rnn(("static_rnn", "static_bidirectional_rnn", "static_state_saving_rnn"),
          target="tf.nn"),
    # ... and contrib's own cells and stacking functions, which nothing carries.
    *_ours("rnn", "compat.tf1x.rnn", (
        "LayerNormBasicLSTMCell", "LSTMBlockCell", "stack_bidirectional_dynamic_rnn",
        "stack_bidirectional_rnn"),
        note="compat.tf1x.rnn re-implements it as TF 1.15's contrib.rnn computed it, with its "
             "variable names", env=_LEGACY_KERAS, upgrade_note=_RNN_UPGRADE_NOTE),
)
