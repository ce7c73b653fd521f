"""Reuse of the stateless ops a legacy program builds inside its training loop.

Programs of 2016-2018 often call ``tf.image_summary``, ``tf.argmax``/``tf.equal``
or a ``tf.assign`` on every pass of their training loop.  Each call adds ops,
so the graph grows by thousands, every ``Session.run`` extends the session's
graph and needs a new executor, and the run slows down as it goes.

Once training has started (the watchdog saw a training op run), an op the
program requests at the same source line, with the same type, the same
inputs, the same attributes and the same context (control dependencies,
device and colocation scopes) as one built there after the graph first ran
*is* that op: the runner hands it back instead of adding a copy.  Only ops
whose result depends on nothing but their inputs qualify; TensorFlow's own op
registry says which are stateful (variables, ``random_*``, dropout's random
draw, queues, iterators, summary writers), ops that write through a
reference input (``assign``, ``scatter_*``) are too, and those are
always built anew, so each still runs once, on its step.  Placeholders are
always built anew too; a resource variable's read, marked stateful but with
no side effect, is reused.

A constant that changes from pass to pass (the Stack Overflow program's
``'conv1/features' + str(i)`` tag, or the ``loss_1``, ``loss_2``, ... tags
that ``tf.summary.scalar`` gets from name scopes made unique) keeps the op
built on the first pass, and the value of the latest request is fed to it on
each ``Session.run``, so the program writes exactly the tags and values it
wrote before.  Integer constants are never fed this way: their values may be
shapes, which TensorFlow reads while building the graph.  The constants of a
line are told apart by the order in which the line requests them between
two runs.

What this cannot see: a program that keeps a tensor from an earlier pass and
fetches it after the same line has requested another value gets the latest
value.  ``--noreuse_loop_ops`` turns the reuse off.
"""

import collections
import linecache
import os
import sys

from tensorflow.core.framework import types_pb2
from tensorflow.python.framework import op_def_registry, ops, tensor_util

# Placeholders are stateless in the registry, but a program may keep one
# from each pass and feed them together.
_NEVER_REUSED = frozenset({"Placeholder", "PlaceholderV2"})
# Marked stateful, yet a pure read with no side effect: a read built once
# and run on each step sees what a new read would (with the control
# dependencies of its context, which are part of the match).
_READS = frozenset({"ReadVariableOp"})
# Constants whose changing value is fed, not rebuilt: never the integer
# types, whose values TensorFlow reads as shapes while building the graph.
_FED_CONSTANT_TYPES = frozenset({
    types_pb2.DT_STRING, types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE, types_pb2.DT_HALF,
    types_pb2.DT_BFLOAT16, types_pb2.DT_BOOL, types_pb2.DT_COMPLEX64,
    types_pb2.DT_COMPLEX128})


def is_program_file(path, program):
    """Whether ``path`` (a code object's or traceback's file) is the
    program's own: the program itself when known, else any file outside
    installed packages and this toolkit (a notebook's cells)."""
    path = os.path.abspath(path)
    if program is not None:
        return path == program
    return "site-packages" not in path and "/compat/" not in path


class _GraphState:
    __slots__ = ("graph", "ran", "training", "ops", "constants", "ordinal",
                 "first_value", "feeds", "reused_now", "reused_ops", "fed_constants")

    def __init__(self, graph):
        self.graph = graph
        self.ran = False
        self.training = False
        self.ops = {}                              # key -> the op built first
        self.constants = {}                        # key -> [Const ops, in order]
        self.ordinal = collections.Counter()       # key -> requests since the last run
        self.first_value = {}                      # Const op -> its serialized value
        self.feeds = {}                            # Const output -> latest value
        self.reused_now = set()                    # lines reused since the last run
        self.reused_ops = 0
        self.fed_constants = set()


