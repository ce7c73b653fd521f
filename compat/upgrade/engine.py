"""The source upgrader: rewrite a TF 0.x/1.x program so that it runs on
TensorFlow 2.x through ``tf.compat.v1`` with no runtime shim.

Where the legacy runner (``compat.legacy_shim``) maps old names while the
program runs, this module writes the modern form into the source, once,
from the same table (``compat.api.table``) and with the same meaning as
``compat.legacy.adapters`` gives a call at run time:

* ``import tensorflow as tf`` becomes ``import tensorflow.compat.v1 as tf``
  followed by ``tf.disable_v2_behavior()``, so every name ``tf.compat.v1``
  still has keeps working unchanged;
* removed names are renamed, and calls whose arguments changed are bound to
  the old parameters and written out by keyword (``softmax_cross_entropy_
  with_logits(pred, y)`` -> ``(logits=pred, labels=y)``; old-order
  ``tf.concat``/``tf.split``; ``tf.reverse`` with a bool mask; the
  ``tf.*_summary`` ops);
* what cannot be decided from the source (an argument order that depends on
  a value, ``tf.contrib``, a vector of summary tags) is left as it is and
  *flagged*, as are graph-building calls inside a loop that also runs the
  session (the graph grows every step);
* Python 2 sources go through ``compat.py2.translator`` first.

libcst keeps comments and layout: only the touched expressions change.  An
upgraded file that used the MNIST tutorial package (or Python 2 integer
division) imports the project's ``compat`` package, so it needs tf1-compat's
``compat`` package on PYTHONPATH.  TensorFlow is not imported here: this is
a source-to-source tool.  ``scripts/upgrade.py`` is its command line.
"""

import dataclasses
import difflib
import io
import json
import os
import re
import shutil
import tokenize

import libcst as cst
import nbformat
from libcst import metadata

from compat.util import atomic
from compat import api
from compat import py2
from compat.legacy.py2_import import is_tutorial_input_data_copy
from compat.util import errors

LOCAL_INPUT_DATA = "input_data"
TUTORIAL_INPUT_DATA = "tensorflow.examples.tutorials.mnist.input_data"


def _has_local_input_data(filename):
    """Whether the program sits beside a copy of TF's tutorial input_data.py
    (2015-2016 programs carried one and ``import input_data``)."""
    if not filename or filename.startswith("<"):
        return False
    directory = os.path.dirname(os.path.abspath(filename))
    return is_tutorial_input_data_copy(
        os.path.join(directory, LOCAL_INPUT_DATA + ".py"))

TF_MODULE = "tensorflow"
COMPAT_V1_MODULE = "tensorflow.compat.v1"
DISABLE_V2 = "disable_v2_behavior"

# Calls on the tensorflow module that create no graph ops, so running them
# on every step of a training loop does not grow the graph.  This is about
# TF's current API, not about legacy names, hence not in the legacy table.
NON_OP_CALLS = frozenset((
    "tf.Session", "tf.InteractiveSession", "tf.ConfigProto", "tf.GPUOptions",
    "tf.RunOptions", "tf.RunMetadata", "tf.get_default_graph", "tf.get_default_session",
    "tf.set_random_seed", "tf.get_collection", "tf.trainable_variables",
    "tf.global_variables", "tf.all_variables", "tf.local_variables",
    "tf.train.SummaryWriter", "tf.summary.FileWriter", "tf.train.Coordinator",
    "tf.train.start_queue_runners", "tf.train.latest_checkpoint",
    "tf.train.get_checkpoint_state", "tf.train.global_step",
))
NON_OP_PREFIXES = ("tf.logging.", "tf.gfile.", "tf.io.gfile.", "tf.app.", "tf.flags.",
                   "tf.test.")
# A loop that makes a fresh graph each pass is the cure, not the disease.
GRAPH_RESETS = frozenset(("tf.reset_default_graph", "tf.Graph"))
# Method names that execute a graph: a loop calling one is a training loop.
RUN_METHODS = frozenset(("run", "eval"))


_FROM_COMPAT = re.compile(r"from compat(?:\.(\w+))? import (.+)")
_IMPORT_COMPAT = re.compile(r"import compat\.(\w+)")


class UpgradeError(errors.UserError):
    """A file that cannot be upgraded; the message is one line."""


