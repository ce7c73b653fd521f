"""Import TensorFlow without its start-up banner on stderr.

TensorFlow 2.21's C++ layer writes a few INFO lines at import ("All log
messages before absl::InitializeLog() ...", the oneDNN notice, "Could not find
cuda drivers") before any log level is read, so ``TF_CPP_MIN_LOG_LEVEL``
cannot hide them.  They bury a program's own output and turn every one-line
error into seven.  This module captures file descriptor 2 while TensorFlow
loads and replays everything except those known lines, so real errors still
show.  Scripts call it before anything else imports TensorFlow.
"""

import os
import re
import sys
import tempfile

_BANNER = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|\] oneDNN custom operations are on"
    r"|\] Could not find cuda drivers on your machine"
    r"|\] failed call to cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|computation placer already registered"
    r"|TensorFlow binary is optimized to use available CPU instructions"
    r"|rebuild TensorFlow with the appropriate compiler flags")


def import_tensorflow():
    """Import and return ``tensorflow`` with the banner filtered out."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow
            # Device discovery (the CUDA probe) logs its own failure once.
            tensorflow.config.list_physical_devices()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines(True):
                if not _BANNER.search(line):
                    sys.stderr.write(line)
            sys.stderr.flush()
    return tensorflow
