"""The architecture as a test: which package may import which.

Layers, bottom up: ``compat`` (the library) < ``tf1_examples`` (the
reproductions) < ``benchmarks`` < ``scripts`` (flags and entry points).
Inside ``compat`` each subpackage may import only the ones below it
(``LAYERS``), so the runner, the upgrader and the training support stay
separable.  Imports are read from the source (every ``import`` statement,
also those inside functions), so nothing here imports TensorFlow.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# subpackage -> the compat subpackages it may import (util is everyone's floor).
LAYERS = {
    "util": set(),
    "api": {"util"},
    "py2": {"util"},
    "data": {"util"},
    "tensorboard": {"util"},
    "cluster": {"util"},
    "train": {"util", "data", "tensorboard"},
    # tf0_ops (TF 0.x's operators in upgraded files) falls back on py2's old_div.
    "tf1x": {"util", "py2"},
    "legacy": {"util", "api", "py2", "data", "train", "tf1x"},
    "upgrade": {"util", "api", "py2", "data", "tf1x"},
}
# The public paths kept as thin re-exports at compat's top (compat/<name>.py).
PUBLIC_ALIASES = {
    "input_data": "compat.data.input_data",
    "tutorial_mnist": "compat.data.tutorial_mnist",
    "kernel_grid": "compat.tensorboard.kernel_grid",
    "ipython_ext": "compat.legacy.ipython_ext",
    "legacy_shim": "compat.legacy.shim",
}
UPPER = ("tf1_examples", "benchmarks", "scripts")


def imported_modules(path):
    """Every module name an import statement in ``path`` names, with
    ``from a import b`` also giving ``a.b`` (b may be a submodule)."""
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update("%s.%s" % (node.module, alias.name) for alias in node.names)
    return names


def python_files(package):
    return sorted((ROOT / package).rglob("*.py"))


def test_imported_modules_reads_nested_and_from_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os.path\nfrom a.b import c, d as e\n\ndef f():\n"
                      "    import scripts.run\n    from . import local\n")
    assert imported_modules(source) == {"os.path", "a.b", "a.b.c", "a.b.d", "scripts.run"}


def test_compat_never_imports_a_layer_above_it():
    offenders = []
    for path in python_files("compat"):
        for name in imported_modules(path):
            if name.split(".")[0] in UPPER:
                offenders.append("%s imports %s" % (path.relative_to(ROOT), name))
    assert offenders == []


def test_reproductions_never_import_benchmarks_or_scripts():
    offenders = ["%s imports %s" % (path.relative_to(ROOT), name)
                 for path in python_files("tf1_examples")
                 for name in imported_modules(path)
                 if name.split(".")[0] in ("benchmarks", "scripts")]
    assert offenders == []


def test_benchmarks_never_import_scripts():
    offenders = ["%s imports %s" % (path.relative_to(ROOT), name)
                 for path in python_files("benchmarks")
                 for name in imported_modules(path)
                 if name.split(".")[0] == "scripts"]
    assert offenders == []


def test_every_compat_subpackage_has_a_layer():
    found = {path.name for path in (ROOT / "compat").iterdir()
             if path.is_dir() and (path / "__init__.py").exists()}
    assert found == set(LAYERS)


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_subpackage_imports_only_layers_below(package):
    allowed = LAYERS[package] | {package}
    offenders = []
    for path in python_files("compat/" + package):
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "compat" and len(parts) > 1 and parts[1] in LAYERS \
                    and parts[1] not in allowed:
                offenders.append("%s imports %s" % (path.relative_to(ROOT), name))
    assert offenders == []


def test_top_level_compat_modules_are_only_the_public_aliases():
    modules = {path.stem for path in (ROOT / "compat").glob("*.py")} - {"__init__"}
    assert modules == set(PUBLIC_ALIASES)


@pytest.mark.parametrize("alias", sorted(PUBLIC_ALIASES))
def test_public_alias_is_the_moved_module(alias):
    import importlib

    assert importlib.import_module("compat." + alias) is \
        importlib.import_module(PUBLIC_ALIASES[alias])


def test_compat_py2_old_div_is_the_runtime_helper():
    from compat.py2 import old_div
    from compat.py2 import runtime

    assert old_div is runtime.old_div
    # Python 2's 7 / 2 and -7 / 2 on ints (floor), 7.0 / 2 true division.
    assert (old_div(7, 2), old_div(-7, 2), old_div(7.0, 2)) == (3, -4, 3.5)


def test_modules_stay_small():
    limit = 520  # "about 500 lines"
    long = ["%s (%d lines)" % (path.relative_to(ROOT), n)
            for package in ("compat",) + UPPER
            for path in python_files(package)
            for n in [len(path.read_text().splitlines())] if n > limit]
    assert long == []
