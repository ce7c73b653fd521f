"""Drop-in for ``tensorflow.examples.tutorials.mnist.input_data``.

Old programs do ``from tensorflow.examples.tutorials.mnist import
input_data``; under the legacy runner that import lands here, and upgraded
programs do ``from compat import input_data``; the rest of the code stays as
it was.  The definitions live in :mod:`compat.data.mnist`; this module re-exports
the names those programs used, and lets the person running an old program
redirect it without editing it:

* ``TF1_COMPAT_DATA_DIR``: read the data from this directory instead of the
  one the program asks for (``run_legacy.py --data_dir`` sets it);
* ``TF1_COMPAT_BATCHING``: ``tf0`` or ``tf1``, the ``next_batch`` behaviour
  when the program does not choose one.
"""

import os

from compat.data import mnist
from compat.util.errors import DataUnavailableError
from compat.data.mnist import (  # noqa: F401
    DEFAULT_SOURCE_URL,
    DataSet,
    Datasets,
    dense_to_one_hot,
    extract_images,
    extract_labels,
    load_mnist,
    maybe_download,
)

DATA_DIR_ENV = "TF1_COMPAT_DATA_DIR"
BATCHING_ENV = "TF1_COMPAT_BATCHING"


def read_data_sets(train_dir, *args, **kwargs):
    """``compat.data.mnist.read_data_sets`` with the environment's overrides."""
    asked = train_dir
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        train_dir = override
    kwargs.setdefault("flag_hint", "--data_dir (run_legacy.py) or %s" % DATA_DIR_ENV)
    if os.environ.get(BATCHING_ENV):
        kwargs.setdefault("batching", os.environ[BATCHING_ENV])
    try:
        return mnist.read_data_sets(train_dir, *args, **kwargs)
    except DataUnavailableError as err:
        # Say whose directory that was: the program's own, or an override.
        source = ("set by %s / --data_dir; the program asked for %s" % (DATA_DIR_ENV, asked)
                  if override else "the directory the program asked for")
        raise DataUnavailableError("%s (%s)" % (err, source), path=err.path) from None


read_data_sets.__doc__ = mnist.read_data_sets.__doc__

__all__ = [
    "DEFAULT_SOURCE_URL",
    "DataSet",
    "Datasets",
    "dense_to_one_hot",
    "extract_images",
    "extract_labels",
    "load_mnist",
    "maybe_download",
    "read_data_sets",
]
