"""Run a legacy TensorFlow 0.x/1.x program unmodified on TensorFlow 2.x.

    python scripts/run_legacy.py [--data_dir=DIR] [--report=FILE] old_program.py [its args]

The program runs as ``__main__`` with its own ``sys.argv`` (its path first,
then its arguments), in the current working directory, with its directory
first on ``sys.path``, as ``python old_program.py`` would run it.  Inside it,
``import tensorflow as tf`` is TF1 with the removed names mapped to their
modern forms (compat.legacy_shim), the MNIST tutorial package is the
project's loader, and Python 2 syntax is translated on load (compat.py2).
Each change is reported once on stderr; ``--report`` writes them all as JSON.
Runner flags come before the program's path; everything after it is the
program's.
"""

import builtins
import os
import sys
import traceback
import types

from absl import flags

from compat.api import era as eras
from compat.util import cli

RUNNER_FLAGS = flags.FlagValues()
flags.DEFINE_string("data_dir", None,
                    "Read MNIST from this directory instead of the one the program asks "
                    "for (also: environment variable TF1_COMPAT_DATA_DIR).",
                    flag_values=RUNNER_FLAGS)
flags.DEFINE_string("report", None, "Write every change applied as JSON to this file.",
                    flag_values=RUNNER_FLAGS)
flags.DEFINE_enum("batching", "tf0", ["tf0", "tf1"],
                  "next_batch behaviour of the MNIST tutorial loader: tf0 = TF 0.x (what "
                  "2016 programs saw), tf1 = TF 1.2+.", flag_values=RUNNER_FLAGS)
flags.DEFINE_integer("seed", None,
                     "Seed Python's, numpy's and the default graph's RNGs and turn on op "
                     "determinism before the program starts, so two runs give the same "
                     "numbers (the program's own seeds still apply on top).",
                     flag_values=RUNNER_FLAGS)
flags.DEFINE_integer("max_steps", None,
                     "Stop the program cleanly before its training step N+1 (a step is a "
                     "Session.run that applies gradients).", lower_bound=1,
                     flag_values=RUNNER_FLAGS)
flags.DEFINE_boolean("legacy_names", True,
                     "Serve the removed TF names and modules. --nolegacy_names runs code "
                     "that must work on plain TF 2.x (an upgraded file) with only the data "
                     "redirection, --seed, --max_steps and the watchdog.",
                     flag_values=RUNNER_FLAGS)
flags.DEFINE_enum("tf_version", "auto", list(eras.CHOICES),
                  "The TF release the program was written for, which decides what names "
                  "whose meaning changed mean (integer tf.div, tf.mod, // and % truncate "
                  "and tf.round rounds half away from zero before 1.0; LSTM cells' "
                  "state_is_tuple defaults to False before 0.11). auto: 0.x if the program "
                  "uses a name gone in TF 1.0, else 1.x.", flag_values=RUNNER_FLAGS)
flags.DEFINE_boolean("reuse_loop_ops", True,
                     "Once training has started, hand back the op a line already built "
                     "when it asks again for the same stateless op (same type, inputs and "
                     "attributes; a changing summary tag is fed), so a loop that builds ops "
                     "each step stops growing the graph without changing a number. "
                     "--noreuse_loop_ops builds every op anew, as TensorFlow did.",
                     flag_values=RUNNER_FLAGS)
flags.DEFINE_boolean("quiet", False, "Do not print the changes on stderr.",
                     flag_values=RUNNER_FLAGS)

PROG = "run_legacy.py"


def _fail(message, code=1):
    return cli.fail(PROG, message, code)


def split_argv(argv):
    """(runner argv, program argv): the runner's flags end at the first
    argument that is not a flag (the program's path) or at ``--``."""
    for i, arg in enumerate(argv[1:], start=1):
        if arg == "--":
            return argv[:i], argv[i + 1:]
        if not arg.startswith("-"):
            return argv[:i], argv[i:]
    return argv, []


def load_source(path, reporter, namespace):
    """The program's code object, translated from Python 2 if need be, and
    the translated text."""
    from compat import py2
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        source = f.read()
    translated, changes = py2.translate(source, path)
    for change in changes:
        if not change.old and change.new == py2.OLD_DIV_IMPORT:
            # An added import line would shift every later line number in
            # tracebacks and reports; the name goes into the globals instead.
            lines = translated.splitlines(True)
            lines.remove(next(line for line in lines if line.strip() == py2.OLD_DIV_IMPORT))
            translated = "".join(lines)
            namespace["old_div"] = py2.old_div
            continue
        reporter.record("py2", change.fixer, change.old, change.new, path, change.line)
    return compile(translated, path, "exec"), translated


