"""tf.contrib.learn's ``MetricSpec`` and the ``metrics=`` argument of
``Estimator.evaluate`` (TF 1.x ``contrib/learn/python/learn/metric_spec.py``
and ``estimator._make_metrics_ops``), for :mod:`compat.tf1x.learn_estimator`.

A MetricSpec picks one prediction, one label and optionally one weight
tensor (by key when they are dicts) and calls ``metric_fn`` with them.
Which argument gets what was decided by the metric function's argument
names, so both the contrib.metrics order ``streaming_accuracy(predictions,
labels, weights)`` and the tf.metrics order ``accuracy(labels,
predictions, weights)`` work:

* an argument named labels/label/targets/target receives the labels; one
  named predictions/prediction/logits/logit the predictions; one named
  weights/weight the weights (two names of one group: ValueError);
* named labels but unnamed predictions: if labels is the first argument
  both are passed positionally ``(labels, predictions)``, otherwise the
  predictions go first positionally and the labels by name;
* neither named: ``metric_fn(predictions)`` -- the labels are not passed.

A bare function in ``metrics`` (deprecated in TF 1.x, still served) is
called ``fn(predictions, labels)``; a ``(name, prediction_key)`` tuple key
selects one prediction of a dict.
"""

import functools
import inspect

_LABELS = ("labels", "label", "targets", "target")
_PREDICTIONS = ("predictions", "prediction", "logits", "logit")
_WEIGHTS = ("weights", "weight")


def fn_args(fn):
    """Argument names of a function, method, partial or callable object
    (a partial's keyword-bound names removed), as TF 1.x inspected them."""
    if isinstance(fn, functools.partial):
        bound = set(fn.keywords or {})
        return tuple(a for a in fn_args(fn.func)[len(fn.args):] if a not in bound)
    target = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else getattr(
        fn, "__call__", fn)
    params = inspect.signature(target).parameters.values()
    return tuple(p.name for p in params
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def _one_of(args, group, fn, required):
    found = [a for a in args if a in group]
    if len(found) > 1:
        raise ValueError("Ambiguous arguments %s, must provide only one of %s."
                         % (found, list(group)))
    if not found and required:
        raise ValueError("%s missing from %s(%s)." % (list(group), _name(fn), ", ".join(args)))
    return found[0] if found else None


def _name(fn):
    return getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__",
                                                    str(fn))


def _caller(metric_fn, labels_required, weights_required):
    """A function ``(labels, predictions, weights)`` calling ``metric_fn``
    by TF 1.x's argument-name rules (module docstring)."""
    args = fn_args(metric_fn)
    labels_arg = _one_of(args, _LABELS, metric_fn, labels_required)
    predictions_arg = _one_of(args, _PREDICTIONS, metric_fn, False)
    weights_arg = _one_of(args, _WEIGHTS, metric_fn, weights_required)

    def call(labels, predictions, weights):
        extra = {} if weights is None else {weights_arg: weights}
        if labels_arg and predictions_arg:
            return metric_fn(**dict(extra, **{labels_arg: labels, predictions_arg: predictions}))
        if labels_arg and labels_arg == args[0]:
            return metric_fn(labels, predictions, **extra)
        if labels_arg:
            return metric_fn(predictions, **dict(extra, **{labels_arg: labels}))
        if predictions_arg:
            return metric_fn(**dict(extra, **{predictions_arg: predictions}))
        return metric_fn(predictions, **extra)
    return call


def _pick(what, value, key):
    """``value[key]``, or the single tensor (or single-entry dict) when no key."""
    if key:
        if not isinstance(value, dict):
            raise ValueError("MetricSpec with %s_key specified requires %ss dict, got %s"
                             % (what, what, value))
        if key not in value:
            raise KeyError("Key '%s' missing from %s." % (key, list(value)))
        return value[key]
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("MetricSpec without specified %s_key requires %ss tensor or "
                             "single element dict, got %s" % (what, what, value))
        return next(iter(value.values()))
    return value


class MetricSpec(object):
    """Which model output, label and weight feed one metric function."""

    def __init__(self, metric_fn, prediction_key=None, label_key=None, weight_key=None):
        self._metric_fn_name = _name(metric_fn)
        self._call = _caller(metric_fn, label_key is not None, weight_key is not None)
        self._prediction_key = prediction_key
        self._label_key = label_key
        self._weight_key = weight_key

    prediction_key = property(lambda self: self._prediction_key)
    label_key = property(lambda self: self._label_key)
    weight_key = property(lambda self: self._weight_key)

    @property
    def metric_fn(self):
        """The metric function, taking named ``labels``, ``predictions``, ``weights``."""
        return lambda labels=None, predictions=None, weights=None: self._call(
            labels, predictions, weights)

    def __str__(self):
        return "MetricSpec(metric_fn=%s, prediction_key=%s, label_key=%s, weight_key=%s)" % (
            self._metric_fn_name, self._prediction_key, self._label_key, self._weight_key)

    def create_metric_ops(self, inputs, labels, predictions):
        """``(value, update_op)`` (or one tensor) of the metric on these tensors."""
        weights = inputs[self._weight_key] if self._weight_key else None
        return self._call(_pick("label", labels, self._label_key),
                          _pick("prediction", predictions, self._prediction_key), weights)


def make_metric_ops(metrics, features, labels, predictions):
    """``{name: metric ops}`` for evaluate's ``metrics`` dict."""
    if isinstance(labels, dict) and len(labels) == 1:
        labels = next(iter(labels.values()))
    result = {}
    for name, metric in (metrics or {}).items():
        if isinstance(metric, MetricSpec):
            result[name] = metric.create_metric_ops(features, labels, predictions)
        elif isinstance(name, tuple):
            if len(name) != 2:
                raise ValueError("Invalid metric for {}. It returned a tuple with len {}, "
                                 "expected 2.".format(name, len(name)))
            if not isinstance(predictions, dict):
                raise ValueError("Metrics passed provide (name, prediction), but predictions "
                                 "are not dict. Metrics: %s, Predictions: %s." % (metrics,
                                                                                  predictions))
            target = labels[name[1]] if isinstance(labels, dict) and name[1] in labels else labels
            result[name[0]] = metric(predictions[name[1]], target)
        else:
            if isinstance(predictions, dict):
                raise ValueError("Metrics passed provide only name, no prediction, but "
                                 "predictions are dict. Metrics: %s, Labels: %s." % (metrics,
                                                                                    labels))
            result[name] = metric(predictions, labels)
    return result
