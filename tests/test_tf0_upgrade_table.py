"""The TF 0.x module-level names of TF 1.0's own upgrade table
(tensorflow/tools/compatibility/tf_upgrade.py) and of RELEASE.md 1.0.0's
breaking changes, served by the table (compat/api/names/tf0.py, tf0_ops.py):
one 0.x-style program calling each of them positionally, as 2016 programs
did, runs through the runner and, upgraded, on plain Python; every result
is checked against numpy (or a hand computation), one test per name.

tf.nn.nce_loss and tf.nn.sampled_softmax_loss get a program of their own:
the runner tells their 0.x order from 1.0's by the dtype of the third
argument, which the source does not show, so the upgrader flags their
positional calls instead of guessing."""

import io
import re

import numpy as np
import pytest
from PIL import Image

from era_run import last_json, through_runner, upgraded

# Written as a TF 0.11/0.12 program: positional arguments, the batch_* ops,
# initialize_all_variables, Python 2-compatible prints of one JSON line.
PROGRAM = '''
import json
import numpy as np
import tensorflow as tf

spd = np.array([[[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]],
                [[5.0, 2.0, 0.0], [2.0, 6.0, 1.0], [0.0, 1.0, 3.0]]], dtype=np.float64)
rhs = np.array([[[1.0], [2.0], [3.0]], [[-1.0], [0.5], [4.0]]])
tall = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]],
                 [[2.0, -1.0], [0.0, 1.0], [1.0, 1.0]]])
signal = (np.arange(16).reshape(2, 2, 4) % 5 - 1.5).astype(np.complex64)

A = tf.constant(spd)
B = tf.constant(rhs)
chol = tf.batch_cholesky(A)
ops = {
    "tf.batch_matrix_determinant": tf.batch_matrix_determinant(A),
    "tf.batch_matrix_inverse": tf.batch_matrix_inverse(A),
    "tf.batch_cholesky": chol,
    "tf.batch_cholesky_solve": tf.batch_cholesky_solve(chol, B),
    "tf.batch_matrix_solve": tf.batch_matrix_solve(A, B),
    "tf.batch_matrix_solve_ls": tf.batch_matrix_solve_ls(tf.constant(tall), B),
    "tf.batch_matrix_triangular_solve": tf.batch_matrix_triangular_solve(A, B),
    "tf.batch_self_adjoint_eig": tf.batch_self_adjoint_eig(A),
    "tf.batch_self_adjoint_eigvals": tf.batch_self_adjoint_eigvals(A),
    "tf.batch_svd": tf.batch_svd(tf.constant(tall)),
    "tf.batch_matrix_diag": tf.batch_matrix_diag(tf.constant([[1.0, 2.0], [3.0, 4.0]])),
    "tf.batch_matrix_diag_part": tf.batch_matrix_diag_part(A),
    "tf.batch_matrix_band_part": tf.batch_matrix_band_part(A, 1, 0),
    "tf.batch_matrix_set_diag": tf.batch_matrix_set_diag(A, tf.constant([[9.0, 8.0, 7.0],
                                                                         [6.0, 5.0, 4.0]],
                                                                        tf.float64)),
    "tf.batch_matrix_transpose": tf.batch_matrix_transpose(tf.constant(tall)),
    "tf.batch_matmul": tf.batch_matmul(tf.constant(tall), tf.constant(tall), True, False),
    "tf.svd": tf.svd(tf.constant(tall[0]), True, False),
    "tf.svd full": tf.svd(tf.constant(tall[0]), True, True),
    "tf.svd values": tf.svd(tf.constant(tall[0]), False),
}
x = tf.constant(signal)
ops["tf.batch_fft"] = tf.batch_fft(x)
ops["tf.batch_ifft"] = tf.batch_ifft(x)
ops["tf.batch_fft2d"] = tf.batch_fft2d(x)
ops["tf.batch_ifft2d"] = tf.batch_ifft2d(x)
ops["tf.batch_fft3d"] = tf.batch_fft3d(x)
ops["tf.batch_ifft3d"] = tf.batch_ifft3d(x)

v = tf.constant([0.5, -4.0, 8.0])
ops["tf.inv"] = tf.inv(v)
ops["tf.listdiff"] = tf.listdiff([1, 2, 3, 4, 6], [2, 6])
ops["tf.list_diff"] = tf.list_diff([7, 8, 9], [9])
ops["tf.complex_abs"] = tf.complex_abs(tf.constant([3.0 + 4.0j, -5.0 - 12.0j], tf.complex64))
image = tf.constant(np.arange(12, dtype=np.float32).reshape(2, 2, 3))
ops["tf.image.per_image_whitening"] = tf.image.per_image_whitening(image)

m = tf.constant([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]])
ops["tf.reduce_sum"] = tf.reduce_sum(m, reduction_indices=1, keep_dims=True)
ops["tf.reduce_mean"] = tf.reduce_mean(m, reduction_indices=0)
ops["tf.reduce_max"] = tf.reduce_max(m, reduction_indices=1)
ops["tf.reduce_min"] = tf.reduce_min(m, reduction_indices=0, keep_dims=True)
ops["tf.reduce_prod"] = tf.reduce_prod(m, reduction_indices=1)
ops["tf.reduce_logsumexp"] = tf.reduce_logsumexp(m, reduction_indices=1)
flags = tf.constant([[True, False, True], [True, True, True]])
ops["tf.reduce_all"] = tf.reduce_all(flags, reduction_indices=1)
ops["tf.reduce_any"] = tf.reduce_any(tf.logical_not(flags), reduction_indices=0)
ops["tf.count_nonzero"] = tf.count_nonzero(m, reduction_indices=1)
ops["tf.argmax"] = tf.argmax(m, dimension=1)
ops["tf.argmin"] = tf.argmin(m, dimension=0)
ops["tf.expand_dims"] = tf.shape(tf.expand_dims(m, dim=1))
ops["tf.squeeze"] = tf.shape(tf.squeeze(tf.zeros([1, 2, 1, 3]), squeeze_dims=[0]))
words = tf.constant([["a", "b"], ["c", "d"]])
ops["tf.reduce_join"] = tf.reduce_join(words, reduction_indices=1)
seq = tf.constant([[1, 2, 3, 4], [5, 6, 7, 8]])
ops["tf.reverse_sequence"] = tf.reverse_sequence(seq, [3, 2], seq_dim=1, batch_dim=0)

sp = tf.SparseTensor([[0, 0], [0, 3], [1, 1], [1, 2]], [1.0, 2.0, 3.0, 4.0], [2, 4])
ops["tf.sparse_split"] = [tf.sparse_tensor_to_dense(piece) for piece in tf.sparse_split(1, 2, sp)]
ops["tf.sparse_concat"] = tf.sparse_tensor_to_dense(tf.sparse_concat(concat_dim=1,
                                                                     sp_inputs=[sp, sp]))
ops["tf.sparse_reduce_sum"] = tf.sparse_reduce_sum(sp, reduction_axes=1)
ops["tf.sparse_reduce_sum_sparse"] = tf.sparse_tensor_to_dense(
    tf.sparse_reduce_sum_sparse(sp, reduction_axes=0))

jpeg = tf.read_file("image.jpg")
ops["tf.image.decode_jpeg"] = tf.image.decode_jpeg(jpeg, 3)
# A 1.0-era call choosing the fast DCT: left as it is.
ops["decode_jpeg fast"] = tf.image.decode_jpeg(jpeg, 3, dct_method="INTEGER_FAST")

with tf.op_scope([m], None, "legacy_scope") as scope:
    scoped = tf.identity(m)
weights = tf.Variable(tf.zeros([2]), name="weights")
bias = tf.Variable(1.0, name="bias")


def plain(value):
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    value = np.asarray(value)
    if value.dtype.kind == "c":
        return {"re": value.real.tolist(), "im": value.imag.tolist()}
    if value.dtype.kind in "SO":
        return [item.decode() for item in value.ravel().tolist()]
    return value.tolist()


with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    out = {name: plain(value) for name, value in sess.run(ops).items()}
out["tf.op_scope"] = [scope, scoped.op.name]
out["tf.VARIABLES"] = sorted(var.op.name for var in tf.get_collection(tf.VARIABLES))
print(json.dumps(out))
'''

