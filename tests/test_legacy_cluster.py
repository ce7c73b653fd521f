"""TF 0.x-era distributed programs through the legacy runner.

A ps/worker MNIST program written the TF 0.12 way (the cluster in
``tf.app.flags``, ``tf.train.ClusterSpec``/``Server``,
``replica_device_setter``, ``Supervisor``, 0.x summary names, and optionally
0.x's ``SyncReplicasOptimizer`` with ``replica_id``) runs for real as one ps
and two workers on loopback, started by scripts/cluster.py through
scripts/run_legacy.py; and the 0.x synchronous optimizer's own semantics
(summed gradients, its argument order) are checked in one process.
"""

import os
import re
import subprocess
import sys

from conftest import REPO_ROOT, cluster_tasks

CLUSTER = str(REPO_ROOT / "scripts" / "cluster.py")
RUNNER = str(REPO_ROOT / "scripts" / "run_legacy.py")
TRAIN_STEPS = 60

# A distributed program in the style of TF 0.12's: the ps task blocks in
# server.join(); worker 0 is the chief.
PROGRAM = '''\
"""Softmax regression on MNIST, trained between-graph replicated on a
parameter-server cluster, the way TensorFlow 0.12 programs did it."""
from __future__ import print_function

import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

flags = tf.app.flags
flags.DEFINE_string("ps_hosts", "", "Comma-separated host:port list of the ps job")
flags.DEFINE_string("worker_hosts", "", "Comma-separated host:port list of the worker job")
flags.DEFINE_string("job_name", "", "ps or worker")
flags.DEFINE_integer("task_index", 0, "Index of this task within its job")
flags.DEFINE_integer("train_steps", 40, "Global steps to train for")
flags.DEFINE_integer("batch_size", 16, "Examples per worker step")
flags.DEFINE_float("learning_rate", 0.02, "Learning rate")
flags.DEFINE_string("data_dir", "/tmp/mnist-data", "Where the MNIST files are")
flags.DEFINE_string("logdir", "/tmp/mnist-dist", "Checkpoints and summaries (chief)")
flags.DEFINE_boolean("sync_replicas", False, "Aggregate the workers' gradients each step")
flags.DEFINE_boolean("managed", False, "Use sv.managed_session")
FLAGS = flags.FLAGS


def main(_):
    ps_hosts = FLAGS.ps_hosts.split(",")
    worker_hosts = FLAGS.worker_hosts.split(",")
    cluster = tf.train.ClusterSpec({"ps": ps_hosts, "worker": worker_hosts})
    server = tf.train.Server(cluster, job_name=FLAGS.job_name,
                             task_index=FLAGS.task_index)
    if FLAGS.job_name == "ps":
        server.join()
        return

    is_chief = FLAGS.task_index == 0
    num_workers = len(worker_hosts)
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, validation_size=10)

    with tf.device(tf.train.replica_device_setter(
            worker_device="/job:worker/task:%d" % FLAGS.task_index, cluster=cluster)):
        global_step = tf.Variable(0, name="global_step", trainable=False)
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        w = tf.Variable(tf.zeros([784, 10]), name="weights")
        b = tf.Variable(tf.zeros([10]), name="biases")
        logits = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y_))

        opt = tf.train.GradientDescentOptimizer(FLAGS.learning_rate)
        if FLAGS.sync_replicas:
            opt = tf.train.SyncReplicasOptimizer(
                opt, replicas_to_aggregate=num_workers, replica_id=FLAGS.task_index,
                total_num_replicas=num_workers)
        train_op = opt.minimize(loss, global_step=global_step)
        if FLAGS.sync_replicas and is_chief:
            chief_queue_runner = opt.get_chief_queue_runner()
            init_tokens_op = opt.get_init_tokens_op()

        # Every worker checks in here before the chief starts the steps, so
        # that all of them take part from the first one.
        with tf.device("/job:ps/task:0"):
            ready = tf.FIFOQueue(num_workers, tf.int32, shapes=[()],
                                 shared_name="workers_ready")
        check_in = ready.enqueue(FLAGS.task_index)
        all_checked_in = ready.dequeue_many(num_workers)

        tf.scalar_summary("loss", loss)
        summary_op = tf.merge_all_summaries()
        init_op = tf.initialize_all_variables()
        saver = tf.train.Saver()

    print("worker %d: weights on %s, global_step on %s" % (FLAGS.task_index, w.device,
                                                          global_step.device))
    # The summary op needs the placeholders fed, which the Supervisor's own
    # summary thread cannot do: the chief writes summaries itself.
    sv = tf.train.Supervisor(is_chief=is_chief, logdir=FLAGS.logdir, init_op=init_op,
                             summary_op=None, saver=saver, global_step=global_step,
                             save_model_secs=600, recovery_wait_secs=1)
    # Only the ps tasks and this worker: the others may have finished.
    config = tf.ConfigProto(device_filters=["/job:ps",
                                            "/job:worker/task:%d" % FLAGS.task_index])
    train_feed = {x: mnist.train.images, y_: mnist.train.labels}
    if FLAGS.managed:
        with sv.managed_session(server.target, config=config) as sess:
            sess.run(check_in)
            if is_chief:
                sess.run(all_checked_in)
                print("chief: initial training loss %.4f" % sess.run(loss, train_feed))
            train(sv, sess, mnist, x, y_, loss, train_op, global_step, summary_op, is_chief)
            if is_chief:
                print("chief: final training loss %.4f" % sess.run(loss, train_feed))
        return

    sess = sv.prepare_or_wait_for_session(server.target, config=config)
    sess.run(check_in)
    if is_chief:
        sess.run(all_checked_in)
        print("chief: initial training loss %.4f" % sess.run(loss, train_feed))
        if FLAGS.sync_replicas:
            sv.start_queue_runners(sess, [chief_queue_runner])
            sess.run(init_tokens_op)
    train(sv, sess, mnist, x, y_, loss, train_op, global_step, summary_op, is_chief)
    if is_chief:
        print("chief: final training loss %.4f" % sess.run(loss, train_feed))
    # The chief queue runner of a synchronous run waits for gradients that no
    # worker will send any more; stopping would wait for it in vain.
    if not (FLAGS.sync_replicas and is_chief):
        sv.stop()


def train(sv, sess, mnist, x, y_, loss, train_op, global_step, summary_op, is_chief):
    step = 0
    local_step = 0
    while not sv.should_stop() and step < FLAGS.train_steps:
        batch_xs, batch_ys = mnist.train.next_batch(FLAGS.batch_size)
        feed = {x: batch_xs, y_: batch_ys}
        _, loss_value = sess.run([train_op, loss], feed_dict=feed)
        # Read after the step, not alongside it: a synchronous step returns
        # with the token of the update it waited for, and a read made
        # alongside could still miss that update and send this worker into a
        # step past the last one, which no other worker would complete.
        step = tf.train.global_step(sess, global_step)
        local_step += 1
        if is_chief:
            print("chief: global step %d, loss %.4f" % (step, loss_value))
            if local_step % 10 == 1:
                sv.summary_computed(sess, sess.run(summary_op, feed_dict=feed))
        else:
            print("worker %d: local step %d, global step %d" % (FLAGS.task_index,
                                                                local_step, step))
    print("worker %d: done after %d local steps, global step %d" % (FLAGS.task_index,
                                                                   local_step, step))


if __name__ == "__main__":
    tf.app.run()
'''


