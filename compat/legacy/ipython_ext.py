"""IPython extension: run old TensorFlow notebook cells unmodified.

    %load_ext compat.ipython_ext      # before the old cells
    %tf_version 0.x                   # optional: the era the cells were written for
    %unload_ext compat.ipython_ext    # back to plain TensorFlow 2.x

Loading installs the legacy shim (``compat.legacy_shim``) in the kernel, so
``import tensorflow as tf`` in the following cells is TF1 with the removed
names mapped, and translates cells written in Python 2 (print statements,
``xrange``) before they run.  Changes are reported once each, as in the
runner.  Load it before any cell imports TensorFlow: a cell that already
bound ``tf`` to plain TensorFlow 2.x keeps that binding until re-run.

``%tf_version`` takes what the runner's ``--tf_version`` takes
(``compat.api.era``): the meaning of ``tf.div``, ``tf.mod``, ``//``, ``%``,
``tf.round`` and the LSTM cells' state for the cells run after it.  With
``auto`` (the default) the cells are taken as TF 1.x until one uses a name
gone in TF 1.0, from which on they are TF 0.x; the decision is said once.
"""

from compat.api import era as eras
from compat.legacy import shim as legacy_shim
from compat import py2
from compat.util import errors

_state = {}


def _translate_cell(lines):
    source = "".join(lines)
    translated, changes = py2.translate(source, "<cell>")
    shim = _state.get("shim")
    for change in changes:
        if shim is not None:
            shim.reporter.record("py2", change.fixer, change.old, change.new, "<cell>",
                                 change.line)
    if shim is not None:
        # Every cell's imports count for the later cells' auto decision.
        era = eras.detect(translated, "<cell>", _state["aliases"])
        if _state["tf_version"] == "auto" and era.is_0x and not shim.era.is_0x:
            _set_era(shim, era)
    return translated.splitlines(True)


def _set_era(shim, era):
    shim.set_era(era)
    shim.reporter.say(eras.describe(era))


def tf_version(line):
    """``%tf_version auto|0.x|1.x|0.10|...``: the era of the following cells."""
    value = line.strip() or "auto"
    try:
        era = eras.parse(value)
    except errors.UserError as error:
        print("tf_version: error: %s" % error)
        return
    _state["tf_version"] = value
    _set_era(_state["shim"], era or eras.detect("", "<cell>"))


def load_ipython_extension(ipython):
    if "shim" in _state:
        return
    _state["tf_version"] = "auto"
    _state["aliases"] = {}  # the cells' tensorflow imports, for auto
    _state["shim"] = legacy_shim.install(era=eras.detect("", "<cell>"))
    ipython.register_magic_function(tf_version, magic_kind="line")
    # A cell's Python 2 syntax must be translated before IPython compiles it.
    ipython.input_transformers_post.append(_translate_cell)
    for name in ("tf", "tensorflow"):
        value = ipython.user_ns.get(name)
        if value is not None and getattr(value, "__name__", "") == "tensorflow" and \
                value is not _state["shim"].namespace_root:
            _state["shim"].reporter.say(
                "`%s` in this notebook still names plain TensorFlow 2.x; re-run its "
                "`import tensorflow` cell" % name)


def unload_ipython_extension(ipython):
    if "shim" not in _state:
        return
    if _translate_cell in ipython.input_transformers_post:
        ipython.input_transformers_post.remove(_translate_cell)
    legacy_shim.uninstall()
    _state.clear()
