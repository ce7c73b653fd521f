"""notMNIST's sets as Udacity's Deep Learning course made them from the letter
pickles, and the file it saved them in.

The course drew train/valid sets from the large letter folders and the test
set from the small ones, shuffling each letter with numpy's global RNG and
slicing it (``merge_datasets``), shuffled each set once more
(``randomize``), and saved the dict that its later programs ``pickle.load``
(``notMNIST.pickle``: the six ``KEYS``); the later assignments
``reformat`` the sets to flat images and one-hot labels.  ``split_letters``
makes all three sets from one set of letters when only notMNIST_small is at
hand.

Deliberate departures from the course, for reproducibility: a size that is
not a multiple of the number of classes gives ``size // 10`` rows per class
and no uninitialised tail rows; an empty validation set is an empty array,
not None.

Pickles are trusted input, as in the course: do not load one from a source
you would not run code from.
"""

import pickle

import numpy as np

from compat.data.notmnist.images import IMAGE_SIZE, NUM_CLASSES
from compat.util.errors import ConfigError, DataError

__all__ = ["KEYS", "check_course_dict", "describe", "load_pickle", "merge_datasets",
           "randomize", "reformat", "split_letters"]

KEYS = ("train_dataset", "train_labels", "valid_dataset", "valid_labels",
        "test_dataset", "test_labels")


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


def check_sizes(sizes, set_names):
    """ConfigError unless each size is a non-negative integer."""
    for size, name in zip(sizes, set_names):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise ConfigError(f"{name}_size must be a non-negative integer, got {size!r}")


def slice_letters(pickle_files, sizes, set_names, sources=None):
    """For each letter (label = its position): one ``np.random.shuffle``, then
    consecutive slices of ``size // classes`` rows for each size in order.
    Returns [(dataset, labels) per size] and the number of images read.
    ``sources`` name the letters in errors (default: the pickle files)."""
    check_sizes(sizes, set_names)
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
    (valid, train), _ = slice_letters(pickle_files, (valid_size, train_size),
                                      ("valid", "train"))
    return valid + train


def split_letters(pickle_files, train_size, valid_size, test_size):
    """Train, valid and test sets from one set of letters (notMNIST_small
    alone): one shuffle per letter, test from the first slice, then valid,
    then train, so the sets never share an image.  Returns ``(train_dataset,
    train_labels, valid_dataset, valid_labels, test_dataset, test_labels)``."""
    (test, valid, train), _ = slice_letters(
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
