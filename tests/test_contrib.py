"""tf.contrib served by the table (compat/api/names/contrib.py): a TF 1.x-era
program using contrib.slim, contrib.layers, contrib.framework and
contrib.rnn runs through the runner and, upgraded, on plain Python with the
same output, and the numbers are those computed here with numpy from the
TF 1.x documentation of each function; an unsupported contrib name stops
with one line."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compat import api
from compat import upgrade
from compat.api.names import contrib
from conftest import REPO_ROOT, plain_env

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")

# Written as 2017-2018 programs were: slim through tf.contrib and the
# tensorflow.contrib module paths, arg_scope defaults, contrib.rnn cells.
PROGRAM = '''
import json
import sys
import numpy as np
import tensorflow as tf
import tensorflow.contrib.slim as slim
from tensorflow.contrib.layers import xavier_initializer

tf.set_random_seed(1234)
out = {}
x = tf.constant([[1.0, -2.0, 3.0]])
fc = tf.contrib.layers.fully_connected(
    x, 2, activation_fn=None,
    weights_initializer=tf.constant_initializer([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
    biases_initializer=tf.constant_initializer(0.25))

W = tf.constant([[1.0, -2.0], [3.0, 0.5]])
l2 = tf.contrib.layers.l2_regularizer(0.1)(W)

glorot = tf.get_variable("glorot", [200, 300], initializer=xavier_initializer(seed=7))

with slim.arg_scope([slim.fully_connected], activation_fn=tf.nn.relu,
                    weights_initializer=tf.constant_initializer(-1.0)):
    scoped = slim.fully_connected(x, 3, scope="scoped")
    unscoped_fn = slim.fully_connected(x, 3, activation_fn=None, scope="explicit")

images = tf.constant(np.arange(24, dtype=np.float32).reshape(4, 6))
normed = tf.contrib.layers.batch_norm(images, is_training=True, scope="bn")
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.variable_scope("bn", reuse=True):
    moving_mean = tf.get_variable("moving_mean")
    moving_variance = tf.get_variable("moving_variance")

step = tf.contrib.framework.get_or_create_global_step()

cell = tf.contrib.rnn.BasicLSTMCell(3, forget_bias=1.0)
inputs = tf.constant([[0.5, -1.0]])
state = tf.contrib.rnn.LSTMStateTuple(tf.constant([[0.1, -0.2, 0.3]]),
                                      tf.constant([[0.0, 0.4, -0.5]]))
with tf.variable_scope("lstm"):
    h, new_state = cell(inputs, state)
kernel, bias = cell.variables
kernel_value = np.linspace(-1.0, 1.0, 5 * 12).reshape(5, 12).astype(np.float32)
bias_value = np.linspace(-0.5, 0.5, 12).astype(np.float32)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run([kernel.assign(kernel_value), bias.assign(bias_value)])
    out["fc"] = sess.run(fc).tolist()
    out["l2"] = float(sess.run(l2))
    out["glorot"] = sess.run(glorot).ravel().tolist()
    out["scoped"] = sess.run(scoped).tolist()
    out["explicit"] = sess.run(unscoped_fn).tolist()
    sess.run(update_ops)
    out["moving_mean"] = sess.run(moving_mean).tolist()
    out["moving_variance"] = sess.run(moving_variance).tolist()
    out["step"] = int(sess.run(step))
    out["lstm_h"], out["lstm_c"] = [v.tolist() for v in sess.run([h, new_state.c])]
json.dump(out, open(sys.argv[1], "w"))
'''

UNSUPPORTED = '''
import tensorflow as tf
graph = tf.contrib.quantize.create_training_graph(tf.get_default_graph())
'''


def _run(args, tmp_path, env):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=str(tmp_path), env=env, timeout=300)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The program's output through the runner and upgraded on plain Python."""
    tmp = tmp_path_factory.mktemp("contrib")
    (tmp / "prog.py").write_text(PROGRAM)
    result = upgrade.upgrade_source(PROGRAM, "prog.py")
    (tmp / "prog_up.py").write_text(result.source)
    ran = _run([RUNNER, "prog.py", str(tmp / "runner.json")], tmp, plain_env())
    assert ran.returncode == 0, ran.stderr[-3000:]
    plain = _run(["prog_up.py", str(tmp / "plain.json")], tmp, plain_env())
    assert plain.returncode == 0, plain.stderr[-3000:]
    return {"runner": json.loads((tmp / "runner.json").read_text()),
            "upgraded": json.loads((tmp / "plain.json").read_text()),
            "upgrade": result, "stderr": ran.stderr}


