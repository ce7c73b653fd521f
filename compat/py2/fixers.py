"""The Python 2 -> 3 fixer set of ``compat.py2.translator``: the allow-list
of fissix fixers it runs (fissix is the maintained fork of lib2to3), the
ones left out and why, and one fixer of our own, :class:`FixOldDiv`, that
keeps Python 2's integer division (``7 / 2 == 3``) by rewriting ``a / b``
into ``old_div(a, b)`` and adds the import of ``old_div`` the output needs.

Every leaf a fixer creates carries the fixer's name (:class:`Tag`), so the
translator's report can say which fixer produced each output line.
"""

from fissix import fixer_base, pygram, pytree
from fissix.fixer_util import Call, Comma, FromImport, Name, does_tree_import
from fissix.pgen2 import token
from fissix.refactor import get_fixers_from_package

# The fissix fixers we run, by short name (fissix.fixes.fix_<name>).
FIXERS = (
    "apply",
    "basestring",
    "buffer",
    "dict",
    "except",
    "exec",
    "execfile",
    "exitfunc",
    "filter",
    "funcattrs",
    "getcwdu",
    "has_key",
    "imports",
    "imports2",
    "intern",
    "isinstance",
    "itertools",
    "itertools_imports",
    "long",
    "map",
    "metaclass",
    "ne",
    "next",
    "nonzero",
    "numliterals",
    "operator",
    "paren",
    "print",
    "raise",
    "raw_input",
    "reduce",
    "renames",
    "repr",
    "standarderror",
    "sys_exc",
    "throw",
    "tuple_params",
    "types",
    "unicode",
    "urllib",
    "xrange",
    "xreadlines",
    "zip",
)

# Fixers deliberately left out, and why (kept as data so a reader of a report
# can see the choice was made, not forgotten).
SKIPPED_FIXERS = {
    "input": "would wrap input() in eval(); Python 3 input() is Python 2 raw_input()",
    "idioms": "style changes (type(x) == T, sorted()) that are not needed to run",
    "ws_comma": "whitespace only",
    "future": "the __future__ imports are kept; they are harmless in Python 3",
    "import": "turns 'import sibling' into 'from . import sibling', which breaks scripts",
    "asserts": "unittest aliases, still present in the Python 3 versions we run",
    "methodattrs": "not in the agreed fixer set",
    "reload": "not in the agreed fixer set",
    "set_literal": "style only",
}

# Our own fixer's short name, as it appears in Change.fixer.
DIVISION = "division"
DIVISION_UNSAFE = "division-unsafe"

_OLD_DIV_MODULE = "compat.py2"
_OLD_DIV = "old_div"
# The line translate() adds when it rewrote a division.
OLD_DIV_IMPORT = "from %s import %s" % (_OLD_DIV_MODULE, _OLD_DIV)


class Tag(str):
    """A fixer's name, stored in the ``fixers_applied`` list of the leaves it
    created so the report can say which fixer produced each output line.
    That list is the one piece of leaf state Leaf.clone() carries over, so
    the name survives later fixers cloning the leaf (print() around an
    old_div() call, except clauses around their bodies)."""


def tags_of(leaf):
    """The fixer names (Tags) carried by ``leaf``."""
    return [item for item in leaf.fixers_applied if isinstance(item, Tag)]


def short_name(fixer):
    """``fix_xrange`` -> ``xrange``: a fissix fixer's name as FIXERS spells it."""
    module = type(fixer).__module__.rsplit(".", 1)[-1]
    return module[len("fix_"):] if module.startswith("fix_") else module


def fissix_modules(names):
    """The fissix fixer modules of the short ``names``; ImportError if the
    installed fissix lacks one."""
    wanted = {"fissix.fixes.fix_" + name for name in names}
    modules = [m for m in get_fixers_from_package("fissix.fixes") if m in wanted]
    missing = wanted.difference(modules)
    if missing:
        raise ImportError("fissix lacks fixers: %s" % ", ".join(sorted(missing)))
    return modules


# --------------------------------------------------------------------------
# The division fixer.


def _is_float_literal(node):
    """True for a float/complex literal, optionally signed: with one of those
    on either side Python 2 already did true division."""
    if node.type == pygram.python_symbols.factor and len(node.children) == 2:
        if node.children[0].value in ("-", "+"):
            node = node.children[1]
    if node.type != token.NUMBER:
        return False
    text = node.value.lower()
    if text.startswith("0x"):
        return False
    return "." in text or "e" in text or text.endswith("j")


def _is_future_import(stmt):
    syms = pygram.python_symbols
    if stmt.type != syms.simple_stmt or not stmt.children:
        return False
    first = stmt.children[0]
    return (
        first.type == syms.import_from
        and len(first.children) > 1
        and first.children[1].type == token.NAME
        and first.children[1].value == "__future__"
    )


def tag(node, name):
    """Tag every leaf of ``node`` that no fixer has tagged yet as ``name``'s."""
    for leaf in node.leaves():
        if not tags_of(leaf):
            leaf.fixers_applied.append(Tag(name))


