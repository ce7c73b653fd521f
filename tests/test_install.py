"""``pip install .`` as a user does it: into a fresh virtual environment, then
the console scripts from another directory with no PYTHONPATH.

The environment sees this interpreter's site-packages
(``--system-site-packages``) so TensorFlow and the other pinned dependencies
come from the same installation, and ``--no-deps`` keeps pip from touching
them; the project itself is built from a copy of the sources and installed
into the environment's own site-packages, which comes first on its path.
Building needs setuptools from the package registry (pip's build isolation),
as any ``pip install .`` does.
"""

import os
import shutil
import subprocess
import sys
import venv

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A TF 0.x program of the kind the upgrader exists for, in Python 2: old
# names (tf.mul, tf.pack, tf.initialize_all_variables), a print statement
# and integer division, which the upgraded file keeps through old_div.
OLD_PROGRAM = """\
import tensorflow as tf

a = tf.constant([[1., 2.], [3., 4.]])
w = tf.Variable(tf.zeros([2, 2]))
b = tf.mul(a, 3) + w
total = tf.reduce_sum(tf.pack([b, a]), 0)
half = 7 / 2

sess = tf.Session()
sess.run(tf.initialize_all_variables())
print "half", half
print "total", sess.run(total).tolist()
"""


def _clean_env(venv_dir):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.path.join(venv_dir, "bin") + os.pathsep + env.get("PATH", "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def _copy_sources(dest):
    """The files a source checkout ships (no tests, caches or run logs)."""
    skip = shutil.ignore_patterns(".git", "tests", "__pycache__", "*.pyc", "runs", "build",
                                  "*.egg-info", ".pytest_cache", ".hypothesis", "docs")
    shutil.copytree(ROOT, dest, ignore=skip)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("install")
    source, env_dir = base / "src", base / "venv"
    _copy_sources(source)
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", str(source)],
        capture_output=True, text=True, env=_clean_env(env_dir), timeout=600)
    if result.returncode != 0 and "no such option: --python" in result.stderr:
        # pip before 22.3: install with the environment's own pip.
        subprocess.run([python, "-m", "ensurepip", "--default-pip"], check=True,
                       capture_output=True, timeout=300)
        result = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--no-deps",
             "--disable-pip-version-check", str(source)],
            capture_output=True, text=True, env=_clean_env(env_dir), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    shutil.rmtree(source)  # nothing may still point into the copy
    return env_dir


def _run(env_dir, argv, cwd):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                          env=_clean_env(env_dir), timeout=300)


def test_package_imports_from_the_environment_not_the_checkout(installed, tmp_path):
    result = _run(installed, ["python", "-c",
                              "import compat, scripts, tf1_examples, benchmarks\n"
                              "for m in (compat, scripts, tf1_examples, benchmarks):\n"
                              "    print(m.__file__)"], str(tmp_path))
    assert result.returncode == 0, result.stderr
    paths = result.stdout.split()
    assert len(paths) == 4
    for path in paths:
        assert path.startswith(str(installed)), path


def test_console_scripts_are_installed(installed):
    for name in ("tf1-run", "tf1-run-legacy", "tf1-upgrade", "tf1-diff", "tf1-cluster",
                 "tf1-bench", "tf1-export-images", "tf1-screenshot-tensorboard",
                 "tf1-gdl-table", "tf1-notmnist-pickle", "tf1-contrib-coverage"):
        assert os.access(installed / "bin" / name, os.X_OK), name


def test_upgraded_file_runs_with_plain_python(installed, tmp_path):
    (tmp_path / "old.py").write_text(OLD_PROGRAM)
    upgraded = _run(installed, ["tf1-upgrade", "old.py", "-o", "new.py"], str(tmp_path))
    assert upgraded.returncode == 0, upgraded.stderr
    new_source = (tmp_path / "new.py").read_text()
    assert "from compat.py2 import old_div" in new_source
    assert "tf.mul(" not in new_source and "tf.pack(" not in new_source

    ran = _run(installed, ["python", "new.py"], str(tmp_path))
    assert ran.returncode == 0, ran.stderr[-3000:]
    a = np.array([[1., 2.], [3., 4.]])
    expected_total = (a * 3 + a).tolist()  # tf.reduce_sum(tf.pack([3a + 0, a]), 0)
    assert ran.stdout.splitlines() == ["half 3", "total %s" % expected_total]


def test_legacy_runner_runs_the_old_file_unmodified(installed, tmp_path):
    (tmp_path / "old.py").write_text(OLD_PROGRAM)
    ran = _run(installed, ["tf1-run-legacy", "old.py"], str(tmp_path))
    assert ran.returncode == 0, ran.stderr[-3000:]
    a = np.array([[1., 2.], [3., 4.]])
    assert ran.stdout.splitlines() == ["half 3", "total %s" % (a * 3 + a).tolist()]


def test_upgraded_file_imports_neither_fissix_nor_libcst(installed, tmp_path):
    result = _run(installed, ["python", "-c",
                              "import sys\nfrom compat.py2 import old_div\n"
                              "from compat import input_data, tutorial_mnist\n"
                              "print(sorted(m for m in ('fissix', 'libcst') if m in sys.modules))"],
                  str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_console_script_bad_input_is_one_line(installed, tmp_path):
    result = _run(installed, ["tf1-upgrade", "missing.py", "-o", "new.py"], str(tmp_path))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["tf1-upgrade: error: no such file: missing.py"]
    assert not (tmp_path / "new.py").exists()
