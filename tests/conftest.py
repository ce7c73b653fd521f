"""Shared test helpers: writing tiny IDX files, serving files over HTTP, and
reading which processes scripts/cluster.py started; and the suite's rules:
every test starts from the same environment (os.environ), a skip fails
under CI=true, and Hypothesis runs derandomized there.

Nothing here imports TensorFlow and nothing reaches beyond 127.0.0.1.
"""

import functools
import gzip
import http.server
import os
import pathlib
import re
import socket
import threading

import hypothesis
import numpy as np
import pytest


def idx_bytes(array, magic=None):
    """The bytes of an unsigned-byte IDX file holding ``array``; ``magic``
    overrides the header's magic number to make bad files."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(
        size.to_bytes(4, "big") for size in array.shape
    )
    return header + array.tobytes()


def write_idx(path, array, gz=True, magic=None):
    data = idx_bytes(array, magic)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def tagged_images(n, rows=28, cols=28, seed=0):
    """[n, rows, cols] uint8 images; pixel (0, 0) of image i is i, so a test
    can tell which example a batch row came from."""
    images = np.random.RandomState(seed).randint(0, 256, (n, rows, cols)).astype(np.uint8)
    images[:, 0, 0] = np.arange(n)
    return images


def write_mnist_dir(directory, n_train=12, n_test=4, gz=True):
    """A tiny MNIST-layout directory; returns (train_images, train_labels,
    test_images, test_labels) as written."""
    directory.mkdir(parents=True, exist_ok=True)
    train_images = tagged_images(n_train, seed=1)
    train_labels = (np.arange(n_train) % 10).astype(np.uint8)
    test_images = tagged_images(n_test, seed=2)
    test_labels = ((np.arange(n_test) * 3) % 10).astype(np.uint8)
    suffix = ".gz" if gz else ""
    write_idx(directory / ("train-images-idx3-ubyte" + suffix), train_images, gz)
    write_idx(directory / ("train-labels-idx1-ubyte" + suffix), train_labels, gz)
    write_idx(directory / ("t10k-images-idx3-ubyte" + suffix), test_images, gz)
    write_idx(directory / ("t10k-labels-idx1-ubyte" + suffix), test_labels, gz)
    return train_images, train_labels, test_images, test_labels


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_dir(tmp_path):
    """Serve a fresh directory on 127.0.0.1; yields (directory, base_url)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

# What a test may leave behind in os.environ: several modules set
# TF_USE_LEGACY_KERAS=1 when imported (compat.tf1x.rnn, slim,
# seq2seq_decoder, estimator; scripts/contrib_coverage.py's main), as they
# must before TensorFlow's Keras loaders resolve.  Imported inside a test,
# or by a script's main called in-process, that would reach every later
# test and every child process built from os.environ, so a test's result
# would depend on which tests ran before it.  So every test starts from
# the environment as it stood once the test modules were collected, and
# anything it changed is undone after it.  (What the modules set when
# collected stays: TensorFlow resolves each Keras loader once per process,
# on first use, and the tests of those modules need it set then.  A child
# process that must not inherit it is started with plain_env().)
LEGACY_KERAS = "TF_USE_LEGACY_KERAS"
_COLLECTED_ENV = {}


def pytest_collection_finish(session):
    _COLLECTED_ENV.update(os.environ)


def _reset_environment():
    if not _COLLECTED_ENV:  # the test modules not collected yet: nothing to restore
        return
    # PYTEST_CURRENT_TEST and the like are pytest's own, set and removed by it.
    for name in set(os.environ) - set(_COLLECTED_ENV):
        if not name.startswith("PYTEST_"):
            del os.environ[name]
    for name, value in _COLLECTED_ENV.items():
        if os.environ.get(name) != value and not name.startswith("PYTEST_"):
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _isolated_environment():
    """Each test starts with the environment of the collected suite, and
    what it changes there is undone after it."""
    _reset_environment()
    yield
    _reset_environment()


