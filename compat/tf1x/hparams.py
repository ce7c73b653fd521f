"""``tf.contrib.training.HParams`` and ``tf.contrib.training.parse_values``
for programs written against TensorFlow 1.12-1.15, without TensorFlow.

TF 2.x dropped ``tf.contrib``, and with it the little hyperparameter
container that many 1.x programs build their models around: they construct
``HParams(learning_rate=0.1, layers=[64, 64])``, read ``hparams.layers``,
and override values from one command-line flag with
``hparams.parse("learning_rate=0.3,layers=[128,128]")``.  This module
re-implements that class and the parser it uses, following the behaviour
of ``tensorflow/contrib/training/python/training/hparam.py`` as the r1.15
API documentation describes it (earlier 1.x copies of the file have the same
class; some lack ``parse_values``'s ``ignore_unknown``).  It is pure Python:
the legacy runner can serve it without paying for a TensorFlow import.

What a 1.x program sees, kept on purpose even where it is surprising:

* A hyperparameter's type is fixed when it is added, from the value (for a
  list or tuple, from its first element; the other elements are not checked).
  ``set_hparam``/``parse``/``parse_json``/``override_from_dict`` convert to
  that type where TF did (int to float yes, float to int no, nothing to or
  from bool, nothing but text to text) and raise ``ValueError`` otherwise.
  A hyperparameter added with the value ``None`` accepts anything.
* ``parse_values`` understands indexed assignments (``arr[1]=5``, returned
  as ``{'arr': {1: 5}}``), but ``HParams.parse`` hands that dict to
  ``set_hparam``, which rejects it (``Must pass a list ...`` for a list
  hyperparameter): TF 1.x never applied indexed assignments to an HParams.
* A value the element type cannot be called on raises what the call raises:
  parsing into a hyperparameter added as ``None`` is a ``TypeError``.
* ``str()`` is ``name=value`` pairs joined by commas (parseable back for
  numbers, bools and lists of them); ``repr()`` is
  ``HParams([('name', value), ...])`` sorted by name.
* There is no ``__eq__``: two HParams are equal only if they are the same
  object.  Private state lives in ``_hparam_types`` (name -> (type, is_list))
  and ``_model_structure``, the attributes old code sometimes read directly.

Not supported: the ``HParamDef`` protocol buffer path (``hparam_def=``,
``to_proto``, ``from_proto``) and TF's registration of HParams with the
graph collection proto functions, which need TensorFlow's generated
``hparam_pb2``.  Those raise ``ValueError`` saying so.
"""

import json
import logging
import numbers
import re

__all__ = ["HParams", "parse_values"]

# One ``name[index]=value`` clause and the separator after it.  The value is
# either a [bracketed list] or everything up to the next comma (a scalar may
# hold '=', '/', quotes, inner or trailing spaces, and may be empty; it may not
# hold '[').  At most one alternative can complete a clause (a list starts
# with '[', which a scalar cannot contain), so their order does not matter.
# Names may contain dots (TF allowed them for hyperparameters added with
# add_hparam and read with getattr).
_CLAUSE = re.compile(
    r"(?P<name>[a-zA-Z][\w.]*)"
    r"(?:\[\s*(?P<index>\d+)\s*\])?"
    r"\s*=\s*"
    r"(?:\[(?P<items>[^\]]*)\]|(?P<scalar>[^,\[]*))"
    r"(?:$|,\s*)")

# List items are separated by commas and/or spaces; empty pieces are dropped,
# so "[]" is the empty list and "[1, 2]" has two items.
_ITEM_SEPARATOR = re.compile(r"[ ,]")

_TEXT_TYPES = (str, bytes)

# TF's deprecation notice went through TensorFlow's logger; using the same
# logger name keeps tf.compat.v1.logging.set_verbosity in charge of it.
_log = logging.getLogger("tensorflow")

_NO_PROTOS = ("HParamDef protocol buffers are not supported by tf1-compat's "
              "HParams (it is pure Python and has no hparam_pb2); build HParams "
              "from keyword arguments and save it with to_json()/parse_json()")


def _could_not_parse(name, param_type, text, values):
    return ValueError("Could not parse hparam '%s' of type '%s' with value '%s' in %s"
                      % (name, param_type.__name__, text, values))


def _assigned_twice(name, values):
    return ValueError("Multiple assignments to variable '%s' in %s" % (name, values))


def _parse_bool(text):
    """A bool from its spelling in a clause.  Anything but the four words goes
    through int(), so '1' and '+2' are True and '0' is False."""
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    return bool(int(text))


def _parser_for(param_type):
    # bool('false') would be True, hence the special case; every other type
    # is called on the text (int('1.0') fails, float('1') is 1.0).
    return _parse_bool if param_type == bool else param_type


