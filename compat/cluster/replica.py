"""A run's place in a TensorFlow cluster, on TensorFlow's own distributed
runtime: between-graph replication as TF1 programs did it.

Each process is one task of a ``ClusterSpec``: parameter servers (``ps``)
hold the variables, workers build the whole graph with
``replica_device_setter`` (variables on the ps tasks, round-robin; every
other op on the worker) and run it through their own
``tf.distribute.Server``.  Worker 0 is the chief: it initializes or restores
the variables and writes summaries and checkpoints; the others wait until
the model is ready.  With ``sync_replicas`` the optimizer is wrapped in
``SyncReplicasOptimizer``: each update averages the gradients of
``replicas_to_aggregate`` workers, and stale gradients are dropped.

``ClusterConfig`` is what the flags (or ``TF_CONFIG``) say; ``Replica`` is
one worker's part, built into its graph before it is finalized; ``serve_ps``
is a parameter server's whole life.
"""

import dataclasses
import json
import signal
import socket
import time

import tensorflow as tf

from compat.util import errors

v1 = tf.compat.v1

JOBS = ("ps", "worker")
DEFAULT_TIMEOUT = 60.0
# A queue per ps task that each worker feeds once when it is done, so that a
# parameter server can end when the training has ended, instead of serving
# forever as TF1's server.join() did.
DONE_QUEUE = "tf1_compat_workers_done_%d"


class ClusterError(errors.UserError, RuntimeError):
    """The cluster cannot be reached or formed; the message is one line."""


def _parse_hosts(flag, value):
    hosts = tuple(h.strip() for h in (value or "").split(",") if h.strip())
    for host in hosts:
        name, _, port = host.rpartition(":")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise errors.ConfigError("--%s: %r is not host:port" % (flag, host))
    if len(set(hosts)) != len(hosts):
        raise errors.ConfigError("--%s names an address twice: %s" % (flag, value))
    return hosts


@dataclasses.dataclass(frozen=True)
class ClusterConfig:
    """This process's task in a cluster of ``ps_hosts`` and ``worker_hosts``."""
    ps_hosts: tuple
    worker_hosts: tuple
    job_name: str
    task_index: int
    sync_replicas: bool = False
    replicas_to_aggregate: int = None  # default: every worker
    timeout: float = DEFAULT_TIMEOUT

    @property
    def is_chief(self):
        return self.job_name == "worker" and self.task_index == 0

    @property
    def num_workers(self):
        return len(self.worker_hosts)

    @property
    def aggregate(self):
        """Gradients averaged into one update (1 when asynchronous)."""
        if not self.sync_replicas:
            return 1
        return self.replicas_to_aggregate or self.num_workers

    @property
    def task_name(self):
        return "%s%d" % (self.job_name, self.task_index)

    @property
    def address(self):
        hosts = self.ps_hosts if self.job_name == "ps" else self.worker_hosts
        return hosts[self.task_index]

    def spec(self):
        return tf.train.ClusterSpec({"ps": list(self.ps_hosts),
                                     "worker": list(self.worker_hosts)})

    def describe(self):
        mode = ("synchronous, %d gradient%s per update" % (
            self.aggregate, "s" if self.aggregate > 1 else "")
                if self.sync_replicas else "asynchronous")
        return "%s of %d ps + %d workers (%s), %s" % (
            self.task_name, len(self.ps_hosts), self.num_workers, mode,
            "chief" if self.is_chief else "serving at " + self.address
            if self.job_name == "ps" else "not chief")


def _from_tf_config(text):
    """(ps_hosts, worker_hosts, job_name, task_index) from TF_CONFIG.  A
    separate ``chief`` job (the TF2 layout) becomes worker 0."""
    try:
        conf = json.loads(text)
        cluster, task = conf["cluster"], conf["task"]
        chief = list(cluster.get("chief", []))
        workers = chief + list(cluster.get("worker", []))
        job, index = task["type"], int(task["index"])
        ps = list(cluster.get("ps", []))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise errors.ConfigError("TF_CONFIG is not a cluster description "
                                 "({\"cluster\": {...}, \"task\": {...}}): %s" % err) from None
    if job == "chief":
        job, index = "worker", index
    elif job == "worker":
        index += len(chief)
    return ",".join(ps), ",".join(workers), job, index


