"""``tf.contrib.layers`` feature columns (TF 1.4-1.15) as core columns.

TF 2.x dropped ``tf.contrib``; its feature-column functions
(``contrib/layers/python/layers/feature_column.py`` and
``feature_column_ops.py``) live on only as ``tf.compat.v1.feature_column``
under other names and argument orders.  Each function here keeps the old
name, argument order and defaults and returns the equivalent core column,
so a TF 1.x program can hand the result to the ``tf.compat.v1.estimator``
canned estimators (see :mod:`compat.tf1x.estimator`) and to
``tf.compat.v1.feature_column.input_layer``:

=========================================  ====================================
contrib function                           core column returned
=========================================  ====================================
sparse_column_with_hash_bucket             categorical_column_with_hash_bucket
sparse_column_with_keys                    categorical_column_with_vocabulary_list
sparse_column_with_vocabulary_file         categorical_column_with_vocabulary_file
sparse_column_with_integerized_feature     categorical_column_with_identity (+ modulo)
weighted_sparse_column                     weighted_categorical_column
real_valued_column                         numeric_column
bucketized_column                          bucketized_column
crossed_column                             crossed_column
one_hot_column                             indicator_column
embedding_column                           embedding_column
create_feature_spec_for_parsing            make_parse_example_spec
input_from_feature_columns                 input_layer
=========================================  ====================================

Where a core column cannot carry an argument's TF 1.x meaning the call
stops with :class:`compat.util.errors.LegacyError` (one line) rather than
build a model that silently computes something else:
``real_valued_column(dimension=None)``, ``hash_keys`` and the checkpoint
arguments of ``crossed_column``.

Combiners.  A contrib sparse column carried a ``combiner`` ("sum", "mean",
"sqrtn") that linear models used to reduce a multivalent feature; core
categorical columns have none, and ``linear_model`` / ``LinearClassifier``
take one ``sparse_combiner`` for all columns.  Every column made here that
a linear model would reduce with a combiner is therefore recorded (module
dict, keyed by the core column, which is a hashable namedtuple) with its
combiner, and :func:`sparse_combiner_of` gives the one combiner a list of
columns agrees on, or stops with LegacyError when they disagree.  A
contrib.learn ``Linear*`` wrapper calls it to set the estimator's
``sparse_combiner``; code that builds a core estimator itself should too.

Known differences kept (documented per function): crossed columns hash
with FingerprintCat64 where TF 1.x without a ``hash_key`` used an older
hash, so bucket ids differ; out-of-range integerized ids fail at run time
instead of wrapping modulo ``bucket_size``; ``input_from_feature_columns``
names its variables and orders its output columns the core way, so TF 1.x
checkpoints do not restore into it.
"""

import math

from compat.util.errors import LegacyError
from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1
fc = v1.feature_column

__all__ = [
    "sparse_column_with_hash_bucket", "real_valued_column", "embedding_column",
    "sparse_column_with_keys", "bucketized_column", "crossed_column",
    "one_hot_column", "create_feature_spec_for_parsing",
    "sparse_column_with_integerized_feature", "weighted_sparse_column",
    "sparse_column_with_vocabulary_file", "input_from_feature_columns",
    "sparse_combiner_of", "SPARSE_FEATURE_CROSS_DEFAULT_HASH_KEY",
]

# The FingerprintCat64 key TF 1.x exported as
# tf.contrib.layers.SPARSE_FEATURE_CROSS_DEFAULT_HASH_KEY; core crosses use
# it when given no hash_key.
SPARSE_FEATURE_CROSS_DEFAULT_HASH_KEY = 0xDECAFCAFFE

_COMBINERS = ("sum", "mean", "sqrtn")

# core column -> set of contrib combiners it was created with.  A set,
# because equal columns made with different combiners are one dict key;
# sparse_combiner_of refuses such a column instead of picking one.
_combiners = {}

# The core classes that stand for contrib's plain _SparseColumn; a cross
# used these by their raw feature values (see crossed_column).
_BASE_SPARSE_TYPES = tuple({type(column) for column in (
    fc.categorical_column_with_hash_bucket("k", 2),
    fc.categorical_column_with_vocabulary_list("k", ["a"]),
    fc.categorical_column_with_identity("k", 2),
)})
_VOCABULARY_FILE_TYPE_NAME = "VocabularyFileCategoricalColumn"
_BUCKETIZED_TYPE = type(fc.bucketized_column(fc.numeric_column("k"), [0.0]))
_CROSSED_TYPE = type(fc.crossed_column(["a", "b"], 2))


