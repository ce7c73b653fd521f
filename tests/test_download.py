"""Tests of compat.data.download and of read_data_sets downloading missing files,
against a throw-away HTTP server on 127.0.0.1."""

import gzip
import hashlib

import numpy as np
import pytest

from compat.data import mnist
from compat.data.download import fetch, md5_of
from compat.util.errors import DataError
from conftest import write_mnist_dir


def _md5(data):
    return hashlib.md5(data).hexdigest()


def test_md5_of_reads_in_chunks(tmp_path):
    data = bytes(range(256)) * 1000
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert md5_of(path, chunk_size=1000) == _md5(data)
    assert md5_of(path) == _md5(data)


def test_fetch_with_md5(http_dir, tmp_path):
    served, url = http_dir
    data = b"payload" * 1000
    (served / "f.bin").write_bytes(data)
    dest = tmp_path / "f.bin"
    assert fetch(url + "f.bin", str(dest), md5=_md5(data).upper()) == str(dest)
    assert dest.read_bytes() == data
    assert not list(tmp_path.glob("*.part"))


def test_fetch_md5_mismatch_leaves_nothing(http_dir, tmp_path):
    served, url = http_dir
    (served / "f.bin").write_bytes(b"tampered")
    dest = tmp_path / "f.bin"
    with pytest.raises(DataError) as excinfo:
        fetch(url + "f.bin", dest, md5="0" * 32)
    message = str(excinfo.value)
    assert str(dest) in message and "0" * 32 in message and _md5(b"tampered") in message
    assert list(tmp_path.iterdir()) == [tmp_path / "served"]


def test_fetch_http_404_is_os_error(http_dir, tmp_path):
    _, url = http_dir
    with pytest.raises(OSError):
        fetch(url + "absent", tmp_path / "absent")
    assert not list(tmp_path.glob("absent*"))


def test_fetch_closed_port_is_os_error(tmp_path):
    with pytest.raises(OSError):
        fetch("http://127.0.0.1:9/x", tmp_path / "x", timeout=5)
    assert not list(tmp_path.glob("x*"))


def test_read_data_sets_downloads_into_fresh_dir(http_dir, tmp_path):
    served, url = http_dir
    train_images, train_labels, _, _ = write_mnist_dir(served)
    files = {name: md5_of(served / name) for name in mnist.FILE_NAMES}
    spec = mnist.DatasetSpec("tiny", files, url, str(tmp_path / "unused"))
    target = tmp_path / "fresh" / "data"
    data = mnist.read_data_sets(target, dataset=spec, validation_size=2,
                                dtype=np.uint8, reshape=False)
    assert sorted(p.name for p in target.iterdir()) == sorted(mnist.FILE_NAMES)
    np.testing.assert_array_equal(data.train.images[..., 0], train_images[2:])
    np.testing.assert_array_equal(data.validation.labels, train_labels[:2])


def test_read_data_sets_md5_mismatch_keeps_good_files(http_dir, tmp_path):
    served, url = http_dir
    write_mnist_dir(served)
    files = {name: md5_of(served / name) for name in mnist.FILE_NAMES}
    files[mnist.TEST_LABELS] = "f" * 32
    spec = mnist.DatasetSpec("tiny", files, url.rstrip("/"), str(tmp_path))
    target = tmp_path / "data"
    with pytest.raises(DataError) as excinfo:
        mnist.read_data_sets(target, dataset=spec)
    message = str(excinfo.value)
    assert str(target / mnist.TEST_LABELS) in message and "f" * 32 in message
    assert sorted(p.name for p in target.iterdir()) == sorted(mnist.FILE_NAMES[:3])


def test_read_data_sets_default_dir_from_spec(http_dir, tmp_path):
    served, url = http_dir
    write_mnist_dir(served)
    spec = mnist.DatasetSpec("tiny", dict.fromkeys(mnist.FILE_NAMES), url,
                             str(tmp_path / "default"))
    data = mnist.read_data_sets(None, dataset=spec, validation_size=0)
    assert data.train.num_examples == 12
    assert (tmp_path / "default" / mnist.TRAIN_IMAGES).is_file()


def test_maybe_download(http_dir, tmp_path):
    served, url = http_dir
    payload = gzip.compress(b"abc")
    (served / "file.gz").write_bytes(payload)
    work = tmp_path / "work"
    path = mnist.maybe_download("file.gz", str(work), url + "file.gz")
    assert path == str(work / "file.gz")
    assert (work / "file.gz").read_bytes() == payload
    # Present now: no second download (the URL would fail).
    assert mnist.maybe_download("file.gz", str(work), "http://127.0.0.1:9/file.gz") == path
