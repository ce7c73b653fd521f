"""Write the image summaries of a TensorBoard log directory as PNG files.

    python scripts/export_images.py runs [--out=DIR] [--tags=conv1/features/image] [--scale=8]

Every image of every run (or of the tags given) becomes
``DIR/<run>/<tag with '/' -> '_'>-step_<step:06d>.png``, the PNG exactly as
the event file holds it; DIR defaults to ``LOGDIR/images``.  A missing log
directory or one without image summaries ends in a one-line error.
"""

import functools
import logging
import os
import sys

from compat.util.quiet_import import import_tensorflow

# TensorBoard's event reader imports TensorFlow; do it quietly first.
import_tensorflow()

from absl import app
from absl import flags

from compat.util import cli
from compat.util import errors
from compat.tensorboard import event_images

FLAGS = flags.FLAGS
flags.DEFINE_string("out", None, "Directory to write the PNGs to (default: LOGDIR/images).")
flags.DEFINE_list("tags", None, "Image tags to export, comma-separated (default: all).")
flags.DEFINE_integer("scale", 1, "Enlarge each image this many times, pixels as blocks "
                     "(1: the event's PNG bytes unchanged).", lower_bound=1)

_fail = functools.partial(cli.fail, "export_images.py")


def main(argv):
    if len(argv) != 2:
        return _fail("usage: export_images.py LOGDIR [--out=DIR] [--tags=tag1,tag2]", 2)
    # The event reader logs every directory it walks at INFO level.
    logging.getLogger("tensorboard").setLevel(logging.WARNING)
    logdir = argv[1]
    out_dir = FLAGS.out or os.path.join(logdir, "images")
    try:
        written = event_images.export_images(logdir, out_dir, FLAGS.tags, FLAGS.scale)
    except (errors.DataError, errors.ConfigError) as err:
        return _fail(err)
    except OSError as err:
        return _fail("cannot write to %s: %s" % (out_dir, err.strerror or err))
    print("%d PNG file%s written under %s"
          % (len(written), "" if len(written) == 1 else "s", out_dir))
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser("export_images.py"))


if __name__ == "__main__":
    run()
