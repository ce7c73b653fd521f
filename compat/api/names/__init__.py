"""The legacy-API table's entries, one module per family of old names.

``ENTRIES`` is the whole table of names, in this order; ``compat.api.table``
indexes it.  ``MEMBERS`` are the old methods and attributes of classes TF
still has (``Kind.MEMBER``), from the families that define any.  A family
module holds only data (``compat.api.entry.entry(...)`` calls), so a new
family is a new module named here.
"""

from compat.api.names import contrib, estimator, numpy_names, tf0, tf0_objects, tf0_ops, tf1

FAMILIES = (tf0, tf0_ops, tf0_objects, tf1, estimator, contrib, numpy_names)
ENTRIES = tuple(e for family in FAMILIES for e in family.ENTRIES)
MEMBERS = tuple(e for family in FAMILIES for e in getattr(family, "MEMBERS", ()))
