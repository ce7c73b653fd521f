"""The project's one reader of IDX files (the MNIST file format).

An IDX file is a 4-byte magic number ``00 00 TT NN`` (TT = element type,
NN = number of dimensions), NN big-endian uint32 sizes, then the elements.
Only unsigned bytes (TT = 0x08) occur in MNIST-style data sets, so only
those are accepted.  Files may be gzip-compressed or plain; compression is
recognised by the gzip magic bytes, because users do ``gunzip`` files without
renaming them and some mirrors serve plain files under ``.gz`` names.

Every way a file can be bad ends in :class:`compat.util.errors.DataError` naming
the file, never in a numpy reshape error deep inside a training script.
"""

import gzip
import math
import os
import zlib

import numpy as np

from compat.util.errors import DataError

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
_MAX_ELEMENTS = np.iinfo(np.intp).max


def source_name(source):
    """The name used for ``source`` in error messages."""
    if isinstance(source, (str, bytes, os.PathLike)):
        return os.fsdecode(source)
    return getattr(source, "name", "<stream>")


def _read_bytes(source):
    if isinstance(source, (str, bytes, os.PathLike)):
        with open(source, "rb") as f:
            return f.read()
    return source.read()


def _decompress(raw, name):
    try:
        return gzip.decompress(raw)
    # BadGzipFile is an OSError; EOFError is a stream cut short.
    except (OSError, EOFError, zlib.error) as err:
        raise DataError.bad_file(
            name, f"is not a valid gzip file / is truncated ({err})"
        ) from None


def _parse(data, name):
    """Return ``(magic, array)`` for the decompressed bytes of an IDX file."""
    if len(data) < 4:
        raise DataError.bad_file(
            name, f"truncated: {len(data)} bytes, too short for an IDX header"
        )
    magic = int.from_bytes(data[:4], "big")
    ndims = data[3]
    if data[0] != 0 or data[1] != 0 or data[2] != _UBYTE or ndims == 0:
        raise DataError.bad_file(
            name,
            f"invalid magic number {magic} (0x{magic:08x}); expected an "
            f"unsigned-byte IDX file (0x000008NN with NN >= 1 dimensions)",
        )
    header_len = 4 + 4 * ndims
    if len(data) < header_len:
        raise DataError.bad_file(
            name,
            f"truncated: header of {ndims} dimensions needs {header_len} bytes, "
            f"file has {len(data)}",
        )
    shape = tuple(
        int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)
    )
    # Python ints cannot overflow, whatever sizes a corrupt header claims.
    expected = math.prod(shape)
    actual = len(data) - header_len
    if actual < expected:
        raise DataError.bad_file(
            name, f"truncated: header says {expected} bytes, file has {actual}"
        )
    if actual > expected:
        raise DataError.bad_file(
            name,
            f"{actual - expected} bytes of extra data: header says {expected} "
            f"bytes, file has {actual}",
        )
    # With a zero dimension the element count is 0 whatever the others say,
    # but numpy still refuses a shape whose other dimensions overflow it.
    if math.prod(size for size in shape if size) > _MAX_ELEMENTS:
        raise DataError.bad_file(
            name, f"dimensions {' x '.join(map(str, shape))} in the header are too "
                  f"large for an array"
        )
    # frombuffer shares the decompressed buffer: no copy of 47 MB of pixels.
    array = np.frombuffer(data, dtype=np.uint8, count=expected, offset=header_len)
    return magic, array.reshape(shape)


def _load(source):
    name = source_name(source)
    data = _read_bytes(source)
    if data[:2] == _GZIP_MAGIC:
        data = _decompress(data, name)
    return name, _parse(data, name)


def read_idx(source):
    """Read an unsigned-byte IDX file of any rank.

    ``source`` is a path or a binary file object; gzip or plain.  Returns a
    read-only uint8 array shaped as the header says.  Raises DataError for
    any malformed file; OSError if the file cannot be opened.
    """
    _, (_, array) = _load(source)
    return array


def _read_expecting(source, want, what):
    name, (magic, array) = _load(source)
    if magic != want:
        raise DataError.bad_file(
            name,
            f"invalid magic number {magic} (0x{magic:08x}) in MNIST {what} "
            f"file; expected {want} (0x{want:08x})",
        )
    return array


def read_idx_images(source):
    """Read an IDX image file (magic 2051) as ``[N, rows, cols, 1]`` uint8,
    the layout TensorFlow's old ``extract_images`` returned."""
    images = _read_expecting(source, IMAGES_MAGIC, "image")
    return images.reshape(images.shape + (1,))


def read_idx_labels(source):
    """Read an IDX label file (magic 2049) as ``[N]`` uint8."""
    return _read_expecting(source, LABELS_MAGIC, "label")
