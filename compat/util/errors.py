"""Exceptions the project raises for a user's mistake or a bad data file.

Every one of them derives from :class:`UserError`, the one thing each
command-line script catches to print ``prog: error: <message>`` and exit
non-zero; anything else is a bug and keeps its traceback.  Messages are
folded onto one line here, whatever the caller (or an underlying OS/network
error) put into them.
"""


def _one_line(message):
    return " ".join(str(message).split())


class UserError(Exception):
    """Bad input from the person running a tool: a flag, a file, a data set,
    a machine without what was asked for.  ``str(err)`` is one line."""

    def __init__(self, message=""):
        super().__init__(_one_line(message))


class DataError(UserError, ValueError):
    """A data file is bad: wrong format, truncated, inconsistent contents.

    Subclassing ValueError keeps ``except ValueError`` in old programs working.
    """

    def __init__(self, message, path=None):
        super().__init__(_one_line(message))
        self.path = path

    @classmethod
    def bad_file(cls, path, problem):
        """The usual form: the message starts with the offending file."""
        return cls(f"{path}: {problem}", path=path)


class DataUnavailableError(DataError):
    """Data files are missing and could not be downloaded."""

    @classmethod
    def missing_files(cls, directory, missing, url, reason, flag_hint="--data_dir"):
        names = ", ".join(missing)
        err = cls(
            f"data files missing from {directory}: {names}; "
            f"downloading {url} failed: {reason}; "
            f"pass {flag_hint}=DIR pointing at a directory that holds them",
            path=directory,
        )
        err.missing = list(missing)
        err.url = url
        return err


class ConfigError(UserError, ValueError):
    """A setting is out of range or names nothing (a flag value, a data set
    size, a model name).  The scripts print these on one line; any other
    ValueError is a bug and keeps its traceback."""


class LegacyError(UserError, RuntimeError):
    """A legacy call that has no safe modern form: the runner stops the
    program with this one line (what the call was, what to do instead)."""
