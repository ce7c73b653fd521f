"""Tests of compat.tf1x.hparams, the pure-Python ``tf.contrib.training.HParams``
and ``parse_values`` of TF 1.12-1.15.

Expected values are worked out by hand from TF 1.x's documented behaviour:
the r1.15 API pages of ``HParams`` and ``parse_values`` and the cases of the
behaviour TF's own hparam tests pinned (which values parse, which casts are
refused, the str/repr/JSON formats, the error messages' text).  Nothing here
imports TensorFlow or starts a process.
"""

import ast
import logging
import pathlib

import pytest
from hypothesis import given, settings, strategies as st

from compat.tf1x import hparams as hparams_module
from compat.tf1x.hparams import HParams, parse_values

MODULE_PATH = pathlib.Path(hparams_module.__file__)


def test_module_imports_only_the_standard_library():
    imported = set()
    for node in ast.walk(ast.parse(MODULE_PATH.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported == {"json", "logging", "numbers", "re"}


# --- construction, add_hparam ---------------------------------------------------

def test_keyword_arguments_become_typed_attributes_in_order():
    h = HParams(learning_rate=0.1, num_hidden_units=100, activation="relu",
                layers=[64, 32], use_bn=True)
    assert h.learning_rate == 0.1 and h.num_hidden_units == 100
    assert h.activation == "relu" and h.layers == [64, 32] and h.use_bn is True
    assert list(h.values()) == ["learning_rate", "num_hidden_units", "activation",
                                "layers", "use_bn"]
    assert h._hparam_types == {"learning_rate": (float, False),
                               "num_hidden_units": (int, False),
                               "activation": (str, False), "layers": (int, True),
                               "use_bn": (bool, False)}


def test_empty_hparams():
    h = HParams()
    assert h.values() == {}
    assert h.parse("") is h and h.values() == {}
    with pytest.raises(ValueError, match="Unknown hyperparameter type for xyz"):
        h.parse("xyz=123")


def test_values_returns_a_new_dict():
    h = HParams(a=1)
    h.values()["a"] = 2
    assert h.a == 1


@pytest.mark.parametrize("name", ["values", "parse", "get", "to_json",
                                  "_HAS_DYNAMIC_ATTRIBUTES", "_hparam_types"])
def test_names_of_attributes_are_reserved(name):
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: " + name):
        HParams(**{name: 1})
    with pytest.raises(ValueError, match="reserved"):
        HParams().add_hparam(name, 1)


def test_add_hparam_refuses_an_existing_name_unless_its_value_is_none():
    h = HParams(aaa=1, n=None)
    with pytest.raises(ValueError, match="reserved: aaa"):
        h.add_hparam("aaa", 2)
    # A None value does not block the name: it is added again with a new type.
    h.add_hparam("n", "text")
    assert h.n == "text" and h._hparam_types["n"] == (str, False)


@pytest.mark.parametrize("empty", [[], ()])
def test_empty_lists_are_refused(empty):
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: e"):
        HParams(e=empty)


def test_list_type_comes_from_the_first_element_only():
    h = HParams(t=(1, 2), m=[1, 2.5])
    assert h.t == (1, 2) and type(h.t) is tuple and h._hparam_types["t"] == (int, True)
    # Not checked at add time; the float element is refused once set again.
    assert h.m == [1, 2.5] and h._hparam_types["m"] == (int, True)
    with pytest.raises(ValueError, match="Could not cast hparam 'm'"):
        h.set_hparam("m", [1, 2.5])


def test_hparams_are_plain_attributes():
    h = HParams(a=1)
    h.a = "anything"  # no check on direct assignment, as in TF
    assert h.values() == {"a": "anything"}


# --- set_hparam and its casts -----------------------------------------------------

def typed():
    return HParams(int_=1, str_="s", bool_=True, float_=1.5, list_int=[1, 2],
                   list_float=[0.5], none=None)


def test_set_hparam_same_types():
    h = typed()
    h.set_hparam("int_", 12)
    h.set_hparam("str_", "relu4")
    h.set_hparam("bool_", False)
    h.set_hparam("float_", 3.0)
    h.set_hparam("list_int", [7])
    assert h.values() == {"int_": 12, "str_": "relu4", "bool_": False, "float_": 3.0,
                          "list_int": [7], "list_float": [0.5], "none": None}


def test_an_int_becomes_a_float():
    h = typed()
    h.set_hparam("float_", 2)
    assert h.float_ == 2.0 and type(h.float_) is float
    h.set_hparam("list_float", [1, 2])
    assert h.list_float == [1.0, 2.0] and all(type(v) is float for v in h.list_float)


@pytest.mark.parametrize("name,value", [
    ("int_", 2.0), ("int_", 2.2), ("int_", False), ("int_", "2"),
    ("float_", True), ("float_", "1.0"),
    ("bool_", 1), ("bool_", 0.0), ("bool_", "true"), ("bool_", "True"), ("bool_", "1"),
    ("str_", 2), ("str_", 2.2), ("str_", True),
    ("list_int", [2, 3.3]), ("list_float", ["a"]),
])
def test_incompatible_values_are_refused(name, value):
    h = typed()
    before = h.values()
    with pytest.raises(ValueError, match="Could not cast hparam '%s'" % name):
        h.set_hparam(name, value)
    assert h.values() == before


def test_cast_error_message():
    with pytest.raises(ValueError) as caught:
        typed().set_hparam("int_", 2.5)
    assert str(caught.value) == \
        "Could not cast hparam 'int_' of type '<class 'int'>' from value 2.5"


def test_list_and_scalar_must_match():
    h = typed()
    with pytest.raises(ValueError,
                       match="^Must not pass a list for single-valued parameter: int_$"):
        h.set_hparam("int_", [1])
    with pytest.raises(ValueError,
                       match=r"^Must pass a list for multi-valued parameter: list_int\.$"):
        h.set_hparam("list_int", 5)
    with pytest.raises(ValueError, match="Must pass a list"):
        h.set_hparam("list_int", (1, 2))  # a tuple is not a list here


def test_a_none_hparam_takes_anything_but_a_list():
    h = typed()
    h.set_hparam("none", "1")
    assert h.none == "1"
    h.set_hparam("none", 2.5)
    assert h.none == 2.5
    with pytest.raises(ValueError, match="Must not pass a list"):
        h.set_hparam("none", [1])


def test_set_hparam_of_an_unknown_name_is_a_key_error():
    with pytest.raises(KeyError):
        typed().set_hparam("missing", 1)


def test_an_object_of_the_exact_type_is_assigned_as_is():
    class Box(object):
        def __init__(self, size):
            self.size = size

    h = HParams(x=Box(1))
    new = Box(2)
    h.set_hparam("x", new)
    assert h.x is new


# --- del_hparam -------------------------------------------------------------------

def test_del_hparam():
    h = HParams(aaa=1, b=2.0)
    with pytest.raises(ValueError):
        h.set_hparam("aaa", "will fail")
    h.del_hparam("aaa")
    assert "aaa" not in h and not hasattr(h, "aaa") and h.values() == {"b": 2.0}
    h.del_hparam("aaa")  # absent: nothing happens
    h.add_hparam("aaa", "will work")
    h.set_hparam("aaa", "still works")
    assert h.get("aaa") == "still works"


# --- parse: scalars ---------------------------------------------------------------

def scalars():
    return HParams(aaa=1, b=2.0, c_c="relu6", d="/a/b=c/d")


def test_parse_scalars():
    h = scalars()
    assert h.parse("aaa=12") is h
    assert h.values() == {"aaa": 12, "b": 2.0, "c_c": "relu6", "d": "/a/b=c/d"}
    h.parse("c_c=relu4, b=-2.0e10")
    assert (h.c_c, h.b) == ("relu4", -2.0e10)
    h.parse("c_c=,b=0,")  # empty string; "0" read as a float; trailing comma
    assert (h.c_c, h.b) == ("", 0.0) and type(h.b) is float
    h.parse('c_c=2.3",b=+2,')
    assert (h.c_c, h.b) == ('2.3"', 2.0)
    h.parse("b=1.5,d=/a=b/c/d,aaa=10,")
    assert h.values() == {"aaa": 10, "b": 1.5, "c_c": '2.3"', "d": "/a=b/c/d"}


def test_parse_spaces():
    h = scalars()
    # Spaces around '=' and after ',' are skipped; int() ignores the one before
    # the comma; a string keeps inner and trailing spaces.
    h.parse("aaa = 7 , c_c=a b")
    assert (h.aaa, h.c_c) == (7, "a b")
    h.parse("c_c=x ,aaa=1")
    assert (h.c_c, h.aaa) == ("x ", 1)


@pytest.mark.parametrize("clause,value", [
    ("aaa=poipoi", "poipoi"), ("aaa=1.0", "1.0"), ("b=12x", "12x"), ("b=relu", "relu"),
    ("aaa=1 b=2", "1 b=2"),
])
def test_parse_values_of_the_wrong_type(clause, value):
    name = clause.split("=")[0]
    kind = "int" if name == "aaa" else "float"
    h = scalars()
    with pytest.raises(ValueError) as caught:
        h.parse(clause)
    assert str(caught.value) == ("Could not parse hparam '%s' of type '%s' with value '%s' in %s"
                                 % (name, kind, value, clause))
    assert h.values() == scalars().values()


@pytest.mark.parametrize("text,rest", [
    ("aaa=1,,b=2", ",b=2"), (" aaa=1", " aaa=1"), ("1a=2", "1a=2"), ("aaa", "aaa"),
    ("=1", "=1"), ("aaa=x[1]", "aaa=x[1]"), ("aaa=1,b=[1]x", "b=[1]x"), ("b=[1", "b=[1"),
])
def test_parse_malformed(text, rest):
    h = scalars()
    with pytest.raises(ValueError) as caught:
        h.parse(text)
    assert str(caught.value) == "Malformed hyperparameter value: " + rest
    assert h.aaa == 1  # nothing applied


def test_parse_refuses_a_list_for_a_scalar_and_unknown_names():
    h = scalars()
    with pytest.raises(ValueError, match="Must not pass a list for single-valued parameter: aaa"):
        h.parse("aaa=[123]")
    with pytest.raises(ValueError, match="^Unknown hyperparameter type for x$"):
        h.parse("x=123")


def test_parse_applies_clauses_in_order_until_one_is_refused():
    h = scalars()
    with pytest.raises(ValueError, match="Must not pass a list"):
        h.parse("aaa=5,c_c=[x]")
    assert (h.aaa, h.c_c) == (5, "relu6")


def test_parse_twice_the_same_name():
    with pytest.raises(ValueError) as caught:
        scalars().parse("aaa=1,aaa=2")
    assert str(caught.value) == "Multiple assignments to variable 'aaa' in aaa=1,aaa=2"


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("True", True), ("false", False), ("False", False),
    ("1", True), ("0", False), ("2", True), ("-1", True), ("+0", False),
])
@pytest.mark.parametrize("initial", [False, True])
def test_parse_bools(text, expected, initial):
    h = HParams(use_gpu=initial)
    h.parse("use_gpu=" + text)
    assert h.use_gpu is expected


