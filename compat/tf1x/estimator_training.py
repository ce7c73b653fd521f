"""Stand-in for ``tensorflow.python.distribute.estimator_training``, which TF
removed after 2.15 and tensorflow-estimator 2.15 still imports.

Only the single-machine paths exist: the Estimator asks this module whether
to hand training to the multi-worker Distribute Coordinator, and the answer
here is always no.  Where a configuration really asks for the coordinator
(a ``TF_CONFIG`` cluster without a ``master`` job plus a ``train_distribute``
strategy), it stops with one line instead of training alone.

tensorflow-estimator 2.15 calls: ``init_run_config(config, tf_config)``
(run_config.py, only with ``train_distribute``/``eval_distribute``),
``should_run_distribute_coordinator(config)`` and ``train_and_evaluate``
(training.py), ``estimator_train``/``estimator_evaluate`` (estimator.py,
only in coordinator mode).
"""

from tensorflow.python.platform import tf_logging as logging
from tensorflow.python.training import server_lib

_COORDINATOR = ("multi-worker Distribute Coordinator training (TF_CONFIG cluster without a "
                "'master' job plus train_distribute) is not supported by tf1-compat's "
                "tf.estimator; run single-machine or with a MirroredStrategy")


class CoordinatorUnsupported(NotImplementedError):
    """The configuration needs the Distribute Coordinator, which TF removed."""

    def __init__(self):
        super().__init__(_COORDINATOR)


def init_run_config(config, tf_config):
    """What TF 2.15's ``init_run_config`` did when the coordinator is not
    used: take ``experimental_distribute``'s strategies, then read the
    cluster from ``TF_CONFIG`` as a RunConfig without strategies does."""
    # pylint: disable=protected-access
    experimental = getattr(config, "_experimental_distribute", None)
    for field in ("train_distribute", "eval_distribute"):
        strategy = getattr(experimental, field, None) if experimental is not None else None
        if not strategy:
            continue
        if getattr(config, "_" + field):
            raise ValueError("Either `%s` or `experimental_distribute.%s` can be set."
                             % (field, field))
        setattr(config, "_" + field, strategy)
    cluster_spec = server_lib.ClusterSpec((tf_config or {}).get("cluster", {}))
    if cluster_spec and "master" not in cluster_spec.jobs and config._train_distribute:
        raise CoordinatorUnsupported()
    config._distribute_coordinator_mode = None
    config._init_distributed_setting_from_environment_var(tf_config)
    config._maybe_overwrite_session_config_for_distributed_training()


def should_run_distribute_coordinator(config):
    """Whether the coordinator should run: only where a RunConfig was put in
    coordinator mode by hand, which stops with one line."""
    if getattr(config, "_distribute_coordinator_mode", None) is None:
        return False
    if not config.cluster_spec:
        logging.warning("Running `train_and_evaluate` locally, ignoring "
                        "`experimental_distribute_coordinator_mode`.")
        return False
    raise CoordinatorUnsupported()


def train_and_evaluate(*args, **kwargs):
    raise CoordinatorUnsupported()


estimator_train = estimator_evaluate = train_and_evaluate