def _record(column, combiner, call):
    if combiner not in _COMBINERS:
        raise ValueError("%s: combiner must be one of %s, got %r"
                         % (call, ", ".join(_COMBINERS), combiner))
    _combiners.setdefault(column, set()).add(combiner)
    return column


def sparse_combiner_of(columns):
    """The one ``sparse_combiner`` a linear model over ``columns`` needs to
    reduce multivalent features as their contrib columns said: the combiner
    every recorded column shares, "sum" (contrib's and core's default) when
    none is recorded.  Numeric, embedding and one-hot columns reduce
    nothing and are ignored.  Raises LegacyError when the columns disagree,
    since core applies one combiner to all of them."""
    if isinstance(columns, dict):
        columns = columns.values()
    found = {}
    for column in columns:
        for combiner in _combiners.get(column, ()):
            found.setdefault(combiner, column.name)
    if len(found) > 1:
        named = ", ".join("%s (%s)" % (name, combiner)
                          for combiner, name in sorted(found.items()))
        raise LegacyError(
            "linear model over contrib columns with different combiners: %s; "
            "core linear models take one sparse_combiner for all columns, "
            "so give the columns the same combiner" % named)
    return next(iter(found), "sum")


def sparse_column_with_hash_bucket(column_name, hash_bucket_size, combiner="sum",
                                   dtype=tf.string, hash_keys=None):
    """``categorical_column_with_hash_bucket(column_name, hash_bucket_size,
    dtype)``: ids are ``to_hash_bucket_fast`` of the value (integers as
    strings), as in TF 1.x.  ``hash_keys`` (several strong hashes per value,
    TF 1.5+) has no core form: LegacyError."""
    call = "tf.contrib.layers.sparse_column_with_hash_bucket(%r)" % (column_name,)
    if hash_keys is not None:
        raise LegacyError(
            "%s with hash_keys (several strong hashes per value) has no "
            "tf.feature_column equivalent; drop hash_keys (one fast hash) or "
            "raise hash_bucket_size to reduce collisions" % call)
    column = fc.categorical_column_with_hash_bucket(column_name, hash_bucket_size,
                                                    dtype=dtype)
    return _record(column, combiner, call)


def sparse_column_with_keys(column_name, keys, default_value=-1, combiner="sum",
                            dtype=tf.string):
    """``categorical_column_with_vocabulary_list(column_name, keys, dtype,
    default_value)``: id = index in ``keys``, else ``default_value`` (-1:
    the value is dropped), as in TF 1.x."""
    column = fc.categorical_column_with_vocabulary_list(
        column_name, tuple(keys), dtype=dtype, default_value=default_value)
    return _record(column, combiner,
                   "tf.contrib.layers.sparse_column_with_keys(%r)" % (column_name,))


def sparse_column_with_vocabulary_file(column_name, vocabulary_file, num_oov_buckets=0,
                                       vocab_size=None, default_value=-1, combiner="sum",
                                       dtype=tf.string):
    """``categorical_column_with_vocabulary_file``.  As in TF 1.x,
    ``vocab_size`` is required, and with ``num_oov_buckets`` > 0 unknown
    values hash into those buckets and ``default_value`` is unused (core
    refuses both together, so it is not passed on then)."""
    if vocab_size is None:
        # TF 1.x refused this too; core would count the file's lines.
        raise ValueError("vocab_size should be defined. column_name: %s" % (column_name,))
    column = fc.categorical_column_with_vocabulary_file(
        column_name, vocabulary_file, vocabulary_size=vocab_size,
        num_oov_buckets=num_oov_buckets,
        default_value=None if num_oov_buckets else default_value, dtype=dtype)
    return _record(column, combiner,
                   "tf.contrib.layers.sparse_column_with_vocabulary_file(%r)" % (column_name,))


