"""The legacy-API knowledge: the one table of old TensorFlow names
(``compat.api.table``) and the lookups both engines use, the runner
(``compat.legacy``) and the source upgrader (``compat.upgrade``)."""

from compat.api.table import BY_OLD, ENTRIES, LegacyName, entries_under, lookup  # noqa: F401
