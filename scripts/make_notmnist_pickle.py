"""Write the course's notMNIST.pickle, for legacy programs that read it.

    python scripts/make_notmnist_pickle.py --data_dir=../shared/data/notMNIST_small \\
        --out=notMNIST.pickle

Udacity's later assignments start with ``pickle.load(open('notMNIST.pickle',
'rb'))``; this prepares that file from whatever notMNIST data is at hand
(see compat.data.notmnist.load_notmnist).  Flags are parsed here and nowhere
else.  Bad input ends in a one-line error and a non-zero exit.
"""

import functools
import os
import sys


from absl import app
from absl import flags

from compat.util import cli
from compat.data import notmnist
from compat.util.errors import ConfigError, DataError

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None,
                    "notMNIST_small letter folders, a directory holding notMNIST_large/ and "
                    "notMNIST_small/ or their tarballs, or a notMNIST.pickle. Default: "
                    "download the tarballs into --cache_dir.")
flags.DEFINE_string("out", "notMNIST.pickle", "The pickle to write.")
flags.DEFINE_string("cache_dir", None, "Where extracted folders and pickles are cached "
                    "(default: $TF1_COMPAT_CACHE or ~/.cache/tf1_compat/notmnist).")
flags.DEFINE_integer("train_size", None, "Training examples (course: 200000; with only "
                     "notMNIST_small: 15000).", lower_bound=0)
flags.DEFINE_integer("valid_size", None, "Validation examples (course: 10000; with only "
                     "notMNIST_small: 1000).", lower_bound=0)
flags.DEFINE_integer("test_size", None, "Test examples (course: 10000; with only "
                     "notMNIST_small: 2500).", lower_bound=0)
flags.DEFINE_integer("seed", 0, "numpy.random.seed before the course's shuffles.")
flags.DEFINE_string("source_url", notmnist.SOURCE_URL, "Where to download missing tarballs.")
flags.DEFINE_boolean("progress", True, "Show progress bars on stderr.")

_PROG = "make_notmnist_pickle.py"
_fail = functools.partial(cli.fail, _PROG)


def main(argv):
    if len(argv) > 1:
        return _fail("unexpected arguments: %s" % " ".join(argv[1:]), 2)
    try:
        data = notmnist.load_notmnist(
            FLAGS.data_dir, FLAGS.cache_dir or notmnist.default_cache_dir(),
            train_size=FLAGS.train_size, valid_size=FLAGS.valid_size,
            test_size=FLAGS.test_size, seed=FLAGS.seed, progress=FLAGS.progress,
            source_url=FLAGS.source_url)
    except (DataError, ConfigError) as err:
        return _fail(err)
    except OSError as err:
        return _fail("%s: %s" % (err.filename, err.strerror) if err.filename else err)
    try:
        notmnist.save_pickle(data, FLAGS.out)
    except OSError as err:
        return _fail("cannot write %s: %s" % (FLAGS.out, err.strerror or err))
    for line in notmnist.describe(data):
        print(line)
    print("Wrote %s (%d bytes)" % (FLAGS.out, os.path.getsize(FLAGS.out)))
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser(_PROG))


if __name__ == "__main__":
    run()
