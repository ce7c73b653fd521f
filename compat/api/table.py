"""The one table of legacy TensorFlow API knowledge, indexed.

Each entry says what an old name was, what it is in a TF 2.x program written
against ``tf.compat.v1``, which release removed or changed it, and how its
arguments map (the fields: ``compat.api.entry``).  The entries are data in
``compat.api.names``, one module per family of names; this module gives
the lookups both engines use.  The legacy runner (``compat.legacy``) serves
old names from it at run time; the source upgrader (``compat.upgrade``)
rewrites calls from it.  Nothing about a legacy name is written anywhere
else.
"""

from compat.api.entry import Kind, LegacyName  # noqa: F401
from compat.api.names import ENTRIES, MEMBERS

# Where the entries spelt as module paths live (see compat.api.entry).
# tensorflow.python.keras counts as removed: TF 2.21's stale partial copy is
# not the Keras tf.compat.v1.keras serves (compat.api.names.tf1).
REMOVED_PACKAGES = ("tensorflow.examples", "tensorflow.python.keras")
KEPT_MODULES = ("tensorflow.python.ops",)
VALUE_MODULES = ("numpy",)

BY_OLD = {entry.old: entry for entry in ENTRIES}
# Old members of classes TF still has (Kind.MEMBER), by their old path.
MEMBERS_BY_OLD = {entry.old: entry for entry in MEMBERS}


def members_named(name):
    """The ``MEMBER`` entries whose old member is called ``name``."""
    return tuple(entry for entry in MEMBERS if entry.member == name)


def lookup(path):
    """The entry for ``path`` (``'tf.nn.rnn'``), or for the nearest enclosing
    unsupported namespace (``'tf.contrib.layers.conv2d'`` -> ``tf.contrib``).
    None inside a served name, whose replacement serves its members
    (``tf.contrib.slim.arg_scope``: ``tf_slim``'s own)."""
    if path in BY_OLD:
        return BY_OLD[path]
    parts = path.split(".")
    for end in range(len(parts) - 1, 1, -1):
        entry = BY_OLD.get(".".join(parts[:end]))
        if entry is not None:
            return entry if entry.kind is Kind.UNSUPPORTED else None
    return None


def is_outside_tf(path):
    """Whether a table ``new`` path names a Python package other than
    TensorFlow (``tf_slim.xavier_initializer``), not a ``tf.`` name."""
    return bool(path) and not path.startswith("tf.")


def entries_under(prefix):
    """Entries whose old name is a direct member of namespace ``prefix``."""
    depth = prefix.count(".") + 1
    return {entry.old.split(".")[-1]: entry for entry in ENTRIES
            if entry.old.startswith(prefix + ".") and entry.old.count(".") == depth}


def _under(prefixes):
    return tuple(entry for entry in ENTRIES
                 if any(entry.old.startswith(prefix + ".") for prefix in prefixes))


def local_copy_of(module_name):
    """The entry whose removed module programs imported as ``module_name``
    from a copy beside them (``input_data``), or None."""
    for entry in ENTRIES:
        if entry.local_copy == module_name:
            return entry
    return None


def removed_modules():
    """Entries for modules of packages TF no longer ships
    (``tensorflow.examples.tutorials.mnist.input_data``)."""
    return _under(REMOVED_PACKAGES)


def served_namespace(path):
    """Whether ``path`` is a namespace TF no longer has (``tf.contrib.rnn``),
    or one whose own entry only holds the advice for its unserved members
    (``tf.contrib.learn``), under which the table serves some names: the
    runner serves it as a value, the upgrader rewrites each use."""
    own = BY_OLD.get(path)
    return (own is None or own.kind is Kind.UNSUPPORTED) and any(
        e.old.startswith(path + ".") and e.kind is not Kind.UNSUPPORTED for e in ENTRIES)


def namespace_module(path):
    """The one module that serves, under the same names, every table name
    directly under the namespace ``path`` TF no longer has
    (``tf.contrib.crf`` -> ``compat.tf1x.crf``, ``tf.contrib.signal`` ->
    ``tf.signal``), so the namespace itself can be spelt as that module;
    None if there is no such module."""
    own = BY_OLD.get(path)
    members = list(entries_under(path).values())
    if (own is not None and own.kind is not Kind.UNSUPPORTED) or not members:
        return None
    if any(e.kind is Kind.UNSUPPORTED or not e.new
           or e.new.rpartition(".")[2] != e.old.rpartition(".")[2] for e in members):
        return None
    modules = {e.new.rpartition(".")[0] for e in members}
    return modules.pop() if len(modules) == 1 else None


def replaced_submodule(module_name):
    """For a module below a removed module the table replaces with another
    package's (``tensorflow.python.keras.layers.core`` under
    ``tensorflow.python.keras.layers`` -> ``tf_keras.src.layers``): that
    package's module of the same path (``tf_keras.src.layers.core``), else
    None."""
    parts = module_name.split(".")
    for end in range(len(parts) - 1, 1, -1):
        entry = BY_OLD.get(".".join(parts[:end]))
        if entry is not None and entry.replaced_by_module and entry in removed_modules():
            return ".".join([entry.new] + parts[end:])
    return None


def kept_module_members():
    """Entries for old names in modules TF still has
    (``tensorflow.python.ops.rnn.rnn``)."""
    return _under(KEPT_MODULES)


def value_module_members():
    """Entries for old names read as values from another library's module
    (``numpy.int``), by module: ``{'numpy': {'int': entry, ...}}``."""
    members = {}
    for entry in _under(VALUE_MODULES):
        module, _, name = entry.old.rpartition(".")
        members.setdefault(module, {})[name] = entry
    return members
