"""The table's TF 0.x math, linear-algebra and FFT names: the ``batch_*``
ops 0.12 folded into their plain forms, the 1.0 renames of ``tf.inv``,
``tf.listdiff`` and ``tf.complex_abs``, ``tf.svd``'s reordered arguments,
and the ``axis`` keyword renames of 1.0 that ``tf.compat.v1`` still accepts.
Field meanings: ``compat.api.entry``.

Sources: TensorFlow's RELEASE.md (0.11.0, 0.12.0, 1.0.0) and TF 1.0's own
upgrader, ``tensorflow/tools/compatibility/tf_upgrade.py`` (its
``symbol_renames``, ``function_keyword_renames`` and ``function_reorders``).
"""

from compat.api.entry import Kind
from compat.api.entry import entry as _entry

# RELEASE.md 0.12.0: "Combined batch_* and regular version of linear algebra
# and FFT ops. The regular op now handles batches as well. All batch_*
# Python interfaces were removed."  Each plain op takes the batch op's
# arguments in the same order (0.11's linalg_ops.py and gen ops), and works
# on the innermost matrices (or vectors, for the FFTs) as the batch op did.
_BATCH_OPS = (
    ("batch_matrix_determinant", "matrix_determinant"),
    ("batch_matrix_inverse", "matrix_inverse"),
    ("batch_cholesky", "cholesky"),
    ("batch_cholesky_solve", "cholesky_solve"),
    ("batch_matrix_solve", "matrix_solve"),
    ("batch_matrix_solve_ls", "matrix_solve_ls"),
    ("batch_matrix_triangular_solve", "matrix_triangular_solve"),
    # 0.11's batch_self_adjoint_eig already returned the pair (e, v).
    ("batch_self_adjoint_eig", "self_adjoint_eig"),
    ("batch_self_adjoint_eigvals", "self_adjoint_eigvals"),
    ("batch_matrix_diag", "matrix_diag"),
    ("batch_matrix_diag_part", "matrix_diag_part"),
    # tf_upgrade.py (1.0) spells these two tf.batch_band_part and
    # tf.batch_set_diag; the ops programs called had "matrix_" in the name.
    ("batch_matrix_band_part", "matrix_band_part"),
    ("batch_matrix_set_diag", "matrix_set_diag"),
    ("batch_matrix_transpose", "matrix_transpose"),
    ("batch_fft", "fft"),
    ("batch_ifft", "ifft"),
    ("batch_fft2d", "fft2d"),
    ("batch_ifft2d", "ifft2d"),
    ("batch_fft3d", "fft3d"),
    ("batch_ifft3d", "ifft3d"),
)

# 0.11's svd and batch_svd: (tensor, compute_uv=True, full_matrices=False,
# name=None); 1.0 swapped the two flags (tf_upgrade.py's function_reorders).
_SVD_PARAMS = ("tensor", "compute_uv", "full_matrices", "name")
_SVD_NEW_PARAMS = ("tensor", "full_matrices", "compute_uv", "name")

# RELEASE.md 1.0.0: "The following Python functions have had their arguments
# changed to use `axis`"; tf.compat.v1 still takes every old keyword
# (checked on TF 2.21 by tests/test_tf0_upgrade_table.py), with the same
# meaning and the same positional order, so these are listed, not mapped.
_AXIS_KEYWORDS = (
    ("argmax", "dimension"), ("argmin", "dimension"),
    ("count_nonzero", "reduction_indices, keep_dims"), ("expand_dims", "dim"),
    ("reduce_all", "reduction_indices, keep_dims"),
    ("reduce_any", "reduction_indices, keep_dims"),
    ("reduce_join", "reduction_indices, keep_dims"),
    ("reduce_logsumexp", "reduction_indices, keep_dims"),
    ("reduce_max", "reduction_indices, keep_dims"),
    ("reduce_mean", "reduction_indices, keep_dims"),
    ("reduce_min", "reduction_indices, keep_dims"),
    ("reduce_prod", "reduction_indices, keep_dims"),
    ("reduce_sum", "reduction_indices, keep_dims"),
    ("reverse_sequence", "seq_dim, batch_dim"),
    ("sparse_reduce_sum", "reduction_axes, keep_dims"),
    ("sparse_reduce_sum_sparse", "reduction_axes, keep_dims"),
    ("squeeze", "squeeze_dims"),
)

ENTRIES = tuple(
    _entry("tf." + old, "tf." + new, "0.12", Kind.RENAME,
           note="0.12 removed the batch_* form; %s handles batches" % new)
    for old, new in _BATCH_OPS
) + (
    _entry("tf.batch_svd", "tf.svd", "0.12", Kind.ARGS, params=_SVD_PARAMS,
           new_params=_SVD_NEW_PARAMS, positional_kept=1,
           note="0.12 removed the batch_* form; tf.svd handles batches, with compute_uv "
                "and full_matrices in the other order"),
    # The same name in both eras with its two flags swapped: a positional
    # call means what the program's era meant (compat.api.era).
    _entry("tf.svd", "tf.svd", "1.0", Kind.KEPT, params=_SVD_PARAMS,
           era_adapter="svd_0x_flags", era_since="1.0",
           era_note="tf.svd's positional flags are (compute_uv, full_matrices)",
           note="argument order changed from (tensor, compute_uv, full_matrices) to "
                "(tensor, full_matrices, compute_uv); a TF 0.x program's positional flags "
                "keep their 0.x meaning"),
    # tf.compat.v1.sparse_concat still has concat_dim=, but its axis is a
    # required parameter: a call naming concat_dim= alone fails there.
    # TF 1.x kept concat_dim= as a deprecated alias: it does not tell the era.
    _entry("tf.sparse_concat", "tf.sparse_concat", "1.0", Kind.ARGS, survived_1_0=True,
           params=("concat_dim", "sp_inputs", "name", "expand_nonconcat_dim"),
           renames={"concat_dim": "axis"},
           new_params=("axis", "sp_inputs", "name", "expand_nonconcat_dim"), positional_kept=4,
           note="concat_dim= became axis= (RELEASE.md 1.0); positional calls are unchanged"),
    # RELEASE.md 1.0.0 and tf_upgrade.py's symbol_renames.
    _entry("tf.inv", "tf.reciprocal", "1.0", Kind.RENAME,
           note="element-wise 1/x, renamed so as not to be read as a matrix inverse"),
    _entry("tf.listdiff", "tf.setdiff1d", "1.0", Kind.RENAME,
           note="renamed after NumPy's setdiff1d; returns (out, idx) as before"),
    _entry("tf.list_diff", "tf.setdiff1d", "1.0", Kind.RENAME,
           note="the spelling tf_upgrade.py (1.0) also maps to tf.setdiff1d"),
    _entry("tf.complex_abs", "tf.abs", "1.0", Kind.RENAME,
           note="removed from the Python API; tf.abs gives a complex tensor's magnitude"),
) + tuple(
    _entry("tf." + name, "tf." + name, "1.0", Kind.KEPT,
           note="1.0 renamed its dimension keywords after axis; tf.compat.v1.%s still "
                "accepts %s with the 0.x meaning and positional order" % (name, keywords))
    for name, keywords in _AXIS_KEYWORDS
)
