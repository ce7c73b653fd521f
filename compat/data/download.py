"""Download one file safely: to a ``.part`` file, md5-checked, then renamed.

A download that fails for any reason leaves neither a half-written final
file (which a later run would trust) nor a ``.part`` file behind.  Network
failures surface as OSError so callers can collect them and explain what to
do on a machine without internet.
"""

import hashlib
import http.client
import os
import urllib.request

from compat.util import atomic
from compat.util.errors import DataError

_CHUNK = 1 << 20


def md5_of(path, chunk_size=_CHUNK):
    """Hex md5 of a file, read in chunks (the MNIST files are megabytes)."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_response(response, out, progress=None):
    digest = hashlib.md5()
    try:
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
            if progress is not None:
                progress(len(chunk))
    # A connection dropped mid-body raises IncompleteRead, which is not an
    # OSError; callers only need to catch OSError for network trouble.
    except http.client.HTTPException as err:
        raise OSError(f"download interrupted: {err!r}") from err
    return digest.hexdigest()


def _check_size(url, dest_path, expected, actual):
    # A truncated transfer can end without an error; the size tells.
    if expected is not None and actual != expected:
        raise DataError.bad_file(
            dest_path,
            f"size mismatch after downloading {url}: expected {expected} "
            f"bytes, got {actual}",
        )


def _open(url, timeout):
    try:
        return urllib.request.urlopen(url, timeout=timeout)
    # A malformed URL (no scheme, a bad port or host, a space) raises
    # ValueError or http.client.InvalidURL, and a server that does not speak
    # HTTP raises BadStatusLine: to callers each is a download that failed.
    except ValueError as err:
        raise OSError(f"bad URL: {err}") from err
    except http.client.HTTPException as err:
        kind = "bad URL" if isinstance(err, http.client.InvalidURL) else "bad response"
        raise OSError(f"{kind}: {err!r}") from err


def fetch(url, dest_path, md5=None, timeout=30, *, size=None, progress=None):
    """Download ``url`` to ``dest_path`` and return ``dest_path``.

    If ``md5`` (or ``size``, the expected number of bytes) is given and does
    not match, raises DataError naming the file and both values.  Network
    errors, a malformed URL and a reply that is not HTTP raise OSError
    (urllib.error.URLError is one).  The destination directory must exist.
    ``progress``, if given, is called with the number of bytes of each chunk
    written.
    """
    dest_path = os.fspath(dest_path)
    with atomic.replacing(dest_path) as part_path:
        with _open(url, timeout) as response, \
                open(part_path, "wb") as out:
            actual = _copy_response(response, out, progress)
        _check_size(url, dest_path, size, os.path.getsize(part_path))
        if md5 is not None and actual != md5.lower():
            raise DataError.bad_file(
                dest_path,
                f"md5 mismatch after downloading {url}: expected {md5}, "
                f"got {actual}",
            )
    return dest_path