class RefusedError(UpgradeError):
    """A request the upgrader refuses (it would overwrite its input)."""


@dataclasses.dataclass
class Finding:
    """One report item.  ``kind``: ``api``, ``import`` or ``py2`` for a
    change; ``flag`` for what needs a person; ``note`` for a kept name that
    behaves a little differently.  ``line`` is the input file's line (for a
    notebook, the line in code cell ``cell``)."""

    kind: str
    name: str
    line: int
    old: str = ""
    new: str = ""
    note: str = ""
    cell: int = None

    def as_dict(self):
        item = dataclasses.asdict(self)
        if self.cell is None:
            del item["cell"]
        return item


@dataclasses.dataclass
class UpgradeResult:
    source: str
    changes: list
    flags: list
    notes: list

    @property
    def compat_modules(self):
        """Modules of the project's ``compat`` package the upgraded code
        imports (so it needs the project on PYTHONPATH)."""
        found = set()
        for change in self.changes:
            for line in change.new.splitlines():
                found.update(_compat_imports(line.strip()))
        return sorted(found)


def _compat_imports(line):
    match = _FROM_COMPAT.match(line)
    if match and match.group(1):
        return [match.group(1)]
    if match:
        return [name.split(" as ")[0].strip(" ()") for name in match.group(2).split(",")]
    match = _IMPORT_COMPAT.match(line)
    return [match.group(1)] if match else []


# --- reading names ----------------------------------------------------------

def _dotted(node):
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return head and head + "." + node.attr.value
    return None


def _import_name(node):
    return _dotted(node) if node is not None else None


def _entry_for(path):
    """The table entry for a resolved path, spelt as a module path
    (``tensorflow.contrib.x``) or as the program wrote it (``tf.x``)."""
    if path is None:
        return None
    return api.BY_OLD.get(path) or api.lookup(_tf_form(path))


def _tf_form(path):
    return "tf" + path[len(TF_MODULE):] if path.startswith(TF_MODULE + ".") else path


def _is_python_module_entry(entry):
    """A removed Python module replaced by a module of this project."""
    return (entry is not None and entry.kind == "module" and entry.old.startswith(TF_MODULE + ".")
            and entry.new and not entry.new.startswith("tf."))


def _env_names():
    return {name for entry in api.ENTRIES for name, _ in entry.env}


