"""The course notes' fully-connected series: each program trains a few steps
on a small synthetic data set with its loss going down, and the pieces the
notes specify (offsets, keep schedule, layer sizes, init, normalization)."""

import io
import re

import numpy as np
import pytest
import tensorflow as tf

from tf1_examples import gdl


def synthetic_data(n_train=1200, n_eval=200, seed=0):
    """Ten separable classes in 784 dims, in the course's value range."""
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-0.5, 0.5, size=(10, 784)).astype(np.float32)

    def split(n):
        labels = rng.randint(0, 10, size=n)
        images = centers[labels] + rng.normal(0, 0.1, size=(n, 784)).astype(np.float32)
        return np.clip(images, -0.5, 0.5), (np.arange(10) == labels[:, None]).astype(np.float32)
    return gdl.GdlData(*split(n_train), *split(n_eval), *split(n_eval))


@pytest.fixture(scope="module")
def data():
    return synthetic_data()


def run(model, data, tmp_path, **overrides):
    config = gdl.GdlConfig(model=model, seed=3, **overrides)
    out = io.StringIO()
    result = gdl.train(config, data, str(tmp_path), out=out)
    return result, out.getvalue()


def losses(text):
    return [float(x) for x in re.findall(r"[Ll]oss at step \d+: ([\d.]+)", text)]


@pytest.mark.parametrize("model", list(gdl.PROGRAMS))
def test_each_program_learns_and_prints_like_the_notes(model, data, tmp_path):
    program = gdl.PROGRAMS[model]
    overrides = dict(steps=121, display_step=40)
    if model == "logreg_gd":
        overrides["learning_rate"] = 0.5
    result, text = run(model, gdl.GdlData(*data[:2], *data[2:]) if not program.full_batch
                       else synthetic_data(n_train=10200), tmp_path, **overrides)
    found = losses(text)
    assert len(found) == 4, text
    assert found[-1] < found[0], text
    assert text.startswith("Initialized\n")
    assert re.search(r"^Validation accuracy: [\d.]+%$", text, re.M)
    assert re.search(r"^Test accuracy: [\d.]+%$", text, re.M)
    if program.full_batch:
        assert "Training accuracy:" in text
    else:
        assert "Minibatch accuracy:" in text
    assert result.test_accuracy > 10.0  # chance on ten classes


def rows_walked(model, data, steps=200):
    """The training rows the batches of ``steps`` steps cover, by their bytes."""
    config = gdl.GdlConfig(model=model).resolved()
    return {row.tobytes() for step in range(steps) for row in gdl.batch(config, data, step)[0]}


def test_batches_walk_the_rows_the_notes_offsets_reach(data):
    # The notes cut a batch at offset (step * 128) % (N - 128) (assignment 2),
    # or within the first offset_range examples for the overfitting problem
    # (offset_range=1000 here).  The offsets are then the multiples of
    # gcd(128, M) below M, M being the modulus, so over enough steps the rows
    # covered are 0 .. (M - gcd) + 127: N=1200, M=1072, gcd 16 -> rows 0-1183;
    # M=1000, gcd 8 -> rows 0-1119.  200 steps pass both periods (67 and 125).
    def rows(last):
        return {data.train_dataset[i].tobytes() for i in range(last + 1)}
    assert rows_walked("nn", data) == rows(1072 - 16 + 127)
    assert rows_walked("nn_overfit", data) == rows(1000 - 8 + 127)


def test_deep_layer_sizes_keep_schedule_and_init():
    assert gdl.hidden_sizes(1024, 6) == [1024, 512, 256, 128, 64]
    keeps = gdl.keep_schedule(0.5, 5, 6)
    np.testing.assert_allclose(keeps, [0.5, 0.5, 0.5 + 0.5 / 7, 0.5 + 1.5 / 7, 0.5 + 3 / 7])
    sizes = [784, 1024, 512, 256, 128, 64, 10]
    stddevs = gdl._stddevs(gdl.PROGRAMS["deep"], sizes)
    np.testing.assert_allclose(stddevs[:5], [np.sqrt(2.0 / n) for n in sizes[:5]])
    assert stddevs[5] == pytest.approx(np.sqrt(2.0 / 128) / 2)
    assert gdl._stddevs(gdl.PROGRAMS["nn"], [784, 1024, 10]) == [1.0, 1.0]


def test_mnist_format_data_is_normalized_like_the_course():
    class Split:
        def __init__(self, images, labels):
            self.images, self.labels = images, labels
    images = np.array([[0, 255, 128] + [0] * 781], np.uint8)
    datasets = type("D", (), {"train": Split(images, np.array([3])),
                              "validation": Split(images, np.array([0])),
                              "test": Split(images, np.array([9]))})
    data = gdl.data_from_mnist(datasets)
    np.testing.assert_allclose(data.train_dataset[0, :3], [-0.5, 0.5, 0.5 / 255])
    assert data.train_labels.tolist() == [[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]]
    assert data.train_dataset.dtype == np.float32


def test_first_layer_image_has_one_tile_per_unit():
    weights = tf.constant(np.random.RandomState(0).normal(size=(784, 10)), tf.float32)
    image = gdl.first_layer_image(weights).numpy()
    assert image.shape == (1, 2 * 30, 5 * 30, 1)


def test_bad_config(data):
    with pytest.raises(ValueError, match="keep probability"):
        gdl.GdlConfig(model="nn_dropout", keep_prob=1.5).validate(1000)
    with pytest.raises(ValueError, match="needs at least 10000 training examples"):
        gdl.GdlConfig(model="logreg_gd").validate(500)
    with pytest.raises(ValueError, match="unknown model"):
        gdl.GdlConfig(model="cnn").program()
