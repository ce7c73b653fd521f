"""The legacy shim: ``import tensorflow as tf`` yields TF1 with the old names.

``install()`` replaces the ``tensorflow`` module seen by ``import`` with a
namespace that serves ``tf.compat.v1`` (v2 behaviour disabled), falls back
to TF 2.x for names v1 lacks, and serves every name of the legacy table
(``compat.api.table``) through its modern form, reporting each once on
stderr with the source line that used it.  It also stands in for the
packages TF no longer ships (``tensorflow.examples.tutorials.mnist``), adds
the table's old names to TF modules that still exist
(``tensorflow.python.ops.rnn.rnn``) and old members to TF classes
(``TensorArray.pack``, through ``compat.legacy.classes``), and attaches
the graph-growth watchdog.  ``uninstall()`` restores plain TensorFlow 2.x.

Nothing here knows a particular legacy name: what each name becomes comes
from the table, and the code an ``adapter`` entry names from
``compat.legacy.adapters.ADAPTERS``.

The runner (``scripts/run_legacy.py``) and the notebook extension
(``compat.ipython_ext``) are its two users.
"""

import functools
import importlib
import os
import sys
import types

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()

from compat import api  # noqa: E402
from compat.api import Kind  # noqa: E402
from compat.legacy import adapters as legacy_ops  # noqa: E402
from compat.legacy import classes  # noqa: E402
from compat.legacy import era_adapters, era_serve  # noqa: E402
from compat.legacy import module_finder  # noqa: E402
from compat.legacy.reporter import Reporter  # noqa: E402,F401  (legacy_shim.Reporter)
# Where table paths lead (tests read _modern through this module).
from compat.legacy.resolve import found_in_tf  # noqa: E402
from compat.legacy.resolve import modern as _modern  # noqa: E402
from compat.legacy.resolve import object_at as _object_at  # noqa: E402
from compat.legacy.resolve import resolve as _resolve  # noqa: E402
from compat.legacy.loop_ops import LoopOpReuse  # noqa: E402
from compat.legacy.watchdog import GraphWatchdog  # noqa: E402

v1 = tf.compat.v1


def _caller(program=False):
    """(filename, line) of the nearest calling frame outside this module
    and the import machinery (``from numpy import float_`` reads the name
    in importlib's frames); ``program``: of the nearest line of the program
    itself where there is one (TF calls a bare initializer for the program's
    ``get_variable``)."""
    frame = sys._getframe(1)
    # This module, and the import system with the finder it calls for
    # `import tensorflow.contrib...`, are not the program's lines.
    skipped = {m.__file__.rstrip("c") for m in _NOT_PROGRAM + (
        sys.modules.get("compat.py2.runtime"),) if m is not None}
    while frame is not None and (frame.f_code.co_filename.rstrip("c") in skipped or
                                 frame.f_code.co_filename.startswith("<frozen importlib")):
        frame = frame.f_back
    if frame is None:
        return None, None
    found = frame
    while program and found is not None and not classes.is_program_file(
            found.f_code.co_filename):
        found = found.f_back
    frame = found or frame
    return frame.f_code.co_filename, frame.f_lineno


# Modules whose frames are not the program's lines (the Python 2 runtime's
# old_div calls // for the line that wrote /).
_NOT_PROGRAM = (sys.modules[__name__], module_finder, classes, era_serve, era_adapters)


class LegacyNamespace(types.ModuleType):
    """A TF namespace (``tf``, ``tf.nn``, ...) that serves legacy names from
    the table and everything else from tf.compat.v1, then TF 2.x."""

    def __init__(self, shim, path, bases):
        # No bases: a namespace TF no longer has (tf.contrib), made only of
        # table entries; its other members get the enclosing entry's answer.
        super().__init__(bases[0].__name__ if bases else "tensorflow" + path[len("tf"):])
        object.__setattr__(self, "_shim", shim)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_bases", bases)
        if bases and hasattr(bases[-1], "__path__"):
            object.__setattr__(self, "__path__", bases[-1].__path__)
        elif not bases:
            # A package, so `import tensorflow.contrib.slim` looks inside it.
            object.__setattr__(self, "__path__", [])

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            for base in self._bases:
                if hasattr(base, attr):
                    return getattr(base, attr)
            raise AttributeError(attr)
        full = "%s.%s" % (self._path, attr)
        served = self._shim.serve(full)
        if served is not _MISSING:
            return served
        for base in self._bases:
            if hasattr(base, attr):
                return getattr(base, attr)
        raise AttributeError("module 'tensorflow' has no attribute '%s' (%s is neither in "
                             "tf.compat.v1 nor in TensorFlow %s, nor a legacy name tf1-compat "
                             "knows)" % (attr, full, tf.__version__))

    def __dir__(self):
        names = set()
        for base in self._bases:
            names.update(dir(base))
        names.update(api.entries_under(self._path))
        return sorted(names)