def test_runner_and_upgraded_agree(outputs):
    assert outputs["runner"] == outputs["upgraded"]


def test_runner_reports_the_served_names(outputs):
    for name in ("tf.contrib.slim", "tf.contrib.layers.xavier_initializer",
                 "tf.contrib.layers.fully_connected", "tf.contrib.rnn.BasicLSTMCell"):
        assert "%s -> %s (changed in TF 2.0) at prog.py:" % (name, api.BY_OLD[name].new) \
            in outputs["stderr"], name


def test_fully_connected_is_x_w_plus_b(outputs):
    w = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    expected = np.array([[1.0, -2.0, 3.0]]) @ w + 0.25       # [[1.25, 1.45]]
    np.testing.assert_allclose(outputs["runner"]["fc"], expected, rtol=1e-6)


def test_l2_regularizer_is_half_the_scaled_sum_of_squares(outputs):
    # contrib: scale * nn.l2_loss(W) = scale * sum(W**2) / 2 = 0.1 * 14.25 / 2.
    assert outputs["runner"]["l2"] == pytest.approx(0.1 * (1 + 4 + 9 + 0.25) / 2, rel=1e-6)


def test_xavier_initializer_is_uniform_in_glorots_limit(outputs):
    # xavier_initializer(uniform=True): U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)),
    # so variance limit**2 / 3 = 2 / (fan_in + fan_out).
    sample = np.asarray(outputs["runner"]["glorot"])
    limit = np.sqrt(6.0 / (200 + 300))
    assert sample.min() >= -limit and sample.max() <= limit
    assert sample.min() < -0.99 * limit and sample.max() > 0.99 * limit
    assert sample.var() == pytest.approx(limit ** 2 / 3, rel=0.03)
    assert abs(sample.mean()) < 0.003
    # Uniform, not truncated normal: a tenth of the range holds a tenth of the draws.
    assert np.mean(np.abs(sample) > 0.9 * limit) == pytest.approx(0.1, abs=0.01)


def test_arg_scope_supplies_defaults_and_explicit_arguments_win(outputs):
    x = np.array([[1.0, -2.0, 3.0]])
    pre = x @ -np.ones((3, 3))                                 # -2 in each unit; biases 0
    np.testing.assert_allclose(outputs["runner"]["scoped"], np.maximum(pre, 0))
    np.testing.assert_allclose(outputs["runner"]["explicit"], pre)


