"""Where notMNIST's source data is, for ``load_notmnist``: the course's
``notMNIST.pickle``, letter-folder roots, or the two tarballs of Udacity's
Deep Learning course (``notMNIST_large.tar.gz``, ``notMNIST_small.tar.gz``),
found under ``data_dir``, extracted into the cache directory (never beside
them) or downloaded into it, size-checked as the course checked them
(``find_source``).
"""

import gzip
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import typing
import zlib

from tqdm import tqdm

from compat.data import download
from compat.data.notmnist.images import LETTERS
from compat.util.errors import DataError, DataUnavailableError

__all__ = ["ARCHIVES", "DATA_DIR_HINT", "LARGE", "PICKLE_NAME", "SMALL", "SOURCE_URL",
           "Source", "download_archives", "find_source", "maybe_extract"]

SOURCE_URL = "https://commondatastorage.googleapis.com/books1000/"
LARGE = "notMNIST_large"
SMALL = "notMNIST_small"
ARCHIVES = {LARGE + ".tar.gz": 247336696, SMALL + ".tar.gz": 8458043}
PICKLE_NAME = "notMNIST.pickle"
DATA_DIR_HINT = ("pass --data_dir=DIR holding notMNIST_small/ letter folders, "
                 "the tarballs or notMNIST.pickle")


