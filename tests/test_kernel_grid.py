"""The fixed put_kernels_on_grid: layout, pixels, no NaN, shape errors."""

import numpy as np
import pytest
import tensorflow as tf

from compat.tensorboard.kernel_grid import grid_shape, put_kernels_on_grid


def _grid(kernel, **kwargs):
    # Eager mode is fine here: the function only builds ordinary ops.
    return put_kernels_on_grid(tf.constant(kernel, tf.float32), **kwargs).numpy()


def _gist_reference(kernel, grid_y, grid_x, pad=1):
    """The 2016 gist's algorithm in numpy (normalize over all kernels, pad,
    transpose/reshape into columns of grid_y tiles), to check that the fix
    draws the same picture for inputs the gist handled."""
    k = (kernel - kernel.min()) / (kernel.max() - kernel.min())
    x1 = np.pad(k, [(pad, pad), (pad, pad), (0, 0), (0, 0)])
    ty, tx, c = x1.shape[0], x1.shape[1], x1.shape[2]
    x2 = np.transpose(x1, (3, 0, 1, 2))
    x3 = np.reshape(x2, [grid_x, ty * grid_y, tx, c])
    x4 = np.transpose(x3, (0, 2, 1, 3))
    x5 = np.reshape(x4, [1, tx * grid_x, ty * grid_y, c])
    x6 = np.transpose(x5, (2, 1, 3, 0))
    x7 = np.transpose(x6, (3, 0, 1, 2))
    return (x7 * 255.5).astype(np.uint8)  # convert_image_dtype's rounding


def test_grid_shape_is_closest_to_square():
    assert grid_shape(32) == (4, 8)
    assert grid_shape(64) == (8, 8)
    assert grid_shape(12) == (3, 4)
    assert grid_shape(7) == (1, 7)
    assert grid_shape(1) == (1, 1)


def test_known_kernel_gives_known_pixels():
    # Two 2x2 one-channel kernels on a 1x2 grid with pad 1: kernel 0 holds
    # the minimum everywhere except one maximum pixel, kernel 1 is mid-way.
    kernel = np.zeros([2, 2, 1, 2], np.float32)
    kernel[0, 1, 0, 0] = 4.0
    kernel[:, :, 0, 1] = 2.0
    image = _grid(kernel, grid_Y=1, grid_X=2)
    assert image.dtype == np.uint8
    assert image.shape == (1, 4, 8, 1)
    expected = np.zeros([4, 8], np.uint8)
    expected[1, 2] = 255            # kernel 0, row 0, col 1 (after 1 pad pixel)
    expected[1:3, 5:7] = 127        # kernel 1: 0.5 * 255.5 truncated
    np.testing.assert_array_equal(image[0, :, :, 0], expected)


def test_layout_matches_the_original_gist():
    rng = np.random.RandomState(3)
    kernel = rng.normal(size=[5, 5, 1, 32]).astype(np.float32)
    np.testing.assert_array_equal(_grid(kernel, grid_Y=4, grid_X=8),
                                  _gist_reference(kernel, 4, 8))
    # Automatic choice is the question's 4x8 grid.
    np.testing.assert_array_equal(_grid(kernel), _gist_reference(kernel, 4, 8))


def test_kernel_k_lands_in_row_k_mod_grid_y_column_k_div_grid_y():
    kernel = np.zeros([3, 3, 1, 6], np.float32)
    kernel[:, :, 0, 4] = 1.0  # only kernel 4 is bright
    image = _grid(kernel, grid_Y=2, grid_X=3, pad=0)[0, :, :, 0]
    bright = np.argwhere(image == 255)
    # 4 % 2 = row 0, 4 // 2 = column 2.
    assert {tuple(map(int, p)) for p in bright} == {(r, c) for r in range(0, 3) for c in range(6, 9)}


def test_all_equal_weights_give_grey_not_nan():
    image = _grid(np.zeros([5, 5, 1, 32], np.float32))
    assert image.shape == (1, 28, 56, 1)
    tiles = image[0, 1:6, 1:6, 0]
    assert np.all(tiles == 127)
    # Padding stays black.
    assert np.all(image[0, 0, :, 0] == 0)


def test_three_channel_kernels():
    rng = np.random.RandomState(0)
    kernel = rng.uniform(size=[3, 3, 3, 4]).astype(np.float32)
    image = _grid(kernel)
    assert image.shape == (1, 10, 10, 3)
    np.testing.assert_array_equal(image, _gist_reference(kernel, 2, 2))


def test_grid_that_does_not_hold_the_kernels_raises():
    kernel = np.zeros([5, 5, 1, 32], np.float32)
    with pytest.raises(ValueError, match=r"3x8 grid holds 24 kernels but the tensor has 32"):
        _grid(kernel, grid_Y=3, grid_X=8)
    with pytest.raises(ValueError, match="give both"):
        _grid(kernel, grid_Y=4)


def test_unshowable_channel_count_raises():
    with pytest.raises(ValueError, match="1 \\(grey\\) or 3 \\(RGB\\)"):
        _grid(np.zeros([5, 5, 32, 64], np.float32))


def test_per_kernel_normalization_stretches_each_kernel():
    # Kernel 0 spans [0, 1], kernel 1 only [0, 0.01]: over all kernels the
    # second is nearly black; per kernel both span black to white.
    kernel = np.zeros([2, 2, 1, 2], np.float32)
    kernel[0, 0, 0, 0], kernel[1, 1, 0, 0] = 0.0, 1.0
    kernel[0, 0, 0, 1], kernel[1, 1, 0, 1] = 0.0, 0.01
    overall = _grid(kernel, grid_Y=1, grid_X=2, pad=0)[0, :, :, 0]
    each = _grid(kernel, grid_Y=1, grid_X=2, pad=0, normalize="per_kernel")[0, :, :, 0]
    assert overall[1, 3] == int(0.01 * 255.5)
    assert each[0, 0] == each[0, 2] == 0
    assert each[1, 1] == each[1, 3] == 255


def test_symmetric_normalization_puts_zero_at_grey():
    kernel = np.zeros([2, 2, 1, 1], np.float32)
    kernel[0, 0, 0, 0], kernel[1, 1, 0, 0] = -2.0, 1.0
    image = _grid(kernel, grid_Y=1, grid_X=1, pad=0, normalize="symmetric")[0, :, :, 0]
    # -2 -> 0, 0 -> 0.5, 1 -> 0.75 of 255.5 (convert_image_dtype truncates).
    np.testing.assert_array_equal(image, [[0, 127], [127, int(0.75 * 255.5)]])
    flat = _grid(np.zeros([2, 2, 1, 1], np.float32), normalize="symmetric")
    assert np.all(flat[0, 1:3, 1:3, 0] == 127)


def test_unknown_normalization_raises():
    with pytest.raises(ValueError, match="normalize must be one of"):
        _grid(np.zeros([2, 2, 1, 1], np.float32), normalize="zscore")
