"""Public path of ``put_kernels_on_grid``, the fixed 2016 gist.
The code lives in ``compat.tensorboard.kernel_grid``; this is the same module."""

import sys

from compat.tensorboard import kernel_grid as _module

sys.modules[__name__] = _module
