"""notMNIST as Udacity's Deep Learning course prepared it (assignment 1).

The course downloaded ``notMNIST_large.tar.gz`` and ``notMNIST_small.tar.gz``,
extracted them, pickled each letter folder A..J as a float32 [N, 28, 28]
array normalized to ``(pixel - 255/2) / 255``, drew train/valid sets from
the large folders and the test set from the small ones (shuffling each
letter with numpy's global RNG, then slicing), shuffled each set once more
and saved the dict that its later programs ``pickle.load``:
``train_dataset``, ``train_labels``, ``valid_dataset``, ``valid_labels``,
``test_dataset``, ``test_labels``.  The functions below keep the course's
names and behaviour (``load_letter``, ``maybe_pickle``, ``merge_datasets``,
``randomize``, ``reformat``); ``load_notmnist`` strings them together for
whatever data a machine holds:

* a ``notMNIST.pickle`` (the file, or a directory holding it): read as is;
* the tarballs: extracted into the cache directory, never beside them;
* extracted ``notMNIST_large/`` and ``notMNIST_small/``: the course split;
* only ``notMNIST_small`` (or a letter-folder root A..J): train, valid and
  test are split from it, and the log says so;
* nothing: the tarballs are downloaded into the cache directory.

Everything slow is cached in the cache directory: extracted folders,
per-letter pickles and the final dict, keyed by source, sizes and seed.
Deliberate departures from the course, all for reproducibility: letter
folders are read in sorted order (the course used ``os.listdir`` order, so
its shuffles depended on the file system); a size that is not a multiple of
the number of classes gives ``size // 10`` rows per class and no
uninitialised tail rows; an empty validation set is an empty array, not None.

Pickles are trusted input, as in the course: do not load one from a source
you would not run code from.
"""

import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import sys
import tarfile
import tempfile
import time
import typing
import zlib

import numpy as np
from PIL import Image
from tqdm import tqdm

from compat.util import atomic
from compat.data import download
from compat.util.errors import ConfigError, DataError, DataUnavailableError

SOURCE_URL = "https://commondatastorage.googleapis.com/books1000/"
LARGE = "notMNIST_large"
SMALL = "notMNIST_small"
ARCHIVES = {LARGE + ".tar.gz": 247336696, SMALL + ".tar.gz": 8458043}
COURSE_SIZES = (200000, 10000, 10000)
SMALL_SIZES = (15000, 1000, 2500)
LETTERS = tuple("ABCDEFGHIJ")
NUM_CLASSES = len(LETTERS)
IMAGE_SIZE = 28
PIXEL_DEPTH = 255.0
PICKLE_NAME = "notMNIST.pickle"
KEYS = ("train_dataset", "train_labels", "valid_dataset", "valid_labels",
        "test_dataset", "test_labels")
DATA_DIR_HINT = ("pass --data_dir=DIR holding notMNIST_small/ letter folders, "
                 "the tarballs or notMNIST.pickle")

# The course's normalization, evaluated in float64 and stored as float32
# exactly as its ``(image.astype(float) - 255/2) / 255`` did; looking pixels up
# in this table gives the same bits without a float64 copy of each letter.
_NORMALIZED = ((np.arange(256, dtype=np.float64) - PIXEL_DEPTH / 2)
               / PIXEL_DEPTH).astype(np.float32)