WEIGHTS_LINE = re.compile(r"^\[worker(\d)\] worker \1: weights on (\S+), global_step on (\S+)$")
STEP_LINE = re.compile(r"^\[worker0\] chief: global step (\d+), loss ([0-9.]+)$")
LOSS_LINE = re.compile(r"^\[worker0\] chief: (initial|final) training loss ([0-9.]+)$")
DONE_LINE = re.compile(r"^\[worker(\d)\] worker \1: done after (\d+) local steps, "
                       r"global step (\d+)$")


def command_line(pid):
    """The command line of process ``pid``, or b"" if there is none."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def run_cluster(tmp_path, data_dir, *program_args):
    """The program as one ps and two workers through scripts/cluster.py
    and the legacy runner; returns (CompletedProcess, parsed output)."""
    program = tmp_path / "dist_mnist.py"
    program.write_text(PROGRAM)
    result = subprocess.run(
        [sys.executable, CLUSTER, "--workers=2", "--ps=1", "--grace=2",
         "--command=%s" % RUNNER, "--", "--data_dir=%s" % data_dir, str(program),
         "--train_steps=%d" % TRAIN_STEPS, "--logdir=%s" % (tmp_path / "logs"),
         *program_args],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=150,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    out = result.stdout.splitlines()
    parsed = {
        "devices": {int(m[1]): (m[2], m[3]) for m in map(WEIGHTS_LINE.match, out) if m},
        "chief_steps": [(int(m[1]), float(m[2])) for m in map(STEP_LINE.match, out) if m],
        "loss": {m[1]: float(m[2]) for m in map(LOSS_LINE.match, out) if m},
        "done": {int(m[1]): (int(m[2]), int(m[3])) for m in map(DONE_LINE.match, out) if m},
        "pids": {name: pid for name, (_, pid) in cluster_tasks(result.stderr).items()},
    }
    return result, parsed


def check_common(result, parsed, tmp_path):
    """What both variants must show: a clean run on a ps-held model whose
    loss fell, the 0.x names reported, the chief's logs, no task left."""
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr
    # The variables live on the ps task, for every worker.
    assert parsed["devices"] == {i: ("/job:ps/task:0", "/job:ps/task:0") for i in (0, 1)}
    assert set(parsed["done"]) == {0, 1}
    assert all(local >= 1 for local, _ in parsed["done"].values())
    assert parsed["chief_steps"], result.stdout[-2000:]
    assert parsed["loss"]["final"] < 0.9 * parsed["loss"]["initial"]
    for old, new, version in [
            ("tf.initialize_all_variables", "tf.global_variables_initializer", "0.12"),
            ("tf.scalar_summary", "tf.summary.scalar", "0.12"),
            ("tf.merge_all_summaries", "tf.summary.merge_all", "0.12"),
            ("tf.nn.softmax_cross_entropy_with_logits",
             "tf.nn.softmax_cross_entropy_with_logits", "1.0")]:
        assert ("[worker0] tf1-compat: %s -> %s (changed in TF %s) at dist_mnist.py:"
                % (old, new, version)) in result.stderr
    # The runner's watchdog saw each worker's training steps (a synchronous
    # worker's hand in gradients instead of applying them) and a graph that
    # the Supervisor had finalized.
    for worker in (0, 1):
        assert re.search(r"\[worker%d\] tf1-compat: graph size at exit: \d+ ops \(0 created "
                         r"after training started\)" % worker, result.stderr)
    # The chief's Supervisor checkpointed, and the loss summaries it was
    # handed (summary_computed) reached its event file with their 0.x tag.
    logs = os.listdir(tmp_path / "logs")
    assert "checkpoint" in logs
    events = [name for name in logs if name.startswith("events.out.tfevents")]
    assert len(events) == 1
    assert b"\x0a\x04loss" in (tmp_path / "logs" / events[0]).read_bytes()
    # cluster.py stopped the ps task, blocked in server.join(), once the
    # workers were done; nothing it started is left.
    assert set(parsed["pids"]) == {"ps0", "worker0", "worker1"}
    for pid in parsed["pids"].values():
        assert b"dist_mnist.py" not in command_line(pid)


