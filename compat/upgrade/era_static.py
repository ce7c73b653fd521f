"""The upgrader's forms of the table's ``era_adapter`` keys: how an upgraded
file spells what a name meant in the program's era (``compat.api.era``),
since the name itself now means something else.  Each takes the entry, the
call (libcst) and ``spell(path)`` (a ``tf.`` path on the program's alias)
and returns ``(new call or None, flag)``: the line is always flagged, as a
reader of the new code might assume the modern meaning, or has to finish
what the source cannot decide."""

import libcst as cst


def _with_func(call, spell, path):
    return call.with_changes(func=spell(path))


def truncate_div(entry, call, spell):
    return (_with_func(call, spell, "tf.truncatediv"),
            "TF 0.x's tf.div truncated integer quotients toward zero (tf.div floors them "
            "now): written tf.truncatediv; where the operands are floats it divided "
            "exactly: write tf.divide there")


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
        code(spell("tf.sign")), code(x), code(spell("tf.floor")), code(spell("tf.abs")))
    return (cst.parse_expression(form),
            "TF 0.x's tf.round rounded halves away from zero (tf.round rounds them to even "
            "now): written out as sign(x) * floor(|x| + 0.5)")


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


def _operator(name, truncating):
    def flag(entry, node, spell):
        return None, ("TF 0.x's %s truncated on integer tensors (C semantics; it floors "
                      "now): where the operands are integer tensors write %s(a, b)"
                      % (name, truncating))
    return flag


truncating_floordiv = _operator("a // b (and a Python 2 a / b)", "tf.truncatediv")
truncating_mod = _operator("a % b (also on floats)", "tf.truncatemod")
