"""What every command-line script of the project shares: a bad input ends
in one line on stderr (``prog: error: ...``) and a non-zero exit, never a
traceback, including a bad flag (absl would print two lines and a hint)."""

import sys

from absl import flags


def fail(prog, message, code=1):
    """Print ``prog: error: message`` on one line; return ``code``."""
    print("%s: error: %s" % (prog, " ".join(str(message).split())), file=sys.stderr,
          flush=True)
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
