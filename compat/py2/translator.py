"""Translate Python 2 era source to Python 3 when a legacy program is loaded.

The legacy runner and the source upgrader both call :func:`translate`, which
returns the translated source together with a list of :class:`Change` records
(one per changed original line) for their reports.  The work is done by
fissix, the maintained fork of lib2to3, with an explicit allow-list of its
fixers plus one fixer of our own that keeps Python 2's integer division
(``7 / 2 == 3``) by rewriting ``a / b`` into ``old_div(a, b)``.

Python 3 source is never touched: its ``/`` is deliberate true division, and
several lib2to3 fixers (dict views, map/filter/zip, range) would wrap valid
Python 3 in needless ``list()`` calls.  :func:`is_python2` decides.
"""

import collections
import difflib
import sys
import threading
import warnings

from fissix import fixer_base, pygram, pytree
from fissix.fixer_util import (
    Call,
    Comma,
    FromImport,
    Name,
    does_tree_import,
    is_probably_builtin,
)
from fissix.fixes.fix_metaclass import has_metaclass
from fissix.fixes.fix_urllib import MAPPING as _URLLIB_MAPPING
from fissix.pgen2 import token
from fissix.refactor import RefactoringTool, get_fixers_from_package

from compat.py2.runtime import old_div  # noqa: F401  (the fixer's output calls it)

__all__ = ["Change", "FIXERS", "OLD_DIV_IMPORT", "is_python2", "old_div", "translate"]

Change = collections.namedtuple("Change", ["fixer", "line", "old", "new"])

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
# Not a fixer: indentation tabs spelled out as spaces (see translate()).
TABS = "tabs"

_OLD_DIV_MODULE = "compat.py2"
_OLD_DIV = "old_div"
# The line translate() adds when it rewrote a division.
OLD_DIV_IMPORT = "from %s import %s" % (_OLD_DIV_MODULE, _OLD_DIV)


class _Tag(str):
    """A fixer's name, stored in the ``fixers_applied`` list of the leaves it
    created so the report can say which fixer produced each output line.
    That list is the one piece of leaf state Leaf.clone() carries over, so
    the name survives later fixers cloning the leaf (print() around an
    old_div() call, except clauses around their bodies)."""


def _tags(leaf):
    return [item for item in leaf.fixers_applied if isinstance(item, _Tag)]


def _short_name(fixer):
    module = type(fixer).__module__.rsplit(".", 1)[-1]
    return module[len("fix_"):] if module.startswith("fix_") else module


def _fissix_modules(names):
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


def _tag(node, name):
    for leaf in node.leaves():
        if not _tags(leaf):
            leaf.fixers_applied.append(_Tag(name))


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
        _tag(stmt, DIVISION)


# --------------------------------------------------------------------------
# Tools: one that translates, one that only looks for Python 2 idioms.


class _TranslationTool(RefactoringTool):
    """The allow-listed fissix fixers plus FixOldDiv, each transform wrapped
    to record which original lines it touched and which leaves it made."""

    def __init__(self):
        self.records = []
        self.origin = {}
        modules = _fissix_modules(FIXERS)
        super().__init__(modules, options={}, explicit=modules)

    def get_fixers(self):
        pre_order, post_order = super().get_fixers()
        self.division = FixOldDiv(self.options, self.fixer_log)
        post_order.append(self.division)
        post_order.sort(key=lambda fixer: fixer.run_order)
        for fixer in pre_order + post_order:
            fixer.transform = self._recording(fixer, fixer.transform)
        return pre_order, post_order

    def refactor_tree(self, tree, name):
        self.origin = {(leaf.lineno, leaf.column): leaf.value for leaf in tree.leaves()}
        return super().refactor_tree(tree, name)

    def _is_copy(self, leaf):
        # Clones keep the position of the leaf they copy; a leaf at an
        # original position with the original text is not a fixer's work.
        return leaf.lineno > 0 and self.origin.get((leaf.lineno, leaf.column)) == leaf.value

    def _recording(self, fixer, transform):
        name = DIVISION if isinstance(fixer, FixOldDiv) else _short_name(fixer)

        def recorded(node, results):
            before = list(node.leaves())  # keeps ids alive for the check below
            known = set(map(id, before))
            text = str(node)
            root = node
            while root.parent is not None:
                root = root.parent
            top_before = list(root.children)  # alive, so ids stay unique
            top_level = set(map(id, top_before))
            parent = node.parent

            new = transform(node, results)

            if new is not None:
                scope = new
            elif node.parent is None and parent is not None:
                scope = parent  # the fixer replaced the node itself
            else:
                scope = node
            for leaf in scope.leaves():
                if id(leaf) not in known and not _tags(leaf) and not self._is_copy(leaf):
                    leaf.fixers_applied.append(_Tag(name))
            # touch_import() and friends add statements at module level.
            for child in root.children:
                if id(child) not in top_level and child is not node:
                    _tag(child, name)
            if new is not None or str(node) != text:
                lines = [leaf.lineno for leaf in before if leaf.lineno > 0]
                if lines:
                    self.records.append((name, min(lines), max(lines)))
            return new

        return recorded


