"""The program's era decides what a name means (compat.api.era): TF 1.0 made
tf.div, tf.mod, // and % floor (they truncated, C style, before) and tf.round
round half to even (half away from zero before); TF 0.11 made the LSTM
cells' state_is_tuple default True (RELEASE.md 1.0.0 and 0.11.0).

One small 2016-style program holds every change; it runs through the runner
as TF 0.10 and as auto (only names both eras share: 1.x), a second one with
a name gone in TF 1.0 runs as auto (0.x), and the first one upgraded for
TF 0.10 runs with plain python.  Expected values are numpy's: truncation
np.trunc(a / b), C's fmod np.fmod, half away from zero
sign(x) * floor(|x| + 0.5), and numpy's own floor division, modulus and
half-to-even rounding for TF 1.x."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compat import api, upgrade
from compat.api import era as eras
from conftest import REPO_ROOT, plain_env

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")
UPGRADE = str(REPO_ROOT / "scripts" / "upgrade.py")

A = np.array([7, -7, 7, -7])
B = np.array([2, 2, -2, -2])
FLOATS = np.array([-7.5, 7.5])
HALVES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
UNITS = 3

# Only names TF 0.x and 1.x share (tf.initialize_all_variables stayed in 1.x
# as a deprecated alias); a Python 2 program, as many of the time were.
PROGRAM = """\
import json, sys
import tensorflow as tf

