"""The lint for graph ops built inside a training loop: a loop whose body
runs the session (``.run``/``.eval``) and also calls a graph-building
function adds ops on every pass, so the graph, and each step, grows.  The
upgrader flags such calls; which TF calls build no ops is in
``compat.api.tf_names``."""

import libcst as cst

from compat.api.tf_names import (GRAPH_RESETS, NON_OP_CALLS, NON_OP_PREFIXES, OP_NAMESPACES,
                                 RUN_METHODS, STATEFUL_CALLS, STATEFUL_PREFIXES)
from compat.upgrade.bindings import dotted, tf_form
from compat.upgrade.findings import Finding


class _Calls(cst.CSTVisitor):
    """Calls in a loop body that run on each pass (not those in functions
    or classes merely defined there)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def visit_Call(self, node):
        self.calls.append(node)

    def visit_FunctionDef(self, node):
        return False

    def visit_ClassDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False


class _Loops(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.loops = []

    def visit_For(self, node):
        self.loops.append(node)

    def visit_While(self, node):
        self.loops.append(node)


def _makes_ops(path):
    if path is None or not path.startswith(OP_NAMESPACES):
        return False
    path = tf_form(path)
    return (path not in NON_OP_CALLS and path not in GRAPH_RESETS
            and not path.startswith(NON_OP_PREFIXES))


def _stateful(path):
    path = tf_form(path)
    return path in STATEFUL_CALLS or path.startswith(STATEFUL_PREFIXES)


# What ``run_legacy.py`` does with the line when the program runs unmodified.
_RUNNER_REUSES = ("run_legacy.py hands back the ops this line built on the "
                  "loop's first pass (a changing summary tag is fed to them), so the graph "
                  "stops growing there")
_RUNNER_REBUILDS = ("run_legacy.py builds %s anew on every pass too, since "
                    "its ops hold state or take a feed, so the graph still grows")


def loop_flags(module, bindings, positions, line_of, cell):
    """Flags for graph-building calls inside a loop whose body also runs the
    graph: each pass adds new ops, so the graph (and each step) grows."""
    loops = _Loops()
    module.visit(loops)
    flags, seen = [], set()
    for loop in loops.loops:
        found = _Calls()
        loop.body.visit(found)
        runs = any(isinstance(c.func, cst.Attribute) and c.func.attr.value in RUN_METHODS
                   for c in found.calls)
        paths = [(c, bindings.resolve(c.func)) for c in found.calls]
        if not runs or any(tf_form(p or "") in GRAPH_RESETS for _, p in paths):
            continue
        loop_line = line_of(positions[loop].start.line)
        op_calls = [(c, p, line_of(positions[c].start.line)) for c, p in paths if _makes_ops(p)]
        for call, path, line in op_calls:
            if line in seen:
                continue
            seen.add(line)
            written = dotted(call.func)
            stateful = [dotted(c.func) for c, p, at in op_calls if at == line and _stateful(p)]
            runner = (_RUNNER_REBUILDS % "/".join(stateful)) if stateful else _RUNNER_REUSES
            flags.append(Finding(
                "flag", written, line, module.code_for_node(call).strip(),
                "hoist it before the loop at line %d" % loop_line,
                "%s(...) creates graph ops on every pass of the loop at line %d, which also "
                "runs the session: the graph grows each step; build it once before the loop "
                "and only run it inside. Run unmodified, %s" % (written, loop_line, runner), cell))
    return flags
