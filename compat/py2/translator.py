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

The fixers are ``compat.py2.fixers``; the Python 2 detection's telltales are
``compat.py2.detection``.  This module runs them and writes the report.
"""

import collections
import difflib
import threading
import warnings

from fissix.pgen2 import token
from fissix.refactor import RefactoringTool

from compat.py2.detection import DetectionTool, Found
from compat.py2.fixers import (
    DIVISION,
    DIVISION_UNSAFE,
    FIXERS,
    OLD_DIV_IMPORT,
    FixOldDiv,
    Tag,
    fissix_modules,
    short_name,
    tag,
    tags_of,
)
from compat.py2.runtime import old_div  # noqa: F401  (the fixer's output calls it)

__all__ = ["Change", "FIXERS", "OLD_DIV_IMPORT", "is_python2", "old_div", "translate"]

Change = collections.namedtuple("Change", ["fixer", "line", "old", "new"])

# Not a fixer: indentation tabs spelled out as spaces (see translate()).
TABS = "tabs"


# --------------------------------------------------------------------------
# Tools: one that translates (below), one that only looks for Python 2
# idioms (compat.py2.detection); each built once.


class _TranslationTool(RefactoringTool):
    """The allow-listed fissix fixers plus FixOldDiv, each transform wrapped
    to record which original lines it touched and which leaves it made."""

    def __init__(self):
        self.records = []
        self.origin = {}
        modules = fissix_modules(FIXERS)
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
        name = DIVISION if isinstance(fixer, FixOldDiv) else short_name(fixer)

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
                if id(leaf) not in known and not tags_of(leaf) and not self._is_copy(leaf):
                    leaf.fixers_applied.append(Tag(name))
            # touch_import() and friends add statements at module level.
            for child in root.children:
                if id(child) not in top_level and child is not node:
                    tag(child, name)
            if new is not None or str(node) != text:
                lines = [leaf.lineno for leaf in before if leaf.lineno > 0]
                if lines:
                    self.records.append((name, min(lines), max(lines)))
            return new

        return recorded


_tools = {}
_lock = threading.Lock()


def _tool(kind):
    # Building a tool compiles every fixer pattern (~0.1 s): do it once.
    if kind not in _tools:
        _tools[kind] = _TranslationTool() if kind == "translate" else DetectionTool()
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
        except Found:
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
        for name in tags_of(leaf):
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
