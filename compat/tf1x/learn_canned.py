"""tf.contrib.learn's canned estimators (TF 1.4-1.15 ``contrib/learn/python/
learn/estimators/{dnn,linear,dnn_linear_combined}.py``) as thin layers over
the ``tf.compat.v1.estimator`` canned classes, with contrib's defaults and
contrib's ``fit``/``evaluate``/``predict`` (:class:`learn_estimator.Estimator`).

What is carried over, each checked against the TF 1.x source:

* the loss: contrib heads trained on ``sum(weight * loss) / batch_size``,
  which is the reference's ``Reduction.SUM_OVER_BATCH_SIZE`` (its v1
  classes default to SUM, so it is passed explicitly);
* default optimizers: DNN Adagrad at 0.05; Linear FTRL at
  ``min(0.2, 1/sqrt(number of feature columns))``; DNNLinearCombined the
  same two (the reference's combined class defaults to 0.001 and 0.005,
  so optimizers are always passed); an optimizer name for a DNN part is
  built at 0.05, as contrib's ``optimize_loss`` did;
* ``DNNLinearCombined*`` with both parts and the default
  ``fix_global_step_increment_bug=False``: each part's optimizer stepped
  the global step, so it advanced by 2 per training step; reproduced;
* numpy ``x`` reaches the model as one tensor, which contrib named ``''``
  (``{'': x}``); :func:`infer_real_valued_columns_from_input` makes the
  matching ``numeric_column('')``;
* predictions under contrib's keys: ``classes`` (class ids, shape
  [batch]; with ``label_keys`` the label strings), ``probabilities``,
  ``logits``, ``logistic`` (binary), ``scores`` (regression, [batch] when
  label_dimension is 1); ``predict()`` without ``outputs`` is
  ``predict_classes`` / ``predict_scores``, as in TF 1.x.

* with ``weight_column_name``, evaluate's ``loss`` is contrib's per-batch
  weighted average ``sum(w * l) / sum(w)`` (averaged over batches);

Differences kept visible: variables are named as in the reference
(``dnn/hiddenlayer_0/kernel``, not contrib's ``.../weights``), and the
evaluation metrics besides ``loss`` and ``accuracy`` carry the reference's
names.  Centered bias, gradient clipping, embedding learning-rate
multipliers and input-layer partitioning stop with a LegacyError.
"""

import math

from compat.tf1x import learn_estimator
from compat.tf1x.learn import ModeKeys
from compat.util.errors import LegacyError

tf = learn_estimator.tf
v1 = learn_estimator.v1
core = learn_estimator.core

_DNN_LEARNING_RATE = 0.05
_LINEAR_LEARNING_RATE = 0.2
_OPTIMIZERS = {"Adagrad": "AdagradOptimizer", "Adam": "AdamOptimizer",
               "Ftrl": "FtrlOptimizer", "RMSProp": "RMSPropOptimizer",
               "SGD": "GradientDescentOptimizer"}


def _sparse_combiner(columns):
    """The linear model's sparse combiner.  contrib columns carried their
    own; compat.tf1x.feature_column (when present) knows it, else 'sum'
    (contrib's default)."""
    try:
        from compat.tf1x.feature_column import sparse_combiner_of
    except ImportError:
        return "sum"
    return sparse_combiner_of(columns)


def _refuse(call, **args):
    """LegacyError for the first argument whose TF 1.x meaning is not served."""
    for name, value in args.items():
        if value:
            raise LegacyError("tf.contrib.learn.%s(%s=%r): not served on tf.estimator; drop "
                              "the argument" % (call, name, value))


def _dnn_optimizer(optimizer, call):
    if optimizer is None:
        optimizer = "Adagrad"
    if isinstance(optimizer, str):
        if optimizer not in _OPTIMIZERS:
            raise LegacyError("tf.contrib.learn.%s(optimizer=%r): pass an optimizer instance "
                              "instead of this name" % (call, optimizer))
        cls = getattr(v1.train, _OPTIMIZERS[optimizer])
        return lambda: cls(_DNN_LEARNING_RATE)
    return optimizer


