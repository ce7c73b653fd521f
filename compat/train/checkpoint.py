"""Checkpoints from which a stopped run continues exactly as if it had never
stopped.

A ``tf.compat.v1.train.Saver`` checkpoint holds the variables (weights,
optimizer slots, the global step).  What else decides the rest of a run lives
outside the variables, and is saved beside each checkpoint in a state file
(``model.ckpt-<step>.state.pkl``): the data iterator's position and order,
numpy's global RNG (which the 2016 ``next_batch`` shuffled with), the loop's
records, and how many times the graph's stateful random ops (dropout) have
run.  Those ops keep their position in a per-session generator that no Saver
can save, and a new Session restarts each one from its seed; on resume,
``RandomReplay`` runs them again as often as they had run, with the same
shapes, which puts every generator exactly where it was.

Writing order makes a checkpoint all-or-nothing: the state file is written
first (atomically), then the Saver writes the variables and, last, updates
its ``checkpoint`` index, so the newest checkpoint the index names always has
its state file.
"""

import glob
import os
import pickle

import numpy as np
import tensorflow as tf
from tensorflow.python.framework import tensor_util

from compat.util import atomic
from compat.util import errors

v1 = tf.compat.v1

CHECKPOINT_NAME = "model.ckpt"
STATE_SUFFIX = ".state.pkl"
# Ops whose output depends on a hidden per-session generator position.
STATEFUL_RANDOM_OPS = frozenset([
    "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal",
    "ParameterizedTruncatedNormal", "RandomShuffle", "Multinomial", "RandomGamma",
    "RandomPoisson", "RandomPoissonV2"])


def random_ops_of(fetches):
    """The stateful random ops that running ``fetches`` executes, in graph
    order (initializers' random ops are not among them)."""
    flat = tf.nest.flatten(fetches)
    stack = [f if isinstance(f, tf.Operation) else f.op for f in flat]
    seen, found = set(), []
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in STATEFUL_RANDOM_OPS:
            found.append(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(found, key=lambda op: op._id)  # noqa: SLF001 - creation order


class RandomReplay:
    """Counts the runs that executed the random ops of ``fetches`` and
    replays them on resume.  ``batch_size`` fills the unknown (batch)
    dimension of a shape that depends on the fed data."""

    def __init__(self, fetches, batch_size):
        self.ops = random_ops_of(fetches)
        self.feed = {}
        for op in self.ops:
            shape = op.inputs[0]
            if tensor_util.constant_value(shape) is None:
                dims = tensor_util.constant_value_as_shape(shape).as_list()
                if sum(d is None for d in dims) > 1:
                    raise ValueError("cannot replay %s: shape %s has more than one unknown "
                                     "dimension" % (op.name, dims))
                self.feed[shape] = np.array([batch_size if d is None else d for d in dims],
                                            shape.dtype.as_numpy_dtype)
        self.runs = 0

    def ran(self):
        """Note one more run that executed the random ops."""
        self.runs += 1

    def replay(self, session, runs):
        """Advance the random ops of a fresh session by ``runs`` runs."""
        for _ in range(runs if self.ops else 0):
            session.run(self.ops, self.feed)
        self.runs = runs


class Checkpointer:
    """Saves and restores a run in ``run_dir``.  Build it before the graph is
    finalized (the Saver adds its save and restore ops)."""

    def __init__(self, run_dir, var_list=None, max_to_keep=2):
        self.run_dir = run_dir
        self.prefix = os.path.join(run_dir, CHECKPOINT_NAME)
        self.saver = v1.train.Saver(var_list=var_list, max_to_keep=max_to_keep,
                                    save_relative_paths=True)
        self.last = None

    def save(self, session, step, state):
        """Write checkpoint ``step`` with ``state`` (a picklable dict); return
        its path prefix."""
        path = "%s-%d" % (self.prefix, step)
        try:
            atomic.write_bytes(path + STATE_SUFFIX, pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
            self.saver.save(session, self.prefix, global_step=step, write_meta_graph=False)
        except (OSError, tf.errors.OpError) as err:
            raise errors.DataError("cannot write checkpoint %s: %s"
                                   % (path, getattr(err, "strerror", None) or
                                      getattr(err, "message", None) or err)) from None
        self.last = path
        self._remove_orphaned_states()
        return path

    def _remove_orphaned_states(self):
        # The Saver deletes checkpoints beyond max_to_keep; their state files go too.
        kept = {os.path.abspath(p + STATE_SUFFIX) for p in self.saver.last_checkpoints}
        for state in glob.glob(glob.escape(self.prefix) + "-*" + STATE_SUFFIX):
            if os.path.abspath(state) not in kept:
                try:
                    os.remove(state)
                except OSError:
                    pass

    def restore(self, session):
        """Restore the newest checkpoint of ``run_dir``; returns ``(step,
        state)``.  Raises ConfigError/DataError with one line when there is
        nothing to resume from."""
        return restore_latest(session, self.saver, self.run_dir)


def latest(run_dir):
    """The newest checkpoint's path prefix in ``run_dir``, or None."""
    if not os.path.isdir(run_dir):
        raise errors.ConfigError("--resume: no such run directory: %s" % run_dir)
    # Not tf.train.latest_checkpoint: it logs an ERROR line of its own when
    # the index names files that are gone.
    index = v1.train.get_checkpoint_state(run_dir)
    path = index and index.model_checkpoint_path
    return path if path and os.path.exists(path + ".index") else None


def restore_latest(session, saver, run_dir):
    path = latest(run_dir)
    if path is None:
        raise errors.ConfigError("--resume: %s holds no checkpoint (runs write one every "
                                 "--checkpoint_every steps)" % run_dir)
    try:
        with open(path + STATE_SUFFIX, "rb") as f:
            state = pickle.load(f)
    except FileNotFoundError:
        raise errors.DataError("--resume: checkpoint %s has no state file %s"
                               % (path, os.path.basename(path + STATE_SUFFIX))) from None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as err:
        raise errors.DataError("--resume: cannot read %s: %s" % (path + STATE_SUFFIX, err)) \
            from None
    try:
        saver.restore(session, path)
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError,
            tf.errors.DataLossError) as err:
        first_line = str(err.message).strip().splitlines()[0]
        raise errors.DataError("--resume: checkpoint %s does not fit this model: %s"
                               % (path, first_line)) from None
    return state["step"], state
