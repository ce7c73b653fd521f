"""Writing files so that they are either complete or absent.

Every file the project writes for a user (outputs of the upgrader, reports,
logs' JSON, exported images, caches) goes through here: the bytes go to a
``.part`` file beside the target, which replaces the target only once it is
complete.  A crash, a full disk or Ctrl-C leaves the old file (or none), never
a half-written one that a later run would trust.
"""

import contextlib
import os


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; when the block ends normally it
    replaces ``path``, otherwise it is removed."""
    path = os.fspath(path)
    # The pid keeps two concurrent writers from sharing a .part file.
    part = "%s.%d.part" % (path, os.getpid())
    try:
        yield part
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(part)
        raise


def write_bytes(path, data):
    with replacing(path) as part:
        with open(part, "wb") as f:
            f.write(data)


def write_text(path, text, encoding="utf-8", newline=None):
    with replacing(path) as part:
        with open(part, "w", encoding=encoding, newline=newline) as f:
            f.write(text)