@pytest.mark.parametrize("text", ["yep", "TRUE", "", "1.0"])
def test_parse_bad_bools(text):
    with pytest.raises(ValueError, match="Could not parse hparam 'use_gpu' of type 'bool'"):
        HParams(use_gpu=True).parse("use_gpu=" + text)


def test_names_with_dots():
    h = HParams()
    h.add_hparam("a.b", 0.0)
    h.parse("a.b=1.0")
    assert getattr(h, "a.b") == 1.0
    h.add_hparam("c.d", 0.0)
    with pytest.raises(ValueError, match="Could not parse"):
        h.parse("c.d=abc")
    h.add_hparam("e.f", "")
    h.parse("e.f=abc")
    assert getattr(h, "e.f") == "abc"
    h.add_hparam("d..", 0.0)
    h.parse("d..=10.0")
    assert getattr(h, "d..") == 10.0


def test_parse_into_a_none_hparam_is_a_type_error():
    # NoneType("1") raises TypeError, which TF did not turn into ValueError.
    with pytest.raises(TypeError):
        HParams(n=None).parse("n=1")


# --- parse: lists -----------------------------------------------------------------

def lists():
    return HParams(aaa=[1], b=[2.0, 3.0], c_c=["relu6"])


def test_parse_lists():
    h = lists()
    h.parse("aaa=[12]")
    assert h.aaa == [12]
    h.parse("aaa=[12,34,56]")
    assert h.aaa == [12, 34, 56]
    h.parse("c_c=[relu4,relu12],b=[1.0]")
    assert (h.c_c, h.b) == (["relu4", "relu12"], [1.0])
    h.parse("c_c=[],aaa=[-34]")
    assert (h.c_c, h.aaa) == ([], [-34])
    h.parse("c_c=[_12,3'4\"],aaa=[+3]")
    assert (h.c_c, h.aaa) == (["_12", "3'4\""], [3])
    h.parse("aaa=[ 1 2 ,3 ], b=[1, 2]")  # spaces separate items too
    assert (h.aaa, h.b) == ([1, 2, 3], [1.0, 2.0]) and type(h.b[0]) is float