def test_async_cluster_trains(tmp_path, tiny_mnist):
    """Asynchronous between-graph training with sv.managed_session: every
    worker step applies its own gradient on the ps."""
    result, parsed = run_cluster(tmp_path, tiny_mnist, "--managed")
    check_common(result, parsed, tmp_path)
    local_steps = sum(local for local, _ in parsed["done"].values())
    last = max(step for _, step in parsed["done"].values())
    # Each local step added one to the shared global step, and the workers
    # stopped once it reached the target (the other worker may overshoot
    # by its one step in flight).
    assert last == local_steps
    assert TRAIN_STEPS <= last <= TRAIN_STEPS + 1
    assert "SyncReplicasOptimizer" not in result.stderr


def test_sync_cluster_trains(tmp_path, tiny_mnist):
    """0.x's SyncReplicasOptimizer(..., replica_id=...) with the chief's
    queue runner and init tokens: each global step takes the gradients of
    two worker steps, and the run ends on the target step exactly."""
    result, parsed = run_cluster(tmp_path, tiny_mnist, "--sync_replicas")
    check_common(result, parsed, tmp_path)
    assert {step for _, step in parsed["done"].values()} == {TRAIN_STEPS}
    # replicas_to_aggregate=2: at least two worker steps per update (more
    # where a late gradient was dropped as stale).
    assert sum(local for local, _ in parsed["done"].values()) >= 2 * TRAIN_STEPS
    line = next(i for i, text in enumerate(PROGRAM.splitlines(), 1)
                if "tf.train.SyncReplicasOptimizer(" in text)
    for worker in (0, 1):
        assert ("[worker%d] tf1-compat: tf.train.SyncReplicasOptimizer -> "
                "tf.train.SyncReplicasOptimizer (changed in TF 1.0) at dist_mnist.py:%d; "
                "0.x's optimizer (the one taking replica_id) summed" % (worker, line)
                ) in result.stderr


