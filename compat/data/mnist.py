"""MNIST and Fashion-MNIST loader, a drop-in for the removed
``tensorflow.examples.tutorials.mnist.input_data``.

It reproduces what legacy programs observed: the ``Datasets(train,
validation, test)`` split, the exact float32 pixel scaling, one-hot float64
labels, and ``DataSet.next_batch`` in both historical flavours:

* ``batching='tf0'`` (TensorFlow 0.x, the 2016 tutorials): the first epoch is
  served in file order and the partial batch at an epoch's end is dropped.
* ``batching='tf1'`` (TensorFlow 1.2 and later): the first epoch is shuffled
  and the partial batch is joined with the start of the next epoch.

Shuffling deliberately uses numpy's global RNG, as TensorFlow did: legacy
programs make their runs reproducible by calling ``numpy.random.seed``.

Missing files are downloaded (md5-checked); on a machine without network the
error says which files are missing and which flag points at a copy.  Files
already present are checked by the IDX reader, not by md5, because
re-packaged copies (Debian's Fashion-MNIST, see ``DATASETS``) hold the same
data in differently compressed ``.gz`` files.
"""

import collections
import operator
import os
import typing
from types import MappingProxyType

import numpy as np

from compat.data import download
from compat.data import idx
from compat.util.errors import ConfigError, DataError, DataUnavailableError

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

NUM_CLASSES = 10
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
BATCHING_MODES = ("tf0", "tf1")
FAKE_NUM_EXAMPLES = 10000
_FAKE_IMAGE_SIZE = 784


class DatasetSpec(typing.NamedTuple):
    """Where a data set lives.  ``files`` maps each of the four file names to
    the md5 of the file as downloaded (None: not checked)."""

    name: str
    files: typing.Mapping[str, typing.Optional[str]]
    source_url: str
    default_dir: str


DATASETS = {
    "mnist": DatasetSpec(
        name="mnist",
        files=MappingProxyType({
            TRAIN_IMAGES: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            TRAIN_LABELS: "d53e105ee54ea40749a09fcbcd1e9432",
            TEST_IMAGES: "9fb629c4189551a2d022fa330f9573f3",
            TEST_LABELS: "ec29112dd5afa0611ce80d1b7f02629c",
        }),
        source_url=DEFAULT_SOURCE_URL,
        # The directory the 2016 tutorials used.
        default_dir="/tmp/data/",
    ),
    # The md5s are those of upstream's README, i.e. of the files Keras'
    # mirror serves.  Debian's dataset-fashion-mnist package installs the
    # same four names in default_dir, gzip-compressed, but recompressed: the
    # .gz md5s differ while the decompressed contents match upstream's.
    "fashion_mnist": DatasetSpec(
        name="fashion_mnist",
        files=MappingProxyType({
            TRAIN_IMAGES: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            TRAIN_LABELS: "25c81989df183df01b3e8a0aad5dffbe",
            TEST_IMAGES: "bef4ecab320f06d8554ea6380940ec79",
            TEST_LABELS: "bb300cfdad3c16e7a12a480ee83cd310",
        }),
        source_url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        default_dir="/usr/share/datasets/fashion-mnist",
    ),
}

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _image_dtype(dtype):
    """numpy dtype for images: uint8 or float32, given as a numpy dtype, a
    string or a TensorFlow DType (duck-typed so TF need not be imported)."""
    candidate = getattr(dtype, "as_numpy_dtype", dtype)
    try:
        resolved = np.dtype(candidate)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
    return resolved


def _check_batching(batching):
    if batching not in BATCHING_MODES:
        raise ConfigError(
            f"unknown batching {batching!r}; choices are {', '.join(map(repr, BATCHING_MODES))}"
        )
    return batching


def _resolve_spec(dataset):
    if isinstance(dataset, DatasetSpec):
        absent = [name for name in FILE_NAMES if name not in dataset.files]
        if absent:
            raise ValueError(f"DatasetSpec {dataset.name!r} lacks files {absent}")
        return dataset
    try:
        return DATASETS[dataset]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown dataset {dataset!r}; choices are {sorted(DATASETS)} or a DatasetSpec"
        ) from None


def dense_to_one_hot(labels_dense, num_classes):
    """Class indices -> one-hot rows, float64 as TensorFlow's helper gave."""
    labels = np.asarray(labels_dense).ravel()
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}")
    one_hot = np.zeros((labels.shape[0], num_classes))
    one_hot[np.arange(labels.shape[0]), labels] = 1
    return one_hot


