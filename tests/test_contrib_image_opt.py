"""compat.tf1x.image (tf.contrib.image) and compat.tf1x.opt (tf.contrib.opt)
in graph mode, checked against numpy: rotations against np.rot90, shifts
against slicing into a zero array, transform composition against matrix
products, and the first two steps of every optimizer against its update
rule written out in numpy."""

import numpy as np
import pytest

from compat.tf1x import image, opt

tf = image.tf
v1 = tf.compat.v1


def run(build, feeds=None):
    """Build ops in a fresh graph (``build`` returns a fetch structure) and
    evaluate them once after initialising the variables."""
    with tf.Graph().as_default():
        fetches = build()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            return sess.run(fetches, feeds)


def shift(img, dx, dy):
    """out[y, x] = img[y - dy, x - dx], zero where that is outside."""
    out = np.zeros_like(img)
    h, w = img.shape[:2]
    for y in range(h):
        for x in range(w):
            sy, sx = y - dy, x - dx
            if 0 <= sy < h and 0 <= sx < w:
                out[y, x] = img[sy, sx]
    return out


IMG = np.arange(1, 26, dtype=np.float32).reshape(5, 5)


# --- tf.contrib.image -------------------------------------------------------

def test_rotate_is_counterclockwise_for_2d_3d_4d():
    batch = np.stack([IMG, IMG * 10, IMG - 3])[..., None]        # NHWC
    hwc = np.stack([IMG, -IMG], axis=-1)
    got2, got3, got4 = run(lambda: (
        image.rotate(IMG, np.pi / 2),
        image.rotate(hwc, np.pi),
        image.rotate(batch, [np.pi / 2, np.pi, -np.pi / 2])))
    np.testing.assert_array_equal(got2, np.rot90(IMG, 1))
    np.testing.assert_array_equal(got3, np.rot90(hwc, 2, axes=(0, 1)))
    for got, img, k in zip(got4, batch, (1, 2, -1)):
        np.testing.assert_array_equal(got, np.rot90(img, k, axes=(0, 1)))


def test_rotate_uint8_fills_corners_with_zero():
    # 45 degrees on a 5x5 constant image: corners have no source pixel.
    ones = np.full((5, 5), 7, np.uint8)
    got = run(lambda: image.rotate(ones, np.pi / 4))
    assert got.dtype == np.uint8
    assert got[2, 2] == 7 and got[0, 0] == 0 and got[4, 4] == 0


def test_translate_and_transform_shift_with_zero_fill():
    got_t, got_m, got_b = run(lambda: (
        image.translate(IMG, [1, -2]),
        image.transform(IMG[None, ..., None], [1, 0, 2, 0, 1, 1, 0, 0]),
        image.translate(IMG[None, ..., None].repeat(2, 0), [[0, 1], [-1, 0]])))
    np.testing.assert_array_equal(got_t, shift(IMG, 1, -2))
    # The row maps output (x, y) to input (x + 2, y + 1): a shift by (-2, -1).
    np.testing.assert_array_equal(got_m[0, ..., 0], shift(IMG, -2, -1))
    np.testing.assert_array_equal(got_b[0, ..., 0], shift(IMG, 0, 1))
    np.testing.assert_array_equal(got_b[1, ..., 0], shift(IMG, -1, 0))


def test_bilinear_half_pixel_reads_zero_outside():
    got = run(lambda: image.translate(IMG, [0.5, 0], interpolation="BILINEAR"))
    padded = np.pad(IMG, ((0, 0), (1, 0)))            # column -1 reads as 0
    want = 0.5 * padded[:, :-1] + 0.5 * padded[:, 1:]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_output_shape_crops_and_pads():
    small, big = run(lambda: (
        image.transform(IMG, [1, 0, 0, 0, 1, 0, 0, 0], output_shape=[2, 3]),
        image.transform(IMG, [1, 0, 0, 0, 1, 0, 0, 0], output_shape=(6, 7))))
    np.testing.assert_array_equal(small, IMG[:2, :3])
    want = np.zeros((6, 7), np.float32)
    want[:5, :5] = IMG
    np.testing.assert_array_equal(big, want)


