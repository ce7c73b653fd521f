"""What keeps a long training run from being lost: checkpoints every N steps
and at the end, resume, a clean stop on SIGINT/SIGTERM, and a stop with a
diagnosis when the numbers diverge.

A program gets its ``RunControl`` with its graph (``finish_program``, before
finalizing); the training loop (``compat.train.loop``) then calls ``begin``
(initialize, or restore a checkpoint), ``after_step`` after each training
step and ``finish`` at the end.  ``after_step`` raises
``Interrupted`` after a signal (a checkpoint saved, the summary writer still
the caller's to close) and ``Diverged`` when the loss or a gradient is not
finite (no checkpoint of the bad state; the last good one stays).
"""

import collections
import signal

import numpy as np
import tensorflow as tf

from compat.train import checkpoint

v1 = tf.compat.v1

DEFAULT_CHECKPOINT_EVERY = 500
EXIT_DIVERGED = 3


class Interrupted(Exception):
    """A signal stopped the run after ``step``; ``path`` is its checkpoint."""

    def __init__(self, signum, step, path):
        super().__init__("interrupted by %s after step %d" % (signal.Signals(signum).name, step))
        self.signum, self.step, self.path = signum, step, path

    @property
    def exit_code(self):
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


class Diverged(Exception):
    """The loss or a gradient stopped being finite at ``step``."""

    def __init__(self, message, step, last_checkpoint):
        super().__init__(message)
        self.step, self.last_checkpoint = step, last_checkpoint


