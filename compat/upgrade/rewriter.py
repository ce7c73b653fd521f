"""The rewrite of one parsed module (a file, or a notebook cell) from the
legacy table: imports made ``tensorflow.compat.v1`` with the set-up lines
after the first one, renamed names spelt on the program's alias, calls in
the old argument order bound to the old parameters and written out by
keyword, and what cannot be decided from the source flagged.  Every change,
flag and note is recorded as a :class:`~compat.upgrade.findings.Finding`."""

import json

import libcst as cst
from libcst import metadata

from compat import api
from compat.api import Kind
from compat.api.tf_names import COMPAT_V1_MODULE, DISABLE_V2, TF_MODULE
from compat.upgrade.bindings import (dotted, entry_for, import_name, is_outside_tf_entry,
                                     is_python_module_entry, tf_form)
from compat.upgrade import members
from compat.upgrade.findings import Finding
from compat.upgrade.static import (NEW, ORDER_TESTS, UNKNOWN, Unmappable, append_keyword,
                                   bind_call, maps_calls, order_hint, runtime_order,
                                   split_args)


class State:
    """What has been inserted so far (once per file, or per notebook)."""

    def __init__(self):
        self.inserted = False


class Rewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (metadata.PositionProvider, metadata.ParentNodeProvider,
                             metadata.ScopeProvider)

    def __init__(self, bindings, state, module, line_of, cell=None):
        super().__init__()
        self.b = bindings
        self.state = state
        self.module = module
        self.line_of = line_of
        self.cell = cell
        self.changes = []
        self.flags = []
        self.notes = []
        self._seen = set()
        self._after_target = None
        self.assigned = members.assigned_values(module)

    # --- recording
    def _line(self, node):
        return self.line_of(self.get_metadata(metadata.PositionProvider, node).start.line)

    def _code(self, node):
        return self.module.code_for_node(node).strip()

    def _record(self, bucket, kind, name, node, old, new="", note=""):
        line = self._line(node)
        key = (kind, name, line) if kind != "note" else (kind, name)
        if key in self._seen:
            return
        self._seen.add(key)
        bucket.append(Finding(kind, name, line, old, new, note, self.cell))

    def _change(self, kind, name, node, old, new, note=""):
        self._record(self.changes, kind, name, node, old, new, note)

    def _flag(self, name, node, note, new=""):
        self._record(self.flags, "flag", name, node, self._code(node), new, note)

    def _spell(self, path, node):
        """Expression for a table ``new`` path on the program's tf alias."""
        if api.is_outside_tf(path) and any(path == module or path.startswith(module + ".")
                                           for module in self.b.packages):
            # Its package is imported with the set-up lines (bindings.packages).
            return cst.parse_expression(path)
        root = (dotted(node) or "").partition(".")[0]
        if not path.startswith("tf."):
            return self._spell_python(path, root)
        alias = root if root in self.b.tf_aliases else self.b.primary_alias
        if alias is None:
            return None
        return cst.parse_expression(alias + path[len("tf"):])

    def _spell_python(self, path, root):
        """A Python ``new`` path: a builtin bare, a module's member on the
        name the program bound that module to (the one the old name used)."""
        module, _, member = path.rpartition(".")
        if not module:
            return cst.Name(member)
        aliases = [root] + sorted(self.b.modules)
        alias = next((name for name in aliases if self.b.modules.get(name) == module), None)
        return alias and cst.parse_expression(alias + "." + member)

    def _bound_elsewhere(self, node):
        """Whether the root name of ``node`` is, where it is used, something
        other than an import (a parameter or local variable called ``np``)."""
        while isinstance(node, cst.Attribute):
            node = node.value
        scope = self.get_metadata(metadata.ScopeProvider, node, None)
        if not isinstance(node, cst.Name) or scope is None:
            return False
        return any(not isinstance(referent, metadata.ImportAssignment)
                   and id(getattr(referent, "node", None)) not in self.b.namespace_alias_targets
                   for access in scope.accesses[node] for referent in access.referents)

    # --- `rnn = tf.contrib.rnn`: dropped like `from tensorflow.contrib import rnn`
    def visit_Assign(self, node):
        return id(node) not in self.b.namespace_aliases  # its value is not a use

    def leave_Assign(self, original, updated):
        path = self.b.namespace_aliases.get(id(original))
        if path is None:
            return updated
        self._change("api", tf_form(path), original, self._code(original), "",
                     "a namespace TF dropped; the names used through it are rewritten "
                     "where they are used")
        return cst.RemoveFromParent()

    # --- imports
    def visit_Import(self, node):
        return False  # its dotted names are module paths, not tf.* uses

    def visit_ImportFrom(self, node):
        return False

    def leave_Import(self, original, updated):
        names = []
        for alias in updated.names:
            name = import_name(alias.name)
            if name == TF_MODULE:
                bound = alias.asname.name.value if alias.asname else TF_MODULE
                alias = alias.with_changes(
                    name=cst.parse_expression(COMPAT_V1_MODULE),
                    asname=alias.asname or cst.AsName(name=cst.Name(bound)))
            elif (is_python_module_entry(entry_for(name))
                  or is_outside_tf_entry(entry_for(name))):
                alias = self._replace_module_import(alias, name, original)
            elif (name in self.b.local_copies and alias.asname is None
                  and len(updated.names) == 1):
                return self._replace_local_copy(original, self.b.local_copies[name])
            names.append(alias)
        new = updated.with_changes(names=names)
        if not new.deep_equals(updated):
            self._change("import", TF_MODULE, original, self._code(original),
                         self.module.code_for_node(new).strip(),
                         "names tf.compat.v1 still has keep working unchanged")
        if original is self.b.target:
            self._after_target = self._setup_lines(original)
        return new

    def _replace_local_copy(self, original, entry):
        """``import input_data`` of a copy beside the program -> the
        project's module that replaces it, under the same name."""
        parent, _, member = entry.new.rpartition(".")
        asname = None if member == entry.local_copy else cst.AsName(
            name=cst.Name(entry.local_copy))
        new = cst.ImportFrom(module=cst.parse_expression(parent),
                             names=[cst.ImportAlias(name=cst.Name(member), asname=asname)])
        self._change("import", entry.local_copy, original, self._code(original),
                     self.module.code_for_node(new).strip(), entry.local_copy_note)
        return new

    def _replace_module_import(self, alias, name, original):
        entry = entry_for(name)
        if alias.asname is None:
            self._flag(name, original, "imported without `as`; write `import %s as %s` and "
                       "use that name" % (entry.new, entry.new.rpartition(".")[2]))
            return alias
        return alias.with_changes(name=cst.parse_expression(entry.new))

    def leave_ImportFrom(self, original, updated):
        if original is self.b.target:
            self._after_target = self._setup_lines(original)
        module = import_name(updated.module)
        if (module in api.VALUE_MODULES and not updated.relative
                and not isinstance(updated.names, cst.ImportStar)):
            # `from numpy import float_`: the name stays bound to the import.
            for alias in updated.names:
                self._flag_imported_name(original, module + "." + import_name(alias.name),
                                         None)
            return updated
        if not module or updated.relative or not (
                module == TF_MODULE or module.startswith(TF_MODULE + ".")):
            return updated
        if isinstance(updated.names, cst.ImportStar):
            if entry_for(module) or any(e.old.startswith(module + ".")
                                         for e in api.ENTRIES):
                self._flag(module + ".*", original, "star import of a removed module; "
                           "import the names you use explicitly")
            return updated
        entries = [entry_for(module + "." + import_name(a.name)) for a in updated.names]
        if entries and all(is_python_module_entry(e) or is_outside_tf_entry(e)
                           for e in entries):
            return self._replace_module_from(original, updated, entries)
        if is_python_module_entry(entry_for(module)):
            # `from tensorflow.python.keras.layers import Dense`: the
            # members come from the replacement module.
            return self._replace_from_module(original, updated, entry_for(module))
        replacement = api.replaced_submodule(module)
        if replacement is not None:
            # `from tensorflow.python.keras.layers.core import Dense`: the
            # replacement package's module of the same path.
            new = updated.with_changes(module=cst.parse_expression(replacement))
            self._change("import", module, original, self._code(original),
                         self.module.code_for_node(new).strip(),
                         "the module of the same path in the package that replaces it")
            return new
        paths = [tf_form(module + "." + import_name(a.name)) for a in updated.names]
        if all(api.served_namespace(path) for path in paths):
            # `from tensorflow.contrib import rnn`: a namespace TF dropped,
            # whose members the table serves; every `rnn.X` is rewritten
            # where it is used, so the name needs no import of its own.
            self._change("import", paths[0], original, self._code(original), "",
                         "the names used through it are rewritten where they are used")
            return cst.RemoveFromParent()
        for alias, entry in zip(updated.names, entries):
            self._flag_imported_name(original, module + "." + import_name(alias.name), entry)
        return updated

    def _replace_module_from(self, original, updated, entries):
        parents = {e.new.rpartition(".")[0] for e in entries}
        if len(parents) != 1 or (parents == {""} and len(entries) > 1):
            self._flag(import_name(updated.module), original,
                       "the names come from different replacement modules; import them "
                       "separately")
            return updated
        if parents == {""}:
            # `from tensorflow.contrib import slim` -> `import tf_slim as slim`.
            alias = updated.names[0]
            bound = alias.asname.name.value if alias.asname else alias.name.value
            new = cst.Import(names=[cst.ImportAlias(
                name=cst.Name(entries[0].new), asname=cst.AsName(name=cst.Name(bound)))])
            self._change("import", entries[0].old, original, self._code(original),
                         self.module.code_for_node(new).strip(), entries[0].note)
            return new
        names = []
        for alias, entry in zip(updated.names, entries):
            new_name = entry.new.rpartition(".")[2]
            bound = alias.asname.name.value if alias.asname else alias.name.value
            asname = None if bound == new_name else cst.AsName(name=cst.Name(bound))
            names.append(alias.with_changes(name=cst.Name(new_name), asname=asname))
        new = updated.with_changes(module=cst.parse_expression(parents.pop()), names=names)
        self._change("import", entries[0].old, original, self._code(original),
                     self.module.code_for_node(new).strip(),
                     "; ".join(e.note for e in entries if e.note)
                     + (" (needs the tf1-compat package installed)"
                        if dotted(new.module).split(".")[0] == "compat" else ""))
        return new

    def _replace_from_module(self, original, updated, entry):
        new = updated.with_changes(module=cst.parse_expression(entry.new))
        self._change("import", entry.old, original, self._code(original),
                     self.module.code_for_node(new).strip(), entry.upgrade_note or entry.note)
        return new

    def _flag_imported_name(self, original, path, entry):
        entry = entry or api.lookup(tf_form(path))
        if entry is None:
            return
        if entry.kind is Kind.UNSUPPORTED:
            self._flag(entry.old, original, entry.note)
        elif entry.kind in (Kind.RENAME, Kind.ARGS, Kind.ADAPTER) and entry.new != entry.old:
            self._flag(entry.old, original, "imported by name; import the module and use "
                       "%s instead" % entry.new)

    def _setup_lines(self, import_node):
        """Statements around the first tensorflow import: environment and
        modules the modern forms need, before it; v1 behaviour, after it."""
        before, after = [], []
        if self.state.inserted:
            return before, after
        self.state.inserted = True
        alias = self.b.primary_alias
        if self.b.env_needed:
            if not self.b.os_ready:
                before.append(cst.parse_statement("import os\n"))
            for name, (value, entry) in sorted(self.b.env_needed.items()):
                line = "os.environ.setdefault(%s, %s)\n" % (json.dumps(name), json.dumps(value))
                before.append(cst.parse_statement(line))
                self._change("import", entry.old, import_node, "", line.strip(),
                             entry.upgrade_note or entry.note)
        for module, entry in sorted(self.b.preload_needed.items()):
            line = "import %s  # %s: %s\n" % (module, entry.old, entry.note)
            before.append(cst.parse_statement(line))
            self._change("import", entry.old, import_node, "", line.strip(),
                         entry.upgrade_note or entry.note)
        # Packages outside TF that rewritten names are spelt on (after the
        # preloads, which make them work on today's TF).
        for module, entry in sorted(self.b.packages.items()):
            line = "import %s\n" % module
            before.append(cst.parse_statement(line))
            self._change("import", entry.old, import_node, "", line.strip(), entry.note)
        if not self.b.has_disable and alias is not None:
            line = "%s.%s()\n" % (alias, DISABLE_V2)
            after.append(cst.parse_statement(line))
            self._change("import", DISABLE_V2, import_node, "", line.strip(),
                         "graph mode, tf.Session and the other TF1 behaviours")
        return before, after

    def leave_SimpleStatementLine(self, original, updated):
        if self._after_target is None or not any(
                s is self.b.target for s in original.body):
            return updated
        before, after = self._after_target
        self._after_target = None
        if not before and not after:
            return updated
        if not updated.body:
            # The import itself was dropped (a namespace served name by name).
            return cst.FlattenSentinel([*before, *after]) if before or after \
                else cst.RemoveFromParent()
        if before:
            # The import's leading comments stay with the first new line.
            before[0] = before[0].with_changes(leading_lines=updated.leading_lines)
            updated = updated.with_changes(leading_lines=())
        return cst.FlattenSentinel([*before, updated, *after])

    # --- names
    def leave_Attribute(self, original, updated):
        path = self.b.resolve(original)
        if path is None:
            # Not a module's name: maybe an old member of an object (ta.pack).
            new, entry, note = members.rewrite(
                original, updated, lambda node: self.get_metadata(
                    metadata.ScopeProvider, node, None), self.assigned, self.b.resolve)
            if note is not None:
                self._flag(entry.old, original, note)
            elif entry is not None:
                self._change("api", entry.old, original, self._code(original),
                             self.module.code_for_node(new), entry.note)
            return new
        entry = entry_for(path)
        if entry is None or entry.kind is Kind.KEPT or self._bound_elsewhere(original):
            return updated
        if entry.kind is Kind.RENAME or is_outside_tf_entry(entry):
            # A moved namespace now a package outside TF (tf.contrib.slim ->
            # tf_slim) is renamed like a name.
            return self._rename(original, updated, entry)
        if entry.kind is Kind.UNSUPPORTED and not self._served_above(original) \
                and api.namespace_module(path) is not None:
            # A namespace all of whose served names come from one module.
            new = self._spell(api.namespace_module(path), original)
            if new is None:
                self._flag(path, original, "no tensorflow import to spell %s on"
                           % api.namespace_module(path))
                return updated
            self._change("api", path, original, self._code(original),
                         self.module.code_for_node(new),
                         "every name the table serves under it is this module's")
            return new
        if entry.kind is Kind.UNSUPPORTED:
            if not self._served_above(original):
                self._flag(entry.old, self._outermost(original), entry.note)
        elif entry.kind is Kind.ADAPTER and not maps_calls(entry):
            if entry.new == entry.old:
                self._record(self.notes, "note", entry.old, original, self._code(original),
                             note=entry.upgrade_note or entry.note)
            else:
                self._flag(entry.old, original, "no static form; " + entry.note)
        elif maps_calls(entry) and not self._is_called(original) and entry.bare_call:
            # Passed as a value: what the old function was is now made by
            # calling the new name.
            new = self._spell(entry.new, original)
            if new is not None:
                new = cst.Call(func=new)
                self._change("api", entry.old, original, self._code(original),
                             self.module.code_for_node(new), entry.note)
                return new
        elif maps_calls(entry) and not self._is_called(original) and entry.new != entry.old:
            self._flag(entry.old, original, "used without a call, so its arguments cannot "
                       "be mapped; call %s with its new arguments" % entry.new)
        return updated

    def _rename(self, original, updated, entry):
        new = self._spell(entry.new, original)
        if new is None:
            self._flag(entry.old, original, "no tensorflow import to spell %s on" % entry.new)
            return updated
        self._change("api", entry.old, original, self._code(original),
                     self.module.code_for_node(new), entry.upgrade_note or entry.note)
        return new

    def _is_called(self, node):
        parent = self.get_metadata(metadata.ParentNodeProvider, node, None)
        return isinstance(parent, cst.Call) and parent.func is node

    def _served_above(self, node):
        """Whether a longer chain this node starts (``tf.contrib`` in
        ``tf.contrib.layers.conv2d``) is a name the table serves."""
        while True:
            parent = self.get_metadata(metadata.ParentNodeProvider, node, None)
            if not (isinstance(parent, cst.Attribute) and parent.value is node):
                return False
            path = self.b.resolve(parent)
            entry = entry_for(path)
            if (entry is not None and entry.kind is not Kind.UNSUPPORTED) or (
                    path and api.namespace_module(path) is not None):
                return True
            node = parent

    def _outermost(self, node):
        while True:
            parent = self.get_metadata(metadata.ParentNodeProvider, node, None)
            if not (isinstance(parent, cst.Attribute) and parent.value is node):
                return node
            node = parent

    # --- calls
    def leave_Call(self, original, updated):
        entry = entry_for(self.b.resolve(original.func))
        if entry is not None and maps_calls(entry):
            return self._map_call(original, updated, entry)
        return self._pin_kwargs(original, updated)

    def _map_call(self, original, updated, entry):
        order = ORDER_TESTS[entry.old_order_if](entry, updated)
        if order == NEW:
            return updated
        if order == UNKNOWN:
            return self._order_at_run_time(original, updated, entry)
        try:
            args = bind_call(entry, updated)
        except Unmappable as problem:
            self._flag(entry.old, original, str(problem))
            return updated
        func = updated.func
        target = entry.old_call_new or entry.new
        if target != entry.old:
            func = self._spell(target, original)
            if func is None:
                self._flag(entry.old, original, "no tensorflow import to spell %s on"
                           % target)
                return updated
        new = updated.with_changes(func=func, args=args)
        old_code, new_code = self._code(original), self.module.code_for_node(new).strip()
        if not new.deep_equals(updated):
            self._change("api", entry.old, original, old_code, new_code,
                         entry.upgrade_note or entry.note)
            if entry.upgrade_flag:
                self._flag(entry.old, original, entry.upgrade_flag, new_code)
        return new

    def _order_at_run_time(self, original, updated, entry):
        """An order the source cannot decide: wrapped in the order test's
        runtime form where it has one (``static.runtime_order``), flagged
        either way."""
        form = runtime_order(entry, updated)
        if form is None:
            self._flag(entry.old, original, "%s; check line %d (%s)" % (
                order_hint(entry), self._line(original), entry.note))
            return updated
        first = cst.Arg(value=updated.func, comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")))
        new = updated.with_changes(func=cst.parse_expression(form),
                                   args=[first] + list(updated.args))
        new_code = self.module.code_for_node(new).strip()
        self._change("api", entry.old, original, self._code(original), new_code, entry.note)
        self._flag(entry.old, original, "%s; written %s(...), which decides the order when "
                   "the line runs, as run_legacy.py does (%s)" % (
                       order_hint(entry), form, entry.note), new_code)
        return new

    def _pin_kwargs(self, original, updated):
        """``read_data_sets(...)`` on a replaced tutorial module gets the
        keyword that keeps what the old module did by default."""
        func = original.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return updated
        entry = self.b.replaced.get(func.value.value)
        if entry is None:
            return updated
        _, keywords, starred = split_args(updated)
        args = list(updated.args)
        for member, keyword, value in entry.pin_kwargs:
            if member != func.attr.value or keyword in keywords or starred:
                continue
            append_keyword(args, keyword, value)
        if len(args) == len(updated.args):
            return updated
        new = updated.with_changes(args=args)
        self._change("api", entry.old + "." + func.attr.value, original, self._code(original),
                     self.module.code_for_node(new).strip(), entry.upgrade_note)
        return new
