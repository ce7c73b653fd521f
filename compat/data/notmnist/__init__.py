"""notMNIST as Udacity's Deep Learning course prepared it (assignment 1).

The course downloaded ``notMNIST_large.tar.gz`` and ``notMNIST_small.tar.gz``,
extracted them, pickled each letter folder A..J as a float32 [N, 28, 28]
array normalized to ``(pixel - 255/2) / 255``, drew train/valid sets from
the large folders and the test set from the small ones (shuffling each
letter with numpy's global RNG, then slicing), shuffled each set once more
and saved the dict that its later programs ``pickle.load``:
``train_dataset``, ``train_labels``, ``valid_dataset``, ``valid_labels``,
``test_dataset``, ``test_labels``.  The functions below keep the course's
names and behaviour (``load_letter``, ``maybe_pickle``, ``merge_datasets``,
``randomize``, ``reformat``); ``load_notmnist`` strings them together for
whatever data a machine holds:

* a ``notMNIST.pickle`` (the file, or a directory holding it): read as is;
* the tarballs: extracted into the cache directory, never beside them;
* extracted ``notMNIST_large/`` and ``notMNIST_small/``: the course split;
* only ``notMNIST_small`` (or a letter-folder root A..J): train, valid and
  test are split from it, and the log says so;
* nothing: the tarballs are downloaded into the cache directory.

Everything slow is cached in the cache directory: extracted folders,
per-letter pickles and the final dict, keyed by source, sizes and seed.
Deliberate departures from the course, all for reproducibility: letter
folders are read in sorted order (the course used ``os.listdir`` order, so
its shuffles depended on the file system); a size that is not a multiple of
the number of classes gives ``size // 10`` rows per class and no
uninitialised tail rows; an empty validation set is an empty array, not None.

Pickles are trusted input, as in the course: do not load one from a source
you would not run code from.

The code is in four modules, one job each, and this package re-exports
their names, so ``notmnist.<name>`` means what it meant when notMNIST was one
module: ``images`` (PNG decoding, letter folders, the per-letter pickles),
``course`` (the course's merge, split, randomize, reformat and its
``notMNIST.pickle`` dict), ``sources`` (finding, extracting and downloading
the source data) and ``loader`` (the cached ``load_notmnist``).
"""

from compat.data.notmnist import course, images, loader, sources
from compat.data.notmnist.course import *  # noqa: F401,F403
from compat.data.notmnist.images import *  # noqa: F401,F403
from compat.data.notmnist.loader import *  # noqa: F401,F403
from compat.data.notmnist.sources import *  # noqa: F401,F403

__all__ = sorted(name for part in (images, course, sources, loader) for name in part.__all__)