# nce_loss and sampled_softmax_loss called positionally in both orders, with
# fixed sampled candidates so the losses are deterministic.
SAMPLED_PROGRAM = '''
import json
import numpy as np
import tensorflow as tf

W = tf.constant(np.arange(15, dtype=np.float32).reshape(5, 3) / 10.0 - 0.7)
b = tf.constant([0.1, -0.2, 0.3, 0.0, 0.5])
embed = tf.constant([[1.0, -1.0, 0.5], [0.2, 0.4, -0.3]])
labels = tf.constant([[1], [3]], dtype=tf.int64)
sampled = (tf.constant([0, 2, 4], dtype=tf.int64), tf.constant([[0.5], [0.25]]),
           tf.constant([0.2, 0.3, 0.4]))
losses = {
    "tf.nn.nce_loss": tf.nn.nce_loss(W, b, embed, labels, 3, 5, 1, sampled),
    "tf.nn.sampled_softmax_loss": tf.nn.sampled_softmax_loss(W, b, embed, labels, 3, 5, 1,
                                                             sampled, False),
    # The 1.0 order, as a later program wrote it: left as it is.
    "nce_loss 1.0 order": tf.nn.nce_loss(W, b, labels, embed, 3, 5, 1, sampled),
}
with tf.Session() as sess:
    print(json.dumps({name: value.tolist() for name, value in sess.run(losses).items()}))
'''