def test_parse_list_of_bools():
    h = HParams(flags=[True])
    h.parse("flags=[false,1,True,0]")
    assert h.flags == [False, True, True, False]


@pytest.mark.parametrize("clause,shown", [
    ("aaa=[poipoi]", "poipoi"), ("aaa=[1.0]", "1.0"), ("aaa=[1,x]", "1,x"),
    ("b=[12x]", "12x"), ("b=[relu]", "relu"),
])
def test_parse_list_items_of_the_wrong_type(clause, shown):
    name = clause.split("=")[0]
    kind = "int" if name == "aaa" else "float"
    with pytest.raises(ValueError) as caught:
        lists().parse(clause)
    assert str(caught.value) == ("Could not parse hparam '%s' of type '%s' with value '%s' in %s"
                                 % (name, kind, shown, clause))


def test_parse_list_errors():
    h = lists()
    with pytest.raises(ValueError, match="^Unknown hyperparameter type for x$"):
        h.parse("x=[123]")
    with pytest.raises(ValueError, match=r"^Must pass a list for multi-valued parameter: aaa\.$"):
        h.parse("aaa=123")
    with pytest.raises(ValueError, match=r"^Assignment of a list to a list index\.$"):
        h.parse("aaa[0]=[1]")
    # parse_values reads an indexed assignment as {0: 5}, which set_hparam
    # refuses: TF 1.x never applied indexed assignments to an HParams.
    with pytest.raises(ValueError, match="Must pass a list for multi-valued parameter: aaa"):
        h.parse("aaa[0]=5")
    assert h.aaa == [1]