def _linear_optimizer(optimizer, columns, call):
    if optimizer is None:
        rate = min(_LINEAR_LEARNING_RATE, 1.0 / math.sqrt(len(columns)))
        return lambda: v1.train.FtrlOptimizer(rate)
    if isinstance(optimizer, str):
        # contrib's linear model gave optimize_loss no learning rate for a name.
        raise LegacyError("tf.contrib.learn.%s(optimizer=%r): TF 1.x refused an optimizer "
                          "name here; pass an optimizer instance" % (call, optimizer))
    return optimizer


def _label_vocabulary(label_keys, n_classes, call):
    if label_keys is not None and n_classes == 2:
        raise ValueError("%s: label_keys is not supported for n_classes=2." % call)
    return label_keys


class _Canned(learn_estimator.Estimator):
    """A reference canned estimator behind contrib.learn's Estimator API."""

    _classifier = True

    def __init__(self, build, model_dir, config, feature_engineering_fn, double_step=False,
                 weight_column_name=None):
        if config is None:
            config = learn_estimator.RunConfig()
        # The reference object supplies the model_fn (and the model_dir,
        # a fresh temporary one when none is given).
        self._inner = build(model_dir, config)
        self._double_step = double_step
        self._weight_column_name = weight_column_name
        self._feature_engineering_fn = feature_engineering_fn
        self._eval_metrics = None
        self._params = {}
        self._core = core.Estimator(self._core_model_fn, model_dir=self._inner.model_dir,
                                    config=config)

    def _core_model_fn(self, features, labels, mode, config):
        if not isinstance(features, dict):
            features = {"": features}   # contrib's name for an unnamed x
        return super(_Canned, self)._core_model_fn(features, labels, mode, config)

    def _model_ops(self, features, labels, mode, config):
        spec = self._inner.model_fn(features, labels, mode, config)
        train_op = spec.train_op
        if mode == ModeKeys.TRAIN and self._double_step:
            with tf.control_dependencies([train_op]):
                train_op = v1.assign_add(v1.train.get_global_step(), 1).op
        loss = spec.loss
        if mode == ModeKeys.EVAL and self._weight_column_name:
            loss = self._reported_loss(loss, features)
        return learn_estimator.ModelFnOps(
            mode, predictions=self._contrib_predictions(spec.predictions), loss=loss,
            train_op=train_op, eval_metric_ops=spec.eval_metric_ops,
            training_chief_hooks=spec.training_chief_hooks, training_hooks=spec.training_hooks,
            scaffold=spec.scaffold)

    def _reported_loss(self, loss, features):
        """contrib's evaluation ``loss`` with example weights: the mean over
        batches of sum(w * l) / sum(w), where training (and the reference)
        use sum(w * l) / batch_size; per batch the two differ by the factor
        batch_size / sum(w)."""
        weights = tf.reshape(tf.cast(features[self._weight_column_name], tf.float32), [-1])
        rows = tf.cast(tf.size(weights), tf.float32)
        return loss * rows / tf.reduce_sum(weights)

    def _contrib_predictions(self, predictions):
        if not self._classifier:
            scores = predictions["predictions"]
            if scores.shape[-1] == 1:
                scores = tf.squeeze(scores, -1)
            return {"scores": scores}
        out = {key: predictions[key] for key in ("logits", "logistic", "probabilities")
               if key in predictions}
        named = getattr(self, "_label_keys", None) is not None
        out["classes"] = tf.squeeze(predictions["classes" if named else "class_ids"], -1)
        return out

    def _default_key(self):
        return "classes" if self._classifier else "scores"

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True):
        """Without ``outputs``: classes (classifiers) or scores (regressors)."""
        if outputs:
            return super(_Canned, self).predict(x=x, input_fn=input_fn, batch_size=batch_size,
                                                outputs=outputs, as_iterable=as_iterable)
        return self._one(self._default_key(), x, input_fn, batch_size, as_iterable)

    def _one(self, key, x, input_fn, batch_size, as_iterable):
        preds = super(_Canned, self).predict(x=x, input_fn=input_fn, batch_size=batch_size,
                                             outputs=[key], as_iterable=as_iterable)
        if as_iterable:
            return (pred[key] for pred in preds)
        return preds[key]

    def predict_classes(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        return self._one("classes", x, input_fn, batch_size, as_iterable)

    def predict_proba(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        return self._one("probabilities", x, input_fn, batch_size, as_iterable)

    def predict_scores(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        return self._one("scores", x, input_fn, batch_size, as_iterable)


_REDUCTION = v1.losses.Reduction.SUM_OVER_BATCH_SIZE


class DNNClassifier(_Canned):
    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column_name=None, optimizer=None, activation_fn=tf.nn.relu,
                 dropout=None, gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None, label_keys=None):
        _refuse("DNNClassifier", gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias,
                embedding_lr_multipliers=embedding_lr_multipliers,
                input_layer_min_slice_size=input_layer_min_slice_size)
        self._label_keys = _label_vocabulary(label_keys, n_classes, "DNNClassifier")
        opt = _dnn_optimizer(optimizer, "DNNClassifier")
        super(DNNClassifier, self).__init__(
            lambda model_dir, config: core.DNNClassifier(
                hidden_units, feature_columns, model_dir=model_dir, n_classes=n_classes,
                weight_column=weight_column_name, label_vocabulary=label_keys, optimizer=opt,
                activation_fn=activation_fn, dropout=dropout, config=config,
                loss_reduction=_REDUCTION),
            model_dir, config, feature_engineering_fn,
            weight_column_name=weight_column_name)


class DNNRegressor(_Canned):
    _classifier = False

    def __init__(self, hidden_units, feature_columns, model_dir=None, weight_column_name=None,
                 optimizer=None, activation_fn=tf.nn.relu, dropout=None,
                 gradient_clip_norm=None, enable_centered_bias=False, config=None,
                 feature_engineering_fn=None, label_dimension=1, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None):
        _refuse("DNNRegressor", gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias,
                embedding_lr_multipliers=embedding_lr_multipliers,
                input_layer_min_slice_size=input_layer_min_slice_size)
        opt = _dnn_optimizer(optimizer, "DNNRegressor")
        super(DNNRegressor, self).__init__(
            lambda model_dir, config: core.DNNRegressor(
                hidden_units, feature_columns, model_dir=model_dir,
                label_dimension=label_dimension, weight_column=weight_column_name,
                optimizer=opt, activation_fn=activation_fn, dropout=dropout, config=config,
                loss_reduction=_REDUCTION),
            model_dir, config, feature_engineering_fn,
            weight_column_name=weight_column_name)


class LinearClassifier(_Canned):
    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column_name=None,
                 optimizer=None, gradient_clip_norm=None, enable_centered_bias=False,
                 _joint_weight=False, config=None, feature_engineering_fn=None,
                 label_keys=None):
        _refuse("LinearClassifier", gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias, _joint_weight=_joint_weight)
        self._label_keys = _label_vocabulary(label_keys, n_classes, "LinearClassifier")
        columns = list(feature_columns)
        opt = _linear_optimizer(optimizer, columns, "LinearClassifier")
        super(LinearClassifier, self).__init__(
            lambda model_dir, config: core.LinearClassifier(
                columns, model_dir=model_dir, n_classes=n_classes,
                weight_column=weight_column_name, label_vocabulary=label_keys, optimizer=opt,
                config=config, loss_reduction=_REDUCTION,
                sparse_combiner=_sparse_combiner(columns)),
            model_dir, config, feature_engineering_fn,
            weight_column_name=weight_column_name)


class LinearRegressor(_Canned):
    _classifier = False

    def __init__(self, feature_columns, model_dir=None, weight_column_name=None,
                 optimizer=None, gradient_clip_norm=None, enable_centered_bias=False,
                 label_dimension=1, _joint_weights=False, config=None,
                 feature_engineering_fn=None):
        _refuse("LinearRegressor", gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias, _joint_weights=_joint_weights)
        columns = list(feature_columns)
        opt = _linear_optimizer(optimizer, columns, "LinearRegressor")
        super(LinearRegressor, self).__init__(
            lambda model_dir, config: core.LinearRegressor(
                columns, model_dir=model_dir, label_dimension=label_dimension,
                weight_column=weight_column_name, optimizer=opt, config=config,
                loss_reduction=_REDUCTION, sparse_combiner=_sparse_combiner(columns)),
            model_dir, config, feature_engineering_fn,
            weight_column_name=weight_column_name)


def _combined(cls_name, kwargs, linear_feature_columns, linear_optimizer,
              dnn_feature_columns, dnn_optimizer, fix_global_step_increment_bug):
    """The reference's combined-estimator arguments with contrib's optimizers."""
    linear = list(linear_feature_columns or [])
    dnn = list(dnn_feature_columns or [])
    if not linear and not dnn:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be "
                         "defined.")
    kwargs.update(linear_feature_columns=linear, dnn_feature_columns=dnn,
                  loss_reduction=_REDUCTION)
    if linear:
        kwargs["linear_optimizer"] = _linear_optimizer(linear_optimizer, linear, cls_name)
        kwargs["linear_sparse_combiner"] = _sparse_combiner(linear)
    if dnn:
        kwargs["dnn_optimizer"] = _dnn_optimizer(dnn_optimizer, cls_name)
    # Both parts stepping the global step: contrib's default bug.
    return kwargs, bool(linear and dnn and not fix_global_step_increment_bug)


