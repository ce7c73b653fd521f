"""``tf.contrib.image`` geometric transforms (TF 1.8-1.15) for TensorFlow 2.21.

TF 2.x dropped ``tf.contrib``; the projective-transform kernel that
``tf.contrib.image`` wrapped lives on in core as
``tf.raw_ops.ImageProjectiveTransformV3``.  This module rebuilds the
contrib functions TF 1.x programs call, with their names, argument order
and edge cases, out of ops that work in graph mode:

* ``transform``: apply projective transform(s) (rows of 8 numbers mapping
  *output* pixel coordinates to *input* coordinates), with an optional
  ``output_shape``;
* ``rotate`` / ``translate``: counterclockwise rotation by ``angles``
  radians about the image centre, and shifts by ``[dx, dy]``;
* ``angles_to_projective_transforms``,
  ``translations_to_projective_transforms``: the transform rows those use;
* ``compose_transforms``, ``flat_transforms_to_matrices``,
  ``matrices_to_flat_transforms``: conversions between rows and 3x3
  matrices, and composition by matrix product.

Behaviour kept from TF 1.x: images may be HW, HWC or NHWC (rank must be
statically known), dtypes uint8/int32/int64/float16/float32/float64 only
(``TypeError`` otherwise), pixels whose source lies outside the input are
0, NEAREST rounds the source coordinate and BILINEAR reads 0 for the
out-of-image neighbours.  The TF 1.x kernel hard-coded that zero fill;
V3's ``fill_mode='CONSTANT'`` with ``fill_value=0`` is the same rule (its
coordinate mapping is the identity in that mode).  TF 2.21 registers a
gradient for V3 with respect to the images (the inverse transform of the
incoming gradient, as TF 1.x's contrib gradient did), so nothing is
registered here; as in TF 1.x no gradient flows to the transforms.
"""

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1

__all__ = [
    "rotate", "translate", "transform", "compose_transforms",
    "angles_to_projective_transforms",
    "translations_to_projective_transforms",
    "flat_transforms_to_matrices", "matrices_to_flat_transforms",
]

_IMAGE_DTYPES = frozenset([tf.uint8, tf.int32, tf.int64, tf.float16,
                           tf.float32, tf.float64])


def _as_nhwc(images):
    """Convert ``images`` to a 4-D tensor; returns (original, 4-D, rank).

    TF 1.x decided the layout from the static rank, so an unknown rank is
    an error rather than something resolved at run time."""
    original = tf.convert_to_tensor(images, name="images")
    if original.dtype.base_dtype not in _IMAGE_DTYPES:
        raise TypeError("Invalid dtype %s." % original.dtype)
    rank = original.shape.ndims
    if rank is None:
        raise TypeError("image_or_images rank must be statically known")
    if rank == 2:
        return original, original[None, :, :, None], rank
    if rank == 3:
        return original, original[None, :, :, :], rank
    if rank == 4:
        return original, original, rank
    raise TypeError("Images should have rank between 2 and 4.")


def _from_nhwc(output, rank):
    # Undo _as_nhwc so callers get the layout they passed in.
    if rank == 2:
        return output[0, :, :, 0]
    if rank == 3:
        return output[0, :, :, :]
    return output


def _as_rows(transforms):
    """A single 8-vector becomes a 1x8 batch, which the kernel broadcasts
    over every image."""
    transforms = tf.convert_to_tensor(transforms, name="transforms",
                                      dtype=tf.float32)
    rank = transforms.shape.ndims
    if rank == 1:
        return transforms[None]
    if rank is None:
        raise TypeError("transform_or_transforms rank must be statically known")
    if rank == 2:
        return transforms
    raise TypeError("Transforms should have rank 1 or 2.")


def transform(images, transforms, interpolation="NEAREST", output_shape=None,
              name=None):
    """Apply projective transform(s) to image(s), filling with zeros.

    A row ``[a0, a1, a2, b0, b1, b2, c0, c1]`` sends output pixel ``(x, y)``
    to input point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
    ``k = c0 x + c1 y + 1`` (the inverse of the image-to-image map).
    ``output_shape`` is ``[height, width]``; by default the input's."""
    with v1.name_scope(name, "transform"):
        original, images4, rank = _as_nhwc(images)
        if output_shape is None:
            output_shape = tf.shape(images4)[1:3]
            # A static shape keeps the output's height/width static too,
            # as TF 1.x arranged by folding it to a constant.
            static = tf.get_static_value(output_shape)
            if static is not None:
                output_shape = static
        output_shape = tf.convert_to_tensor(output_shape, tf.int32,
                                            name="output_shape")
        if not output_shape.shape.is_compatible_with([2]):
            raise ValueError("output_shape must be a 1-D Tensor of 2 elements: "
                             "new_height, new_width")
        rows = _as_rows(transforms)
        output = tf.raw_ops.ImageProjectiveTransformV3(
            images=images4, transforms=rows, output_shape=output_shape,
            fill_value=tf.constant(0.0, tf.float32),
            interpolation=interpolation.upper(), fill_mode="CONSTANT")
        return _from_nhwc(output, rank)


