"""The keys the legacy table names, checked against the engines that apply
them.

An entry's ``adapter`` and ``old_order_if`` name code, not data: the runner
registers a runtime form of each (``compat.legacy.adapters``: ``ADAPTERS``,
``ORDER_TESTS``) and the source upgrader a static one (``compat.upgrade``:
``STATIC_ADAPTERS``, ``ORDER_TESTS``).  Both engines call
:func:`check_registries` when they are imported, so a name one of them
lacks, or a registration no entry names, stops the import with a message
saying which, instead of an engine quietly treating the entry as something
else.
"""

from compat.api.table import ENTRIES, Kind


class RegistryError(Exception):
    """An engine's registries do not match the legacy table."""


def _named_by(entries, field):
    """Key -> the old names of the entries that name it (``None``, "no key",
    counts for ``old_order_if``: it selects the test that is always true)."""
    named = {}
    for entry in entries:
        key = getattr(entry, field)
        if key is not None or field == "old_order_if":
            named.setdefault(key, []).append(entry.old)
        if field == "adapter" and entry.era_adapter is not None:
            # The old meaning a program of an earlier era gets (compat.api.era).
            named.setdefault(entry.era_adapter, []).append(entry.old)
    return named


def registry_problems(adapters, order_tests, entries=ENTRIES):
    """One line per disagreement between ``entries`` and an engine's
    ``adapters`` and ``order_tests`` registries (dicts keyed as the table
    names them); empty when they agree."""
    problems = []
    for entry in entries:
        if (entry.kind is Kind.ADAPTER) != (entry.adapter is not None):
            problems.append("%s is of kind %s but %s an adapter" % (
                entry.old, entry.kind.value,
                "names" if entry.adapter is not None else "does not name"))
    for field, registry in (("adapter", adapters), ("old_order_if", order_tests)):
        named = _named_by(entries, field)
        for key in sorted(set(named) - set(registry), key=str):
            problems.append("%s %r (named by %s) is not registered"
                            % (field, key, ", ".join(named[key])))
        for key in sorted(set(registry) - set(named), key=str):
            problems.append("%s %r is registered, but no table entry names it" % (field, key))
    return problems


def check_registries(engine, adapters, order_tests, entries=ENTRIES):
    """Raise :class:`RegistryError` unless ``engine``'s registries match
    the table."""
    problems = registry_problems(adapters, order_tests, entries)
    if problems:
        raise RegistryError("%s does not match the legacy table (compat.api.table): %s"
                            % (engine, "; ".join(problems)))
