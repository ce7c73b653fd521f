"""Tests of compat.data.idx, the IDX reader: valid files of each layout and every
way a file can be bad, which must end in a one-line DataError naming it."""

import gzip
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from compat.util.errors import DataError
from compat.data.idx import read_idx, read_idx_images, read_idx_labels
from conftest import idx_bytes, tagged_images, write_idx
from test_fuzz_loaders import reference_idx


def _assert_one_line_data_error(excinfo, path):
    message = str(excinfo.value)
    assert "\n" not in message
    assert str(path) in message
    return message


@pytest.mark.parametrize("gz", [True, False])
def test_images_round_trip(tmp_path, gz):
    images = tagged_images(5, rows=3, cols=4)
    path = write_idx(tmp_path / "img.gz", images, gz=gz)
    result = read_idx_images(path)
    assert result.dtype == np.uint8
    assert result.shape == (5, 3, 4, 1)
    np.testing.assert_array_equal(result[..., 0], images)


@pytest.mark.parametrize("gz", [True, False])
def test_labels_round_trip(tmp_path, gz):
    labels = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.uint8)
    path = write_idx(tmp_path / "labels", labels, gz=gz)
    result = read_idx_labels(path)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, labels)


def test_read_idx_is_generic_over_rank(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a", array)), array)
    matrix = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "b", matrix)), matrix)


def test_gzip_detected_by_content_not_name(tmp_path):
    labels = np.array([7, 8, 9], dtype=np.uint8)
    gz_without_suffix = write_idx(tmp_path / "labels-plain-name", labels, gz=True)
    plain_with_suffix = write_idx(tmp_path / "labels.gz", labels, gz=False)
    np.testing.assert_array_equal(read_idx_labels(gz_without_suffix), labels)
    np.testing.assert_array_equal(read_idx_labels(plain_with_suffix), labels)


def test_reads_binary_file_objects(tmp_path):
    labels = np.array([0, 1, 2], dtype=np.uint8)
    path = write_idx(tmp_path / "labels.gz", labels)
    with open(path, "rb") as f:
        np.testing.assert_array_equal(read_idx_labels(f), labels)
    np.testing.assert_array_equal(read_idx(io.BytesIO(idx_bytes(labels))), labels)


def test_empty_dimension_is_valid(tmp_path):
    path = write_idx(tmp_path / "empty", np.zeros((0, 2, 2), dtype=np.uint8))
    assert read_idx_images(path).shape == (0, 2, 2, 1)


def test_wrong_type_byte(tmp_path):
    # 0x0D is IDX's float type: the magic 3331 (0x00000d03) must be refused.
    path = write_idx(tmp_path / "floats.gz", np.zeros((1, 2, 2)), magic=0x0D03)
    with pytest.raises(DataError) as excinfo:
        read_idx(path)
    message = _assert_one_line_data_error(excinfo, path)
    assert "3331" in message and "0x00000d03" in message


def test_nonzero_leading_bytes(tmp_path):
    path = write_idx(tmp_path / "x", np.zeros(3), magic=0x01000801)
    with pytest.raises(DataError, match="invalid magic number 16779265"):
        read_idx(path)


def test_zero_dimensions_refused(tmp_path):
    path = tmp_path / "zero"
    path.write_bytes(b"\x00\x00\x08\x00\x05")
    with pytest.raises(DataError, match="invalid magic"):
        read_idx(path)


def test_labels_file_read_as_images(tmp_path):
    path = write_idx(tmp_path / "labels.gz", np.zeros(4))
    with pytest.raises(DataError) as excinfo:
        read_idx_images(path)
    message = _assert_one_line_data_error(excinfo, path)
    assert "2049" in message and "2051" in message


@pytest.mark.parametrize("shape", [(4, 5), (2, 2, 2, 2)])
def test_wrong_number_of_dims_for_images(tmp_path, shape):
    path = write_idx(tmp_path / "img.gz", np.zeros(shape))
    with pytest.raises(DataError, match="expected 2051"):
        read_idx_images(path)


def test_wrong_number_of_dims_for_labels(tmp_path):
    path = write_idx(tmp_path / "labels.gz", np.zeros((2, 3)))
    with pytest.raises(DataError, match="expected 2049"):
        read_idx_labels(path)


def test_truncated_data(tmp_path):
    data = idx_bytes(np.zeros((2, 3, 3)))
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(data[:-5]))
    with pytest.raises(DataError) as excinfo:
        read_idx_images(path)
    message = _assert_one_line_data_error(excinfo, path)
    assert "truncated: header says 18 bytes, file has 13" in message


def test_truncated_header(tmp_path):
    path = tmp_path / "header"
    path.write_bytes(idx_bytes(np.zeros((2, 3, 3)))[:10])
    with pytest.raises(DataError, match="truncated"):
        read_idx(path)


@pytest.mark.parametrize("length", [0, 1, 3])
def test_tiny_files(tmp_path, length):
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00" * length)
    with pytest.raises(DataError, match="truncated"):
        read_idx(path)


def test_extra_data(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.zeros(4)) + b"\x00\x00")
    with pytest.raises(DataError) as excinfo:
        read_idx_labels(path)
    message = _assert_one_line_data_error(excinfo, path)
    assert "extra data" in message and "header says 4 bytes, file has 6" in message


def test_truncated_gzip(tmp_path):
    compressed = gzip.compress(idx_bytes(tagged_images(20)))
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(DataError) as excinfo:
        read_idx_images(path)
    message = _assert_one_line_data_error(excinfo, path)
    assert "not a valid gzip file / is truncated" in message


def test_corrupt_gzip(tmp_path):
    compressed = bytearray(gzip.compress(idx_bytes(tagged_images(3))))
    compressed[-8] ^= 0xFF  # the CRC no longer matches the data
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(DataError, match="not a valid gzip file"):
        read_idx_images(path)


def test_garbage_named_gz(tmp_path):
    path = tmp_path / "garbage.gz"
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DataError) as excinfo:
        read_idx_images(path)
    assert "invalid magic number" in _assert_one_line_data_error(excinfo, path)


def test_missing_file_is_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent")


def _read_or_data_error(data):
    """read_idx gives exactly the reading of ``data`` that reference_idx
    (written from the format's description, in test_fuzz_loaders) gives, or
    a one-line DataError where that says the file is bad."""
    expected = reference_idx(data)
    try:
        result = read_idx(io.BytesIO(data))
    except DataError as err:
        assert "\n" not in str(err)
        assert expected is None, "a valid file was refused: %s" % err
        return
    assert expected is not None, "a bad file was accepted as %r" % (result,)
    assert result.dtype == np.uint8 and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)


_FAST = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(st.binary(max_size=64))
def test_random_bytes_never_crash(data):
    _read_or_data_error(data)


@_FAST
@given(st.binary(max_size=64))
def test_random_bytes_after_gzip_magic_never_crash(data):
    _read_or_data_error(b"\x1f\x8b" + data)


_VALID = [
    idx_bytes(tagged_images(3, rows=4, cols=4)),
    idx_bytes(np.arange(10)),
]
_VALID += [gzip.compress(data) for data in _VALID]


@_FAST
@given(
    st.sampled_from(_VALID),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=4),
    st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_corrupted_valid_files_never_crash(valid, flips, cut):
    data = bytearray(valid)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    _read_or_data_error(bytes(data))
