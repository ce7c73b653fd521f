"""scripts/diff_legacy.py on the question's program (read from ../shared,
never copied into the repository) against the conv reproduction."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.real_data
DIFF = str(REPO_ROOT / "scripts" / "diff_legacy.py")
ROW = re.compile(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\S+)$")


def run_diff(program, data_dir, *args):
    return subprocess.run([sys.executable, DIFF, str(program), "--model=conv",
                           "--data_dir=%s" % data_dir, *args],
                          capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))


def test_question_program_agrees_with_the_reproduction(shared_data, tmp_path):
    program = shared_data.parent / "legacy" / "so_conv_kernels.py"
    plot = tmp_path / "losses.png"
    result = run_diff(program, shared_data / "mnist", "--steps=300", "--plot=%s" % plot)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [ROW.match(line) for line in result.stdout.splitlines()]
    rows = [m for m in rows if m]
    assert len(rows) == 30
    assert all(float(m.group(5)) <= 1e-5 for m in rows)
    assert "verdict: AGREE (30 display steps, rtol 1e-05)" in result.stdout
    # The source diff shows what the upgrade changed.
    assert "-cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))" \
        in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_changed_program_differs(shared_data, tmp_path):
    # The same program with another learning rate must not be called equal.
    source = (shared_data.parent / "legacy" / "so_conv_kernels.py").read_text()
    assert "learning_rate = 0.001" in source
    changed = tmp_path / "changed.py"
    changed.write_text(source.replace("learning_rate = 0.001", "learning_rate = 0.002"))
    result = run_diff(changed, shared_data / "mnist", "--steps=20", "--nosource_diff")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "verdict: DIFFER" in result.stdout


def test_bad_input(tmp_path):
    result = subprocess.run([sys.executable, DIFF, str(tmp_path / "missing.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "diff_legacy.py: error: no such program: %s" % (tmp_path / "missing.py")]


def test_question_program_agrees_with_its_upgraded_form(shared_data):
    program = shared_data.parent / "legacy" / "so_conv_kernels.py"
    result = run_diff(program, shared_data / "mnist", "--steps=30", "--against=upgraded",
                      "--nosource_diff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "other side: the upgraded file" in result.stdout
    assert "verdict: AGREE (3 display steps, rtol 1e-05)" in result.stdout
