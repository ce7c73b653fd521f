"""Tests of compat.data.notmnist and scripts/make_notmnist_pickle.py on tiny letter
folders and tarballs made here with PIL; one real_data test reads
../shared/data/notMNIST_small.  Nothing here imports TensorFlow."""

import collections
import io
import os
import pickle
import subprocess
import sys
import tarfile

import numpy as np
import pytest
from PIL import Image

from compat.data import download
from compat.data import notmnist
from compat.util.errors import DataError, DataUnavailableError
from conftest import REPO_ROOT

LETTERS = notmnist.LETTERS
PER_LETTER = 12
SCRIPT = REPO_ROOT / "scripts" / "make_notmnist_pickle.py"
CLOSED_PORT = "http://127.0.0.1:9/"


# --- making data -------------------------------------------------------------

def glyph(label, index):
    """A uint8 28x28 image unique to (label, index), holding 0 and 255 so the
    normalized range is exactly [-0.5, 0.5]."""
    image = np.full((28, 28), 1 + label * PER_LETTER + index, dtype=np.uint8)
    image[0, 0], image[0, 1] = 0, 255
    image[1] = np.arange(28) * 9
    return image


def png_bytes(array):
    """PNG bytes of ``array``; PIL picks the mode from its dtype and shape."""
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def make_letter_root(root, per_letter=PER_LETTER, offset=0):
    """root/A..J with ``per_letter`` PNGs each; returns the uint8 pixels per
    letter in file-name order.  ``offset`` makes another data set's images
    differ from these."""
    pixels = []
    for label, letter in enumerate(LETTERS):
        folder = root / letter
        folder.mkdir(parents=True)
        images = [glyph(label, index) for index in range(per_letter)]
        for index, image in enumerate(images):
            image[2, 0] = offset
            (folder / f"{index:03d}.png").write_bytes(png_bytes(image))
        pixels.append(np.stack(images))
    return pixels


def make_tarball(path, folder):
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return path


def normalized(pixels):
    # The course's formula, written out independently of the loader.
    return ((pixels.astype(float) - 255.0 / 2) / 255.0).astype(np.float32)


