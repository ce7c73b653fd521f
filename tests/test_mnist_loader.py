"""Tests of compat.data.mnist / compat.input_data: the split, pixel and label
formats, both historical next_batch behaviours, fake data and every loader
error.  Data sets are tiny IDX files written per test; one test checks the
real MNIST copy when the shared data directory is present."""

import os
import subprocess
import sys

import numpy as np
import pytest

from compat.data import input_data
from compat.data import mnist
from compat.data.download import md5_of
from compat.util.errors import DataError, DataUnavailableError
from conftest import REPO_ROOT, tagged_images, write_idx, write_mnist_dir

CLOSED_PORT_URL = "http://127.0.0.1:9/"


def _dataset(n=10, batching="tf1", seed=None):
    """A uint8 DataSet whose example i has first pixel i and label i % 10."""
    images = tagged_images(n, rows=2, cols=2)[..., None]
    labels = (np.arange(n) % 10).astype(np.uint8)
    return mnist.DataSet(images, labels, dtype=np.uint8, seed=seed, batching=batching)


def _ids(batch):
    return batch[0][:, 0].tolist()


# --- next_batch, TF 0.x --------------------------------------------------

def test_tf0_first_epoch_in_file_order_and_partial_batch_dropped():
    data = _dataset(batching="tf0")
    assert _ids(data.next_batch(4)) == [0, 1, 2, 3]
    assert _ids(data.next_batch(4)) == [4, 5, 6, 7]
    assert data.epochs_completed == 0
    np.random.seed(123)
    third = _ids(data.next_batch(4))
    assert data.epochs_completed == 1
    np.random.seed(123)
    permutation = np.arange(10)
    np.random.shuffle(permutation)
    assert third == permutation[:4].tolist()  # a full batch, leftovers 8, 9 dropped
    assert _ids(data.next_batch(4)) == permutation[4:8].tolist()


def test_tf0_labels_follow_images():
    data = _dataset(batching="tf0")
    for _ in range(7):
        images, labels = data.next_batch(3)
        np.testing.assert_array_equal(images[:, 0] % 10, labels)


def test_tf0_reshuffle_uses_numpy_global_rng():
    def third_epoch_batches():
        data = _dataset(batching="tf0", seed=5)  # tf0 ignores seed
        np.random.seed(7)
        return [_ids(data.next_batch(5)) for _ in range(6)]

    first = third_epoch_batches()
    assert first == third_epoch_batches()
    assert first[:2] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_tf0_shuffle_false_repeats_file_order():
    data = _dataset(batching="tf0")
    batches = [_ids(data.next_batch(4, shuffle=False)) for _ in range(4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7]]
    assert data.epochs_completed == 1


# --- next_batch, TF 1.x --------------------------------------------------

def test_tf1_first_batch_is_shuffled_with_global_rng():
    data = _dataset()
    np.random.seed(0)
    first = _ids(data.next_batch(4))
    np.random.seed(0)
    permutation = np.arange(10)
    np.random.shuffle(permutation)
    assert first == permutation[:4].tolist()


def test_tf1_partial_batch_joined_with_next_epoch():
    data = _dataset(seed=3)
    b1, b2 = _ids(data.next_batch(4)), _ids(data.next_batch(4))
    epoch0_order = data.images[:, 0].tolist()
    assert b1 + b2 == epoch0_order[:8]
    assert data.epochs_completed == 0
    b3 = _ids(data.next_batch(4))
    assert data.epochs_completed == 1
    assert b3[:2] == epoch0_order[8:]
    epoch1_order = data.images[:, 0].tolist()
    assert b3[2:] == epoch1_order[:2]
    assert sorted(b1 + b2 + b3[:2]) == list(range(10))  # epoch 0 exactly once
    b4 = _ids(data.next_batch(4))
    assert b4 == epoch1_order[2:6]


def test_tf1_exact_epoch_end_increments_on_next_call():
    data = _dataset(seed=1)
    data.next_batch(5)
    data.next_batch(5)
    assert data.epochs_completed == 0
    data.next_batch(5)
    assert data.epochs_completed == 1


def test_tf1_same_seed_same_batches():
    def batches(seed):
        data = _dataset(seed=seed)
        return [_ids(data.next_batch(3)) for _ in range(8)]

    assert batches(42) == batches(42)
    assert batches(42) != batches(43)


def test_tf1_seed_seeds_numpy_global_rng():
    _dataset(seed=9)
    after_dataset = np.random.rand()
    np.random.seed(9)
    assert after_dataset == np.random.rand()


