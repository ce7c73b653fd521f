"""What the upgrader tells a person: a unified diff, the ``--report``
JSON document, and the summary lines printed per file."""

import difflib

from compat import api


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
        head += "; needs the tf1-compat package installed for %s" % ", ".join(
            result.compat_modules)
    lines = [head]
    # The era the program was taken for (compat.api.era), where it changed
    # or flagged something (the --report always has it).
    if any(getattr(api.BY_OLD.get(item.name), "era_adapter", None)
           for item in result.flags + result.changes):
        lines += ["%s: %s" % (name, note.note) for note in result.notes
                  if note.name == "tf_version"]
    for flag in result.flags:
        lines.append("%s: %s: %s" % (_where(name, flag), flag.name, flag.note))
    return lines
