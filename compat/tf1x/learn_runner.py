"""tf.contrib.learn's ``Experiment``, ``learn_runner.run``, ``SKCompat`` and
``PredictionKey`` (TF 1.4-1.15 ``contrib/learn/python/learn/{experiment,
learn_runner}.py``, ``estimators/{estimator,prediction_key}.py``), single
machine, over :mod:`compat.tf1x.learn_estimator`.

* ``Experiment.train_and_evaluate()``: trains to global step
  ``train_steps`` (a *max* step, as TF 1.x passed it), evaluating the
  newest checkpoint every ``min_eval_frequency`` steps (TF 1.x's
  ValidationMonitor: only when a new checkpoint exists, at most once per
  ``check_interval_secs``; ``min_eval_frequency`` None means 1, 0 means
  never), then evaluates ``eval_steps`` batches once more and returns
  ``(eval_result, [])`` (export strategies are not served).
* ``local_run()`` is train_and_evaluate without the evaluations during
  training; ``continuous_*`` and ``run_std_server`` (distributed
  schedules) and export strategies stop with a LegacyError.
* ``Experiment.evaluate()`` first sleeps ``eval_delay_secs`` (120 s by
  default) unless given ``delay_secs``, and writes to ``eval_one_pass``.
* ``learn_runner.run(experiment_fn, output_dir | run_config, schedule,
  hparams)``: builds the Experiment (``experiment_fn(output_dir=...)`` or
  ``experiment_fn(run_config, hparams)``) and calls the method named by
  ``schedule``, default ``train_and_evaluate`` (the local default).
* ``SKCompat(estimator)``: ``fit``/``score``/``predict`` on arrays with
  batch_size 128; ``predict`` concatenates the batches of every output.
"""

import time

import numpy as np

from compat.tf1x import learn_io
from compat.tf1x.learn_estimator import Estimator, RunConfig, core, v1
from compat.util.errors import LegacyError


class PredictionKey(object):
    """contrib.learn's names of canned-model outputs."""

    CLASSES = "classes"
    PROBABILITIES = "probabilities"
    LOGITS = "logits"
    LOGISTIC = "logistic"
    SCORES = "scores"
    TOP_K = "top_k"
    GENERIC = "output"


class _EvaluateNewCheckpoints(v1.train.SessionRunHook):
    """During training, evaluate the newest checkpoint every ``every`` steps
    when it is new and ``interval`` seconds have passed (ValidationMonitor)."""

    def __init__(self, experiment, every, interval):
        self._experiment, self._every, self._interval = experiment, every, interval
        self._last_step = None
        self._last_checkpoint = None
        self._last_check = 0.0

    def begin(self):
        self._step = v1.train.get_global_step()

    def before_run(self, run_context):
        return v1.train.SessionRunArgs(self._step)

    def after_run(self, run_context, run_values):
        step = run_values.results
        if self._last_step is not None and step - self._last_step < self._every:
            return
        if time.time() - self._last_check < self._interval:
            return
        self._last_check = time.time()
        self._last_step = step
        checkpoint = v1.train.latest_checkpoint(self._experiment.estimator.model_dir)
        if checkpoint and checkpoint != self._last_checkpoint:
            self._last_checkpoint = checkpoint
            self._experiment._evaluate_once(None, checkpoint)


class Experiment(object):
    """Train and evaluate one Estimator, as contrib.learn's Experiment."""

    def __init__(self, estimator, train_input_fn, eval_input_fn, eval_metrics=None,
                 train_steps=None, eval_steps=100, train_monitors=None, eval_hooks=None,
                 local_eval_frequency=None, eval_delay_secs=120,
                 continuous_eval_throttle_secs=60, min_eval_frequency=None,
                 delay_workers_by_global_step=False, export_strategies=None,
                 train_steps_per_iteration=None, checkpoint_and_export=False,
                 saving_listeners=None, check_interval_secs=5):
        if not isinstance(estimator, Estimator):
            raise ValueError("`estimator` must implement `tf.contrib.learn.Evaluable` and "
                             "`tf.contrib.learn.Trainable`; got %r" % (estimator,))
        for name, value in (("export_strategies", export_strategies),
                            ("checkpoint_and_export", checkpoint_and_export),
                            ("saving_listeners", saving_listeners)):
            if value:
                raise LegacyError("tf.contrib.learn.Experiment(%s=...): not served; export "
                                  "with estimator.export_savedmodel after training" % name)
        self._estimator = estimator
        self._train_input_fn, self._eval_input_fn = train_input_fn, eval_input_fn
        self._eval_metrics = eval_metrics
        self._train_steps, self._eval_steps = train_steps, eval_steps
        self._train_monitors = list(train_monitors or [])
        self._eval_hooks = list(eval_hooks or [])
        self._eval_delay_secs = eval_delay_secs
        self._min_eval_frequency = 1 if min_eval_frequency is None else min_eval_frequency
        self._check_interval_secs = check_interval_secs

    @property
    def estimator(self):
        return self._estimator

    @property
    def train_steps(self):
        return self._train_steps

    @property
    def eval_steps(self):
        return self._eval_steps

    def extend_train_hooks(self, additional_hooks):
        self._train_monitors.extend(additional_hooks)

    def train(self, delay_secs=None):
        """Train up to global step ``train_steps`` (a local task waits 0 s)."""
        if delay_secs:
            time.sleep(delay_secs)
        return self._train(self._train_monitors)

    def _train(self, hooks):
        return self._estimator.fit(input_fn=self._train_input_fn, max_steps=self._train_steps,
                                   monitors=hooks)

    def _evaluate_once(self, name, checkpoint_path=None):
        return self._estimator.evaluate(input_fn=self._eval_input_fn, steps=self._eval_steps,
                                        metrics=self._eval_metrics, name=name,
                                        checkpoint_path=checkpoint_path,
                                        hooks=self._eval_hooks)

    def evaluate(self, delay_secs=None, name=None):
        delay = self._eval_delay_secs if delay_secs is None else delay_secs
        if delay:
            time.sleep(delay)
        return self._evaluate_once(name or "one_pass")

    def train_and_evaluate(self):
        hooks = list(self._train_monitors)
        if self._min_eval_frequency:
            hooks.append(_EvaluateNewCheckpoints(self, self._min_eval_frequency,
                                                 self._check_interval_secs))
        self._train(hooks)
        return self._evaluate_once(None), []

    def local_run(self):
        """TF 1.x's older name: train_and_evaluate without evaluations
        during training."""
        frequency, self._min_eval_frequency = self._min_eval_frequency, 0
        try:
            return self.train_and_evaluate()
        finally:
            self._min_eval_frequency = frequency

    def continuous_eval(self, *args, **kwargs):
        raise LegacyError("tf.contrib.learn Experiment.continuous_eval: not served; call "
                          "train_and_evaluate (local) instead")

    continuous_eval_on_train_data = continuous_train_and_eval = continuous_eval

    def test(self):
        """One training step and one evaluation step (TF 1.x's smoke test)."""
        self._estimator.fit(input_fn=self._train_input_fn, steps=1,
                            monitors=self._train_monitors)
        return self._estimator.evaluate(input_fn=self._eval_input_fn, steps=1,
                                        metrics=self._eval_metrics, name="one_pass")

    def run_std_server(self):
        raise LegacyError("tf.contrib.learn Experiment.run_std_server: distributed "
                          "schedules are not served; run train_and_evaluate locally")


