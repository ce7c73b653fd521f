"""The upgrader's pass for a program's era (``compat.api.era``): before the
table rewrite, names whose meaning TF changed without renaming them are
written in the old meaning the program's era gives them (``tf.div`` ->
``tf.raw_ops.Div``, the old kernel, for TF 0.x), with the forms of
``compat.upgrade.era_static``, and every such line is flagged.  ``//`` and
``%`` cannot be decided from the source (are the operands integer
tensors?): under TF 0.x those with an operand that may be a tensor (it
uses TensorFlow, or is a name the program assigns from an expression that
does) are written as calls of ``compat.tf1x.tf0_ops``, which decide when the
line runs, and flagged; ``step % display_step`` on Python ints is left
alone.  Edits stay
inside one expression, so the lines keep their numbers for the pass that
follows."""

import libcst as cst
from libcst import metadata

from compat import api
from compat.py2.runtime import old_div
from compat.api import era as eras
from compat.upgrade.bindings import entry_for
from compat.api.tf_names import TF0_RUNTIME
from compat.upgrade.findings import Finding
from compat.upgrade.static import STATIC_ADAPTERS

# Python's operator -> the dunder the table's operator entries are named by.
_DUNDERS = {cst.FloorDivide: "floordiv", cst.Modulo: "mod"}


class EraRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (metadata.PositionProvider,)

    def __init__(self, bindings, era, module, line_of, cell=None):
        super().__init__()
        self.b = bindings
        self.era = era
        self.module = module
        self.line_of = line_of
        self.cell = cell
        self.changes = []
        self.flags = []
        self._seen = set()
        self._tensor_names = _TensorNames(bindings).of(module)

    def _line(self, node):
        return self.line_of(self.get_metadata(metadata.PositionProvider, node).start.line)

    def _spell(self, path):
        alias = self.b.primary_alias or "tf"
        return cst.parse_expression(alias + path[len("tf"):])

    def _record(self, entry, original, new, flag):
        line = self._line(original)
        old = self.module.code_for_node(original).strip()
        if new is not None:
            new_code = cst.Module([]).code_for_node(new).strip()
            self.changes.append(Finding("api", entry.old, line, old, new_code,
                                        "the TF %s meaning" % self.era.label, self.cell))
        else:
            new_code = ""
        if flag and (entry.old, line) not in self._seen:
            self._seen.add((entry.old, line))
            self.flags.append(Finding("flag", entry.old, line, old, new_code, flag, self.cell))

    def leave_Call(self, original, updated):
        if isinstance(original.func, cst.Name) and original.func.value == old_div.__name__ \
                and any(self._may_be_tensor(arg.value) for arg in original.args):
            # A Python 2 `a / b` (compat.py2), floor division on integers.
            return self._flag_operator("floordiv", original, updated)
        entry = entry_for(self.b.resolve(original.func))
        if entry is None or entry.era_adapter is None:
            return updated
        decided = eras.applies(self.era, entry)
        if decided is False:
            return updated
        form = STATIC_ADAPTERS[entry.era_adapter].era
        if decided is None:
            new, flag = form(entry, updated, self._spell, decided=False)
        else:
            new, flag = form(entry, updated, self._spell)
        self._record(entry, original, new, flag)
        return new if new is not None else updated

    def leave_BinaryOperation(self, original, updated):
        dunder = _DUNDERS.get(type(original.operator))
        if dunder is None or _is_string(original.left) or not any(
                self._may_be_tensor(side) for side in (original.left, original.right)):
            return updated
        return self._flag_operator(dunder, original, updated)

    def _flag_operator(self, dunder, original, updated):
        entry = api.BY_OLD.get("tf.Tensor.__%s__" % dunder)
        if entry is None or eras.applies(self.era, entry) is not True:
            return updated
        new, flag = STATIC_ADAPTERS[entry.era_adapter].era(entry, updated, self._spell)
        self._record(entry, original, new, flag)
        return new if new is not None else updated


    def _may_be_tensor(self, node):
        finder = _TensorNames(self.b, self._tensor_names)
        node.visit(finder)
        return finder.found


def _is_string(node):
    """``"%d" % n`` formats a string."""
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


class _TensorNames(cst.CSTVisitor):
    """Whether an expression uses TensorFlow or one of ``names``; with
    :meth:`of`, the names a module assigns from such expressions."""

    def __init__(self, bindings, names=frozenset()):
        super().__init__()
        self.b = bindings
        self.names = names
        self.found = False

    def visit_Name(self, node):
        if node.value in self.names or (self.b.resolve(node) or "").startswith("tf"):
            self.found = True

    def visit_Attribute(self, node):
        if (self.b.resolve(node) or "").startswith("tf."):
            self.found = True

    def of(self, module):
        names = set()
        for _ in range(2):  # b = a // 2 after a = tf.constant(...)
            for node in _assignments(module):
                finder = _TensorNames(self.b, names)
                node.value.visit(finder)
                if finder.found:
                    names.update(_targets(node))
        return frozenset(names)


def _assignments(module):
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Assign(self, node):
            found.append(node)

        def visit_AugAssign(self, node):
            found.append(node)
    module.visit(Collect())
    return found


def _targets(node):
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) \
        else [node.target]
    names = []
    while targets:
        target = targets.pop()
        if isinstance(target, cst.Name):
            names.append(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            targets.extend(element.value for element in target.elements)
    return names


def runtime_needed(changes, bindings):
    """Have the table pass import ``compat.tf1x.tf0_ops`` when the era's
    changes call it (the import goes with the other set-up lines)."""
    for change in changes:
        if change.new.startswith(TF0_RUNTIME + "."):
            # The entry of the first operator written that way: its note
            # goes with the import line in the report.
            bindings.packages.setdefault(TF0_RUNTIME, api.BY_OLD[change.name])
            return


def era_pass(wrapper, bindings, era, line_of, cell=None):
    """``(code, changes, flags)`` of one parsed module under ``era``."""
    rewriter = EraRewriter(bindings, era, wrapper.module, line_of, cell)
    code = wrapper.visit(rewriter).code
    return code, rewriter.changes, rewriter.flags
