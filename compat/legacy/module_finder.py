"""Module paths into the namespaces TF no longer has: ``import
tensorflow.contrib.slim as slim``, ``from tensorflow.contrib.layers import
xavier_initializer``.  The shim (``compat.legacy.shim``) builds a namespace
for ``tf.contrib`` and its children from the table; this finder hands the
import system the same objects ``tf.contrib...`` serves, so an unknown
member stops with the table's advice either way."""

import importlib
import importlib.abc
import importlib.util
import sys
import types

from compat import api
from compat.legacy.py2_import import ExistingModuleLoader


class TableModuleFinder(importlib.abc.MetaPathFinder):
    """``import tensorflow.contrib.slim`` and ``from tensorflow.contrib.layers
    import ...``: module paths into the namespaces TF no longer has, served
    as ``tf.contrib...`` is (unknown members stop with the table's advice)."""

    def __init__(self, shim):
        self._shim = shim
        self.loaded = []

    def find_spec(self, fullname, path=None, target=None):
        root, dot, rest = fullname.partition(".")
        if root != "tensorflow" or not dot:
            return None
        replacement = api.replaced_submodule(fullname)
        if replacement is not None:
            # tensorflow.python.keras.layers.core is tf_keras.src.layers.core
            # itself, not TF's stale copy of the file nor a second copy of
            # tf-keras's under the old name (classes would differ).
            try:
                module = importlib.import_module(replacement)
            except ImportError:
                return None
            self.loaded.append(fullname)
            return importlib.util.spec_from_loader(fullname, ExistingModuleLoader(module))
        tf_path = "tf." + rest
        module = self._shim.table_namespace(tf_path)
        if module is None:
            if self._shim.table_namespace(tf_path.rpartition(".")[0]) is None:
                return None
            # A member of such a namespace: served (or stopped) as tf.* is.
            module = self._shim.serve(tf_path)
            if not isinstance(module, types.ModuleType):
                return None
        self.loaded.append(fullname)
        return importlib.util.spec_from_loader(fullname, ExistingModuleLoader(module))


def replaced_loaded_submodules(served):
    """TF loads parts of its stale ``tensorflow.python.keras`` copy itself;
    under the names the table replaces (``...keras.layers.core``) a program
    must get the replacement's module (``tf_keras.src.layers.core``), as
    the module finder gives for modules not loaded yet."""
    modules = {}
    for name in list(sys.modules):
        replacement = api.replaced_submodule(name)
        if replacement is not None and name not in served:
            try:
                modules[name] = importlib.import_module(replacement)
            except ImportError:
                continue
    return modules
