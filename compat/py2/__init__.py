"""Python 2 -> 3: the translator (``compat.py2.translator``, on fissix, with
its fixer set in ``compat.py2.fixers`` and its Python 2 detection in
``compat.py2.detection``) and the runtime helper that translated files
import (``from compat.py2 import old_div``).

Importing this package imports only the runtime helper: an upgraded file
must run with plain ``python`` and without fissix or libcst installed.  The
translator's names (``compat.py2.translate``, ``Change``, ...) are loaded on
first use.
"""

import importlib

from compat.py2.runtime import old_div

__all__ = ["old_div"]

# The submodules: ``from compat.py2 import fixers`` must import the module,
# not look the name up in the translator.
_SUBMODULES = ("translator", "fixers", "detection", "runtime")


def __getattr__(name):
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(name)
    translator = importlib.import_module("compat.py2.translator")
    try:
        return getattr(translator, name)
    except AttributeError:
        raise AttributeError("module 'compat.py2' has no attribute %r" % name) from None
