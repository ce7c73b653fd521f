"""tf.contrib.learn's ``Estimator``, ``ModelFnOps`` and ``RunConfig`` (TF
1.4-1.15, ``contrib/learn/python/learn/estimators/{estimator,model_fn,
run_config}.py``) on top of ``tf.compat.v1.estimator`` (tensorflow-estimator
2.15, made importable by :mod:`compat.tf1x.estimator`).

The reference Estimator does the training, checkpointing, evaluation and
prediction; this layer keeps the contrib contract around it:

* the user's ``model_fn`` is called ``model_fn(features, labels, **kw)``
  where ``kw`` holds ``mode``/``params``/``config``/``model_dir`` only if
  the function has an argument of that name (TF 1.x's detection); it may
  return a :class:`ModelFnOps` or a tuple ``(predictions, loss,
  train_op)``; ``feature_engineering_fn(features, labels)`` runs first;
* ``fit``/``evaluate``/``predict`` take numpy ``x``/``y`` (fed the TF 1.x
  way, :mod:`compat.tf1x.learn_io`) or an ``input_fn``; ``monitors`` that
  are SessionRunHooks become hooks; ``fit`` returns the estimator;
* ``evaluate(metrics=...)`` adds MetricSpecs / metric functions
  (:mod:`compat.tf1x.learn_metrics`) to the model's own eval metrics and
  returns them with ``loss`` and ``global_step``;
* ``predict`` yields one example at a time (``as_iterable=True``) or
  returns the concatenated arrays; ``outputs`` selects prediction keys.

Mode strings are the same in both APIs ('train', 'eval', 'infer').
"""

import collections
import copy
import tempfile

import numpy as np

import compat.tf1x.estimator as _glue
from compat.tf1x import learn_io
from compat.tf1x.learn import ModeKeys
from compat.tf1x.learn_metrics import MetricSpec, fn_args, make_metric_ops
from compat.util.errors import LegacyError
from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1
core = _glue.install()

__all__ = ["Estimator", "ModelFnOps", "RunConfig", "MetricSpec", "ModeKeys"]