class _Bindings:
    """What the program's names stand for, from its imports; shared by the
    cells of a notebook."""

    def __init__(self):
        self.tf_aliases = {}      # name -> dotted module it is bound to
        self.modules = {}         # name -> tensorflow.* module path
        self.replaced = {}        # name -> module entry (input_data, ...)
        # The program carries its own copy of TF's tutorial input_data.py.
        self.local_input_data = False
        self.has_disable = False
        self.env_set = set()
        self.env_needed = {}      # variable -> (value, entry)
        self.target = None        # the import statement to insert after
        self.os_ready = False     # `import os` precedes the target

    @property
    def primary_alias(self):
        return next(iter(self.tf_aliases), None)

    def resolve(self, node):
        """The module path a Name/Attribute chain names, with the program's
        tensorflow alias written ``tf``; None for other names."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        root, dot, rest = dotted.partition(".")
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

    def visit_FunctionDef(self, node):
        self._depth += 1

    def leave_FunctionDef(self, node):
        self._depth -= 1

    def visit_ClassDef(self, node):
        self._depth += 1

    def leave_ClassDef(self, node):
        self._depth -= 1

    def visit_Import(self, node):
        for alias in node.names:
            name = _import_name(alias.name)
            bound = _import_name(alias.asname.name) if alias.asname else None
            if name in (TF_MODULE, COMPAT_V1_MODULE) and (bound or name == TF_MODULE):
                self.b.tf_aliases.setdefault(bound or name, name)
                self._choose_target(node)
            elif name == LOCAL_INPUT_DATA and bound is None and self.b.local_input_data:
                self.b.replaced[name] = api.BY_OLD[TUTORIAL_INPUT_DATA]
            elif name == "os" and bound is None and self.b.target is None:
                self.b.os_ready = True
            elif name and name.startswith(TF_MODULE + ".") and bound:
                self._bind_module(bound, name)

    def visit_ImportFrom(self, node):
        module = _import_name(node.module)
        if not module or node.relative or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            bound = _import_name(alias.asname.name if alias.asname else alias.name)
            full = module + "." + _import_name(alias.name)
            if full.startswith(TF_MODULE + "."):
                self._bind_module(bound, full)

    def _bind_module(self, bound, path):
        entry = _entry_for(path)
        if _is_python_module_entry(entry):
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
            self.b.target = self._fallback


class _UseScan(cst.CSTVisitor):
    """Second pass, once every alias is known: names whose modern form
    needs an environment variable set before TensorFlow loads."""

    def __init__(self, bindings):
        super().__init__()
        self.b = bindings

    def visit_Attribute(self, node):
        entry = _entry_for(self.b.resolve(node))
        for name, value in entry.env if entry else ():
            if name not in self.b.env_set:
                self.b.env_needed.setdefault(name, (value, entry))


# --- deciding argument order statically ---------------------------------------

OLD, NEW, UNKNOWN = "old", "new", "unknown"


def _int_literal(node):
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, cst.Integer)


def _axis_like(node):
    """True for an int literal (what an axis is), False for a literal that
    cannot be an axis, None when only the running program knows."""
    if _int_literal(node):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.ListComp, cst.SimpleString,
                         cst.ConcatenatedString, cst.FormattedString, cst.Float)):
        return False
    return None


def _bool_literal(node):
    return isinstance(node, cst.Name) and node.value in ("True", "False")


def _split_args(call):
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    starred = any(a.star for a in call.args)
    return positional, keywords, starred


def _order_positional(entry, call):
    positional, _, starred = _split_args(call)
    return OLD if positional else (UNKNOWN if starred else NEW)


def _order_positional_or_targets(entry, call):
    order = _order_positional(entry, call)
    _, keywords, _ = _split_args(call)
    return OLD if order == OLD or "targets" in keywords else order


def _order_first_arg_is_axis(entry, call):
    """Old order iff the first argument is the axis.  An int literal in the
    new order's axis slot means new order: the old order puts the data to
    operate on there, which an int cannot be."""
    positional, keywords, _ = _split_args(call)
    new_axis = entry.renames.get(entry.params[0], entry.params[0])
    if entry.params[0] in keywords:
        return OLD
    if new_axis in keywords or not positional:
        return NEW
    first = _axis_like(positional[0].value)
    if first is not None:
        return OLD if first else NEW
    slot = entry.new_params.index(new_axis) if new_axis in entry.new_params else None
    if slot is not None and slot < len(positional):
        at_slot = _axis_like(positional[slot].value)
        if at_slot is not None:
            return NEW if at_slot else OLD
    return UNKNOWN


def _order_second_arg_is_bool_mask(entry, call):
    positional, keywords, _ = _split_args(call)
    name = entry.params[1]
    new_name = entry.renames.get(name, name)
    arg = keywords.get(name) or (positional[1] if len(positional) > 1 else None)
    if arg is None:
        return NEW if new_name in keywords or len(positional) < 2 else UNKNOWN
    value = arg.value
    if isinstance(value, (cst.List, cst.Tuple)):
        items = [el.value for el in value.elements]
        if items and all(_bool_literal(item) for item in items):
            return OLD
        if all(_int_literal(item) for item in items):
            return NEW
    return UNKNOWN


def _order_has_replica_id(entry, call):
    positional, keywords, starred = _split_args(call)
    if "replica_id" in keywords or len(positional) > entry.params.index("replica_id"):
        return OLD
    return UNKNOWN if starred else NEW


# The static counterparts of compat.legacy.adapters.ORDER_TESTS, by the same names.
ORDER_TESTS = {
    None: lambda entry, call: OLD,
    "positional": _order_positional,
    "positional_or_targets": _order_positional_or_targets,
    "first_arg_is_axis": _order_first_arg_is_axis,
    "second_arg_is_bool_mask": _order_second_arg_is_bool_mask,
    "has_replica_id": _order_has_replica_id,
}


def _order_hint(entry):
    def signature(names):
        return "(%s)" % ", ".join(n for n in names if n not in ("name", "num", "family"))
    new_names = [n for n in entry.new_params]
    return "cannot tell whether %s or %s" % (signature(entry.params), signature(new_names))


# --- adapters: the static counterparts of compat.legacy.adapters.ADAPTERS ----------

class _Unmappable(Exception):
    pass


def _single_tag(entry, values):
    """A vector of tags (one summary per element) has no tf.summary form."""
    tags = values.get(entry.params[0])
    if isinstance(tags, (cst.List, cst.Tuple)):
        raise _Unmappable("a list of tags (a vector summary) has no tf.summary equivalent; "
                          "write one %s per tag" % entry.new)
    return values


def _as_is(entry, values):
    return values


def _mask_to_axes(entry, values):
    """``[False, True]`` -> ``[1]``: the axes a bool mask selected."""
    name = entry.params[1]
    mask = values[name]
    axes = [i for i, el in enumerate(mask.elements) if el.value.value == "True"]
    values = dict(values)
    values[name] = cst.parse_expression(repr(axes))
    return values


def _drop_replica_id(entry, values):
    """The modern optimizer has no replica_id: each worker keeps its own
    local step."""
    return {name: value for name, value in values.items() if name != "replica_id"}


STATIC_ADAPTERS = {
    "scalar_summary": _single_tag,
    "image_summary": _as_is,
    "histogram_summary": _as_is,
    "audio_summary": _as_is,
    "reverse_with_mask": _mask_to_axes,
    "sync_replicas_v1": _drop_replica_id,
}


def _maps_calls(entry):
    return entry.kind == "args" or (entry.kind == "adapter" and entry.adapter in STATIC_ADAPTERS)


# --- the rewrite ---------------------------------------------------------------

class _State:
    """What has been inserted so far (once per file, or per notebook)."""

    def __init__(self):
        self.inserted = False


class _Rewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (metadata.PositionProvider, metadata.ParentNodeProvider)

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
        root = (_dotted(node) or "").partition(".")[0]
        alias = root if root in self.b.tf_aliases else self.b.primary_alias
        if alias is None or not path.startswith("tf."):
            return None
        return cst.parse_expression(alias + path[len("tf"):])

    # --- imports
    def visit_Import(self, node):
        return False  # its dotted names are module paths, not tf.* uses

    def visit_ImportFrom(self, node):
        return False

    def leave_Import(self, original, updated):
        names = []
        for alias in updated.names:
            name = _import_name(alias.name)
            if name == TF_MODULE:
                bound = alias.asname.name.value if alias.asname else TF_MODULE
                alias = alias.with_changes(
                    name=cst.parse_expression(COMPAT_V1_MODULE),
                    asname=alias.asname or cst.AsName(name=cst.Name(bound)))
            elif _is_python_module_entry(_entry_for(name)):
                alias = self._replace_module_import(alias, name, original)
            elif (name == LOCAL_INPUT_DATA and alias.asname is None and len(updated.names) == 1
                  and self.b.local_input_data):
                return self._replace_local_input_data(original, updated)
            names.append(alias)
        new = updated.with_changes(names=names)
        if not new.deep_equals(updated):
            self._change("import", TF_MODULE, original, self._code(original),
                         self.module.code_for_node(new).strip(),
                         "names tf.compat.v1 still has keep working unchanged")
        if original is self.b.target:
            self._after_target = self._setup_lines(original)
        return new

    def _replace_local_input_data(self, original, updated):
        entry = api.BY_OLD[TUTORIAL_INPUT_DATA]
        parent, _, member = entry.new.rpartition(".")
        new = cst.ImportFrom(module=cst.parse_expression(parent),
                             names=[cst.ImportAlias(name=cst.Name(member))])
        self._change("import", LOCAL_INPUT_DATA, original, self._code(original),
                     self.module.code_for_node(new).strip(),
                     "input_data.py beside the program is a copy of TF's tutorial module, "
                     "whose IDX parsing fails on today's numpy; the project's loader does the "
                     "same job (needs tf1-compat's compat package on PYTHONPATH)")
        return new

    def _replace_module_import(self, alias, name, original):
        entry = _entry_for(name)
        if alias.asname is None:
            self._flag(name, original, "imported without `as`; write `import %s as %s` and "
                       "use that name" % (entry.new, entry.new.rpartition(".")[2]))
            return alias
        return alias.with_changes(name=cst.parse_expression(entry.new))

    def leave_ImportFrom(self, original, updated):
        module = _import_name(updated.module)
        if not module or updated.relative or not (
                module == TF_MODULE or module.startswith(TF_MODULE + ".")):
            return updated
        if isinstance(updated.names, cst.ImportStar):
            if _entry_for(module) or any(e.old.startswith(module + ".")
                                         for e in api.ENTRIES):
                self._flag(module + ".*", original, "star import of a removed module; "
                           "import the names you use explicitly")
            return updated
        entries = [_entry_for(module + "." + _import_name(a.name)) for a in updated.names]
        if entries and all(_is_python_module_entry(e) for e in entries):
            return self._replace_module_from(original, updated, entries)
        for alias, entry in zip(updated.names, entries):
            self._flag_imported_name(original, module + "." + _import_name(alias.name), entry)
        return updated

    def _replace_module_from(self, original, updated, entries):
        parents = {e.new.rpartition(".")[0] for e in entries}
        if len(parents) != 1:
            self._flag(_import_name(updated.module), original,
                       "the names come from different replacement modules; import them "
                       "separately")
            return updated
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
                     + " (needs tf1-compat's compat package on PYTHONPATH)")
        return new

    def _flag_imported_name(self, original, path, entry):
        entry = entry or api.lookup(_tf_form(path))
        if entry is None:
            return
        if entry.kind == "unsupported":
            self._flag(entry.old, original, entry.note)
        elif entry.kind in ("rename", "args", "adapter") and entry.new != entry.old:
            self._flag(entry.old, original, "imported by name; import the module and call "
                       "%s instead" % entry.new)

    def _setup_lines(self, import_node):
        """Statements around the first tensorflow import: environment the
        modern forms need, before it; v1 behaviour, after it."""
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
        if not self.b.has_disable and alias is not None:
            line = "%s.%s()\n" % (alias, DISABLE_V2)
            after.append(cst.parse_statement(line))
            self._change("import", DISABLE_V2, import_node, "", line.strip(),
                         "graph mode, tf.Session and the other TF1 behaviours")
        return before, after

    def leave_SimpleStatementLine(self, original, updated):
        if self._after_target is None or not any(
                isinstance(s, cst.Import) and s is self.b.target for s in original.body):
            return updated
        before, after = self._after_target
        self._after_target = None
        if not before and not after:
            return updated
        if before:
            # The import's leading comments stay with the first new line.
            before[0] = before[0].with_changes(leading_lines=updated.leading_lines)
            updated = updated.with_changes(leading_lines=())
        return cst.FlattenSentinel([*before, updated, *after])

    # --- names
    def leave_Attribute(self, original, updated):
        path = self.b.resolve(original)
        entry = _entry_for(path)
        if entry is None or entry.kind == "kept":
            return updated
        if entry.kind == "rename":
            return self._rename(original, updated, entry)
        if entry.kind == "unsupported":
            self._flag(entry.old, self._outermost(original), entry.note)
        elif entry.kind == "adapter" and not _maps_calls(entry):
            if entry.new == entry.old:
                self._record(self.notes, "note", entry.old, original, self._code(original),
                             note=entry.upgrade_note or entry.note)
            else:
                self._flag(entry.old, original, "no static form; " + entry.note)
        elif _maps_calls(entry) and not self._is_called(original) and entry.new != entry.old:
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

    def _outermost(self, node):
        while True:
            parent = self.get_metadata(metadata.ParentNodeProvider, node, None)
            if not (isinstance(parent, cst.Attribute) and parent.value is node):
                return node
            node = parent

    # --- calls
    def leave_Call(self, original, updated):
        entry = _entry_for(self.b.resolve(original.func))
        if entry is not None and _maps_calls(entry):
            return self._map_call(original, updated, entry)
        return self._pin_kwargs(original, updated)

    def _map_call(self, original, updated, entry):
        order = ORDER_TESTS[entry.old_order_if](entry, updated)
        if order == NEW:
            return updated
        if order == UNKNOWN:
            self._flag(entry.old, original, "%s; check line %d (%s)" % (
                _order_hint(entry), self._line(original), entry.note))
            return updated
        try:
            args = self._bind(entry, updated)
        except _Unmappable as problem:
            self._flag(entry.old, original, str(problem))
            return updated
        func = updated.func
        if entry.new != entry.old:
            func = self._spell(entry.new, original)
            if func is None:
                self._flag(entry.old, original, "no tensorflow import to spell %s on"
                           % entry.new)
                return updated
        new = updated.with_changes(func=func, args=args)
        old_code, new_code = self._code(original), self.module.code_for_node(new).strip()
        if not new.deep_equals(updated):
            self._change("api", entry.old, original, old_code, new_code,
                         entry.upgrade_note or entry.note)
            if entry.upgrade_flag:
                self._flag(entry.old, original, entry.upgrade_flag, new_code)
        return new

    def _bind(self, entry, call):
        """The call's arguments bound to the old parameters, renamed, and
        written for ``entry.new``: leading positionals that mean the same
        there stay positional, the rest become keywords."""
        positional, keywords, starred = _split_args(call)
        if starred:
            raise _Unmappable("*args/**kwargs cannot be bound to the old parameters "
                              "(%s) before running" % ", ".join(entry.params))
        if len(positional) > len(entry.params):
            raise _Unmappable("%d positional arguments, but the old %s took at most %d"
                              % (len(positional), entry.old, len(entry.params)))
        bound = list(zip(entry.params, positional)) + list(keywords.items())
        names = [name for name, _ in bound]
        if len(set(names)) != len(names):
            raise _Unmappable("an argument is given twice")
        values = {name: arg.value for name, arg in bound}
        adapter = STATIC_ADAPTERS.get(entry.adapter)
        if adapter is not None:
            values = adapter(entry, values)
            # An adapter may drop an argument the modern form has no use for.
            bound = [(name, arg) for name, arg in bound if name in values]
            names = [name for name, _ in bound]
        new_names = [entry.renames.get(name, name) for name in names]
        if len(set(new_names)) != len(new_names):
            raise _Unmappable("two old arguments map to %s's same parameter; map by hand"
                              % entry.new)
        args, keep = [], True
        for i, ((name, arg), new_name) in enumerate(zip(bound, new_names)):
            keep = (keep and arg.keyword is None and i < entry.positional_kept
                    and i < len(entry.new_params) and entry.new_params[i] == new_name)
            args.append(self._as_arg(arg, values[name], new_name, keep))
        if args and len(args) < len(call.args):
            # Where the last argument was dropped, the new last one takes its
            # (absent) trailing comma.
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
        return args

    @staticmethod
    def _as_arg(arg, value, name, positional):
        if positional:
            return arg.with_changes(value=value)
        equal = arg.equal if arg.keyword is not None else cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        return arg.with_changes(keyword=cst.Name(name), equal=equal, value=value)

    def _pin_kwargs(self, original, updated):
        """``read_data_sets(...)`` on a replaced tutorial module gets the
        keyword that keeps what the old module did by default."""
        func = original.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return updated
        entry = self.b.replaced.get(func.value.value)
        if entry is None:
            return updated
        _, keywords, starred = _split_args(updated)
        args = list(updated.args)
        for member, keyword, value in entry.pin_kwargs:
            if member != func.attr.value or keyword in keywords or starred:
                continue
            if args and args[-1].comma == cst.MaybeSentinel.DEFAULT:
                args[-1] = args[-1].with_changes(comma=cst.Comma(
                    whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(cst.Arg(value=cst.parse_expression(json.dumps(value)),
                                keyword=cst.Name(keyword),
                                equal=cst.AssignEqual(
                                    whitespace_before=cst.SimpleWhitespace(""),
                                    whitespace_after=cst.SimpleWhitespace(""))))
        if len(args) == len(updated.args):
            return updated
        new = updated.with_changes(args=args)
        self._change("api", entry.old + "." + func.attr.value, original, self._code(original),
                     self.module.code_for_node(new).strip(), entry.upgrade_note)
        return new


# --- graph ops made inside a training loop ------------------------------------

class _Calls(cst.CSTVisitor):
    """Calls in a loop body that run on each pass (not those in functions
    or classes merely defined there)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def visit_Call(self, node):
        self.calls.append(node)

    def visit_FunctionDef(self, node):
        return False

    def visit_ClassDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False