def from_flags(ps_hosts=None, worker_hosts=None, job_name=None, task_index=0,
               sync_replicas=False, replicas_to_aggregate=None, timeout=DEFAULT_TIMEOUT,
               tf_config=None):
    """The ``ClusterConfig`` the TF1 cluster flags describe, or None for a
    local run.  Flags win over ``tf_config`` (the TF_CONFIG variable's text)."""
    if not (worker_hosts or job_name or ps_hosts) and tf_config:
        ps_hosts, worker_hosts, job_name, task_index = _from_tf_config(tf_config)
    if not (worker_hosts or job_name or ps_hosts):
        if sync_replicas or replicas_to_aggregate:
            raise errors.ConfigError("--sync_replicas and --replicas_to_aggregate need a "
                                     "cluster: --ps_hosts, --worker_hosts and --job_name")
        return None
    ps, workers = _parse_hosts("ps_hosts", ps_hosts), _parse_hosts("worker_hosts", worker_hosts)
    if job_name not in JOBS:
        raise errors.ConfigError("a cluster task needs --job_name=ps or --job_name=worker, "
                                 "got %r" % job_name)
    if not workers:
        raise errors.ConfigError("a cluster needs --worker_hosts (worker 0 is the chief)")
    if not ps:
        raise errors.ConfigError("a cluster needs --ps_hosts: the parameter servers hold "
                                 "the variables every worker shares")
    count = len(ps) if job_name == "ps" else len(workers)
    if task_index is None or not 0 <= task_index < count:
        raise errors.ConfigError("--task_index=%s is not a %s task: %d %s given"
                                 % (task_index, job_name, count,
                                    "--ps_hosts" if job_name == "ps" else "--worker_hosts"))
    if set(ps) & set(workers):
        raise errors.ConfigError("--ps_hosts and --worker_hosts share an address: %s"
                                 % ", ".join(sorted(set(ps) & set(workers))))
    if replicas_to_aggregate is not None:
        if not sync_replicas:
            raise errors.ConfigError("--replicas_to_aggregate applies to --sync_replicas")
        if replicas_to_aggregate < 1:
            raise errors.ConfigError("--replicas_to_aggregate must be >= 1, got %d"
                                     % replicas_to_aggregate)
    if not timeout > 0:
        raise errors.ConfigError("--cluster_timeout must be positive, got %r" % timeout)
    return ClusterConfig(ps, workers, job_name, task_index, bool(sync_replicas),
                         replicas_to_aggregate, float(timeout))


def start_server(config):
    """This task's ``tf.distribute.Server``, started."""
    try:
        return tf.distribute.Server(config.spec(), job_name=config.job_name,
                                    task_index=config.task_index, start=True)
    except (tf.errors.OpError, ValueError) as err:
        message = getattr(err, "message", None) or str(err)
        raise ClusterError("cannot start the %s server on %s: %s"
                           % (config.task_name, config.address,
                              message.strip().splitlines()[0])) from None


def wait_for_ps(config):
    """Return once every parameter server accepts connections; a
    ``ClusterError`` naming the first one that does not within the timeout.
    (A session to an absent ps would wait forever.)"""
    deadline = time.monotonic() + config.timeout
    for index, host in enumerate(config.ps_hosts):
        name, _, port = host.rpartition(":")
        while True:
            try:
                socket.create_connection((name.strip("[]"), int(port)), timeout=1.0).close()
                break
            except OSError as err:
                if time.monotonic() >= deadline:
                    raise ClusterError(
                        "%s: parameter server ps%d at %s cannot be reached (%s) within "
                        "%g s; start it first, or wait longer with --cluster_timeout"
                        % (config.task_name, index, host, err.strerror or err,
                           config.timeout)) from None
                time.sleep(0.2)


def _done_queue(ps_index):
    with tf.device("/job:ps/task:%d" % ps_index):
        return v1.FIFOQueue(1 << 16, tf.int32, shared_name=DONE_QUEUE % ps_index,
                            name="workers_done_%d" % ps_index)


def serve_ps(config, out):
    """A parameter server's life: serve the variables until every worker has
    said it is done (or the process is killed, as TF1's ``server.join()``)."""
    die_on_signals()
    server = start_server(config)
    print("%s: serving at %s until %d workers are done" % (
        config.task_name, config.address, config.num_workers), file=out, flush=True)
    graph = tf.Graph()
    with graph.as_default():
        dequeue = _done_queue(config.task_index).dequeue()
    session_config = v1.ConfigProto(device_filters=["/job:ps/task:%d" % config.task_index])
    with v1.Session(server.target, graph=graph, config=session_config) as session:
        for _ in range(config.num_workers):
            print("%s: worker%d is done" % (config.task_name, session.run(dequeue)),
                  file=out, flush=True)
    print("%s: every worker is done; stopping" % config.task_name, file=out, flush=True)