def _store_scalar(results, name, index, value, values):
    if index is None:
        if name in results:
            raise _assigned_twice(name, values)
        results[name] = value
        return
    slots = results.setdefault(name, {})
    if not isinstance(slots, dict):
        # ``name`` already had a whole value (scalar or list) in this string.
        raise _assigned_twice(name, values)
    position = int(index)
    if position in slots:
        raise _assigned_twice("%s[%d]" % (name, position), values)
    slots[position] = value


def parse_values(values, type_map, ignore_unknown=False):
    """Parses ``values``, comma-separated ``name=value`` clauses, into a dict.

    ``type_map`` maps each name to its type (for a list hyperparameter, the
    type of its elements).  Each clause's value is read according to that
    type: ``int(text)``, ``float(text)``, a string as written, a bool from
    true/True/false/False or an integer; ``name=[a,b,c]`` gives a list,
    ``name[i]=v`` a dict ``{i: v}`` collecting the indexed assignments.

    Returns:
      A dict mapping each name to a scalar, a list, or an index -> value dict,
      e.g. ``'x=5,L=[1,2],arr[1]=3'`` gives ``{'x': 5, 'L': [1, 2], 'arr': {1: 3}}``.

    Raises:
      ValueError: for a malformed clause, a name missing from ``type_map``
        (unless ``ignore_unknown``, which skips such clauses), a value its type
        cannot parse, a list assigned to an index, or a name (or index)
        assigned twice.
    """
    results = {}
    position = 0
    while position < len(values):
        match = _CLAUSE.match(values, position)
        if match is None:
            raise ValueError("Malformed hyperparameter value: %s" % values[position:])
        position = match.end()
        name, index = match.group("name"), match.group("index")
        if name not in type_map:
            if ignore_unknown:
                continue
            raise ValueError("Unknown hyperparameter type for %s" % name)
        param_type = type_map[name]
        parse = _parser_for(param_type)
        items = match.group("items")
        if items is None:
            text = match.group("scalar")
            # Only ValueError means "not a value of this type"; TF let other
            # errors from the type's constructor (TypeError for NoneType) out.
            try:
                value = parse(text)
            except ValueError:
                raise _could_not_parse(name, param_type, text, values) from None
            _store_scalar(results, name, index, value, values)
            continue
        if index is not None:
            raise ValueError("Assignment of a list to a list index.")
        if name in results:
            raise _assigned_twice(name, values)
        try:
            results[name] = [parse(item) for item in _ITEM_SEPARATOR.split(items) if item]
        except ValueError:
            raise _could_not_parse(name, param_type, items, values) from None
    return results


def _cast_to_type_if_compatible(name, param_type, value):
    """``value`` converted to ``param_type``, or ValueError if TF 1.x refused
    that conversion.  Used by set_hparam (so by parse, parse_json and
    override_from_dict) and by get's check of its default."""
    # An exact type match is returned untouched, so any class of object can
    # be a hyperparameter.  (isinstance would let True pass as an int.)
    if type(value) == param_type:  # noqa: E721 - exactness is the point
        return value
    # A hyperparameter first given as None has no type to check against.
    if issubclass(param_type, type(None)):
        return value
    refused = (
        # Never stringify a non-string (str(1.5) would silently "work").
        (issubclass(param_type, _TEXT_TYPES) and not isinstance(value, _TEXT_TYPES))
        # Bools only from bools, and bools never into numbers or strings.
        or issubclass(param_type, bool) != isinstance(value, bool)
        # int() would truncate a float; an int into a float is fine.
        or (issubclass(param_type, numbers.Integral)
            and not isinstance(value, numbers.Integral))
        or (issubclass(param_type, numbers.Number)
            and not isinstance(value, numbers.Number)))
    if refused:
        raise ValueError("Could not cast hparam '%s' of type '%s' from value %r"
                         % (name, param_type, value))
    return param_type(value)


