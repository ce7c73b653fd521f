"""How tf.contrib.learn's ``fit``/``evaluate``/``predict`` took numpy ``x``
and ``y`` (TF 1.x ``learn_io/data_feeder.py`` ``DataFeeder`` and
``estimator._get_input_fn``), rebuilt for :mod:`compat.tf1x.learn_estimator`.

TF 1.x did not turn the arrays into a queue or a dataset: the input_fn made
two placeholders (``input``, ``output``) and a ``FeedFnHook`` filled them
before every session run with the next batch.  That is reproduced here
because the batching rules are observable and differ from
``numpy_input_fn``:

* ``batch_size=None`` means the whole array is one batch;
* ``fit`` shuffles with its own ``np.random.RandomState(42)`` (a fresh one
  per call), draws a new permutation at the end of every epoch and repeats
  forever; the last batch of an epoch is short, never padded or wrapped;
* ``evaluate``/``predict`` go through the data once in order; the feed
  function then raises ``StopIteration``, which ends the session loop;
* a 1-D ``x`` is fed as a column ``[n, 1]``; a ``y`` of shape ``[n, 1]``
  is fed as ``[n]`` (the feeder dropped a leading 1 of the label shape);
* dtypes are the arrays' own (float64 stays float64, as in TF 1.x).

Only in-memory arrays (numpy, lists) are served; TF 1.x's iterator, dict,
pandas and dask inputs stop with a :class:`LegacyError`.
"""

import numpy as np

from compat.util.errors import LegacyError
from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1


def _as_array(value, what):
    if isinstance(value, list):
        return np.array(value)
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__next__") or isinstance(value, dict) or not hasattr(value, "shape"):
        raise LegacyError("tf.contrib.learn Estimator %s=%s: only numpy arrays are fed here; "
                          "wrap other inputs in an input_fn" % (what, type(value).__name__))
    return np.asarray(value)   # e.g. a pandas frame: its values, as TF 1.x extracted them


class ArrayFeeder(object):
    """One fit/evaluate/predict call's feeder: ``input_fn`` builds the
    placeholders, ``hook()`` fills them batch after batch."""

    def __init__(self, x, y, batch_size, shuffle, epochs):
        self._x = _as_array(x, "x")
        self._y = None if y is None else _as_array(y, "y")
        n = self._x.shape[0]
        if batch_size is not None and batch_size <= 0:
            raise ValueError("Invalid batch_size %d." % batch_size)
        if self._y is not None and self._y.shape[0] != n:
            raise ValueError("x has %d rows but y has %d" % (n, self._y.shape[0]))
        self._batch_size = n if batch_size is None else batch_size
        self._x_shape = list(self._x.shape[1:]) if self._x.ndim > 1 else [1]
        if self._y is not None:
            y_shape = list(self._y.shape[1:])
            if y_shape and y_shape[0] == 1:
                y_shape = y_shape[1:]
            self._y_shape = y_shape
        self._epochs = epochs
        self._random = np.random.RandomState(42)
        self._order = self._random.permutation(n) if shuffle else np.arange(n)
        self._offset = 0
        self._epoch = 0
        self._placeholders = None

    def input_fn(self):
        """Placeholders shaped ``[None] + example shape``, named as TF 1.x's."""
        features = v1.placeholder(tf.as_dtype(self._x.dtype), [None] + self._x_shape,
                                  name="input")
        labels = None
        if self._y is not None:
            labels = v1.placeholder(tf.as_dtype(self._y.dtype), [None] + self._y_shape,
                                    name="output")
        self._placeholders = (features, labels)
        return features, labels

    def next_feed(self):
        """The next batch as a feed dict; StopIteration after ``epochs``."""
        if self._epochs is not None and self._epoch >= self._epochs:
            raise StopIteration
        n = self._x.shape[0]
        rows = self._order[self._offset:min(n, self._offset + self._batch_size)]
        features, labels = self._placeholders
        feed = {features: self._x[rows].reshape([len(rows)] + self._x_shape)}
        if labels is not None:
            feed[labels] = self._y[rows].reshape([len(rows)] + self._y_shape)
        self._offset += self._batch_size
        if self._offset >= n:
            # TF 1.x drew a new permutation at every epoch end, shuffling
            # or not (unshuffled feeds here run one epoch, so it never shows).
            self._order = self._random.permutation(n)
            self._offset = 0
            self._epoch += 1
        return feed

    def hook(self):
        return _FeedHook(self.next_feed)


class _FeedHook(v1.train.SessionRunHook):
    """Feeds every run of the session (TF 1.x used ``FeedFnHook`` alike)."""

    def __init__(self, feed_fn):
        self._feed_fn = feed_fn

    def before_run(self, run_context):
        return v1.train.SessionRunArgs(fetches=None, feed_dict=self._feed_fn())


def feed_fn_hook(feed_fn):
    """A hook for a user's ``feed_fn`` (evaluate's argument)."""
    return _FeedHook(feed_fn)


def get_input_fn(x, y, input_fn, feed_fn, batch_size, shuffle, epochs):
    """``(input_fn, hooks)`` from what the caller gave, with TF 1.x's checks."""
    if input_fn is None:
        if x is None:
            raise ValueError("Either x or input_fn must be provided.")
        if tf.is_tensor(x) or (y is not None and tf.is_tensor(y)):
            raise ValueError("Inputs cannot be tensors. Please provide input_fn.")
        if feed_fn is not None:
            raise ValueError("Can not provide both feed_fn and x or y.")
        feeder = ArrayFeeder(x, y, batch_size, shuffle, epochs)
        return feeder.input_fn, [feeder.hook()]
    if x is not None or y is not None:
        raise ValueError("Can not provide both input_fn and x or y.")
    if batch_size is not None:
        raise ValueError("Can not provide both input_fn and batch_size.")
    return input_fn, ([] if feed_fn is None else [feed_fn_hook(feed_fn)])
