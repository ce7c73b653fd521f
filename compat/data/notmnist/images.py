"""notMNIST's images, as assignment 1 of Udacity's Deep Learning course read
them: one 28x28 grey PNG decoded and normalized to the course's float32
``(pixel - 255/2) / 255``, a letter folder A..J as one [N, 28, 28] array
(``load_letter``), and each folder pickled once (``maybe_pickle``).

A deliberate departure from the course, for reproducibility: the files of a
letter folder are read in sorted order (the course used ``os.listdir``
order, so its shuffles depended on the file system).
"""

import io
import os
import pickle
import sys
import time

import numpy as np
from PIL import Image
from tqdm import tqdm

from compat.util import atomic
from compat.util.errors import DataError

__all__ = ["IMAGE_SIZE", "LETTERS", "NUM_CLASSES", "PIXEL_DEPTH", "UnreadableImage",
           "letter_folders", "load_letter", "maybe_pickle", "normalize", "read_png",
           "save_pickle"]

LETTERS = tuple("ABCDEFGHIJ")
NUM_CLASSES = len(LETTERS)
IMAGE_SIZE = 28
PIXEL_DEPTH = 255.0

# The course's normalization, evaluated in float64 and stored as float32
# exactly as its ``(image.astype(float) - 255/2) / 255`` did; looking pixels up
# in this table gives the same bits without a float64 copy of each letter.
_NORMALIZED = ((np.arange(256, dtype=np.float64) - PIXEL_DEPTH / 2)
               / PIXEL_DEPTH).astype(np.float32)


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

def letter_folders(root):
    """The ten folders ``root/A`` .. ``root/J``; DataError if any is missing."""
    folders = [os.path.join(root, letter) for letter in LETTERS]
    missing = [letter for letter, f in zip(LETTERS, folders) if not os.path.isdir(f)]
    if missing:
        raise DataError.bad_file(
            root, f"expected {NUM_CLASSES} letter folders A..J, missing {', '.join(missing)}")
    return folders


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


# --- the letter pickles ------------------------------------------------------

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
