"""Bad input through the real command-line scripts, each in a subprocess:
a non-zero exit, exactly one line on stderr saying what is wrong (naming the
flag, file or value), no traceback, and nothing written, overwritten or left
half-written.

Cases tested elsewhere are not repeated here:
tests/test_run_script.py::test_bad_input_is_one_line_and_nonzero (unknown
--model and --init with their choices, --steps=0, a negative --batch_size,
--dropout=0 and 1.5, a batch larger than the data, --device=gpu without a
GPU, --training_iters too small, a stray argument),
::test_missing_data_names_the_files_and_the_flag and ::test_unwritable_logdir
(--logdir a file); tests/test_legacy_runner.py::test_program_that_does_not_parse;
tests/test_notmnist.py::test_script_errors_are_one_line.  The loaders
themselves are fuzzed in tests/test_fuzz_loaders.py.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from conftest import REPO_ROOT, write_idx, write_mnist_dir
from test_notmnist import make_letter_root

RUN = str(REPO_ROOT / "scripts" / "run.py")
RUN_LEGACY = str(REPO_ROOT / "scripts" / "run_legacy.py")
UPGRADE = str(REPO_ROOT / "scripts" / "upgrade.py")
CLOSED_PORT = "http://127.0.0.1:9/"

# What TensorFlow's C++ runtime may print on its own (glog lines such as
# "I0000 00:00:1732...  cpu_feature_guard.cc:...", and absl's notice) is not
# the script's output; compat.util.quiet_import and TF_CPP_MIN_LOG_LEVEL=2 (as in
# test_run_script.py) hide most of it, and this ignores the rest.
_RUNTIME_NOISE = re.compile(r"^(?:[IWEF]\d{4} |WARNING: All log messages before absl::)")


def error_lines(stderr):
    """The lines of ``stderr`` that are the script's own.  splitlines also
    splits at carriage returns, so a progress bar counts as lines."""
    return [line for line in stderr.splitlines()
            if line.strip() and not _RUNTIME_NOISE.match(line)]


def assert_one_line_error(result, prog, *expected):
    """``result`` failed with one ``prog: error: ...`` line holding each of
    ``expected``; returns that line."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prog + ": error: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def run_script(script, *args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, script, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or str(REPO_ROOT), env=env, timeout=300)


def snapshot(directory):
    """Every file under ``directory`` with its bytes, and every folder."""
    found = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs:
            found[os.path.relpath(os.path.join(root, name), directory)] = None
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, directory)] = f.read()
    return found


