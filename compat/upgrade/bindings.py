"""What a program's names stand for, read from its imports before anything
is rewritten: its tensorflow aliases, the TF modules it bound to names, the
removed modules it imports (or carries a copy of), and the environment its
modern forms need.  Shared by the cells of a notebook."""

import os

import libcst as cst

from compat import api
from compat.api.tf_names import COMPAT_V1_MODULE, DISABLE_V2, TF_MODULE
from compat.upgrade.static import runtime_order


def carried_copies(filename):
    """The table's removed modules the program carries a copy of beside it
    (2015-2016 programs carried TF's tutorial input_data.py and ``import
    input_data``), by the name it imports the copy under."""
    if not filename or filename.startswith("<"):
        return {}
    directory = os.path.dirname(os.path.abspath(filename))
    return {entry.local_copy: entry for entry in api.ENTRIES
            if entry.is_local_copy(os.path.join(directory, "%s.py" % entry.local_copy))}


def dotted(node):
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return head and head + "." + node.attr.value
    return None


def import_name(node):
    return dotted(node) if node is not None else None


def entry_for(path):
    """The table entry for a resolved path, spelt as a module path
    (``tensorflow.contrib.x``) or as the program wrote it (``tf.x``)."""
    if path is None:
        return None
    return api.BY_OLD.get(path) or api.lookup(tf_form(path))


def tf_form(path):
    return "tf" + path[len(TF_MODULE):] if path.startswith(TF_MODULE + ".") else path


def is_python_module_entry(entry):
    """A removed Python module replaced by a module of this project."""
    return entry is not None and entry.replaced_by_module and entry.old.startswith(TF_MODULE + ".")


def setup_entry(path):
    """The entry for a module path a program imports (``tensorflow.keras.
    layers``, ``tensorflow.estimator``), or for the nearest package above
    it, whose modern form needs set-up before TensorFlow loads (an
    environment variable, a preload module); None if there is none."""
    # Entries are spelt as tf.* names or, for removed Python modules, as
    # module paths (tensorflow.python.keras.layers): try both spellings.
    candidates = []
    for spelling in (path, tf_form(path)):
        parts = spelling.split(".")
        candidates += [".".join(parts[:end]) for end in range(len(parts), 1, -1)]
    return next((api.BY_OLD[name] for name in candidates
                 if name in api.BY_OLD and (api.BY_OLD[name].env or api.BY_OLD[name].preload)),
                None)


def is_outside_tf_entry(entry):
    """A name served by a Python package other than TensorFlow (``tf_slim``):
    the upgraded file imports that package, after its glue."""
    return (entry is not None and entry.kind in (api.Kind.RENAME, api.Kind.MODULE)
            and api.is_outside_tf(entry.new) and not is_python_module_entry(entry)
            # Another library's own old names (np.int) are spelt through the
            # program's import of that library, never by importing a package.
            and not entry.old.startswith(api.VALUE_MODULES))


def _env_names():
    return {name for entry in api.ENTRIES for name, _ in entry.env}


class Bindings:
    """What the program's names stand for, from its imports; shared by the
    cells of a notebook."""

    def __init__(self, local_copies=None):
        self.tf_aliases = {}      # name -> dotted module it is bound to
        self.modules = {}         # name -> tensorflow.* (or numpy-like) module path
        self.replaced = {}        # name -> module entry (input_data, ...)
        # Copies of removed modules the program carries beside it, by the
        # name it imports them under.
        self.local_copies = dict(local_copies or {})
        self.has_disable = False
        self.env_set = set()
        self.env_needed = {}      # variable -> (value, entry)
        self.packages = {}        # module the rewritten names are spelt on -> entry
        self.imported = set()     # every module an `import` statement names
        self.preload_needed = {}  # module -> the entry whose modern form needs it
        self.target = None        # the import statement to insert after
        self.os_ready = False     # `import os` precedes the target
        # `rnn = tf.contrib.rnn` at module level, its name bound nowhere
        # else: id of the Assign -> the namespace's path, and the ids of
        # the names it binds (the uses are rewritten like an import's).
        self.namespace_aliases = {}
        self.namespace_alias_targets = set()

    @property
    def primary_alias(self):
        return next(iter(self.tf_aliases), None)

    def resolve(self, node):
        """The module path a Name/Attribute chain names, with the program's
        tensorflow alias written ``tf``; None for other names."""
        path = dotted(node)
        if path is None:
            return None
        root, dot, rest = path.partition(".")
        if root in self.tf_aliases:
            return "tf" + dot + rest
        if root in self.modules:
            return self.modules[root] + dot + rest
        return None


