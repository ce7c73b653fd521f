"""The runner's side of a program's era (``compat.api.era``): which old
meanings the shim serves, the patches it makes while the program runs, and
how each use is reported.

An entry whose ``era_adapter`` applies to the program's era is served by
that adapter (``compat.legacy.adapters.ADAPTERS``): a function in place of
the name (``tf.div``), or a patch of the member TF itself looks up
(``tf.Tensor.__floordiv__``, ``tf.nn.rnn_cell.BasicLSTMCell``), undone at
uninstall.  Where the era cannot tell (``0.x`` and a change made within
0.x), the patch only reports, so each use is flagged on stderr and in
``--report`` instead of the runner choosing.
"""

import functools

from compat import api
from compat.api import era as eras
from compat.legacy import adapters


def report(shim, entry, decided=True):
    """Record one use of ``entry`` at the program's line."""
    if decided:
        new = "its TF %s meaning: %s" % (shim.era.label, entry.era_note)
    else:
        new = ("the TF 1.x meaning kept: %s only before TF %s, which --tf_version=0.x "
               "cannot tell; --tf_version=0.%d gives it"
               % (entry.era_note, entry.era_since, int(entry.era_since.split(".")[1]) - 1))
    shim.report_here("era", entry, new)


def served(shim, entry):
    """The function that stands for ``entry``'s name in ``shim``'s program,
    or None where the name keeps its TF 1.x meaning."""
    if entry.era_adapter is None or eras.applies(shim.era, entry) is not True:
        return None
    call = adapters.ADAPTERS[entry.era_adapter].call
    if call is None:
        return None

    @functools.wraps(call)
    def old_meaning(*args, **kwargs):
        report(shim, entry)
        return call(*args, **kwargs)
    return old_meaning


def install(shim, resolve):
    """Apply the era's patches; returns the functions that undo them."""
    undo = []
    for entry in api.ENTRIES:
        decided = eras.applies(shim.era, entry)
        adapter = adapters.ADAPTERS.get(entry.era_adapter)
        if decided is False or adapter is None or adapter.patch is None:
            continue
        owner_path, _, attr = entry.new.rpartition(".")
        try:
            owner = resolve(owner_path)
            getattr(owner, attr)
        except AttributeError:
            # Not in this process (tf.nn.rnn_cell's cells without
            # TF_USE_LEGACY_KERAS=1): no program can use it, nothing to patch.
            continue
        undo.append(adapter.patch(
            owner, attr, functools.partial(report, shim, entry, decided is True),
            decided=decided is True))
    return undo