def digest(parts):
    """A short hash of JSON-able ``parts``: the cache directory's keys."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


# --- archives ----------------------------------------------------------------

def _archive_name(folder_name):
    return folder_name + ".tar.gz"


def maybe_extract(archive, dest_dir, progress=False, log=print):
    """Extract ``archive`` (``<name>.tar.gz``) into ``dest_dir`` and return
    ``dest_dir/<name>``; skipped when that folder exists.  The folder appears
    only once complete, so an interrupted extraction is never trusted."""
    name = os.path.basename(archive)[:-len(".tar.gz")]
    root = os.path.join(dest_dir, name)
    if os.path.isdir(root):
        return root
    os.makedirs(dest_dir, exist_ok=True)
    log(f"notMNIST: extracting {archive} into {dest_dir}")
    scratch = tempfile.mkdtemp(prefix=".extract-", dir=dest_dir)
    try:
        _extract_all(archive, scratch, progress)
        if not os.path.isdir(os.path.join(scratch, name)):
            raise DataError.bad_file(archive, f"holds no {name}/ folder")
        try:
            os.replace(os.path.join(scratch, name), root)
        except OSError:
            # Another process finished the same extraction first.
            if not os.path.isdir(root):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return root


def _members_with_progress(tar, raw, bar):
    for member in tar:
        yield member
        bar.update(raw.tell() - bar.n)


def _read_to_end(stream):
    """Read the gzip stream past the tar's end-of-archive block to its end.

    tarfile stops at the first zero block (or at any header that fails its
    checksum), so without this the gzip CRC is never checked: a corrupted
    archive would extract changed or fewer images without an error, and
    trailing garbage would go unnoticed."""
    while stream.read(1 << 20):
        pass


def _extract_all(archive, dest, progress):
    try:
        with open(archive, "rb") as raw, \
                tarfile.open(fileobj=raw, mode="r:gz") as tar, \
                tqdm(total=os.path.getsize(archive), unit="B", unit_scale=True,
                     desc="extracting " + os.path.basename(archive),
                     disable=not progress, file=sys.stderr) as bar:
            # extractall sets directory permissions last, so a read-only
            # folder in the archive still gets its files; the 'data' filter
            # refuses absolute paths, '..' and device files.
            tar.extractall(dest, members=_members_with_progress(tar, raw, bar),
                           filter="data")
            _read_to_end(tar.fileobj)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataError.bad_file(archive, f"not a readable .tar.gz archive: {err}") from err


def _download(name, dest_dir, source_url, expected_size, progress):
    dest = os.path.join(dest_dir, name)
    if os.path.isfile(dest):
        _check_archive_size(dest, expected_size)
        return dest
    os.makedirs(dest_dir, exist_ok=True)
    url = source_url + name
    with tqdm(total=expected_size, unit="B", unit_scale=True, desc="downloading " + name,
              disable=not progress, file=sys.stderr) as bar:
        return download.fetch(url, dest, size=expected_size, progress=bar.update)


def _check_archive_size(path, expected_size):
    # The course's check that the file is complete.
    actual = os.path.getsize(path)
    if expected_size is not None and actual != expected_size:
        raise DataError.bad_file(
            path, f"Failed to verify: {actual} bytes, expected {expected_size}; "
                  f"delete it to download it again")


def download_archives(names, dest_dir, source_url=SOURCE_URL, archives=None,
                      progress=False, searched=None):
    """Paths of the archives ``names`` in ``dest_dir``, downloading those
    absent (size-checked against ``archives``, default ``ARCHIVES``).  When a
    download fails: DataUnavailableError naming what is missing, where it
    was looked for (``searched``), the URL and the --data_dir flag."""
    archives = ARCHIVES if archives is None else archives
    source_url = source_url if source_url.endswith("/") else source_url + "/"
    paths = []
    for position, name in enumerate(names):
        try:
            paths.append(_download(name, dest_dir, source_url, archives.get(name), progress))
        except OSError as err:
            raise _unavailable(names[position:], searched or dest_dir,
                               source_url + name, err) from err
    return paths


def _unavailable(missing, searched, url, reason):
    err = DataUnavailableError(
        f"notMNIST data not found in {searched}: missing {', '.join(missing)}; "
        f"downloading {url} failed: {reason}; {DATA_DIR_HINT}", path=searched)
    err.missing = list(missing)
    err.url = url
    return err


# --- where the data is -------------------------------------------------------

class Source(typing.NamedTuple):
    """What ``load_notmnist`` found: ``kind`` is 'pickle' (``pickle`` is the
    file), 'course' (``large`` and ``small`` letter roots) or 'small' (only
    ``small``)."""

    kind: str
    pickle: typing.Optional[str] = None
    large: typing.Optional[str] = None
    small: typing.Optional[str] = None


def _has_letter_folders(directory):
    return any(os.path.isdir(os.path.join(directory, letter)) for letter in LETTERS)


def _extraction_dir(archive, cache_dir):
    # Keyed by the archive's identity: another archive of the same name
    # (a test's tiny one, a re-download) gets its own extracted copy.
    stat = os.stat(archive)
    return os.path.join(cache_dir, "extracted", digest(
        [os.path.realpath(archive), stat.st_size, stat.st_mtime_ns]))


def _local_root(directory, name, cache_dir, progress, log):
    """The letter root of ``name`` (notMNIST_large or _small) held in
    ``directory``, extracted or as a tarball; None if neither."""
    folder = os.path.join(directory, name)
    if os.path.isdir(folder):
        return folder
    archive = os.path.join(directory, _archive_name(name))
    if os.path.isfile(archive):
        return maybe_extract(archive, _extraction_dir(archive, cache_dir), progress, log)
    return None


def _direct_source(data_dir):
    """The source when ``data_dir`` is a course pickle, a directory holding
    one, or a letter root; else None."""
    if data_dir is None:
        return None
    if os.path.isfile(data_dir) and os.path.basename(data_dir) not in ARCHIVES:
        return Source("pickle", pickle=data_dir)
    if os.path.isfile(os.path.join(data_dir, PICKLE_NAME)):
        return Source("pickle", pickle=os.path.join(data_dir, PICKLE_NAME))
    if os.path.isdir(data_dir) and _has_letter_folders(data_dir):
        return Source("small", small=data_dir)
    return None


def _local_roots(data_dir, cache_dir, progress, log):
    """(large, small) letter roots that ``data_dir`` holds, extracted from
    tarballs where needed; None for each one absent."""
    if data_dir is None:
        return None, None
    if os.path.isfile(data_dir):
        # A tarball named directly.
        root = maybe_extract(data_dir, _extraction_dir(data_dir, cache_dir), progress, log)
        return (root, None) if os.path.basename(root) == LARGE else (None, root)
    if not os.path.isdir(data_dir):
        return None, None
    return tuple(_local_root(data_dir, name, cache_dir, progress, log)
                 for name in (LARGE, SMALL))


def _fetched_roots(wanted, searched, cache_dir, source_url, archives, progress, log):
    log(f"notMNIST: {', '.join(map(_archive_name, wanted))} not in {searched}; "
        f"downloading into {cache_dir} unless already there")
    names = [_archive_name(name) for name in wanted]
    paths = download_archives(names, cache_dir, source_url, archives, progress, searched)
    return {name: maybe_extract(path, _extraction_dir(path, cache_dir), progress, log)
            for name, path in zip(wanted, paths)}


def find_source(data_dir, cache_dir, source_url=SOURCE_URL, archives=None,
                progress=False, log=print):
    """Locate (extracting or downloading as needed) the data for
    ``load_notmnist``; see its docstring for the forms of ``data_dir``."""
    data_dir = None if data_dir is None else os.fspath(data_dir)
    source = _direct_source(data_dir)
    if source is not None:
        return source
    large, small = _local_roots(data_dir, cache_dir, progress, log)
    if large is None and small is not None:
        return Source("small", small=small)
    wanted = [name for name, root in ((LARGE, large), (SMALL, small)) if root is None]
    if wanted:
        searched = data_dir if data_dir is not None else cache_dir
        fetched = _fetched_roots(wanted, searched, cache_dir, source_url, archives,
                                 progress, log)
        large = large or fetched.get(LARGE)
        small = small or fetched.get(SMALL)
    return Source("course", large=large, small=small)
