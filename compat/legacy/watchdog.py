"""Graph-growth watchdog for legacy programs.

A TF1 program that builds ops inside its training loop (the Stack Overflow
question's ``tf.image_summary`` on every step) grows its graph without bound:
every step gets slower and memory climbs.  The watchdog hooks
``Session.run`` (of every session class, while attached): once a training op (one that applies gradients) has run,
every op added to the graph between two runs is attributed, through the op's
creation traceback, to the line of the program that made it.  A line that
keeps adding ops on several steps is named once on stderr with the advice
to build it before the loop; ``summary()`` gives the graph size at the end.
"""

import collections
import linecache
import os

import tensorflow as tf

from compat.legacy.loop_ops import is_program_file

v1 = tf.compat.v1

# A line must add ops on this many separate steps before it is called a leak:
# one-off lazy construction after the first step (a saver, an eval op) is
# normal.
STEPS_BEFORE_WARNING = 3
# A worker of a synchronous run (SyncReplicasOptimizer) hands its gradients
# to accumulators instead of applying them.
_APPLY_PREFIXES = ("Apply", "ResourceApply", "SparseApply", "ResourceSparseApply",
                   "AccumulatorApplyGradient", "ResourceAccumulatorApplyGradient",
                   "SparseAccumulatorApplyGradient")
# How many inputs back from a fetched op the applying ops may be: a train op
# made with a global step is its increment, whose constant waits on the
# grouped updates (a group per device, then one over them); a synchronous
# worker's is an assignment of the token it dequeues after handing in its
# gradients.
_SEARCH_DEPTH = 5


def _is_training_op(op):
    """Whether running ``op`` applies gradients: an applying op among its
    data and control inputs, a few levels back."""
    frontier, seen = [op], {op}
    for _ in range(_SEARCH_DEPTH + 1):
        if any(o.type.startswith(_APPLY_PREFIXES) for o in frontier):
            return True
        upstream = []
        for o in frontier:
            for before in list(o.control_inputs) + [tensor.op for tensor in o.inputs]:
                if before not in seen:
                    seen.add(before)
                    upstream.append(before)
        frontier = upstream
    return False


def _fetched_ops(graph, fetches):
    """The ops among ``fetches`` (any nesting of lists, tuples, dicts)."""
    stack, ops = [fetches], []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, tf.Operation):
            ops.append(item)
        elif hasattr(item, "op") and isinstance(getattr(item, "op"), tf.Operation):
            ops.append(item.op)
        elif isinstance(item, str):
            try:
                found = graph.as_graph_element(item)
            except (KeyError, ValueError, TypeError):
                continue
            ops.append(found if isinstance(found, tf.Operation) else found.op)
    return ops


class StepLimitReached(BaseException):
    """Raised instead of the training step past ``max_steps``; a
    BaseException so a program's ``except Exception`` cannot swallow it."""


class GraphWatchdog:
    def __init__(self, reporter, program=None, max_steps=None, reuse=None):
        self.reporter = reporter
        # A LoopOpReuse, told of each run; its constants to feed join the run's.
        self.reuse = reuse
        self.max_steps = max_steps
        self.training_steps = 0
        self.program = os.path.abspath(program) if program else None
        self._graphs = {}  # id(graph) -> state
        self.warned = set()

    def attach(self):
        """Watch every Session's run() (tf.Session, InteractiveSession, and
        the sessions inside MonitoredSession and Supervisor) until detach()."""
        from tensorflow.python.client import session as session_lib
        base = session_lib.BaseSession
        if getattr(base.run, "_tf1_compat_watchdog", None) is not None:
            return
        original = base.run
        watchdog = self

        def run(session, fetches, feed_dict=None, options=None, run_metadata=None):
            feeds = watchdog.before_run(session.graph, fetches)
            if feeds:
                feeds = dict(feeds)
                feeds.update(feed_dict or {})
                feed_dict = feeds
            return original(session, fetches, feed_dict=feed_dict, options=options,
                            run_metadata=run_metadata)
        run._tf1_compat_watchdog = original
        base.run = run

    def detach(self):
        from tensorflow.python.client import session as session_lib
        base = session_lib.BaseSession
        original = getattr(base.run, "_tf1_compat_watchdog", None)
        if original is not None:
            base.run = original

    def _state(self, graph):
        state = self._graphs.get(id(graph))
        if state is None:
            state = {"graph": graph, "training": False, "seen": graph.version,
                     "at_start": None, "steps_by_line": collections.Counter(),
                     "ops_by_line": collections.Counter()}
            self._graphs[id(graph)] = state
        return state

    def before_run(self, graph, fetches):
        """Bookkeeping before a run; returns the constants the reuse of loop
        ops feeds to it (tensor -> value), if any."""
        state = self._state(graph)
        if state["training"] and graph.version != state["seen"]:
            self._attribute(state, graph)
        state["seen"] = graph.version
        if not state["training"] or self.max_steps is not None:
            self._count_training(state, graph, fetches)
        if self.reuse is not None:
            return self.reuse.before_run(graph, state["training"])
        return None

    def _count_training(self, state, graph, fetches):
        if any(_is_training_op(op) for op in _fetched_ops(graph, fetches)):
            if self.max_steps is not None and self.training_steps >= self.max_steps:
                raise StepLimitReached(self.training_steps)
            self.training_steps += 1
            if not state["training"]:
                state["training"] = True
                state["at_start"] = graph.version

    def _new_ops(self, graph, since):
        nodes = getattr(graph, "_nodes_by_id", None)
        if nodes is not None:
            return [nodes[i] for i in range(since + 1, graph.version + 1) if i in nodes]
        return graph.get_operations()[since:]

    def _origin(self, op):
        """(file, line) of the innermost frame of the program that made op."""
        frames = list(op.traceback)
        for frame in reversed(frames):
            if is_program_file(frame.filename, self.program):
                return os.path.abspath(frame.filename), frame.lineno
        return None

    def _attribute(self, state, graph):
        lines = set()
        for op in self._new_ops(graph, state["seen"]):
            origin = self._origin(op)
            if origin is not None:
                state["ops_by_line"][origin] += 1
                lines.add(origin)
        for origin in lines:
            state["steps_by_line"][origin] += 1
            if state["steps_by_line"][origin] >= STEPS_BEFORE_WARNING and \
                    origin not in self.warned:
                self.warned.add(origin)
                filename, line = origin
                source = linecache.getline(filename, line).strip()
                self.reporter.record(
                    "watchdog", "graph-growth", source,
                    "build it once, before the training loop", filename, line,
                    "creates new ops while training (%d ops on %d steps so far), so "
                    "the graph and every step's time keep growing"
                    % (state["ops_by_line"][origin], state["steps_by_line"][origin]))

    def summary(self):
        """One line per graph that trained: its size and its growth."""
        lines = []
        for state in self._graphs.values():
            graph = state["graph"]
            size = len(graph.get_operations())
            if state["training"]:
                grown = graph.version - state["at_start"]
                lines.append("graph size at exit: %d ops (%d created after training "
                             "started)" % (size, grown))
        return lines