SPD = np.array([[[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]],
                [[5.0, 2.0, 0.0], [2.0, 6.0, 1.0], [0.0, 1.0, 3.0]]])
RHS = np.array([[[1.0], [2.0], [3.0]], [[-1.0], [0.5], [4.0]]])
TALL = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], [[2.0, -1.0], [0.0, 1.0], [1.0, 1.0]]])
SIGNAL = (np.arange(16).reshape(2, 2, 4) % 5 - 1.5).astype(np.complex64)
M = np.array([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]])
FLAGS = np.array([[True, False, True], [True, True, True]])


def _complex(value):
    return np.array(value["re"]) + 1j * np.array(value["im"])


def _lstsq(a, b):
    return np.stack([np.linalg.lstsq(a[i], b[i], rcond=None)[0] for i in range(len(a))])


def _set_diag(matrices, diagonals):
    result = matrices.copy()
    for i, diagonal in enumerate(diagonals):
        np.fill_diagonal(result[i], diagonal)
    return result


def _whitened(image):
    # 0.x's per_image_whitening: (x - mean) / max(stddev, 1/sqrt(N)).
    return (image - image.mean()) / max(image.std(), 1.0 / np.sqrt(image.size))


def _reverse_prefixes(rows, lengths):
    return [list(row[:n][::-1]) + list(row[n:]) for row, n in zip(rows, lengths)]