class _ModuloIdentityColumn(type(fc.categorical_column_with_identity("k", 2))):
    """Core's identity column, but ids are first taken modulo the bucket
    count (floor modulo, so negative ids wrap too), as TF 1.x's integerized
    columns did; core alone would drop or reject out-of-range ids."""

    __slots__ = ()

    def _transform_input_tensor(self, input_tensor):
        ids = tf.math.floormod(tf.cast(input_tensor.values, tf.int64), self.number_buckets)
        return super()._transform_input_tensor(
            tf.SparseTensor(input_tensor.indices, ids, input_tensor.dense_shape))


def sparse_column_with_integerized_feature(column_name, bucket_size, combiner="sum",
                                           dtype=tf.int64):
    """``categorical_column_with_identity(column_name, bucket_size)``, with
    TF 1.x's handling of out-of-range ids: they are taken modulo
    ``bucket_size`` (core alone gives an all-zero one-hot row for them, or
    stops an embedding or linear model's run), so the column is a small
    subclass of core's identity column that applies the modulo first."""
    if not dtype.is_integer:
        raise ValueError("dtype must be an integer if is_integerized is True. "
                         "dtype: %s, column_name: %s" % (dtype, column_name))
    column = _ModuloIdentityColumn(*fc.categorical_column_with_identity(column_name, bucket_size))
    return _record(column, combiner,
                   "tf.contrib.layers.sparse_column_with_integerized_feature(%r)"
                   % (column_name,))


def weighted_sparse_column(sparse_id_column, weight_column_name, dtype=tf.float32):
    """``weighted_categorical_column(sparse_id_column, weight_column_name,
    dtype)``; it keeps the combiner of ``sparse_id_column``, which TF 1.x's
    linear models used for it."""
    column = fc.weighted_categorical_column(sparse_id_column, weight_column_name, dtype=dtype)
    for combiner in _combiners.get(sparse_id_column, ()):
        _record(column, combiner, "tf.contrib.layers.weighted_sparse_column")
    return column


def real_valued_column(column_name, dimension=1, default_value=None, dtype=tf.float32,
                       normalizer=None):
    """``numeric_column(column_name, shape=(dimension,), default_value,
    dtype, normalizer_fn=normalizer)``.  ``dimension=None`` (a
    variable-length feature fed as a SparseTensor) has no core form:
    LegacyError."""
    if dimension is None:
        raise LegacyError(
            "tf.contrib.layers.real_valued_column(%r, dimension=None) (a variable-length "
            "SparseTensor feature) has no tf.feature_column equivalent; give the feature "
            "a fixed dimension (pad it densely) or use "
            "tf.feature_column.sequence_numeric_column" % (column_name,))
    if not isinstance(dimension, int) or isinstance(dimension, bool):
        raise TypeError("dimension must be an integer. dimension: %r, column_name: %s"
                        % (dimension, column_name))
    return fc.numeric_column(column_name, shape=(dimension,), default_value=default_value,
                             dtype=dtype, normalizer_fn=normalizer)


def bucketized_column(source_column, boundaries):
    """``bucketized_column(source_column, boundaries)``; repeated boundaries
    are merged first, which TF 1.x allowed and core refuses.  For a source
    of dimension > 1 TF 1.x's linear models summed the per-dimension
    weights, so the column is recorded with combiner "sum"."""
    if not isinstance(boundaries, (list, tuple)) or not boundaries:
        raise ValueError("boundaries must be a non-empty list or tuple. boundaries: %r"
                         % (boundaries,))
    merged = [boundaries[0]]
    for value in boundaries[1:]:
        if value < merged[-1]:
            raise ValueError("boundaries must be a sorted list. boundaries: %r"
                             % (boundaries,))
        if value != merged[-1]:
            merged.append(value)
    column = fc.bucketized_column(source_column, merged)
    if source_column.shape and source_column.shape[0] > 1:
        _record(column, "sum", "tf.contrib.layers.bucketized_column")
    return column


def _cross_key(column):
    """What core crossed_column should cross for one contrib column: a plain
    sparse column by its raw feature values (its key), as TF 1.x did;
    bucketized and crossed columns as columns (bucket ids, nested cross)."""
    if isinstance(column, _BASE_SPARSE_TYPES) or (
            type(column).__name__ == _VOCABULARY_FILE_TYPE_NAME):
        return column.key
    if isinstance(column, (_BUCKETIZED_TYPE, _CROSSED_TYPE)):
        return column
    raise TypeError("columns must be a set of _SparseColumn, _CrossedColumn, or "
                    "_BucketizedColumn instances. (column %s is a %s)"
                    % (getattr(column, "name", column), type(column).__name__))


