"""TF 0.x classes, initializers and members of objects that 0.12 and 1.0
renamed (compat/api/names/tf0_objects.py): one late-2016 program using
each runs through the runner and, upgraded, on plain Python; every number
is checked against numpy or a hand computation from the 0.x API docs and
RELEASE.md.  The upgrader renames an old member only on an object it can
see the class of, and flags the rest."""

import textwrap

import numpy as np
import pytest

from compat import api
from compat import upgrade
from era_run import last_json, through_runner, upgraded

# As a TF 0.11 program was written (late 2016): SparseTensor(shape=...),
# .shape for the dense shape, bare zeros_initializer, TensorArray.pack.
PROGRAM = '''
import json
import struct

import tensorflow as tf

sp = tf.SparseTensor(indices=[[0, 1], [2, 0]], values=[3.0, 5.0], shape=[3, 4])
dense = tf.sparse_tensor_to_dense(sp)
sp_shape = sp.shape

value = tf.SparseTensorValue(indices=[[1, 1], [0, 0]], values=[7.0, -2.0], shape=[2, 2])
holder = tf.sparse_placeholder(tf.float32)
fed = tf.sparse_reduce_sum(holder)

with tf.variable_scope("vars"):
    b = tf.get_variable("b", [3], initializer=tf.zeros_initializer)
    g = tf.get_variable("g", [2, 2], initializer=tf.ones_initializer)
z = tf.Variable(tf.zeros_initializer([2, 3]))
o = tf.ones_initializer([2], dtype=tf.int32)

ta = tf.TensorArray(tf.float32, size=3)
ta = ta.write(0, 1.5)
ta = ta.write(1, 2.5)
ta = ta.write(2, 4.0)
packed = ta.pack()
ta2 = tf.TensorArray(tf.float32, size=3)
unpacked = ta2.unpack(tf.constant([1.0, 4.0, 9.0]))
second = unpacked.read(1)

def scale(x):
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
    return x * w
scaler = tf.make_template("scaler", scale)
scaled = scaler(tf.constant(3.0))
scope_name = scaler.var_scope.name

cache_name = tf.train.SummaryWriterCache.__name__

sess = tf.Session()
sess.run(tf.initialize_all_variables())
got = sess.run([dense, sp_shape, b, g, z, o, packed, second, scaled])
total = sess.run(fed, feed_dict={holder: value})
print(json.dumps({
    "dense": got[0].tolist(), "sp_shape": got[1].tolist(), "b": got[2].tolist(),
    "g": got[3].tolist(), "z": got[4].tolist(), "o": got[5].tolist(),
    "packed": got[6].tolist(), "second": float(got[7]), "scaled": float(got[8]),
    "scope": scope_name, "fed": float(total), "value_shape": list(value.shape),
    "cache": cache_name,
    "is_sparse": isinstance(sp, tf.SparseTensor), "struct": len(struct.pack("<i", 1)),
}))
'''