class _ImportScan(cst.CSTVisitor):
    """First pass: bindings from imports, existing set-up lines."""

    def __init__(self, bindings):
        super().__init__()
        self.b = bindings
        self._depth = 0
        self._fallback = None
        self._from_import = None
        self._alias_candidates = []   # (name, Assign, target Name, path)
        self._bound = {}              # module-level name -> how often bound

    def visit_FunctionDef(self, node):
        self._count(node.name)
        self._depth += 1

    def leave_FunctionDef(self, node):
        self._depth -= 1

    def visit_ClassDef(self, node):
        self._count(node.name)
        self._depth += 1

    def leave_ClassDef(self, node):
        self._depth -= 1

    # --- module-level names bound more than once are not aliases
    def _count(self, target):
        if self._depth == 0 and isinstance(target, cst.Name):
            self._bound[target.value] = self._bound.get(target.value, 0) + 1
        elif self._depth == 0 and isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._count(element.value)

    def visit_Assign(self, node):
        for target in node.targets:
            self._count(target.target)
        path = self.b.resolve(node.value)
        if (self._depth == 0 and len(node.targets) == 1 and path
                and isinstance(node.targets[0].target, cst.Name)
                and api.served_namespace(tf_form(path)) and api.namespace_module(tf_form(path)) is None):
            target = node.targets[0].target
            self._alias_candidates.append((target.value, node, target, path))

    def visit_AugAssign(self, node):
        self._count(node.target)

    def visit_AnnAssign(self, node):
        self._count(node.target)

    def visit_For(self, node):
        self._count(node.target)

    def visit_WithItem(self, node):
        if node.asname is not None:
            self._count(node.asname.name)

    def visit_Global(self, node):
        for item in node.names:   # assigned from inside a function
            self._bound[item.name.value] = 2

    def visit_ImportAlias(self, node):
        self._count(node.asname.name if node.asname else cst.Name(
            import_name(node.name).partition(".")[0]))

    def visit_Import(self, node):
        for alias in node.names:
            name = import_name(alias.name)
            bound = import_name(alias.asname.name) if alias.asname else None
            self.b.imported.add(name)
            if name in (TF_MODULE, COMPAT_V1_MODULE) and (bound or name == TF_MODULE):
                self.b.tf_aliases.setdefault(bound or name, name)
                self._choose_target(node)
            elif name in api.VALUE_MODULES:
                # Its old names (np.int) are resolved through the alias.
                self._bind_module(bound or name, name)
            elif name in self.b.local_copies and bound is None:
                self.b.replaced[name] = self.b.local_copies[name]
            elif name == "os" and bound is None and self.b.target is None:
                self.b.os_ready = True
            elif name and name.startswith(TF_MODULE + ".") and bound:
                self._bind_module(bound, name)

    def visit_ImportFrom(self, node):
        module = import_name(node.module)
        if not module or node.relative:
            return
        if (module == TF_MODULE or module.startswith(TF_MODULE + ".")) and self._depth == 0:
            # A program that only ever says `from tensorflow.estimator import
            # ...` still needs its set-up lines before that import.
            self._from_import = self._from_import or node
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            bound = import_name(alias.asname.name if alias.asname else alias.name)
            full = module + "." + import_name(alias.name)
            if full.startswith(TF_MODULE + "."):
                self._bind_module(bound, full)

    def _bind_module(self, bound, path):
        entry = entry_for(path)
        if entry is not None and entry.preload and entry.preload not in self.b.imported:
            self.b.preload_needed.setdefault(entry.preload, entry)
        if is_python_module_entry(entry):
            self.b.replaced[bound] = entry
        else:
            self.b.modules[bound] = path

    def _choose_target(self, node):
        # Set-up lines belong after a module-level import, not one that
        # happens to come first inside a function.
        if self._depth == 0 and self.b.target is None:
            self.b.target = node
        elif self._fallback is None:
            self._fallback = node

    def visit_Call(self, node):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == DISABLE_V2:
            self.b.has_disable = True

    def visit_SimpleString(self, node):
        value = node.evaluated_value
        if value in _env_names():
            self.b.env_set.add(value)

    def finish(self):
        if self.b.target is None:
            self.b.target = self._fallback or self._from_import
        for name, node, target, path in self._alias_candidates:
            if self._bound.get(name) == 1:
                self.b.modules[name] = path
                self.b.namespace_aliases[id(node)] = path
                self.b.namespace_alias_targets.add(id(target))


class _UseScan(cst.CSTVisitor):
    """Second pass, once every alias is known: names whose modern form
    needs an environment variable set, or a module imported, before
    TensorFlow loads."""

    def __init__(self, bindings):
        super().__init__()
        self.b = bindings

    def visit_Attribute(self, node):
        path = self.b.resolve(node)
        entry = entry_for(path)
        if is_outside_tf_entry(entry):
            self.b.packages.setdefault(entry.import_module, entry)
        module = api.namespace_module(path) if path else None
        if module is not None and api.is_outside_tf(module):
            # `analyzer = tf.contrib.tfprof.model_analyzer`: spelt as the module.
            member = next(iter(api.entries_under(path).values()))
            self.b.packages.setdefault(module, member)
            self._need(member)
        self._need(entry)

    def visit_Call(self, node):
        # A call whose argument order is decided when it runs needs the
        # runtime form's module (compat.upgrade.static.runtime_order).
        entry = entry_for(self.b.resolve(node.func))
        if entry is not None and entry.old_order_if is not None:
            form = runtime_order(entry, node)
            if form is not None:
                self.b.packages.setdefault(form.rsplit(".", 1)[0], entry)

    # An import is not an attribute use: `from tensorflow.keras.layers
    # import Dense` needs what tf.keras needs.
    def visit_Import(self, node):
        for alias in node.names:
            self._need_imported(import_name(alias.name))

    def visit_ImportFrom(self, node):
        module = import_name(node.module)
        if node.relative or not module:
            return
        self._need_imported(module)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._need_imported(module + "." + import_name(alias.name))

    def _need_imported(self, path):
        if path and path.startswith(TF_MODULE + "."):
            self._need(setup_entry(path))

    def _need(self, entry):
        for name, value in entry.env if entry else ():
            if name not in self.b.env_set:
                self.b.env_needed.setdefault(name, (value, entry))
        if entry is not None and entry.preload and entry.preload not in self.b.imported:
            self.b.preload_needed.setdefault(entry.preload, entry)


def scan(modules, local_copies=None):
    """The :class:`Bindings` of ``modules`` (one file, or a notebook's
    cells in order)."""
    bindings = Bindings(local_copies)
    import_scan = _ImportScan(bindings)
    for module in modules:
        module.visit(import_scan)
    import_scan.finish()
    for module in modules:
        module.visit(_UseScan(bindings))
    return bindings