def main(argv):
    runner_argv, program_argv = split_argv(argv)
    if cli.wants_help(runner_argv):
        cli.print_help(__doc__, RUNNER_FLAGS)
        return 0
    try:
        RUNNER_FLAGS(runner_argv)
    except flags.Error as err:
        return _fail(err, 2)
    if not program_argv:
        return _fail("no program given; usage: %s [--data_dir=DIR] [--report=FILE] "
                     "program.py [its args]" % PROG, 2)
    path = program_argv[0]
    if os.path.isdir(path):
        return _fail("%s is a directory; give the program's .py file" % path, 2)
    if not os.path.isfile(path):
        return _fail("no such program: %s" % path, 2)
    if RUNNER_FLAGS.report and os.path.isdir(RUNNER_FLAGS.report):
        return _fail("--report=%s is a directory" % RUNNER_FLAGS.report, 2)

    # The old tf.nn.rnn_cell classes live on in tf_keras; TF serves them only
    # in legacy-Keras mode, which must be chosen before TensorFlow loads.
    # Here, not at import: importing this module changes no environment.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    from compat.util.quiet_import import import_tensorflow
    import_tensorflow()
    from compat.legacy import adapters as legacy_ops
    from compat.legacy import shim as legacy_shim
    from compat.train import runtime
    from compat.legacy.watchdog import StepLimitReached
    runtime.quiet_tensorflow()

    reporter = legacy_shim.Reporter(quiet=RUNNER_FLAGS.quiet)
    module = types.ModuleType("__main__")
    try:
        code, text = load_source(path, reporter, module.__dict__)
    except SyntaxError as err:
        return _fail("%s does not parse: line %s: %s" % (path, err.lineno, err.msg))
    except (OSError, UnicodeError) as err:
        return _fail("cannot read %s: %s" % (path, err))

    era = eras.decide(RUNNER_FLAGS.tf_version, text, path)
    if RUNNER_FLAGS.legacy_names and eras.worth_saying(era):
        reporter.say(eras.describe(era))
    data_dir = RUNNER_FLAGS.data_dir and os.path.abspath(RUNNER_FLAGS.data_dir)
    shim = legacy_shim.LegacyShim(reporter, data_dir=data_dir,
                                  batching=RUNNER_FLAGS.batching, program=path,
                                  max_steps=RUNNER_FLAGS.max_steps,
                                  legacy_names=RUNNER_FLAGS.legacy_names,
                                  era=era,
                                  reuse_loop_ops=RUNNER_FLAGS.reuse_loop_ops).install()
    # TF1 programs run in graph mode; seeding must reach the graph they build.
    runtime.enable_graph_mode()
    if RUNNER_FLAGS.seed is not None:
        runtime.seed_everything(RUNNER_FLAGS.seed)
        runtime.seed_every_graph(RUNNER_FLAGS.seed)
    module.__file__ = path
    module.__builtins__ = builtins
    from compat.legacy.py2_import import Py2ModuleFinder
    finder = Py2ModuleFinder(
        os.path.dirname(os.path.abspath(path)),
        lambda change, where: reporter.record("py2", change.fixer, change.old, change.new,
                                              where, change.line),
        lambda entry, where: reporter.record(
            "import", entry.local_copy, "import %s (a local copy of %s)" % (
                entry.local_copy, entry.old), entry.new, where, 1,
            entry.local_copy_note)).install()
    saved = sys.argv, sys.path[0], sys.modules.get("__main__")
    sys.argv = list(program_argv)
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    sys.modules["__main__"] = module
    status = 0
    try:
        exec(code, module.__dict__)
    except SystemExit as exit_:
        status = exit_.code
    except StepLimitReached as stop:
        reporter.say("stopped before training step %d (--max_steps=%d)"
                     % (stop.args[0] + 1, RUNNER_FLAGS.max_steps))
    except legacy_ops.LegacyError as err:
        status = _fail(err)
    except KeyboardInterrupt:
        status = 130
    except Exception as err:  # the program's own error: show it as python would
        from compat.util.errors import DataError
        if isinstance(err, DataError):
            status = _fail(err)
        else:
            traceback.print_exc()
            status = 1
    finally:
        sys.stdout.flush()
        sys.argv, sys.path[0] = saved[0], saved[1]
        if saved[2] is not None:
            sys.modules["__main__"] = saved[2]
        for line in shim.watchdog.summary():
            reporter.say(line)
        for line in shim.loop_ops.summary() if shim.loop_ops else ():
            reporter.say(line)
        if RUNNER_FLAGS.report:
            try:
                reporter.write_json(RUNNER_FLAGS.report)
            except OSError as err:
                status = status or _fail("cannot write --report=%s: %s"
                                         % (RUNNER_FLAGS.report, err))
        finder.uninstall()
        shim.uninstall(restore_v2=False)
    return status


def run():
    """Console-script entry point."""
    sys.exit(main(sys.argv))


if __name__ == "__main__":
    run()