class _Loops(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.loops = []

    def visit_For(self, node):
        self.loops.append(node)

    def visit_While(self, node):
        self.loops.append(node)


# Where graph-building functions live: the program's tensorflow alias and
# TF's op modules (not, say, protobuf classes from tensorflow.core).
OP_NAMESPACES = ("tf.", TF_MODULE + ".python.ops.")


def _makes_ops(path):
    if path is None or not path.startswith(OP_NAMESPACES):
        return False
    path = _tf_form(path)
    return (path not in NON_OP_CALLS and path not in GRAPH_RESETS
            and not path.startswith(NON_OP_PREFIXES))


def _loop_flags(module, bindings, positions, line_of, cell):
    """Flags for graph-building calls inside a loop whose body also runs the
    graph: each pass adds new ops, so the graph (and each step) grows."""
    loops = _Loops()
    module.visit(loops)
    flags, seen = [], set()
    for loop in loops.loops:
        found = _Calls()
        loop.body.visit(found)
        runs = any(isinstance(c.func, cst.Attribute) and c.func.attr.value in RUN_METHODS
                   for c in found.calls)
        paths = [(c, bindings.resolve(c.func)) for c in found.calls]
        if not runs or any(_tf_form(p or "") in GRAPH_RESETS for _, p in paths):
            continue
        loop_line = line_of(positions[loop].start.line)
        for call, path in paths:
            if not _makes_ops(path):
                continue
            line = line_of(positions[call].start.line)
            if line in seen:
                continue
            seen.add(line)
            written = _dotted(call.func)
            flags.append(Finding(
                "flag", written, line, module.code_for_node(call).strip(),
                "hoist it before the loop at line %d" % loop_line,
                "%s(...) creates graph ops on every pass of the loop at line %d, which also "
                "runs the session: the graph grows each step; build it once before the loop "
                "and only run it inside" % (written, loop_line), cell))
    return flags


# --- sources, notebooks, files -------------------------------------------------

def _line_map(old_text, new_text):
    """Line of ``new_text`` -> line of ``old_text`` it came from (the Python 2
    translation may add lines), so reports name the input's lines."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    if old_lines == new_lines:
        return lambda line: line
    table = {}
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            table[j + 1] = min(i1 + (j - j1), max(i1, i2 - 1)) + 1
    return lambda line: table.get(line, line)


def _parse(text, filename):
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise UpgradeError("%s does not parse: line %d: %s" % (
            filename, error.raw_line, error.message)) from None


def _translate(source, filename, cell=None):
    try:
        text, changes = py2.translate(source, filename)
    except SyntaxError as error:
        raise UpgradeError("%s does not parse: %s" % (filename, error)) from None
    found = [Finding("py2", c.fixer, c.line, c.old, c.new, "Python 2 -> 3 (compat.py2)", cell)
             for c in changes]
    return text, found, _line_map(source, text)


def _scan(modules, local_input_data=False):
    bindings = _Bindings()
    bindings.local_input_data = local_input_data
    scan = _ImportScan(bindings)
    for module in modules:
        module.visit(scan)
    scan.finish()
    for module in modules:
        module.visit(_UseScan(bindings))
    return bindings


def _rewrite(wrapper, bindings, state, line_of, cell=None):
    rewriter = _Rewriter(bindings, state, wrapper.module, line_of, cell)
    positions = wrapper.resolve(metadata.PositionProvider)
    loop_flags = _loop_flags(wrapper.module, bindings, positions, line_of, cell)
    new_module = wrapper.visit(rewriter)
    return new_module.code, rewriter.changes, rewriter.flags + loop_flags, rewriter.notes


def _by_line(findings):
    return sorted(findings, key=lambda f: (f.cell if f.cell is not None else -1, f.line))


def upgrade_source(source, filename="<source>", directory=None):
    """Upgrade one Python source text; returns an :class:`UpgradeResult`.
    ``directory`` is where the file lives (default: from ``filename``), to
    find modules the program carries beside it.  Raises
    :class:`UpgradeError` when it does not parse."""
    text, py2_changes, line_of = _translate(source, filename)
    wrapper = metadata.MetadataWrapper(_parse(text, filename))
    bindings = _scan([wrapper.module], _has_local_input_data(
        os.path.join(directory, os.path.basename(filename)) if directory else filename))
    code, changes, flags, notes = _rewrite(wrapper, bindings, _State(), line_of)
    return UpgradeResult(code, _by_line(py2_changes + changes), _by_line(flags), notes)


# Lines IPython handles before Python sees them: parsed as placeholders,
# put back afterwards.
_MAGIC_PREFIXES = ("%", "!")
_MAGIC_PLACEHOLDER = "pass  # tf1-compat magic %d"


def _hide_magics(text):
    lines, hidden = text.split("\n"), []
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(_MAGIC_PREFIXES):
            indent = line[:len(line) - len(stripped)]
            lines[i] = indent + _MAGIC_PLACEHOLDER % len(hidden)
            hidden.append(line)
    return "\n".join(lines), hidden


def _show_magics(text, hidden):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        for n, original in enumerate(hidden):
            if stripped == _MAGIC_PLACEHOLDER % n:
                lines[i] = original
    return "\n".join(lines)


def upgrade_notebook(text, filename="<notebook>"):
    """Upgrade the code cells of a notebook (JSON text); markdown cells and
    outputs are kept.  Imports in one cell count for the cells after it."""
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as error:  # nbformat raises several unrelated types
        raise UpgradeError("%s is not a notebook: %s" % (
            filename, str(error).splitlines()[0] if str(error) else type(error).__name__)) \
            from None
    cells, flags = [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        hidden_text, hidden = _hide_magics(cell.source)
        try:
            code, py2_changes, line_of = _translate(hidden_text, filename, index)
            wrapper = metadata.MetadataWrapper(_parse(code, filename))
        except UpgradeError as error:
            flags.append(Finding("flag", "cell", 1, "", "", "left as is: %s" % error, index))
            continue
        cells.append((index, cell, hidden, py2_changes, line_of, wrapper))
    bindings = _scan([entry[-1].module for entry in cells])
    state, changes, notes = _State(), [], []
    for index, cell, hidden, py2_changes, line_of, wrapper in cells:
        code, found, flagged, noted = _rewrite(wrapper, bindings, state, line_of, index)
        cell.source = _show_magics(code, hidden)
        changes += py2_changes + found
        flags += flagged
        notes += [n for n in noted if n.name not in {m.name for m in notes}]
    nbformat.validate(nb)
    return UpgradeResult(nbformat.writes(nb), _by_line(changes), _by_line(flags), notes)


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


def upgrade_text(text, filename, directory=None):
    """Dispatch on the file name: notebooks by cell, the rest as Python."""
    if str(filename).endswith(".ipynb"):
        return upgrade_notebook(text, str(filename))
    return upgrade_source(text, str(filename), directory)


def upgrade_file(path, out_path=None):
    """Upgrade ``path``; write the result to ``out_path`` (atomically) when
    given.  Returns ``(original_text, UpgradeResult)``."""
    text, encoding = _read(path)
    if out_path is not None and _same_file(path, out_path):
        raise RefusedError("refusing to overwrite the input %s" % path)
    # The path as given names the file in errors: in a tree, "bad.py" alone
    # would not say which one.
    result = upgrade_text(text, str(path), os.path.dirname(os.path.abspath(path)))
    if out_path is not None:
        write_atomic(out_path, result.source, encoding)
    return text, result


def _inside(child, parent):
    child, parent = os.path.realpath(child), os.path.realpath(parent)
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def upgrade_tree(indir, outdir):
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
                _, result = upgrade_file(source, target)
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


# --- reports ---------------------------------------------------------------------

def unified_diff(old, new, old_name, new_name):
    lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                 fromfile=old_name, tofile=new_name)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def report(files):
    """The --report document for ``[(file name, UpgradeResult)]``."""
    return {"files": [{"file": name,
                       "changes": [c.as_dict() for c in result.changes],
                       "flags": [f.as_dict() for f in result.flags],
                       "notes": [n.as_dict() for n in result.notes]}
                      for name, result in files]}


def _where(name, finding):
    if finding.cell is not None:
        return "%s:cell %d:%d" % (name, finding.cell, finding.line)
    return "%s:%d" % (name, finding.line)


def summary(name, result, report_path=None):
    """Human lines: a count line, then one line per flagged item."""
    head = "%s: %d changes, %d flagged" % (name, len(result.changes), len(result.flags))
    if result.flags and report_path:
        head += " (see %s)" % report_path
    if result.compat_modules:
        head += "; needs tf1-compat's compat package on PYTHONPATH for %s" % ", ".join(
            result.compat_modules)
    lines = [head]
    for flag in result.flags:
        lines.append("%s: %s: %s" % (_where(name, flag), flag.name, flag.note))
    return lines
