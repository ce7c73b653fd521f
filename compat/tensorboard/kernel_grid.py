"""Lay convolution kernels out as one image for TensorBoard's image tab.

This is the project's one definition of ``put_kernels_on_grid``, the widely
copied 2016 gist the Stack Overflow question used, with its defects fixed:

* ``tf.pack`` (removed in TF 1.0) is gone; shapes are static Python ints.
* The grid shape is chosen automatically (the factor pair closest to a
  square) when not given, and a given grid that does not hold exactly the
  number of kernels is a clear ``ValueError`` instead of a reshape failure.
* All-equal weights (a zeros-initialized layer at step 0) give a mid-grey
  tile instead of NaN from ``0 / 0``.
* 1- and 3-channel kernels are accepted; anything else is refused, because
  an image summary can only show grey or RGB.

Three normalizations, for the three questions a user asks of the picture:
``"all"`` (the gist's: one minimum and maximum over all kernels, so kernels
compare with each other), ``"per_kernel"`` (each kernel stretched over the
full range, so the shape of a kernel with small weights shows), and
``"symmetric"`` (zero is mid-grey and the largest magnitude is black or
white: for signed quantities such as the change since initialization).

The layout is the gist's, so pictures match what users of the original saw:
kernel ``k`` goes to grid row ``k % grid_y`` and column ``k // grid_y``, each
tile surrounded by ``pad`` black pixels.  The result is a uint8 tensor of
shape ``[1, (ky + 2*pad) * grid_y, (kx + 2*pad) * grid_x, channels]``, ready
for ``tf.compat.v1.summary.image``.
"""

import tensorflow as tf

_IMAGE_CHANNELS = (1, 3)
NORMALIZATIONS = ("all", "per_kernel", "symmetric")


def grid_shape(num_kernels):
    """Return ``(grid_y, grid_x)``: the factor pair of ``num_kernels`` closest
    to a square, with ``grid_y <= grid_x`` (32 kernels -> (4, 8))."""
    if num_kernels < 1:
        raise ValueError("need at least one kernel, got %d" % num_kernels)
    grid_y = int(num_kernels ** 0.5)
    while num_kernels % grid_y:
        grid_y -= 1
    return grid_y, num_kernels // grid_y


def _check_grid(num_kernels, grid_y, grid_x):
    if grid_y is None and grid_x is None:
        return grid_shape(num_kernels)
    if grid_y is None or grid_x is None:
        raise ValueError(
            "give both grid_Y and grid_X, or neither to choose them "
            "automatically (got grid_Y=%r, grid_X=%r)" % (grid_y, grid_x))
    if grid_y < 1 or grid_x < 1 or grid_y * grid_x != num_kernels:
        raise ValueError(
            "a %dx%d grid holds %d kernels but the tensor has %d; "
            "omit grid_Y/grid_X to use %dx%d"
            % ((grid_y, grid_x, grid_y * grid_x, num_kernels)
               + grid_shape(num_kernels)))
    return grid_y, grid_x


def _scale(kernel, normalize):
    """``kernel`` mapped to [0, 1]; flat regions (nothing to show) are grey."""
    if normalize == "symmetric":
        peak = tf.reduce_max(tf.abs(kernel))
        return tf.where(peak > 0, 0.5 + 0.5 * kernel / tf.maximum(peak, 1e-30),
                        tf.fill(tf.shape(kernel), 0.5))
    # "all" reduces over every axis; "per_kernel" keeps the kernel axis.
    axes = None if normalize == "all" else [0, 1, 2]
    x_min = tf.reduce_min(kernel, axis=axes, keepdims=True)
    x_range = tf.reduce_max(kernel, axis=axes, keepdims=True) - x_min
    # Equal weights carry no contrast to show; grey says "flat" where a
    # division would say NaN.
    return tf.where(x_range > 0, (kernel - x_min) / tf.maximum(x_range, 1e-30),
                    tf.fill(tf.shape(kernel), 0.5))


def put_kernels_on_grid(kernel, grid_Y=None, grid_X=None, pad=1, normalize="all"):
    """Arrange ``kernel`` ([ky, kx, channels, num_kernels]) as one image.

    Values are scaled to [0, 1] as ``normalize`` says (default: by the
    minimum and maximum over all kernels together, the gist's), then
    converted to uint8.  Argument names keep the gist's spelling so old calls
    work unchanged.
    """
    kernel = tf.convert_to_tensor(kernel)
    shape = kernel.shape
    if shape.rank != 4 or not shape.is_fully_defined():
        raise ValueError(
            "kernel must have a static shape [height, width, channels, "
            "num_kernels], got %s" % shape)
    ky, kx, channels, num_kernels = shape.as_list()
    if channels not in _IMAGE_CHANNELS:
        raise ValueError(
            "an image summary shows 1 (grey) or 3 (RGB) channels; this "
            "kernel has %d input channels" % channels)
    if pad < 0:
        raise ValueError("pad must be >= 0, got %r" % pad)
    if normalize not in NORMALIZATIONS:
        raise ValueError("normalize must be one of %s, got %r"
                         % (", ".join(NORMALIZATIONS), normalize))
    grid_y, grid_x = _check_grid(num_kernels, grid_Y, grid_X)

    with tf.compat.v1.name_scope("kernel_grid"):
        scaled = _scale(tf.cast(kernel, tf.float32), normalize)
        padded = tf.pad(scaled, [[pad, pad], [pad, pad], [0, 0], [0, 0]])
        tile_y, tile_x = ky + 2 * pad, kx + 2 * pad
        # [num_kernels, tile_y, tile_x, C] -> columns of grid_y tiles each.
        tiles = tf.transpose(padded, (3, 0, 1, 2))
        columns = tf.reshape(tiles, [grid_x, grid_y * tile_y, tile_x, channels])
        # Put the columns side by side: [grid_y*tile_y, grid_x*tile_x, C].
        image = tf.reshape(tf.transpose(columns, (1, 0, 2, 3)),
                           [grid_y * tile_y, grid_x * tile_x, channels])
        image = tf.expand_dims(image, 0)
        return tf.image.convert_image_dtype(image, tf.uint8, saturate=True)