def test_batch_norm_moving_averages_decay_0999(outputs):
    images = np.arange(24, dtype=np.float64).reshape(4, 6)
    # contrib.layers.batch_norm: decay=0.999, moving_mean starts at 0 and
    # moving_variance at 1; one update: m <- decay * m + (1 - decay) * batch value.
    # fused=None picks the fused kernel for 2-D/4-D inputs, whose batch
    # variance for the moving average is the unbiased one (ddof=1): 60, not 45.
    np.testing.assert_allclose(outputs["runner"]["moving_mean"],
                               0.001 * images.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(outputs["runner"]["moving_variance"],
                               0.999 + 0.001 * images.var(axis=0, ddof=1), rtol=1e-5)
    assert outputs["runner"]["step"] == 0


def test_basic_lstm_cell_step_matches_numpy(outputs):
    kernel = np.linspace(-1.0, 1.0, 60).reshape(5, 12).astype(np.float32)
    bias = np.linspace(-0.5, 0.5, 12).astype(np.float32)
    c, h = np.array([[0.1, -0.2, 0.3]]), np.array([[0.0, 0.4, -0.5]])
    gates = np.concatenate([[[0.5, -1.0]], h], axis=1) @ kernel + bias
    i, j, f, o = np.split(gates, 4, axis=1)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    new_c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
    new_h = np.tanh(new_c) * sigmoid(o)
    np.testing.assert_allclose(outputs["runner"]["lstm_c"], new_c, rtol=1e-5)
    np.testing.assert_allclose(outputs["runner"]["lstm_h"], new_h, rtol=1e-5)


def test_upgraded_source_imports_the_glue_before_tensorflow(outputs):
    source = outputs["upgrade"].source
    lines = source.splitlines()
    glue = next(i for i, line in enumerate(lines) if line.startswith("import compat.tf1x.slim"))
    assert glue < lines.index("import tf_slim") < lines.index("import tensorflow.compat.v1 as tf")
    assert 'os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")' in lines
    assert "import tf_slim as slim" in lines
    assert "from tf_slim import xavier_initializer" in lines
    assert "tf_slim.fully_connected(" in source and "tf.nn.rnn_cell.BasicLSTMCell(" in source
    code = [line.partition("#")[0] for line in lines]   # the glue line's comment names it
    assert not any("tf.contrib" in line for line in code) and not outputs["upgrade"].flags


def test_unsupported_contrib_name_stops_with_one_line(tmp_path):
    (tmp_path / "old.py").write_text(UNSUPPORTED)
    ran = _run([RUNNER, "old.py"], tmp_path, plain_env())
    assert ran.returncode != 0
    # (A 1.x program using no name whose meaning the era decides: no era line.)
    last = ran.stderr.strip().splitlines()
    assert len(last) == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert "tf.contrib.quantize (old.py:3) has no safe mapping" \
        in last[0]
    flags = upgrade.upgrade_source(UNSUPPORTED, "old.py").flags
    assert [(f.name, f.line) for f in flags] == [("tf.contrib", 3)]


def test_every_contrib_entry_resolves_to_the_contrib_function(tmp_path):
    # Each new path exists once the glue is in; contrib's initializers are
    # tf_slim's, not core's (glorot_normal's truncated-normal constant differs).
    code = textwrap.dedent("""
        import json, sys
        import compat.tf1x.slim
        from compat.legacy import shim
        from compat.api.names import contrib
        missing = []
        for entry in contrib.ENTRIES:
            try:
                shim._modern(entry)
            except (AttributeError, ImportError):
                missing.append(entry.old)
        import tf_slim, inspect
        source = inspect.getsource(shim._modern(contrib.ENTRIES[1]))
        print(json.dumps([missing, "tf_slim" in inspect.getsourcefile(tf_slim.xavier_initializer),
                          "FAN_AVG" in source]))
        """)
    ran = _run(["-c", code], tmp_path, plain_env())
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout.splitlines()[-1]) == [[], True, True]
    assert contrib.ENTRIES[1].old == "tf.contrib.layers.xavier_initializer"


def test_coverage_classifies_paths_and_counts_the_share():
    from compat.api import coverage
    usage = [{"api": "tf.contrib.slim", "usage_lines": 10},
             {"api": "tf.contrib.slim.arg_scope", "usage_lines": 5},
             {"api": "tf.contrib.slim.no_such_thing", "usage_lines": 1},
             {"api": "tf.contrib.layers", "usage_lines": 4},
             {"api": "tf.contrib.quantize.create_training_graph", "usage_lines": 20}]
    rows, shares = coverage.coverage(usage, lambda new, rest: rest != "no_such_thing")
    assert [(r.runner, r.upgrader) for r in rows] == [
        (True, True), (True, True), (False, False), (True, True), (False, False)]
    assert shares == {"runner": 19 / 40, "upgrader": 19 / 40, "lines": 40}
    assert "runner serves 47.5% and the upgrader rewrites 47.5%" in coverage.markdown(rows, shares)


NAMESPACE_IMPORT = """\
import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn
layers = tf.contrib.layers

x = tf.placeholder(tf.float32, [2, 3, 5])
cell = rnn.BasicLSTMCell(4, forget_bias=1.0)
outputs, state = rnn.static_rnn(cell, tf.unstack(x, 3, 1), dtype=tf.float32)
top = layers.fully_connected(outputs[-1], 1, activation_fn=None,
                             weights_initializer=tf.ones_initializer())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    last, h, summed = sess.run([outputs[-1], state.h, top], {x: np.ones([2, 3, 5])})
    print(last.shape, h.shape, np.allclose(summed[:, 0], last.sum(axis=1)))
"""


