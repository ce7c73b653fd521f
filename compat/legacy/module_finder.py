"""Module paths into the namespaces TF no longer has: ``import
tensorflow.contrib.slim as slim``, ``from tensorflow.contrib.layers import
xavier_initializer``.  The shim (``compat.legacy.shim``) builds a namespace
for ``tf.contrib`` and its children from the table; this finder hands the
import system the same objects ``tf.contrib...`` serves, so an unknown
member stops with the table's advice either way."""

import importlib.abc
import importlib.util
import types

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