def _check_label_range(labels, num_classes, name):
    if labels.size and labels.max() >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise DataError.bad_file(
            name,
            f"label value {labels[bad]} at index {bad} is not below the number "
            f"of classes ({num_classes})",
        )


def extract_images(f):
    """Images of an IDX file (path or binary file object) as [N, rows, cols, 1] uint8."""
    return idx.read_idx_images(f)


def extract_labels(f, one_hot=False, num_classes=10):
    """Labels of an IDX file (path or file object): [N] uint8, or [N,
    num_classes] float64 when ``one_hot``."""
    labels = idx.read_idx_labels(f)
    if not one_hot:
        return labels
    _check_label_range(labels, num_classes, idx.source_name(f))
    return dense_to_one_hot(labels, num_classes)


def maybe_download(filename, work_directory, source_url=None, *, md5=None):
    """Path of ``filename`` in ``work_directory``, downloading it from
    ``source_url`` (the file's full URL; default: the MNIST mirror) if absent."""
    work_directory = os.fspath(work_directory)
    filepath = os.path.join(work_directory, filename)
    if os.path.exists(filepath):
        return filepath
    if source_url is None:
        source_url = DEFAULT_SOURCE_URL + filename
        md5 = md5 or DATASETS["mnist"].files.get(filename)
    os.makedirs(work_directory, exist_ok=True)
    return download.fetch(source_url, filepath, md5=md5)