def test_transform_rows_and_composition_match_matrices():
    a = np.array([1.2, 0.3, -1.0, 0.1, 0.9, 2.0, 0.01, 0.02], np.float32)
    b = np.array([0.8, -0.2, 0.5, 0.4, 1.1, -0.7, -0.03, 0.05], np.float32)

    def mat(row):
        return np.append(row, 1.0).reshape(3, 3)

    h, w, angle = 4.0, 6.0, 0.3
    composed, rot, trans = run(lambda: (
        image.compose_transforms(a, b, a),
        image.angles_to_projective_transforms(angle, h, w),
        image.translations_to_projective_transforms([[2.0, -3.0]])))
    prod = mat(a) @ mat(b) @ mat(a)
    np.testing.assert_allclose(composed[0], (prod / prod[2, 2]).ravel()[:8],
                               rtol=1e-4, atol=1e-6)
    c, s = np.cos(angle), np.sin(angle)
    # The centre ((w-1)/2, (h-1)/2) must map to itself.
    centre = np.array([(w - 1) / 2, (h - 1) / 2, 1.0])
    np.testing.assert_allclose(mat(rot[0]) @ centre, centre, rtol=1e-6)
    np.testing.assert_allclose(rot[0][[0, 1, 3, 4, 6, 7]], [c, -s, s, c, 0, 0],
                               rtol=1e-6)
    np.testing.assert_array_equal(trans[0], [1, 0, -2, 0, 1, 3, 0, 0])


def test_composed_transform_equals_applying_in_order():
    t1 = image.translations_to_projective_transforms
    got_twice, got_once = run(lambda: (
        image.transform(image.transform(IMG, t1([1, 0])), t1([0, 2])),
        image.transform(IMG, image.compose_transforms(t1([1, 0]), t1([0, 2])))))
    np.testing.assert_array_equal(got_once, shift(IMG, 1, 2))
    np.testing.assert_array_equal(got_twice, got_once)


def test_gradient_flows_to_images():
    weights = np.random.RandomState(0).normal(size=(5, 5)).astype(np.float32)

    def build():
        img = tf.constant(IMG)
        out = image.translate(img, [1, -2])
        return tf.gradients(tf.reduce_sum(out * weights), img)[0]

    # d/d img[y, x] of sum_{y', x'} w[y', x'] img[y' + 2, x' - 1].
    np.testing.assert_allclose(run(build), shift(weights, -1, 2), rtol=1e-6)


def test_bad_inputs_raise_type_error():
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            image.rotate(tf.zeros([3, 3], tf.bool), 1.0)
        with pytest.raises(TypeError):
            image.transform(tf.zeros([1, 1, 3, 3, 1]), [1, 0, 0, 0, 1, 0, 0, 0])
        with pytest.raises(TypeError):
            image.transform(v1.placeholder(tf.float32), [1, 0, 0, 0, 1, 0, 0, 0])


# --- tf.contrib.opt ---------------------------------------------------------

C = np.array([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.7], [1.5, -2.0]], np.float32)
W0 = np.array([[0.1, 0.2], [-0.4, 0.3], [0.6, -0.5], [0.0, 1.0]], np.float32)
LR, B1, B2, EPS = 0.1, 0.9, 0.999, 1e-8


def two_steps(make_opt, loss_fn, feeds=(None, None), use_resource=True,
              decay_all=True):
    """Run two training steps; returns [var, m, v] after each step."""
    with tf.Graph().as_default():
        var = v1.get_variable("w", initializer=W0, use_resource=use_resource)
        other = v1.get_variable("u", initializer=W0, use_resource=use_resource)
        idx = v1.placeholder_with_default(np.array([0], np.int32), [None])
        optimizer = make_opt()
        loss = loss_fn(var, idx) + tf.reduce_sum(other * C)
        if decay_all:
            train = optimizer.minimize(loss)
        else:
            train = optimizer.apply_gradients(optimizer.compute_gradients(loss),
                                              decay_var_list=[other])
        fetch = [var, optimizer.get_slot(var, "m"), optimizer.get_slot(var, "v"),
                 other]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            out = []
            for feed in feeds:
                sess.run(train, {idx: feed} if feed is not None else None)
                out.append(sess.run(fetch))
            return out


