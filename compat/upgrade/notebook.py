"""Upgrading a notebook: its code cells one after another, sharing the
bindings of their imports; IPython magics and shell lines kept as they are;
markdown cells and outputs untouched."""

import nbformat
from libcst import metadata

from compat.api import era as eras
from compat.upgrade import bindings as names
from compat.upgrade.era_rewrite import era_pass, runtime_needed
from compat.upgrade.findings import Finding, UpgradeError, UpgradeResult, by_line
from compat.upgrade.rewriter import State
from compat.upgrade.source import era_note, parse, rewrite, translate

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


def upgrade_notebook(text, filename="<notebook>", tf_version="auto"):
    """Upgrade the code cells of a notebook (JSON text); markdown cells and
    outputs are kept.  Imports in one cell count for the cells after it;
    ``auto`` decides the era (``compat.api.era``) from all the cells."""
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
            code, py2_changes, line_of = translate(hidden_text, filename, index)
            wrapper = metadata.MetadataWrapper(parse(code, filename))
        except UpgradeError as error:
            flags.append(Finding("flag", "cell", 1, "", "", "left as is: %s" % error, index))
            continue
        cells.append((index, cell, hidden, py2_changes, line_of, wrapper))
    era = eras.decide(tf_version, "\n".join(entry[-1].module.code for entry in cells), filename)
    bindings = names.scan([entry[-1].module for entry in cells])
    # The era's pass on every cell first (compat.upgrade.era_rewrite).
    passed = []
    for index, cell, hidden, py2_changes, line_of, wrapper in cells:
        code, found, flagged = era_pass(wrapper, bindings, era, line_of, index)
        passed.append((index, cell, hidden, py2_changes + found, line_of,
                       metadata.MetadataWrapper(parse(code, filename))))
        flags += flagged
    bindings = names.scan([entry[-1].module for entry in passed])
    runtime_needed([c for entry in passed for c in entry[3]], bindings)
    state, changes, notes = State(), [], [era_note(era)]
    for index, cell, hidden, py2_changes, line_of, wrapper in passed:
        code, found, flagged, noted = rewrite(wrapper, bindings, state, line_of, index)
        cell.source = _show_magics(code, hidden)
        changes += py2_changes + found
        flags += flagged
        notes += [n for n in noted if n.name not in {m.name for m in notes}]
    nbformat.validate(nb)
    return UpgradeResult(nbformat.writes(nb), by_line(changes), by_line(flags), notes)