def default_cache_dir():
    """``$TF1_COMPAT_CACHE`` or ``~/.cache/tf1_compat/notmnist``."""
    return os.environ.get("TF1_COMPAT_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "tf1_compat", "notmnist")


# --- one image ---------------------------------------------------------------

class UnreadableImage(Exception):
    """A file PIL cannot decode; the course skipped such files with a warning."""


def _decode_error(err):
    if isinstance(err, Image.UnidentifiedImageError):
        return "cannot identify image file"
    return f"{type(err).__name__}: {err}"


def _check_header(image, path):
    # A readable image of the wrong kind was an error in the course, not a skip.
    if image.size != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError.bad_file(
            path, f"unexpected image size {image.size[0]}x{image.size[1]}, "
                  f"expected {IMAGE_SIZE}x{IMAGE_SIZE}")
    if image.mode not in ("L", "1"):
        raise DataError.bad_file(
            path, f"not an 8-bit grey image (PIL mode {image.mode})")


def read_png(path):
    """The pixels of one 28x28 grey image file as [28, 28] uint8.

    Raises UnreadableImage when the file cannot be decoded and DataError
    when it decodes to anything but a 28x28 grey image.
    """
    # One read, then decoding from memory: cheaper than letting PIL seek
    # around in thousands of tiny files.
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise UnreadableImage("empty file (0 bytes)")
    # PIL's plugins signal malformed input with a zoo of exception types
    # (OSError, SyntaxError, struct.error, zlib.error, ValueError, ...); to
    # the course each one meant "could not read".  Only PIL calls are inside.
    try:
        image = Image.open(io.BytesIO(data))
    except Exception as err:
        raise UnreadableImage(_decode_error(err)) from err
    _check_header(image, path)
    try:
        if image.mode == "1":
            image = image.convert("L")
        return np.asarray(image, dtype=np.uint8)
    except Exception as err:
        raise UnreadableImage(_decode_error(err)) from err


# --- one letter folder -------------------------------------------------------

def _list_files(folder):
    try:
        return sorted(entry.name for entry in os.scandir(folder)
                      if not entry.is_dir())
    except OSError as err:
        raise DataError.bad_file(folder, f"cannot list the folder: {err}") from err


def normalize(pixels):
    """uint8 pixels -> the course's float32 ``(pixel - 255/2) / 255``."""
    return _NORMALIZED[np.asarray(pixels, dtype=np.uint8)]


def load_letter(folder, min_num_images=0, *, log=print, on_file=None):
    """One letter folder as a normalized float32 [N, 28, 28] array.

    Unreadable files are skipped with the course's warning through ``log``;
    an image that is not 28x28 grey, or fewer than ``min_num_images``
    readable images, raises DataError.  ``on_file`` is called once per file
    (progress bars).
    """
    names = _list_files(folder)
    pixels = np.empty((len(names), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    count = 0
    for name in names:
        path = os.path.join(folder, name)
        try:
            pixels[count] = read_png(path)
            count += 1
        except UnreadableImage as err:
            log(f"Could not read: {path} : {err} - it's ok, skipping.")
        if on_file is not None:
            on_file()
    if count < min_num_images:
        raise DataError.bad_file(
            folder, f"too few images: {count} readable, fewer than the "
                    f"{min_num_images} needed")
    return normalize(pixels[:count])


def _letter_pickle_name(folder):
    return os.path.basename(os.path.normpath(folder)) + ".pickle"


def save_pickle(obj, path):
    """Pickle ``obj`` to ``path`` atomically, so a crash never leaves a
    half-written file that a later run trusts."""
    path = os.fspath(path)
    with atomic.replacing(path) as part:
        with open(part, "wb") as f:
            pickle.dump(obj, f, pickle.HIGHEST_PROTOCOL)
    return path


def _beside_bars(log):
    """``log`` made to clear the progress bars around each message, so a
    warning is not written into the middle of a bar's line."""
    def log_cleanly(message):
        with tqdm.external_write_mode():
            log(message)
    return log_cleanly


def maybe_pickle(letter_folders, cache_dir, min_num_images_per_class, force=False,
                 *, log=print, progress=False):
    """Pickle each letter folder as ``cache_dir/<letter>.pickle`` (reused when
    present, unless ``force``) and return the pickle paths in order."""
    os.makedirs(cache_dir, exist_ok=True)
    targets = [os.path.join(cache_dir, _letter_pickle_name(f)) for f in letter_folders]
    todo = [(folder, target) for folder, target in zip(letter_folders, targets)
            if force or not os.path.isfile(target)]
    if not todo:
        log(f"notMNIST: reusing the letter pickles in {cache_dir}")
        return targets
    start = time.perf_counter()
    total = sum(len(_list_files(folder)) for folder, _ in todo)
    read = 0
    with tqdm(total=total, unit="img", desc="decoding PNGs", disable=not progress,
              file=sys.stderr) as bar:
        for folder, target in todo:
            dataset = load_letter(folder, min_num_images_per_class,
                                  log=_beside_bars(log), on_file=bar.update)
            save_pickle(dataset, target)
            read += len(dataset)
    log(f"notMNIST: decoded {read} of {total} files in {len(todo)} letter folders in "
        f"{time.perf_counter() - start:.2f} s; letter pickles in {cache_dir}")
    return targets


# --- merging and shuffling ---------------------------------------------------

def _load_letter_pickle(path):
    try:
        with open(path, "rb") as f:
            letter_set = pickle.load(f)
    except Exception as err:  # unpickling garbage can raise almost anything
        raise DataError.bad_file(path, f"not a readable letter pickle: {err}") from err
    if (not isinstance(letter_set, np.ndarray) or letter_set.ndim != 3
            or letter_set.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE)
            or not np.issubdtype(letter_set.dtype, np.floating)):
        raise DataError.bad_file(path, "not a letter pickle: expected an [N, 28, 28] "
                                       "float array")
    return letter_set


def _check_sizes(sizes, set_names):
    for size, name in zip(sizes, set_names):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise ConfigError(f"{name}_size must be a non-negative integer, got {size!r}")


def _split_letters(pickle_files, sizes, set_names, sources=None):
    """For each letter (label = its position): one ``np.random.shuffle``, then
    consecutive slices of ``size // classes`` rows for each size in order.
    Returns [(dataset, labels) per size] and the number of images read.
    ``sources`` name the letters in errors (default: the pickle files)."""
    _check_sizes(sizes, set_names)
    if not pickle_files:
        raise ValueError("no letter pickles to merge")
    per_class = [size // len(pickle_files) for size in sizes]
    need = sum(per_class)
    parts = [([], []) for _ in sizes]
    total = 0
    for label, (path, source) in enumerate(zip(pickle_files, sources or pickle_files)):
        letter_set = _load_letter_pickle(path)
        total += len(letter_set)
        if len(letter_set) < need:
            wanted = " + ".join(f"{n} {name}" for n, name in zip(per_class, set_names))
            raise DataError.bad_file(
                source, f"too few images for the requested split: {len(letter_set)} in "
                        f"this class, but {wanted} = {need} per class are needed "
                        f"(size // {len(pickle_files)} each)")
        np.random.shuffle(letter_set)
        start = 0
        for (datasets, labels), count in zip(parts, per_class):
            datasets.append(letter_set[start:start + count])
            labels.append(np.full(count, label, dtype=np.int32))
            start += count
    merged = [(np.concatenate(d).astype(np.float32, copy=False), np.concatenate(l))
              for d, l in parts]
    return merged, total


def merge_datasets(pickle_files, train_size, valid_size=0):
    """The course's merge: ``(valid_dataset, valid_labels, train_dataset,
    train_labels)``, each letter shuffled once, its first ``valid_size // n``
    rows to valid and the next ``train_size // n`` to train."""
    (valid, train), _ = _split_letters(pickle_files, (valid_size, train_size),
                                       ("valid", "train"))
    return valid + train


def split_letters(pickle_files, train_size, valid_size, test_size):
    """Train, valid and test sets from one set of letters (notMNIST_small
    alone): one shuffle per letter, test from the first slice, then valid,
    then train, so the sets never share an image.  Returns ``(train_dataset,
    train_labels, valid_dataset, valid_labels, test_dataset, test_labels)``."""
    (test, valid, train), _ = _split_letters(
        pickle_files, (test_size, valid_size, train_size), ("test", "valid", "train"))
    return train + valid + test


def randomize(dataset, labels):
    """Shuffle a set with one ``np.random.permutation``, as the course did."""
    permutation = np.random.permutation(labels.shape[0])
    return dataset[permutation], labels[permutation]


def reformat(dataset, labels):
    """The later assignments' input form: flat float32 [N, 784] images and
    float32 one-hot [N, 10] labels."""
    dataset = dataset.reshape((-1, IMAGE_SIZE * IMAGE_SIZE)).astype(np.float32)
    labels = (np.arange(NUM_CLASSES) == labels[:, None]).astype(np.float32)
    return dataset, labels


# --- the course's notMNIST.pickle --------------------------------------------

def check_course_dict(data, path):
    """``data`` if it is the course's dict of six arrays, else DataError."""
    def bad(problem):
        return DataError.bad_file(path, f"not the course's notMNIST.pickle dict: {problem}")

    if not isinstance(data, dict):
        raise bad(f"it holds a {type(data).__name__}")
    missing = [key for key in KEYS if key not in data]
    if missing:
        raise bad(f"missing keys {', '.join(missing)}")
    for name in ("train", "valid", "test"):
        images, labels = data[name + "_dataset"], data[name + "_labels"]
        if not (isinstance(images, np.ndarray) and isinstance(labels, np.ndarray)):
            raise bad(f"{name}_dataset and {name}_labels must be numpy arrays")
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise bad(f"{name}_dataset has shape {images.shape}, expected [N, 28, 28]")
        if labels.shape != images.shape[:1] or not np.issubdtype(labels.dtype, np.integer):
            raise bad(f"{name}_labels has shape {labels.shape} and dtype {labels.dtype}, "
                      f"expected {images.shape[:1]} integers")
        # A flipped byte can leave a pickle that loads but holds integer
        # pixels or a label like 16777219, which one-hot encodes to all zeros.
        if not np.issubdtype(images.dtype, np.floating):
            raise bad(f"{name}_dataset has dtype {images.dtype}, expected float pixels")
        if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            raise bad(f"{name}_labels hold values {labels.min()}..{labels.max()}, "
                      f"expected 0..{NUM_CLASSES - 1}")
    return data


def load_pickle(path):
    """The course dict stored in ``path``; DataError naming the file if it is
    not one."""
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)
    except OSError as err:
        raise DataError.bad_file(path, f"cannot read: {err.strerror or err}") from err
    except Exception as err:  # unpickling garbage can raise almost anything
        raise DataError.bad_file(path, f"not a readable pickle: {err}") from err
    return check_course_dict(data, path)


def describe(data):
    """The course's shape report, one line per set."""
    return [f"{title}: {data[key + '_dataset'].shape} {data[key + '_labels'].shape}"
            for title, key in (("Training", "train"), ("Validation", "valid"),
                               ("Testing", "test"))]


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


def letter_folders(root):
    """The ten folders ``root/A`` .. ``root/J``; DataError if any is missing."""
    folders = [os.path.join(root, letter) for letter in LETTERS]
    missing = [letter for letter, f in zip(LETTERS, folders) if not os.path.isdir(f)]
    if missing:
        raise DataError.bad_file(
            root, f"expected {NUM_CLASSES} letter folders A..J, missing {', '.join(missing)}")
    return folders


def _extraction_dir(archive, cache_dir):
    # Keyed by the archive's identity: another archive of the same name
    # (a test's tiny one, a re-download) gets its own extracted copy.
    stat = os.stat(archive)
    return os.path.join(cache_dir, "extracted", _digest(
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


# --- the whole pipeline ------------------------------------------------------

def _digest(parts):
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def _root_fingerprint(root):
    """Identity of a letter root for cache keys: its real path and each
    letter folder's mtime, which changes when files are added or removed."""
    stats = [os.stat(folder) for folder in letter_folders(root)]
    return [os.path.realpath(root), [[s.st_ino, s.st_mtime_ns] for s in stats]]


def _resolve_sizes(kind, train_size, valid_size, test_size):
    defaults = COURSE_SIZES if kind == "course" else SMALL_SIZES
    sizes = tuple(default if size is None else size
                  for size, default in zip((train_size, valid_size, test_size), defaults))
    _check_sizes(sizes, ("train", "valid", "test"))
    return sizes


def _pickle_letters(root, cache_dir, need_per_class, progress, log):
    letters_dir = os.path.join(cache_dir, "letters", "%s-%s" % (
        os.path.basename(os.path.normpath(root)), _digest(_root_fingerprint(root))))
    return maybe_pickle(letter_folders(root), letters_dir, need_per_class,
                        log=log, progress=progress)


def _split_root(root, pickles, sizes, set_names):
    return _split_letters(pickles, sizes, set_names, letter_folders(root))


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
        (source.kind,) + tuple(sizes) + (seed, _digest(roots))))


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
