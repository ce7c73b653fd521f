"""The upgrader's counterparts of ``compat.legacy.adapters``: deciding from
the source alone whether a call is in the old argument order
(``ORDER_TESTS``), binding an old-order call's arguments to the old
parameters (``bind_call``), and writing out the calls of ``adapter``
entries (``STATIC_ADAPTERS``).  Both are keyed by the names the table uses and are
checked against it, and so against the runner's registries, on import
(``compat.api.registry``)."""

import dataclasses
import json
import re

import libcst as cst

from compat import api
from compat.api import Kind
from compat.api.tf_names import TF0_RUNTIME
from compat.upgrade import era_static

OLD, NEW, UNKNOWN = "old", "new", "unknown"


def split_args(call):
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    starred = any(a.star for a in call.args)
    return positional, keywords, starred


# --- deciding argument order statically ---------------------------------------

def _int_literal(node):
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, cst.Integer)


def _axis_like(node):
    """True for an int literal (what an axis is), False for a literal that
    cannot be an axis, None when only the running program knows."""
    if _int_literal(node):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.ListComp, cst.SimpleString,
                         cst.ConcatenatedString, cst.FormattedString, cst.Float)):
        return False
    return None


def _bool_literal(node):
    return isinstance(node, cst.Name) and node.value in ("True", "False")


def _order_positional(entry, call):
    positional, _, starred = split_args(call)
    return OLD if positional else (UNKNOWN if starred else NEW)


def _order_positional_or_targets(entry, call):
    order = _order_positional(entry, call)
    _, keywords, _ = split_args(call)
    return OLD if order == OLD or "targets" in keywords else order


def _order_first_arg_is_axis(entry, call):
    """Old order iff the first argument is the axis.  An int literal in the
    new order's axis slot means new order: the old order puts the data to
    operate on there, which an int cannot be."""
    positional, keywords, _ = split_args(call)
    new_axis = entry.renames.get(entry.params[0], entry.params[0])
    if entry.params[0] in keywords:
        return OLD
    if new_axis in keywords or not positional:
        return NEW
    first = _axis_like(positional[0].value)
    if first is not None:
        return OLD if first else NEW
    slot = entry.new_params.index(new_axis) if new_axis in entry.new_params else None
    if slot is not None and slot < len(positional):
        at_slot = _axis_like(positional[slot].value)
        if at_slot is not None:
            return NEW if at_slot else OLD
    return UNKNOWN


def _order_second_arg_is_bool_mask(entry, call):
    positional, keywords, _ = split_args(call)
    name = entry.params[1]
    new_name = entry.renames.get(name, name)
    arg = keywords.get(name) or (positional[1] if len(positional) > 1 else None)
    if arg is None:
        return NEW if new_name in keywords or len(positional) < 2 else UNKNOWN
    value = arg.value
    if isinstance(value, (cst.List, cst.Tuple)):
        items = [el.value for el in value.elements]
        if items and all(_bool_literal(item) for item in items):
            return OLD
        if all(_int_literal(item) for item in items):
            return NEW
    return UNKNOWN


def _order_has_replica_id(entry, call):
    positional, keywords, starred = split_args(call)
    if "replica_id" in keywords or len(positional) > entry.params.index("replica_id"):
        return OLD
    return UNKNOWN if starred else NEW


# TF's dtype names (tf.float32, tf.int64, tf.bool, ...).
_DTYPE_NAME = re.compile(r"(b?float|u?int|complex|qu?int)\d+|half|double|bool|string")


def _order_uses_old_keyword(entry, call):
    """Old iff the call names a keyword the table renames; ``**kwargs`` may."""
    _, keywords, starred = split_args(call)
    if any(key in entry.renames for key in keywords):
        return OLD
    return UNKNOWN if starred else NEW


