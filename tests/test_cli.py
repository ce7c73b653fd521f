"""What every script shares (compat.util.cli): the one-line error under the
name the user typed, and --help on the scripts that parse their own flags."""

import os
import subprocess
import sys

import pytest

from compat.util import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("argv0, expected", [
    ("/usr/local/bin/tf1-upgrade", "tf1-upgrade"),   # the console script
    ("scripts/upgrade.py", "upgrade.py"),             # python scripts/upgrade.py
    ("-c", "upgrade.py"),
])
def test_error_names_the_command_as_typed(monkeypatch, capsys, argv0, expected):
    monkeypatch.setattr(sys, "argv", [argv0])
    assert cli.fail("upgrade.py", "no such\n  file: x.py", 2) == 2
    assert capsys.readouterr().err == "%s: error: no such file: x.py\n" % expected


@pytest.mark.parametrize("script, usage_line, a_flag", [
    ("upgrade.py", "python scripts/upgrade.py old.py -o new.py", "--[no]strict"),
    ("run_legacy.py", "python scripts/run_legacy.py [--data_dir=DIR]", "--max_steps"),
])
@pytest.mark.parametrize("help_flag", ["--help", "-h"])
def test_help_prints_usage_and_flags(tmp_path, script, usage_line, a_flag, help_flag):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", script), help_flag],
                            capture_output=True, text=True, cwd=str(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    assert usage_line in result.stdout and a_flag in result.stdout
    assert result.stderr == ""
    assert os.listdir(tmp_path) == []


def test_help_after_the_program_belongs_to_the_program(tmp_path):
    program = tmp_path / "prog.py"
    program.write_text("import sys\nprint(sys.argv[1:])\n")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "run_legacy.py"),
                             "--quiet", str(program), "--help"],
                            capture_output=True, text=True, cwd=str(tmp_path), timeout=300,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['--help']"
