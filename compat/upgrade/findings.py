"""What an upgrade returns: its report items (:class:`Finding`), the
upgraded text with them (:class:`UpgradeResult`), and the errors of a file
that cannot be upgraded."""

import dataclasses
import re

from compat.util import errors

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
        imports (so it needs the tf1-compat package installed)."""
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


def by_line(findings):
    """Findings in input order: by cell (none first), then line."""
    return sorted(findings, key=lambda f: (f.cell if f.cell is not None else -1, f.line))