def _jpeg():
    """A smooth 16x16 RGB JPEG written with Pillow, and Pillow's decoding of
    it: libjpeg's default, the exact integer DCT (JDCT_ISLOW), which is what
    0.x's decode_jpeg used."""
    ramp = np.random.RandomState(0).randint(0, 32, (16, 16, 3)).cumsum(axis=1)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(ramp, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        return buffer.getvalue(), np.asarray(image.convert("RGB"))


JPEG, JPEG_PIXELS = _jpeg()
DENSE = np.array([[1.0, 0.0, 0.0, 2.0], [0.0, 3.0, 4.0, 0.0]])

# name -> (expected, how a result is turned into something comparable).
EXPECTED = {
    "tf.batch_matrix_determinant": np.linalg.det(SPD),
    "tf.batch_matrix_inverse": np.linalg.inv(SPD),
    "tf.batch_cholesky": np.linalg.cholesky(SPD),
    "tf.batch_cholesky_solve": np.linalg.solve(SPD, RHS),
    "tf.batch_matrix_solve": np.linalg.solve(SPD, RHS),
    "tf.batch_matrix_solve_ls": _lstsq(TALL, RHS),
    # lower=True by default: only the lower triangle is read.
    "tf.batch_matrix_triangular_solve": np.linalg.solve(np.tril(SPD), RHS),
    "tf.batch_self_adjoint_eigvals": np.linalg.eigvalsh(SPD),
    "tf.batch_matrix_diag": np.stack([np.diag([1.0, 2.0]), np.diag([3.0, 4.0])]),
    "tf.batch_matrix_diag_part": np.stack([np.diag(m) for m in SPD]),
    "tf.batch_matrix_band_part": np.tril(SPD) - np.tril(SPD, -2),
    "tf.batch_matrix_set_diag": _set_diag(SPD, [[9.0, 8.0, 7.0], [6.0, 5.0, 4.0]]),
    "tf.batch_matrix_transpose": np.swapaxes(TALL, -1, -2),
    # adj_x=True positionally: the first operand's slices are transposed.
    "tf.batch_matmul": np.swapaxes(TALL, -1, -2) @ TALL,
    "tf.inv": [2.0, -0.25, 0.125],
    "tf.complex_abs": [5.0, 13.0],
    "tf.image.per_image_whitening": _whitened(np.arange(12.0).reshape(2, 2, 3)),
    "tf.reduce_sum": M.sum(axis=1, keepdims=True),
    "tf.reduce_mean": M.mean(axis=0),
    "tf.reduce_max": M.max(axis=1),
    "tf.reduce_min": M.min(axis=0, keepdims=True),
    "tf.reduce_prod": M.prod(axis=1),
    "tf.reduce_logsumexp": np.log(np.exp(M).sum(axis=1)),
    "tf.reduce_all": FLAGS.all(axis=1),
    "tf.reduce_any": (~FLAGS).any(axis=0),
    "tf.count_nonzero": (M != 0).sum(axis=1),
    "tf.argmax": M.argmax(axis=1),
    "tf.argmin": M.argmin(axis=0),
    "tf.expand_dims": [2, 1, 3],
    "tf.squeeze": [2, 1, 3],
    "tf.reverse_sequence": _reverse_prefixes([[1, 2, 3, 4], [5, 6, 7, 8]], [3, 2]),
    "tf.sparse_split": [DENSE[:, :2], DENSE[:, 2:]],
    "tf.sparse_concat": np.concatenate([DENSE, DENSE], axis=1),
    "tf.sparse_reduce_sum": DENSE.sum(axis=1),
    "tf.sparse_reduce_sum_sparse": DENSE.sum(axis=0),
    "tf.image.decode_jpeg": JPEG_PIXELS,
}
FFTS = {"tf.batch_fft": lambda a: np.fft.fft(a, axis=-1),
        "tf.batch_ifft": lambda a: np.fft.ifft(a, axis=-1),
        "tf.batch_fft2d": lambda a: np.fft.fft2(a, axes=(-2, -1)),
        "tf.batch_ifft2d": lambda a: np.fft.ifft2(a, axes=(-2, -1)),
        "tf.batch_fft3d": lambda a: np.fft.fftn(a, axes=(-3, -2, -1)),
        "tf.batch_ifft3d": lambda a: np.fft.ifftn(a, axes=(-3, -2, -1))}
# The rest are checked by hand below.
OTHERS = ("tf.batch_self_adjoint_eig", "tf.batch_svd", "tf.svd", "tf.listdiff",
          "tf.list_diff", "tf.reduce_join", "tf.op_scope", "tf.VARIABLES")
ALL_NAMES = sorted(set(EXPECTED) | set(FFTS) | set(OTHERS))
# Every table name this module runs (tests/test_legacy_runner.py counts them).
COVERED = set(ALL_NAMES) | {"tf.nn.nce_loss", "tf.nn.sampled_softmax_loss"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The program's output through the runner and upgraded, and the upgrade."""
    tmp = tmp_path_factory.mktemp("tf0_table")
    (tmp / "image.jpg").write_bytes(JPEG)
    stdout, stderr = through_runner(tmp, PROGRAM)
    result, upgraded_stdout = upgraded(tmp, PROGRAM)
    return {"runner": last_json(stdout), "upgraded": last_json(upgraded_stdout),
            "stderr": stderr, "upgrade": result}


def _check(name, out):
    got = out[name]
    if name in EXPECTED:
        expected = EXPECTED[name]
        if isinstance(expected, list) and expected and isinstance(expected[0], np.ndarray):
            assert len(got) == len(expected)
            for piece, want in zip(got, expected):
                np.testing.assert_allclose(piece, want, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_allclose(np.asarray(got, dtype=float),
                                       np.asarray(expected, dtype=float),
                                       rtol=1e-5, atol=1e-6)
    elif name in FFTS:
        np.testing.assert_allclose(_complex(got), FFTS[name](SIGNAL), rtol=1e-4, atol=1e-4)
    elif name == "tf.batch_self_adjoint_eig":
        e, v = (np.asarray(part) for part in got)
        np.testing.assert_allclose(e, np.linalg.eigvalsh(SPD), rtol=1e-6)
        # Eigenvectors are defined up to sign: A v = v diag(e).
        np.testing.assert_allclose(SPD @ v, v * e[:, None, :], atol=1e-8)
    elif name == "tf.batch_svd":
        s, u, v = (np.asarray(part) for part in got)   # compute_uv=True by default
        np.testing.assert_allclose(s, np.linalg.svd(TALL, compute_uv=False), rtol=1e-6)
        assert u.shape == (2, 3, 2) and v.shape == (2, 2, 2)  # full_matrices=False
        np.testing.assert_allclose(u * s[:, None, :] @ np.swapaxes(v, -1, -2), TALL, atol=1e-8)
    elif name == "tf.svd":
        _check_svd(out)
    elif name in ("tf.listdiff", "tf.list_diff"):
        x, y = ([1, 2, 3, 4, 6], [2, 6]) if name == "tf.listdiff" else ([7, 8, 9], [9])
        values, indices = got
        assert values == np.setdiff1d(x, y).tolist()
        assert indices == [x.index(value) for value in values]
    elif name == "tf.reduce_join":
        assert got == ["ab", "cd"]
    elif name == "tf.op_scope":
        assert got == ["legacy_scope/", "legacy_scope/Identity"]
    elif name == "tf.VARIABLES":
        assert got == ["bias", "weights"]


def _check_svd(out):
    """0.x's positional (tensor, compute_uv, full_matrices), against numpy."""
    matrix = TALL[0]
    s, u, v = (np.asarray(part) for part in out["tf.svd"])       # (x, True, False)
    np.testing.assert_allclose(s, np.linalg.svd(matrix, compute_uv=False), rtol=1e-6)
    np_u, _, np_vt = np.linalg.svd(matrix, full_matrices=False)
    assert u.shape == np_u.shape == (3, 2) and v.shape == np_vt.T.shape == (2, 2)
    np.testing.assert_allclose(u * s @ v.T, matrix, atol=1e-8)
    s, u, v = (np.asarray(part) for part in out["tf.svd full"])  # (x, True, True)
    np_u, _, np_vt = np.linalg.svd(matrix, full_matrices=True)
    assert u.shape == np_u.shape == (3, 3) and v.shape == np_vt.shape == (2, 2)
    np.testing.assert_allclose(u.T @ u, np.eye(3), atol=1e-8)
    # (x, False): compute_uv=False, so the singular values alone.
    np.testing.assert_allclose(out["tf.svd values"], np.linalg.svd(matrix, compute_uv=False),
                               rtol=1e-6)


@pytest.mark.parametrize("way", ["runner", "upgraded"])
def test_fast_dct_differs_from_the_exact_one(runs, way):
    # What makes the decode_jpeg check above able to fail.
    fast = np.asarray(runs[way]["decode_jpeg fast"])
    assert np.abs(fast - JPEG_PIXELS).max() > 0


@pytest.mark.parametrize("name", ALL_NAMES)
def test_runner_keeps_the_0x_meaning(runs, name):
    _check(name, runs["runner"])


@pytest.mark.parametrize("name", ALL_NAMES)
def test_upgraded_program_keeps_the_0x_meaning(runs, name):
    _check(name, runs["upgraded"])


def test_runner_reports_each_renamed_name(runs):
    for name in ("tf.inv", "tf.listdiff", "tf.batch_fft3d", "tf.op_scope",
                 "tf.VARIABLES", "tf.image.per_image_whitening"):
        assert name + " -> " in runs["stderr"], name
    # Same names, their 0.x meaning (compat.api.era): reported as such.
    for name in ("tf.svd", "tf.image.decode_jpeg"):
        assert "%s at prog.py:" % name in runs["stderr"], name


def test_upgraded_source_spells_the_modern_names_without_flags(runs):
    result = runs["upgrade"]
    source = result.source
    assert not result.flags, [f.as_dict() for f in result.flags]
    for old, new in (("tf.batch_matrix_determinant(A)", "tf.matrix_determinant(A)"),
                     ("tf.batch_cholesky_solve(chol, B)", "tf.cholesky_solve(chol, B)"),
                     ("tf.inv(v)", "tf.reciprocal(v)"),
                     ("tf.listdiff(", "tf.setdiff1d("),
                     ("tf.complex_abs(", "tf.abs("),
                     ("tf.image.per_image_whitening(", "tf.image.per_image_standardization("),
                     ("tf.get_collection(tf.VARIABLES)",
                      "tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)"),
                     ("tf.batch_svd(tf.constant(tall))", "tf.svd(tf.constant(tall))"),
                     ("tf.svd(tf.constant(tall[0]), True, False)",
                      "tf.svd(tf.constant(tall[0]), compute_uv=True, full_matrices=False)"),
                     ("tf.svd(tf.constant(tall[0]), False)",
                      "tf.svd(tf.constant(tall[0]), compute_uv=False)"),
                     ("tf.sparse_split(1, 2, sp)",
                      "tf.sparse.split(axis=1, num_split=2, sp_input=sp)"),
                     ("tf.image.decode_jpeg(jpeg, 3)",
                      "tf.image.decode_jpeg(jpeg, 3, dct_method=\"INTEGER_ACCURATE\")"),
                     ("tf.op_scope([m], None, \"legacy_scope\")",
                      "tf.name_scope(values=[m], name=None, default_name=\"legacy_scope\")")):
        assert old not in source and new in source, new
    # The keyword renames tf.compat.v1 still accepts are left as written.
    assert "tf.reduce_sum(m, reduction_indices=1, keep_dims=True)" in source
    assert not re.search(r"tf\.batch_\w+\(", source)


def _sigmoid_xent(logits, labels):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def _sampled_logits():
    """TF's sampled logits: each class's x.w + b, less log(expected count)."""
    w = np.arange(15, dtype=np.float64).reshape(5, 3) / 10.0 - 0.7
    b = np.array([0.1, -0.2, 0.3, 0.0, 0.5])
    x = np.array([[1.0, -1.0, 0.5], [0.2, 0.4, -0.3]])
    true = np.array([x[0] @ w[1] + b[1], x[1] @ w[3] + b[3]]) - np.log([0.5, 0.25])
    sampled = x @ w[[0, 2, 4]].T + b[[0, 2, 4]] - np.log([0.2, 0.3, 0.4])
    return true, sampled


@pytest.fixture(scope="module", params=["runner", "upgraded"])
def sampled_run(request, tmp_path_factory):
    """The program through the runner, or upgraded and run with plain
    python (its positional calls wrapped in compat.tf1x.tf0_ops's
    third_arg_order, which decides their order when they run)."""
    tmp = tmp_path_factory.mktemp("sampled")
    if request.param == "runner":
        stdout, _ = through_runner(tmp, SAMPLED_PROGRAM)
    else:
        _, stdout = upgraded(tmp, SAMPLED_PROGRAM)
    return last_json(stdout)


def test_nce_loss_0x_order(sampled_run):
    true, sampled = _sampled_logits()
    expected = _sigmoid_xent(true, 1.0) + _sigmoid_xent(sampled, 0.0).sum(axis=1)
    np.testing.assert_allclose(sampled_run["tf.nn.nce_loss"], expected, rtol=1e-5)
    # A 1.0-order call of the same loss keeps its order.
    np.testing.assert_allclose(sampled_run["nce_loss 1.0 order"], expected, rtol=1e-5)


def test_sampled_softmax_loss_0x_order(sampled_run):
    true, sampled = _sampled_logits()
    logits = np.concatenate([true[:, None], sampled], axis=1)
    expected = np.log(np.exp(logits).sum(axis=1)) - true
    np.testing.assert_allclose(sampled_run["tf.nn.sampled_softmax_loss"], expected, rtol=1e-5)


def test_upgrader_wraps_and_flags_the_sampled_losses_called_positionally():
    from compat import upgrade
    result = upgrade.upgrade_source(SAMPLED_PROGRAM, "sampled.py")
    lines = SAMPLED_PROGRAM.splitlines()
    calls = sorted((name, number) for number, line in enumerate(lines, start=1)
                   for name in ("tf.nn.nce_loss", "tf.nn.sampled_softmax_loss")
                   if name + "(" in line)
    assert len(calls) == 3
    assert sorted((f.name, f.line) for f in result.flags) == calls
    # Wrapped: the order is decided when the line runs, as the runner does.
    assert result.source.count("compat.tf1x.tf0_ops.third_arg_order(tf.nn.nce_loss, W, b, ") \
        == 2
    assert "import compat.tf1x.tf0_ops\n" in result.source