class DNNLinearCombinedClassifier(_Canned):
    def __init__(self, model_dir=None, n_classes=2, weight_column_name=None,
                 linear_feature_columns=None, linear_optimizer=None, _joint_linear_weights=False,
                 dnn_feature_columns=None, dnn_optimizer=None, dnn_hidden_units=None,
                 dnn_activation_fn=tf.nn.relu, dnn_dropout=None, gradient_clip_norm=None,
                 enable_centered_bias=False, config=None, feature_engineering_fn=None,
                 embedding_lr_multipliers=None, input_layer_min_slice_size=None,
                 label_keys=None, fix_global_step_increment_bug=False):
        name = "DNNLinearCombinedClassifier"
        _refuse(name, gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias,
                _joint_linear_weights=_joint_linear_weights,
                embedding_lr_multipliers=embedding_lr_multipliers,
                input_layer_min_slice_size=input_layer_min_slice_size)
        self._label_keys = _label_vocabulary(label_keys, n_classes, name)
        kwargs, double = _combined(
            name, dict(n_classes=n_classes, weight_column=weight_column_name,
                       label_vocabulary=label_keys, dnn_hidden_units=dnn_hidden_units,
                       dnn_activation_fn=dnn_activation_fn, dnn_dropout=dnn_dropout),
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
            fix_global_step_increment_bug)
        super(DNNLinearCombinedClassifier, self).__init__(
            lambda model_dir, config: core.DNNLinearCombinedClassifier(
                model_dir=model_dir, config=config, **kwargs),
            model_dir, config, feature_engineering_fn, double_step=double,
            weight_column_name=weight_column_name)