class _Found(Exception):
    """Stops the detection walk at the first Python 2 idiom."""


def _always(node, results):
    return True


def _builtin(node, results):
    return is_probably_builtin(node)


def _py2_module_import(node, results):
    # Only import statements of modules that no longer exist count: 'dbm'
    # and friends are valid Python 3 names.
    module = results.get("module_name")
    return module is not None and module.value not in sys.stdlib_module_names


_URLLIB_MEMBERS = frozenset(
    member for changes in _URLLIB_MAPPING.values() for _, members in changes for member in members
)


def _py2_urllib(node, results):
    for key in ("module", "module_as", "module_star", "mod_member", "bare_with_attr"):
        found = results.get(key)
        if isinstance(found, list):
            found = found[0] if found else None
        if found is not None and getattr(found, "value", None) == "urllib2":
            return True
    if "module_star" in results or "member" in results:
        return True  # 'member' only ever matches Python 2 names
    members = results.get("members") or []
    return any(
        leaf.value in _URLLIB_MEMBERS
        for part in members
        for leaf in part.leaves()
        if leaf.type == token.NAME
    )


def _py2_itertools_import(node, results):
    names = {"imap", "izip", "ifilter", "ifilterfalse", "izip_longest"}
    return any(leaf.value in names for leaf in results["imports"].leaves())


# Fixers that also reveal Python 2 in source that compiles as Python 3, with
# a test of whether a match is really a Python 2 idiom.  Absent on purpose:
# dict keys/items/values, map/filter/zip, range, next, nonzero, throw, apply,
# reduce, isinstance, buffer -- their matches are valid Python 3 too.
_TELLTALES = {
    "xrange": lambda node, results: results["name"].value == "xrange",
    "raw_input": _always,
    "unicode": lambda node, results: node.type == token.NAME and is_probably_builtin(node),
    "basestring": _builtin,
    "long": _builtin,
    "standarderror": _builtin,
    "has_key": _always,
    "dict": lambda node, results: results["method"][0].value.startswith(("iter", "view")),
    "execfile": _always,
    "getcwdu": _always,
    "funcattrs": _always,
    "renames": _always,
    "sys_exc": _always,
    "exitfunc": lambda node, results: "func" in results,  # not 'import sys'
    "itertools": _always,
    "itertools_imports": _py2_itertools_import,
    "imports": _py2_module_import,
    "imports2": _py2_module_import,
    "urllib": _py2_urllib,
    "metaclass": lambda node, results: has_metaclass(node),
    "types": _always,
    # Bare isCallable(x) & co. only get a warning from the fixer.
    "operator": lambda node, results: "module" in results,
    "intern": _always,
    "xreadlines": _always,
    "print": lambda node, results: "bare" in results,  # a lone 'print' statement
}


class _PrintChevronTelltale(fixer_base.BaseFix):
    """``print >>f, x`` compiles in Python 3 (as a shift inside a tuple) but
    only ever meant Python 2's print-to-file statement."""

    PATTERN = "shift_expr< 'print' '>>' any* >"

    def match(self, node):
        parent = node.parent
        if parent is not None and parent.type == pygram.python_symbols.testlist_star_expr:
            if parent.children[0] is not node:
                return False
            parent = parent.parent
        if parent is None or parent.type != pygram.python_symbols.simple_stmt:
            return False
        return super().match(node)


class _DetectionTool(RefactoringTool):
    """Matches the telltale fixers against Python 3 parse trees without
    changing them; raises _Found on the first real Python 2 idiom."""

    def __init__(self):
        super().__init__(_fissix_modules(_TELLTALES), options={})
        # The source already compiles as Python 3, so print and exec are
        # plain names.
        self.grammar = pygram.python_grammar_no_print_and_exec_statement
        self.driver.grammar = self.grammar

    def get_fixers(self):
        pre_order, post_order = super().get_fixers()
        for fixer in pre_order + post_order:
            fixer.transform = self._detector(_TELLTALES[_short_name(fixer)])
        chevron = _PrintChevronTelltale(self.options, self.fixer_log)
        chevron.transform = self._detector(_always)
        post_order.append(chevron)
        return pre_order, post_order

    @staticmethod
    def _detector(is_py2):
        def detect(node, results):
            if is_py2(node, results):
                raise _Found()
            return None

        return detect

    def refactor_string(self, data, name):
        tree = self.driver.parse_string(data)
        tree.future_features = frozenset()
        self.refactor_tree(tree, name)
        return tree