class ModelFnOps(collections.namedtuple("ModelFnOps", [
        "predictions", "loss", "train_op", "eval_metric_ops", "output_alternatives",
        "training_chief_hooks", "training_hooks", "scaffold", "mode"])):
    """What a contrib.learn model_fn returns: the ops of one mode.

    Validated as TF 1.x did: TRAIN needs ``loss`` and ``train_op``, EVAL
    needs ``loss`` and ``predictions``, INFER needs ``predictions``; a loss
    of one element becomes a scalar."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                output_alternatives=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None):
        ModeKeys.validate(mode)
        if train_op is None and mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        if loss is None and mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        if loss is not None:
            loss = tf.convert_to_tensor(loss)
            if loss.shape.num_elements() not in (None, 1):
                raise ValueError("Loss must be scalar: %s." % loss)
            if loss.shape.rank != 0:
                loss = tf.reshape(loss, [])
        if predictions is None and mode in (ModeKeys.INFER, ModeKeys.EVAL):
            raise ValueError("Missing predictions.")
        return super(ModelFnOps, cls).__new__(
            cls, predictions, loss, train_op, eval_metric_ops or {}, output_alternatives,
            tuple(training_chief_hooks or ()), tuple(training_hooks or ()), scaffold, mode)

    def estimator_spec(self, extra_metrics=None):
        """The ``tf.compat.v1.estimator.EstimatorSpec`` of these ops."""
        metrics = dict(self.eval_metric_ops)
        for name, ops in (extra_metrics or {}).items():
            # TF 1.x evaluated a metric given as one tensor once, at the end.
            metrics[name] = ops if isinstance(ops, (tuple, list)) else (ops, tf.no_op())
        mode = self.mode
        return core.EstimatorSpec(
            mode, predictions=self.predictions if self.predictions is not None else {},
            loss=self.loss, train_op=self.train_op,
            eval_metric_ops=metrics if mode == ModeKeys.EVAL else None,
            training_chief_hooks=self.training_chief_hooks,
            training_hooks=self.training_hooks, scaffold=self.scaffold)


class RunConfig(core.RunConfig):
    """contrib.learn's RunConfig: the reference RunConfig with TF 1.x's
    arguments.  ``num_cores``, ``log_device_placement`` and
    ``gpu_memory_fraction`` only build ``tf_config``, which TF 1.x's
    Estimator did not use for its sessions either (they got
    ``session_config``, or a soft-placement default)."""

    _USE_DEFAULT = 0

    def __init__(self, master=None, num_cores=0, log_device_placement=False,
                 gpu_memory_fraction=1, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_secs=_USE_DEFAULT, save_checkpoints_steps=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000,
                 log_step_count_steps=100, evaluation_master="", model_dir=None,
                 session_config=None):
        for name, value in (("master", master), ("evaluation_master", evaluation_master)):
            if value:
                raise LegacyError("tf.contrib.learn.RunConfig(%s=%r): a remote master is not "
                                  "served; drop it (cluster jobs: set TF_CONFIG)" % (name, value))
        if save_checkpoints_secs == RunConfig._USE_DEFAULT:
            save_checkpoints_secs = 600 if save_checkpoints_steps is None else None
        super(RunConfig, self).__init__(
            model_dir=model_dir, tf_random_seed=tf_random_seed,
            save_summary_steps=save_summary_steps,
            save_checkpoints_steps=save_checkpoints_steps,
            save_checkpoints_secs=save_checkpoints_secs, session_config=session_config,
            keep_checkpoint_max=keep_checkpoint_max,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            log_step_count_steps=log_step_count_steps)
        self._num_cores = num_cores
        self._gpu_memory_fraction = gpu_memory_fraction
        self._tf_config = v1.ConfigProto(
            log_device_placement=log_device_placement,
            inter_op_parallelism_threads=num_cores, intra_op_parallelism_threads=num_cores,
            gpu_options=v1.GPUOptions(per_process_gpu_memory_fraction=gpu_memory_fraction))

    tf_config = property(lambda self: self._tf_config)
    num_cores = property(lambda self: self._num_cores)
    gpu_memory_fraction = property(lambda self: self._gpu_memory_fraction)


def _hooks_of(monitors, call):
    hooks = list(monitors or [])
    for hook in hooks:
        if not isinstance(hook, v1.train.SessionRunHook):
            raise LegacyError("tf.contrib.learn %s(monitors=[%s]): contrib.learn monitors are "
                              "not served; pass a tf.train.SessionRunHook instead"
                              % (call, type(hook).__name__))
    return hooks


class Estimator(object):
    """contrib.learn's Estimator over ``tf.compat.v1.estimator.Estimator``."""

    def __init__(self, model_fn=None, model_dir=None, config=None, params=None,
                 feature_engineering_fn=None):
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        args = fn_args(model_fn)
        if params is not None and "params" not in args:
            raise ValueError("Estimator's model_fn (%s) does not have a params argument, but "
                             "params (%s) were passed to the Estimator's constructor."
                             % (model_fn, params))
        if params is None and "params" in args:
            v1.logging.warning("Estimator's model_fn (%s) includes params argument, but "
                               "params are not passed to Estimator.", model_fn)
        self._model_fn = model_fn
        self._model_fn_args = args
        self._params = params or {}
        self._feature_engineering_fn = feature_engineering_fn
        self._eval_metrics = None
        self._core = self._make_core(model_dir, config)

    # -- construction (canned subclasses override _model_ops) --------------

    def _make_core(self, model_dir, config):
        if config is None:
            config = RunConfig()
        elif not isinstance(config, core.RunConfig):
            raise ValueError("config must be a RunConfig, got %r" % (config,))
        if model_dir is None and config.model_dir is None:
            # TF 1.x trained into a fresh temporary folder.
            model_dir = tempfile.mkdtemp()
            v1.logging.warning("Using temporary folder as model directory: %s", model_dir)
        return core.Estimator(self._core_model_fn, model_dir=model_dir, config=config)

    def _core_model_fn(self, features, labels, mode, config):
        original = features, labels
        if self._feature_engineering_fn is not None:
            features, labels = self._feature_engineering_fn(features, labels)
        model_ops = self._model_ops(features, labels, mode, config)
        extra = None
        if mode == ModeKeys.EVAL and self._eval_metrics:
            # TF 1.x connected evaluate's metrics to the input_fn's tensors,
            # before feature engineering.
            extra = make_metric_ops(self._eval_metrics, original[0], original[1],
                                    model_ops.predictions)
        return model_ops.estimator_spec(extra)

    def _model_ops(self, features, labels, mode, config):
        kwargs = {}
        for name, value in (("mode", mode), ("params", self._params), ("config", config),
                            ("model_dir", self.model_dir)):
            if name in self._model_fn_args:
                kwargs[name] = value
        result = self._model_fn(features, labels, **kwargs)
        if isinstance(result, ModelFnOps):
            return result
        if isinstance(result, core.EstimatorSpec) or len(result) != 3:
            raise ValueError("Unrecognized value returned by model_fn, please return "
                             "ModelFnOps.")
        return ModelFnOps(mode, predictions=result[0], loss=result[1], train_op=result[2])

    # -- the contrib.learn API ---------------------------------------------

    @property
    def model_dir(self):
        return self._core.model_dir

    @property
    def config(self):
        return copy.deepcopy(self._core.config)

    @property
    def params(self):
        return self._params

    def fit(self, x=None, y=None, input_fn=None, steps=None, batch_size=None, monitors=None,
            max_steps=None):
        """Train ``steps`` more steps (or up to global step ``max_steps``)."""
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        input_fn, hooks = learn_io.get_input_fn(x, y, input_fn, None, batch_size,
                                                shuffle=True, epochs=None)
        hooks += _hooks_of(monitors, "fit")
        self._core.train(input_fn, hooks=hooks, steps=steps, max_steps=max_steps)
        return self

    def partial_fit(self, x=None, y=None, input_fn=None, steps=1, batch_size=None,
                    monitors=None):
        return self.fit(x=x, y=y, input_fn=input_fn, steps=steps, batch_size=batch_size,
                        monitors=monitors)

    def evaluate(self, x=None, y=None, input_fn=None, feed_fn=None, batch_size=None,
                 steps=None, metrics=None, name=None, checkpoint_path=None, hooks=None,
                 log_progress=True):
        """A dict of the metrics, ``loss`` and ``global_step``."""
        input_fn, feed_hooks = learn_io.get_input_fn(x, y, input_fn, feed_fn, batch_size,
                                                     shuffle=False, epochs=1)
        if metrics is not None and not isinstance(metrics, dict):
            raise ValueError("Metrics argument should be None or dict. Got %s." % metrics)
        self._eval_metrics = metrics
        try:
            return self._core.evaluate(input_fn, steps=steps, hooks=feed_hooks + list(hooks or []),
                                       checkpoint_path=checkpoint_path, name=name)
        finally:
            self._eval_metrics = None

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True,
                iterate_batches=False):
        """Predictions per example (iterator) or stacked (``as_iterable=False``)."""
        input_fn, hooks = learn_io.get_input_fn(x, None, input_fn, None, batch_size,
                                                shuffle=False, epochs=1)
        results = self._core.predict(input_fn, predict_keys=outputs, hooks=hooks,
                                     yield_single_examples=not iterate_batches)
        if as_iterable:
            return results
        return _stack(list(results), iterate_batches)

    def get_variable_value(self, name):
        return self._core.get_variable_value(name)

    def get_variable_names(self):
        return self._core.get_variable_names()

    def export_savedmodel(self, *args, **kwargs):
        # contrib's serving_input_fn returned contrib InputFnOps and picked
        # output_alternatives; neither exists on tf.estimator.
        raise LegacyError("tf.contrib.learn Estimator.export_savedmodel: not served; build a "
                          "tf.estimator.Estimator and call export_saved_model")

    def export(self, *args, **kwargs):
        raise LegacyError("tf.contrib.learn Estimator.export: not served; build a "
                          "tf.estimator.Estimator and call export_saved_model")


def _stack(results, batches):
    """TF 1.x's non-iterable predict: all batches concatenated."""
    join = np.concatenate if batches else np.stack
    if results and isinstance(results[0], dict):
        return {key: join([r[key] for r in results]) for key in results[0]}
    return join(results) if results else np.array([])