def test_tf1_shuffle_false_file_order_with_wraparound():
    data = _dataset()
    batches = [_ids(data.next_batch(4, shuffle=False)) for _ in range(3)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    labels = data.next_batch(4, shuffle=False)[1]
    np.testing.assert_array_equal(labels, [2, 3, 4, 5])


@pytest.mark.parametrize("batching", ["tf0", "tf1"])
@pytest.mark.parametrize("batch_size", [0, -1, 11])
def test_bad_batch_size(batching, batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        _dataset(batching=batching).next_batch(batch_size)


def test_full_data_set_batch_is_allowed():
    assert len(_ids(_dataset(batching="tf0").next_batch(10))) == 10


def test_unknown_batching():
    with pytest.raises(ValueError, match="'tf0', 'tf1'"):
        _dataset(batching="tf2")
    with pytest.raises(ValueError, match="'tf0', 'tf1'"):
        mnist.read_data_sets(None, fake_data=True, batching="keras")


# --- DataSet formats -----------------------------------------------------

def test_float32_scaling_matches_tensorflow_formula():
    images = tagged_images(6)[..., None]
    data = mnist.DataSet(images, np.zeros(6, np.uint8))
    expected = np.multiply(images.reshape(6, 784).astype(np.float32), 1.0 / 255.0)
    assert data.images.dtype == np.float32
    assert data.images.tobytes() == expected.tobytes()
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0


def test_uint8_and_no_reshape():
    images = tagged_images(3)[..., None]
    data = mnist.DataSet(images, np.zeros(3, np.uint8), dtype="uint8", reshape=False)
    assert data.images.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(data.images, images)


def test_dataset_shape_mismatch():
    with pytest.raises(ValueError, match="labels.shape"):
        mnist.DataSet(tagged_images(3)[..., None], np.zeros(2, np.uint8))


class _FakeTfDType:
    def __init__(self, numpy_dtype):
        self.as_numpy_dtype = numpy_dtype


@pytest.mark.parametrize("dtype", [np.float64, "float16", np.int32, _FakeTfDType(np.float64)])
def test_bad_dtype_is_type_error(tmp_path, dtype):
    with pytest.raises(TypeError, match="expected uint8 or float32"):
        mnist.read_data_sets(tmp_path, dtype=dtype)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("dtype", [_FakeTfDType(np.uint8), "uint8", np.dtype(np.uint8)])
def test_tf_like_and_string_dtypes(tmp_path, dtype):
    train_images, *_ = write_mnist_dir(tmp_path)
    data = mnist.read_data_sets(tmp_path, dtype=dtype, validation_size=2)
    assert data.train.images.dtype == np.uint8
    np.testing.assert_array_equal(data.train.images, train_images[2:].reshape(10, 784))


def test_dense_to_one_hot():
    one_hot = mnist.dense_to_one_hot(np.array([2, 0, 9], np.uint8), 10)
    assert one_hot.dtype == np.float64 and one_hot.shape == (3, 10)
    np.testing.assert_array_equal(one_hot.argmax(axis=1), [2, 0, 9])
    assert one_hot.sum() == 3
    with pytest.raises(ValueError):
        mnist.dense_to_one_hot([10], 10)


def test_extract_functions_take_paths_and_file_objects(tmp_path):
    _, train_labels, test_images, _ = write_mnist_dir(tmp_path)
    with open(tmp_path / mnist.TEST_IMAGES, "rb") as f:
        images = input_data.extract_images(f)
    assert images.shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(images[..., 0], test_images)
    labels = input_data.extract_labels(str(tmp_path / mnist.TRAIN_LABELS), one_hot=True)
    np.testing.assert_array_equal(labels.argmax(axis=1), train_labels)


def test_extract_labels_one_hot_out_of_range(tmp_path):
    path = write_idx(tmp_path / "labels.gz", np.array([1, 5]))
    with pytest.raises(DataError, match="label value 5"):
        mnist.extract_labels(path, one_hot=True, num_classes=3)


# --- read_data_sets ------------------------------------------------------

def test_read_data_sets_split_and_contents(tmp_path):
    train_images, train_labels, test_images, test_labels = write_mnist_dir(tmp_path)
    data = input_data.read_data_sets(str(tmp_path), validation_size=3)
    assert isinstance(data, mnist.Datasets)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (9, 3, 4)
    scaled = np.multiply(train_images.reshape(12, 784).astype(np.float32), 1.0 / 255.0)
    np.testing.assert_array_equal(data.validation.images, scaled[:3])
    np.testing.assert_array_equal(data.train.images, scaled[3:])
    np.testing.assert_array_equal(data.validation.labels, train_labels[:3])
    np.testing.assert_array_equal(data.train.labels, train_labels[3:])
    assert data.train.labels.dtype == np.uint8
    np.testing.assert_array_equal(data.test.labels, test_labels)
    np.testing.assert_array_equal(
        data.test.images[:, 0], np.multiply(test_images[:, 0, 0].astype(np.float32), 1.0 / 255.0))


def test_read_data_sets_one_hot_no_reshape(tmp_path):
    _, train_labels, _, test_labels = write_mnist_dir(tmp_path)
    data = mnist.read_data_sets(tmp_path, one_hot=True, reshape=False, validation_size=0)
    assert data.train.images.shape == (12, 28, 28, 1)
    assert data.train.labels.dtype == np.float64 and data.train.labels.shape == (12, 10)
    np.testing.assert_array_equal(data.train.labels.argmax(axis=1), train_labels)
    np.testing.assert_array_equal(data.test.labels.argmax(axis=1), test_labels)
    assert data.validation.num_examples == 0


def test_read_data_sets_accepts_gunzipped_files(tmp_path):
    train_images, *_ = write_mnist_dir(tmp_path, gz=False)
    data = mnist.read_data_sets(tmp_path, dtype=np.uint8, reshape=False, validation_size=12)
    np.testing.assert_array_equal(data.validation.images[..., 0], train_images)


@pytest.mark.parametrize("validation_size", [-1, 13])
def test_validation_size_out_of_range(tmp_path, validation_size):
    write_mnist_dir(tmp_path)
    with pytest.raises(ValueError, match="between 0 and 12"):
        mnist.read_data_sets(tmp_path, validation_size=validation_size)


def test_read_data_sets_seed_reproducible(tmp_path):
    write_mnist_dir(tmp_path)

    def first_batches(seed):
        data = mnist.read_data_sets(tmp_path, dtype=np.uint8, validation_size=2, seed=seed)
        return [data.train.next_batch(3)[1].tolist() for _ in range(5)]

    # Equal twice with one seed, and the seed matters: a loader that ignored
    # it (or never shuffled) would pass the first check alone.
    assert first_batches(11) == first_batches(11)
    assert first_batches(11) != first_batches(12)


def test_fake_data(tmp_path):
    data = input_data.read_data_sets(tmp_path / "never-created", fake_data=True, one_hot=True)
    assert not (tmp_path / "never-created").exists()
    for split in data:
        assert split.num_examples == 10000
    images, labels = data.train.next_batch(5, fake_data=True)
    assert len(images) == 5 and all(image == [1] * 784 for image in images)
    assert labels == [[1] + [0] * 9] * 5
    _, dense = mnist.read_data_sets(None, fake_data=True).test.next_batch(3, True)
    assert dense == [0, 0, 0]


def test_load_mnist_reads_given_directory(tmp_path):
    write_mnist_dir(tmp_path, n_train=5002)
    data = input_data.load_mnist(str(tmp_path))
    assert (data.train.num_examples, data.validation.num_examples) == (2, 5000)


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(ValueError, match="fashion_mnist"):
        mnist.read_data_sets(tmp_path, dataset="cifar10")


def test_loader_does_not_import_tensorflow():
    code = ("import sys, compat.input_data, compat.data.idx, compat.data.download; "
            "sys.exit('tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0


def test_input_data_reexports_one_definition():
    for name in ("DataSet", "extract_images", "extract_labels",
                 "dense_to_one_hot", "maybe_download", "load_mnist"):
        assert getattr(input_data, name) is getattr(mnist, name)


def test_input_data_honours_the_environment(tmp_path, monkeypatch):
    # read_data_sets is the one wrapper: it lets a person running an old
    # program point it at local data, and choose the batching.
    real = tmp_path / "real"
    write_mnist_dir(real, n_train=12)
    monkeypatch.setenv(input_data.DATA_DIR_ENV, str(real))
    monkeypatch.setenv(input_data.BATCHING_ENV, "tf0")
    data = input_data.read_data_sets("/nonexistent/asked", validation_size=2)
    assert data.train.num_examples == 10
    first, _ = data.train.next_batch(3)
    np.testing.assert_allclose(first[:, 0] * 255, [2, 3, 4], rtol=1e-6)  # tf0: file order
    monkeypatch.setenv(input_data.DATA_DIR_ENV, str(tmp_path / "empty"))
    with pytest.raises(DataUnavailableError, match="the program asked for /nonexistent/asked"):
        input_data.read_data_sets("/nonexistent/asked", source_url=CLOSED_PORT_URL)


# --- loader errors -------------------------------------------------------

def test_missing_files_download_fails(tmp_path):
    write_mnist_dir(tmp_path)
    os.remove(tmp_path / mnist.TRAIN_LABELS)
    os.remove(tmp_path / mnist.TEST_IMAGES)
    with pytest.raises(DataUnavailableError) as excinfo:
        mnist.read_data_sets(tmp_path, source_url=CLOSED_PORT_URL,
                             flag_hint="--mnist_dir")
    message = str(excinfo.value)
    assert "\n" not in message
    assert str(tmp_path) in message
    assert mnist.TRAIN_LABELS in message and mnist.TEST_IMAGES in message
    assert mnist.TRAIN_IMAGES not in message
    assert CLOSED_PORT_URL + mnist.TRAIN_LABELS in message
    assert "pass --mnist_dir=DIR pointing at a directory that holds them" in message
    assert excinfo.value.missing == [mnist.TRAIN_LABELS, mnist.TEST_IMAGES]
    assert sorted(os.listdir(tmp_path)) == sorted([mnist.TRAIN_IMAGES, mnist.TEST_LABELS])


def test_missing_directory_download_fails_lists_all(tmp_path):
    with pytest.raises(DataUnavailableError) as excinfo:
        mnist.read_data_sets(tmp_path / "data", source_url=CLOSED_PORT_URL)
    message = str(excinfo.value)
    assert all(name in message for name in mnist.FILE_NAMES)
    assert "--data_dir=DIR" in message
    assert isinstance(excinfo.value, DataError) and isinstance(excinfo.value, ValueError)


def _mnist_dir_with(tmp_path, name, array, **kwargs):
    write_mnist_dir(tmp_path)
    return write_idx(tmp_path / name, array, **kwargs)


def test_loader_wrong_magic(tmp_path):
    path = _mnist_dir_with(tmp_path, mnist.TRAIN_IMAGES, np.zeros((2, 28, 28)), magic=0x0D03)
    with pytest.raises(DataError, match="invalid magic") as excinfo:
        mnist.read_data_sets(tmp_path)
    assert str(path) in str(excinfo.value)


def test_loader_labels_where_images_expected(tmp_path):
    path = _mnist_dir_with(tmp_path, mnist.TEST_IMAGES, np.zeros(4))
    with pytest.raises(DataError, match="2049") as excinfo:
        mnist.read_data_sets(tmp_path)
    assert str(path) in str(excinfo.value)


def test_loader_truncated_file(tmp_path):
    write_mnist_dir(tmp_path)
    path = tmp_path / mnist.TEST_LABELS
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="gzip") as excinfo:
        mnist.read_data_sets(tmp_path)
    assert str(path) in str(excinfo.value)


def test_loader_count_mismatch(tmp_path):
    _mnist_dir_with(tmp_path, mnist.TRAIN_LABELS, np.zeros(11))
    with pytest.raises(DataError) as excinfo:
        mnist.read_data_sets(tmp_path)
    message = str(excinfo.value)
    assert "12 images" in message and "11 labels" in message
    assert mnist.TRAIN_IMAGES in message and mnist.TRAIN_LABELS in message


def test_loader_label_out_of_range(tmp_path):
    labels = np.zeros(4, np.uint8)
    labels[2] = 10
    path = _mnist_dir_with(tmp_path, mnist.TEST_LABELS, labels)
    with pytest.raises(DataError, match="label value 10 at index 2") as excinfo:
        mnist.read_data_sets(tmp_path)
    assert str(path) in str(excinfo.value)


# --- real data (only where the shared copies exist) ----------------------

@pytest.mark.real_data
def test_real_mnist_files(shared_data):
    REAL_MNIST = shared_data / "mnist"
    for name, md5 in mnist.DATASETS["mnist"].files.items():
        assert md5_of(REAL_MNIST / name) == md5, name
    data = mnist.read_data_sets(str(REAL_MNIST), one_hot=True)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (55000, 5000, 10000)
    assert data.train.labels.shape == (55000, 10)
    assert data.test.labels.shape == (10000, 10)
    assert data.train.images.shape == (55000, 784)
    assert 0.0 <= data.train.images.min() and data.train.images.max() <= 1.0


@pytest.mark.real_data
def test_debian_fashion_mnist_default_dir(fashion_dir):
    assert str(fashion_dir) == mnist.DATASETS["fashion_mnist"].default_dir
    data = mnist.read_data_sets(None, dataset="fashion_mnist", dtype=np.uint8,
                                source_url=CLOSED_PORT_URL)
    assert (data.train.num_examples, data.test.num_examples) == (55000, 10000)
    assert data.test.labels[:4].tolist() == [9, 2, 1, 1]