class HParams(object):
    """A set of named hyperparameters, each an attribute of the object.

    ``HParams(learning_rate=0.1, num_hidden_units=100)`` has
    ``hparams.learning_rate == 0.1``.  Supported values: int, float, bool,
    str, and non-empty lists of them; each hyperparameter keeps the type of
    its first value.  ``parse("learning_rate=0.3")`` overrides values from a
    string (see ``parse_values`` for the syntax), ``parse_json`` from JSON.
    """

    # Tells pytype the attributes are dynamic; also a reserved name, as in TF.
    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        """Adds each keyword argument as a hyperparameter.

        ``model_structure`` is stored as given (see get_model_structure).
        ``hparam_def`` (an HParamDef proto) is not supported: ValueError.

        Raises:
          ValueError: if a name is reserved (an attribute of HParams, like
            ``values`` or ``parse``), a value is an empty list, or
            ``hparam_def`` is given.
        """
        # name -> (type of the value or of its elements, is it a list)
        self._hparam_types = {}
        self._model_structure = model_structure
        # TF tested the proto for truth too, so a falsy hparam_def is ignored.
        if hparam_def:
            raise ValueError(_NO_PROTOS)
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """Adds hyperparameter ``name`` with ``value``, fixing its type.

        Raises:
          ValueError: if ``name`` is already an attribute whose value is not
            None (a method, or an existing hyperparameter), or ``value`` is an
            empty list or tuple.
        """
        # TF's test: any non-None attribute blocks the name, so an existing
        # hyperparameter whose value is None can be added again with a new type.
        if getattr(self, name, None) is not None:
            raise ValueError("Hyperparameter name is reserved: %s" % name)
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError("Multi-valued hyperparameters cannot be empty: %s" % name)
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Sets existing hyperparameter ``name`` to ``value`` converted to its
        type (element by element for a list).

        Raises:
          KeyError: if there is no hyperparameter ``name``.
          ValueError: if a list is given for a scalar, a non-list (a tuple
            too) for a list, or a value of an incompatible type.
        """
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError("Must not pass a list for single-valued parameter: %s" % name)
            setattr(self, name, [_cast_to_type_if_compatible(name, param_type, item)
                                 for item in value])
            return
        if is_list:
            raise ValueError("Must pass a list for multi-valued parameter: %s." % name)
        setattr(self, name, _cast_to_type_if_compatible(name, param_type, value))

    def del_hparam(self, name):
        """Removes hyperparameter ``name``; does nothing if there is no
        attribute of that name.  (As in TF, a name that is an attribute but
        not a hyperparameter raises from the deletion.)"""
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Overrides hyperparameters from ``values``, ``name=value`` clauses
        separated by commas (syntax: ``parse_values``).  Returns ``self``.

        Clauses are applied in order, so those before a failing one stay
        applied.

        Raises:
          ValueError: if ``values`` cannot be parsed, names an unknown
            hyperparameter, or gives a value its hyperparameter refuses.
        """
        type_map = {name: param_type
                    for name, (param_type, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, type_map))

    def override_from_dict(self, values_dict):
        """Calls set_hparam(name, value) for each item; returns ``self``.

        Raises:
          KeyError: for a name that is not a hyperparameter.
          ValueError: for a value its hyperparameter refuses.
        """
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_from_map(self, values_map):
        """DEPRECATED. Use override_from_dict."""
        _warn_set_from_map()
        return self.override_from_dict(values_dict=values_map)

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        """The hyperparameters as a JSON object; the arguments are
        ``json.dumps``'s (the defaults give ``{"a": 1, "b": [2.0]}``)."""
        return json.dumps(self.values(), indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def parse_json(self, values_json):
        """Overrides hyperparameters from a JSON object string (through
        set_hparam, so the same type rules apply).  Returns ``self``.

        Raises:
          KeyError: for a name that is not a hyperparameter.
          ValueError: if ``values_json`` is not JSON, or a value is refused.
        """
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        """A new dict of name -> value, in the order the names were added."""
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key, default=None):
        """The value of hyperparameter ``key``, or ``default`` if there is none.

        Raises:
          ValueError: if ``key`` exists and a non-None ``default`` could not
            be assigned to it (a list for a scalar or the reverse, or an
            element set_hparam would refuse), so a wrong default is caught even
            when it is not used.
        """
        if key not in self._hparam_types:
            return default
        if default is not None:
            param_type, is_list = self._hparam_types[key]
            shown_type = "list<%s>" % param_type if is_list else str(param_type)
            mismatch = "Hparam '%s' of type '%s' is incompatible with default=%s" % (
                key, shown_type, default)
            if is_list != isinstance(default, list):
                raise ValueError(mismatch)
            try:
                for item in (default if is_list else [default]):
                    _cast_to_type_if_compatible(key, param_type, item)
            except ValueError as error:
                raise ValueError("%s. %s" % (mismatch, error)) from None
        return getattr(self, key)

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return ",".join("{}={}".format(name, value) for name, value in self.values().items())

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, sorted(self.values().items()))

    def to_proto(self, export_scope=None):
        """Not supported (TF returned an HParamDef proto): ValueError."""
        raise ValueError(_NO_PROTOS)

    @staticmethod
    def from_proto(hparam_def, import_scope=None):
        """Not supported (TF built HParams from an HParamDef proto): ValueError."""
        raise ValueError(_NO_PROTOS)


_warned = set()


def _warn_set_from_map():
    # TF's @deprecated decorator warned once per process, not on every call.
    if "set_from_map" not in _warned:
        _warned.add("set_from_map")
        _log.warning("HParams.set_from_map is deprecated and will be removed in a "
                     "future version.\nInstructions for updating:\n"
                     "Use `override_from_dict`.")
