"""What every training program's config shares: the part each field plays
when a run is resumed, and the checks of the settings all of them have.

A config is a dataclass.  Each field says, in its metadata (``field``),
whether it defines the run, so that ``compat.train.run_record`` can derive
what a run's record saves and what ``--resume`` restores instead of keeping
a hand list: a field without metadata defines the run, so a new field is
restored on resume unless someone decides otherwise.

Nothing here knows about command-line flags beyond their names: a field's
flag is its name unless the metadata says otherwise.
"""

import dataclasses

from compat.util import errors

# The part a field plays on resume.
DEFINES = "defines"    # saved with the run; a resumed run takes it and refuses another value
LOCATION = "location"  # saved; a resumed run takes it unless given again: where files
                       # are, not what the run computes
FREE = "free"          # not saved: how the run shows or where it runs, free to change
SEED = "seed"          # saved on its own, next to the settings
ROLES = (DEFINES, LOCATION, FREE, SEED)


def field(default, resume=DEFINES, flag=None):
    """A dataclass field with ``default``, its part on ``resume`` (one of the
    constants above) and, when it differs from the field's name, its
    ``flag``."""
    if resume not in ROLES:
        raise ValueError("unknown resume role %r" % (resume,))
    metadata = {"resume": resume}
    if flag is not None:
        metadata["flag"] = flag
    return dataclasses.field(default=default, metadata=metadata)


def flag_name(config_field):
    """The command-line name of a config field (a ``dataclasses.Field``)."""
    return config_field.metadata.get("flag", config_field.name)


def resume_role(config_field):
    """The part a config field plays on resume (``DEFINES`` unless said)."""
    return config_field.metadata.get("resume", DEFINES)


def check_training(steps, batch_size, display_step, summary_every, checkpoint_every,
                   learning_rate, keep_prob):
    """The checks every training config makes, in this order; raises
    ``ConfigError`` naming the flag.  ``steps`` None: not set (the config
    counts its steps otherwise); ``keep_prob`` is the dropout flag's value."""
    named = (("steps", steps),) if steps is not None else ()
    for name, value in named + (("batch_size", batch_size), ("display_step", display_step),
                                ("summary_every", summary_every)):
        if value < 1:
            raise errors.ConfigError("--%s must be a positive integer, got %r" % (name, value))
    if not learning_rate > 0:
        raise errors.ConfigError("--learning_rate must be positive, got %r" % learning_rate)
    if not 0.0 < keep_prob <= 1.0:
        raise errors.ConfigError("--dropout is a keep probability and must be in (0, 1], "
                                 "got %r" % keep_prob)
    if checkpoint_every < 0:
        raise errors.ConfigError("--checkpoint_every must be >= 0 (0: no periodic "
                                 "checkpoints), got %r" % checkpoint_every)