def test_namespace_import_of_served_names_upgrades_and_runs(tmp_path):
    """`from tensorflow.contrib import rnn`, `layers = tf.contrib.layers`:
    the runner serves the namespaces; the upgrader rewrites each `rnn.X`
    and `layers.X` where used and drops the import and the alias."""
    result = upgrade.upgrade_source(NAMESPACE_IMPORT, "old.py")
    # (the set-up line's comment names what needed it)
    code = [line.partition("#")[0] for line in result.source.splitlines()]
    assert not any("contrib" in line for line in code) and not result.flags
    assert "layers =" not in result.source
    assert "cell = tf.nn.rnn_cell.BasicLSTMCell(4, forget_bias=1.0)" in result.source
    assert "tf.nn.static_rnn(cell," in result.source
    assert "top = tf_slim.fully_connected(outputs[-1]," in result.source
    (tmp_path / "old.py").write_text(NAMESPACE_IMPORT)
    (tmp_path / "new.py").write_text(result.source)
    ran = _run([RUNNER, "--quiet", "old.py"], tmp_path, plain_env())
    upgraded = _run(["new.py"], tmp_path, plain_env())
    for done in (ran, upgraded):
        assert done.returncode == 0, done.stderr[-2000:]
        # 2 examples, 4 LSTM units: the last output and the state's h; a
        # layer of weights one and no bias sums the units.
        assert done.stdout.strip().splitlines()[-1] == "(2, 4) (2, 4) True"


def test_namespace_alias_rebound_or_shadowed_is_left_alone():
    """An alias whose name is bound again keeps its assignment and is
    flagged (its uses cannot all be rewritten); a parameter of the same
    name inside a function is not the namespace."""
    rebound = upgrade.upgrade_source(
        "import tensorflow as tf\nrnn = tf.contrib.rnn\nrnn = None\n", "old.py")
    assert "rnn = tf.contrib.rnn\n" in rebound.source
    assert [f.line for f in rebound.flags] == [2]
    shadowed = upgrade.upgrade_source(
        "import tensorflow as tf\nrnn = tf.contrib.rnn\n"
        "def cell(rnn):\n    return rnn.GRUCell(3)\n"
        "top = rnn.GRUCell(2)\n", "old.py")
    assert "rnn =" not in shadowed.source and not shadowed.flags
    assert "    return rnn.GRUCell(3)\n" in shadowed.source
    assert "top = tf.nn.rnn_cell.GRUCell(2)\n" in shadowed.source


NAMESPACE_VALUES = """\
import numpy as np
import tensorflow as tf
signal = tf.contrib.signal
crf = tf.contrib.crf
window = signal.hann_window(4)
with tf.Session() as sess:
    path, _ = crf.viterbi_decode(np.array([[0., 1.], [2., 0.]]), np.zeros([2, 2]))
    print(sess.run(window).tolist(), path)
"""


def test_namespace_values_served_by_one_module_are_that_module(tmp_path):
    """`crf = tf.contrib.crf`: every name the table serves under it comes
    from one module, so the upgraded file binds that module."""
    result = upgrade.upgrade_source(NAMESPACE_VALUES, "old.py")
    assert not result.flags
    assert "signal = tf.signal\n" in result.source
    assert "crf = compat.tf1x.crf\n" in result.source
    assert "import compat.tf1x.crf\n" in result.source
    (tmp_path / "old.py").write_text(NAMESPACE_VALUES)
    (tmp_path / "new.py").write_text(result.source)
    for argv in ([RUNNER, "--quiet", "old.py"], ["new.py"]):
        done = _run(argv, tmp_path, plain_env())
        assert done.returncode == 0, done.stderr[-2000:]
        # A periodic Hann window of 4; the best path takes each step's max.
        assert done.stdout.strip().splitlines()[-1] == "[0.0, 0.5, 1.0, 0.5] [1, 0]"