class FixOldDiv(fixer_base.BaseFix):
    """Rewrite Python 2 ``/`` as ``old_div(a, b)`` so integer operands still
    floor, and ``name /= b`` as ``name = old_div(name, b)``.

    Only the ``/`` operators of a term change; ``*``, ``%``, ``//`` stay, and
    the left-to-right grouping is kept: ``a * b / c`` -> ``old_div(a * b, c)``,
    ``a / b / c`` -> ``old_div(old_div(a, b), c)``.
    """

    # Terms mix '*', '/', '%', '//' and '@'; which ones hold a '/' is decided
    # in match(), since a pattern cannot say "at least one '/' anywhere".
    PATTERN = """
        term< any+ >
        |
        expr_stmt< any '/=' any >
    """

    def __init__(self, options, log):
        super().__init__(options, log)
        self.unsafe = []
        self.rewrites = 0
        self.active = True

    def start_tree(self, tree, filename):
        super().start_tree(tree, filename)
        # With 'from __future__ import division' the author already meant
        # true division everywhere.
        self.active = "division" not in getattr(tree, "future_features", ())
        self.unsafe = []
        self.rewrites = 0

    def match(self, node):
        if not self.active:
            return False
        results = super().match(node)
        if not results:
            return False
        if node.type == pygram.python_symbols.term and not any(
            child.type == token.SLASH for child in node.children
        ):
            return False
        return results

    def transform(self, node, results):
        if node.type == pygram.python_symbols.expr_stmt:
            return self._transform_augmented(node)
        return self._transform_term(node)

    def _old_div(self, left, op, right):
        left = left.clone()
        prefix = left.prefix
        left.prefix = ""
        right = right.clone()
        # Keep line breaks and comments that sat before the operator so the
        # statement keeps its line count; otherwise normalise to one space.
        gap = op.prefix + right.prefix
        right.prefix = gap if ("\n" in gap or "#" in gap) else " "
        self.rewrites += 1
        return Call(Name(_OLD_DIV), [left, Comma(), right], prefix=prefix)

    def _transform_term(self, node):
        kids = node.children
        left = [kids[0]]
        changed = False
        for i in range(1, len(kids), 2):
            op, right = kids[i], kids[i + 1]
            whole_left = left[0] if len(left) == 1 else None
            float_side = _is_float_literal(right) or (
                whole_left is not None and _is_float_literal(whole_left)
            )
            if op.type == token.SLASH and not float_side:
                if whole_left is None:
                    whole_left = pytree.Node(
                        pygram.python_symbols.term, [c.clone() for c in left]
                    )
                left = [self._old_div(whole_left, op, right)]
                changed = True
            else:
                left.extend([op, right])
        if not changed:
            return None
        if len(left) == 1:
            return left[0]
        return pytree.Node(
            pygram.python_symbols.term,
            [c.clone() if c.parent is not None else c for c in left],
        )

    def _transform_augmented(self, node):
        target, op, value = node.children
        if _is_float_literal(value):
            return None
        if target.type != token.NAME:
            # 'obj.attr /= b' or 'a[i] /= b' would evaluate the target twice
            # if spelled out; leave it and say so in the report.
            self.unsafe.append(node.get_lineno())
            return None
        call = self._old_div(target, pytree.Leaf(token.SLASH, "/"), value)
        call.prefix = value.prefix or " "
        return pytree.Node(
            pygram.python_symbols.expr_stmt,
            [target.clone(), pytree.Leaf(token.EQUAL, "=", prefix=op.prefix), call],
        )

    def finish_tree(self, tree, filename):
        if not self.rewrites or does_tree_import(_OLD_DIV_MODULE, _OLD_DIV, tree):
            return
        # After the docstring and the __future__ imports (which must stay
        # first), before anything that could use old_div.
        kids = tree.children
        index = 0
        if (
            kids
            and kids[0].type == pygram.python_symbols.simple_stmt
            and kids[0].children
            and kids[0].children[0].type == token.STRING
        ):
            index = 1
        while index < len(kids) and _is_future_import(kids[index]):
            index += 1
        # Match the file's line endings (CRLF files stay CRLF).
        eol = next((leaf.value for leaf in tree.leaves() if leaf.type == token.NEWLINE), "\n")
        stmt = pytree.Node(
            pygram.python_symbols.simple_stmt,
            [
                FromImport(_OLD_DIV_MODULE, [pytree.Leaf(token.NAME, _OLD_DIV, prefix=" ")]),
                pytree.Leaf(token.NEWLINE, eol or "\n"),
            ],
        )
        if index == 0 and kids:
            # Shebang, coding line and header comments live in the first
            # statement's prefix; they must stay above the new import.
            stmt.prefix = kids[0].prefix
            kids[0].prefix = ""
        tree.insert_child(index, stmt)
        tag(stmt, DIVISION)