class LoopOpReuse:
    """Hands back the op already built for a repeated stateless request."""

    def __init__(self, reporter, program=None):
        self.reporter = reporter
        self.program = os.path.abspath(program) if program else None
        self._graphs = {}           # id(graph) -> _GraphState (holds the graph)
        self._is_program = {}       # co_filename -> bool
        self._original = None

    # -- hooks -------------------------------------------------------------

    def attach(self):
        if self._original is not None:
            return
        original = ops.Graph._create_op_internal
        reuse = self

        def create_op(graph, op_type, inputs, dtypes=None, input_types=None, name=None,
                      attrs=None, op_def=None, compute_device=True):
            state = reuse._graphs.get(id(graph))
            found = remember = None
            if state is not None and state.ran and type(graph) is ops.Graph:
                found, remember = reuse._find(state, graph, op_type, inputs, dtypes,
                                              input_types, attrs, op_def)
                if found is not None:
                    return found
            op = original(graph, op_type, inputs, dtypes=dtypes, input_types=input_types,
                          name=name, attrs=attrs, op_def=op_def,
                          compute_device=compute_device)
            if remember is not None:
                reuse._register(state, remember, op)
            return op

        self._original = original
        ops.Graph._create_op_internal = create_op

    def detach(self):
        if self._original is not None:
            ops.Graph._create_op_internal = self._original
            self._original = None

    def before_run(self, graph, training):
        """Called by the watchdog before each ``Session.run``: returns the
        constants to feed (tensor -> value), possibly empty."""
        state = self._graphs.get(id(graph))
        if state is None:
            state = self._graphs[id(graph)] = _GraphState(graph)
        state.ran = True
        state.training = training
        state.ordinal.clear()
        state.reused_now.clear()
        return state.feeds

    # -- matching ------------------------------------------------------------

    def _origin(self):
        """(file, line) of the innermost frame of the program's own code."""
        frame = sys._getframe(1)
        known = self._is_program
        while frame is not None:
            filename = frame.f_code.co_filename
            mine = known.get(filename)
            if mine is None:
                mine = known[filename] = is_program_file(filename, self.program)
            if mine:
                return filename, frame.f_lineno
            frame = frame.f_back
        return None

    def _find(self, state, graph, op_type, inputs, dtypes, input_types, attrs, op_def):
        """``(op to hand back, None)``, or ``(None, where to remember the op
        about to be built)`` when it may be reused later, or ``(None, None)``."""
        if op_type in _NEVER_REUSED or graph.finalized or \
                graph._get_control_flow_context() is not None:
            return None, None
        op_def = op_def or op_def_registry.get(op_type)
        # An op that writes through a reference input (assign, scatter_*,
        # the Apply* updates) is not marked stateful, but is.
        if op_def is None or (op_def.is_stateful and op_type not in _READS) or \
                any(arg.is_ref for arg in op_def.input_arg):
            return None, None
        if graph._attr_scope_map or graph._op_to_kernel_label_map:
            return None, None
        origin = self._origin()
        if origin is None:
            return None, None
        attrs = attrs or {}
        context = (
            tuple(id(op) for op in graph._control_dependencies_for_inputs(
                {t.op for t in inputs})),
            tuple(spec.display_name for spec in graph._device_function_stack.peek_objs()),
            tuple(id(op) for op in graph._colocation_stack.peek_objs()),
            id(graph._default_original_op))
        if op_type == "Const" and "value" in attrs:
            return self._constant(state, origin, attrs, context)
        key = (origin, op_type,
               tuple((id(t.op), t.value_index) for t in inputs),
               tuple(input_types or ()), tuple(dtypes or ()),
               tuple(sorted((k, v.SerializeToString(deterministic=True))
                            for k, v in attrs.items())),
               context)
        found = state.ops.get(key)
        if found is not None and state.training:
            self._reused(state, origin)
            return found, None
        return None, (("op", key) if found is None else None)

    def _constant(self, state, origin, attrs, context):
        proto = attrs["value"].tensor
        dtype = attrs["dtype"].type
        key = (origin, dtype, tuple(d.size for d in proto.tensor_shape.dim), context)
        n = state.ordinal[key]
        state.ordinal[key] = n + 1
        built = state.constants.get(key, ())
        if n >= len(built):
            return None, ("const", key)
        if not state.training:
            return None, None
        op = built[n]
        value = attrs["value"].SerializeToString(deterministic=True)
        tensor = op.outputs[0]
        if value == state.first_value[op]:
            state.feeds.pop(tensor, None)
        elif dtype in _FED_CONSTANT_TYPES:
            state.feeds[tensor] = tensor_util.MakeNdarray(proto)
            state.fed_constants.add(op)
        else:
            return None, None
        self._reused(state, origin)
        return op, None

    def _register(self, state, remember, op):
        kind, key = remember
        if kind == "op":
            state.ops.setdefault(key, op)
        else:
            state.constants.setdefault(key, []).append(op)
            state.first_value[op] = op.node_def.attr["value"].SerializeToString(
                deterministic=True)

    # -- reporting -------------------------------------------------------------

    def _reused(self, state, origin):
        state.reused_ops += 1
        if origin in state.reused_now:
            return
        state.reused_now.add(origin)
        filename, line = origin
        self.reporter.record(
            "reuse", "%s:%d" % origin, linecache.getline(filename, line).strip(),
            "reused the ops its first pass built", filename, line,
            "builds the same stateless ops on every step: the ops its first pass built are "
            "handed back, and a constant that changes (a summary's tag) is fed on each "
            "run (--noreuse_loop_ops builds them anew)")

    def summary(self):
        """One line per graph whose loop ops were reused."""
        return ["reused %d loop-built ops instead of adding them (%d constants fed "
                "per run); --noreuse_loop_ops turns this off"
                % (state.reused_ops, len(state.fed_constants))
                for state in self._graphs.values() if state.reused_ops]
