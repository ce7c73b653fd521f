"""The legacy runner: every name of the legacy table on a small old-style
snippet run through scripts/run_legacy.py, checked against what the modern
form gives; positional-order cases; flags; the MNIST tutorial modules; the
watchdog; names with no mapping; bad input."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compat import api
from compat.api.names import contrib, tf0_objects
from conftest import REPO_ROOT, write_mnist_dir
from test_tf0_upgrade_table import COVERED as TF0_TABLE_NAMES

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import run_legacy  # noqa: E402

RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")

# Each case: old-style code and modern code, each assigning `r` (a tensor or
# list of tensors); the program evaluates both and they must agree.
PRELUDE = """
import json, sys
import numpy as np
import tensorflow as tf
a = tf.constant([[1., 2., 3.], [4., 5., 6.]])
b = tf.constant([[6., 5., 4.], [3., 2., 1.]])
"""
CASES = {
    "tf.pack": ("r = tf.pack([a, b])", "r = tf.stack([a, b])"),
    "tf.unpack": ("r = tf.unpack(a)", "r = tf.unstack(a)"),
    "tf.mul": ("r = tf.mul(a, b)", "r = tf.multiply(a, b)"),
    "tf.sub": ("r = tf.sub(a, b)", "r = tf.subtract(a, b)"),
    "tf.neg": ("r = tf.neg(a)", "r = tf.negative(a)"),
    # The program these cases make uses tf.pack, gone in TF 1.0: a TF 0.x
    # program (compat.api.era), whose integer tf.div truncated toward zero
    # (RELEASE.md 1.0.0): np.trunc([7, -7] / 2) = [3, -3].
    "tf.div": ("r = tf.div(tf.constant([7, -7]), 2)", "r = tf.constant([3, -3])"),
    "tf.select": ("r = tf.select(tf.constant([True, False]), a, b)",
                  "r = tf.where(tf.constant([True, False]), a, b)"),
    "tf.batch_matmul": ("r = tf.batch_matmul(tf.stack([a, b]), tf.stack([a, b]), adj_y=True)",
                        "r = tf.matmul(tf.stack([a, b]), tf.stack([a, b]), adjoint_b=True)"),
    "tf.arg_max": ("r = tf.arg_max(a, 1)", "r = tf.argmax(a, axis=1)"),
    "tf.arg_min": ("r = tf.arg_min(b, 0)", "r = tf.argmin(b, axis=0)"),
    "tf.concat": ("r = tf.concat(1, [a, b])", "r = tf.concat([a, b], 1)"),
    "tf.split": ("r = tf.split(1, 3, a)", "r = tf.split(a, 3, 1)"),
    "tf.reverse": ("r = tf.reverse(a, [False, True])", "r = tf.reverse(a, [1])"),
    # The variable's value read back after running the old initializer in
    # its own session: [[2, 4, 6], [8, 10, 12]] by hand.  Without a working
    # initializer the read fails (FailedPreconditionError) or differs.
    "tf.initialize_all_variables": (
        "v = tf.Variable(a * 2.)\n_s = tf.Session()\n_s.run(tf.initialize_all_variables())\n"
        "r = tf.constant(_s.run(v))",
        "r = tf.constant([[2., 4., 6.], [8., 10., 12.]])"),
    "tf.nn.softmax_cross_entropy_with_logits": (
        "l = tf.nn.softmax_cross_entropy_with_logits(a, tf.nn.softmax(b))\n"
        "r = [l, tf.gradients(l, a)[0]]",
        "l = tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=tf.nn.softmax(b), logits=a)\n"
        "r = [l, tf.gradients(l, a)[0]]"),
    "tf.nn.sparse_softmax_cross_entropy_with_logits": (
        "r = tf.nn.sparse_softmax_cross_entropy_with_logits(a, tf.constant([2, 0]))",
        "r = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2, 0]), logits=a)"),
    "tf.nn.sigmoid_cross_entropy_with_logits": (
        "r = [tf.nn.sigmoid_cross_entropy_with_logits(a, b / 6.),"
        " tf.nn.sigmoid_cross_entropy_with_logits(logits=a, targets=b / 6.)]",
        "r = [tf.nn.sigmoid_cross_entropy_with_logits(labels=b / 6., logits=a)] * 2"),
    "tf.nn.dropout": ("r = tf.nn.dropout(a, 0.5, seed=3)",
                      "r = tf.compat.v1.nn.dropout(a, keep_prob=0.5, seed=3)"),
}
# Names checked by what they build rather than by a value.
STRUCTURAL = {
    "tf.scalar_summary", "tf.image_summary", "tf.histogram_summary", "tf.audio_summary",
    "tf.merge_summary", "tf.merge_all_summaries", "tf.train.SummaryWriter",
    "tf.initialize_variables", "tf.initialize_local_variables", "tf.all_variables",
    "tf.nn.rnn", "tf.nn.bidirectional_rnn", "tf.nn.rnn_cell",
    "tensorflow.python.ops.rnn.rnn", "tensorflow.python.ops.rnn.bidirectional_rnn",
    "tf.app.flags", "tf.app.run",
    "tensorflow.examples.tutorials.mnist.input_data", "tensorflow.examples.tutorials.mnist.mnist",
    "tf.contrib", "tf.user_ops",
    # Run as a whole program in tests/test_estimator.py.
    "tf.estimator", "tf.contrib.learn",
    # Run on a ps/worker cluster in tests/test_legacy_cluster.py.
    "tf.train.SyncReplicasOptimizer", "tf.train.SyncReplicasOptimizerV2",
    # NumPy's removed aliases, in tests/test_numpy_aliases.py.
    *(entry.old for entry in api.ENTRIES if entry.old.startswith(api.VALUE_MODULES)),
    # Run both ways, with numpy's numbers, in tests/test_tf1_layers.py.
    "tf.layers", "tf.keras",
    *("tensorflow.python.keras." + name for name in (
        "activations", "applications", "backend", "callbacks", "constraints", "datasets",
        "engine", "initializers", "layers", "losses", "metrics", "models", "optimizers",
        "preprocessing", "regularizers", "utils")),
}
# TF 1.0's upgrade table, run both ways against numpy in
# tests/test_tf0_upgrade_table.py.
STRUCTURAL |= TF0_TABLE_NAMES
# Names whose meaning depends on the program's era, run both ways in
# tests/test_era_semantics.py.
STRUCTURAL |= {entry.old for entry in api.ENTRIES if entry.era_adapter and entry.old != "tf.div"}
# tf.contrib: every entry resolved, and an era program run through both
# engines, in tests/test_contrib.py.
STRUCTURAL |= {entry.old for entry in contrib.ENTRIES}
# TF 0.x classes and initializers: one program run both ways in
# tests/test_tf0_objects.py.
STRUCTURAL |= {entry.old for entry in tf0_objects.ENTRIES}


def run_program(tmp_path, source, *args, runner_args=(), name="prog.py"):
    """Run ``source`` through run_legacy.py in a subprocess; returns the
    CompletedProcess and the parsed --report."""
    program = tmp_path / name
    program.write_text(textwrap.dedent(source))
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, RUNNER, "--report=%s" % report, *runner_args, str(program), *args],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=300,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    changes = json.loads(report.read_text())["changes"] if report.exists() else None
    return result, changes


def test_importing_the_runner_changes_no_environment():
    """scripts/run_legacy.py chooses legacy Keras in main(), not on import:
    a test or a tool that imports it leaves os.environ as it was (and
    TensorFlow unloaded).  Checked in a fresh process, with the variable
    unset, so the import really runs and setdefault would show."""
    check = ("import os, sys\nsys.path.insert(0, %r)\nbefore = dict(os.environ)\n"
             "import run_legacy\nprint(dict(os.environ) == before, 'tensorflow' in sys.modules)"
             % str(REPO_ROOT / "scripts"))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("TF_USE_LEGACY_KERAS", None)
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_every_table_entry_is_tested():
    assert set(CASES) | STRUCTURAL == {e.old for e in api.ENTRIES}


def test_all_value_cases_in_one_program(tmp_path):
    """One program holding every value case: the legacy result of each must
    equal its modern form's, and each legacy name must be reported."""
    body = [PRELUDE, "results = {}",
            "as_list = lambda r: list(r) if isinstance(r, (list, tuple)) else [r]"]
    for i, (name, (legacy, modern)) in enumerate(sorted(CASES.items())):
        body.append(legacy)
        body.append("legacy_%d = r" % i)
        body.append(modern)
        body.append("modern_%d = r" % i)
        body.append("results[%r] = (as_list(legacy_%d), as_list(modern_%d))" % (name, i, i))
    body.append(textwrap.dedent("""
        with tf.Session() as s:
            out = {k: s.run(list(v)) for k, v in results.items()}
        json.dump({k: [[np.asarray(x).tolist() for x in side] for side in v]
                   for k, v in out.items()}, open(sys.argv[1], 'w'))
        """))
    result, changes = run_program(tmp_path, "\n".join(body), str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    for name in CASES:
        legacy, modern = out[name]
        assert len(legacy) == len(modern), name
        for old_value, new_value in zip(legacy, modern):
            np.testing.assert_allclose(np.asarray(old_value, dtype=float),
                                       np.asarray(new_value, dtype=float), rtol=1e-6,
                                       err_msg=name)
    reported = {c["name"] for c in changes if c["kind"] == "api"}
    # tf.div is reported for its TF 0.x meaning.
    assert set(CASES) - {"tf.div"} <= reported
    assert "tf.div" in {c["name"] for c in changes if c["kind"] == "era"}
    # Each name is said once on stderr, with its replacement and line.
    assert result.stderr.count("tf.pack -> tf.stack (changed in TF 1.0) at prog.py:") == 1


# The pre-1.0 (logits, labels) order, as the Stack Overflow program wrote it:
# a wrong mapping would swap them and stop the gradient, so nothing learns.
TRAINING_PROGRAM = """
import tensorflow as tf
x = tf.constant([[1., 0.], [0., 1.]])
y = tf.constant([[0., 1.], [1., 0.]])
w = tf.Variable(tf.zeros([2, 2]))
pred = tf.matmul(x, w)
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))
step = tf.train.GradientDescentOptimizer(1.0).minimize(cost)
with tf.Session() as s:
    s.run(tf.initialize_all_variables())
    first = s.run(cost)
    for _ in range(20):
        s.run(step)
    print(first, s.run(cost))
"""


def test_positional_cross_entropy_keeps_logits_and_trains(tmp_path):
    result, changes = run_program(tmp_path, TRAINING_PROGRAM)
    assert result.returncode == 0, result.stderr
    first, last = map(float, result.stdout.split())
    assert abs(first - np.log(2)) < 1e-6
    assert last < 0.1 * first
    assert any(c["name"] == "tf.nn.softmax_cross_entropy_with_logits" and c["line"] == 7
               for c in changes)


def test_new_order_calls_pass_through_unreported(tmp_path):
    result, changes = run_program(tmp_path, PRELUDE + """
r = [tf.concat([a, b], 1), tf.split(a, 3, 1)[0], tf.reverse(a, [1]),
     tf.nn.softmax_cross_entropy_with_logits(labels=b, logits=a)]
print([t.shape.as_list() for t in r])
""")
    assert result.returncode == 0, result.stderr
    assert "[[2, 6], [2, 1], [2, 3], [2]]" in result.stdout
    assert changes == []


def test_summaries_use_their_tags_literally(tmp_path):
    result, changes = run_program(tmp_path, PRELUDE + """
from tensorflow.core.framework import summary_pb2
with tf.name_scope('scope'):
    s1 = tf.scalar_summary('loss', tf.reduce_sum(a))
    s2 = tf.scalar_summary(['x', 'y'], tf.constant([1., 2.]))
    s3 = tf.image_summary('img', tf.zeros([2, 4, 4, 1]), max_images=1)
    s4 = tf.histogram_summary('h', a)
    s5 = tf.audio_summary('snd', tf.zeros([1, 8]), 8000, max_outputs=1)
merged = tf.merge_summary([s1, s2])
every = tf.merge_all_summaries()
writer = tf.train.SummaryWriter(sys.argv[1])
with tf.Session() as s:
    for name, op in [('merged', merged), ('every', every), ('img', s3), ('h', s4), ('snd', s5)]:
        proto = summary_pb2.Summary.FromString(s.run(op))
        print(name, sorted(v.tag for v in proto.value))
    writer.add_summary(s.run(every), 1)
    writer.close()
print(type(writer).__name__)
""", str(tmp_path / "logs"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "merged ['loss', 'x', 'y']" in lines
    assert "every ['h', 'img/image', 'loss', 'snd/audio', 'x', 'y']" in lines
    assert "FileWriter" in lines
    assert os.listdir(tmp_path / "logs")
    reported = {c["name"] for c in changes}
    assert {"tf.scalar_summary", "tf.image_summary", "tf.histogram_summary",
            "tf.audio_summary", "tf.merge_summary", "tf.merge_all_summaries",
            "tf.train.SummaryWriter"} <= reported


INIT_PROGRAM = """
import tensorflow as tf
v = tf.Variable(3.0)
w = tf.Variable(4.0)
loc = tf.Variable(5.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
with tf.Session() as s:
    s.run(tf.initialize_variables([v]))
    s.run(tf.initialize_local_variables())
    print(s.run(v), s.run(loc), s.run(tf.is_variable_initialized(w)),
          [x.op.name for x in tf.all_variables()])
"""


def test_variable_initializers(tmp_path):
    result, changes = run_program(tmp_path, INIT_PROGRAM)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "3.0 5.0 False ['Variable', 'Variable_1']"


RNN_PROGRAM = """
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn, rnn_cell
x = [tf.constant(np.full([2, 3], i + 1.0, np.float32)) for i in range(4)]
init = tf.constant_initializer(0.1)
with tf.variable_scope('old', initializer=init):
    out_old, _ = tf.nn.rnn(tf.nn.rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
with tf.variable_scope('new', initializer=init):
    out_new, _ = tf.compat.v1.nn.static_rnn(tf.compat.v1.nn.rnn_cell.BasicLSTMCell(5), x,
                                            dtype=tf.float32)
with tf.variable_scope('imported', initializer=init):
    out_imp, _ = rnn.rnn(rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
with tf.variable_scope('bi', initializer=init):
    out_bi, _, _ = tf.nn.bidirectional_rnn(tf.nn.rnn_cell.BasicLSTMCell(5),
                                           tf.nn.rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
with tf.variable_scope('bi2', initializer=init):
    out_bi2, _, _ = rnn.bidirectional_rnn(rnn_cell.BasicLSTMCell(5),
                                          rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
with tf.Session() as s:
    s.run(tf.initialize_all_variables())
    o, n, i, b, b2 = s.run([out_old[-1], out_new[-1], out_imp[-1], out_bi[-1], out_bi2[-1]])
print(np.allclose(o, n), np.allclose(o, i), b.shape, np.allclose(b, b2))
"""


def test_rnn_names(tmp_path):
    result, changes = run_program(tmp_path, RNN_PROGRAM)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True (2, 10) True"
    reported = {c["name"] for c in changes}
    assert {"tf.nn.rnn", "tf.nn.rnn_cell", "tf.nn.bidirectional_rnn",
            "tensorflow.python.ops.rnn.rnn",
            "tensorflow.python.ops.rnn.bidirectional_rnn"} <= reported


def test_flags_are_lenient_like_tf0(tmp_path):
    # Module-level FLAGS reads before tf.app.run, and arguments the program
    # parses itself with argparse, both worked in TF 0.x.
    result, changes = run_program(tmp_path, """
import argparse
import tensorflow as tf
flags = tf.app.flags
flags.DEFINE_integer('steps', 3, 'steps')
flags.DEFINE_string('name', 'x', 'name')
FLAGS = flags.FLAGS
print('early', FLAGS.steps)
parser = argparse.ArgumentParser()
parser.add_argument('--extra', type=int, default=0)
def main(argv):
    args, _ = parser.parse_known_args(argv[1:])
    print('main', FLAGS.steps, FLAGS.name, args.extra, argv[1:])
    return 4
if __name__ == '__main__':
    tf.app.run()
""", "--steps=7", "--extra=9", "--name=q")
    assert result.returncode == 4, result.stderr
    assert result.stdout.splitlines() == ["early 7", "main 7 q 9 ['--extra=9']"]
    assert {"tf.app.flags", "tf.app.run"} <= {c["name"] for c in changes}


def test_mnist_tutorial_modules(tmp_path):
    data = tmp_path / "asked"
    write_mnist_dir(data, n_train=60, n_test=10)
    result, changes = run_program(tmp_path, """
import sys
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data
from tensorflow.examples.tutorials.mnist import mnist
tf.set_random_seed(1)
data = input_data.read_data_sets(sys.argv[1], one_hot=False, validation_size=10)
images = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS])
labels = tf.placeholder(tf.int32, [None])
logits = mnist.inference(images, 16, 8)
loss = mnist.loss(logits, labels)
train = mnist.training(loss, 0.1)
correct = mnist.evaluation(logits, labels)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    x, y = data.train.next_batch(20)
    first = s.run(loss, {images: x, labels: y})
    for _ in range(30):
        s.run(train, {images: x, labels: y})
    print(data.train.num_examples, first > s.run(loss, {images: x, labels: y}),
          s.run(correct, {images: x, labels: y}) <= 20)
""", str(data))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "50 True True"
    assert {"tensorflow.examples.tutorials.mnist.input_data",
            "tensorflow.examples.tutorials.mnist.mnist"} <= {c["name"] for c in changes}


MNIST_READER = """
from tensorflow.examples.tutorials.mnist import input_data
data = input_data.read_data_sets("/nonexistent/asked", one_hot=True, validation_size=10,
                                 source_url="http://127.0.0.1:9/")
print(data.train.num_examples)
"""


def test_data_dir_override_and_missing_data_message(tmp_path):
    data = tmp_path / "real"
    write_mnist_dir(data, n_train=30, n_test=10)
    result, _ = run_program(tmp_path, MNIST_READER, runner_args=["--data_dir=%s" % data])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20"
    # Without an override the program's own directory is used, and the
    # error says how to point elsewhere.
    result, _ = run_program(tmp_path, MNIST_READER)
    assert result.returncode == 1
    err = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(err) == 1 and "Traceback" not in result.stderr
    assert "/nonexistent/asked" in err[0] and "--data_dir" in err[0]
    assert "TF1_COMPAT_DATA_DIR" in err[0]


def test_watchdog_names_the_line_that_grows_the_graph(tmp_path):
    result, changes = run_program(tmp_path, """
import tensorflow as tf
w = tf.Variable(1.0)
train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w))
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for i in range(6):
        s.run(train)
        s.run(tf.identity(w) * 2.0)
""", runner_args=["--noreuse_loop_ops"])
    # (With the reuse of loop ops, on by default, line 9 would not grow the
    # graph: tests/test_loop_ops.py.)
    assert result.returncode == 0, result.stderr
    growth = [c for c in changes if c["kind"] == "watchdog"]
    assert len(growth) == 1 and growth[0]["line"] == 9
    assert result.stderr.count("graph growth at prog.py:9") == 1
    assert "graph size at exit:" in result.stderr


def test_watchdog_quiet_when_the_graph_is_built_first(tmp_path):
    result, changes = run_program(tmp_path, """
import tensorflow as tf
w = tf.Variable(1.0)
train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w))
double = tf.identity(w) * 2.0
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for i in range(6):
        s.run(train)
        s.run(double)
""")
    assert result.returncode == 0, result.stderr
    assert not [c for c in changes if c["kind"] == "watchdog"]
    assert "graph growth" not in result.stderr
    assert "(0 created after training started)" in result.stderr


def test_max_steps_counts_steps_that_also_advance_a_global_step(tmp_path):
    # minimize(..., global_step=) returns the step counter's increment, which
    # reaches the ops applying the gradients only through the constant it
    # adds and the no-op grouping them.
    result, _ = run_program(tmp_path, """
import tensorflow as tf
global_step = tf.Variable(0, trainable=False)
w = tf.Variable(1.0)
train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w), global_step=global_step)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for i in range(6):
        s.run(train)
        print(s.run(global_step))
""", runner_args=["--max_steps=2"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "2"]
    assert "stopped before training step 3 (--max_steps=2)" in result.stderr


@pytest.mark.parametrize("name, code", [
    ("tf.contrib", "graph = tf.contrib.quantize.create_training_graph"),
    ("tf.user_ops", "op = tf.user_ops.my_op"),
])
def test_names_with_no_mapping_stop_with_advice(tmp_path, name, code):
    result, _ = run_program(tmp_path, "import tensorflow as tf\nx = 1\n%s\n" % code)
    assert result.returncode == 1
    # One line: the era (1.x, by default) changes nothing here, so it is not said.
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in result.stderr
    assert name in err[0] and "prog.py:3" in err[0]


@pytest.mark.parametrize("argv, message", [
    ([], "no program given"),
    (["missing.py"], "no such program: missing.py"),
    (["--batching=tf9", "x.py"], "--batching=tf9"),
])
def test_runner_bad_input(argv, message, capsys):
    assert run_legacy.main(["run_legacy.py", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_program_that_does_not_parse(tmp_path):
    result, _ = run_program(tmp_path, "import tensorflow as tf\ndef broken(:\n    pass\n")
    assert result.returncode == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "does not parse: line 2" in err[0]


PY2_PROGRAM = """\
import tensorflow as tf
total = 0
for i in xrange(5):
    total += i
print "total", total, "half", total / 4, 7.0 / 2
d = {'a': 1}
if d.has_key('a'):
    print "has a"
x = tf.mul(tf.constant(2.0), 3.0)
print tf.Session().run(x)
"""


def test_python2_program_is_translated_with_its_line_numbers(tmp_path):
    result, changes = run_program(tmp_path, PY2_PROGRAM)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["total 10 half 2 3.5", "has a", "6.0"]
    py2_lines = {c["line"] for c in changes if c["kind"] == "py2"}
    assert {3, 5, 7, 8, 10} <= py2_lines
    # Reports and tracebacks keep the original numbering.
    assert [c["line"] for c in changes if c["name"] == "tf.mul"] == [9]
    assert "Python 2 (print" in result.stderr


# What a 2015-2016 repository's own copy of TF's tutorial input_data.py looks
# like to the runner: the definitions it had (this stand-in fails if run).
LOCAL_INPUT_DATA_COPY = """\
raise ImportError("the local copy was executed")
def _read32(bytestream): pass
def extract_images(f): pass
class DataSet(object): pass
def read_data_sets(train_dir, fake_data=False, one_hot=False): pass
"""


def test_local_copy_of_tutorial_input_data_is_served_by_the_loader(tmp_path):
    data = tmp_path / "MNIST_data"
    write_mnist_dir(data, n_train=30, n_test=10)
    (tmp_path / "input_data.py").write_text(LOCAL_INPUT_DATA_COPY)
    result, changes = run_program(tmp_path, """\
import input_data
mnist = input_data.read_data_sets("MNIST_data/", one_hot=True, validation_size=10)
print mnist.train.num_examples, mnist.train.labels.shape
""")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20 (20, 10)"
    redirects = [c for c in changes if c["kind"] == "import"]
    assert [c["new"] for c in redirects] == ["compat.input_data"]
