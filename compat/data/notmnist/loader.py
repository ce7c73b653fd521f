"""``load_notmnist``: the course's notMNIST dict from whatever data a machine
holds, with everything slow cached.

It strings the course's steps together (``find_source``, then the letter
pickles of ``maybe_pickle``, the course's split and ``randomize``) and keeps
extracted folders, per-letter pickles and the final dict in the cache
directory, keyed by source, sizes and seed, so a repeated call decodes no
PNG.
"""

import os
import sys
import time

import numpy as np

from compat.data.notmnist.course import KEYS, check_sizes, load_pickle, randomize, slice_letters
from compat.data.notmnist.images import NUM_CLASSES, letter_folders, maybe_pickle, save_pickle
from compat.data.notmnist.sources import LARGE, SMALL, SOURCE_URL, digest, find_source
from compat.util.errors import DataError

__all__ = ["COURSE_SIZES", "SMALL_SIZES", "build_course_dict", "default_cache_dir",
           "load_notmnist"]

COURSE_SIZES = (200000, 10000, 10000)
SMALL_SIZES = (15000, 1000, 2500)


def default_cache_dir():
    """``$TF1_COMPAT_CACHE`` or ``~/.cache/tf1_compat/notmnist``."""
    return os.environ.get("TF1_COMPAT_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "tf1_compat", "notmnist")


def _root_fingerprint(root):
    """Identity of a letter root for cache keys: its real path and each
    letter folder's mtime, which changes when files are added or removed."""
    stats = [os.stat(folder) for folder in letter_folders(root)]
    return [os.path.realpath(root), [[s.st_ino, s.st_mtime_ns] for s in stats]]


def _resolve_sizes(kind, train_size, valid_size, test_size):
    defaults = COURSE_SIZES if kind == "course" else SMALL_SIZES
    sizes = tuple(default if size is None else size
                  for size, default in zip((train_size, valid_size, test_size), defaults))
    check_sizes(sizes, ("train", "valid", "test"))
    return sizes


def _pickle_letters(root, cache_dir, need_per_class, progress, log):
    letters_dir = os.path.join(cache_dir, "letters", "%s-%s" % (
        os.path.basename(os.path.normpath(root)), digest(_root_fingerprint(root))))
    return maybe_pickle(letter_folders(root), letters_dir, need_per_class,
                        log=log, progress=progress)


def _split_root(root, pickles, sizes, set_names):
    return slice_letters(pickles, sizes, set_names, letter_folders(root))


def _build_course(source, sizes, cache_dir, progress, log):
    train_size, valid_size, test_size = sizes
    large = _pickle_letters(source.large, cache_dir,
                            (train_size + valid_size) // NUM_CLASSES, progress, log)
    small = _pickle_letters(source.small, cache_dir, test_size // NUM_CLASSES, progress, log)
    (valid, train), n_large = _split_root(source.large, large, (valid_size, train_size),
                                          ("valid", "train"))
    (test,), n_small = _split_root(source.small, small, (test_size,), ("test",))
    log(f"notMNIST: course split of {source.large} ({n_large} images) and "
        f"{source.small} ({n_small} images): {len(train[1])} train / "
        f"{len(valid[1])} valid / {len(test[1])} test")
    return train, valid, test


def _build_small(source, sizes, cache_dir, progress, log):
    train_size, valid_size, test_size = sizes
    need = sum(size // NUM_CLASSES for size in sizes)
    pickles = _pickle_letters(source.small, cache_dir, need, progress, log)
    (test, valid, train), total = _split_root(
        source.small, pickles, (test_size, valid_size, train_size), ("test", "valid", "train"))
    course = "/".join(map(str, COURSE_SIZES))
    log(f"notMNIST: only notMNIST_small found: split {total} images into "
        f"{len(train[1])} train / {len(valid[1])} valid / {len(test[1])} test "
        f"(the course used {course} from notMNIST_large + small)")
    return train, valid, test


def build_course_dict(source, sizes, seed, cache_dir, progress=False, log=print):
    """Decode (or reuse letter pickles), split and shuffle as the course did;
    ``np.random.seed(seed)`` first unless ``seed`` is None."""
    if seed is not None:
        np.random.seed(seed)
    build = _build_course if source.kind == "course" else _build_small
    train, valid, test = build(source, sizes, cache_dir, progress, log)
    # The course randomized train, then test, then valid.
    train, test, valid = (randomize(*pair) for pair in (train, test, valid))
    return dict(zip(KEYS, train + valid + test))


def _describe_source(source):
    if source.kind == "pickle":
        return f"the course pickle {source.pickle}"
    if source.kind == "small":
        return f"only notMNIST_small letter folders at {source.small}"
    return f"{LARGE} at {source.large} and {SMALL} at {source.small}"


def _result_cache_path(source, sizes, seed, cache_dir):
    roots = [_root_fingerprint(root) for root in (source.large, source.small) if root]
    return os.path.join(cache_dir, "notMNIST-%s-%d-%d-%d-seed%d-%s.pickle" % (
        (source.kind,) + tuple(sizes) + (seed, digest(roots))))


def _read_cached(path, log):
    if not os.path.isfile(path):
        return None
    try:
        return load_pickle(path)
    except DataError as err:
        log(f"notMNIST: ignoring a bad cache file ({err}); rebuilding it")
        return None


def load_notmnist(data_dir, cache_dir=None, train_size=None, valid_size=None,
                  test_size=None, seed=0, progress=None, log=print, *,
                  source_url=SOURCE_URL, archives=None):
    """The course's notMNIST dict (float32 [N, 28, 28] images in
    [-0.5, 0.5], int32 labels 0..9) from ``data_dir``, which may be:

    a ``notMNIST.pickle`` file or a directory holding one (read as is; sizes
    and seed do not apply); a directory holding the tarballs (extracted into
    ``cache_dir``) or the extracted ``notMNIST_large/`` and
    ``notMNIST_small/`` folders (the course split, by default
    ``COURSE_SIZES``); a letter-folder root A..J, a directory holding only
    ``notMNIST_small`` or its tarball, or that tarball itself (train, valid
    and test all split from it, by default ``SMALL_SIZES``); or None,
    missing or empty (the tarballs are downloaded from ``source_url`` into
    ``cache_dir``; without ``data_dir``, earlier downloads there count).

    ``cache_dir`` (default ``default_cache_dir()``) keeps extracted folders,
    letter pickles and the result, so a repeated call decodes no PNG.
    ``progress`` shows tqdm bars on stderr (default: when stderr is a
    terminal, so a caller's one-line error is not buried under bars in a log
    or a pipe); ``log`` receives what was found and how long it took.
    ``archives`` maps archive names to the sizes a download must have
    (default ``ARCHIVES``).
    """
    start = time.perf_counter()
    if progress is None:
        progress = sys.stderr.isatty()
    cache_dir = default_cache_dir() if cache_dir is None else os.fspath(cache_dir)
    source = find_source(data_dir, cache_dir, source_url, archives, progress, log)
    log(f"notMNIST: found {_describe_source(source)}")
    if source.kind == "pickle":
        data = load_pickle(source.pickle)
        log(f"notMNIST: read {source.pickle} as is in {time.perf_counter() - start:.2f} s "
            f"(the sizes and seed arguments do not apply)")
        return data
    sizes = _resolve_sizes(source.kind, train_size, valid_size, test_size)
    cache_path = None if seed is None else _result_cache_path(source, sizes, seed, cache_dir)
    data = _read_cached(cache_path, log) if cache_path else None
    if data is not None:
        log(f"notMNIST: read the cached split {cache_path} in "
            f"{time.perf_counter() - start:.2f} s")
        return data
    data = build_course_dict(source, sizes, seed, cache_dir, progress, log)
    if cache_path:
        save_pickle(data, cache_path)
    log(f"notMNIST: loaded in {time.perf_counter() - start:.2f} s; cached as "
        f"{cache_path or '(not cached: no seed)'}")
    return data
