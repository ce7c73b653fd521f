"""Which TensorFlow era a legacy program was written for, and so which
meaning its names have.

Some names kept their spelling while TF changed what they do (``tf.div``,
``tf.mod``, ``//`` and ``%`` on integer tensors and ``tf.round`` in 1.0;
the LSTM cells' ``state_is_tuple`` default in 0.11): the table marks them
with ``era_adapter`` / ``era_since`` (``compat.api.entry``).  Both engines
ask this module, with the same answer for the same source:

* :func:`parse` reads ``--tf_version``: ``auto``, ``0.x``, ``1.x``, or a
  0.x release (``0.10``) where a change inside 0.x matters.
* :func:`detect` (``auto``) reads the program's source: a name that was gone
  in TF 1.0 (an entry of version 0.12 or 1.0 not ``survived_1_0``), or the
  old-order call of a name whose arguments changed in 1.0, proves TF 0.x.
  With only names common to both eras it chooses 1.x: most such programs
  were written for 1.x, and 1.x's meaning is what ``tf.compat.v1`` gives.
* :func:`applies` says, for an entry, whether the program predates its
  change (True), does not (False) or cannot be told (None: ``0.x`` and a
  change made inside 0.x, which the engines flag instead of choosing).

Standard library only (``ast``): the runner and the upgrader both call it,
the upgrader without TensorFlow.
"""

import ast
import dataclasses

from compat.api.registry import RegistryError
from compat.api.entry import Kind
from compat.api.table import ENTRIES
from compat.util import errors

CHOICES = ("auto", "0.x", "1.x", "0.9", "0.10", "0.11", "0.12")
DEFAULT = "1.x"


class EraError(errors.UserError):
    """A --tf_version value that names no era."""


@dataclasses.dataclass(frozen=True)
class Era:
    """``label`` as the user or :func:`detect` gave it; ``minor`` the 0.x
    release, or None when only "some 0.x" is known; ``reason`` why."""

    label: str
    major: int
    minor: int = None
    reason: str = ""
    # The program uses a name whose meaning the era decides (tf.div, ...).
    sensitive: bool = True

    @property
    def is_0x(self):
        return self.major == 0


def _version(text):
    major, _, minor = text.partition(".")
    return int(major), int(minor)


def parse(value):
    """The :class:`Era` a ``--tf_version`` value names (None for ``auto``)."""
    if value == "auto":
        return None
    if value not in CHOICES:
        raise EraError("--tf_version=%s: expected one of %s" % (value, ", ".join(CHOICES)))
    if value == "1.x":
        return Era("1.x", 1, reason="--tf_version=1.x")
    if value == "0.x":
        return Era("0.x", 0, reason="--tf_version=0.x")
    return Era(value, 0, _version(value)[1], reason="--tf_version=" + value)


def applies(era, entry):
    """Whether a program of ``era`` gets ``entry``'s old meaning: True,
    False, or None when the era is too coarse to tell."""
    if era is None or entry.era_adapter is None:
        return False
    since = _version(entry.era_since)
    if not era.is_0x:
        return since > (1, 0)
    if era.minor is not None:
        return (0, era.minor) < since
    return True if since >= (1, 0) else None


def semantics(era):
    """The old meanings ``era`` gets, in table order, without repeats."""
    notes = []
    for entry in ENTRIES:
        if applies(era, entry) and entry.era_note not in notes:
            notes.append(entry.era_note)
    return notes


def undecided(era):
    """Entries whose change ``era`` cannot place (see :func:`applies`)."""
    return [entry for entry in ENTRIES if applies(era, entry) is None]


def describe(era):
    """The one line saying what was decided and why."""
    notes = semantics(era)
    line = "TF %s semantics (%s): %s" % (
        era.label, era.reason, ", ".join(notes) or "the names mean what tf.compat.v1 gives")
    open_ = {}
    for entry in undecided(era):
        open_.setdefault((entry.era_note, entry.era_since), []).append(entry.old)
    for (note, since), names in open_.items():
        line += "; not decided: %s before TF %s only (%s): flagged where used; " \
                "--tf_version=0.%d gives it, %s does not" % (
                    note, since, ", ".join(n.rpartition(".")[2] for n in names),
                    _version(since)[1] - 1, since)
    return line


# --- detection ---------------------------------------------------------------------

