"""What every command-line script of the project shares: a bad input ends
in one line on stderr (``prog: error: ...``) and a non-zero exit, never a
traceback, including a bad flag (absl would print two lines and a hint);
``--help`` prints the script's usage and its flags.

A script installed as a console script (``tf1-upgrade``) is named as the
user typed it; run as a file (``python scripts/upgrade.py``), by the file's
name.
"""

import os
import sys

from absl import flags

HELP_FLAGS = ("-h", "--help", "-help", "--helpfull", "--helpshort")


def shown_name(prog):
    """``prog`` (the script's file name), or the console script's name when
    the script was started as one."""
    invoked = os.path.basename(sys.argv[0] if sys.argv else "")
    return invoked if invoked.startswith("tf1-") else prog


def fail(prog, message, code=1):
    """Print ``prog: error: message`` on one line; return ``code``."""
    print("%s: error: %s" % (shown_name(prog), " ".join(str(message).split())),
          file=sys.stderr, flush=True)
    return code


def flags_parser(prog, flag_values=None):
    """An ``absl.app.run(flags_parser=...)`` parser reporting flag errors on
    one line with exit status 2."""
    def parse(argv):
        try:
            return (flag_values or flags.FLAGS)(argv)
        except flags.Error as err:
            sys.exit(fail(prog, err, 2))
    return parse


def wants_help(argv):
    """Whether ``argv`` (the script's own arguments, argv[0] first) asks for
    help, for scripts that parse their own ``FlagValues`` without absl.app."""
    return any(arg in HELP_FLAGS for arg in argv[1:])


def print_help(usage, flag_values, stream=None):
    """The script's usage text, then its flags as absl lists them."""
    stream = stream or sys.stdout
    print(usage.strip() + "\n", file=stream)
    print("flags:\n" + flag_values.get_help(), file=stream, flush=True)
