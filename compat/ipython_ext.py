"""Public path of the IPython extension (``%load_ext compat.ipython_ext``).
The code lives in ``compat.legacy.ipython_ext``; this is the same module."""

import sys

from compat.legacy import ipython_ext as _module

sys.modules[__name__] = _module
