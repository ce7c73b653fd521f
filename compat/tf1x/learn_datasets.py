"""tf.contrib.learn.datasets.base (TF 1.x): the CSV loaders, the
``Dataset``/``Datasets`` tuples and ``maybe_download`` of the iris and
census tutorials, in plain Python and numpy.

Behaviour kept from TF 1.x:

* ``load_csv_with_header``: the first row holds the number of samples and
  of features (then anything, e.g. the class names, which is ignored); the
  arrays are allocated from those numbers, so missing rows stay zeros;
* the target is popped from each row at ``target_column`` (default the
  last) and converted with numpy from its text, as are the features;
* ``load_csv_without_header`` stacks whatever rows there are;
* ``maybe_download`` fetches only when the file is absent and prints
  ``Successfully downloaded <name> <size> bytes.``; ``retry`` has TF 1.x's
  delay schedule.

Differences, each from a crash to an answer: blank lines are skipped (TF
1.x failed on them with IndexError), more rows than the header announces is
a :class:`DataError` naming the file, a failed download leaves no partial
file and says to fetch the file by hand.  The files shipped inside TF
(``load_iris``, ``load_boston``) and ``shrink_csv`` are not served.
"""

import collections
import csv
import os
import random
import time
import urllib.request

import numpy as np

from compat.util import atomic
from compat.util.errors import DataError, DataUnavailableError

Dataset = collections.namedtuple("Dataset", ["data", "target"])
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _rows(filename):
    # newline="" is what the csv module needs to read quoted newlines right.
    with open(filename, newline="") as csv_file:
        for row in csv.reader(csv_file):
            if row:
                yield row


def load_csv_with_header(filename, target_dtype, features_dtype, target_column=-1):
    """Load a CSV whose first row is ``n_samples,n_features[,...]``."""
    rows = _rows(filename)
    header = next(rows, None)
    if header is None or len(header) < 2:
        raise DataError.bad_file(filename, "the first row must be n_samples,n_features")
    try:
        n_samples, n_features = int(header[0]), int(header[1])
    except ValueError:
        raise DataError.bad_file(
            filename, "the first row must start with n_samples,n_features, got %r" % (header[:2],)
        ) from None
    data = np.zeros((n_samples, n_features), dtype=features_dtype)
    target = np.zeros((n_samples,), dtype=target_dtype)
    for i, row in enumerate(rows):
        if i >= n_samples:
            raise DataError.bad_file(
                filename, "more rows than the %d the header announces" % n_samples
            )
        target[i] = np.asarray(row.pop(target_column), dtype=target_dtype)
        data[i] = np.asarray(row, dtype=features_dtype)
    return Dataset(data=data, target=target)


def load_csv_without_header(filename, target_dtype, features_dtype, target_column=-1):
    """Load a CSV of rows of features with the target at ``target_column``."""
    data, target = [], []
    for row in _rows(filename):
        target.append(row.pop(target_column))
        data.append(np.asarray(row, dtype=features_dtype))
    return Dataset(data=np.array(data), target=np.array(target, dtype=target_dtype))


def retry(initial_delay, max_delay, factor=2.0, jitter=0.25, is_retriable=None):
    """Decorator: call the function again after failures.

    It is tried once per delay ``initial_delay * factor**k`` not above
    ``max_delay``, then a last time whose exception propagates.  Without
    ``is_retriable`` every failure is retried at once (no sleep, as in TF
    1.x); with it, a retriable failure sleeps the delay times a random
    factor in ``[1 - jitter, 1 + jitter]`` and any other one is raised.
    """
    if factor < 1:
        raise ValueError("factor must be >= 1; was %f" % (factor,))
    if jitter >= 1:
        raise ValueError("jitter must be < 1; was %f" % (jitter,))

    def delays():
        delay = initial_delay
        while delay <= max_delay:
            yield delay * random.uniform(1 - jitter, 1 + jitter)
            delay *= factor

    def wrap(fn):
        def wrapped_fn(*args, **kwargs):
            for delay in delays():
                try:
                    return fn(*args, **kwargs)
                except Exception as e:  # noqa: BLE001 - the caller decides
                    if is_retriable is None:
                        continue
                    if not is_retriable(e):
                        raise
                    time.sleep(delay)
            return fn(*args, **kwargs)

        return wrapped_fn

    return wrap


# errno 110 is ETIMEDOUT on Linux: the one failure TF 1.x thought transient.
_RETRIABLE_ERRNOS = {110}


def _is_retriable(e):
    return isinstance(e, IOError) and e.errno in _RETRIABLE_ERRNOS


@retry(initial_delay=1.0, max_delay=16.0, is_retriable=_is_retriable)
def urlretrieve_with_retry(url, filename):
    """Download ``url`` to ``filename``, retrying connection timeouts."""
    urllib.request.urlretrieve(url, filename)


def maybe_download(filename, work_directory, source_url):
    """Return ``work_directory/filename``, downloading it from
    ``source_url`` first if it is not there."""
    os.makedirs(work_directory, exist_ok=True)
    filepath = os.path.join(work_directory, filename)
    if not os.path.exists(filepath):
        try:
            # The download goes to a .part file, so an interrupted one is
            # never mistaken for the data set on the next run.
            with atomic.replacing(filepath) as part:
                urlretrieve_with_retry(source_url, part)
        except OSError as e:  # URLError and HTTPError are OSErrors
            raise DataUnavailableError(
                "downloading %s to %s failed: %s; download the file by hand to that path"
                % (source_url, filepath, e),
                path=filepath,
            ) from e
        print("Successfully downloaded", filename, os.path.getsize(filepath), "bytes.")
    return filepath
