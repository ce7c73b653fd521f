"""Translate a legacy program's own Python 2 modules as they are imported.

Old programs often came with helper modules beside them (a copied
``input_data.py``, a ``utils.py``) written for Python 2 as well.  The runner
translates the main file itself; this finder does the same for modules
imported from the program's directory, through the ordinary import system
(a ``SourceFileLoader`` whose ``source_to_code`` translates first), so
tracebacks and ``__file__`` stay those of the real files.  Installed only
while a legacy program runs.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

from compat import api
from compat import py2


class _TranslatingLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname, path, on_change):
        super().__init__(fullname, path)
        self._on_change = on_change

    def source_to_code(self, data, path, *, _optimize=-1):
        source = importlib.util.decode_source(data)
        translated, changes = py2.translate(source, path)
        for change in changes:
            self._on_change(change, path)
        return compile(translated, path, "exec", dont_inherit=True, optimize=_optimize)

    def get_code(self, fullname):
        # Bypass the bytecode cache: a cached .pyc would skip translation,
        # and writing one would leave translated bytecode beside the user's file.
        source_path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(source_path), source_path)


class ExistingModuleLoader(importlib.abc.Loader):
    """Loads an object that already exists as the module of a path."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class Py2ModuleFinder(importlib.abc.MetaPathFinder):
    """Finds top-level modules in ``directory`` and loads them translated;
    a local copy of a removed TF module (the table's ``local_copy``, e.g. TF's
    tutorial ``input_data.py``) is served by its replacement instead, and
    ``on_redirect(entry, path)`` is told."""

    def __init__(self, directory, on_change, on_redirect=None):
        self.directory = os.path.abspath(directory)
        self.on_change = on_change
        self.on_redirect = on_redirect

    def find_spec(self, fullname, path=None, target=None):
        if path is not None:  # only the program's own top-level modules
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, [self.directory])
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        entry = api.local_copy_of(fullname)
        if entry is not None and entry.is_local_copy(spec.origin):
            replacement = importlib.import_module(entry.new)
            if self.on_redirect is not None:
                self.on_redirect(entry, spec.origin)
            return importlib.util.spec_from_loader(fullname,
                                                   ExistingModuleLoader(replacement))
        spec.loader = _TranslatingLoader(fullname, spec.origin, self.on_change)
        return spec

    def install(self):
        sys.meta_path.insert(0, self)
        return self

    def uninstall(self):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