def _order_first_arg_is_shape(entry, call):
    """Old (a 0.x initializer function given its shape) for a shape-like
    first argument or ``shape=``; new for none or a dtype (``tf.float32``,
    ``'float32'``), which is what the 0.12+ class takes first."""
    positional, keywords, starred = split_args(call)
    if entry.params[0] in keywords:
        return OLD
    if not positional:
        return UNKNOWN if starred else NEW
    first = positional[0].value
    if isinstance(first, (cst.List, cst.Tuple, cst.ListComp, cst.Integer)):
        return OLD
    if isinstance(first, cst.SimpleString) or (
            isinstance(first, cst.Attribute) and _DTYPE_NAME.fullmatch(first.attr.value)):
        return NEW
    return UNKNOWN


def _order_third_arg_not_integer(entry, call):
    """The runner tells the two orders apart by the third argument's dtype,
    which the source does not show: a third positional is undecidable."""
    positional, _, starred = split_args(call)
    return UNKNOWN if len(positional) > 2 or starred else NEW


# The static counterparts of compat.legacy.adapters.ORDER_TESTS, by the same names.
ORDER_TESTS = {
    None: lambda entry, call: OLD,
    "positional": _order_positional,
    "positional_or_targets": _order_positional_or_targets,
    "first_arg_is_axis": _order_first_arg_is_axis,
    "second_arg_is_bool_mask": _order_second_arg_is_bool_mask,
    "has_replica_id": _order_has_replica_id,
    "first_arg_is_shape": _order_first_arg_is_shape,
    "uses_old_keyword": _order_uses_old_keyword,
    "third_arg_not_integer": _order_third_arg_not_integer,
}


# Order tests the source cannot decide that have a runtime form the upgraded
# file can call (``compat.tf1x.tf0_ops``), by the same names: the call is
# written ``<form>(<function>, <its arguments>)`` and decided when it runs.
RUNTIME_ORDER = {"third_arg_not_integer": TF0_RUNTIME + ".third_arg_order"}


def runtime_order(entry, call):
    """The dotted runtime form to wrap ``call`` in, when its order is
    undecidable here and the order test has one (every argument positional
    up to the ones that move, none starred); else None."""
    form = RUNTIME_ORDER.get(entry.old_order_if)
    if form is None or ORDER_TESTS[entry.old_order_if](entry, call) != UNKNOWN:
        return None
    positional, _, starred = split_args(call)
    return form if len(positional) > 3 and not starred else None


def order_hint(entry):
    def signature(names):
        return "(%s)" % ", ".join(n for n in names if n not in ("name", "num", "family"))
    new_names = [n for n in entry.new_params]
    return "cannot tell whether %s or %s" % (signature(entry.params), signature(new_names))


# --- adapters: the static counterparts of compat.legacy.adapters.ADAPTERS ----------

class Unmappable(Exception):
    pass


def _single_tag(entry, values):
    """A vector of tags (one summary per element) has no tf.summary form."""
    tags = values.get(entry.params[0])
    if isinstance(tags, (cst.List, cst.Tuple)):
        raise Unmappable("a list of tags (a vector summary) has no tf.summary equivalent; "
                         "write one %s per tag" % entry.new)
    return values


def _as_is(entry, values):
    return values


def _mask_to_axes(entry, values):
    """``[False, True]`` -> ``[1]``: the axes a bool mask selected."""
    name = entry.params[1]
    mask = values[name]
    axes = [i for i, el in enumerate(mask.elements) if el.value.value == "True"]
    values = dict(values)
    values[name] = cst.parse_expression(repr(axes))
    return values


def _drop_replica_id(entry, values):
    """The modern optimizer has no replica_id: each worker keeps its own
    local step."""
    return {name: value for name, value in values.items() if name != "replica_id"}


@dataclasses.dataclass(frozen=True)
class StaticAdapter:
    """How the upgrader writes out an ``adapter`` entry.  ``rewrite(entry,
    values)`` maps an old-order call's arguments, bound to the old
    parameters (name -> expression), to the modern call's.  ``rewrite=None``
    says the entry deliberately has no static form: where ``new`` is the old
    name, the name is kept and a note gives its ``upgrade_note`` (what the
    modern behaviour does differently); otherwise every use is flagged.
    ``era`` is the form of an ``era_adapter`` key (``compat.upgrade.era_static``)."""

    rewrite: object = None
    era: object = None