def _is_int(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def _positional(call, index):
    return call.args[index] if len(call.args) > index else None


# How a call shows the old argument order from the source alone, keyed like
# the engines' ORDER_TESTS (compat.legacy.adapters, compat.upgrade.static):
# only what is certain counts as proof.
PROOF_TESTS = {
    None: lambda entry, call: True,
    "positional": lambda entry, call: bool(call.args),
    "positional_or_targets": lambda entry, call: bool(call.args) or any(
        k.arg == "targets" for k in call.keywords),
    "first_arg_is_axis": lambda entry, call: any(
        k.arg == entry.params[0] for k in call.keywords) or (
        bool(call.args) and _is_int(call.args[0])),
    "second_arg_is_bool_mask": lambda entry, call: isinstance(
        _positional(call, 1), (ast.List, ast.Tuple)) and bool(call.args[1].elts) and all(
        isinstance(e, ast.Constant) and type(e.value) is bool for e in call.args[1].elts),
    # The runner reads the third argument's dtype; the source cannot.
    "third_arg_not_integer": lambda entry, call: False,
    # A 0.x initializer function given its shape (a literal, or shape=).
    "first_arg_is_shape": lambda entry, call: any(
        k.arg == entry.params[0] for k in call.keywords) or (
        bool(call.args) and isinstance(call.args[0], (ast.List, ast.Tuple)) or (
            bool(call.args) and _is_int(call.args[0]))),
    "uses_old_keyword": lambda entry, call: any(k.arg in entry.renames for k in call.keywords),
    "has_replica_id": lambda entry, call: any(k.arg == "replica_id" for k in call.keywords)
    or len(call.args) > entry.params.index("replica_id"),
}


def proves_0x(entry):
    """Whether the old name (its old-order call, where the order changed)
    was gone in TF 1.0, so using it proves a 0.x program."""
    # A kept name (tf.reduce_sum(reduction_indices=), tf.svd) is in both eras.
    return (entry.changed == "changed in TF" and entry.version in ("0.12", "1.0")
            and entry.kind is not Kind.KEPT and not entry.survived_1_0)


_PROOFS = {entry.old: entry for entry in ENTRIES if proves_0x(entry)}
_missing = {e.old_order_if for e in _PROOFS.values()} - set(PROOF_TESTS)
if _missing:
    raise RegistryError("compat.api.era has no proof test for old_order_if %s"
                        % sorted(_missing, key=str))


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _aliases(tree):
    """Local name -> the module path it stands for, from the imports of
    ``tensorflow`` (``import tensorflow as tf``, ``from tensorflow.python.ops
    import rnn``)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tensorflow":
                    aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else "tensorflow")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == \
                "tensorflow" and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = node.module + "." + alias.name
    return aliases


def _table_path(path, aliases):
    """A dotted use as the table spells it: ``tf.mul`` for ``tf.mul`` under
    ``import tensorflow as tf``, else the module path
    (``tensorflow.python.ops.rnn.rnn``)."""
    root, _, rest = path.partition(".")
    if root not in aliases:
        return None
    full = aliases[root] + ("." + rest if rest else "")
    short = "tf" + full[len("tensorflow"):]
    return short if short in _PROOFS else full


def _proof(tree, aliases):
    """(old name, line) of the first use in ``tree`` that proves TF 0.x."""
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        path = _dotted(node)
        name = path and _table_path(path, aliases)
        entry = _PROOFS.get(name)
        if entry is None:
            continue
        call = calls.get(id(node))
        if entry.old_order_if is not None and (
                call is None or not PROOF_TESTS[entry.old_order_if](entry, call)):
            continue
        found.append((node.lineno, entry.old))
    if not found:
        return None
    line, name = min(found)
    return name, line


def detect(source, filename="<program>", aliases=None):
    """The :class:`Era` of a Python 3 ``source`` (translate Python 2 first).
    ``aliases``: a dict of the tensorflow imports seen before (a notebook's
    earlier cells), updated with this source's."""
    aliases = {} if aliases is None else aliases
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        tree = None
    if tree is not None:
        aliases.update(_aliases(tree))
    proof = tree is not None and _proof(tree, aliases)
    if proof:
        name, line = proof
        entry = _PROOFS[name]
        how = "called in its old argument order" if entry.old_order_if else "used"
        return Era("0.x", 0, reason="%s %s at line %d was gone in TF 1.0" % (name, how, line))
    return Era(DEFAULT, 1, reason="only names TF 0.x and 1.x share; %s assumed, "
                                  "--tf_version=0.x for a 0.x program" % DEFAULT,
               sensitive=tree is None or _uses_era_name(tree, aliases))


_ERA_NAMES = {entry.old for entry in ENTRIES if entry.era_adapter and entry.old.startswith("tf.")}


def _uses_era_name(tree, aliases):
    """Whether ``tree`` names a function or class whose meaning the era
    decides (the operators are left out: ``step % 100`` is everywhere)."""
    for node in ast.walk(tree):
        path = isinstance(node, ast.Attribute) and _table_path(_dotted(node) or "", aliases)
        if path and ("tf" + path[len("tensorflow"):] in _ERA_NAMES or path in _ERA_NAMES):
            return True
    return False


def worth_saying(era):
    """Whether the decision line tells the user anything: an era given or
    found to be 0.x, or a 1.x default for a program using a name whose
    meaning it decides; a 1.x program using none changes nothing."""
    return era.is_0x or era.sensitive


def decide(value, source, filename="<program>"):
    """The era for a ``--tf_version`` value: given, or detected (``auto``)."""
    era = parse(value)
    return era if era is not None else detect(source, filename)
