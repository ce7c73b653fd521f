"""The era's NumPy aliases (``np.int``, ``np.float``, ``np.NaN``, ...), removed
in NumPy 1.24 and 2.0: served as values by the runner, reported once per
line, rewritten by the upgrader through the program's own numpy alias, and
NumPy left as it was after the shim is uninstalled.

Expected values are worked out by hand in the comments, not taken from a
run of either engine."""

import builtins
import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

from compat import api
from compat.api.names import numpy_names
from conftest import REPO_ROOT

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")

# A 2017-style program: the aliases in dtype=, astype, isinstance, arithmetic,
# a loop, and a parameter called np that is not numpy.
PROGRAM = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    labels = np.array([2.9, 0.2, 1.7], dtype=np.float)
    idx = labels.astype(np.int)
    mask = np.array([1, 0, 1], dtype=np.bool)
    names = np.array(['a', 'bb'], dtype=np.object)
    x = tf.placeholder(tf.float32, [None])
    total = tf.reduce_sum(x * 2.0)
    with tf.Session() as sess:
        out = sess.run(total, {x: labels.astype(np.float32)})
    acc = 0
    for step in range(3):
        acc += np.int(step * 1.5)
    print(idx.tolist(), idx.dtype == np.dtype(np.int), mask.tolist())
    print(isinstance(out.item(), np.float), isinstance(names[1], np.str), round(float(out), 4))
    print(acc, np.isnan(np.NaN), np.float_ is np.float64, np.Inf > 1e308)


    def count(np):
        return np.int + 1


    class Counter(object):
        int = 41


    print(count(Counter()))
    """)

# By hand: [2.9, 0.2, 1.7] truncated to int is [2, 0, 1]; 2 * (2.9 + 0.2 + 1.7)
# = 9.6; int(0) + int(1.5) + int(3.0) = 4; 'bb' is a str; NaN is NaN;
# float_ was float64; Inf > 1e308; count(Counter()) = 41 + 1.
EXPECTED = ["[2, 0, 1] True [True, False, True]",
            "True True 9.6",
            "4 True True True",
            "42"]


def line_of(fragment, text=PROGRAM):
    """1-based line of the program holding ``fragment`` (exactly once)."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(lines) == 1, fragment
    return lines[0]


def env():
    return dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2")


def plain_env():
    environment = env()
    environment.pop("TF_USE_LEGACY_KERAS", None)
    return environment


def test_every_alias_is_a_numpy_value_with_a_replacement_today():
    numpy = importlib.import_module("numpy")
    members = api.value_module_members()
    assert set(members) == {"numpy"}
    assert {e.old for e in numpy_names.ENTRIES} == {
        "numpy." + name for name in members["numpy"]}
    for entry in numpy_names.ENTRIES:
        name = entry.old.rpartition(".")[2]
        assert entry.kind is api.Kind.RENAME and entry.since.startswith("removed in NumPy ")
        module, _, member = entry.new.rpartition(".")
        assert module in ("", "numpy"), entry.new
        assert hasattr(numpy if module else builtins, member), entry.new
        # Gone from NumPy 2.4, except the two it defines again with another meaning.
        assert ("numpy." + name in {"numpy.bool", "numpy.long"}) == (name in vars(numpy))


@pytest.fixture(scope="module")
def runner_result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("np_runner")
    program = tmp / "prog.py"
    program.write_text(PROGRAM)
    report = tmp / "report.json"
    result = subprocess.run([sys.executable, RUNNER, "--report=%s" % report, str(program)],
                            capture_output=True, text=True, cwd=str(tmp), env=env(),
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result, json.loads(report.read_text())["changes"]


def test_runner_serves_the_aliases_as_values(runner_result):
    result, _ = runner_result
    assert result.stdout.splitlines()[-4:] == EXPECTED


def test_runner_reports_each_alias_once_per_line(runner_result):
    result, changes = runner_result
    found = {(c["name"], c["line"]): (c["new"], c["count"]) for c in changes
             if c["name"].startswith("numpy.")}
    assert found == {
        ("numpy.float", line_of("dtype=np.float)")): ("float", 1),
        ("numpy.int", line_of("astype(np.int)")): ("int", 1),
        ("numpy.object", line_of("dtype=np.object")): ("object", 1),
        # Run on three steps: one change, applied three times.
        ("numpy.int", line_of("acc += np.int")): ("int", 3),
        ("numpy.int", line_of("np.dtype(np.int)")): ("int", 1),
        ("numpy.float", line_of("isinstance(out.item()")): ("float", 1),
        ("numpy.str", line_of("isinstance(out.item()")): ("str", 1),
        ("numpy.NaN", line_of("np.NaN")): ("numpy.nan", 1),
        ("numpy.float_", line_of("np.NaN")): ("numpy.float64", 1),
        ("numpy.Inf", line_of("np.NaN")): ("numpy.inf", 1),
    }
    # np.bool is NumPy 2's own numpy.bool_ (dtype=np.bool means the same), so
    # NumPy answers it and nothing is served; count()'s np is no module.
    said = [line for line in result.stderr.splitlines() if "numpy.int ->" in line]
    assert said == ["tf1-compat: numpy.int -> int (removed in NumPy 1.24) at prog.py:%d; %s"
                    % (line_of("astype(np.int)"), api.BY_OLD["numpy.int"].note)]
    assert "numpy.NaN -> numpy.nan (removed in NumPy 2.0) at prog.py:%d" % line_of(
        "np.NaN") in result.stderr


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    from compat import upgrade
    tmp = tmp_path_factory.mktemp("np_upgraded")
    result = upgrade.upgrade_source(PROGRAM, "prog.py")
    path = tmp / "prog.py"
    path.write_text(result.source)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         cwd=str(tmp), env=plain_env(), timeout=300)
    return result, run