# --- scripts/run.py ----------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny MNIST directory (40 train, 8 test) and notMNIST_small (3 per
    letter), both left unchanged by every test."""
    base = tmp_path_factory.mktemp("bad_input")
    write_mnist_dir(base / "mnist", n_train=40, n_test=8)
    make_letter_root(base / "notMNIST_small", per_letter=3)
    return base


def run_driver(tmp_path, *args):
    """run.py on a fresh --logdir (which must stay empty: bad input is caught
    before a run directory is made) with a few quick steps."""
    logdir = tmp_path / "runs"
    result = run_script(RUN, "--validation_size=10", "--logdir=%s" % logdir, *args)
    assert not logdir.exists() or not os.listdir(logdir), os.listdir(logdir)
    return result


# Flags: "{tiny}" is the tiny data's directory, "{tmp}" the test's own.
MNIST = ["--data_dir={tiny}/mnist", "--steps=2", "--batch_size=8"]
NOTMNIST = ["--model=nn", "--data_dir={tiny}/notMNIST_small", "--cache_dir={tmp}/cache",
            "--steps=2", "--batch_size=8", "--valid_size=10", "--test_size=10"]


@pytest.mark.parametrize("args, expected", [
    pytest.param(MNIST + ["--batch_size=0"],
                 ["--batch_size must be a positive integer, got 0"], id="batch_size=0"),
    pytest.param(["--data_dir={tiny}/mnist", "--training_iters=0"],
                 ["--training_iters=0 trains no step"], id="training_iters=0"),
    pytest.param(MNIST + ["--display_step=0"],
                 ["--display_step must be a positive integer, got 0"], id="display_step=0"),
    pytest.param(MNIST + ["--summary_every=0"],
                 ["--summary_every must be a positive integer, got 0"], id="summary_every=0"),
    pytest.param(MNIST + ["--model=nn", "--dataset=mnist", "--hidden=0"],
                 ["--hidden must be positive, got 0"], id="hidden=0"),
    pytest.param(NOTMNIST + ["--train_size=-1"],
                 ["train_size must be a non-negative integer, got -1"], id="train_size=-1"),
    pytest.param(NOTMNIST + ["--train_size=0"],
                 ["needs at least", "the training set has 0", "--train_size"],
                 id="train_size=0"),
    pytest.param(["--data_dir={tiny}/mnist/train-images-idx3-ubyte.gz", "--steps=2",
                  "--source_url=" + CLOSED_PORT],
                 ["mnist/train-images-idx3-ubyte.gz is a file, not a directory holding the "
                  "data files", "pass --data_dir=DIR"], id="data_dir a file"),
    pytest.param(["--data_dir={tmp}/nothing", "--steps=2", "--source_url=not-a-url"],
                 ["data files missing from", "downloading not-a-url/train-images-idx3-ubyte"
                  ".gz failed: bad URL", "pass --data_dir=DIR"], id="malformed source_url"),
])
def test_run_py_bad_flags(tiny, tmp_path, args, expected):
    args = [arg.format(tiny=tiny, tmp=tmp_path) for arg in args]
    assert_one_line_error(run_driver(tmp_path, *args), "run.py", *expected)


def _damaged_mnist(tiny, tmp_path, name, damage):
    data_dir = tmp_path / "mnist"
    shutil.copytree(tiny / "mnist", data_dir)
    path = data_dir / name
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-20])
    elif damage == "corrupt":
        data = bytearray(path.read_bytes())
        data[-8] ^= 0xFF  # the gzip CRC no longer matches the contents
        path.write_bytes(bytes(data))
    elif damage == "magic":
        write_idx(path, np.zeros((8, 28, 28)), magic=0x0D03)
    elif damage == "count":
        write_idx(path, np.arange(39) % 10)
    return data_dir, path


@pytest.mark.parametrize("damage, name, expected", [
    ("truncated", "train-images-idx3-ubyte.gz", ["is not a valid gzip file / is truncated"]),
    ("corrupt", "t10k-labels-idx1-ubyte.gz", ["is not a valid gzip file", "CRC check failed"]),
    ("magic", "t10k-images-idx3-ubyte.gz", ["invalid magic number 3331 (0x00000d03)"]),
    ("count", "train-labels-idx1-ubyte.gz", ["has 40 images but", "has 39 labels"]),
])
def test_run_py_bad_data_file(tiny, tmp_path, damage, name, expected):
    data_dir, path = _damaged_mnist(tiny, tmp_path, name, damage)
    before = snapshot(data_dir)
    result = run_driver(tmp_path, "--data_dir=%s" % data_dir, "--steps=2", "--batch_size=8")
    assert_one_line_error(result, "run.py", str(path), *expected)
    assert snapshot(data_dir) == before


def test_run_py_corrupt_notmnist_tarball(tiny, tmp_path):
    data_dir = tmp_path / "tarballs"
    data_dir.mkdir()
    archive = data_dir / "notMNIST_small.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tiny / "notMNIST_small", arcname="notMNIST_small")
    archive.write_bytes(archive.read_bytes()[:-100])
    # A cold cache: the archive is extracted in this run (no progress bars on
    # a stderr that is not a terminal).
    result = run_driver(tmp_path, "--model=nn", "--data_dir=%s" % data_dir,
                        "--cache_dir=%s" % (tmp_path / "cache"), "--steps=2", "--batch_size=8",
                        "--train_size=10", "--valid_size=10", "--test_size=10")
    assert_one_line_error(result, "run.py", str(archive) + ": not a readable .tar.gz archive")
    # No partly extracted folder is left for the next run to trust.
    assert not list((tmp_path / "cache").rglob("notMNIST_small"))


def test_run_py_checksum_mismatch_after_download(tiny, tmp_path, http_dir):
    served, url = http_dir
    data_dir = tmp_path / "mnist"
    shutil.copytree(tiny / "mnist", data_dir)
    missing = data_dir / "t10k-labels-idx1-ubyte.gz"
    missing.rename(served / missing.name)  # a tiny file: not MNIST's md5
    kept = snapshot(data_dir)
    result = run_driver(tmp_path, "--data_dir=%s" % data_dir, "--steps=2", "--batch_size=8",
                        "--source_url=%s" % url)
    assert_one_line_error(result, "run.py", str(missing), "md5 mismatch after downloading "
                          + url + missing.name, "expected ec29112dd5afa0611ce80d1b7f02629c")
    # The bad download is gone (no .part either); the good files are untouched.
    assert snapshot(data_dir) == kept


def test_run_py_logdir_under_a_file(tiny, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    result = run_script(RUN, "--data_dir=%s" % (tiny / "mnist"), "--validation_size=10",
                        "--steps=2", "--batch_size=8", "--logdir=%s" % (blocker / "runs"))
    assert_one_line_error(result, "run.py", "cannot create the log directory under %s"
                          % (blocker / "runs"), "Not a directory")
    assert blocker.read_text() == "a file, not a directory"


# --- scripts/run_legacy.py ---------------------------------------------------
# (A program that does not parse: test_legacy_runner.py::test_program_that_does_not_parse.)

@pytest.mark.parametrize("program, expected", [
    ("missing.py", "no such program: missing.py"),
    ("adir", "adir is a directory; give the program's .py file"),
])
def test_run_legacy_bad_program_path(tmp_path, program, expected):
    (tmp_path / "adir").mkdir()
    result = run_script(RUN_LEGACY, "--report=report.json", program, "--its_flag",
                        cwd=str(tmp_path))
    assert_one_line_error(result, "run_legacy.py", expected)
    assert sorted(os.listdir(tmp_path)) == ["adir"]


# --- scripts/upgrade.py ------------------------------------------------------

LEGACY = "import tensorflow as tf\nx = tf.pack([1, 2])\n"


@pytest.fixture
def sources(tmp_path):
    """A directory of inputs and outputs the upgrader must not damage."""
    (tmp_path / "old.py").write_text(LEGACY)
    (tmp_path / "bad.py").write_text("import tensorflow as tf\ndef broken(:\n    pass\n")
    (tmp_path / "bin.py").write_bytes(bytes(range(256)) * 2)
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir" / "prog.py").write_text(LEGACY)
    (tmp_path / "existing.py").write_text("# an earlier output, kept\n")
    (tmp_path / "afile").write_text("a file, not a directory")
    return tmp_path


@pytest.mark.parametrize("args, expected", [
    (["missing.py", "-o", "existing.py"], "no such file: missing.py"),
    (["adir", "-o", "existing.py"], "adir is a directory (use --intree)"),
    (["bad.py", "-o", "existing.py"], "bad.py does not parse: "),
    (["bin.py", "-o", "existing.py"], "cannot read bin.py"),
    (["old.py", "-o", "old.py"], "refusing to overwrite the input old.py"),
    (["old.py", "-o", "adir"], "cannot write adir: Is a directory"),
    (["old.py", "-o", "afile/new.py"], "cannot write afile/new.py: Not a directory"),
    (["--intree=nowhere", "--outtree=out"], "no such directory: nowhere"),
    (["--intree=adir", "--outtree=afile"], "--outtree afile is a file, not a directory"),
    (["--intree=adir", "--outtree=afile/out"], "cannot create --outtree afile/out"),
    (["old.py", "--report=adir"], "cannot write adir"),
], ids=["missing", "directory", "syntax error", "not text", "output is the input",
        "output is a directory", "output under a file", "no intree", "outtree a file",
        "outtree under a file", "report is a directory"])
def test_upgrade_bad_input_writes_nothing(sources, args, expected):
    before = snapshot(sources)
    result = run_script(UPGRADE, *args, cwd=str(sources))
    assert_one_line_error(result, "upgrade.py", expected)
    assert result.stdout == ""  # no upgraded source printed as if all went well
    # Inputs and the earlier output byte for byte; no new file, no .part.
    assert snapshot(sources) == before


def test_upgrade_tree_skips_the_file_that_does_not_parse(sources):
    shutil.copy(sources / "bad.py", sources / "adir" / "bad.py")
    result = run_script(UPGRADE, "--intree=adir", "--outtree=out", cwd=str(sources))
    assert_one_line_error(result, "upgrade.py", "adir/bad.py does not parse: ")
    # The good file is upgraded; the bad one is not written, not even in part.
    assert sorted(os.listdir(sources / "out")) == ["prog.py"]
    assert "tf.stack([1, 2])" in (sources / "out" / "prog.py").read_text()
    assert result.stdout == "prog.py: 3 changes, 0 flagged\n"
