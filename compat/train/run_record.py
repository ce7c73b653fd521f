"""A run's record, ``run.json`` in its directory: what the run was started
with, so that ``--resume`` continues it as it was started.

Which settings the record holds is derived from the configs' fields (their
``compat.train.settings.field`` metadata), not kept in a list of its own: a
field that defines the run is saved and restored, one that says where files
are is saved and restored unless given again, one that only changes how the
run shows or where it runs is not saved, and the seed is saved on its own.
Besides the model's configs, the run is defined by its data (``DataConfig``)
and, on a cluster, by how updates combine the workers' gradients
(``Replication``); the number of workers is saved too, the cluster's
addresses are not (a restarted cluster has other ports).

The file stays readable by every version: ``{"seed": int, "workers": int,
"flags": {name: value}}``.  The command line is the caller's business: this
module takes and returns plain ``{flag name: value}`` dicts.
"""

import collections
import dataclasses
import json
import os

from compat.train import settings
from compat.util import atomic
from compat.util import errors

RUN_FILE = "run.json"


@dataclasses.dataclass
class DataConfig:
    """Where a run's examples come from and how they are cut into batches."""
    dataset: str = None  # default: the model's (mnist for conv, notmnist for the others)
    data_dir: str = settings.field(None, resume=settings.LOCATION)
    cache_dir: str = settings.field(None, resume=settings.LOCATION)
    source_url: str = settings.field(None, resume=settings.LOCATION)
    validation_size: int = 5000
    batching: str = "tf0"
    train_size: int = None  # notMNIST's split sizes (None: the course's)
    valid_size: int = None
    test_size: int = None


@dataclasses.dataclass
class Replication:
    """How a cluster's updates combine the workers' gradients (each update's
    numbers depend on it)."""
    sync_replicas: bool = False
    replicas_to_aggregate: int = None


def flags_by_role(configs):
    """``{role: (flag name, ...)}`` over the fields of the config classes
    ``configs``, in field order, each flag once.  A flag that two configs
    give different roles is a programming error (ValueError)."""
    roles = collections.OrderedDict()
    for config_class in configs:
        for field in dataclasses.fields(config_class):
            name, role = settings.flag_name(field), settings.resume_role(field)
            if roles.setdefault(name, role) != role:
                raise ValueError("flag %r is %s in %s but %s elsewhere"
                                 % (name, role, config_class.__name__, roles[name]))
    by_role = {role: () for role in settings.ROLES}
    for name, role in roles.items():
        by_role[role] += (name,)
    return by_role


def saved_flags(configs):
    """The flags a run's record saves: those defining the run, then those
    saying where its files are."""
    by_role = flags_by_role(configs)
    return by_role[settings.DEFINES] + by_role[settings.LOCATION]


@dataclasses.dataclass
class RunRecord:
    """What a run was started with: its ``seed``, its number of ``workers``
    (1 off a cluster) and its saved ``flags`` ({name: value})."""
    seed: int
    workers: int
    flags: dict

    def write(self, run_dir):
        atomic.write_text(os.path.join(run_dir, RUN_FILE),
                          json.dumps(dataclasses.asdict(self), indent=1) + "\n")

    @classmethod
    def read(cls, run_dir):
        """The record of ``run_dir``; ``ConfigError`` when it is no run
        directory, ``DataError`` when its record cannot be read."""
        path = os.path.join(run_dir, RUN_FILE)
        try:
            with open(path) as f:
                saved = json.load(f)
            return cls(int(saved["seed"]), saved.get("workers", 1), saved["flags"])
        except FileNotFoundError:
            if not os.path.isdir(run_dir):
                raise errors.ConfigError("--resume: no such run directory: %s"
                                         % run_dir) from None
            raise errors.ConfigError("--resume: %s is not a run directory of run.py (it has "
                                     "no %s)" % (run_dir, RUN_FILE)) from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise errors.DataError("--resume: cannot read %s: %s" % (path, err)) from None

    def resume(self, given, may_change, workers):
        """The flag values of the run continued: the saved ones, except those
        in ``may_change`` given again now (``given``: {name: value} of the
        flags given on the command line, the seed included).  A saved flag
        given with another value, another seed or another number of
        ``workers`` is a ``ConfigError``: the run would not be the one
        started."""
        values = {}
        for name, value in self.flags.items():
            if name in given and name not in may_change and given[name] != value:
                raise errors.ConfigError(
                    "--resume continues the run as it was started, with --%s=%s; drop --%s or "
                    "start a new run" % (name, value, name))
            if not (name in given and name in may_change):
                values[name] = value
        if "seed" in given and given["seed"] != self.seed:
            raise errors.ConfigError("--resume continues the run as it was started, with "
                                     "--seed=%d; drop --seed" % self.seed)
        if self.workers != workers:
            raise errors.ConfigError(
                "--resume continues the run as it was started, on %d worker%s (each update's "
                "batches depend on it); got %d" % (self.workers, "s" if self.workers > 1 else "",
                                                   workers))
        return values
