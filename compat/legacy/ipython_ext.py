"""IPython extension: run old TensorFlow notebook cells unmodified.

    %load_ext compat.ipython_ext      # before the old cells
    %unload_ext compat.ipython_ext    # back to plain TensorFlow 2.x

Loading installs the legacy shim (``compat.legacy_shim``) in the kernel, so
``import tensorflow as tf`` in the following cells is TF1 with the removed
names mapped, and translates cells written in Python 2 (print statements,
``xrange``) before they run.  Changes are reported once each, as in the
runner.  Load it before any cell imports TensorFlow: a cell that already
bound ``tf`` to plain TensorFlow 2.x keeps that binding until re-run.
"""

from compat.legacy import shim as legacy_shim
from compat import py2

_state = {}


def _translate_cell(lines):
    source = "".join(lines)
    translated, changes = py2.translate(source, "<cell>")
    shim = _state.get("shim")
    for change in changes:
        if shim is not None:
            shim.reporter.record("py2", change.fixer, change.old, change.new, "<cell>",
                                 change.line)
    return translated.splitlines(True)


def load_ipython_extension(ipython):
    if "shim" in _state:
        return
    _state["shim"] = legacy_shim.install()
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