def crossed_column(columns, hash_bucket_size, combiner="sum", ckpt_to_load_from=None,
                   tensor_name_in_ckpt=None, hash_key=None):
    """``crossed_column(keys, hash_bucket_size, hash_key)``.

    Sparse columns are crossed by their raw values and bucketized columns by
    bucket ids, in the order of the columns' names, as in TF 1.x.  The bucket a combination lands in differs:
    without ``hash_key`` TF 1.x combined fingerprints with its older
    (deprecated) cross hash, core always uses FingerprintCat64 with
    :data:`SPARSE_FEATURE_CROSS_DEFAULT_HASH_KEY`; with an explicit
    ``hash_key`` both use FingerprintCat64.  The checkpoint arguments have no
    core form: LegacyError."""
    columns = list(columns)
    call = "tf.contrib.layers.crossed_column(%s)" % (
        ", ".join(getattr(c, "name", str(c)) for c in columns),)
    if ckpt_to_load_from is not None or tensor_name_in_ckpt is not None:
        raise LegacyError(
            "%s with ckpt_to_load_from/tensor_name_in_ckpt has no tf.feature_column "
            "equivalent; drop them and warm-start with "
            "tf.estimator.WarmStartSettings or tf.train.init_from_checkpoint" % call)
    if len(columns) < 2:
        raise ValueError("columns must contain at least 2 elements. columns: %r" % (columns,))
    column = fc.crossed_column([_cross_key(c) for c in columns], hash_bucket_size,
                               hash_key=hash_key)
    return _record(column, combiner, call)


def one_hot_column(sparse_id_column):
    """``indicator_column(sparse_id_column)``: a multi-hot (or, for a
    weighted column, weight-summed) vector; the sparse column's combiner is
    ignored, as in TF 1.x."""
    return fc.indicator_column(sparse_id_column)


def embedding_column(sparse_id_column, dimension, combiner="mean", initializer=None,
                     ckpt_to_load_from=None, tensor_name_in_ckpt=None, max_norm=None,
                     trainable=True):
    """``embedding_column`` with the same arguments.  The default initializer
    differs between the two, so TF 1.x's is passed explicitly: truncated
    normal, mean 0, stddev 1/sqrt(number of ids of ``sparse_id_column``)
    (core's default uses 1/sqrt(dimension))."""
    if initializer is None:
        initializer = v1.truncated_normal_initializer(
            mean=0.0, stddev=1.0 / math.sqrt(sparse_id_column.num_buckets))
    return fc.embedding_column(sparse_id_column, dimension, combiner=combiner,
                               initializer=initializer, ckpt_to_load_from=ckpt_to_load_from,
                               tensor_name_in_ckpt=tensor_name_in_ckpt, max_norm=max_norm,
                               trainable=trainable)


def create_feature_spec_for_parsing(feature_columns):
    """``make_parse_example_spec``: the ``tf.parse_example`` spec of the
    columns (a dict's values when given a dict, as TF 1.x accepted)."""
    if isinstance(feature_columns, dict):
        feature_columns = feature_columns.values()
    return fc.make_parse_example_spec(list(feature_columns))


def input_from_feature_columns(columns_to_tensors, feature_columns, weight_collections=None,
                               trainable=True, scope=None):
    """``input_layer(columns_to_tensors, feature_columns, weight_collections,
    trainable)`` inside ``variable_scope(scope, "input_from_feature_columns")``.

    The dense result holds the same per-column blocks as TF 1.x's, but
    core orders the blocks by column name (TF 1.x sorted by its column
    objects' ``key``, which begins with the class name) and names its
    variables its own way, so a TF 1.x checkpoint of this layer does not
    restore.  Unlike TF 1.x, ``columns_to_tensors`` is not filled with the
    transformed tensors."""
    with v1.variable_scope(scope, default_name="input_from_feature_columns",
                           values=list(columns_to_tensors.values())):
        return fc.input_layer(columns_to_tensors, list(feature_columns),
                              weight_collections=weight_collections, trainable=trainable)
