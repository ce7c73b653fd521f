"""What one entry of the legacy-API table holds (:class:`LegacyName`), the
:class:`Kind` of change, and :func:`entry`, which the family modules of
``compat.api.names`` write their entries with.

Each entry says what an old name was, what it is in a TF 2.x program written
against ``tf.compat.v1``, which release removed or changed it, and how its
arguments map.  The legacy runner (``compat.legacy_shim``) serves old names
from it at run time; the source upgrader rewrites calls from it.  Nothing
about a legacy name is written anywhere else.

Paths are written as a program spelled them (``tf.`` = ``import tensorflow
as tf``).  ``new`` is resolved in ``tf.compat.v1`` first, then in TF 2.x.

Argument mapping is data, in the style of ``tf_upgrade_v2``'s spec tables,
but with the pre-1.0 positional semantics right:

* ``params``: the old function's parameters in their old positional order.
  A call is bound against them and re-issued to ``new`` by keyword, so a
  positional ``softmax_cross_entropy_with_logits(pred, y)`` keeps ``pred`` as
  the logits.
* ``renames``: old keyword -> new keyword after binding.
* ``old_order_if``: for names that still exist with a new argument order
  (``tf.concat``, ``tf.split``), the test that tells an old-order call from a
  new-order one; only old-order calls are mapped.
* ``adapter``: for the few names whose old semantics need more than
  renaming (summaries with literal tags, ``tf.reverse`` with a bool mask,
  0.x's ``SyncReplicasOptimizer``, TF 0.x's lenient ``tf.app.flags``), the
  key of the code that does it.
* ``kind``: a :class:`Kind`: ``RENAME`` (same arguments), ``ARGS`` (bind
  and rename), ``ADAPTER``, ``KEPT`` (still in ``tf.compat.v1`` with the
  same meaning; listed for the upgrader and the reports), ``MODULE`` (a
  namespace moved; ``new`` is a ``tf.`` path or, for a removed Python
  module, the module path of its replacement), ``UNSUPPORTED`` (no safe
  mapping: the program is stopped with advice), ``MEMBER`` (an old method
  or attribute of a class TF still has; see below).

``old_order_if`` and ``adapter`` are keys, not code: each must be registered
in both engines, the runner's ``compat.legacy.adapters`` (``ORDER_TESTS``,
``ADAPTERS``) and the upgrader's ``compat.upgrade`` (``ORDER_TESTS``,
``STATIC_ADAPTERS``), which ``compat.api.registry`` checks on import.

Names spelt as Python module paths (``tensorflow.…``) live either in a
package TF no longer ships (:data:`compat.api.table.REMOVED_PACKAGES`; the runner stands in
for the package, built from the entries under it) or in a module TF still
has (:data:`compat.api.table.KEPT_MODULES`; the runner adds the old names to it)
or in a module of another library whose old names programs read as values
(:data:`compat.api.table.VALUE_MODULES`: ``numpy.int``, from ``dtype=np.int``;
the runner answers them from the module's own ``__getattr__``).  There
``new`` is spelt as a Python program writes it: a bare name is a builtin
(``int``), a dotted one a module's member (``numpy.float64``).

What a program's era changes (``compat.api.era``; TF RELEASE.md):

* ``era_adapter``: where a name kept its spelling but TF changed its
  meaning (``tf.div`` floors integers since 1.0, it truncated before), the
  key of the adapter that gives a program written before ``era_since`` the
  old meaning: registered like ``adapter`` in both engines; ``era_note``
  says the old meaning in a few words.
* ``survived_1_0``: an old name of version 0.12 or 1.0 that TF 1.x still
  had as a deprecated alias (``tf.initialize_all_variables`` is in
  ``tf.compat.v1``, TF 1.15's API), so a program using it may be of either
  era; every other such name (or its old-order call) proves TF 0.x.
Calls whose old form meant something else than ``new`` does today:

* ``old_call_new``: the function an old-order call is re-issued to, where
  it is not ``new`` (TF 0.11's ``tf.zeros_initializer(shape)`` made the
  tensor, ``tf.zeros(shape)`` does now; ``new``, the 1.0 initializer
  class, still serves new-order calls).  ``new_params`` are then its
  parameters.
* ``dropped``: old parameters the modern form has no use for, left out
  after binding (``partition_info`` of a 0.x initializer function).
* ``bare_call``: the old name passed as a value, not called (``initializer=
  tf.zeros_initializer``), stands for ``new()``: the upgrader writes the
  call (the runner's mapper is itself the old function).

``MEMBER`` entries (``compat.api.table.MEMBERS``, kept apart from the
names: they are attributes of objects, not of modules) say that ``old``,
``tf.<Class>.<member>``, is today's ``new``, a member of the same class
(``tf.TensorArray.pack`` -> ``stack``).  The runner adds the old member to
the class while a legacy program runs; where the class still has a member
of that name with a new meaning (``SparseTensor.shape``, now the static
shape), only the program's own lines get the old meaning.  The upgrader
renames ``x.<member>`` where ``x`` is visibly an instance: bound, in its
scope, only from calls of ``made_by`` (paths of the class or of functions
returning one; ``.write``, a method of such an instance that returns a new
one, as in ``ta = ta.write(...)``), and, for
a member name distinctive enough (``flag_unknown``), flags the uses whose
object it cannot see.

``changed``: the words reports put before ``version`` ("changed in TF",
"removed in NumPy"); :attr:`LegacyName.since` joins them.

What the source upgrader (``compat.upgrade``) needs on top, since it writes
the modern call out instead of making it:

* ``new_params``: ``new``'s positional parameters in order (its
  ``tf.compat.v1`` signature), e.g. to find where a new-order call puts
  its axis.
* ``positional_kept``: how many leading arguments an upgraded call may keep
  positional (where their names line up with ``new_params``); the rest are
  written as keywords, so a changed meaning shows in the source.
* ``upgrade_note``: what the written-out modern form does differently from
  the old name (the runner's adapters hide it; an upgraded file does not).
* ``upgrade_flag``: what a person must still do by hand after the call was
  rewritten, where the difference changes the numbers; the line is flagged.
* ``env``: ``(variable, value)`` pairs the modern form needs set before
  TensorFlow is imported.
* ``preload``: a module of this project that must be imported before the
  modern form exists (``compat.tf1x.estimator`` puts ``tf.estimator`` back
  into TensorFlow); the runner imports it before serving the name, the
  upgrader inserts ``import <preload>  # <old>: <note>`` before the file's
  first tensorflow import.
* ``pin_kwargs``: ``(member, keyword, value)``: calls of a replacement
  module's member get this keyword, where absent, to keep the old default.
* ``local_copy``: the module name under which programs imported a copy of
  a removed module that they carried beside them (2015-2016 programs had
  TF's tutorial ``input_data.py`` and ``import input_data``); where the copy
  is there (a file holding all of ``local_copy_markers``), the upgrader
  imports ``new`` instead, saying ``local_copy_note``.
"""