_tools = {}
_lock = threading.Lock()


def _tool(kind):
    # Building a tool compiles every fixer pattern (~0.1 s): do it once.
    if kind not in _tools:
        _tools[kind] = _TranslationTool() if kind == "translate" else _DetectionTool()
    return _tools[kind]


# --------------------------------------------------------------------------
# Public API.


def _for_fissix(source):
    # A UTF-8 byte order mark (left by open(encoding="utf-8")) trips the
    # fissix tokenizer, which also fails at EOF without a final newline.
    if source.startswith("\ufeff"):
        source = source[1:]
    return source if source.endswith("\n") else source + "\n"


def is_python2(source):
    """True when ``source`` is Python 2: it does not compile as Python 3, or
    it compiles but uses Python-2-only names or idioms (xrange, raw_input,
    unicode, basestring, long, dict.iteritems(), has_key(), cPickle ...)."""
    try:
        with warnings.catch_warnings():
            # Old files are full of "\d" escapes; not our business here.
            warnings.simplefilter("ignore")
            compile(source, "<py2-check>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return True
    with _lock:
        try:
            _tool("detect").refactor_string(_for_fissix(source), "<py2-check>")
        except _Found:
            return True
        except Exception:
            # Valid Python 3 that fissix cannot parse (e.g. 'match'): new code.
            return False
    return False


def _parse_error(error, filename, source):
    """A one-line SyntaxError for a source neither Python 3 nor fissix can
    parse; str() of it reads 'cannot parse ...: <why> (<file>, line <n>)'."""
    lineno, column = 1, 0
    context = getattr(error, "context", None)
    if context and len(context) == 2 and isinstance(context[1], tuple):
        lineno, column = context[1]  # pgen2 ParseError
        kinds = {token.INDENT: "indent", token.DEDENT: "dedent",
                 token.NEWLINE: "end of line", token.ENDMARKER: "end of file"}
        value = (getattr(error, "value", None) or "").strip()
        reason = "unexpected " + kinds.get(getattr(error, "type", None), repr(value))
    elif isinstance(error, SyntaxError) and error.lineno:
        lineno, column = error.lineno, error.offset or 0
        reason = error.msg
    elif len(error.args) == 2 and isinstance(error.args[1], tuple):
        lineno, column = error.args[1][:2]  # pgen2 TokenError
        reason = str(error.args[0])
    else:
        reason = str(error) or type(error).__name__
    reason = " ".join(reason.split())
    lines = source.splitlines()
    text = lines[lineno - 1] if 0 < lineno <= len(lines) else None
    return SyntaxError(
        "cannot parse as Python 2 or Python 3: %s" % reason,
        (filename, lineno, column + 1, text),
    )


_LAYOUT = frozenset((token.INDENT, token.DEDENT, token.NEWLINE, token.ENDMARKER))


def _output_lines(tree):
    """For each output line number: the fixer names tagged on its leaves, and
    the smallest original line number among its leaves (None when every leaf
    on it was created by a fixer)."""
    tags = collections.defaultdict(list)
    origins = {}
    line = 1
    for leaf in tree.leaves():
        line += leaf.prefix.count("\n")
        first = line
        line += leaf.value.count("\n")
        # A NEWLINE token ends its line; it does not occupy the next one.
        last = line - 1 if leaf.value.endswith("\n") else line
        for name in _tags(leaf):
            for number in range(first, last + 1):
                if name not in tags[number]:
                    tags[number].append(name)
        if leaf.type in _LAYOUT or leaf.lineno <= 0:
            continue  # an INDENT keeps the line of the statement it first led
        if first not in origins or leaf.lineno < origins[first]:
            origins[first] = leaf.lineno
    return tags, origins


def _names_for(old_line, new_lines, tags, records):
    names = []
    for number in new_lines:
        for name in tags.get(number, ()):
            if name not in names:
                names.append(name)
    if names:
        return names
    # Nothing created on that line (e.g. only a leaf removed): fall back to
    # the narrowest recorded transform covering the original line.
    covering = [r for r in records if r[1] <= old_line <= r[2]]
    if covering:
        narrowest = min(r[2] - r[1] for r in covering)
        for name, first, last in covering:
            if last - first == narrowest and name not in names:
                names.append(name)
        return names
    if records:
        nearest = min(records, key=lambda r: min(abs(r[1] - old_line), abs(r[2] - old_line)))
        return [nearest[0]]
    return ["unknown"]


def _group_hunk(i1, i2, j1, j2, origins):
    """Split an unevenly sized replaced block: ({old index: [new indexes]},
    [new indexes inserted before old line i1]).  New lines are matched to
    old ones through the original line numbers their leaves carry."""
    groups = {i: [] for i in range(i1, i2)}
    if i2 - i1 == j2 - j1 and all(
        origins.get(j + 1) in (None, j - j1 + i1 + 1) or not i1 < origins[j + 1] <= i2
        for j in range(j1, j2)
    ):
        # Same size and no line visibly came from elsewhere: pair in order.
        for k in range(i2 - i1):
            groups[i1 + k].append(j1 + k)
        return groups, []
    inserted = []
    current = None
    for j in range(j1, j2):
        origin = origins.get(j + 1)
        if origin is not None and i1 < origin <= i2:
            current = origin - 1
            groups[current].append(j)
        elif current is None:
            inserted.append(j)  # e.g. an import added above the first line
        else:
            groups[current].append(j)  # a continuation of the line above
    return groups, inserted


def _changes(old_text, new_text, tags, origins, records, unsafe, retabbed=False):
    old_lines = old_text.splitlines()
    new_lines = new_text.splitlines()
    changes = []  # (line, order, Change); insertions sort before edits

    def insertion(before, news):
        line = max(1, min(before, len(old_lines)))
        text = "\n".join(new_lines[j].strip() for j in news)
        names = _names_for(line, [j + 1 for j in news], tags, records)
        changes.append((line, 0, Change("+".join(names), line, "", text)))

    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    edited = {}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "insert":
            insertion(i1 + 1, range(j1, j2))
            continue
        groups, inserted = _group_hunk(i1, i2, j1, j2, origins)
        if inserted:
            insertion(i1 + 1, inserted)
        for i, news in groups.items():
            line = i + 1
            text = "\n".join(new_lines[j].strip() for j in news)
            if retabbed and text == old_lines[i].strip():
                names = [TABS]  # only the indentation changed
            else:
                names = _names_for(line, [j + 1 for j in news], tags, records)
            edited[line] = Change("+".join(names), line, old_lines[i].strip(), text)
    for line in unsafe:
        if line in edited:
            edited[line] = edited[line]._replace(fixer=edited[line].fixer + "+" + DIVISION_UNSAFE)
        elif 0 < line <= len(old_lines):
            old = old_lines[line - 1].strip()
            edited[line] = Change(
                DIVISION_UNSAFE,
                line,
                old,
                old + "  # left as is: '/=' on an attribute/item target is true division now",
            )
    changes.extend((line, 1, change) for line, change in edited.items())
    return [change for _, _, change in sorted(changes, key=lambda item: item[:2])]


def _raises_tab_error(text):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<py2-tabs>", "exec", dont_inherit=True)
    except TabError:
        return True
    except (SyntaxError, ValueError):
        return False  # other problems are the runner's to report
    return False


def _expand_indentation_tabs(tree):
    """Python 2 read a tab as 'up to the next multiple of 8 columns'; Python 3
    refuses mixes of tabs and spaces.  Spell the indentation out in spaces."""
    at_line_start = True
    for leaf in tree.leaves():
        prefix = leaf.prefix
        if "\t" in prefix and (at_line_start or "\n" in prefix):
            head, newline, indent = prefix.rpartition("\n")
            leaf.prefix = head + newline + indent.expandtabs(8)
        if leaf.type in (token.INDENT, token.DEDENT):
            leaf.value = leaf.value.expandtabs(8)  # an INDENT holds the indentation
            continue
        at_line_start = leaf.value.endswith("\n")


def translate(source, filename="<legacy>"):
    """Translate Python 2 ``source`` to Python 3.

    Returns ``(new_source, changes)``; Python 3 source comes back unchanged
    with no changes.  Raises SyntaxError (one-line message naming
    ``filename`` and the line) when the source parses as neither.
    """
    if not is_python2(source):
        return source, []
    source = source[1:] if source.startswith("\ufeff") else source  # see _for_fissix
    text = _for_fissix(source)
    with _lock:
        tool = _tool("translate")
        tool.records = []
        try:
            tree = tool.refactor_string(text, filename)
        except Exception as error:
            if type(error).__module__.startswith("fissix") or isinstance(error, SyntaxError):
                raise _parse_error(error, filename, text) from None
            raise
        records = tool.records
        unsafe = list(tool.division.unsafe)
    new_source = str(tree)
    retabbed = "\t" in new_source and _raises_tab_error(new_source)
    if retabbed:
        _expand_indentation_tabs(tree)
        new_source = str(tree)
    if new_source.endswith("\n") and not source.endswith("\n"):
        new_source = new_source[:-1]
    tags, origins = _output_lines(tree)
    changes = _changes(source, new_source, tags, origins, records, unsafe, retabbed)
    return new_source, changes
