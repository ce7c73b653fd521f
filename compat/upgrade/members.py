"""Old members of objects, the table's ``MEMBER`` entries (``ta.pack()``,
``template.var_scope``, ``sp.shape``), in the source.

Source does not say what type an object is, so a member is renamed only
where the object is visibly an instance of its class: a name bound, in its
scope, only by assignments of a call of the class or of a function that
makes one (the entry's ``made_by``: ``ta = tf.TensorArray(...)``, ``t =
tf.make_template(...)``).  Elsewhere a distinctive member name
(``flag_unknown``) is flagged with what to write; a name bound by an import
(``struct.pack``) is not an object of TensorFlow's and is left alone.
"""

import libcst as cst
from libcst import metadata

from compat import api

IMPORTED = "imported"


class _Assigned(cst.CSTVisitor):
    """The value each simple assignment target is bound to."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values[id(target.target)] = node.value


def assigned_values(module):
    """``id(target Name) -> value`` for every ``name = value`` of ``module``."""
    visitor = _Assigned()
    module.visit(visitor)
    return visitor.values


def makers(receiver, scope_of, values, resolve):
    """What made the object ``receiver`` names: the set of paths of the calls
    it is bound from (``{'tf.TensorArray'}``; a method of such an object,
    ``ta = ta.write(...)``, counts as ``'.write'``), :data:`IMPORTED` for a
    name bound by imports, or None when the source does not show it."""
    found = _makers(receiver, scope_of, values, resolve, set())
    return found or None


def _makers(receiver, scope_of, values, resolve, seen):
    scope = scope_of(receiver) if isinstance(receiver, cst.Name) else None
    if scope is None:
        return None
    referents = [referent for access in scope.accesses[receiver]
                 for referent in access.referents]
    if referents and all(isinstance(r, metadata.ImportAssignment) for r in referents):
        return IMPORTED
    paths = set()
    for referent in referents:
        node = getattr(referent, "node", None)
        if id(node) in seen:
            continue   # `ta = ta.write(...)`: its other bindings are counted once
        seen.add(id(node))
        value = values.get(id(node))
        if not isinstance(value, cst.Call):
            return None
        path = resolve(value.func)
        if path is None and isinstance(value.func, cst.Attribute):
            inner = _makers(value.func.value, scope_of, values, resolve, seen)
            if inner is None or inner == IMPORTED:
                return None
            paths |= inner | {"." + value.func.attr.value}
        elif path is None:
            return None
        else:
            paths.add(path)
    return paths


def classify(attribute, scope_of, values, resolve):
    """``(entry, None)`` for a use of an old member on a visible instance,
    ``(None, entries)`` for a use to flag (the entries the name may be),
    ``(None, ())`` for anything else."""
    entries = api.members_named(attribute.attr.value)
    if not entries or resolve(attribute.value) is not None:
        # Not an old member's name, or a module's attribute (tf.pack).
        return None, ()
    made = makers(attribute.value, scope_of, values, resolve)
    if made == IMPORTED:
        return None, ()
    if made is not None:
        fitting = [entry for entry in entries if made <= set(entry.made_by)]
        if len(fitting) == 1:
            return fitting[0], None
    return None, tuple(entry for entry in entries if entry.flag_unknown)


def flag_note(entries):
    """What to do about a use whose object the source does not show."""
    return "; ".join("if this is a %s, write .%s (%s, changed in TF %s)" % (
        entry.owner.rpartition(".")[2], entry.new, entry.note, entry.version)
        for entry in entries)


def rewrite(original, updated, scope_of, values, resolve):
    """``(node, entry, note)`` for an attribute use: ``x.stack`` for
    ``x.pack`` on a visible instance (``note`` None), ``updated`` with the
    entry to flag and what to write where the object cannot be seen, else
    ``(updated, None, None)``."""
    entry, unknown = classify(original, scope_of, values, resolve)
    if entry is not None:
        return updated.with_changes(attr=cst.Name(entry.new)), entry, None
    if unknown:
        return updated, unknown[0], flag_note(unknown)
    return updated, None, None
