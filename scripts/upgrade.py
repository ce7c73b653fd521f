"""Upgrade a legacy TensorFlow 0.x/1.x program (or notebook, or tree of them)
into source that runs on TensorFlow 2.x through tf.compat.v1, no shim needed.

    python scripts/upgrade.py old.py -o new.py [--diff] [--report=FILE] [--strict]
    python scripts/upgrade.py old.py                 # upgraded source on stdout
    python scripts/upgrade.py --intree DIR --outtree DIR

The work is done by compat.upgrade; flags live here only.  TensorFlow is not
imported.  Exit status: 0 done; 1 an input could not be read or parsed
(nothing written for it); 2 bad usage, or a refusal (the output would
overwrite the input, --outtree inside --intree); 3 with --strict when
something was flagged for a person to check.
"""

import json
import os
import sys


from absl import flags  # noqa: E402

from compat.util import cli  # noqa: E402
from compat import upgrade  # noqa: E402
from compat.api import era as eras  # noqa: E402

PROG = "upgrade.py"


def _define_flags():
    # A fresh FlagValues per call: main() can run more than once in a process
    # (the tests do), and absl keeps values from an earlier parse otherwise.
    values = flags.FlagValues()
    flags.DEFINE_string("output", None, "Write the upgraded source here (atomically); "
                        "default: print it on stdout.", short_name="o", flag_values=values)
    flags.DEFINE_boolean("diff", False, "Print a unified diff of the input and the "
                         "upgraded source instead of the source.", flag_values=values)
    flags.DEFINE_string("report", None, "Write every change and flagged item as JSON here.",
                        flag_values=values)
    flags.DEFINE_boolean("strict", False, "Exit with status 3 when anything was flagged "
                         "(ambiguous argument order, removed modules, ops built in a "
                         "training loop).", flag_values=values)
    flags.DEFINE_enum("tf_version", "auto", list(eras.CHOICES),
                      "The TF release the program was written for: names whose meaning "
                      "changed (tf.div, tf.mod, tf.round, // and %; LSTM cells' "
                      "state_is_tuple) are written in that era's meaning and flagged. auto: "
                      "0.x if the program uses a name gone in TF 1.0, else 1.x.",
                      flag_values=values)
    flags.DEFINE_string("intree", None, "Upgrade every .py and .ipynb under this directory "
                        "(other files are copied).", flag_values=values)
    flags.DEFINE_string("outtree", None, "Where --intree's files go, same relative paths.",
                        flag_values=values)
    return values


def _fail(message, code):
    return cli.fail(PROG, message, code)


def _error_code(error):
    return 2 if isinstance(error, upgrade.RefusedError) else 1


def _write_report(path, files):
    upgrade.write_atomic(path, json.dumps(upgrade.report(files), indent=2) + "\n")


def _say(lines, stream):
    for line in lines:
        print(line, file=stream, flush=True)


def _one_file(opts, path):
    try:
        text, result = upgrade.upgrade_file(path, opts.output, opts.tf_version)
    except upgrade.UpgradeError as error:
        return _fail(str(error), _error_code(error))
    to_stdout = opts.output is None
    # The report first: if it cannot be written, nothing has been printed as
    # if the upgrade had succeeded.
    if opts.report:
        try:
            _write_report(opts.report, [(path, result)])
        except upgrade.UpgradeError as error:
            return _fail(str(error), 1)
    if opts.diff:
        sys.stdout.write(upgrade.unified_diff(text, result.source, path,
                                              opts.output or path + " (upgraded)"))
    elif to_stdout:
        sys.stdout.write(result.source)
    # Source on stdout: keep it clean, so the summary goes to stderr.
    _say(upgrade.summary(path, result, opts.report),
         sys.stderr if to_stdout or opts.diff else sys.stdout)
    return 3 if opts.strict and result.flags else 0


def _tree(opts):
    if not opts.outtree:
        return _fail("--intree needs --outtree", 2)
    try:
        done = upgrade.upgrade_tree(opts.intree, opts.outtree, opts.tf_version)
    except upgrade.UpgradeError as error:
        return _fail(str(error), _error_code(error))
    files, failed = [], False
    for rel, result, error in done:
        if error is not None:
            failed = True
            _fail(str(error), 1)
        elif result is not None:
            files.append((rel, result))
            _say(upgrade.summary(rel, result, opts.report), sys.stdout)
    if opts.report:
        try:
            _write_report(opts.report, files)
        except upgrade.UpgradeError as error:
            return _fail(str(error), 1)
    if failed:
        return 1
    return 3 if opts.strict and any(r.flags for _, r in files) else 0


def main(argv):
    opts = _define_flags()
    if cli.wants_help(argv):
        cli.print_help(__doc__, opts)
        return 0
    try:
        rest = opts(argv)[1:]
    except flags.Error as error:
        return _fail(str(error).splitlines()[0], 2)
    if opts.intree or opts.outtree:
        if rest or opts.output or opts.diff:
            return _fail("--intree/--outtree take no file, -o or --diff", 2)
        if not opts.intree:
            return _fail("--outtree needs --intree", 2)
        return _tree(opts)
    if len(rest) != 1:
        return _fail("give one program to upgrade (or --intree DIR --outtree DIR)", 2)
    return _one_file(opts, rest[0])


def run():
    """Console-script entry point."""
    sys.exit(main(sys.argv))


if __name__ == "__main__":
    run()