def run(experiment_fn, output_dir=None, schedule=None, run_config=None, hparams=None):
    """Build the Experiment and run its ``schedule`` method; its result."""
    if output_dir is not None and run_config is not None:
        raise ValueError("Cannot provide both `output_dir` and `run_config`")
    if output_dir is None and run_config is None:
        raise ValueError("Must set value for `output_dir` or `run_config`")
    if not callable(experiment_fn):
        raise TypeError('Experiment builder "%s" is not callable.' % experiment_fn)
    if run_config is not None:
        if not isinstance(run_config, RunConfig):
            raise ValueError("`run_config` must be `tf.contrib.learn.RunConfig` instance")
        if not run_config.model_dir:
            raise ValueError("Must specify a model directory `model_dir` in `run_config`.")
        experiment = experiment_fn(run_config, hparams)
    else:
        if hparams is not None:
            raise ValueError("Must set `hparams` as None for `experiment_fn` with "
                             "`output_dir`.")
        experiment = experiment_fn(output_dir=output_dir)
    if not isinstance(experiment, Experiment):
        raise TypeError("Experiment builder did not return an Experiment instance, got %s "
                        "instead." % type(experiment))
    config = run_config or experiment.estimator.config
    if schedule is None:
        if config.cluster_spec and sum(len(config.cluster_spec.job_tasks(job))
                                       for job in config.cluster_spec.jobs) > 1:
            raise LegacyError("tf.contrib.learn learn_runner.run: a distributed TF_CONFIG "
                              "cluster is not served; run locally (unset TF_CONFIG)")
        schedule = "train_and_evaluate"
    task = getattr(experiment, schedule, None)
    if task is None:
        raise ValueError("Schedule references non-existent task %s" % schedule)
    if not callable(task):
        raise TypeError("Schedule references non-callable member %s" % schedule)
    return task()


class SKCompat(object):
    """Scikit-learn style wrapper: arrays in, batch_size 128."""

    def __init__(self, estimator):
        self._estimator = estimator

    def fit(self, x, y, batch_size=128, steps=None, max_steps=None, monitors=None):
        feeder = learn_io.ArrayFeeder(x, y, batch_size, shuffle=True, epochs=None)
        self._estimator.fit(input_fn=feeder.input_fn, steps=steps, max_steps=max_steps,
                            monitors=[feeder.hook()] + list(monitors or []))
        return self

    def score(self, x, y, batch_size=128, steps=None, metrics=None, name=None):
        feeder = learn_io.ArrayFeeder(x, y, batch_size, shuffle=False, epochs=1)
        return self._estimator.evaluate(input_fn=feeder.input_fn, steps=steps,
                                        metrics=metrics, name=name, hooks=[feeder.hook()])

    def predict(self, x, batch_size=128, outputs=None):
        feeder = learn_io.ArrayFeeder(x, None, batch_size, shuffle=False, epochs=1)
        batches = list(self._estimator._core.predict(
            feeder.input_fn, predict_keys=outputs, hooks=[feeder.hook()],
            yield_single_examples=False))
        if batches and isinstance(batches[0], dict):
            return {key: np.concatenate([b[key] for b in batches]) for key in batches[0]}
        return np.concatenate(batches)


__all__ = ["Experiment", "PredictionKey", "SKCompat", "run", "core"]
