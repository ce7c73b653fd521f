"""Run a TF 1.x-era program both ways the project offers, for the era's
tests (test_tf1_layers.py, test_input_pipelines.py, test_contrib_training.py): through the legacy
runner, and upgraded then run with plain ``python`` in an environment
without TF_USE_LEGACY_KERAS (an upgraded file must set what it needs
itself)."""

import json
import subprocess
import sys
import textwrap

from compat import upgrade
from conftest import REPO_ROOT, plain_env

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")


def _run(argv, cwd):
    result = subprocess.run(argv, capture_output=True, text=True, cwd=str(cwd), timeout=300,
                            env=plain_env())
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def through_runner(tmp_path, source, name="prog.py"):
    """(stdout, stderr) of ``source`` run unmodified by run_legacy.py."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    result = _run([sys.executable, RUNNER, str(path)], tmp_path)
    return result.stdout, result.stderr


def upgraded(tmp_path, source, name="prog.py"):
    """(upgrade result, stdout) of ``source`` upgraded and run with plain
    python."""
    result = upgrade.upgrade_source(textwrap.dedent(source), name)
    path = tmp_path / ("upgraded_" + name)
    path.write_text(result.source)
    return result, _run([sys.executable, str(path)], tmp_path).stdout


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])
