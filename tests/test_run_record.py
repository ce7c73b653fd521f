"""What a run's record saves and --resume restores, derived from the configs:
every flag of scripts/run.py is either restored or declared not to define
the run; the record round-trips and refuses a changed run-defining value;
ConvConfig and GdlConfig validate under one contract with the same
messages for the checks they share."""

import dataclasses
import json

import pytest
from absl import flags

from compat.train import run_record
from compat.train import settings
from compat.util import errors
from scripts import run as run_py
from tf1_examples import conv
from tf1_examples import gdl

# The lists scripts/run.py kept by hand before they were derived: what
# run.json saved, and what a resumed run could change.
HAND_SAVED = {"model", "init", "init_scope", "learning_rate", "training_iters", "steps",
              "batch_size", "display_step", "dropout", "summary_every", "diagnostics", "beta",
              "offset_range", "hidden", "layers", "decay_steps", "decay_rate", "train_size",
              "valid_size", "test_size", "validation_size", "dataset", "batching",
              "checkpoint_every", "mixed_precision", "data_dir", "cache_dir", "source_url",
              "sync_replicas", "replicas_to_aggregate"}
HAND_MAY_CHANGE = {"data_dir", "cache_dir", "source_url", "device", "log_device_placement",
                   "progress", "logdir", "resume"}


def run_py_flags():
    return {flag.name for flag in flags.FLAGS.get_flags_for_module(run_py)}


def test_every_flag_of_run_py_is_restored_or_declared_not_to_define_the_run():
    roles = run_record.flags_by_role(run_py.RUN_CONFIGS)
    saved = set(run_py.SAVED_FLAGS)
    declared = set(run_py.NOT_RUN_SETTINGS) | set(roles[settings.FREE]) | \
        set(roles[settings.SEED])
    # A flag added to run.py without a config field or a place in
    # NOT_RUN_SETTINGS fails here, as does a config field without a flag.
    assert run_py_flags() == saved | declared
    assert not saved & declared
    assert declared == {"logdir", "resume", "seed", "ps_hosts", "worker_hosts", "job_name",
                        "task_index", "cluster_timeout", "device", "progress",
                        "log_device_placement"}


def test_derived_lists_are_the_hand_lists_they_replace():
    assert set(run_py.SAVED_FLAGS) == HAND_SAVED
    assert len(run_py.SAVED_FLAGS) == len(HAND_SAVED)
    assert HAND_MAY_CHANGE <= set(run_py.RESUME_MAY_CHANGE)
    # Whatever else may change is never saved, so --resume never meets it.
    assert not (set(run_py.RESUME_MAY_CHANGE) - HAND_MAY_CHANGE) & HAND_SAVED


def test_a_new_config_field_is_saved_unless_marked():
    @dataclasses.dataclass
    class Config:
        old: int = 1
        new: float = 0.5  # no metadata: it defines the run
        where: str = settings.field(None, resume=settings.LOCATION)
        shown: bool = settings.field(True, resume=settings.FREE)
        keep: float = settings.field(None, flag="dropout")

    assert run_record.saved_flags([Config]) == ("old", "new", "dropout", "where")
    assert run_record.flags_by_role([Config])[settings.FREE] == ("shown",)


def test_one_flag_with_two_roles_is_refused():
    @dataclasses.dataclass
    class A:
        device: str = "auto"

    with pytest.raises(ValueError, match="flag 'device' is free in"):
        run_record.flags_by_role([A, conv.ConvConfig])


def test_record_round_trips_in_the_format_every_version_reads(tmp_path):
    record = run_record.RunRecord(7, 2, {"model": "conv", "steps": 12, "dropout": None,
                                         "data_dir": "/data"})
    record.write(str(tmp_path))
    text = (tmp_path / "run.json").read_text()
    assert json.loads(text) == {"seed": 7, "workers": 2, "flags": {
        "model": "conv", "steps": 12, "dropout": None, "data_dir": "/data"}}
    assert list(json.loads(text)) == ["seed", "workers", "flags"]
    assert run_record.RunRecord.read(str(tmp_path)) == record
    # A record without "workers" is a local run's.
    (tmp_path / "run.json").write_text('{"seed": "3", "flags": {}}')
    assert run_record.RunRecord.read(str(tmp_path)) == run_record.RunRecord(3, 1, {})