class StopSignals:
    """While active, SIGINT and SIGTERM only set ``signum``, so the step in
    progress finishes and the loop stops at a clean point.  A second signal
    of the same kind raises KeyboardInterrupt (the user insists)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum = None
        self._previous = {}

    def _handle(self, signum, frame):
        if self.signum == signum:
            raise KeyboardInterrupt
        self.signum = signum

    def __enter__(self):
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        return False


class NumericsGuard:
    """One boolean per quantity, fetched with every training step: is the
    loss finite, and is each gradient finite.  A gradient's sum is not finite
    exactly when one of its entries is NaN or infinite (or the entries are so
    large that their sum overflows, which is divergence too), so the check
    costs one reduction per gradient."""

    def __init__(self, loss, grads_and_vars, tags=None):
        tags = tags or {}
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        self.names = ["loss"] + [tags.get(v.ref(), v.op.name) for _, v in pairs]
        with v1.name_scope("numerics_guard"):
            checks = [tf.math.is_finite(tf.cast(loss, tf.float32))]
            for g, _ in pairs:
                values = g.values if isinstance(g, tf.IndexedSlices) else g
                checks.append(tf.math.is_finite(tf.reduce_sum(tf.cast(values, tf.float32))))
            self.flags = tf.stack(checks)

    def problem(self, flags):
        """None when every flag is true, else a sentence naming what went bad."""
        flags = np.asarray(flags)
        if flags.all():
            return None
        bad = [name for name, ok in zip(self.names[1:], flags[1:]) if not ok]
        loss = "the loss is not finite" if not flags[0] else "the loss is finite"
        if not bad:
            return loss
        return "%s; first variable whose gradient is not finite: %s%s" % (
            loss, bad[0], " (also %s)" % ", ".join(bad[1:]) if bad[1:] else "")


def saved_variables(scratch=()):
    """Every global variable of the default graph but ``scratch``."""
    skip = {v.ref() for v in scratch}
    return [v for v in v1.global_variables() if v.ref() not in skip]


class RunControl:
    """Checkpoints, resume, signals and the divergence stop of one run.

    ``var_list``: what the Saver saves (default: every global variable);
    ``replay``: a ``checkpoint.RandomReplay`` of the training fetches.
    """

    def __init__(self, run_dir, guard, replay, monitor,
                 checkpoint_every=DEFAULT_CHECKPOINT_EVERY, var_list=None):
        # No run directory: a worker that is not the chief, which never saves.
        self.checkpointer = checkpoint.Checkpointer(run_dir, var_list) \
            if run_dir is not None else None
        self.guard = guard
        self.replay = replay
        self.monitor = monitor
        self.checkpoint_every = checkpoint_every
        self.signals = StopSignals()
        self._previous = 0

    def begin(self, session, init_op, resume, writer, loop_state=dict):
        """Start the run: initialize, record step 0 with the monitor and save
        checkpoint 0 (``resume`` False), or restore the newest checkpoint,
        the RNGs, the dropout generators and the monitor's records.  Returns
        ``(first_step_done, state)``: the step the run continues after, and
        the loop's own state saved with it (``None`` when new).
        ``loop_state`` returns the loop's own picklable state, saved with
        every checkpoint."""
        self._loop_state = loop_state
        self.signals.__enter__()
        if not resume:
            session.run(init_op)
            self.monitor.start(session, writer)
            if self.checkpoint_every:
                self.save(session, 0)
            return 0, None
        step, state = self.checkpointer.restore(session)
        np.random.set_state(state["numpy_rng"])
        self.replay.replay(session, state["random_runs"])
        self.monitor.restore_state(state["monitor"])
        # TensorBoard drops what a killed run wrote after this step.
        writer.add_session_log(v1.SessionLog(status=v1.SessionLog.START), step + 1)
        self.checkpointer.last = checkpoint.latest(self.checkpointer.run_dir)
        self._previous = step
        return step, state["loop"]

    def save(self, session, step):
        if self.checkpointer is None:
            return None
        return self.checkpointer.save(session, step, {
            "step": step, "numpy_rng": np.random.get_state(),
            "random_runs": self.replay.runs, "monitor": self.monitor.state(),
            "loop": self._loop_state()})

    def after_step(self, session, step, flags, last_step, shown_step=None):
        """Check the step's numerics flags, then checkpoint or stop as due.
        ``step`` counts updates (the global step); ``shown_step`` is the
        number the program printed for it, when that differs."""
        problem = self.guard.problem(flags)
        if problem:
            raise Diverged("diverged at step %d: %s" % (
                step if shown_step is None else shown_step, problem), step,
                self.checkpointer and self.checkpointer.last)
        if self.signals.signum is not None:
            raise Interrupted(self.signals.signum, step, self.save(session, step))
        # Crossing a multiple rather than landing on it: an asynchronous
        # worker sees the global step jump by the other workers' updates.
        previous, self._previous = self._previous, step
        every = self.checkpoint_every
        if every and step // every > previous // every and step != last_step:
            self.save(session, step)

    def finish(self, session, step):
        """The final checkpoint; signals go back to their old handlers."""
        path = self.save(session, step) if self.checkpoint_every else None
        self.close()
        return path

    def close(self):
        self.signals.__exit__(None, None, None)


class SummarySchedule:
    """The summary steps of a run (update numbers), taken in order.  A step
    is due once the update about to run reaches the next one not yet
    written: an asynchronous worker sees the global step jump over some."""

    def __init__(self, steps, done=0):
        self._pending = sorted(s for s in steps if s > done)

    def take(self, upcoming):
        """True when a summary is due with update ``upcoming``."""
        due = bool(self._pending) and upcoming >= self._pending[0]
        while self._pending and self._pending[0] <= upcoming:
            self._pending.pop(0)
        return due


# A program ready to train: its finalized graph, the model's tensors, the
# summary-step monitor, the initializer and (with a run directory) its RunControl.
# ``replica`` (a ``compat.cluster.replica.Replica``) when the program is one worker of
# a cluster, else None.
Program = collections.namedtuple("Program", ["graph", "model", "monitor", "init_op", "control",
                                             "replica"])


def finish_program(graph, model, monitor, config, run_dir, tags, replica=None):
    """Add the initializer and, with ``run_dir`` or a ``replica``, the run's
    control to the graph of ``model`` (which has ``loss``,
    ``grads_and_vars``, ``train_op`` and ``global_step``, as both program
    families' graphs do), finalize it and return the ``Program``.  Called
    inside ``graph.as_default()``."""
    init_op = v1.global_variables_initializer()
    if replica is not None:
        replica.finish_graph(model)
    control = None
    if run_dir is not None or replica is not None:
        control = RunControl(run_dir, NumericsGuard(model.loss, model.grads_and_vars, tags),
                             checkpoint.RandomReplay(model.train_op, config.batch_size),
                             monitor, config.checkpoint_every,
                             saved_variables(monitor.scratch_variables()))
    graph.finalize()
    return Program(graph, model, monitor, init_op, control, replica)


def open_session(program, config):
    """The program's session: local, or on this worker's cluster server."""
    if program.replica is not None:
        return program.replica.session(program.graph, config)
    return v1.Session(graph=program.graph, config=config)


def begin_run(program, session, resume, writer, loop_state=dict):
    """``RunControl.begin`` for a local run or a cluster's chief; a worker
    that is not the chief only joins, at the global step the chief left the
    model at.  Returns ``(first_step_done, state)`` as ``begin`` does."""
    replica = program.replica
    if replica is not None and not replica.is_chief:
        return replica.begin(session), None
    done, state = program.control.begin(session, program.init_op, resume, writer, loop_state)
    if replica is not None:
        replica.begin(session)
    return done, state


def end_run(program, session):
    """After the last step: a worker tells the parameter servers it is done."""
    if program.replica is not None:
        program.replica.finish(session)


def close_run(program):
    program.control.close()
    if program.replica is not None:
        program.replica.close()