def dense_loss(var, idx):
    return tf.reduce_sum(var * C) + 0.5 * tf.reduce_sum(var * var)   # g = C + w


def np_adam(w, m, v, g, t, nesterov=False, decay=0.0):
    lr_t = LR * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
    m = B1 * m + (1 - B1) * g
    v = B2 * v + (1 - B2) * g * g
    step_m = B1 * m + (1 - B1) * g if nesterov else m
    return w * (1 - decay) - lr_t * step_m / (np.sqrt(v) + EPS), m, v


@pytest.mark.parametrize("use_resource", [True, False])
def test_lazy_adam_sparse_touches_only_gathered_rows(use_resource):
    def loss(var, idx):
        return tf.reduce_sum(tf.gather(var, idx) * C[:3])   # idx has 3 entries

    got = two_steps(lambda: opt.LazyAdamOptimizer(LR), loss,
                    feeds=([2, 0, 2], [1, 3, 3]), use_resource=use_resource)
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, (rows, step) in enumerate(zip(([2, 0, 2], [1, 3, 3]), got), 1):
        g = np.zeros_like(W0)
        np.add.at(g, rows, C[:3])                # duplicate rows are summed
        lr_t = LR * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        for r in sorted(set(rows)):
            m[r] = B1 * m[r] + (1 - B1) * g[r]
            v[r] = B2 * v[r] + (1 - B2) * g[r] ** 2
            w[r] -= lr_t * m[r] / (np.sqrt(v[r]) + EPS)
        for got_x, want in zip(step[:3], (w, m, v)):
            np.testing.assert_allclose(got_x, want, rtol=1e-4, atol=1e-6)
    # After step 2, rows 0 and 2 kept step 1's moments (no decay).
    assert got[1][1][0, 0] == got[0][1][0, 0]


