"""Is a source that compiles as Python 3 still Python 2?  The telltales:
fissix fixers whose matches in such a source are Python-2-only idioms
(``xrange``, ``dict.iteritems()``, ``has_key()``, ``cPickle`` ...), each
with a test of whether a match really is one, and ``print >>f, x``.
:class:`DetectionTool` runs them over a source without changing it and
raises :class:`Found` at the first; ``compat.py2.translator.is_python2``
uses it for sources that compile.
"""

import sys

from fissix import fixer_base, pygram
from fissix.fixer_util import is_probably_builtin
from fissix.fixes.fix_metaclass import has_metaclass
from fissix.fixes.fix_urllib import MAPPING as _URLLIB_MAPPING
from fissix.pgen2 import token
from fissix.refactor import RefactoringTool

from compat.py2.fixers import fissix_modules, short_name


class Found(Exception):
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


class DetectionTool(RefactoringTool):
    """Matches the telltale fixers against Python 3 parse trees without
    changing them; raises Found on the first real Python 2 idiom."""

    def __init__(self):
        super().__init__(fissix_modules(_TELLTALES), options={})
        # The source already compiles as Python 3, so print and exec are
        # plain names.
        self.grammar = pygram.python_grammar_no_print_and_exec_statement
        self.driver.grammar = self.grammar

    def get_fixers(self):
        pre_order, post_order = super().get_fixers()
        for fixer in pre_order + post_order:
            fixer.transform = self._detector(_TELLTALES[short_name(fixer)])
        chevron = _PrintChevronTelltale(self.options, self.fixer_log)
        chevron.transform = self._detector(_always)
        post_order.append(chevron)
        return pre_order, post_order

    @staticmethod
    def _detector(is_py2):
        def detect(node, results):
            if is_py2(node, results):
                raise Found()
            return None

        return detect

    def refactor_string(self, data, name):
        tree = self.driver.parse_string(data)
        tree.future_features = frozenset()
        self.refactor_tree(tree, name)
        return tree