_MISSING = object()


class _Package(types.ModuleType):
    """A stand-in for a removed package (``tensorflow.examples...``) whose
    children are reported when a program takes them."""

    def __init__(self, shim, name, children):
        super().__init__(name)
        self.__path__ = []
        object.__setattr__(self, "_shim", shim)
        object.__setattr__(self, "_children", children)

    def __getattr__(self, attr):
        try:
            child = self._children[attr]
        except KeyError:
            raise AttributeError("module %r has no attribute %r" % (self.__name__, attr)) \
                from None
        entry = api.BY_OLD.get("%s.%s" % (self.__name__, attr))
        if entry is not None:
            self._shim._report(entry, *_caller())
        return child


class LegacyShim:
    def __init__(self, reporter=None, data_dir=None, batching="tf0", program=None,
                 max_steps=None, legacy_names=True, era=None, reuse_loop_ops=True):
        self.reporter = reporter or Reporter()
        # False: only the data redirection and the watchdog, for code that
        # must run on plain TF 2.x (an upgraded file).
        self.legacy_names = legacy_names
        # The program's era (compat.api.era): which old meanings it gets.
        self.era = era
        self._era_undo = []
        self.data_dir = data_dir
        self.batching = batching
        self.program = program
        # The stateless ops a training loop builds again are handed back
        # (compat.legacy.loop_ops); False builds them anew, as TF did.
        self.loop_ops = LoopOpReuse(self.reporter, program) if reuse_loop_ops else None
        self.watchdog = GraphWatchdog(self.reporter, program, max_steps=max_steps,
                                      reuse=self.loop_ops)
        self._saved_modules = {}
        self._patched = []
        self._patched_members = []  # classes.add_members' record
        self._getattrs = []      # (module, its own __getattr__ or None)
        self._served = {}        # adapter key -> the object it served
        self._namespaces = {}
        self._finder = module_finder.TableModuleFinder(self)
        self._installed = False

    @property
    def namespace_root(self):
        """The module ``import tensorflow`` yields while installed."""
        return self._namespaces.get("tf")

    # --- serving names --------------------------------------------------
    def table_namespace(self, path):
        """The namespace of ``path`` if TF no longer has it (``tf.contrib``):
        one made only of table entries; else None."""
        namespace = self._namespaces.get(path)
        return namespace if namespace is not None and not namespace._bases else None

    def serve(self, path):
        entry = api.lookup(path)
        if path in self._namespaces and (entry is None or entry.kind is not Kind.MODULE):
            return self._namespaces[path]
        if entry is None or entry.kind is Kind.KEPT:
            old_meaning = entry and era_serve.served(self, entry)
            return old_meaning or _MISSING
        return self._serve_entry(entry, path)

    def set_era(self, era):
        """Give the program ``era``'s meanings from now on (the notebook's
        ``%tf_version``, or ``auto`` deciding on a later cell)."""
        for undo in reversed(self._era_undo):
            undo()
        self.era = era
        self._era_undo = era_serve.install(self, _resolve) if self._installed and \
            self.legacy_names else []

    def report_here(self, kind, entry, new):
        """Record ``entry`` used at the program's calling line."""
        self.reporter.record(kind, entry.old, entry.old, new, *_caller(), entry.note)

    def _report(self, entry, filename, line):
        new = entry.new if entry.kind is not Kind.ADAPTER or entry.new else entry.old
        # What an old-order call is made with, where that is not `new`.
        new = entry.old_call_new or new
        self.reporter.record("api", entry.old, entry.old, new, filename, line, entry.note)

    def _serve_entry(self, entry, path):
        if entry.kind is Kind.UNSUPPORTED:
            filename, line = _caller()
            raise legacy_ops.LegacyError(
                "%s (%s:%s) has no safe mapping in TensorFlow %s: %s"
                % (path, os.path.basename(filename or "?"), line, tf.__version__, entry.note))
        if entry.kind in (Kind.RENAME, Kind.MODULE):
            self._report(entry, *_caller())
            return _modern(entry)
        adapter = legacy_ops.ADAPTERS.get(entry.adapter)
        if adapter is not None and adapter.serve is not None:
            # A value, not a call: tf.app.flags is a module, tf.app.run a function.
            self._report(entry, *_caller())
            if entry.adapter not in self._served:
                self._served[entry.adapter] = adapter.serve()
            return self._served[entry.adapter]
        return self._call_mapper(entry)

    def _call_mapper(self, entry):
        """A function taking the old signature (or the new one, where both
        are possible) and calling the modern form."""
        modern = _modern(entry)
        adapter = legacy_ops.ADAPTERS.get(entry.adapter)
        # Where the old call made something else than `new` does today
        # (a 0.x initializer function's tensor).
        old_modern = _resolve(entry.old_call_new) if entry.old_call_new else modern

        @functools.wraps(modern)
        def mapped(*args, **kwargs):
            if not legacy_ops.is_old_call(entry, args, kwargs):
                return modern(*args, **kwargs)
            self._report(entry, *_caller(program=True))
            if adapter is not None:
                return adapter.call(*args, **kwargs)
            return old_modern(**legacy_ops.bind_old_call(entry, args, kwargs))
        # A class stays a class to the program (isinstance, subclassing).
        return classes.MappedClass(modern, mapped) if isinstance(modern, type) else mapped

    def _reported_call(self, entry):
        """The old name as a function reported when called (not when taken:
        it is set on a real module, whose attribute reads no one sees)."""
        if entry.kind is not Kind.RENAME:
            return self._call_mapper(entry)
        modern = _modern(entry)

        @functools.wraps(modern)
        def renamed(*args, **kwargs):
            self._report(entry, *_caller())
            return modern(*args, **kwargs)
        return renamed

    # --- modules ------------------------------------------------------------
    def _build_namespaces(self):
        """One LegacyNamespace per namespace that holds legacy names."""
        prefixes = set()
        for entry in api.ENTRIES:
            parts = entry.old.split(".")
            if parts[0] != "tf":
                continue
            for end in range(1, len(parts)):
                prefixes.add(".".join(parts[:end]))
        for prefix in sorted(prefixes, key=len):
            bases = found_in_tf(prefix)
            own = api.BY_OLD.get(prefix)
            if bases and ((own is not None and own.kind is Kind.MODULE)
                          or any(isinstance(base, type) for base in bases)):
                # Served as TF's own module (tf.nn.rnn_cell: serve() never
                # answers it with a namespace), or a class, not a namespace
                # (tf.Tensor, whose members' entries are era patches).
                continue
            self._namespaces[prefix] = LegacyNamespace(self, prefix, bases)

    # --- install / uninstall ----------------------------------------------
    def install(self):
        if self._installed:
            return self
        self._install_data_env()
        self.watchdog.attach()
        if self.loop_ops is not None:
            self.loop_ops.attach()
        self._installed = True
        if self.legacy_names:
            self._install_names()
            self.set_era(self.era)
        return self

    def _install_data_env(self):
        from compat.data import input_data
        # The loader reads these, so programs, upgraded ones included, can
        # be pointed at local data without edits.
        self._saved_env = {name: os.environ.get(name)
                           for name in (input_data.DATA_DIR_ENV, input_data.BATCHING_ENV)}
        if self.data_dir:
            os.environ[input_data.DATA_DIR_ENV] = self.data_dir
        os.environ[input_data.BATCHING_ENV] = self.batching

    def _install_names(self):
        logger = tf.get_logger()
        level = logger.level
        # disable_v2_behavior warns about ref variables: noise for TF1 code.
        logger.setLevel("ERROR")
        try:
            v1.disable_v2_behavior()
        finally:
            logger.setLevel(level)
        self._namespaces.clear()
        self._build_namespaces()
        self._served.clear()
        root = self._namespaces["tf"]
        object.__setattr__(root, "__name__", "tensorflow")
        modules = {"tensorflow": root, **self._removed_packages()}
        modules.update(module_finder.replaced_loaded_submodules(modules))
        for name, module in modules.items():
            self._saved_modules[name] = sys.modules.get(name)
            sys.modules[name] = module
        self._patch_kept_modules()
        self._patched_members = classes.add_members(
            api.MEMBERS, _object_at,
            lambda entry: self._report(entry, *_caller(program=True)))
        self._serve_module_values()
        sys.meta_path.insert(0, self._finder)

    def _removed_packages(self):
        """``sys.modules`` entries for the packages TF no longer ships: each
        table module under them (its ``new``), and a :class:`_Package` for
        every package on the way from the removed root to it."""
        modules = {entry.old: _modern(entry) for entry in api.removed_modules()}
        packages = set()
        for root in api.REMOVED_PACKAGES:
            for name in modules:
                if name.startswith(root + "."):
                    parts = name.split(".")
                    packages.update(".".join(parts[:end])
                                    for end in range(root.count(".") + 1, len(parts)))
        # Deepest first: a package's children exist when it is made.
        for package in sorted(packages, key=lambda name: -name.count(".")):
            children = {name.rpartition(".")[2]: module for name, module in modules.items()
                        if name.rpartition(".")[0] == package}
            modules[package] = _Package(self, package, children)
        return modules

    def _patch_kept_modules(self):
        """``from tensorflow.python.ops import rnn`` finds TF's own module, so
        the table's old names in it are added to it (and removed again)."""
        for entry in api.kept_module_members():
            module_name, _, name = entry.old.rpartition(".")
            module = importlib.import_module(module_name)
            if hasattr(module, name):
                continue
            setattr(module, name, self._reported_call(entry))
            self._patched.append((module, name))

    def _serve_module_values(self):
        """Old names a program reads as values (``dtype=np.int``) are
        answered by the module's ``__getattr__`` (PEP 562), which Python
        consults only for names the module lacks; the wrapper reports the
        reading line and leaves every other name to the module's own."""
        for module_name, members in api.value_module_members().items():
            module = importlib.import_module(module_name)
            own = module.__dict__.get("__getattr__")

            def served(attr, members=members, own=own, module_name=module_name):
                entry = members.get(attr)
                if entry is None:
                    if own is None:
                        raise AttributeError("module %r has no attribute %r"
                                             % (module_name, attr))
                    return own(attr)
                self._report(entry, *_caller())
                return _modern(entry)
            module.__getattr__ = served
            self._getattrs.append((module, own))

    def uninstall(self, restore_v2=True):
        """Restore plain TensorFlow 2.x (``restore_v2=False``: only the
        modules, for a process about to end)."""
        if not self._installed:
            return
        for name, module in self._saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        self._saved_modules.clear()
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        for name in self._finder.loaded:
            sys.modules.pop(name, None)
        self._finder.loaded.clear()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for module, name in self._patched:
            delattr(module, name)
        self._patched.clear()
        classes.remove_members(self._patched_members)
        self._patched_members = []
        for module, own in self._getattrs:
            if own is None:
                del module.__getattr__
            else:
                module.__getattr__ = own
        self._getattrs.clear()
        for undo in reversed(self._era_undo):
            undo()
        self._era_undo = []
        self.watchdog.detach()
        if self.loop_ops is not None:
            self.loop_ops.detach()
        self._installed = False
        if restore_v2:
            self._restore_v2()

    def _restore_v2(self):
        try:
            v1.enable_v2_behavior()
        except ValueError:
            # Eager execution cannot come back in a process that has built
            # graphs; the rest of TF 2.x's behaviour can.
            v1.enable_resource_variables()
            v1.enable_v2_tensorshape()
            v1.enable_control_flow_v2()
            v1.enable_tensor_equality()
            self.reporter.say("TF 2.x names and behaviour restored, except eager execution, "
                              "which TensorFlow cannot turn back on once graphs were built "
                              "in this process (restart the kernel for it)")


_active = None


def install(**kwargs):
    """Install the shim in this process (for notebooks); returns it."""
    global _active
    if _active is None:
        _active = LegacyShim(**kwargs)
    return _active.install()


def uninstall():
    global _active
    if _active is not None:
        _active.uninstall()
        _active = None