def test_lazy_adam_dense_is_adam():
    got = two_steps(lambda: opt.LazyAdamOptimizer(LR), dense_loss)
    w, m, v = W0, 0 * W0, 0 * W0
    for t, step in enumerate(got, 1):
        w, m, v = np_adam(w, m, v, C + w, t)
        np.testing.assert_allclose(step[0], w, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("use_resource", [True, False])
def test_nadam_dense(use_resource):
    got = two_steps(lambda: opt.NadamOptimizer(LR), dense_loss,
                    use_resource=use_resource)
    w, m, v = W0, 0 * W0, 0 * W0
    for t, step in enumerate(got, 1):
        w, m, v = np_adam(w, m, v, C + w, t, nesterov=True)
        for got_x, want in zip(step[:3], (w, m, v)):
            np.testing.assert_allclose(got_x, want, rtol=1e-4, atol=1e-6)


def test_nadam_sparse_decays_all_moments():
    def loss(var, idx):
        return tf.reduce_sum(tf.gather(var, idx) * C[:2])

    got = two_steps(lambda: opt.NadamOptimizer(LR), loss, feeds=([1, 3], [3, 0]))
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, (rows, step) in enumerate(zip(([1, 3], [3, 0]), got), 1):
        g = np.zeros_like(W0)
        np.add.at(g, rows, C[:2])
        lr_t = LR * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        m = B1 * m + (1 - B1) * g
        v = B2 * v + (1 - B2) * g * g
        for r in rows:
            w[r] -= lr_t * (B1 * m[r] + (1 - B1) * g[r]) / (np.sqrt(v[r]) + EPS)
        for got_x, want in zip(step[:3], (w, m, v)):
            np.testing.assert_allclose(got_x, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("use_resource", [True, False])
def test_adamw_decays_before_the_adam_step(use_resource):
    wd = 0.05
    got = two_steps(lambda: opt.AdamWOptimizer(wd, learning_rate=LR), dense_loss,
                    use_resource=use_resource, decay_all=False)
    w, m, v = W0, 0 * W0, 0 * W0
    u, mu, vu = W0, 0 * W0, 0 * W0
    for t, step in enumerate(got, 1):
        # decay_var_list=[u]: w gets plain Adam, u is decayed.
        w, m, v = np_adam(w, m, v, C + w, t)
        u, mu, vu = np_adam(u, mu, vu, C, t, decay=wd)
        for got_x, want in zip(step, (w, m, v, u)):
            np.testing.assert_allclose(got_x, want, rtol=1e-4, atol=1e-6)


def test_adamw_decays_all_by_default():
    wd = 0.05
    got = two_steps(lambda: opt.AdamWOptimizer(wd, learning_rate=LR), dense_loss)
    w, m, v = W0, 0 * W0, 0 * W0
    for t, step in enumerate(got, 1):
        w, m, v = np_adam(w, m, v, C + w, t, decay=wd)
        np.testing.assert_allclose(step[0], w, rtol=1e-4, atol=1e-6)


def test_moving_average_optimizer_and_swapping_saver(tmp_path):
    decay, lr = 0.5, 0.1
    grad = np.array([1.0, -2.0], np.float32)
    w0 = np.array([1.0, 2.0], np.float32)
    path = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        w = v1.get_variable("w", initializer=w0)
        optimizer = opt.MovingAverageOptimizer(
            v1.train.GradientDescentOptimizer(lr), average_decay=decay)
        with pytest.raises(RuntimeError):
            optimizer.swapping_saver()
        train = optimizer.minimize(tf.reduce_sum(w * grad))
        saver = optimizer.swapping_saver()
        with pytest.raises(ValueError):
            optimizer.swapping_saver([w])              # average left out
        avg = [x for x in v1.global_variables() if x.op.name != "w"][0]
        assert avg.op.name == "w/ExponentialMovingAverage"
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            steps = []
            for _ in range(2):
                sess.run(train)
                steps.append(sess.run([w, avg]))
            saver.save(sess, path)
    want_w, want_avg = w0, w0                         # average starts at w0
    for got_w, got_avg in steps:
        want_w = want_w - lr * grad
        want_avg = decay * want_avg + (1 - decay) * want_w   # after the step
        np.testing.assert_allclose(got_w, want_w, rtol=1e-6)
        np.testing.assert_allclose(got_avg, want_avg, rtol=1e-6)
    reader = tf.train.load_checkpoint(path)
    np.testing.assert_allclose(reader.get_tensor("w"), want_avg, rtol=1e-6)
    np.testing.assert_allclose(
        reader.get_tensor("w/ExponentialMovingAverage"), want_w, rtol=1e-6)
    # A fresh model restored with a plain Saver gets the averaged weights.
    with tf.Graph().as_default():
        w = v1.get_variable("w", shape=[2])
        with v1.Session() as sess:
            v1.train.Saver([w]).restore(sess, path)
            np.testing.assert_allclose(sess.run(w), want_avg, rtol=1e-6)


def test_adamw_minimize_decay_var_list_decays_everything_as_tf1():
    # TF 1.x's minimize passed no decay_var_list on to apply_gradients,
    # which reset it: every variable was decayed.
    wd = 0.05
    with tf.Graph().as_default():
        w = v1.get_variable("w", initializer=W0)
        u = v1.get_variable("u", initializer=W0)
        train = opt.AdamWOptimizer(wd, learning_rate=LR).minimize(
            tf.reduce_sum((w + u) * C), decay_var_list=[u])
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train)
            got_w, got_u = sess.run([w, u])
    want = np_adam(W0, 0 * W0, 0 * W0, C, 1, decay=wd)[0]
    np.testing.assert_allclose(got_w, want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_u, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("use_resource", [True, False])
def test_adamw_sparse_decays_gathered_rows_only(use_resource):
    wd = 0.05

    def loss(var, idx):
        return tf.reduce_sum(tf.gather(var, idx) * C[:2])

    got = two_steps(lambda: opt.AdamWOptimizer(wd, learning_rate=LR), loss,
                    feeds=([1, 3], [3, 0]), use_resource=use_resource)
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, (rows, step) in enumerate(zip(([1, 3], [3, 0]), got), 1):
        g = np.zeros_like(W0)
        np.add.at(g, rows, C[:2])
        w[rows] *= 1 - wd                       # decay first, touched rows only
        lr_t = LR * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        m = B1 * m + (1 - B1) * g               # plain Adam: every row decays
        v = B2 * v + (1 - B2) * g * g
        w -= lr_t * m / (np.sqrt(v) + EPS)     # ... and every row steps
        np.testing.assert_allclose(step[0], w, rtol=1e-4, atol=1e-6)
