"""Public path of the legacy shim for notebooks and scripts (``install()``/``uninstall()``).
The code lives in ``compat.legacy.shim``; this is the same module."""

import sys

from compat.legacy import shim as _module

sys.modules[__name__] = _module
