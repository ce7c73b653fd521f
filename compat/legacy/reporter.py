"""What the legacy runner tells a person: every change it applied, for
``--report``, and each name said once on stderr (``tf1-compat: ...``)."""

import json
import os
import sys

from compat import api
from compat.util import atomic


class Reporter:
    """Every change applied, for ``--report``; each name said once on stderr."""

    def __init__(self, stream=None, quiet=False):
        self.changes = []
        self._by_place = {}
        self._said = set()
        self._stream = stream
        self.quiet = quiet

    def say(self, message):
        if not self.quiet:
            print("tf1-compat: " + message, file=self._stream or sys.stderr, flush=True)

    def record(self, kind, name, old, new, filename, line, note=""):
        place = (kind, name, filename, line)
        if place in self._by_place:
            # A line run on every step is one change, applied many times.
            self._by_place[place]["count"] += 1
            return
        change = {"kind": kind, "name": name, "old": old, "new": new,
                  "file": filename, "line": line, "count": 1}
        if note:
            change["note"] = note
        self.changes.append(change)
        self._by_place[place] = change
        key = (kind, name)
        if key in self._said:
            return
        self._said.add(key)
        where = "%s:%s" % (os.path.basename(filename or "?"), line)
        if kind == "watchdog":
            self.say("graph growth at %s: `%s` %s; %s" % (where, old, note, new))
        elif kind == "reuse":
            self.say("loop ops at %s: `%s` %s" % (where, old, note))
        elif kind == "py2":
            self.say("Python 2 (%s) at %s: %s -> %s" % (name, where, old, new))
        elif kind == "era":
            self.say("%s at %s: %s" % (old, where, new))
        else:
            entry = api.BY_OLD.get(name) or api.MEMBERS_BY_OLD.get(name)
            since = " (%s)" % entry.since if entry else ""
            self.say("%s -> %s%s at %s%s" % (old, new, since, where,
                                             "; " + note if note else ""))

    def write_json(self, path):
        atomic.write_text(path, json.dumps({"changes": self.changes}, indent=2) + "\n")