a = tf.constant([7, -7, 7, -7])
b = tf.constant([2, 2, -2, -2])
halves = tf.constant([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
cell = tf.nn.rnn_cell.BasicLSTMCell(3)
output, state = cell(tf.ones([2, 4]), cell.zero_state(2, tf.float32))
sess = tf.Session()
sess.run(tf.initialize_all_variables())
names = ["div", "mod", "floordiv", "rem", "rfloordiv", "py2div", "fmod", "round", "fdiv"]
values = sess.run([tf.div(a, b), tf.mod(a, b), a // b, a % b, 7 // b, a / b,
                   tf.mod(tf.constant([-7.5, 7.5]), 2.), tf.round(halves), tf.div(halves, 2.)])
out = dict((name, value.tolist()) for name, value in zip(names, values))
svd = tf.svd(tf.constant([[1., 2.], [3., 4.], [5., 6.]]), True, False)
out["svd"] = [list(part.shape) for part in sess.run(list(svd) if isinstance(svd, tuple) else [svd])]
if isinstance(state, tuple):
    out["state"] = "tuple"
else:
    out["state"] = state.get_shape().as_list()
print "done"
json.dump(out, open(sys.argv[1], "w"))
"""

# tf.mul was gone in TF 1.0: auto takes this one for TF 0.x.
PROGRAM_0X = """\
import json, sys
import tensorflow as tf
a = tf.constant([7, -7])
twice = tf.mul(a, 2)
cell = tf.nn.rnn_cell.BasicLSTMCell(2)
output, state = cell(tf.ones([1, 2]), cell.zero_state(1, tf.float32))
sess = tf.Session()
json.dump({"div": sess.run(tf.div(twice, 4)).tolist(), "floordiv": sess.run(a // 2).tolist(),
           "tuple": isinstance(state, tuple)}, open(sys.argv[1], "w"))
"""


# tf.svd(x, True, False) of a 3x2 matrix: 0.x's (compute_uv, full_matrices)
# gives s, u and v, u thin (3x2); 1.x's (full_matrices, compute_uv) gives s alone.
SVD_0X, SVD_1X = [[2], [3, 2], [2, 2]], [[2]]


def expected_0x():
    return {"svd": SVD_0X, "div": np.trunc(A / B), "mod": np.fmod(A, B), "floordiv": np.trunc(A / B),
            "rem": np.fmod(A, B), "rfloordiv": np.trunc(7 / B), "py2div": np.trunc(A / B),
            "fmod": np.fmod(FLOATS, 2.), "round": np.sign(HALVES) * np.floor(np.abs(HALVES) + .5),
            # Floats were divided exactly in both eras (the Div kernel; RealDiv in 1.x).
            "fdiv": HALVES / 2.}


def expected_1x():
    return {"svd": SVD_1X, "div": A // B, "mod": np.mod(A, B), "floordiv": A // B, "rem": np.mod(A, B),
            "rfloordiv": 7 // B, "py2div": A // B, "fmod": np.mod(FLOATS, 2.),
            "round": np.round(HALVES), "fdiv": HALVES / 2.}


def check_values(out, expected):
    for name, value in expected.items():
        if isinstance(value, list):
            assert out[name] == value, name
        else:
            np.testing.assert_array_equal(np.asarray(out[name]), value, err_msg=name)


def run(argv, tmp_path):
    result = subprocess.run(argv, capture_output=True, text=True, cwd=str(tmp_path),
                            timeout=300, env=plain_env())
    return result


def through_runner(tmp_path, source, tf_version, name):
    program = tmp_path / (name + ".py")
    program.write_text(source)
    out, report = tmp_path / (name + ".json"), tmp_path / (name + ".report.json")
    args = [] if tf_version is None else ["--tf_version=" + tf_version]
    result = run([sys.executable, RUNNER, "--report=%s" % report, *args, str(program),
                  str(out)], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    decisions = [line for line in result.stderr.splitlines() if " semantics (" in line]
    return json.loads(out.read_text()), json.loads(report.read_text())["changes"], decisions, \
        result.stderr


def test_runner_as_tf_0_10_gives_every_old_meaning(tmp_path):
    out, changes, decisions, _ = through_runner(tmp_path, PROGRAM, "0.10", "p010")
    check_values(out, expected_0x())
    # One flat state tensor: c and h side by side.
    assert out["state"] == [2, 2 * UNITS]
    assert len(decisions) == 1 and decisions[0].startswith(
        "tf1-compat: TF 0.10 semantics (--tf_version=0.10): integer tf.div, // and Python 2 /"
        " truncate toward zero")
    era_uses = {(c["name"], c["line"]) for c in changes if c["kind"] == "era"}
    assert {("tf.div", 12), ("tf.mod", 12), ("tf.round", 13), ("tf.Tensor.__floordiv__", 12),
            ("tf.Tensor.__mod__", 12), ("tf.nn.rnn_cell.BasicLSTMCell", 7)} <= era_uses


def test_runner_auto_with_shared_names_takes_tf_1_x(tmp_path):
    out, changes, decisions, _ = through_runner(tmp_path, PROGRAM, None, "auto1x")
    check_values(out, expected_1x())
    assert out["state"] == "tuple"
    assert decisions == ["tf1-compat: TF 1.x semantics (only names TF 0.x and 1.x share; 1.x "
                         "assumed, --tf_version=0.x for a 0.x program): the names mean what "
                         "tf.compat.v1 gives"]
    assert not [c for c in changes if c["kind"] == "era"]


def test_runner_auto_with_a_removed_name_takes_tf_0_x(tmp_path):
    out, changes, decisions, stderr = through_runner(tmp_path, PROGRAM_0X, "auto", "auto0x")
    # [14, -14] / 4 truncated; [7, -7] // 2 truncated.
    assert out["div"] == np.trunc(np.array([14, -14]) / 4).tolist() == [3, -3]
    assert out["floordiv"] == [3, -3]
    assert len(decisions) == 1
    assert decisions[0].startswith("tf1-compat: TF 0.x semantics (tf.mul used at line 4 was "
                                   "gone in TF 1.0): integer tf.div")
    # "0.x" cannot tell 0.10 from 0.11: the cell keeps its tuple, flagged.
    assert "not decided: LSTM cells keep one flat state tensor before TF 0.11" in decisions[0]
    assert out["tuple"] is True
    assert "tf.nn.rnn_cell.BasicLSTMCell at auto0x.py:5: the TF 1.x meaning kept" in stderr
    assert {c["name"] for c in changes if c["kind"] == "era"} >= {
        "tf.div", "tf.Tensor.__floordiv__", "tf.nn.rnn_cell.BasicLSTMCell"}


def test_upgraded_for_tf_0_10_runs_with_the_old_meanings(tmp_path):
    result = upgrade.upgrade_source(PROGRAM, "prog.py", tf_version="0.10")
    source = result.source
    assert "tf.raw_ops.Div(x=a, y=b), tf.truncatemod(a, b)" in source
    assert "tf.raw_ops.Div(x=halves, y=2.)" in source
    assert "tf.sign(halves) * tf.floor(tf.math.abs(halves) + 0.5)" in source
    assert "tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False)" in source
    assert "tf.truncatemod(tf.constant([-7.5, 7.5]), 2.)" in source
    assert "compute_uv=True, full_matrices=False)" in source
    flagged = {(f.name, f.line) for f in result.flags}
    assert flagged == {("tf.nn.rnn_cell.BasicLSTMCell", 7), ("tf.div", 12), ("tf.mod", 12),
                       ("tf.Tensor.__floordiv__", 12), ("tf.Tensor.__mod__", 12),
                       ("tf.mod", 13), ("tf.round", 13), ("tf.div", 13)}
    assert [n.note for n in result.notes if n.name == "tf_version"] == [
        eras.describe(eras.parse("0.10"))]
    path = tmp_path / "upgraded.py"
    path.write_text(source)
    ran = run([sys.executable, str(path), str(tmp_path / "out.json")], tmp_path)
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    old = expected_0x()
    # Every value the 0.x way, the operators too: the source cannot tell
    # whether their operands are tensors, so they became calls of
    # compat.tf1x.tf0_ops, which decide when the line runs (and are flagged).
    assert "compat.tf1x.tf0_ops.floordiv(a, b), compat.tf1x.tf0_ops.mod(a, b)" in source
    assert "compat.tf1x.tf0_ops.div(a, b)" in source  # Python 2's a / b
    assert "import compat.tf1x.tf0_ops\nimport tensorflow.compat.v1 as tf\n" in source
    check_values(out, old)
    assert out["state"] == [2, 2 * UNITS]


def test_upgrader_auto_and_coarse_eras():
    # Shared names only: 1.x, nothing rewritten or flagged for the era.
    result = upgrade.upgrade_source(PROGRAM, "prog.py")
    assert "tf.div(a, b), tf.mod(a, b)" in result.source
    assert not result.flags
    # 0.x: the cell is flagged, not rewritten (0.10 and 0.11 differ).
    result = upgrade.upgrade_source(PROGRAM, "prog.py", tf_version="0.x")
    assert "tf.nn.rnn_cell.BasicLSTMCell(3)\n" in result.source
    (cell,) = [f for f in result.flags if f.name == "tf.nn.rnn_cell.BasicLSTMCell"]
    assert "add state_is_tuple=False" in cell.note
    # auto on a program with a removed name: the same as 0.x.
    result = upgrade.upgrade_source(PROGRAM_0X, "prog.py")
    assert "tf.raw_ops.Div(x=twice, y=4)" in result.source
    assert {f.name for f in result.flags} == {"tf.div", "tf.Tensor.__floordiv__",
                                              "tf.nn.rnn_cell.BasicLSTMCell"}


@pytest.mark.parametrize("source, era", [
    ("import tensorflow as tf\ny = tf.pack([x])", "0.x"),
    ("import tensorflow as tf\ns = tf.scalar_summary('loss', x)", "0.x"),
    ("import tensorflow as tf\nl = tf.nn.softmax_cross_entropy_with_logits(p, y)", "0.x"),
    ("import tensorflow as tf\nl = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=p)",
     "1.x"),
    ("import tensorflow as tf\nc = tf.concat(1, [a, b])", "0.x"),
    ("import tensorflow as tf\nc = tf.concat([a, b], 1)", "1.x"),
    ("import tensorflow as tf\ni = tf.initialize_all_variables()", "1.x"),
    ("import tensorflow as T\ni = T.mul(a, b)", "0.x"),
    ("from tensorflow.python.ops import rnn\no, s = rnn.rnn(cell, xs)", "0.x"),
    ("mul = lambda a, b: a * b\ni = mul(a, b)", "1.x"),
])
def test_auto_decides_from_names_gone_in_tf_1_0(source, era):
    assert eras.detect(source).label == era


def test_bad_tf_version_is_one_line(tmp_path):
    program = tmp_path / "p.py"
    program.write_text("print(1)\n")
    for script in (RUNNER, UPGRADE):
        result = run([sys.executable, script, "--tf_version=2.0", str(program)], tmp_path)
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert "--tf_version=2.0" in line and "0.x" in line


@pytest.mark.parametrize("value, div, cells", [
    ("1.x", False, False), ("0.12", True, False), ("0.11", True, False), ("0.10", True, True),
    ("0.9", True, True), ("0.x", True, None)])
def test_which_changes_an_era_gets(value, div, cells):
    # tf.div changed in TF 1.0, the cells' default in 0.11 (RELEASE.md);
    # "0.x" cannot place a change made within 0.x.
    era = eras.parse(value)
    assert eras.applies(era, api.BY_OLD["tf.div"]) is div
    assert eras.applies(era, api.BY_OLD["tf.nn.rnn_cell.LSTMCell"]) is cells
    assert eras.applies(era, api.BY_OLD["tf.pack"]) is False  # no era meaning