def test_str_parses_back():
    source = HParams(a=1, b=[2.0, 3.0], c="relu6")
    assert str(source) == "a=1,b=[2.0, 3.0],c=relu6"
    target = HParams(a=4, b=[5.0, 6.0], c="relu10")
    target.parse(str(source))
    assert target.values() == {"a": 1, "b": [2.0, 3.0], "c": "relu6"}


# --- parse_values -----------------------------------------------------------------

def test_parse_values_mixed_result():
    assert parse_values("x=5,L=[1,2],arr[1]=3", {"x": int, "L": int, "arr": int}) == \
        {"x": 5, "L": [1, 2], "arr": {1: 3}}
    assert parse_values("", {}) == {}
    assert parse_values("c=hello world", {"c": str}) == {"c": "hello world"}


def test_parse_values_indexed_assignments():
    types = {"arr": int, "L": int}
    assert parse_values("arr[1]=10", types) == {"arr": {1: 10}}
    assert parse_values("arr[0]=10,arr[5]=20", types) == {"arr": {0: 10, 5: 20}}
    assert parse_values("arr[0]=10,arr[1]=20,L[5]=100,L[10]=200", types) == \
        {"arr": {0: 10, 1: 20}, "L": {5: 100, 10: 200}}
    assert parse_values("arr[ 2 ] = 7", types) == {"arr": {2: 7}}
    assert parse_values("a[0]=5,b[1]=true,c[2]=abc,d[3]=3.14",
                        {"a": int, "b": bool, "c": str, "d": float}) == \
        {"a": {0: 5}, "b": {1: True}, "c": {2: "abc"}, "d": {3: 3.14}}


def test_parse_values_unknown_names():
    with pytest.raises(ValueError, match="^Unknown hyperparameter type for arr$"):
        parse_values("arr[1]=5", {})
    # The type map is keyed by the list's name, never by "arr[1]".
    with pytest.raises(ValueError, match="^Unknown hyperparameter type for arr$"):
        parse_values("arr[1]=1", {"arr[1]": int})
    assert parse_values("arr[1]=1", {"arr[1]": int}, ignore_unknown=True) == {}
    assert parse_values("x=10,foo[0]=bar,arr[1]=20,zzz=78,y=30",
                        {"x": int, "y": int, "arr": int}, ignore_unknown=True) == \
        {"x": 10, "arr": {1: 20}, "y": 30}
    # Unknown clauses are skipped unread, but must still be well formed.
    assert parse_values("foo=notanumber", {"x": int}, ignore_unknown=True) == {}
    with pytest.raises(ValueError, match="Malformed hyperparameter value: foo=\\[1"):
        parse_values("x=1,foo=[1", {"x": int}, ignore_unknown=True)
    with pytest.raises(ValueError, match="Assignment of a list to a list index"):
        parse_values("arr[1]=[1,2,3],c=8", {"arr": int}, ignore_unknown=True)


