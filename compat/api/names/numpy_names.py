"""The era's NumPy: the aliases NumPy removed since 1.20 (``np.int`` -> ``int``,
...), which programs of the time used.

Old names are spelt as module paths (``numpy.int``), the module being one of
:data:`compat.api.table.VALUE_MODULES`: a program reads them as values
(``dtype=np.int``, ``isinstance(x, np.float)``), so the runner serves them
where NumPy answers missing attributes, its module ``__getattr__``.  ``new``
is spelt as a Python program writes it: a bare name is a builtin (``int``),
a dotted one a module's member (``numpy.float64``, written by the upgrader
on the program's own alias, ``np.float64``).

Only names with an exact documented replacement are here:

* NumPy 1.20 deprecated the aliases of builtin types and listed what each
  is "identical to" (release notes, "Using the aliases of builtin types like
  np.int is deprecated"); NumPy 1.24 removed them (``__former_attrs__`` and
  ``del long, unicode`` in 1.24's ``numpy/__init__.py``; the 2.0 notes: "Prior
  to NumPy 1.24, numpy.long was an alias to Python's int").
* NumPy 2.0 removed aliases, each with its replacement ("NumPy 2.0 Python
  API removals" in the 2.0.0 release notes).

Left out on purpose: ``np.asscalar`` and ``np.alen`` (removed in 1.23; not
renames), ``np.issubclass_`` (returned False where ``issubclass`` raises),
``np.NINF`` (an expression, ``-np.inf``), ``np.cast``, ``np.asfarray``.

``np.bool`` and ``np.long`` exist again since NumPy 2.0 with another meaning
(``numpy.bool_``, C ``long``): NumPy answers them itself, so the runner
cannot serve the old meaning; the upgrader writes ``bool`` / ``int``.

Field meanings: ``compat.api.entry``."""

from compat.api.entry import Kind, entry

REMOVED_IN_NUMPY = "removed in NumPy"


def _alias(old, new, version, note=""):
    return entry("numpy." + old, new, version, Kind.RENAME, changed=REMOVED_IN_NUMPY,
                 note=note)


_BUILTIN = "identical to the builtin (NumPy 1.20 release notes)"
_BACK_IN_2 = ("; NumPy 2.0 has np.%s again, meaning %s: the runner leaves it to NumPy, "
              "the upgrader writes %s")
_NUMPY_2 = "the replacement NumPy 2.0's release notes name"

ENTRIES = (
    _alias("bool", "bool", "1.24", _BUILTIN + _BACK_IN_2 % ("bool", "numpy.bool_", "bool")),
    _alias("int", "int", "1.24", _BUILTIN),
    _alias("float", "float", "1.24", _BUILTIN),
    _alias("complex", "complex", "1.24", _BUILTIN),
    _alias("object", "object", "1.24", _BUILTIN),
    _alias("str", "str", "1.24", _BUILTIN),
    _alias("long", "int", "1.24", _BUILTIN + _BACK_IN_2 % ("long", "C long", "int")),
    _alias("unicode", "str", "1.24", _BUILTIN),
    _alias("float_", "numpy.float64", "2.0", _NUMPY_2),
    _alias("complex_", "numpy.complex128", "2.0", _NUMPY_2),
    _alias("cfloat", "numpy.complex128", "2.0", _NUMPY_2),
    _alias("singlecomplex", "numpy.complex64", "2.0", _NUMPY_2),
    _alias("longfloat", "numpy.longdouble", "2.0", _NUMPY_2),
    _alias("longcomplex", "numpy.clongdouble", "2.0", _NUMPY_2),
    _alias("clongfloat", "numpy.clongdouble", "2.0", _NUMPY_2),
    _alias("string_", "numpy.bytes_", "2.0", _NUMPY_2),
    _alias("unicode_", "numpy.str_", "2.0", _NUMPY_2),
    _alias("NaN", "numpy.nan", "2.0", _NUMPY_2),
    _alias("Inf", "numpy.inf", "2.0", _NUMPY_2),
    _alias("Infinity", "numpy.inf", "2.0", _NUMPY_2),
    _alias("infty", "numpy.inf", "2.0", _NUMPY_2),
    _alias("PINF", "numpy.inf", "2.0", _NUMPY_2),
    _alias("mat", "numpy.asmatrix", "2.0", _NUMPY_2),
    _alias("round_", "numpy.round", "2.0", _NUMPY_2),
)