class DNNLinearCombinedRegressor(_Canned):
    _classifier = False

    def __init__(self, model_dir=None, weight_column_name=None, linear_feature_columns=None,
                 linear_optimizer=None, _joint_linear_weights=False, dnn_feature_columns=None,
                 dnn_optimizer=None, dnn_hidden_units=None, dnn_activation_fn=tf.nn.relu,
                 dnn_dropout=None, gradient_clip_norm=None, enable_centered_bias=False,
                 label_dimension=1, config=None, feature_engineering_fn=None,
                 embedding_lr_multipliers=None, input_layer_min_slice_size=None,
                 fix_global_step_increment_bug=False):
        name = "DNNLinearCombinedRegressor"
        _refuse(name, gradient_clip_norm=gradient_clip_norm,
                enable_centered_bias=enable_centered_bias,
                _joint_linear_weights=_joint_linear_weights,
                embedding_lr_multipliers=embedding_lr_multipliers,
                input_layer_min_slice_size=input_layer_min_slice_size)
        kwargs, double = _combined(
            name, dict(label_dimension=label_dimension, weight_column=weight_column_name,
                       dnn_hidden_units=dnn_hidden_units, dnn_activation_fn=dnn_activation_fn,
                       dnn_dropout=dnn_dropout),
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
            fix_global_step_increment_bug)
        super(DNNLinearCombinedRegressor, self).__init__(
            lambda model_dir, config: core.DNNLinearCombinedRegressor(
                model_dir=model_dir, config=config, **kwargs),
            model_dir, config, feature_engineering_fn, double_step=double,
            weight_column_name=weight_column_name)


def infer_real_valued_columns_from_input(x):
    """One dense column named '' for an array ``x`` fed to ``fit(x=...)``."""
    shape = list(x.shape[1:]) if getattr(x, "ndim", 1) > 1 else [1]
    dtype = tf.as_dtype(x.dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError("Non-numeric x dtype %s" % dtype)
    return [tf.feature_column.numeric_column("", shape=shape, dtype=tf.float32)]
