"""Files and trees: reading a file in its own encoding, upgrading it (a
notebook by cell, anything else as Python), writing the result atomically,
and doing the same for every file of a directory tree."""

import io
import os
import shutil
import tokenize

from compat.upgrade.findings import RefusedError, UpgradeError
from compat.upgrade.notebook import upgrade_notebook
from compat.upgrade.source import upgrade_source
from compat.util import atomic


def _read(path):
    """The text of ``path`` and its encoding: a Python 2 file may declare
    latin-1 in a coding line; line endings are kept as they are."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        encoding = "utf-8"
        if not str(path).endswith(".ipynb"):
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding), encoding
    except FileNotFoundError:
        raise UpgradeError("no such file: %s" % path) from None
    except IsADirectoryError:
        raise UpgradeError("%s is a directory (use --intree)" % path) from None
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        raise UpgradeError("cannot read %s: %s" % (path, error)) from None


def write_atomic(path, text, encoding="utf-8"):
    """Write ``text`` to ``path``: the output is either complete or not there."""
    try:
        atomic.write_text(path, text, encoding=encoding, newline="")
    except OSError as error:
        raise UpgradeError("cannot write %s: %s" % (path, error.strerror or error)) from None


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def upgrade_text(text, filename, directory=None, tf_version="auto"):
    """Dispatch on the file name: notebooks by cell, the rest as Python;
    ``tf_version``: the program's era (``compat.api.era``)."""
    if str(filename).endswith(".ipynb"):
        return upgrade_notebook(text, str(filename), tf_version)
    return upgrade_source(text, str(filename), directory, tf_version)


def upgrade_file(path, out_path=None, tf_version="auto"):
    """Upgrade ``path``; write the result to ``out_path`` (atomically) when
    given.  Returns ``(original_text, UpgradeResult)``."""
    text, encoding = _read(path)
    if out_path is not None and _same_file(path, out_path):
        raise RefusedError("refusing to overwrite the input %s" % path)
    # The path as given names the file in errors: in a tree, "bad.py" alone
    # would not say which one.
    result = upgrade_text(text, str(path), os.path.dirname(os.path.abspath(path)),
                          tf_version)
    if out_path is not None:
        write_atomic(out_path, result.source, encoding)
    return text, result


def _inside(child, parent):
    child, parent = os.path.realpath(child), os.path.realpath(parent)
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def upgrade_tree(indir, outdir, tf_version="auto"):
    """Upgrade every .py and .ipynb under ``indir`` into the same relative
    path under ``outdir``; copy other files.  Returns a list of
    ``(relative path, UpgradeResult or None if copied, UpgradeError or
    None)``; a file that fails is reported and not written."""
    if not os.path.isdir(indir):
        raise UpgradeError("no such directory: %s" % indir)
    # Either inside the other, and outputs could land on inputs.
    if _inside(outdir, indir):
        raise RefusedError("--outtree %s is inside --intree %s" % (outdir, indir))
    if _inside(indir, outdir):
        raise RefusedError("--intree %s is inside --outtree %s" % (indir, outdir))
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise UpgradeError("--outtree %s is a file, not a directory" % outdir)
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as error:
        raise UpgradeError("cannot create --outtree %s: %s"
                           % (outdir, error.strerror or error)) from None
    done = []
    for root, dirs, files in os.walk(indir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            source = os.path.join(root, name)
            rel = os.path.relpath(source, indir)
            target = os.path.join(outdir, rel)
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if not name.endswith((".py", ".ipynb")):
                    _copy_atomic(source, target)
                    done.append((rel, None, None))
                    continue
                _, result = upgrade_file(source, target, tf_version)
                done.append((rel, result, None))
            except UpgradeError as error:
                done.append((rel, None, error))
            except OSError as error:
                done.append((rel, None, UpgradeError("cannot write %s: %s" % (
                    target, error.strerror or error))))
    return done


def _copy_atomic(source, target):
    """Copy a file that is not upgraded; complete or not there, as outputs are."""
    with atomic.replacing(target) as part:
        shutil.copy2(source, part)
