"""compat.py2 stays light: importing it (and the drop-in compat.input_data
an upgraded file imports) loads neither fissix nor libcst, and the
translator's names are there on first use.  Each check runs in a fresh
interpreter, since this test process may have imported the translator."""

import subprocess
import sys

from conftest import REPO_ROOT

HEAVY = "print(sorted(m for m in ('fissix', 'libcst') if m in sys.modules))"


def loaded_after(code):
    result = subprocess.run([sys.executable, "-c", "import sys\n" + code + "\n" + HEAVY],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_importing_py2_and_input_data_loads_neither_fissix_nor_libcst():
    assert loaded_after("import compat.py2, compat.input_data") == ["[]"]


def test_old_div_alone_loads_no_fissix():
    lines = loaded_after("from compat.py2 import old_div\nprint(old_div(7, 2), old_div(-7, 2))")
    assert lines == ["3 -4", "[]"]


def test_translator_names_load_fissix_on_first_use():
    # The check above would pass if nothing could load fissix at all.
    lines = loaded_after("import compat.py2\nprint(compat.py2.OLD_DIV_IMPORT)\n"
                         "print(compat.py2.translate('print 7 / 2\\n')[0].splitlines()[-1])")
    assert lines == ["from compat.py2 import old_div", "print(old_div(7, 2))", "['fissix']"]


def test_lazy_names_are_the_translator_modules_objects():
    from compat import py2
    from compat.py2 import detection, fixers, translator

    assert py2.translate is translator.translate and py2.is_python2 is translator.is_python2
    assert py2.Change is translator.Change
    assert py2.FIXERS is fixers.FIXERS and py2.OLD_DIV_IMPORT is fixers.OLD_DIV_IMPORT
    assert "xrange" in py2.FIXERS and "input" not in py2.FIXERS
    assert issubclass(detection.Found, Exception)
