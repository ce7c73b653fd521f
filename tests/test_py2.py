"""Tests for compat.py2: Python 2 detection, translation, the Change report
and old_div.  Each translation case also runs the translated code and checks
it prints what Python 2 printed.  No TensorFlow anywhere."""

import contextlib
import io
import textwrap

import numpy as np
import pytest

from compat import py2
from compat.py2.translator import Change, is_python2, old_div, translate

OLD_DIV_IMPORT = "from compat.py2 import old_div"


def src(text):
    return textwrap.dedent(text).lstrip("\n")


def run(code):
    """Execute translated code in a fresh namespace; (stdout, stderr, ns)."""
    out, err = io.StringIO(), io.StringIO()
    namespace = {"__name__": "__legacy_test__"}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(code, "<translated>", "exec"), namespace)
    return out.getvalue(), err.getvalue(), namespace


def translate_and_run(source):
    new, changes = translate(source, "case.py")
    stdout, stderr, namespace = run(new)
    return new, changes, stdout, stderr, namespace


def change_at(changes, line, old=None):
    found = [c for c in changes if c.line == line and (old is None or c.old == old)]
    assert found, "no change at line %d in %r" % (line, changes)
    return found[0]


# --------------------------------------------------------------------------
# print


def test_print_statement_with_percent_and_trailing_comma():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            name = "w"
            print "loss %.2f at %s" % (0.5, name)
            print "a",
            print "b"
            print
            """
        )
    )
    assert 'print("loss %.2f at %s" % (0.5, name))' in new
    assert "print(\"a\", end=' ')" in new
    assert out == "loss 0.50 at w\na b\n\n"
    assert [c.fixer for c in changes] == ["print"] * 4
    assert [c.line for c in changes] == [2, 3, 4, 5]


def test_print_to_stderr():
    new, _, out, err, _ = translate_and_run(
        src(
            """
            import sys
            x = 42
            print >>sys.stderr, "x is", x
            """
        )
    )
    assert 'print("x is", x, file=sys.stderr)' in new
    assert out == "" and err == "x is 42\n"


def test_print_function_future_import_uses_the_right_grammar():
    source = src(
        """
        from __future__ import print_function
        total = 0
        for i in xrange(4):
            total += i
        print("total", total, sep="=")
        print("no", "newline", end="")
        """
    )
    assert is_python2(source)
    new, changes, out, _, _ = translate_and_run(source)
    assert "from __future__ import print_function" in new  # kept, not removed
    assert "range(4)" in new and "xrange" not in new
    assert 'print("total", total, sep="=")' in new  # not wrapped again
    assert out == "total=6\nno newline"
    assert changes == [Change("xrange", 3, "for i in xrange(4):", "for i in range(4):")]


# --------------------------------------------------------------------------
# other fixers


def test_xrange_loop():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            acc = []
            for i in xrange(1, 4):
                acc.append(i * i)
            print acc
            """
        )
    )
    assert "xrange" not in new
    assert out == "[1, 4, 9]\n"
    assert change_at(changes, 2).fixer == "xrange"


def test_dict_iteritems_and_has_key():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            d = {"a": 1, "b": 2}
            for k, v in sorted(d.iteritems()):
                print k, v
            if d.has_key("a"):
                print "has a"
            if not d.has_key("z"):
                print "no z"
            """
        )
    )
    assert ".iteritems" not in new and "has_key" not in new
    assert out == "a 1\nb 2\nhas a\nno z\n"
    assert change_at(changes, 2).fixer == "dict"
    assert change_at(changes, 4) == Change("has_key", 4, 'if d.has_key("a"):', 'if "a" in d:')


def test_except_comma():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            try:
                int("nope")
            except ValueError, e:
                print "caught:", type(e).__name__
            """
        )
    )
    assert "except ValueError as e:" in new
    assert out == "caught: ValueError\n"
    assert change_at(changes, 3) == Change(
        "except", 3, "except ValueError, e:", "except ValueError as e:"
    )


