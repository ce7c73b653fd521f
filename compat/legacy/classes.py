"""What the runner does to classes TF still has.

* :class:`MappedClass`: a class served through a call mapper (an old
  keyword, ``tf.SparseTensor(..., shape=...)``) stays a class to the
  program: ``isinstance``, ``issubclass``, subclassing and its other
  attributes are the real class's, only calling it maps the old arguments.
* :func:`add_members`: the table's ``MEMBER`` entries (``TensorArray.pack``)
  set on their classes while a legacy program runs, and taken away again
  by :func:`remove_members`.  Where the class still has a member of the old
  name with another meaning (``SparseTensor.shape``, now the static shape),
  only the program's own lines get the old meaning: TensorFlow's code, and
  every other installed library's, keeps today's.

Nothing here knows a particular name: which members, and what they become,
is the table's (``compat.api.table.MEMBERS``).
"""

import functools
import inspect
import os
import sys
import sysconfig

import compat

# Code that is not the legacy program's: the standard library, installed
# packages (TensorFlow, tf-keras, tf_slim...) and this project's library.
_LIBRARY_DIRS = tuple(sorted({os.path.join(path, "") for path in (
    [sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    + [os.path.dirname(os.path.abspath(compat.__file__))])}))


@functools.lru_cache(maxsize=None)
def is_program_file(filename):
    """Whether ``filename`` (a frame's) is the legacy program's code, not a
    library's (cached: TF's own code reads ``SparseTensor.shape`` often)."""
    if not filename or filename.startswith("<frozen"):
        return False
    return not os.path.abspath(filename).startswith(_LIBRARY_DIRS)


class MappedClass:
    """``cls`` where calling it goes through ``call`` (the old signature's
    mapper) and everything else is the class's own."""

    def __init__(self, cls, call):
        self.__wrapped__ = cls
        self._call = call
        for attr in ("__name__", "__qualname__", "__module__", "__doc__"):
            setattr(self, attr, getattr(cls, attr, None))

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __instancecheck__(self, obj):
        return isinstance(obj, self.__wrapped__)

    def __subclasscheck__(self, other):
        return issubclass(other, self.__wrapped__)

    def __mro_entries__(self, bases):
        # `class Mine(tf.SparseTensor)` subclasses the real class (PEP 560).
        return (self.__wrapped__,)

    def __getattr__(self, attr):
        return getattr(self.__wrapped__, attr)

    def __repr__(self):
        return repr(self.__wrapped__)


class _OldMember:
    """The descriptor set on a class for a ``MEMBER`` entry: the modern
    member under the old name, ``report(entry)`` on each use; ``original``
    (the class's own member of that name, if any) still answers library
    code."""

    def __init__(self, entry, original, report):
        self.entry = entry
        self.original = original
        self.report = report

    def __get__(self, obj, owner=None):
        if obj is None:
            if self.original is not None and hasattr(self.original, "__get__"):
                return self.original.__get__(None, owner)
            return self.original if self.original is not None else self
        # The frame reading the attribute; descriptors are called from C.
        frame = sys._getframe(1)
        filename = frame.f_code.co_filename
        if self.original is not None and not is_program_file(filename):
            if hasattr(self.original, "__get__"):
                return self.original.__get__(obj, owner)
            return self.original
        self.report(self.entry)
        return getattr(obj, self.entry.new)


def add_members(members, resolve, report):
    """Set each ``MEMBER`` entry on its class (``resolve(path)`` gives the
    class, ``report(entry)`` is called on each use); returns what
    :func:`remove_members` needs to undo it."""
    patched = []
    for entry in members:
        cls = resolve(entry.owner)
        own = entry.member in cls.__dict__
        saved = cls.__dict__.get(entry.member)
        original = inspect.getattr_static(cls, entry.member, None)
        setattr(cls, entry.member, _OldMember(entry, original, report))
        patched.append((cls, entry.member, saved, own))
    return patched


def remove_members(patched):
    """Put the classes back as :func:`add_members` found them."""
    for cls, name, saved, own in reversed(patched):
        if own:
            setattr(cls, name, saved)
        else:
            delattr(cls, name)
