"""Public path of the drop-in for ``tensorflow.examples.tutorials.mnist.
input_data``: upgraded programs import ``from compat import input_data``.
The code lives in ``compat.data.input_data``; this is the same module."""

import sys

from compat.data import input_data as _module

sys.modules[__name__] = _module
