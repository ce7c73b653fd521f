"""``tf.app.flags`` and ``tf.app.run`` with TF 0.x's leniency, on absl.

TF 0.x parsed its flags with argparse's ``parse_known_args``, lazily, on the
first ``FLAGS.x`` read: a program could read flags at module level before
``tf.app.run()``, and arguments it parsed itself (with its own argparse) were
passed through to ``main`` instead of rejected.  absl, which TF 1.x and 2.x
use, raises on both.  This module gives legacy programs the old behaviour
while defining real absl flags, so ``--help`` and typed values still work.
"""

import sys
import types

from absl import flags as absl_flags

_FLAGS = absl_flags.FLAGS


def _parse_known(argv=None):
    """Parse the flags this program defined out of ``argv``; return the rest
    (argv[0] first), as TF 0.x's ``_parse_flags`` did."""
    argv = list(sys.argv if argv is None else argv)
    return _FLAGS(argv, known_only=True)


class _LenientFlagValues:
    """Reads parse the command line on first use, as TF 0.x's FLAGS did."""

    def __getattr__(self, name):
        if not _FLAGS.is_parsed():
            _parse_known()
        return getattr(_FLAGS, name)

    def __setattr__(self, name, value):
        if not _FLAGS.is_parsed():
            _parse_known()
        setattr(_FLAGS, name, value)

    def __contains__(self, name):
        return name in _FLAGS

    def _parse_flags(self, args=None):
        return _parse_known(None if args is None else [sys.argv[0]] + list(args))[1:]


FLAGS = _LenientFlagValues()


def _define(kind):
    absl_define = getattr(absl_flags, kind)

    def define(flag_name, default_value, docstring="", *args, **kwargs):
        # A program run twice in one process (a notebook re-running a cell)
        # redefines its flags; TF 0.x allowed that silently.
        if flag_name in _FLAGS:
            delattr(_FLAGS, flag_name)
        return absl_define(flag_name, default_value, docstring, *args, **kwargs)
    define.__name__ = kind
    return define


def build_module():
    """A fresh ``tf.app.flags``-like module."""
    module = types.ModuleType("tensorflow.app.flags", __doc__)
    module.FLAGS = FLAGS
    for kind in ("DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean",
                 "DEFINE_bool", "DEFINE_list", "DEFINE_enum", "DEFINE_multi_string",
                 "DEFINE_multi_integer"):
        setattr(module, kind, _define(kind))
    for name in ("mark_flag_as_required", "register_validator", "Flag", "FlagValues"):
        setattr(module, name, getattr(absl_flags, name))
    return module


def run(main=None, argv=None):
    """TF 0.x ``tf.app.run``: parse the known flags, hand the rest to main,
    exit with its result."""
    remaining = _parse_known(argv)
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main(remaining))