def oracle_small(pixels, sizes, seed, prepare=normalized):
    """The small-only split done by hand: seed, shuffle each letter, slice
    test, valid, train; randomize train, test, valid.  ``prepare`` turns a
    letter's array into the loader's floats (default: from pixels)."""
    train_size, valid_size, test_size = sizes
    per = [test_size // 10, valid_size // 10, train_size // 10]
    np.random.seed(seed)
    sets = [([], []) for _ in per]
    for label, letter in enumerate(pixels):
        letter = prepare(letter)
        np.random.shuffle(letter)
        start = 0
        for (images, labels), count in zip(sets, per):
            images.append(letter[start:start + count])
            labels.append(np.full(count, label))
            start += count
    test, valid, train = [(np.concatenate(i), np.concatenate(l)) for i, l in sets]
    return _oracle_randomize(train, valid, test)


def oracle_course(large, small, sizes, seed):
    train_size, valid_size, test_size = sizes
    np.random.seed(seed)
    parts = {"train": ([], []), "valid": ([], []), "test": ([], [])}
    for letters, plan in ((large, (("valid", valid_size), ("train", train_size))),
                          (small, (("test", test_size),))):
        for label, letter in enumerate(letters):
            letter = normalized(letter)
            np.random.shuffle(letter)
            start = 0
            for name, size in plan:
                parts[name][0].append(letter[start:start + size // 10])
                parts[name][1].append(np.full(size // 10, label))
                start += size // 10
    joined = {k: (np.concatenate(i), np.concatenate(l)) for k, (i, l) in parts.items()}
    return _oracle_randomize(joined["train"], joined["valid"], joined["test"])


def _oracle_randomize(train, valid, test):
    out = {}
    for name, (images, labels) in (("train", train), ("test", test), ("valid", valid)):
        perm = np.random.permutation(labels.shape[0])
        out[name + "_dataset"], out[name + "_labels"] = images[perm], labels[perm]
    return out


def assert_same(data, expected):
    assert set(data) == set(notmnist.KEYS)
    for key in notmnist.KEYS:
        np.testing.assert_array_equal(data[key], expected[key], err_msg=key)


def load(data_dir, cache_dir, sizes=(60, 20, 30), seed=0, log=None, **kwargs):
    train, valid, test = sizes
    return notmnist.load_notmnist(data_dir, cache_dir, train, valid, test, seed=seed,
                                  progress=False, log=log or (lambda message: None),
                                  **kwargs)


def listing(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


@pytest.fixture
def small_root(tmp_path):
    """A tiny notMNIST_small folder; yields (path, pixels per letter)."""
    root = tmp_path / "data" / "notMNIST_small"
    return root, make_letter_root(root)


@pytest.fixture
def no_png_reads(monkeypatch):
    def refuse(path):
        raise AssertionError(f"PNG decoded: {path}")
    monkeypatch.setattr(notmnist.images, "read_png", refuse)


# --- one letter --------------------------------------------------------------

def test_normalization_exact(tmp_path):
    folder = tmp_path / "A"
    folder.mkdir()
    every_value = (np.arange(28 * 28) % 256).astype(np.uint8).reshape(28, 28)
    (folder / "x.png").write_bytes(png_bytes(every_value))
    letter = notmnist.load_letter(folder)
    assert letter.dtype == np.float32 and letter.shape == (1, 28, 28)
    np.testing.assert_array_equal(letter[0], normalized(every_value))
    assert letter[0, 0, 0] == np.float32(-0.5) and letter[0, 9, 3] == np.float32(0.5)
    assert letter[0, 4, 16] == np.float32((128 - 127.5) / 255)


def test_load_letter_reads_in_name_order(small_root):
    root, pixels = small_root
    np.testing.assert_array_equal(notmnist.load_letter(root / "C"), normalized(pixels[2]))


def test_load_letter_skips_empty_png_with_warning(small_root):
    root, _ = small_root
    broken = root / "A" / "RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png"
    broken.write_bytes(b"")
    messages = []
    letter = notmnist.load_letter(root / "A", PER_LETTER, log=messages.append)
    assert letter.shape == (PER_LETTER, 28, 28)
    assert messages == [f"Could not read: {broken} : empty file (0 bytes) - it's ok, skipping."]


@pytest.mark.parametrize("image", [
    np.zeros((28, 29), np.uint8),
    np.zeros((28, 28, 3), np.uint8),
    np.zeros((28, 28), np.uint16),
], ids=["28x29", "rgb", "16bit"])
def test_wrong_kind_of_png_is_data_error(small_root, image):
    root, _ = small_root
    bad = root / "B" / "odd.png"
    bad.write_bytes(png_bytes(image))
    with pytest.raises(DataError) as excinfo:
        notmnist.load_letter(root / "B")
    assert str(excinfo.value).startswith(str(bad)) and "\n" not in str(excinfo.value)


def test_too_few_images_in_letter_is_data_error(small_root):
    root, _ = small_root
    with pytest.raises(DataError, match="too few images: 12 readable") as excinfo:
        notmnist.load_letter(root / "D", PER_LETTER + 1)
    assert excinfo.value.path == root / "D"


# --- letter pickles, merging, shuffling --------------------------------------

def test_maybe_pickle_writes_and_reuses(small_root, tmp_path, monkeypatch):
    root, pixels = small_root
    folders = notmnist.letter_folders(root)
    cache = tmp_path / "cache"
    paths = notmnist.maybe_pickle(folders, cache, PER_LETTER, log=lambda m: None)
    assert paths == [os.path.join(cache, f"{letter}.pickle") for letter in LETTERS]
    with open(paths[4], "rb") as f:
        np.testing.assert_array_equal(pickle.load(f), normalized(pixels[4]))
    monkeypatch.setattr(notmnist.images, "read_png", lambda path: pytest.fail("decoded again"))
    messages = []
    assert notmnist.maybe_pickle(folders, cache, PER_LETTER, log=messages.append) == paths
    assert messages == [f"notMNIST: reusing the letter pickles in {cache}"]


def test_merge_datasets_is_the_course_merge(small_root, tmp_path):
    root, pixels = small_root
    paths = notmnist.maybe_pickle(notmnist.letter_folders(root), tmp_path / "c", 0,
                                  log=lambda m: None)
    np.random.seed(5)
    valid, valid_labels, train, train_labels = notmnist.merge_datasets(paths, 55, 20)
    np.random.seed(5)
    for label, letter in enumerate(pixels):
        letter = normalized(letter)
        np.random.shuffle(letter)
        np.testing.assert_array_equal(valid[2 * label:2 * label + 2], letter[:2])
        np.testing.assert_array_equal(train[5 * label:5 * label + 5], letter[2:7])
    # 55 // 10 rows per class: 50 in all, none left uninitialised.
    assert train.shape == (50, 28, 28) and valid.shape == (20, 28, 28)
    assert train_labels.dtype == np.int32
    assert np.bincount(train_labels).tolist() == [5] * 10
    assert np.bincount(valid_labels).tolist() == [2] * 10


def test_merge_datasets_too_many_is_data_error(small_root, tmp_path):
    root, _ = small_root
    paths = notmnist.maybe_pickle(notmnist.letter_folders(root), tmp_path / "c", 0,
                                  log=lambda m: None)
    with pytest.raises(DataError, match="too few images for the requested split") as excinfo:
        notmnist.merge_datasets(paths, 110, 20)
    assert excinfo.value.path == paths[0]


def test_split_letters_takes_test_then_valid_then_train(small_root, tmp_path):
    root, pixels = small_root
    paths = notmnist.maybe_pickle(notmnist.letter_folders(root), tmp_path / "c", 0,
                                  log=lambda m: None)
    np.random.seed(9)
    train, train_labels, valid, _, test, _ = notmnist.split_letters(paths, 50, 20, 30)
    np.random.seed(9)
    for label, letter in enumerate(pixels):
        letter = normalized(letter)
        np.random.shuffle(letter)
        np.testing.assert_array_equal(test[3 * label:3 * label + 3], letter[:3])
        np.testing.assert_array_equal(valid[2 * label:2 * label + 2], letter[3:5])
        np.testing.assert_array_equal(train[5 * label:5 * label + 5], letter[5:10])
    assert train_labels.tolist() == sorted(list(range(10)) * 5)


def test_incomplete_letter_root_is_data_error(small_root, tmp_path):
    root, _ = small_root
    for letter in "FH":
        for png in (root / letter).iterdir():
            png.unlink()
        (root / letter).rmdir()
    with pytest.raises(DataError, match="missing F, H") as excinfo:
        load(root, tmp_path / "cache")
    assert excinfo.value.path == str(root)


def test_randomize_applies_one_permutation():
    dataset = np.arange(5 * 28 * 28, dtype=np.float32).reshape(5, 28, 28)
    labels = np.arange(5)
    np.random.seed(3)
    shuffled, shuffled_labels = notmnist.randomize(dataset, labels)
    np.random.seed(3)
    permutation = np.random.permutation(5)
    np.testing.assert_array_equal(shuffled, dataset[permutation])
    np.testing.assert_array_equal(shuffled_labels, permutation)


def test_reformat():
    dataset = np.random.RandomState(0).rand(3, 28, 28)
    labels = np.array([0, 9, 4], dtype=np.int32)
    flat, one_hot = notmnist.reformat(dataset, labels)
    assert flat.shape == (3, 784) and flat.dtype == np.float32
    np.testing.assert_array_equal(flat[1], dataset[1].ravel().astype(np.float32))
    assert one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot, np.eye(10, dtype=np.float32)[labels])


# --- load_notmnist -----------------------------------------------------------

def test_small_split_sizes_labels_disjoint(small_root, tmp_path):
    root, pixels = small_root
    messages = []
    data = load(root, tmp_path / "cache", log=messages.append)
    assert_same(data, oracle_small(pixels, (60, 20, 30), 0))
    counts = {"train": 6, "valid": 2, "test": 3}
    for name, per_class in counts.items():
        images, labels = data[name + "_dataset"], data[name + "_labels"]
        assert images.dtype == np.float32 and images.shape == (per_class * 10, 28, 28)
        assert np.bincount(labels, minlength=10).tolist() == [per_class] * 10
    rows = [{row.tobytes() for row in data[name + "_dataset"]} for name in counts]
    assert sum(map(len, rows)) == len(set.union(*rows)) == 110
    assert ("notMNIST: only notMNIST_small found: split 120 images into 60 train / 20 valid "
            "/ 30 test (the course used 200000/10000/10000 from notMNIST_large + small)"
            in messages)


@pytest.mark.parametrize("form", ["letter_root", "dir_with_small", "dir_with_tarball",
                                  "tarball_file"])
def test_data_dir_forms_give_the_same_split(small_root, tmp_path, form):
    root, pixels = small_root
    data_dir = root if form == "letter_root" else root.parent
    if form.startswith(("dir_with_tarball", "tarball_file")):
        data_dir = tmp_path / "tarballs"
        data_dir.mkdir()
        make_tarball(data_dir / "notMNIST_small.tar.gz", root)
    before = listing(data_dir)
    source = data_dir / "notMNIST_small.tar.gz" if form == "tarball_file" else data_dir
    data = load(source, tmp_path / "cache", seed=7)
    assert_same(data, oracle_small(pixels, (60, 20, 30), 7))
    # data_dir may be read-only: nothing is written there.
    assert listing(data_dir) == before


@pytest.mark.parametrize("as_file", [True, False])
def test_course_pickle_written_and_read_back(small_root, tmp_path, as_file):
    root, _ = small_root
    data = load(root, tmp_path / "cache")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    notmnist.save_pickle(data, out_dir / "notMNIST.pickle")
    with open(out_dir / "notMNIST.pickle", "rb") as f:
        legacy = pickle.load(f)
    assert list(legacy) == list(notmnist.KEYS)
    assert legacy["train_dataset"].dtype == np.float32
    assert legacy["test_labels"].shape == (30,)
    messages = []
    again = load(out_dir / "notMNIST.pickle" if as_file else out_dir, tmp_path / "cache2",
                 sizes=(10, 10, 10), log=messages.append)
    assert_same(again, data)
    assert any("as is" in message for message in messages)


@pytest.mark.parametrize("packed", [False, True])
def test_course_pipeline_with_large_and_small(tmp_path, packed):
    data_dir = tmp_path / "data"
    large = make_letter_root(data_dir / "notMNIST_large")
    small = make_letter_root(data_dir / "notMNIST_small", offset=200)
    if packed:
        for name in ("notMNIST_large", "notMNIST_small"):
            make_tarball(tmp_path / f"{name}.tar.gz", data_dir / name)
        data_dir = tmp_path
    messages = []
    data = load(data_dir, tmp_path / "cache", sizes=(80, 30, 110), seed=2,
                log=messages.append)
    assert_same(data, oracle_course(large, small, (80, 30, 110), 2))
    assert any("course split" in message for message in messages)


def test_defaults_are_the_course_sizes(tmp_path):
    data_dir = tmp_path / "data"
    make_letter_root(data_dir / "notMNIST_large")
    make_letter_root(data_dir / "notMNIST_small")
    # The course's 200000/10000/10000 do not fit in 12 images per class.
    with pytest.raises(DataError, match="too few images"):
        load(data_dir, tmp_path / "cache", sizes=(None, None, None))


def test_result_is_cached_per_sizes_and_seed(small_root, tmp_path, monkeypatch):
    root, pixels = small_root
    cache = tmp_path / "cache"
    first = load(root, cache, seed=0)
    cached = list(cache.glob("notMNIST-small-60-20-30-seed0-*.pickle"))
    assert len(cached) == 1
    monkeypatch.setattr(notmnist.images, "read_png", lambda path: pytest.fail("PNG decoded"))
    messages = []
    assert_same(load(root, cache, seed=0, log=messages.append), first)
    assert any("cached split" in message for message in messages)
    # Another seed: a new split, still from the letter pickles.
    other = load(root, cache, seed=1)
    assert_same(other, oracle_small(pixels, (60, 20, 30), 1))
    assert not np.array_equal(other["train_dataset"], first["train_dataset"])


def test_same_seed_same_arrays_across_caches(small_root, tmp_path):
    root, _ = small_root
    first = load(root, tmp_path / "c1", seed=3)
    assert_same(load(root, tmp_path / "c2", seed=3), first)


def test_too_large_small_split_is_data_error(small_root, tmp_path):
    root, _ = small_root
    with pytest.raises(DataError) as excinfo:
        load(root, tmp_path / "cache", sizes=(110, 10, 10))
    message = str(excinfo.value)
    assert str(root / "A") in message and "too few images" in message
    # Once the letters are pickled the split check itself names the folder.
    load(root, tmp_path / "cache", sizes=(10, 10, 10))
    with pytest.raises(DataError, match="10 test \\+ 1 valid \\+ 10 train = 21") as excinfo:
        load(root, tmp_path / "cache", sizes=(100, 10, 100))
    assert excinfo.value.path == str(root / "A")


@pytest.mark.parametrize("content", ["garbage", "truncated", "no_folder"])
def test_corrupt_tarball_is_data_error(small_root, tmp_path, content):
    root, _ = small_root
    data_dir = tmp_path / "tarballs"
    data_dir.mkdir()
    archive = data_dir / "notMNIST_small.tar.gz"
    if content == "garbage":
        archive.write_bytes(b"not a tarball" * 100)
    elif content == "truncated":
        make_tarball(archive, root)
        archive.write_bytes(archive.read_bytes()[:3000])
    else:
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(root / "A", arcname="A")
    with pytest.raises(DataError) as excinfo:
        load(data_dir, tmp_path / "cache")
    assert str(excinfo.value).startswith(str(archive)) and "\n" not in str(excinfo.value)
    # No partly extracted folder is left for the next run to trust.
    assert not list((tmp_path / "cache").rglob("notMNIST_small"))


@pytest.mark.parametrize("layout, missing", [
    ("empty", ["notMNIST_large.tar.gz", "notMNIST_small.tar.gz"]),
    ("absent", ["notMNIST_large.tar.gz", "notMNIST_small.tar.gz"]),
    ("only_large", ["notMNIST_small.tar.gz"]),
])
def test_missing_data_is_unavailable_error(tmp_path, layout, missing):
    data_dir = tmp_path / "data"
    if layout != "absent":
        data_dir.mkdir()
    if layout == "only_large":
        make_letter_root(data_dir / "notMNIST_large", per_letter=1)
    with pytest.raises(DataUnavailableError) as excinfo:
        load(data_dir, tmp_path / "cache", source_url=CLOSED_PORT)
    message = str(excinfo.value)
    assert "\n" not in message and str(data_dir) in message
    assert all(name in message for name in missing) and excinfo.value.missing == missing
    assert CLOSED_PORT + missing[0] in message
    assert ("pass --data_dir=DIR holding notMNIST_small/ letter folders, the tarballs "
            "or notMNIST.pickle") in message
    assert not list((tmp_path / "cache").glob("*.part"))


def test_download_into_cache_then_reuse(http_dir, small_root, tmp_path):
    served, url = http_dir
    root, pixels = small_root
    large = make_letter_root(tmp_path / "l" / "notMNIST_large", offset=100)
    make_tarball(served / "notMNIST_large.tar.gz", tmp_path / "l" / "notMNIST_large")
    make_tarball(served / "notMNIST_small.tar.gz", root)
    sizes = {p.name: p.stat().st_size for p in served.iterdir()}
    cache = tmp_path / "cache"
    data = load(None, cache, source_url=url, archives=sizes)
    assert_same(data, oracle_course(large, pixels, (60, 20, 30), 0))
    assert sorted(p.name for p in cache.glob("*.tar.gz")) == sorted(sizes)
    # Downloaded once: the next run (other sizes) needs no network.
    again = load(tmp_path / "nothing_here", cache, sizes=(40, 10, 10),
                 source_url=CLOSED_PORT, archives=sizes)
    assert again["train_dataset"].shape == (40, 28, 28)


def test_download_of_wrong_size_is_data_error(http_dir, small_root, tmp_path):
    served, url = http_dir
    root, _ = small_root
    make_tarball(served / "notMNIST_large.tar.gz", root)
    size = (served / "notMNIST_large.tar.gz").stat().st_size
    with pytest.raises(DataError, match="size mismatch") as excinfo:
        load(None, tmp_path / "cache", source_url=url,
             archives={"notMNIST_large.tar.gz": size + 1})
    assert excinfo.value.path == str(tmp_path / "cache" / "notMNIST_large.tar.gz")
    assert not list((tmp_path / "cache").iterdir())


def test_fetch_checks_size(http_dir, tmp_path):
    served, url = http_dir
    (served / "f.bin").write_bytes(b"x" * 1000)
    seen = []
    assert download.fetch(url + "f.bin", tmp_path / "f.bin", size=1000,
                          progress=seen.append) == str(tmp_path / "f.bin")
    assert sum(seen) == 1000
    with pytest.raises(DataError, match="expected 999 bytes, got 1000"):
        download.fetch(url + "f.bin", tmp_path / "g.bin", size=999)
    assert not list(tmp_path.glob("g.bin*"))


@pytest.mark.parametrize("content, problem", [
    (pickle.dumps([1, 2]), "holds a list"),
    (pickle.dumps({"train_dataset": np.zeros((1, 28, 28))}), "missing keys"),
    (pickle.dumps(dict(zip(notmnist.KEYS, [np.zeros((2, 28, 28)), np.zeros(3, int)] * 3))),
     "train_labels has shape"),
    (pickle.dumps(dict(zip(notmnist.KEYS, [np.zeros((2, 784)), np.zeros(2, int)] * 3))),
     "train_dataset has shape"),
    (b"\x80\x04garbage", "not a readable pickle"),
])
def test_bad_course_pickle_is_data_error(tmp_path, content, problem):
    path = tmp_path / "notMNIST.pickle"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as excinfo:
        load(tmp_path, tmp_path / "cache")
    assert str(excinfo.value).startswith(str(path))


def test_save_pickle_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "notMNIST.pickle"
    target.write_bytes(b"old")

    def broken_dump(obj, f, protocol):
        f.write(b"half")
        raise OSError("disk full")
    monkeypatch.setattr(notmnist.images.pickle, "dump", broken_dump)
    with pytest.raises(OSError):
        notmnist.save_pickle({"x": 1}, target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["notMNIST.pickle"]


def test_default_cache_dir(monkeypatch):
    monkeypatch.setenv("TF1_COMPAT_CACHE", "/somewhere")
    assert notmnist.default_cache_dir() == "/somewhere"
    monkeypatch.delenv("TF1_COMPAT_CACHE")
    assert notmnist.default_cache_dir().endswith(os.path.join(".cache", "tf1_compat", "notmnist"))


# --- the script --------------------------------------------------------------

def run_script(*args, cwd):
    return subprocess.run([sys.executable, str(SCRIPT), "--noprogress", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_script_writes_the_course_pickle(small_root, tmp_path):
    root, pixels = small_root
    result = run_script(f"--data_dir={root}", "--train_size=60", "--valid_size=20",
                        "--test_size=30", "--seed=4", f"--cache_dir={tmp_path / 'cache'}",
                        cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Training: (60, 28, 28) (60,)" in result.stdout
    assert "Testing: (30, 28, 28) (30,)" in result.stdout
    with open(tmp_path / "notMNIST.pickle", "rb") as f:
        assert_same(pickle.load(f), oracle_small(pixels, (60, 20, 30), 4))
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("args, expected", [
    (["--train_size=1000"], "too few images"),
    (["--seed=abc"], "flag --seed=abc"),
    (["--out=no/such/dir/x.pickle"], "cannot write no/such/dir/x.pickle"),
    (["extra"], "unexpected arguments: extra"),
])
def test_script_errors_are_one_line(small_root, tmp_path, args, expected):
    root, _ = small_root
    result = run_script(f"--data_dir={root}", f"--cache_dir={tmp_path / 'cache'}",
                        "--train_size=60", "--valid_size=20", "--test_size=30", *args,
                        cwd=tmp_path)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert errors[0].startswith("make_notmnist_pickle.py: error: ") and expected in errors[0]


def test_loader_does_not_import_tensorflow():
    code = "import sys, compat.data.notmnist; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


# --- the real notMNIST_small -------------------------------------------------

BROKEN = ["A/RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png",
          "F/Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==.png"]


@pytest.mark.real_data
def test_real_notmnist_small(shared_data, tmp_path, monkeypatch):
    root = shared_data / "notMNIST_small"
    cache = tmp_path / "cache"
    messages = []
    data = notmnist.load_notmnist(root, cache, progress=False, log=messages.append)
    warned = [m for m in messages if m.startswith("Could not read:")]
    assert sorted(warned) == [f"Could not read: {root / name} : empty file (0 bytes) - "
                              f"it's ok, skipping." for name in BROKEN]
    assert any("split 18724 images into 15000 train / 1000 valid / 2500 test" in m
               for m in messages)
    for name, size in (("train", 15000), ("valid", 1000), ("test", 2500)):
        images, labels = data[name + "_dataset"], data[name + "_labels"]
        assert images.shape == (size, 28, 28) and images.dtype == np.float32
        assert np.bincount(labels).tolist() == [size // 10] * 10
        assert images.min() >= -0.5 and images.max() <= 0.5
    # notMNIST repeats some glyphs across fonts, so rows may recur; what must
    # hold is that no source image is used more often than it exists.
    available = collections.Counter(
        row.tobytes() for path in sorted(cache.glob("letters/*/*.pickle"))
        for row in pickle.loads(path.read_bytes()))
    assert sum(available.values()) == 18724
    used = collections.Counter(row.tobytes() for name in ("train", "valid", "test")
                               for row in data[name + "_dataset"])
    assert all(count <= available[row] for row, count in used.items())

    # The second load comes from the cache: not one PNG is decoded.
    monkeypatch.setattr(notmnist.images, "read_png", lambda path: pytest.fail("PNG decoded"))
    again = notmnist.load_notmnist(root, cache, progress=False, log=lambda m: None)
    assert_same(again, data)


COURSE_PROGRAM = """\
import cPickle as pickle
import numpy as np
import tensorflow as tf

with open('notMNIST.pickle', 'rb') as f:
    save = pickle.load(f)
    train_dataset = save['train_dataset']
    train_labels = save['train_labels']
    test_dataset = save['test_dataset']
    test_labels = save['test_labels']

def reformat(dataset, labels):
    dataset = dataset.reshape((-1, 28 * 28)).astype(np.float32)
    labels = (np.arange(10) == labels[:,None]).astype(np.float32)
    return dataset, labels
train_dataset, train_labels = reformat(train_dataset, train_labels)
test_dataset, test_labels = reformat(test_dataset, test_labels)
print 'Training set', train_dataset.shape, train_labels.shape

graph = tf.Graph()
with graph.as_default():
    x = tf.constant(train_dataset)
    weights = tf.Variable(tf.zeros([784, 10]))
    logits = tf.matmul(x, weights)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, train_labels))
    optimizer = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
with tf.Session(graph=graph) as session:
    tf.initialize_all_variables().run()
    first = session.run(loss)
    for step in xrange(30):
        _, l = session.run([optimizer, loss])
    print 'Loss fell', l < first
"""


def test_course_program_reads_the_pickle_through_the_runner(small_root, tmp_path):
    # A course-style Python 2 program that reads notMNIST.pickle, as the
    # pickle command writes it, runs unmodified through the legacy runner.
    workdir = tmp_path / "course"
    workdir.mkdir()
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_notmnist_pickle.py"),
         "--data_dir=%s" % small_root[0], "--out=%s" % (workdir / "notMNIST.pickle"),
         "--cache_dir=%s" % (tmp_path / "cache"), "--train_size=60", "--valid_size=20",
         "--test_size=30", "--noprogress"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (workdir / "assignment.py").write_text(COURSE_PROGRAM)
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "run_legacy.py"), "--seed=0",
         "assignment.py"],
        capture_output=True, text=True, cwd=str(workdir), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Training set (60, 784) (60, 10)", "Loss fell True"]