NO_STATIC_FORM = StaticAdapter()

STATIC_ADAPTERS = {
    "scalar_summary": StaticAdapter(_single_tag),
    "image_summary": StaticAdapter(_as_is),
    "histogram_summary": StaticAdapter(_as_is),
    "audio_summary": StaticAdapter(_as_is),
    "reverse_with_mask": StaticAdapter(_mask_to_axes),
    "sync_replicas_v1": StaticAdapter(_drop_replica_id),
    # tf.compat.v1's flags and app.run are absl's, stricter than TF 0.x's;
    # the runner's leniency has no source form, so the names stay.
    "legacy_flags": NO_STATIC_FORM,
    "legacy_app_run": NO_STATIC_FORM,
    # What a TF 0.x program's names meant (era_adapter; compat.api.era).
    **{key: StaticAdapter(era=getattr(era_static, key)) for key in (
        "truncate_div", "truncate_mod", "round_half_away", "flat_lstm_state", "svd_0x_flags",
        "exact_dct",
        "truncating_floordiv", "truncating_mod")},
}

api.check_registries(__name__, STATIC_ADAPTERS, ORDER_TESTS)


def append_keyword(args, keyword, value):
    """Add ``keyword=value`` (a JSON-like literal) to a call's ``args`` list."""
    if args and args[-1].comma == cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(value=cst.parse_expression(json.dumps(value)),
                        keyword=cst.Name(keyword),
                        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                              whitespace_after=cst.SimpleWhitespace(""))))


def static_rewrite(entry):
    """The function that maps an ``adapter`` entry's bound arguments, or
    None (no adapter, or one with no static form)."""
    return STATIC_ADAPTERS[entry.adapter].rewrite if entry.adapter is not None else None


def bind_call(entry, call):
    """The call's arguments bound to the old parameters, renamed, and
    written for ``entry.new``: leading positionals that mean the same
    there stay positional, the rest become keywords."""
    positional, keywords, starred = split_args(call)
    if starred:
        raise Unmappable("*args/**kwargs cannot be bound to the old parameters "
                         "(%s) before running" % ", ".join(entry.params))
    if len(positional) > len(entry.params):
        raise Unmappable("%d positional arguments, but the old %s took at most %d"
                         % (len(positional), entry.old, len(entry.params)))
    bound = list(zip(entry.params, positional)) + list(keywords.items())
    names = [name for name, _ in bound]
    if len(set(names)) != len(names):
        raise Unmappable("an argument is given twice")
    bound = [(name, arg) for name, arg in bound if name not in entry.dropped]
    names = [name for name, _ in bound]
    values = {name: arg.value for name, arg in bound}
    rewrite = static_rewrite(entry)
    if rewrite is not None:
        values = rewrite(entry, values)
        # An adapter may drop an argument the modern form has no use for.
        bound = [(name, arg) for name, arg in bound if name in values]
        names = [name for name, _ in bound]
    new_names = [entry.renames.get(name, name) for name in names]
    if len(set(new_names)) != len(new_names):
        raise Unmappable("two old arguments map to %s's same parameter; map by hand"
                         % entry.new)
    args, keep = [], True
    for i, ((name, arg), new_name) in enumerate(zip(bound, new_names)):
        keep = (keep and arg.keyword is None and i < entry.positional_kept
                and i < len(entry.new_params) and entry.new_params[i] == new_name)
        args.append(_as_arg(arg, values[name], new_name, keep))
    if args and len(args) < len(call.args):
        # Where the last argument was dropped, the new last one takes its
        # (absent) trailing comma.
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return args


def _as_arg(arg, value, name, positional):
    if positional:
        return arg.with_changes(value=value)
    equal = arg.equal if arg.keyword is not None else cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    return arg.with_changes(keyword=cst.Name(name), equal=equal, value=value)


def maps_calls(entry):
    """Whether calls of ``entry`` are rewritten (bound and written out)."""
    return entry.kind is Kind.ARGS or (entry.kind is Kind.ADAPTER
                                       and static_rewrite(entry) is not None)
