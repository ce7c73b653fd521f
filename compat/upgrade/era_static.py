"""The upgrader's forms of the table's ``era_adapter`` keys: how an upgraded
file spells what a name meant in the program's era (``compat.api.era``),
since the name itself now means something else.  Each takes the entry, the
call (libcst) and ``spell(path)`` (a ``tf.`` path on the program's alias)
and returns ``(new call or None, flag)``: the line is always flagged, as a
reader of the new code might assume the modern meaning, or has to finish
what the source cannot decide."""

import libcst as cst

from compat.api.tf_names import TF0_RUNTIME


def _with_func(call, spell, path):
    return call.with_changes(func=spell(path))


def truncate_div(entry, call, spell):
    """``tf.div(a, b)`` -> ``tf.raw_ops.Div(x=a, y=b)``: the kernel TF 0.x's
    ``tf.div`` ran, which truncates integer quotients toward zero (C) and
    divides floats exactly.  ``tf.truncatediv`` would truncate floats too
    (``tf.div(x, 255.0)`` would become 0), and the source shows no dtype."""
    note = ("TF 0.x's tf.div truncated integer quotients toward zero and divided floats "
            "exactly (tf.div floors integers now)")
    args = list(call.args)
    if len(args) > 3 or any(a.star for a in args):
        return None, note + ": write tf.raw_ops.Div(x=a, y=b), the old kernel"
    keyed = [_keyword(a.keyword.value if a.keyword else param, a.value)
             for param, a in zip(("x", "y", "name"), args)]
    return (call.with_changes(func=spell("tf.raw_ops.Div"), args=_commas(keyed)),
            note + ": written tf.raw_ops.Div, the old kernel, which does both")


def truncate_mod(entry, call, spell):
    return (_with_func(call, spell, "tf.truncatemod"),
            "TF 0.x's tf.mod was C's fmod, for floats too (tf.mod is a floor modulus "
            "now): written tf.truncatemod")


def round_half_away(entry, call, spell):
    """``tf.round(x)`` -> ``tf.sign(x) * tf.floor(tf.abs(x) + 0.5)``."""
    args = [a for a in call.args if a.keyword is None or a.keyword.value == "x"]
    if len(args) != 1 or len(call.args) != 1 or args[0].star:
        return None, ("TF 0.x's tf.round rounded halves away from zero (tf.round rounds "
                      "them to even now): write tf.sign(x) * tf.floor(tf.abs(x) + 0.5)")
    x = args[0].value
    code = cst.Module([]).code_for_node
    form = "{0}({1}) * {2}({3}({1}) + 0.5)".format(
        code(spell("tf.sign")), code(x), code(spell("tf.floor")), code(spell("tf.math.abs")))
    return (cst.parse_expression(form),
            "TF 0.x's tf.round rounded halves away from zero (tf.round rounds them to even "
            "now): written out as sign(x) * floor(|x| + 0.5)")


def _commas(args):
    """``args`` with a comma after each but the last."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [a.with_changes(comma=comma if i < len(args) - 1 else cst.MaybeSentinel.DEFAULT)
            for i, a in enumerate(args)]


def _keyword(name, value):
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def svd_0x_flags(entry, call, spell):
    """``tf.svd(x, True, False)`` -> ``tf.svd(x, compute_uv=True,
    full_matrices=False)``: the flags by their 0.x names (``entry.params``),
    so the swapped order cannot matter."""
    if any(a.star for a in call.args):
        return None, ("TF 0.x's tf.svd took (tensor, compute_uv, full_matrices); 1.0 swapped "
                      "the two flags: write them by keyword")
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) <= 1:
        return None, None
    named = [_keyword(param, arg.value) for param, arg in zip(entry.params[1:], positional[1:])]
    keywords = [a for a in call.args if a.keyword is not None]
    return call.with_changes(args=_commas([positional[0]] + named + keywords)), None


def exact_dct(entry, call, spell):
    """``dct_method="INTEGER_ACCURATE"`` added where the call does not say:
    0.x's only DCT (1.0 made the fast one the default)."""
    if any(a.star or (a.keyword is not None and a.keyword.value == "dct_method")
           for a in call.args):
        return None, None
    if len([a for a in call.args if a.keyword is None]) > 6:
        return None, ("TF 0.x's decode_jpeg took name as its seventh argument, where "
                      "dct_method is now: write name= and dct_method=\"INTEGER_ACCURATE\"")
    return call.with_changes(args=_commas(list(call.args) + [
        _keyword("dct_method", cst.SimpleString('"INTEGER_ACCURATE"'))])), None


def flat_lstm_state(entry, call, spell, decided=True):
    """``state_is_tuple=False`` added where the call does not say."""
    if any(a.keyword is not None and a.keyword.value == "state_is_tuple" for a in call.args):
        return None, None
    if not decided:
        return None, ("before TF 0.11 the cell's state_is_tuple defaulted to False (one flat "
                      "state tensor), since True; --tf_version cannot tell which this "
                      "program had: add state_is_tuple=False if it feeds one flat state")
    args = list(call.args)
    if args and args[-1].comma == cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(value=cst.Name("False"), keyword=cst.Name("state_is_tuple"),
                        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                              whitespace_after=cst.SimpleWhitespace(""))))
    return (call.with_changes(args=args),
            "before TF 0.11 the cell's state was one flat tensor (state_is_tuple defaults to "
            "True now): state_is_tuple=False written")


def _operator(name, function, old):
    def form(entry, node, spell):
        if isinstance(node, cst.Call):  # compat.py2's old_div(a, b): Python 2's a / b
            name_, function_ = "Python 2 a / b", "div"
            old_ = "truncated integer tensors toward zero and divided floats exactly"
            if len(node.args) != 2 or any(a.star or a.keyword for a in node.args):
                return None, ("TF 0.x's %s %s (integers floor now): write %s.div(a, b)"
                              % (name_, old_, TF0_RUNTIME))
            operands = [a.value for a in node.args]
        else:
            name_, function_, old_ = name, function, old
            operands = [node.left, node.right]
        call = cst.Call(func=cst.parse_expression("%s.%s" % (TF0_RUNTIME, function_)),
                        args=_commas([cst.Arg(value=value) for value in operands]))
        return call, ("TF 0.x's %s %s (Python's floor since TF 1.0): written %s.%s(a, b), "
                      "which gives a tensor operand the old kernel and other operands "
                      "Python's operator" % (name_, old_, TF0_RUNTIME, function_))
    return form


truncating_floordiv = _operator("a // b", "floordiv",
                                "truncated integer tensors toward zero (C)")
truncating_mod = _operator("a % b", "mod", "was C's fmod (the sign of the dividend), on "
                           "float tensors too")