def plain_env(**extra):
    """The environment of a plain ``python`` run of an old or upgraded
    program: the project importable, TensorFlow's banner off, and nothing
    the legacy runner or a glue module would set (TF_USE_LEGACY_KERAS: an
    upgraded file must set what it needs itself)."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2", **extra)
    env.pop(LEGACY_KERAS, None)
    return env
# ../shared beside the clone holds the real data sets and the legacy program.
SHARED = os.environ.get("TF1_COMPAT_SHARED",
                        str(REPO_ROOT.parent / "shared"))
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def in_ci():
    """Whether this is CI's run (.ci/run runs with CI=true)."""
    return os.environ.get("CI") == "true"


# CI's Hypothesis runs are derandomized (examples drawn from a seed fixed by
# each test) and keep no example database, so a failure CI reports comes
# back on any machine with the same command: CI=true python -m pytest
# tests/FILE::TEST (or --hypothesis-profile=ci).  print_blob adds the
# @reproduce_failure line that replays the failing example alone.
# Registered here, before the test modules build their settings objects,
# which take their unset values from the profile loaded when they are made.
hypothesis.settings.register_profile("ci", derandomize=True, database=None,
                                     print_blob=True)
if in_ci():
    hypothesis.settings.load_profile("ci")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed one: CI installs everything
    the suite needs (.ci/run), so a skip there means something is missing
    that a green run would hide.  Elsewhere skips stay skips."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = "skipped under CI=true, which must run every test: %s" % reason


def _real_path(path, what):
    """``path`` as a pathlib.Path if it exists; otherwise skip, or fail where
    CI demands the real data (TF1_COMPAT_REQUIRE_REAL_DATA=1)."""
    if os.path.exists(path):
        return pathlib.Path(path)
    message = "%s not found at %s" % (what, path)
    if os.environ.get("TF1_COMPAT_REQUIRE_REAL_DATA") == "1":
        pytest.fail(message + " (required: TF1_COMPAT_REQUIRE_REAL_DATA=1)")
    pytest.skip(message)


@pytest.fixture
def shared_data():
    """../shared/data: real MNIST (mnist/) and notMNIST_small."""
    return _real_path(os.path.join(SHARED, "data"), "the shared data directory")


@pytest.fixture
def fashion_dir():
    """Debian's dataset-fashion-mnist install."""
    return _real_path(FASHION_DIR, "Fashion-MNIST (apt-get install dataset-fashion-mnist)")


@pytest.fixture(scope="session")
def tiny_mnist(tmp_path_factory):
    """A tiny MNIST-layout directory (80 training, 20 test images), for the
    tests that run the scripts; read-only: a test that damages files makes
    its own."""
    directory = tmp_path_factory.mktemp("tiny_mnist")
    # 70 training examples at batch 16 once 10 are held out for validation:
    # an epoch ends every 4 steps, so runs cross reshuffles.
    write_mnist_dir(directory, n_train=80, n_test=20)
    return directory


# scripts/cluster.py's first stderr line names every task it started:
# "cluster.py: started ps0 at localhost:40000 (pid 11), worker0 (chief) at ...".
CLUSTER_STARTED = "cluster.py: started "
CLUSTER_TASK = re.compile(r"(\w+?\d+)(?: \(chief\))? at [\w.]+:(\d+) \(pid (\d+)\)")


def cluster_tasks(stderr):
    """{task: (port, pid)} from cluster.py's start line in ``stderr``."""
    line = next((l for l in stderr.splitlines() if l.startswith(CLUSTER_STARTED)), "")
    return {name: (int(port), int(pid)) for name, port, pid in CLUSTER_TASK.findall(line)}


def process_alive(pid):
    """Whether ``pid`` runs (a zombie awaiting its parent does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def assert_cluster_gone(tasks):
    """No task of ``tasks`` ({task: (port, pid)}) is left, and every port
    it was given can be bound again."""
    assert tasks
    for name, (port, pid) in tasks.items():
        assert not process_alive(pid), "%s (pid %d) is still alive" % (name, pid)
        with socket.socket() as sock:
            # Connections of the finished run may linger in TIME_WAIT; a
            # task still listening on the port would make bind fail anyway.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