# One synchronous update from a single worker that computes both of the
# update's replicas_to_aggregate=2 gradients (1 and then 3, for w * g), with
# each of the optimizer's three spellings; the third step waits for the
# update's token, so w is read after the update.  Shared with the upgrader's
# tests, which run it upgraded on plain TensorFlow.
SYNC_PROGRAM = """
import tensorflow as tf


def one_update(make_optimizer):
    with tf.Graph().as_default():
        global_step = tf.Variable(0, name="global_step", trainable=False)
        w = tf.Variable([0.0])
        g = tf.placeholder(tf.float32, [1])
        opt = make_optimizer(tf.train.GradientDescentOptimizer(1.0))
        train_op = opt.minimize(tf.reduce_sum(w * g), global_step=global_step)
        chief_queue_runner = opt.get_chief_queue_runner()
        init_tokens = opt.get_init_tokens_op()
        with tf.Session() as sess:
            sess.run([tf.initialize_all_variables(), tf.initialize_local_variables()])
            coord = tf.train.Coordinator()
            chief_queue_runner.create_threads(sess, coord=coord, daemon=True, start=True)
            sess.run(init_tokens)
            for value in (1.0, 3.0, 0.0):
                sess.run(train_op, {g: [value]})
            result = sess.run(w)[0], sess.run(global_step)
            coord.request_stop()
    return result


# 0.x: (opt, replicas_to_aggregate, variable_averages, variables_to_average,
# replica_id, total_num_replicas)
print("0.x", *one_update(lambda opt: tf.train.SyncReplicasOptimizer(opt, 2, None, None, 0, 1)))
print("0.12 V2", *one_update(
    lambda opt: tf.train.SyncReplicasOptimizerV2(opt, 2, total_num_replicas=1)))
print("1.x", *one_update(lambda opt: tf.train.SyncReplicasOptimizer(opt, 2, 1)))
"""

CLEAN_UP_OP = """
with tf.Graph().as_default():
    with tf.device(tf.train.replica_device_setter(ps_tasks=1)):
        global_step = tf.Variable(0, name="global_step", trainable=False)
        w = tf.Variable([0.0])
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(1.0), 2,
                                             replica_id=1)
        opt.minimize(tf.reduce_sum(w), global_step=global_step)
    clean_up = opt.get_clean_up_op()
    print(clean_up.type, clean_up.device)
"""


def test_sync_replicas_optimizer_semantics(tmp_path):
    """The 0.x optimizer (the call with replica_id) summed the two
    gradients: w = -(1 + 3); SyncReplicasOptimizerV2 and 1.0's
    SyncReplicasOptimizer averaged them: w = -2, and a 1.x-style call is
    passed through untouched.  0.x's get_clean_up_op aborts the ps task."""
    program = tmp_path / "sync.py"
    program.write_text(SYNC_PROGRAM + CLEAN_UP_OP)
    result = subprocess.run([sys.executable, RUNNER, str(program)], capture_output=True,
                            text=True, cwd=str(tmp_path), timeout=120,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == ["0.x -4.0 1", "0.12 V2 -2.0 1", "1.x -2.0 1",
                                          "Abort /job:ps/task:0"]
    lines = SYNC_PROGRAM.splitlines()
    old_line = next(i for i, text in enumerate(lines, 1) if text.startswith('print("0.x"'))
    v2_line = next(i for i, text in enumerate(lines, 1) if "SyncReplicasOptimizerV2(" in text)
    reported = [line for line in result.stderr.splitlines()
                if line.startswith("tf1-compat: tf.train.SyncReplicas")]
    assert len(reported) == 2, result.stderr
    assert reported[0].startswith("tf1-compat: tf.train.SyncReplicasOptimizer -> "
                                  "tf.train.SyncReplicasOptimizer (changed in TF 1.0) "
                                  "at sync.py:%d; " % old_line)
    assert reported[1] == ("tf1-compat: tf.train.SyncReplicasOptimizerV2 -> "
                           "tf.train.SyncReplicasOptimizer (changed in TF 1.0) at sync.py:%d; "
                           "the same optimizer (gradients averaged), under its 1.0 name"
                           % v2_line)
    # The watchdog counted the (single) worker's steps in each of the three
    # training graphs.
    assert result.stderr.count("graph size at exit:") == 3
