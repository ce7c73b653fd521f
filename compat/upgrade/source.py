"""Upgrading one Python source text: the Python 2 translation
(``compat.py2``) first, then the bindings scan, the rewrite and the loop
lint, with every finding placed on the input's own lines."""

import difflib
import os

import libcst as cst
from libcst import metadata

from compat import py2
from compat.api import era as eras
from compat.upgrade import bindings as names
from compat.upgrade.findings import Finding, UpgradeError, UpgradeResult, by_line
from compat.upgrade.era_rewrite import era_pass, runtime_needed
from compat.upgrade.loops import loop_flags
from compat.upgrade.rewriter import Rewriter, State


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


def parse(text, filename):
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise UpgradeError("%s does not parse: line %d: %s" % (
            filename, error.raw_line, error.message)) from None


def translate(source, filename, cell=None):
    """``(Python 3 text, its py2 findings, new line -> input line)``."""
    try:
        text, changes = py2.translate(source, filename)
    except SyntaxError as error:
        raise UpgradeError("%s does not parse: %s" % (filename, error)) from None
    found = [Finding("py2", c.fixer, c.line, c.old, c.new, "Python 2 -> 3 (compat.py2)", cell)
             for c in changes]
    return text, found, _line_map(source, text)


def rewrite(wrapper, bindings, state, line_of, cell=None):
    """``(code, changes, flags, notes)`` of one parsed module (a
    ``MetadataWrapper``)."""
    rewriter = Rewriter(bindings, state, wrapper.module, line_of, cell)
    positions = wrapper.resolve(metadata.PositionProvider)
    flagged_loops = loop_flags(wrapper.module, bindings, positions, line_of, cell)
    new_module = wrapper.visit(rewriter)
    return new_module.code, rewriter.changes, rewriter.flags + flagged_loops, rewriter.notes


def era_note(era, cell=None):
    """The report's note of the era decided (``compat.api.era``)."""
    return Finding("note", "tf_version", 1, "", "", eras.describe(era), cell)


def upgrade_source(source, filename="<source>", directory=None, tf_version="auto"):
    """Upgrade one Python source text; returns an :class:`UpgradeResult`.
    ``directory`` is where the file lives (default: from ``filename``), to
    find modules the program carries beside it; ``tf_version`` the era the
    program was written for (``compat.api.era``: ``auto`` decides from its
    names).  Raises :class:`UpgradeError` when it does not parse."""
    text, py2_changes, line_of = translate(source, filename)
    era = eras.decide(tf_version, text, filename)
    wrapper = metadata.MetadataWrapper(parse(text, filename))
    carried = names.carried_copies(
        os.path.join(directory, os.path.basename(filename)) if directory else filename)
    # The old meanings first, written in the names' own spelling; the table
    # pass then sees an ordinary program.
    text, era_changes, era_flags = era_pass(
        wrapper, names.scan([wrapper.module], carried), era, line_of)
    wrapper = metadata.MetadataWrapper(parse(text, filename))
    bindings = names.scan([wrapper.module], carried)
    runtime_needed(era_changes, bindings)
    code, changes, flags, notes = rewrite(wrapper, bindings, State(), line_of)
    return UpgradeResult(code, by_line(py2_changes + era_changes + changes),
                         by_line(era_flags + flags), [era_note(era)] + notes)