import dataclasses
import enum
import types


class Kind(enum.Enum):
    """What became of an old name (see the module docstring)."""

    RENAME = "rename"
    ARGS = "args"
    ADAPTER = "adapter"
    KEPT = "kept"
    MODULE = "module"
    UNSUPPORTED = "unsupported"
    MEMBER = "member"


@dataclasses.dataclass(frozen=True)
class LegacyName:
    old: str
    new: str
    version: str
    kind: Kind
    params: tuple = ()
    renames: types.MappingProxyType = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    old_order_if: str = None
    adapter: str = None
    note: str = ""
    new_params: tuple = ()
    positional_kept: int = 0
    upgrade_note: str = ""
    upgrade_flag: str = ""
    env: tuple = ()
    preload: str = None
    pin_kwargs: tuple = ()
    local_copy: str = None
    local_copy_note: str = ""
    local_copy_markers: tuple = ()
    changed: str = "changed in TF"
    era_adapter: str = None
    era_since: str = None
    era_note: str = ""
    survived_1_0: bool = False
    old_call_new: str = None
    dropped: tuple = ()
    bare_call: bool = False
    made_by: tuple = ()
    flag_unknown: bool = False

    @property
    def since(self):
        """When and where the name changed, for reports: 'changed in TF 1.0'."""
        return "%s %s" % (self.changed, self.version)

    @property
    def owner(self):
        """For a ``MEMBER`` entry, the class's path (``tf.TensorArray``)."""
        return self.old.rpartition(".")[0]

    @property
    def member(self):
        """For a ``MEMBER`` entry, the old member's name (``pack``)."""
        return self.old.rpartition(".")[2]

    @property
    def replaced_by_module(self):
        """A moved namespace whose ``new`` is a Python module path (a module
        of this project), not a ``tf.`` name."""
        return self.kind is Kind.MODULE and bool(self.new) and not self.new.startswith("tf.")

    @property
    def import_module(self):
        """The module an upgraded program imports to spell a ``new`` outside
        TF: the module itself for a moved namespace (``tf_slim``), else the
        module that defines the name (``tf_slim.metrics.streaming_accuracy``
        -> ``tf_slim.metrics``; ``compat.tf1x.learn.ModeKeys`` ->
        ``compat.tf1x.learn``), so ``new`` is always a real module's member
        and never an attribute a package's ``__init__`` happens to set."""
        return self.new if self.kind is Kind.MODULE else self.new.rpartition(".")[0]

    def is_local_copy(self, path):
        """Whether the file ``path`` is a copy of this removed module, as
        programs carried it beside them."""
        if not self.local_copy:
            return False
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return False
        return all(marker in text for marker in self.local_copy_markers)


def entry(old, new, version, kind, params=(), renames=None, new_params=(), **kwargs):
    return LegacyName(old, new, version, kind, tuple(params),
                      types.MappingProxyType(dict(renames or {})),
                      new_params=tuple(new_params), **kwargs)
