"""Public path of the model functions of TF's removed ``tensorflow.examples.tutorials.mnist.mnist``; upgraded programs import it.
The code lives in ``compat.data.tutorial_mnist``; this is the same module."""

import sys

from compat.data import tutorial_mnist as _module

sys.modules[__name__] = _module