def test_unreadable_records(tmp_path):
    with pytest.raises(errors.ConfigError) as missing:
        run_record.RunRecord.read(str(tmp_path / "nowhere"))
    assert str(missing.value) == "--resume: no such run directory: %s" % (tmp_path / "nowhere")
    with pytest.raises(errors.ConfigError) as empty:
        run_record.RunRecord.read(str(tmp_path))
    assert str(empty.value) == ("--resume: %s is not a run directory of run.py (it has no "
                                "run.json)" % tmp_path)
    (tmp_path / "run.json").write_text('{"seed": 1}')
    with pytest.raises(errors.DataError) as broken:
        run_record.RunRecord.read(str(tmp_path))
    assert str(broken.value) == "--resume: cannot read %s: 'flags'" % (tmp_path / "run.json")


def test_resume_restores_and_refuses_a_changed_run_defining_value():
    record = run_record.RunRecord(5, 1, {"init": "normal", "steps": 12, "data_dir": "/a",
                                         "gone": 1})
    may_change = ("data_dir", "device")
    assert record.resume({}, may_change, 1) == {"init": "normal", "steps": 12,
                                                "data_dir": "/a", "gone": 1}
    # Given again: the same value, a value that may change, a free flag.
    assert record.resume({"init": "normal", "data_dir": "/b", "device": "cpu", "seed": 5},
                         may_change, 1) == {"init": "normal", "steps": 12, "gone": 1}
    with pytest.raises(errors.ConfigError) as changed:
        record.resume({"init": "zeros"}, may_change, 1)
    assert str(changed.value) == ("--resume continues the run as it was started, with "
                                  "--init=normal; drop --init or start a new run")
    with pytest.raises(errors.ConfigError) as seed:
        record.resume({"seed": 6}, may_change, 1)
    assert str(seed.value) == ("--resume continues the run as it was started, with --seed=5; "
                               "drop --seed")
    with pytest.raises(errors.ConfigError) as workers:
        run_record.RunRecord(5, 2, {}).resume({}, may_change, 1)
    assert str(workers.value) == ("--resume continues the run as it was started, on 2 workers "
                                  "(each update's batches depend on it); got 1")
    with pytest.raises(errors.ConfigError, match=r"on 1 worker \(each"):
        record.resume({}, may_change, 3)


SHARED_CHECKS = [
    ("steps", 0, "--steps must be a positive integer, got 0"),
    ("batch_size", 0, "--batch_size must be a positive integer, got 0"),
    ("display_step", -1, "--display_step must be a positive integer, got -1"),
    ("summary_every", 0, "--summary_every must be a positive integer, got 0"),
    ("learning_rate", 0.0, "--learning_rate must be positive, got 0.0"),
    ("dropout", 1.5, "--dropout is a keep probability and must be in (0, 1], got 1.5"),
    ("dropout", 0.0, "--dropout is a keep probability and must be in (0, 1], got 0.0"),
    ("checkpoint_every", -1, "--checkpoint_every must be >= 0 (0: no periodic checkpoints), "
                             "got -1"),
]


@pytest.mark.parametrize("flag, value, message", SHARED_CHECKS)
def test_both_configs_check_the_shared_settings_alike(flag, value, message):
    gdl_field = "keep_prob" if flag == "dropout" else flag
    with pytest.raises(errors.ConfigError) as conv_error:
        conv.ConvConfig(**{flag: value}).validate()
    with pytest.raises(errors.ConfigError) as gdl_error:
        gdl.GdlConfig(model="nn", **{gdl_field: value}).validate()
    assert str(conv_error.value) == str(gdl_error.value) == message


def test_one_validate_contract():
    config = conv.ConvConfig(batch_size=100)
    assert config.validate() is config
    assert config.validate(200, 2) is config
    with pytest.raises(errors.ConfigError) as conv_error:
        config.validate(150, workers=2)
    assert str(conv_error.value) == \
        "--batch_size=100 x 2 workers is larger than the training set (150 examples)"
    with pytest.raises(errors.ConfigError, match=r"^--batch_size=100 is larger than the "
                                                 r"training set \(99 examples\)$"):
        config.validate(99)

    resolved = gdl.GdlConfig(model="nn", batch_size=100).validate()
    assert (resolved.steps, resolved.learning_rate, resolved.keep_prob) == (3001, 0.5, 1.0)
    assert gdl.GdlConfig(model="nn", batch_size=100).validate(201, 2) == resolved
    with pytest.raises(errors.ConfigError, match="needs at least 201 training examples; the "
                                                 "training set has 150"):
        gdl.GdlConfig(model="nn", batch_size=100).validate(150, workers=2)
