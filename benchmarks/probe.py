"""Child processes of ``scripts/bench.py``: measurements that need a
fresh process (the start-up time, and settings TensorFlow fixes once per
process: the intra-op thread pool, oneDNN, XLA's CPU auto-clustering).

The child is ``bench.py --probe=...`` itself; it prints its numbers as one
marker line on stdout.  This module imports no TensorFlow, so the parent can
start its cold start-up probe before loading TensorFlow itself.
"""

import json
import os
import subprocess
import tempfile
import time

PROBE_MARKER = "BENCH_PROBE "


class ProbeError(RuntimeError):
    """A child measurement failed; the message is its last error line."""


def emit_probe(payload, out):
    """What a probe child prints: one marker line with its numbers."""
    out.write(PROBE_MARKER + json.dumps(payload) + "\n")
    out.flush()


def run_probe(argv, env=None, cwd=None):
    """Run a probe child; return (its payload, seconds from start to its
    marker line, its stderr).  The wall time is taken when the marker
    arrives, so the child's exit (TensorFlow's teardown) is not counted."""
    with tempfile.TemporaryFile(mode="w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True,
                                 env=env, cwd=cwd)
        payload, seconds = None, None
        try:
            for line in child.stdout:
                if line.startswith(PROBE_MARKER) and payload is None:
                    seconds = time.perf_counter() - start
                    payload = json.loads(line[len(PROBE_MARKER):])
            child.wait()
        except BaseException:
            child.kill()
            child.wait()
            raise
        err.seek(0)
        stderr = err.read()
    if child.returncode != 0 or payload is None:
        lines = [line for line in stderr.splitlines() if line.strip()]
        raise ProbeError(lines[-1] if lines else "exit status %d" % child.returncode)
    return payload, seconds, stderr


def child_env(**changes):
    """This process's environment with ``changes`` (None removes a name)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
