"""What one benchmark run was asked to do: a plain :class:`Options` value
that ``scripts/bench.py`` builds from its flags (the flags are parsed there
and nowhere else), and its checks.

This module imports no TensorFlow: ``bench.py`` validates its options and
starts the cold start-up probe before this process loads TensorFlow.
"""

import dataclasses
import typing

from compat.util import errors


@dataclasses.dataclass(frozen=True)
class Options:
    """The run's settings, one field per ``bench.py`` flag of the same name
    (see its ``--help`` for their meaning), plus where the run came from."""

    models: typing.List[str]
    data_dir: typing.Optional[str]
    dataset: str
    notmnist_dir: typing.Optional[str]
    cache_dir: typing.Optional[str]
    source_url: typing.Optional[str]
    validation_size: int
    batch_size: int
    steps: int
    warmup: int
    seed: int
    determinism: bool
    keras: bool
    fit_epochs: int
    ceiling: bool
    matmul_size: int
    matmul_repeats: int
    growth: bool
    early: int
    late: int
    window: int
    settings: bool
    threads: typing.List[str]
    xla_check_steps: int
    startup: bool
    upgrader: bool
    upgrader_copies: int
    upgrader_repeats: int
    estimator: bool
    estimator_steps: int
    estimator_cnn_steps: int
    estimator_repeats: int
    cluster: bool
    cluster_steps: int
    legacy: bool
    legacy_program: str
    legacy_steps: int
    legacy_repeats: int
    # The child-process side (--probe and the flags only a probe reads).
    probe: str
    intra: int
    inter: int
    probe_mixed_precision: bool
    # Not flags: the script a probe child runs again (its own path), and the
    # parent's perf_counter() when that script started (a probe's time to
    # first step counts from there).
    script: str
    started: float

    @classmethod
    def from_values(cls, values, **extra):
        """Options from a mapping of flag name -> value (``FLAGS.
        flag_values_dict()``; other names are ignored) and ``extra`` fields."""
        names = {field.name for field in dataclasses.fields(cls)} - set(extra)
        return cls(**{name: values[name] for name in names}, **extra)


# The values of the run, in this order, that the JSON's "run" part records.
RECORDED = ("models", "dataset", "batch_size", "steps", "warmup", "seed", "determinism",
            "fit_epochs", "matmul_repeats", "early", "late", "window", "threads",
            "xla_check_steps", "upgrader_copies", "upgrader_repeats", "legacy_steps",
            "legacy_repeats")


def recorded(options):
    """The "run" part of the results: the settings the numbers depend on."""
    return {name: getattr(options, name) for name in RECORDED}


def thread_settings(options):
    """``--threads`` as [(intra, inter), ...] (errors: ConfigError)."""
    settings = []
    for item in options.threads:
        try:
            intra, inter = (int(n) for n in item.split("/"))
        except ValueError:
            raise errors.ConfigError("--threads takes intra/inter pairs such as 2/1, got %r"
                                     % item) from None
        if intra < 0 or inter < 0:
            raise errors.ConfigError("--threads: counts must be >= 0, got %r" % item)
        settings.append((intra, inter))
    return settings


def validate(options, known_models):
    """ConfigError naming the flag for what the flags' own checks cannot
    see: models outside ``known_models``, overlapping windows, bad threads."""
    unknown = [m for m in options.models if m not in known_models]
    if unknown or not options.models:
        raise errors.ConfigError("--models: unknown %s; choose from: %s"
                                 % (", ".join(unknown) or "(none given)",
                                    ", ".join(known_models)))
    if len(set(options.models)) != len(options.models):
        raise errors.ConfigError("--models lists a model twice")
    if options.early >= options.late:
        raise errors.ConfigError("--early=%d must be before --late=%d"
                                 % (options.early, options.late))
    if options.late - options.window // 2 <= options.early + options.window // 2:
        raise errors.ConfigError("the --window=%d steps around --early=%d and --late=%d "
                                 "overlap" % (options.window, options.early, options.late))
    thread_settings(options)