def test_upgrader_rewrites_through_the_alias(upgraded):
    result, _ = upgraded
    lines = result.source.splitlines()

    def new_line(fragment):
        # The upgrade adds one line (tf.disable_v2_behavior()) after the imports.
        return lines[line_of(fragment)]
    assert new_line("dtype=np.float)") == "labels = np.array([2.9, 0.2, 1.7], dtype=float)"
    assert new_line("astype(np.int)") == "idx = labels.astype(int)"
    assert new_line("dtype=np.bool") == "mask = np.array([1, 0, 1], dtype=bool)"
    assert new_line("dtype=np.object") == "names = np.array(['a', 'bb'], dtype=object)"
    assert new_line("acc += np.int") == "    acc += int(step * 1.5)"
    assert new_line("np.dtype(np.int)") == (
        "print(idx.tolist(), idx.dtype == np.dtype(int), mask.tolist())")
    assert new_line("isinstance(out.item()") == (
        "print(isinstance(out.item(), float), isinstance(names[1], str), "
        "round(float(out), 4))")
    assert new_line("np.NaN") == (
        "print(acc, np.isnan(np.nan), np.float64 is np.float64, np.inf > 1e308)")
    # The parameter called np is not numpy.
    assert new_line("return np.int + 1") == "    return np.int + 1"
    assert not result.flags
    changed = sorted((c.name, c.line) for c in result.changes if c.name.startswith("numpy."))
    assert changed == sorted([
        ("numpy.float", line_of("dtype=np.float)")), ("numpy.int", line_of("astype(np.int)")),
        ("numpy.bool", line_of("dtype=np.bool")), ("numpy.object", line_of("dtype=np.object")),
        ("numpy.int", line_of("acc += np.int")), ("numpy.int", line_of("np.dtype(np.int)")),
        ("numpy.float", line_of("isinstance(out.item()")),
        ("numpy.str", line_of("isinstance(out.item()")),
        ("numpy.NaN", line_of("np.NaN")), ("numpy.float_", line_of("np.NaN")),
        ("numpy.Inf", line_of("np.NaN"))])


def test_upgraded_file_runs_with_plain_python(upgraded, runner_result):
    _, run = upgraded
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines()[-4:] == EXPECTED
    assert run.stdout.splitlines()[-4:] == runner_result[0].stdout.splitlines()[-4:]


OTHER_ALIASES = textwrap.dedent("""\
    import numpy
    import numpy as N
    from numpy import float_
    print(numpy.zeros(2, dtype=numpy.float).dtype, N.float_(2.5) * 2, N.unicode_('ab'))
    print(float_(1.0))
    """)


def test_upgrader_uses_each_import_name_and_flags_from_imports(tmp_path):
    from compat import upgrade
    result = upgrade.upgrade_source(OTHER_ALIASES, "other.py")
    assert result.source.splitlines()[3] == (
        "print(numpy.zeros(2, dtype=float).dtype, N.float64(2.5) * 2, N.str_('ab'))")
    assert [(f.name, f.line) for f in result.flags] == [("numpy.float_", 3)]
    assert "import the module and use numpy.float64 instead" in result.flags[0].note
    # The runner serves `from numpy import float_` too (an import reads the
    # attribute): float64 * 2 = 5.0, str_ of 'ab', float64(1.0).
    program = tmp_path / "other.py"
    program.write_text(OTHER_ALIASES)
    run = subprocess.run([sys.executable, RUNNER, str(program)], capture_output=True,
                         text=True, cwd=str(tmp_path), env=env(), timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines()[-2:] == ["float64 5.0 ab", "1.0"]
    assert "numpy.float_ -> numpy.float64 (removed in NumPy 2.0) at other.py:3" in run.stderr


def test_numpy_restored_after_uninstall():
    import numpy
    from compat import legacy_shim
    from compat.legacy.shim import Reporter
    own = numpy.__dict__["__getattr__"]
    reporter = Reporter(quiet=True)
    legacy_shim.install(reporter=reporter)
    try:
        assert numpy.int is int and numpy.Infinity == float("inf")
        assert numpy.zeros(1, dtype=numpy.complex).dtype == numpy.complex128
        # Names that are no legacy alias still get NumPy's own answer.
        assert numpy.linalg.norm(numpy.array([3.0, 4.0])) == 5.0
        with pytest.raises(AttributeError, match="asscalar"):
            numpy.asscalar
    finally:
        legacy_shim.uninstall()
    assert numpy.__dict__["__getattr__"] is own
    with pytest.raises(AttributeError, match="1.20"):
        numpy.int
    assert [(c["name"], c["count"]) for c in reporter.changes] == [
        ("numpy.int", 1), ("numpy.Infinity", 1), ("numpy.complex", 1)]