def test_misc_python2_syntax_runs():
    new, _, out, _, _ = translate_and_run(
        src(
            """
            import cPickle
            from StringIO import StringIO
            mode = 0755
            big = 10L
            s = unicode("x")
            ok = isinstance(s, basestring) and 1 <> 2
            print `mode`, big, ok, StringIO("z").getvalue()
            if 0:
                raw_input("never asked")
            """
        )
    )
    assert "0o755" in new and "pickle" in new and "io import StringIO" in new
    assert 'input("never asked")' in new
    assert out == "493 10 True z\n"


# --------------------------------------------------------------------------
# division


def test_integer_division_cases():
    new, changes, out, _, ns = translate_and_run(
        src(
            """
            n = 7
            a, b, c = 3, 5, 2
            print 7 / 2, 7.0 / 2, n / 2, -n / 2
            print a * b / c, a / b / c, 100 / a * b % 7
            x = 9
            x /= 2
            y = 1.0 / 255
            print x, y
            """
        )
    )
    assert out == "3 3.5 3 -4\n7 0 4\n4 %r\n" % (1.0 / 255)
    assert "old_div(old_div(a, b), c)" in new
    assert "old_div(a * b, c)" in new
    assert "old_div(100, a) * b % 7" in new
    assert "x = old_div(x, 2)" in new
    # Float literals already meant true division in Python 2: left alone.
    assert "7.0 / 2" in new and "y = 1.0 / 255" in new
    assert change_at(changes, 6) == Change("division", 6, "x /= 2", "x = old_div(x, 2)")
    assert change_at(changes, 3, "print 7 / 2, 7.0 / 2, n / 2, -n / 2").fixer == "print+division"