@pytest.mark.parametrize("text,name", [
    ("x=1,x=1", "x"),
    ("arr=[100,200],arr[0]=10", "arr"),
    ("arr[0]=10,arr[0]=20", "arr[0]"),
    ("arr[00]=1,arr[0]=2", "arr[0]"),
    ("arr[0]=10,arr=[100]", "arr"),
    ("arr[0]=10,arr=5", "arr"),
    ("arr=5,arr[0]=1", "arr"),
])
def test_parse_values_multiple_assignments(text, name):
    with pytest.raises(ValueError) as caught:
        parse_values(text, {"x": int, "arr": int})
    assert str(caught.value) == "Multiple assignments to variable '%s' in %s" % (name, text)


def test_parse_values_reads_the_value_before_checking_reuse():
    with pytest.raises(ValueError, match="Could not parse hparam 'x'"):
        parse_values("x=1,x=abc", {"x": int})


# --- override_from_dict, set_from_map, model structure ------------------------------

def test_override_from_dict():
    h = HParams(a=1, b=2.0, c="tanh")
    assert h.override_from_dict({"a": -2, "c": "identity"}) is h
    assert h.values() == {"a": -2, "b": 2.0, "c": "identity"}
    h = HParams(x=1, b=2.0, d=[0.5])
    h.override_from_dict({"d": [0.1, 0.2, 0.3]})
    assert h.values() == {"x": 1, "b": 2.0, "d": [0.1, 0.2, 0.3]}
    with pytest.raises(KeyError):
        h.override_from_dict({"nope": 1})


def test_set_from_map_is_a_deprecated_alias_that_warns_once():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    hparams_module._warned.clear()
    try:
        h = HParams(a=1)
        assert h.set_from_map({"a": 3}) is h and h.a == 3
        h.set_from_map({"a": 4})
    finally:
        logger.removeHandler(handler)
    assert h.a == 4
    assert len(records) == 1 and "override_from_dict" in records[0].getMessage()


def test_model_structure():
    assert HParams(a=1).get_model_structure() is None
    structure = object()
    h = HParams(model_structure=structure, a=1)
    assert h.get_model_structure() is structure and h.values() == {"a": 1}
    h.set_model_structure("other")
    assert h.get_model_structure() == "other"


# --- JSON ---------------------------------------------------------------------------

def test_to_json():
    h = HParams(aaa=123)
    assert h.to_json() == '{"aaa": 123}'
    assert h.to_json(indent=2) == '{\n  "aaa": 123\n}'
    assert h.to_json(separators=(";", "=")) == '{"aaa"=123}'
    assert HParams(aaa=123, b="hello", c_c=False).to_json(sort_keys=True) == \
        '{"aaa": 123, "b": "hello", "c_c": false}'
    assert HParams(z=1, a=[1.5, 2.0]).to_json() == '{"z": 1, "a": [1.5, 2.0]}'


def test_parse_json():
    h = HParams(aaa=1, b=2.0, c_c="relu6", d=True)
    assert h.parse_json('{"aaa": 12, "b": 3, "c_c": "relu4", "d": false}') is h
    assert h.values() == {"aaa": 12, "b": 3.0, "c_c": "relu4", "d": False}
    assert type(h.b) is float
    h2 = HParams(aaa=10, b=20.0, c_c="hello", d=True)
    h2.parse_json(h.to_json())
    assert h2.values() == h.values()


@pytest.mark.parametrize("text,error", [
    ('{"aaa": 1.5}', ValueError), ('{"d": 1}', ValueError), ('{"aaa": null}', ValueError),
    ('{"c_c": 5}', ValueError), ("not json", ValueError), ('{"nope": 1}', KeyError),
])
def test_parse_json_refusals(text, error):
    with pytest.raises(error):
        HParams(aaa=1, b=2.0, c_c="relu6", d=True).parse_json(text)


# --- get, in, str, repr, protos -----------------------------------------------------

def test_get():
    h = HParams(aaa=1, b=2.0, c_c="relu6", d=True, e=[5.0, 6.0])
    assert (h.get("aaa"), h.get("b"), h.get("c_c"), h.get("d"), h.get("e", None)) == \
        (1, 2.0, "relu6", True, [5.0, 6.0])
    # Compatible defaults are checked, then ignored.
    assert h.get("aaa", 2) == 1 and h.get("b", 3.0) == 2.0 and h.get("b", 3) == 2.0
    assert h.get("c_c", "default") == "relu6" and h.get("d", False) is True
    assert h.get("e", [1.0, 2.0, 3.0]) == [5.0, 6.0] and h.get("e", [1, 2, 3]) == [5.0, 6.0]
    assert h.get("unknown") is None and h.get("unknown", 123) == 123
    assert h.get("unknown", [1, 2, 3]) == [1, 2, 3]
    assert HParams(n=None).get("n", 5) is None


