"""Drop-in for ``tensorflow.examples.tutorials.mnist.input_data``.

Old programs do ``from tensorflow.examples.tutorials.mnist import
input_data``; with this package they do ``from compat import input_data``
and the rest of the code stays as it was.  The definitions live in
:mod:`compat.mnist`; this module only re-exports the names those programs used.
"""

from compat.mnist import (  # noqa: F401
    DEFAULT_SOURCE_URL,
    DataSet,
    Datasets,
    dense_to_one_hot,
    extract_images,
    extract_labels,
    load_mnist,
    maybe_download,
    read_data_sets,
)

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
