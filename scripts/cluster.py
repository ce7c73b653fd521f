"""Run a TF1 between-graph cluster (ps and worker tasks) on this machine.

    python scripts/cluster.py --workers=2 --ps=1 -- --model=conv --steps=100
    python scripts/cluster.py --command=scripts/run_legacy.py -- old_dist.py --train_steps=50

Each task runs ``python COMMAND ARGS --ps_hosts=... --worker_hosts=...
--job_name=ps|worker --task_index=N`` (ARGS: everything after ``--``) on a
free port of --host; worker 0 is the chief.  Their output lines come out
prefixed with the task's name (``[worker1] ...``).  The ps tasks are stopped
when every worker has finished.  A failed task or Ctrl-C stops the cluster:
SIGINT to the chief (it saves a checkpoint), then SIGTERM to the others, then
SIGKILL, --grace seconds apart; a second Ctrl-C kills every task at once.

Exit status: 0 every worker exited with status 0; 1 a task failed (exited
non-zero or was killed) while the cluster ran; 2 bad input; 130 / 143
stopped by SIGINT / SIGTERM.
"""

import functools
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from compat.util import cli  # noqa: E402
from compat.cluster import launcher  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("workers", 2, "Worker tasks; worker 0 is the chief.", lower_bound=1)
flags.DEFINE_integer("ps", 1, "Parameter-server tasks (0: a worker-only cluster, no "
                     "--ps_hosts).", lower_bound=0)
flags.DEFINE_string("command", "scripts/run.py",
                    "The Python program every task runs (relative to the working directory, "
                    "else to the repository), e.g. scripts/run_legacy.py.")
flags.DEFINE_string("host", "localhost", "Host name of every task's address; the ports are "
                    "free ports of this host.")
flags.DEFINE_float("grace", 10.0, "Seconds a task is given after each stop signal (SIGINT to "
                   "the chief, SIGTERM to the others) before the next one.", lower_bound=0)

_fail = functools.partial(cli.fail, "cluster.py")
# Flags worth repeating in the resume command when they were given.
RESUME_KEEPS = ("command", "host", "grace")


def _resume_hint(resume_dir):
    options = ["--%s=%s" % (name, "%g" % FLAGS[name].value if name == "grace"
                            else FLAGS[name].value)
               for name in RESUME_KEEPS if FLAGS[name].present]
    return ("resume the cluster with: "
            + launcher.resume_command(FLAGS.workers, FLAGS.ps, options, resume_dir))


def main(argv):
    args = argv[1:]
    taken = launcher.cluster_flags_in(args)
    if taken:
        return _fail("the arguments after -- must not set %s: cluster.py sets them"
                     % ", ".join("--" + name for name in taken), 2)
    try:
        command = launcher.resolve_command(FLAGS.command, ROOT)
        cluster = launcher.Cluster(command, args, FLAGS.workers, FLAGS.ps, host=FLAGS.host,
                                   grace=FLAGS.grace)
    except launcher.LaunchError as err:
        return _fail(err, 2)
    try:
        status = cluster.run()
    except OSError as err:
        return _fail("cannot start the cluster: %s" % err)
    if cluster.resume_dir:
        cluster.output.message(_resume_hint(cluster.resume_dir))
    return status


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser("cluster.py"))


if __name__ == "__main__":
    run()