@pytest.mark.parametrize("key,default", [
    ("aaa", 2.0), ("b", False), ("c_c", [1, 2, 3]), ("d", "relu"), ("e", 123.0),
    ("e", ["a", "b", "c"]), ("e", (1.0,)),
])
def test_get_with_an_incompatible_default(key, default):
    with pytest.raises(ValueError, match="Hparam '%s' of type" % key):
        HParams(aaa=1, b=2.0, c_c="relu6", d=True, e=[5.0, 6.0]).get(key, default)


def test_get_error_messages():
    h = HParams(aaa=1, e=[5.0, 6.0])
    with pytest.raises(ValueError) as caught:
        h.get("aaa", 2.0)
    assert str(caught.value) == (
        "Hparam 'aaa' of type '<class 'int'>' is incompatible with default=2.0. "
        "Could not cast hparam 'aaa' of type '<class 'int'>' from value 2.0")
    with pytest.raises(ValueError) as caught:
        h.get("e", 123.0)
    assert str(caught.value) == \
        "Hparam 'e' of type 'list<<class 'float'>>' is incompatible with default=123.0"


def test_contains():
    h = HParams(foo=1)
    assert "foo" in h and "bar" not in h and "values" not in h


def test_str_and_repr():
    assert str(HParams()) == "" and repr(HParams()) == "HParams([])"
    h = HParams(b=2.0, aaa=1, d="/a/b=c/d", c_c=["x"])
    assert str(h) == "b=2.0,aaa=1,d=/a/b=c/d,c_c=['x']"  # insertion order
    assert repr(h) == "HParams([('aaa', 1), ('b', 2.0), ('c_c', ['x']), ('d', '/a/b=c/d')])"

    class MyParams(HParams):
        pass

    assert repr(MyParams(a=1)) == "MyParams([('a', 1)])"


def test_no_value_equality():
    a = HParams(x=1)
    assert a == a and a != HParams(x=1)


@pytest.mark.parametrize("make", [
    lambda: HParams(hparam_def=b"\x0a\x00"),
    lambda: HParams(hparam_def=1, a=1),
    lambda: HParams(a=1).to_proto(),
    lambda: HParams.from_proto(object()),
])
def test_protos_are_not_supported(make):
    with pytest.raises(ValueError, match="HParamDef protocol buffers are not supported"):
        make()


def test_a_falsy_hparam_def_is_ignored():
    assert HParams(hparam_def=None, a=1).values() == {"a": 1}
    assert HParams(hparam_def="", a=1).values() == {"a": 1}


# --- property: str() and to_json() parse back --------------------------------------

# At most 7 characters, so never the constructor's hparam_def/model_structure.
_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: not hasattr(HParams, name))
_floats = st.floats(allow_nan=False)  # nan != nan; everything else round-trips
_ints = st.integers(-10**20, 10**20)
# Strings as scalars only: no ',' or '[' (clause syntax), and no leading space
# (skipped after '=').  Lists of strings do not survive str() (it quotes them).
_texts = st.text(alphabet="abcxyz019_-./:= ", max_size=8).filter(
    lambda text: not text.startswith(" "))
_values = st.one_of(_ints, _floats, st.booleans(), _texts,
                    st.lists(_ints, min_size=1, max_size=4),
                    st.lists(_floats, min_size=1, max_size=4),
                    st.lists(st.booleans(), min_size=1, max_size=4))
_PLACEHOLDER = {int: 0, float: 0.0, bool: False, str: "placeholder"}


def _placeholder(value):
    """A different value of the same kind, so a parse must change it."""
    if isinstance(value, list):
        return [_PLACEHOLDER[type(value[0])]]
    return _PLACEHOLDER[type(value)]


def _same(a, b):
    # 1 == 1.0 == True, so compare types too.
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.dictionaries(_names, _values, min_size=1, max_size=6))
def test_str_and_json_renderings_parse_back(values):
    source = HParams(**values)
    for render, parse in ((str, HParams.parse), (HParams.to_json, HParams.parse_json)):
        target = HParams(**{name: _placeholder(value) for name, value in values.items()})
        parse(target, render(source))
        got = target.values()
        assert list(got) == list(values)
        assert all(_same(values[name], got[name]) for name in values), (render, got)