class DataSet:
    """One split of images and labels with TensorFlow's ``next_batch``."""

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=np.float32, reshape=True, seed=None, *, batching="tf1"):
        image_dtype = _image_dtype(dtype)
        self._batching = _check_batching(batching)
        # TF 1.x seeded numpy's global RNG here; TF 0.x did not.
        if batching == "tf1" and seed is not None:
            np.random.seed(seed)
        self._fake_data = bool(fake_data)
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = FAKE_NUM_EXAMPLES
        else:
            images = np.asarray(images)
            labels = np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                images = self._flatten(images)
            if image_dtype == np.float32:
                # TensorFlow's exact formula, so pixels match the old runs bit for bit.
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0
        # Which original example each row now holds: the shuffles' net
        # permutation, so a checkpoint can save the order in 4 bytes an example.
        self._order = np.arange(self._num_examples)

    @staticmethod
    def _flatten(images):
        if images.ndim == 2:
            return images
        if images.ndim != 4 or images.shape[3] != 1:
            raise ValueError(
                f"reshape=True needs images of shape [N, rows, cols, 1], got {images.shape}"
            )
        return images.reshape(images.shape[0], images.shape[1] * images.shape[2])

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def _check_batch_size(self, batch_size, limit):
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError(f"batch_size must be an integer, got {batch_size!r}") from None
        if batch_size <= 0:
            raise ConfigError(f"batch_size must be positive, got {batch_size}")
        if limit is not None and batch_size > limit:
            raise ConfigError(
                f"batch_size {batch_size} is larger than the data set ({limit} examples)"
            )
        return batch_size

    def _shuffle(self):
        perm = np.arange(self._num_examples)
        np.random.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]
        self._order = self._order[perm]

    def state(self):
        """Where ``next_batch`` stands: enough to continue the same sequence
        of batches after ``restore_state`` on a freshly loaded copy."""
        return {"index_in_epoch": self._index_in_epoch,
                "epochs_completed": self._epochs_completed,
                "order": self._order.copy()}

    def restore_state(self, state):
        order = np.asarray(state["order"])
        if order.shape != (self._num_examples,):
            raise ConfigError("the saved data order has %d examples but the data set has %d: "
                              "resume with the same data and --validation_size"
                              % (order.size, self._num_examples))
        # Back to the original order, then into the saved one.
        to_saved = np.argsort(self._order)[order]
        self._images = self._images[to_saved]
        self._labels = self._labels[to_saved]
        self._order = order.copy()
        self._index_in_epoch = int(state["index_in_epoch"])
        self._epochs_completed = int(state["epochs_completed"])

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next ``(images, labels)`` batch of ``batch_size`` examples."""
        if fake_data or self._fake_data:
            return self._fake_batch(self._check_batch_size(batch_size, None))
        batch_size = self._check_batch_size(batch_size, self._num_examples)
        if self._batching == "tf0":
            return self._next_batch_tf0(batch_size, shuffle)
        return self._next_batch_tf1(batch_size, shuffle)

    def _fake_batch(self, batch_size):
        # Python lists, as the tutorials' fake path returned.
        fake_image = [1] * _FAKE_IMAGE_SIZE
        fake_label = [1] + [0] * (NUM_CLASSES - 1) if self.one_hot else 0
        return ([fake_image for _ in range(batch_size)],
                [fake_label for _ in range(batch_size)])

    def _next_batch_tf0(self, batch_size, shuffle):
        start = self._index_in_epoch
        self._index_in_epoch += batch_size
        if self._index_in_epoch > self._num_examples:
            # The examples left over at the epoch's end are never served.
            self._epochs_completed += 1
            if shuffle:
                self._shuffle()
            start = 0
            self._index_in_epoch = batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]

    def _next_batch_tf1(self, batch_size, shuffle):
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            end = self._index_in_epoch
            return self._images[start:end], self._labels[start:end]
        # Epoch boundary: the leftovers plus the head of the next epoch.
        self._epochs_completed += 1
        rest_images = self._images[start:]
        rest_labels = self._labels[start:]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - rest_images.shape[0]
        end = self._index_in_epoch
        return (np.concatenate((rest_images, self._images[:end]), axis=0),
                np.concatenate((rest_labels, self._labels[:end]), axis=0))


def _locate(directory, name):
    # Accept gunzipped copies too; idx detects compression by content.
    for candidate in (name, name[:-3] if name.endswith(".gz") else None):
        if candidate:
            path = os.path.join(directory, candidate)
            if os.path.isfile(path):
                return path
    return None


def _ensure_files(spec, train_dir, source_url, flag_hint):
    """Map each file name to a local path, downloading the missing ones."""
    paths = {}
    missing = []
    for name in FILE_NAMES:
        found = _locate(train_dir, name)
        if found:
            paths[name] = found
        else:
            missing.append(name)
    if missing and os.path.exists(train_dir) and not os.path.isdir(train_dir):
        # Not "downloading failed: File exists" from makedirs below.
        raise DataError(f"{train_dir} is a file, not a directory holding the data files "
                        f"{', '.join(FILE_NAMES)}; pass {flag_hint}=DIR", path=train_dir)
    base_url = source_url if source_url.endswith("/") else source_url + "/"
    for position, name in enumerate(missing):
        url = base_url + name
        try:
            # Only now: a run that finds its data must not create directories.
            os.makedirs(train_dir, exist_ok=True)
            paths[name] = download.fetch(url, os.path.join(train_dir, name),
                                         md5=spec.files[name])
        except OSError as err:
            raise DataUnavailableError.missing_files(
                train_dir, missing[position:], url, err, flag_hint
            ) from err
    return paths


def _read_split(images_path, labels_path):
    images = idx.read_idx_images(images_path)
    labels = idx.read_idx_labels(labels_path)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path} has {images.shape[0]} images but {labels_path} "
            f"has {labels.shape[0]} labels",
            path=images_path,
        )
    _check_label_range(labels, NUM_CLASSES, labels_path)
    return images, labels


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32,
                   reshape=True, validation_size=5000, seed=None, source_url=None,
                   *, batching="tf1", dataset="mnist", flag_hint="--data_dir"):
    """Load ``Datasets(train, validation, test)`` from ``train_dir``.

    ``train_dir=None`` means the data set's default directory.  ``dataset``
    is a name in ``DATASETS`` or a ``DatasetSpec``.  ``flag_hint`` is the
    option named in the error when the data is missing and cannot be
    downloaded.  The validation set is the first ``validation_size``
    training examples.
    """
    image_dtype = _image_dtype(dtype)
    _check_batching(batching)
    spec = _resolve_spec(dataset)
    options = dict(dtype=image_dtype, reshape=reshape, seed=seed, batching=batching)

    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, **options)
        return Datasets(train=fake(), validation=fake(), test=fake())

    train_dir = spec.default_dir if train_dir is None else os.fspath(train_dir)
    source_url = spec.source_url if source_url is None else source_url
    paths = _ensure_files(spec, train_dir, source_url, flag_hint)

    train_images, train_labels = _read_split(paths[TRAIN_IMAGES], paths[TRAIN_LABELS])
    test_images, test_labels = _read_split(paths[TEST_IMAGES], paths[TEST_LABELS])

    if not 0 <= validation_size <= len(train_images):
        raise ConfigError(
            f"Validation size should be between 0 and {len(train_images)}. "
            f"Received: {validation_size}."
        )
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, NUM_CLASSES)
        test_labels = dense_to_one_hot(test_labels, NUM_CLASSES)

    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **options)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir="MNIST-data"):
    """TensorFlow 1.x shorthand: ``read_data_sets(train_dir)``."""
    return read_data_sets(train_dir)
