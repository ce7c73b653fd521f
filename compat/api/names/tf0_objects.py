"""The table's TF 0.x classes, initializers and members of objects that TF
0.12 and 1.0 renamed (RELEASE.md 0.12.0 and 1.0.0, "Breaking Changes to
the API"; TF 1.0's own upgrader, tensorflow/tools/compatibility/
tf_upgrade.py, lists the two initializers in ``change_to_function``).
Module-level function renames are in ``compat.api.names.tf0``.  Field
meanings: ``compat.api.entry``.

What TF 2.21 does with the 0.x spellings (checked with tf.compat.v1):
``tf.SparseTensor(..., shape=...)`` is a TypeError; ``SparseTensor.shape``
is the static ``TensorShape`` where 0.x gave the dense-shape tensor;
``TensorArray`` has no ``pack``/``unpack``; ``tf.train`` has no
``SummaryWriterCache``; ``tf.zeros_initializer`` is the ``Zeros`` class, so
``get_variable(initializer=tf.zeros_initializer)`` still works (it
instantiates a class) but the 0.x call ``tf.zeros_initializer([2, 3])``
reads ``[2, 3]`` as a dtype and fails.
"""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

# TF 0.11 (array_ops.zeros_initializer, init_ops.ones_initializer):
# functions (shape, dtype=tf.float32, partition_info=None) returning the
# tensor; 0.12 made them factories: "in your code replace
# tf.zeros_initializer with tf.zeros_initializer()" (RELEASE.md 0.12.0).
_INIT_PARAMS = ("shape", "dtype", "partition_info")
_INIT_NOTE = ("a 0.x initializer function (shape, dtype, partition_info) returning the "
              "tensor; since 0.12 a class whose instance is the initializer")


def _initializer(name, tensor_op):
    return _entry("tf." + name, "tf." + name, "0.12", Kind.ARGS, params=_INIT_PARAMS,
                  old_order_if="first_arg_is_shape", old_call_new=tensor_op,
                  dropped=("partition_info",), bare_call=True,
                  new_params=("shape", "dtype", "name"), positional_kept=2,
                  note=_INIT_NOTE + "; a call with a shape makes %s(shape, dtype)" % tensor_op)


ENTRIES = (
    # RELEASE.md 1.0.0: "The shape keyword argument of the SparseTensor
    # constructor changes its name to dense_shape between Tensorflow 0.12
    # and Tensorflow 1.0"; the positional order is unchanged.
    _entry("tf.SparseTensor", "tf.SparseTensor", "1.0", Kind.ARGS,
           params=("indices", "values", "shape"), renames={"shape": "dense_shape"},
           old_order_if="uses_old_keyword",
           new_params=("indices", "values", "dense_shape"), positional_kept=3,
           note="the constructor's shape= became dense_shape="),
    # RELEASE.md 0.12.0: SparseTensor.shape renamed dense_shape, "Same for
    # SparseTensorValue.shape": the namedtuple's third field.
    _entry("tf.SparseTensorValue", "tf.SparseTensorValue", "0.12", Kind.ARGS,
           params=("indices", "values", "shape"), renames={"shape": "dense_shape"},
           old_order_if="uses_old_keyword",
           new_params=("indices", "values", "dense_shape"), positional_kept=3,
           note="the namedtuple's field shape became dense_shape"),
    # RELEASE.md 1.0.0: "Replace tf.train.SummaryWriter and
    # tf.train.SummaryWriterCache with tf.summary.FileWriter and
    # tf.summary.FileWriterCache."
    _entry("tf.train.SummaryWriterCache", "tf.summary.FileWriterCache", "1.0", Kind.RENAME),
    _initializer("zeros_initializer", "tf.zeros"),
    _initializer("ones_initializer", "tf.ones"),
)

# What makes a TensorArray: the class, and its methods that return "a new
# TensorArray object with flow that ensures the write occurs" (r0.12
# tensor_array_ops: write, unpack, scatter, split; unstack since 0.12).
_TENSOR_ARRAY = ("tf.TensorArray", ".write", ".unpack", ".unstack", ".scatter", ".split")

MEMBERS = (
    # RELEASE.md 1.0.0: "TensorArray.pack and TensorArray.unpack are getting
    # deprecated in favor of TensorArray.stack and TensorArray.unstack"
    # (same arguments: pack(name=None), unpack(value, name=None)).
    _entry("tf.TensorArray.pack", "stack", "1.0", Kind.MEMBER, made_by=_TENSOR_ARRAY,
           flag_unknown=True, note="TensorArray.pack became TensorArray.stack"),
    _entry("tf.TensorArray.unpack", "unstack", "1.0", Kind.MEMBER,
           made_by=_TENSOR_ARRAY, flag_unknown=True,
           note="TensorArray.unpack became TensorArray.unstack"),
    # RELEASE.md 1.0.0: "Template.var_scope property renamed to
    # .variable_scope"; templates are made by tf.make_template (the class
    # is not exported, hence its module path).
    _entry("tensorflow.python.ops.template.Template.var_scope", "variable_scope", "1.0", Kind.MEMBER,
           made_by=("tf.make_template",), flag_unknown=True,
           note="Template.var_scope became Template.variable_scope"),
    # RELEASE.md 0.12.0: "SparseTensor.shape has been renamed to
    # SparseTensor.dense_shape.  Same for SparseTensorValue.shape."  Today's
    # SparseTensor.shape is the static TensorShape: TF's own code keeps it,
    # the program's lines get the dense shape.  `.shape` is everywhere
    # (arrays, tensors), so the upgrader flags no use it cannot see.
    _entry("tf.SparseTensor.shape", "dense_shape", "0.12", Kind.MEMBER,
           made_by=("tf.SparseTensor", "tf.sparse_placeholder"),
           note="SparseTensor.shape (the dense shape, an int64 tensor) became "
                "SparseTensor.dense_shape; .shape is now the static TensorShape"),
    _entry("tf.SparseTensorValue.shape", "dense_shape", "0.12", Kind.MEMBER,
           made_by=("tf.SparseTensorValue",),
           note="SparseTensorValue.shape became SparseTensorValue.dense_shape"),
)