def test_augmented_division_on_attribute_is_left_and_reported():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            class Box(object):
                pass
            box = Box()
            box.v = 8
            box.v /= 4
            print box.v
            """
        )
    )
    assert "box.v /= 4" in new
    assert out == "2.0\n"  # documented deviation: true division kept
    unsafe = change_at(changes, 5)
    assert unsafe.fixer == "division-unsafe"
    assert unsafe.old == "box.v /= 4" and "left" in unsafe.new


def test_multiline_division_keeps_line_structure():
    source = src(
        """
        a, b = 9, 2
        z = (a
             / b)
        print z
        """
    )
    new, changes, out, _, _ = translate_and_run(source)
    assert out == "4\n"
    assert len(new.splitlines()) == len(source.splitlines()) + 1  # + the import


def test_future_division_keeps_true_division():
    new, changes, out, _, _ = translate_and_run(
        src(
            """
            from __future__ import division
            n = 7
            print n / 2, n // 2
            """
        )
    )
    assert "old_div" not in new
    assert "print(n / 2, n // 2)" in new
    assert out == "3.5 3\n"
    assert [c.fixer for c in changes] == ["print"]


def test_old_div_import_goes_after_docstring_and_future_imports():
    source = src(
        '''
        #!/usr/bin/env python
        """Module docstring.

        Spans lines.
        """
        from __future__ import absolute_import
        from __future__ import print_function

        # comment about imports
        import os
        half = len(os.sep) * 10 / 4
        for _ in xrange(1): print(half)
        '''
    )
    new, changes, out, _, _ = translate_and_run(source)
    lines = new.splitlines()
    assert lines[:8] == source.splitlines()[:7] + [OLD_DIV_IMPORT]
    assert lines[8:] == ["", "# comment about imports", "import os",
                         "half = old_div(len(os.sep) * 10, 4)", "for _ in range(1): print(half)"]
    assert out == "2\n"
    insertion = [c for c in changes if c.old == ""]
    assert insertion == [Change("division", 8, "", OLD_DIV_IMPORT)]
    compile(new, "<translated>", "exec")


def test_old_div_import_without_docstring_stays_below_header_comments():
    source = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport sys\nprint 9 / 4\n"
    new, changes, out, _, _ = translate_and_run(source)
    assert new.splitlines()[:3] == ["#!/usr/bin/env python", "# -*- coding: utf-8 -*-", OLD_DIV_IMPORT]
    assert out == "2\n"


def test_no_import_when_nothing_rewritten():
    new, _ = translate("print 1.0 / 3\n")
    assert "old_div" not in new


# --------------------------------------------------------------------------
# Python 3 input and detection


PY3_SOURCE = src(
    '''
    """A modern file."""
    from __future__ import print_function
    import sys
    d = {"a": 1}
    ratio = len(d) / 2
    print("ratio", ratio, list(d.keys()), d.items(), range(3), file=sys.stdout)
    '''
)


def test_python3_file_is_returned_unchanged():
    assert not is_python2(PY3_SOURCE)
    new, changes = translate(PY3_SOURCE)
    assert new is PY3_SOURCE and changes == []
    out, _, _ = run(new)
    assert out.startswith("ratio 0.5 ")


@pytest.mark.parametrize(
    "source",
    [
        "print 'x'\n",
        "try:\n    pass\nexcept E, e:\n    pass\n",
        "x = `1`\n",
        "m = 0777\n",
        "s = ur'x'\n",
        "raise ValueError, 'bad'\n",
        "exec 'x = 1'\n",
        "for i in xrange(3): pass\n",
        "s = raw_input()\n",
        "u = unicode(3)\n",
        "ok = isinstance(3, basestring)\n",
        "n = long(3)\n",
        "d = {}\nfor k, v in d.iteritems(): pass\n",
        "d = {}\nv = list(d.itervalues())\n",
        "d = {}\nv = d.has_key(1)\n",
        "import cPickle as pickle\n",
        "import urllib2\n",
        "import sys\nm = sys.maxint\n",
        "class A:\n    __metaclass__ = type\n",
        "def f():\n    print\n",
        "import sys\nprint >>sys.stderr, 'x', 1\n",
        "import sys\nprint >>sys.stderr\n",
    ],
)
def test_python2_is_detected(source):
    assert is_python2(source)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "from __future__ import print_function\nprint('x', 1)\n",
        "d = {}\nfirst = list(d.keys())[0] if d else None\n",
        "x = range(3)\ny = map(str, x)\nz = zip(x, x)\n",
        "import urllib.request\nfrom urllib import parse\nimport pickle\n",
        "from itertools import chain, repeat\nr = list(repeat(1, 2))\n",
        "class A:\n    def next(self):\n        return 1\n    long = 3\n",
        "obj = type('O', (), {})()\nobj.unicode = 1\n",
        "s = u'text'\nexec('x = 1')\n",
        "import dbm\n",
        "import sys\nsys.exit(7 / 2 > 3)\n",
        "x = 8\ny = x >> 1, 2\n",
        "match = 1\nmatch match:\n    case 1:\n        pass\n",
    ],
)
def test_python3_is_not_detected(source):
    assert not is_python2(source)
    assert translate(source) == (source, [])


# --------------------------------------------------------------------------
# the report


def test_change_lines_point_at_original_lines():
    source = src(
        '''
        """Doc."""

        import sys

        # a comment
        total = 0
        for i in xrange(10):
            total += i
        print "total", total

        print >>sys.stderr, total / 3
        '''
    )
    new, changes = translate(source)
    original = source.splitlines()
    for change in changes:
        if change.old:
            assert original[change.line - 1].strip() == change.old
    by_line = {c.line: c for c in changes if c.old}
    assert by_line[7].fixer == "xrange"
    assert by_line[9] == Change("print", 9, 'print "total", total', 'print("total", total)')
    assert by_line[11].fixer == "print+division"
    assert by_line[11].new == "print(old_div(total, 3), file=sys.stderr)"
    assert sorted(by_line) == [7, 9, 11]
    assert change_at(changes, 2, "") == Change("division", 2, "", OLD_DIV_IMPORT)


def test_missing_final_newline_is_preserved():
    new, changes = translate("print 1")
    assert new == "print(1)"
    assert changes == [Change("print", 1, "print 1", "print(1)")]


def test_mixed_tab_indentation_is_spelled_out_python2_style():
    source = "x = 1\nif x:\n\tif x:\n\t        print 'deep'\n        print 'mid'\n"
    new, changes, out, _, _ = translate_and_run(source)
    assert out == "deep\nmid\n"
    assert "\t" not in new
    assert change_at(changes, 3) == Change("tabs", 3, "if x:", "if x:")


def test_crlf_and_byte_order_mark():
    new, changes, out, _, _ = translate_and_run("\ufeffx = 7\r\nprint x / 2\r\n")
    assert new == OLD_DIV_IMPORT + "\r\nx = 7\r\nprint(old_div(x, 2))\r\n"
    assert out == "3\n"
    assert change_at(changes, 2, "print x / 2").fixer == "print+division"


def test_translation_is_idempotent():
    source = src(
        """
        import sys
        d = {1: 2}
        for k, v in d.iteritems():
            print k / 2, v,
        print >>sys.stderr, "done"
        x = 5
        x /= 2
        """
    )
    once, changes = translate(source)
    assert changes
    assert not is_python2(once)
    assert translate(once) == (once, [])


# --------------------------------------------------------------------------
# errors


def test_unparseable_source_raises_syntax_error_naming_the_line():
    source = "x = 1\nprint 'ok'\ndef broken(:\n    pass\n"
    with pytest.raises(SyntaxError) as info:
        translate(source, "legacy/broken.py")
    error = info.value
    assert error.filename == "legacy/broken.py"
    assert error.lineno == 3
    assert "\n" not in str(error)
    assert "line 3" in str(error) and "broken.py" in str(error)
    assert "cannot parse" in error.msg and "':'" in error.msg


def test_unterminated_string_is_a_syntax_error():
    with pytest.raises(SyntaxError) as info:
        translate('print "a"\ns = """never closed\n', "x.py")
    assert info.value.filename == "x.py" and info.value.lineno == 2


