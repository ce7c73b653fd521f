"""The shim in-process, as notebooks use it: the IPython extension installs
it (old names work in later cells, Python 2 cells are translated) and
unloading restores plain TensorFlow 2.x."""

import subprocess
import sys
import textwrap

from conftest import REPO_ROOT

# Each scenario runs in its own interpreter: installing the shim switches
# TensorFlow to graph mode, which cannot be undone for eager execution in a
# process that has built graphs.
SCENARIO = textwrap.dedent("""
    import sys
    sys.path.insert(0, %r)
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    def cell(code):
        result = shell.run_cell(code)
        if not result.success:
            raise SystemExit("cell failed: %%r" %% (result.error_in_exec or result.error_before_exec))
    cell("%%load_ext compat.ipython_ext")
    cell("import tensorflow as tf\\nx = tf.pack([tf.constant(1.0), tf.constant(2.0)])")
    cell("with tf.Session() as s:\\n    print 'packed', s.run(tf.reduce_sum(x))")
    cell("for i in xrange(2): print i,\\nprint")
    cell("print 'div', tf.Session().run(tf.div(tf.constant(-7), 2))")
    cell("%%tf_version 1.x")
    cell("print 'div', tf.Session().run(tf.div(tf.constant(-7), 2))")
    cell("%%unload_ext compat.ipython_ext")
    cell("import tensorflow as tf\\nprint('pack' in dir(tf), hasattr(tf, 'Session'), "
         "hasattr(tf, 'function'), tf.__name__)")
""") % str(REPO_ROOT)


def test_extension_installs_and_uninstalls_the_shim():
    result = subprocess.run([sys.executable, "-c", SCENARIO], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert "packed 3.0" in lines
    assert "0 1" in lines
    # tf.pack, gone in TF 1.0, made the cells TF 0.x (compat.api.era): -7 / 2
    # truncated (np.trunc(-3.5)); then %tf_version 1.x: floored.
    assert lines.index("div -3") < lines.index("div -4")
    assert "TF 0.x semantics (tf.pack used at line 2 was gone in TF 1.0)" in result.stderr
    assert "TF 1.x semantics (--tf_version=1.x)" in result.stderr
    # After unloading: TF 2.x's own top level (no tf.pack, no tf.Session).
    assert lines[-1] == "False False True tensorflow"
    assert "tf.pack -> tf.stack" in result.stderr