class Replica:
    """One worker's part in between-graph replication.  Call ``device_scope``
    and ``wrap`` while building the model, ``finish_graph`` before the graph
    is finalized; then ``session``, ``begin`` and, at the end, ``finish``."""

    def __init__(self, config, device=None):
        self.config = config
        self.device = device
        self.sync_optimizer = None
        self.server = None
        self._hook = self._coordinator = None

    @property
    def is_chief(self):
        return self.config.is_chief

    @property
    def shard(self):
        """(this worker's slice, number of slices) of each global batch."""
        return self.config.task_index, self.config.num_workers

    def batches_before(self, step):
        """Global batches already taken when the model is at global ``step``:
        every one in lockstep (synchronous), this worker's share otherwise."""
        return step if self.config.sync_replicas else step // self.config.num_workers

    def device_scope(self):
        worker = "/job:worker/task:%d" % self.config.task_index
        return v1.device(v1.train.replica_device_setter(
            worker_device=worker + (self.device or ""), cluster=self.config.spec()))

    def wrap(self, optimizer):
        """``optimizer`` as this cluster applies it: synchronized, or as is."""
        if not self.config.sync_replicas:
            return optimizer
        self.sync_optimizer = v1.train.SyncReplicasOptimizer(
            optimizer, replicas_to_aggregate=self.config.aggregate,
            total_num_replicas=self.config.num_workers)
        return self.sync_optimizer

    def finish_graph(self, model):
        """The ops the replica needs besides the model's: built once, here."""
        if self.sync_optimizer is not None:
            # No tokens up front: a worker's first step then waits for the
            # first update like every later one, so with one gradient per
            # worker per update the workers stay in lockstep and update k
            # averages exactly the k-th batch of each.
            self._hook = self.sync_optimizer.make_session_run_hook(
                self.is_chief, num_tokens=max(0, self.config.aggregate - self.config.num_workers))
            self._hook.begin()
            # Run by the hook once the session exists, which TF's
            # never-used check cannot see coming.
            self.sync_optimizer.ready_for_local_init_op.mark_used()
            # With fewer gradients per update than workers, a worker can be
            # left waiting for a token when the chief (whose thread hands
            # them out) has finished; the chief's last act gives each one.
            queue = self.sync_optimizer._sync_token_queue  # noqa: SLF001 - TF keeps it private
            with tf.device(model.global_step.device):
                self._release = queue.enqueue_many(
                    tf.fill([self.config.num_workers], model.global_step.read_value()))
        self.ready_op = v1.report_uninitialized_variables(v1.global_variables())
        self.ready_op.mark_used()  # only the other workers wait on it
        # The global step once this worker's update is in (sync: once the
        # update its gradient went into has been applied).  Read on the ps:
        # a worker-side read would be sent from the ps at the run's start.
        with tf.device(model.global_step.device), \
                tf.control_dependencies([model.train_op]):
            self.step_after = model.global_step.read_value()
        self.global_step = model.global_step
        self._done = [_done_queue(i).enqueue(self.config.task_index)
                      for i in range(len(self.config.ps_hosts))]

    def session_config(self, config):
        config = v1.ConfigProto.FromString(config.SerializeToString())
        # Only the ps tasks and this worker: workers never wait for each other.
        config.device_filters[:] = ["/job:ps", "/job:worker/task:%d" % self.config.task_index]
        return config

    def session(self, graph, config):
        """This worker's session on its own server.  The chief's is open at
        once; another worker's once the chief has initialized the model."""
        wait_for_ps(self.config)
        self.server = start_server(self.config)
        config = self.session_config(config)
        if self.is_chief:
            return v1.Session(self.server.target, graph=graph, config=config)
        manager = v1.train.SessionManager(ready_op=self.ready_op, graph=graph,
                                          recovery_wait_secs=0.2)
        session = manager.wait_for_session(self.server.target, config=config,
                                           max_wait_secs=self.config.timeout)
        if session is None:
            raise ClusterError("%s: the chief (worker0) did not initialize the model within "
                               "%g s; is it running? (--cluster_timeout)"
                               % (self.config.task_name, self.config.timeout))
        return session

    def begin(self, session):
        """Start the replica's side of the run once the model is ready;
        returns the global step it starts from."""
        if self._hook is not None:
            self._coordinator = v1.train.Coordinator()
            self._hook.after_create_session(session, self._coordinator)
        return int(session.run(self.global_step))

    def finish(self, session):
        """Tell the parameter servers this worker is done (the chief also
        releases workers still waiting for an update)."""
        if self.is_chief and self._hook is not None:
            session.run(self._release)
        for op in self._done:
            session.run(op)

    def close(self):
        if self._coordinator is not None:
            # The chief's token thread waits for gradients no worker will
            # send any more; closing the session cancels it.
            self._coordinator.request_stop()


def describe_error(err):
    """One line for an op error of a cluster run: its type and first real
    line (TF puts "Graph execution error:" first and a node trace after)."""
    lines = [line.strip() for line in (err.message or "").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Graph execution error",
                                                            "Detected at node", "File "))]
    return "%s: %s" % (type(err).__name__, lines[0] if lines else "(no message)")


def die_on_signals():
    """SIGINT and SIGTERM end the process at once.  A Python handler only
    runs between Session.run calls, and a ps or a non-chief worker may wait
    inside one for as long as the rest of the cluster is gone; it has nothing
    of its own to save."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
