"""How much of a body of real legacy code the table serves: for each API
path of a usage count (``contrib_usage_2018.json``: path -> lines of code
using it), whether the runner serves it, whether the upgrader rewrites it,
and the share of the lines served.  ``scripts/contrib_coverage.py`` writes
the table as markdown.

A path is served when it is a table entry of a kind the engines map, a
member of what such an entry serves (``tf.contrib.slim.arg_scope`` is
``tf_slim``'s own; ``has_member`` checks it exists), or a namespace made of
table entries (``tf.contrib.layers``: the runner serves it as a value; the
upgrader drops its import, ``from tensorflow.contrib import layers``, or its
module-level alias, ``layers = tf.contrib.layers``, and rewrites each name
used through it; any other use of the namespace as a value is flagged).
"""

import dataclasses

from compat.api.table import BY_OLD, Kind, lookup, namespace_module, served_namespace

_MAPPED = (Kind.RENAME, Kind.ARGS, Kind.ADAPTER, Kind.KEPT, Kind.MODULE)


@dataclasses.dataclass(frozen=True)
class Row:
    path: str
    lines: int
    how: str
    runner: bool
    upgrader: bool


def _enclosing_entry(path):
    parts = path.split(".")
    for end in range(len(parts) - 1, 1, -1):
        entry = BY_OLD.get(".".join(parts[:end]))
        if entry is not None:
            return entry, ".".join(parts[end:])
    return None, None


def classify(path, lines, has_member=None):
    """The :class:`Row` of one usage path.  ``has_member(new, rest)``:
    whether the object ``new`` names has the attribute chain ``rest``
    (None: assumed)."""
    entry = BY_OLD.get(path)
    if entry is not None and entry.kind in _MAPPED:
        return Row(path, lines, "%s -> %s" % (entry.kind.value, entry.new), True, True)
    if entry is None and lookup(path) is None:
        outer, rest = _enclosing_entry(path)
        if outer is not None and outer.kind in _MAPPED and outer.new:
            if has_member is None or has_member(outer.new, rest):
                return Row(path, lines, "member of %s" % outer.new, True, True)
            return Row(path, lines, "%s has no %s" % (outer.new, rest), False, False)
    if served_namespace(path):
        # The upgrader spells it as a module only when one module serves it.
        module = namespace_module(path)
        if module is not None:
            return Row(path, lines, "namespace served by %s" % module, True, True)
        return Row(path, lines, "namespace of table entries (uses through an import "
                   "or module-level alias rewritten)", True, True)
    return Row(path, lines, "unsupported: stops with one line", False, False)


def coverage(usage, has_member=None):
    """Rows for ``usage`` (``[{'api': path, 'usage_lines': n}, ...]``, in its
    order) and the shares of lines the runner and the upgrader serve."""
    rows = [classify(item["api"], item["usage_lines"], has_member) for item in usage]
    total = sum(row.lines for row in rows) or 1
    return rows, {"runner": sum(r.lines for r in rows if r.runner) / total,
                  "upgrader": sum(r.lines for r in rows if r.upgrader) / total,
                  "lines": total}


def markdown(rows, shares, source=""):
    """The coverage table as a markdown document."""
    out = ["# tf.contrib coverage", ""]
    if source:
        out += ["Usage: %s." % source, ""]
    out += ["Of %d usage lines, the runner serves %.1f%% and the upgrader rewrites %.1f%%; "
            "every other path stops the program with one line naming it."
            % (shares["lines"], 100 * shares["runner"], 100 * shares["upgrader"]), "",
            "| path | lines | how served | runner | upgrader |", "|---|---:|---|---|---|"]
    yes = {True: "yes", False: "no"}
    out += ["| `%s` | %d | %s | %s | %s |" % (r.path, r.lines, r.how, yes[r.runner],
                                              yes[r.upgrader]) for r in rows]
    return "\n".join(out) + "\n"
