"""Run the real TensorBoard server on a log directory, for tests and screenshots.

    with tensorboard_server.serve("runs") as url:
        runs = tensorboard_server.get_json(url, "/data/runs")

``serve`` starts ``python -m tensorboard.main`` as a subprocess on a free
loopback port (``--port 0``: the operating system picks it and TensorBoard
prints it), waits until the HTTP API answers, yields the base URL
(``http://127.0.0.1:PORT``) and stops the server on exit, so no process is
left behind and the port is free again.

Samples per plugin: TensorBoard keeps only 10 images per tag by default, so a
1562-step run with a kernel image every 50 steps would lose most of its 33
entries.  The default here, ``images=100000``, keeps them all.  Do not pass
``images=0``: for the event reader (``size_guidance``) 0 means "keep all", and
TensorBoard 2.21 does keep them all at ingestion, but its image plugin then
downsamples what it serves to 0 entries, so the Images tab and
``/data/plugin/images/images`` come back empty.  ``serve`` refuses 0 for that
reason.

The server reads the log directory once, before it starts answering
(``--reload_task=blocking --reload_interval=0``): a finished run is served
completely from the first request, with no race against a background reload.
``--load_fast=false`` keeps TensorBoard in Python (no Rust data server child
process to clean up) and nothing it needs is fetched from the network.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from compat.util import errors

DEFAULT_SAMPLES = "images=100000"
HOST = "127.0.0.1"
STDERR_TAIL_LINES = 10

_SERVING = re.compile(r"TensorBoard \S+ at (http://127\.0\.0\.1:(\d+))/")
# Loopback must never go through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(errors.UserError, RuntimeError):
    """TensorBoard did not start, or stopped before it answered."""


class ServerURL(str):
    """The base URL, also carrying the server's ``pid`` and ``port`` so a
    caller can check that both are gone after ``serve`` returns."""

    def __new__(cls, url, pid):
        self = super().__new__(cls, url)
        self.pid = pid
        self.port = urllib.parse.urlsplit(url).port
        return self


def check_samples(samples_per_plugin):
    """Raise ValueError for a ``plugin=0`` pair (see the module docstring)."""
    for pair in filter(None, samples_per_plugin.split(",")):
        plugin, _, count = pair.partition("=")
        if count.strip() == "0":
            raise ValueError(
                "--samples_per_plugin %s=0 makes TensorBoard 2.21 serve no %s at all; "
                "pass a large number (e.g. %s=100000) to keep every sample"
                % (plugin, plugin, plugin))


def command(logdir, samples_per_plugin=DEFAULT_SAMPLES):
    """The server's argv."""
    return [sys.executable, "-m", "tensorboard.main", "--logdir", os.fspath(logdir),
            "--host", HOST, "--port", "0", "--load_fast=false",
            "--reload_task=blocking", "--reload_interval=0",
            "--samples_per_plugin", samples_per_plugin]


def get_bytes(base_url, path, timeout=30, **params):
    """GET ``base_url + path`` (query built from ``params``) and return the body."""
    url = base_url + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with _OPENER.open(url, timeout=timeout) as response:
        return response.read()


def get_json(base_url, path, timeout=30, **params):
    """GET a JSON endpoint of the API and return it decoded."""
    return json.loads(get_bytes(base_url, path, timeout=timeout, **params))


def _tail(log_path, lines=STDERR_TAIL_LINES):
    with open(log_path, "r", encoding="utf-8", errors="replace") as log:
        return "".join(log.readlines()[-lines:]).rstrip()


def _fail(log_path, problem):
    return ServerError("TensorBoard %s; its last output lines:\n%s"
                       % (problem, _tail(log_path) or "(none)"))


def _wait_for_url(process, log_path, deadline):
    """The base URL TensorBoard announces once it listens."""
    while True:
        with open(log_path, "r", encoding="utf-8", errors="replace") as log:
            match = _SERVING.search(log.read())
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise _fail(log_path, "exited with status %d before serving"
                        % process.returncode)
        if time.monotonic() > deadline:
            raise _fail(log_path, "did not start serving in time")
        time.sleep(0.1)


def _wait_until_answering(url, process, log_path, deadline):
    while True:
        try:
            get_json(url, "/data/logdir", timeout=5)
            return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if process.poll() is not None:
            raise _fail(log_path, "exited with status %d before answering"
                        % process.returncode)
        if time.monotonic() > deadline:
            raise _fail(log_path, "did not answer %s/data/logdir in time" % url)
        time.sleep(0.1)


def _stop(process, grace=10):
    """SIGTERM first: TensorBoard then runs its atexit handlers (removing its
    entry in the temporary .tensorboard-info directory); SIGKILL only if it
    does not exit in ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            # Not reaped yet, so the group (its own session) holds only the
            # server and anything it spawned.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def serve(logdir, samples_per_plugin=DEFAULT_SAMPLES, timeout=60):
    """Serve ``logdir`` with the real TensorBoard; yield ``http://127.0.0.1:PORT``
    (a ServerURL: a str with ``.pid`` and ``.port``).

    Raises ServerError (with the last lines of the server's output) when it
    does not answer within ``timeout`` seconds or exits early.
    """
    check_samples(samples_per_plugin)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    with tempfile.NamedTemporaryFile(prefix="tensorboard-", suffix=".log") as log:
        # A file, not a pipe: nobody has to drain it while the server runs.
        process = subprocess.Popen(
            command(logdir, samples_per_plugin), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            url = _wait_for_url(process, log.name, deadline)
            _wait_until_answering(url, process, log.name, deadline)
            yield ServerURL(url, process.pid)
        finally:
            _stop(process)