def angles_to_projective_transforms(angles, image_height, image_width,
                                    name=None):
    """Transform rows rotating counterclockwise by ``angles`` (radians)
    about the centre of an ``image_height`` x ``image_width`` image."""
    with v1.name_scope(name, "angles_to_projective_transforms"):
        angles = tf.convert_to_tensor(angles, name="angles", dtype=tf.float32)
        if angles.shape.ndims == 0:
            angles = angles[None]
        elif angles.shape.ndims != 1:
            raise TypeError("Angles should have rank 0 or 1.")
        cos, sin = tf.cos(angles), tf.sin(angles)
        # The output->input map is a rotation by -angle in (x right, y
        # down) pixel coordinates; the offsets keep the centre
        # ((w-1)/2, (h-1)/2) fixed.
        w1 = tf.cast(image_width, tf.float32) - 1
        h1 = tf.cast(image_height, tf.float32) - 1
        x_offset = (w1 - (cos * w1 - sin * h1)) / 2.0
        y_offset = (h1 - (sin * w1 + cos * h1)) / 2.0
        zeros = tf.zeros_like(angles)
        return tf.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros],
                        axis=1)


def translations_to_projective_transforms(translations, name=None):
    """Transform rows shifting images by ``[dx, dy]`` (one pair, or one
    per image): output ``(x, y)`` reads input ``(x - dx, y - dy)``."""
    with v1.name_scope(name, "translations_to_projective_transforms"):
        translations = tf.convert_to_tensor(translations, name="translations",
                                            dtype=tf.float32)
        rank = translations.shape.ndims
        if rank is None:
            raise TypeError(
                "translation_or_translations rank must be statically known")
        if rank == 1:
            translations = translations[None]
        elif rank != 2:
            raise TypeError("Translations should have rank 1 or 2.")
        dx, dy = translations[:, 0], translations[:, 1]
        ones, zeros = tf.ones_like(dx), tf.zeros_like(dx)
        return tf.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros],
                        axis=1)


def rotate(images, angles, interpolation="NEAREST", name=None):
    """Rotate image(s) counterclockwise by ``angles`` radians (a scalar, or
    one per image for NHWC input); uncovered corners become 0."""
    with v1.name_scope(name, "rotate"):
        _, images4, rank = _as_nhwc(images)
        height = tf.cast(tf.shape(images4)[1], tf.float32)[None]
        width = tf.cast(tf.shape(images4)[2], tf.float32)[None]
        output = transform(
            images4, angles_to_projective_transforms(angles, height, width),
            interpolation=interpolation)
        return _from_nhwc(output, rank)


def translate(images, translations, interpolation="NEAREST", name=None):
    """Shift image(s) by ``[dx, dy]`` pixels (x right, y down); uncovered
    pixels become 0."""
    with v1.name_scope(name, "translate"):
        return transform(images,
                         translations_to_projective_transforms(translations),
                         interpolation=interpolation)


def flat_transforms_to_matrices(transforms):
    """Rows of 8 (or one 8-vector) -> ``(N, 3, 3)`` output->input matrices,
    the implicit ninth entry being 1."""
    with v1.name_scope("flat_transforms_to_matrices"):
        transforms = tf.convert_to_tensor(transforms, name="transforms")
        if transforms.shape.ndims not in (1, 2):
            raise ValueError("Transforms should be 1D or 2D, got: %s"
                             % transforms)
        rows = tf.reshape(transforms, [-1, 8])
        ones = tf.ones([tf.shape(rows)[0], 1], rows.dtype)
        return tf.reshape(tf.concat([rows, ones], axis=1), [-1, 3, 3])


def matrices_to_flat_transforms(transform_matrices):
    """``(3, 3)`` or ``(N, 3, 3)`` output->input matrices -> ``(N, 8)`` rows,
    each matrix first scaled so its last entry is 1."""
    with v1.name_scope("matrices_to_flat_transforms"):
        matrices = tf.convert_to_tensor(transform_matrices,
                                        name="transform_matrices")
        if matrices.shape.ndims not in (2, 3):
            raise ValueError("Matrices should be 2D or 3D, got: %s" % matrices)
        flat = tf.reshape(matrices, [-1, 9])
        flat = flat / flat[:, 8:9]
        return flat[:, :8]


def compose_transforms(*transforms):
    """One transform equivalent to applying ``transforms`` in order.

    Because the rows map output to input, applying A then B reads the
    input at A(B(p)): the composition is the product A @ B @ ... taken
    left to right."""
    assert transforms, "transforms cannot be empty"
    with v1.name_scope("compose_transforms"):
        composed = flat_transforms_to_matrices(transforms[0])
        for other in transforms[1:]:
            composed = tf.matmul(composed, flat_transforms_to_matrices(other))
        return matrices_to_flat_transforms(composed)