def _expected():
    dense = np.zeros((3, 4))
    dense[0, 1], dense[2, 0] = 3.0, 5.0
    return {
        "dense": dense.tolist(), "sp_shape": [3, 4],
        "b": np.zeros(3).tolist(), "g": np.ones((2, 2)).tolist(),
        "z": np.zeros((2, 3)).tolist(), "o": [1, 1],
        # stack of the three writes; unstack of [1, 4, 9], element 1.
        "packed": [1.5, 2.5, 4.0], "second": 4.0,
        # x * w with w initialized to 2.0, under the template's own scope.
        "scaled": 3.0 * 2.0, "scope": "scaler",
        "fed": 7.0 + -2.0, "value_shape": [2, 2],
        # RELEASE.md 1.0.0: SummaryWriterCache -> tf.summary.FileWriterCache.
        "cache": "FileWriterCache", "is_sparse": True, "struct": 4,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tf0_objects")
    stdout, stderr = through_runner(tmp, PROGRAM)
    result, plain = upgraded(tmp, PROGRAM)
    return {"runner": last_json(stdout), "stderr": stderr, "upgrade": result,
            "upgraded": last_json(plain)}


def test_runner_serves_the_0x_meanings(runs):
    assert runs["runner"] == _expected()


def test_upgraded_program_prints_the_same(runs):
    assert runs["upgraded"] == _expected()


def test_runner_reports_each_name_on_the_programs_line(runs):
    lines = PROGRAM.splitlines()
    for old, new, needle in (
            ("tf.SparseTensor", "tf.SparseTensor", "shape=[3, 4])"),
            ("tf.SparseTensor.shape", "dense_shape", "sp_shape = sp.shape"),
            # Called by TF's get_variable: reported on the program's line.
            ("tf.zeros_initializer", "tf.zeros", "initializer=tf.zeros_init"),
            ("tf.ones_initializer", "tf.ones", "initializer=tf.ones_init"),
            ("tf.TensorArray.pack", "stack", "packed = ta.pack()"),
            ("tf.TensorArray.unpack", "unstack", "ta2.unpack("),
            ("tensorflow.python.ops.template.Template.var_scope", "variable_scope",
             "scaler.var_scope"),
            ("tf.train.SummaryWriterCache", "tf.summary.FileWriterCache", "SummaryWriterCache"),
            ("tf.SparseTensorValue.shape", "dense_shape", "list(value.shape)")):
        line = next(i for i, text in enumerate(lines, 1) if needle in text)
        since = (api.BY_OLD.get(old) or api.MEMBERS_BY_OLD[old]).since
        assert "%s -> %s (%s) at prog.py:%d" % (old, new, since, line) in runs["stderr"]


def test_upgrader_rewrites_what_the_source_shows(runs):
    result = runs["upgrade"]
    source = result.source
    for written in (" shape=[3, 4])", "sp.shape", "tf.zeros_initializer)",
                    "tf.ones_initializer)", "tf.zeros_initializer([2, 3])", "ta.pack()",
                    "ta2.unpack(", "scaler.var_scope", "tf.train.SummaryWriterCache",
                    "list(value.shape)"):
        assert written not in source, written
    for modern in ("dense_shape=[3, 4])", "sp_shape = sp.dense_shape",
                   'initializer=tf.zeros_initializer())', 'initializer=tf.ones_initializer())',
                   "z = tf.Variable(tf.zeros([2, 3]))", "o = tf.ones([2], dtype=tf.int32)",
                   "packed = ta.stack()", "ta2.unstack(tf.constant", "scaler.variable_scope.name",
                   "tf.summary.FileWriterCache.__name__", "list(value.dense_shape)",
                   'struct.pack("<i", 1)', "ta = ta.write(2, 4.0)"):
        assert modern in source, modern
    assert result.flags == []


UNSEEN = '''import numpy as np
import tensorflow as tf

def body(i, acc):
    return i + 1, acc.write(i, tf.cast(i, tf.float32))
_, filled = tf.while_loop(lambda i, acc: i < 2, body, [0, tf.TensorArray(tf.float32, 2)])
out = filled.pack()

def scope_of(template):
    return template.var_scope

arr = np.zeros((2, 3))
rows = arr.shape[0]
def dense_shape_of(sparse):
    return sparse.shape

init = tf.zeros_initializer(dtype=tf.float32)
init2 = tf.ones_initializer(tf.float32)
size = [4]
made = tf.zeros_initializer(size)
'''


def test_upgrader_flags_members_on_objects_it_cannot_see():
    result = upgrade.upgrade_source(textwrap.dedent(UNSEEN), "unseen.py")
    lines = [""] + UNSEEN.splitlines()
    flags = {(f.name, f.line): f.note for f in result.flags}
    pack_line = next(i for i, text in enumerate(lines) if "filled.pack()" in text)
    scope_line = next(i for i, text in enumerate(lines) if "template.var_scope" in text)
    made_line = next(i for i, text in enumerate(lines) if "made = " in text)
    assert "if this is a TensorArray, write .stack" in flags[("tf.TensorArray.pack", pack_line)]
    assert "if this is a Template, write .variable_scope" in flags[
        ("tensorflow.python.ops.template.Template.var_scope", scope_line)]
    assert "cannot tell whether (shape, dtype, partition_info)" in flags[
        ("tf.zeros_initializer", made_line)]
    # .shape is everywhere (arrays, tensors): unseen objects keep it, unflagged.
    assert len(flags) == 3
    for kept in ("filled.pack()", "template.var_scope", "arr.shape[0]", "sparse.shape",
                 "tf.zeros_initializer(dtype=tf.float32)", "tf.ones_initializer(tf.float32)",
                 "tf.zeros_initializer(size)"):
        assert kept in result.source, kept


def test_runner_keeps_todays_meaning_for_library_code_and_restores_classes():
    import tensorflow as real_tf
    from compat import legacy_shim
    from compat.legacy import classes
    from compat.legacy.shim import Reporter
    from tensorflow.python.ops import tensor_array_ops

    assert classes.is_program_file(__file__)
    assert not classes.is_program_file(tensor_array_ops.__file__)
    shim = legacy_shim.install(reporter=Reporter(quiet=True))
    try:
        tf = shim.namespace_root
        sp = tf.SparseTensor([[0, 0]], [1.0], [2, 5])
        # A value a session returns: 0.x's field name answers too.
        with tf.Session() as sess:
            assert sess.run(sp).shape.tolist() == [2, 5]
        # This file is the program: .shape is the 0.x dense shape (a tensor);
        # TF's own code reads the class's property, the static shape.
        assert isinstance(sp.shape, real_tf.Tensor)
        assert type(sp).shape.__get__(sp, type(sp)) == real_tf.TensorShape([2, 5])
        assert sp.get_shape().as_list() == [2, 5]
        assert isinstance(sp, tf.SparseTensor)
        # The 1.0 call of the initializer class still makes the class.
        assert isinstance(tf.zeros_initializer(dtype=real_tf.float32),
                          real_tf.compat.v1.zeros_initializer)
        assert hasattr(tensor_array_ops.TensorArray, "pack")
    finally:
        legacy_shim.uninstall()
    assert not hasattr(tensor_array_ops.TensorArray, "pack")
    assert not hasattr(real_tf.compat.v1.SparseTensorValue, "shape")
    restored = real_tf.SparseTensor([[0, 0]], [1.0], [2, 5])
    assert restored.shape == real_tf.TensorShape([2, 5])