# --------------------------------------------------------------------------
# old_div


def test_old_div_python_numbers():
    assert old_div(7, 2) == 3 and isinstance(old_div(7, 2), int)
    assert old_div(-7, 2) == -4
    assert old_div(7.0, 2) == 3.5
    assert old_div(7, 2.0) == 3.5
    assert old_div(True, 2) == 0
    with pytest.raises(ZeroDivisionError):
        old_div(1, 0)


def test_old_div_numpy():
    assert old_div(np.int64(7), 2) == 3
    assert old_div(np.int32(7), np.int64(2)) == 3
    assert old_div(np.float32(7), 2) == 3.5
    ints = np.array([7, -7, 9], dtype=np.int32)
    np.testing.assert_array_equal(old_div(ints, 2), [3, -4, 4])
    assert old_div(ints, 2).dtype.kind == "i"
    np.testing.assert_array_equal(old_div(ints, np.array([2, 2, 4], dtype=np.uint8)), [3, -4, 2])
    np.testing.assert_array_equal(old_div(10, np.array([3, 4])), [3, 2])
    np.testing.assert_allclose(old_div(ints, 2.0), [3.5, -3.5, 4.5])
    np.testing.assert_allclose(old_div(ints.astype(np.float64), 2), [3.5, -3.5, 4.5])


def test_old_div_integer_tensor_duck_type():
    class DType:
        is_integer = True

    class FakeTensor:
        dtype = DType()

        def __floordiv__(self, other):
            return ("floordiv", other)

        def __truediv__(self, other):
            return ("truediv", other)

    assert old_div(FakeTensor(), 2) == ("floordiv", 2)
    assert old_div(FakeTensor(), 2.5) == ("truediv", 2.5)


def test_fixer_allow_list():
    assert "input" not in py2.FIXERS and "future" not in py2.FIXERS
    assert "idioms" not in py2.FIXERS and "ws_comma" not in py2.FIXERS
    for name in ("print", "xrange", "dict", "except", "map", "filter", "zip", "urllib"):
        assert name in py2.FIXERS
