"""The training loop every reproduction runs, written once.

``train`` owns what does not depend on the model: the session (local or on
a cluster), the summary writer (the chief's only), starting or resuming the
run, the summary schedule, one ``Session.run`` per update (through the
monitor on summary steps), the step timings, the checkpoint and divergence
checks after each update, the final summary for the step reached when other
workers ran past the last summary step, the final checkpoint and the
closing.  The model's part comes in as a ``Steps`` object: the feed of each
update, what to print on display steps, the final evaluation and the
loop's own state saved with each checkpoint.

Steps count updates, as the global step does: update ``s + 1`` follows
``s`` updates done.  On a cluster every worker reads the global step after
its update from the results, since the other workers' updates count too;
only the chief writes summaries, checkpoints and the final evaluation.
"""

import dataclasses
import time

import tensorflow as tf

from compat.train import diagnostics
from compat.train import run_control
from compat.train import runtime

v1 = tf.compat.v1


class Steps:
    """The model's half of a training loop: what ``train`` asks of it.

    A subclass sets these attributes:

    ``name``             the model's name in diagnostics.json
    ``fetches``          the training fetches of one update, train op first;
                         ``train`` appends the numerics flags and, on a
                         cluster, the global step after the update
    ``num_steps``        updates the run makes
    ``summary_steps``    updates whose summaries are written, a set (step 0,
                         the initial weights, is always written)
    ``graph_in_events``  write the graph into the event file (not when the
                         graph holds the data sets as constants)
    ``start_message``    printed when a new run starts (None: nothing)
    ``show_step_times``  print the median step times at the end

    and overrides the methods the model needs.
    """

    name = None
    fetches = ()
    num_steps = 0
    summary_steps = frozenset()
    graph_in_events = False
    start_message = None
    show_step_times = False

    def loop_state(self):
        """The loop's own picklable state, saved with every checkpoint."""
        return {}

    def restore(self, state):
        """Continue from ``loop_state()`` as a checkpoint saved it."""

    def join(self, done):
        """A worker joins a cluster that has made ``done`` updates."""

    def feed(self, done):
        """The feed dict of the update after ``done`` updates."""
        raise NotImplementedError

    def after_update(self, session, results, before, after, clock):
        """Print what is due after the update that took the (global) step
        from ``before`` to ``after``; ``results`` are the values of
        ``fetches``; ``clock`` a ``Clock`` started with the loop."""

    def shown_step(self, before, after):
        """The step number the program prints for that update, when it is
        not ``after`` (a divergence is reported with it)."""
        return None

    def finish(self, session, chief):
        """Print the end of the run and, on the ``chief``, evaluate; returns
        the test accuracy (None on the other workers)."""
        return None


class Clock:
    """Time since the loop started, at ``done`` updates."""

    def __init__(self, done):
        self.done = done
        self.start = time.perf_counter()

    def elapsed(self):
        return time.perf_counter() - self.start

    def per_step(self, step):
        """Seconds per update so far, at (global) step ``step``."""
        return self.elapsed() / (step - self.done)


@dataclasses.dataclass
class Outcome:
    """What ``train`` returns."""
    step: int             # updates done at the end (the global step on a cluster)
    seconds: float        # time in the loop, the final summary and evaluation not included
    updates: int          # the updates this process ran
    test_accuracy: float  # what ``Steps.finish`` returned
    step_ms: dict         # median ms of the plain ("plain") and summary ("summary") steps
    diagnostics: list     # per-variable rows of diagnostics.report, or None


def train(program, steps, config, run_dir, out, resume=False):
    """Train ``program`` (a ``run_control.Program`` built with ``run_dir``
    or a replica) as ``steps`` (a ``Steps``) says, and return an
    ``Outcome``.  ``config`` is the run's config: its
    ``log_device_placement`` and ``mixed_precision`` set up the session, and
    the chief writes it into diagnostics.json.  ``resume`` continues from
    the newest checkpoint in ``run_dir``.  Raises ``run_control.Interrupted``
    and ``run_control.Diverged`` as ``RunControl.after_step`` does."""
    replica, control, monitor = program.replica, program.control, program.monitor
    chief = replica is None or replica.is_chief
    fetches = list(steps.fetches) + [control.guard.flags] + (
        [replica.step_after] if replica else [])
    flags_at = len(steps.fetches)
    plain_times, summary_times = [], []
    with run_control.open_session(program, runtime.session_config(
            config.log_device_placement, config.mixed_precision)) as session:
        writer = v1.summary.FileWriter(
            run_dir, program.graph if steps.graph_in_events and not resume else None) \
            if chief else None
        try:
            done, state = run_control.begin_run(program, session, resume, writer,
                                                steps.loop_state)
            if state is not None:
                steps.restore(state)
                print("Resumed from %s at step %d of %d" % (
                    control.checkpointer.last, done, steps.num_steps), file=out, flush=True)
            elif not chief:
                steps.join(done)
                print("%s joined the cluster at step %d of %d" % (
                    replica.config.task_name, done, steps.num_steps), file=out, flush=True)
            elif steps.start_message is not None:
                print(steps.start_message, file=out)
            schedule = run_control.SummarySchedule(steps.summary_steps, done)
            clock = Clock(done)
            step, feed = done, None
            while step < steps.num_steps:
                step_start = time.perf_counter()
                feed = steps.feed(step)
                # step + 1 is the update about to run, unless other workers'
                # updates come first.
                if chief and schedule.take(step + 1):
                    results = monitor.step(session, writer, step + 1, fetches, feed)
                    summary_times.append(time.perf_counter() - step_start)
                else:
                    results = session.run(fetches, feed)
                    plain_times.append(time.perf_counter() - step_start)
                control.replay.ran()
                after = int(results[flags_at + 1]) if replica else step + 1
                steps.after_update(session, results[:flags_at], step, after, clock)
                control.after_step(session, after, results[flags_at], steps.num_steps,
                                   shown_step=steps.shown_step(step, after))
                step = after
            seconds = clock.elapsed()
            if chief and feed is not None and schedule.take(step):
                # The other workers' updates ran past the last summary step.
                monitor.step(session, writer, step, [], feed)
            test_accuracy = steps.finish(session, chief)
            if chief:
                control.finish(session, step)
            run_control.end_run(program, session)
        finally:
            run_control.close_run(program)
            if writer is not None:
                writer.close()
    step_ms = diagnostics.median_step_ms(plain_times, summary_times)
    if steps.show_step_times:
        print("Step time (median): %.1f ms on %d plain steps, %.1f ms on %d summary steps"
              % (step_ms["plain"], len(plain_times), step_ms["summary"], len(summary_times)),
              file=out)
    rows = None
    if chief:
        rows = monitor.finish(run_dir, out, {
            "model": steps.name, "config": dataclasses.asdict(config),
            "steps": steps.num_steps, "summary_steps": sorted({0} | set(steps.summary_steps)),
            "test_accuracy": test_accuracy, "step_ms": step_ms})
    return Outcome(step, seconds, len(plain_times) + len(summary_times), test_accuracy,
                   step_ms, rows)
