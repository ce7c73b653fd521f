"""Write how much of the tf.contrib code of 2018 the legacy table serves.

    python scripts/contrib_coverage.py --usage=../shared/data/contrib_usage_2018.json \
        --out=docs/contrib_coverage.md

Reads the usage counts (path -> lines of code using it), classifies each path
(compat.api.coverage: runner yes/no, upgrader yes/no) and writes the table
with the share of usage lines served; prints the shares.  Members of what an
entry serves (``tf.contrib.slim.arg_scope``) are checked to exist, so this
imports TensorFlow and tf_slim (through its glue).
"""

import functools
import json
import os

from absl import app
from absl import flags

from compat.util import atomic
from compat.util import cli

FLAGS = flags.FLAGS
flags.DEFINE_string("usage", None, "The usage counts, JSON: {'source': ..., 'apis': "
                    "[{'api': path, 'usage_lines': n}, ...]}.")
flags.DEFINE_string("out", "docs/contrib_coverage.md", "The markdown file to write.")

_fail = functools.partial(cli.fail, "contrib_coverage.py")


def _has_member(new, rest):
    """Whether the object the table path ``new`` names has ``rest``."""
    from compat.legacy import resolve
    obj = resolve.object_at(new)
    for part in rest.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def main(argv):
    if len(argv) != 1 or not FLAGS.usage:
        return _fail("usage: contrib_coverage.py --usage=FILE [--out=FILE]", 2)
    try:
        with open(FLAGS.usage, encoding="utf-8") as f:
            usage = json.load(f)
    except (OSError, ValueError) as err:
        return _fail("cannot read %s: %s" % (FLAGS.usage, err))
    # tf.compat.v1.nn.rnn_cell and tf_slim need legacy Keras, chosen before TF loads.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    from compat.util.quiet_import import import_tensorflow
    import_tensorflow()
    from compat.api import coverage
    rows, shares = coverage.coverage(usage["apis"], _has_member)
    try:
        atomic.write_text(FLAGS.out, coverage.markdown(rows, shares, usage.get("source", "")))
    except OSError as err:
        return _fail("cannot write %s: %s" % (FLAGS.out, err.strerror or err))
    print("%d usage lines: runner serves %.1f%%, upgrader rewrites %.1f%%; written to %s"
          % (shares["lines"], 100 * shares["runner"], 100 * shares["upgrader"], FLAGS.out))
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser("contrib_coverage.py"))


if __name__ == "__main__":
    run()
