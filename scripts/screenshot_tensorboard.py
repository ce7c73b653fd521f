"""Take a screenshot of TensorBoard showing a log directory, without a display.

    python scripts/screenshot_tensorboard.py runs --out=tensorboard.png [--tab=images]
        [--width=1400 --height=1000] [--tag_filter=conv1] [--chromium=/usr/bin/chromium]

Starts the real TensorBoard server on the log directory (compat.tensorboard.server,
every image kept), opens ``http://127.0.0.1:PORT/#<tab>`` in headless Chromium
(Debian's ``chromium`` package) and writes what it shows as a PNG.  The page
is a single-page app that fetches its data after loading; Chromium's virtual
time budget lets it finish those fetches and draw the image cards before the
shot.  ``--tag_filter`` fills the dashboard's tag filter (a regular
expression): the Images tab then lists the matching cards first, under "Tags
matching /REGEX/", the Time Series tab shows only those.
"""

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse


from absl import app
from absl import flags

from compat.util import cli
from compat.tensorboard import server as tensorboard_server
from compat.util import errors

FLAGS = flags.FLAGS
flags.DEFINE_string("out", None, "PNG file to write the screenshot to.")
flags.DEFINE_string("tab", "images", "TensorBoard tab (dashboard) to show: images, "
                    "timeseries, scalars, graphs, ...")
flags.DEFINE_integer("width", 1400, "Browser window width in pixels.", lower_bound=100)
flags.DEFINE_integer("height", 1000, "Browser window height in pixels.", lower_bound=100)
flags.DEFINE_string("tag_filter", None, "Regular expression for the dashboard's tag filter.")
flags.DEFINE_string("chromium", None, "Chromium executable (default: chromium on PATH).")
# Virtual time runs as fast as the page lets it (a 30 s budget takes about a
# second): 10 s is enough for the Images tab, the Time Series tab with a tag
# filter drew its image card only after more than 20 s.
flags.DEFINE_integer("budget_ms", 30000, "Virtual time the page gets to load and draw "
                     "before the shot, in milliseconds.", lower_bound=0)
flags.DEFINE_integer("timeout", 120, "Seconds to wait for TensorBoard to start and for "
                     "Chromium to finish, each.", lower_bound=1)
flags.mark_flag_as_required("out")

_fail = functools.partial(cli.fail, "screenshot_tensorboard.py")

# Headless without a sandbox (root in a container), with nothing that would
# reach the internet or a profile outside the temporary one.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run",
                  "--hide-scrollbars")
_TAB = re.compile(r"^[a-z][a-z0-9_-]*$")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ScreenshotError(errors.UserError, RuntimeError):
    pass


def find_chromium(path=None):
    """The Chromium executable, or ScreenshotError saying how to install it."""
    found = shutil.which(path or "chromium")
    if not found:
        raise ScreenshotError(
            "%s not found; install Debian's chromium package: apt-get install -y chromium"
            % (path or "chromium"))
    return found


def page_url(base_url, tab, tag_filter=None):
    """The dashboard's address.  The tag filter goes in twice: the Polymer
    dashboards (images, scalars, ...) read it from the fragment, the Angular
    Time Series tab from the query string; each ignores the other."""
    if not tag_filter:
        return "%s/#%s" % (base_url, tab)
    quoted = urllib.parse.quote(tag_filter, safe="")
    return "%s/?tagFilter=%s#%s&tagFilter=%s" % (base_url, quoted, tab, quoted)


def chromium_command(chromium, url, shot, width, height, budget_ms, profile):
    return [chromium, *CHROMIUM_FLAGS, "--user-data-dir=%s" % profile,
            "--window-size=%d,%d" % (width, height),
            "--virtual-time-budget=%d" % budget_ms, "--screenshot=%s" % shot, url]


def _run(argv, timeout):
    """Run Chromium in its own session so a timeout ends its helper processes
    (zygote, renderer) too, not just the browser process."""
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The browser is not reaped yet, so its group id still names only
        # the processes it started.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ScreenshotError("chromium did not finish within %d s" % timeout) from None
    return process.returncode, stderr


def _last_error(stderr):
    # Chromium always complains about D-Bus in a container; that is not why it failed.
    lines = [line for line in stderr.splitlines() if line.strip() and "dbus" not in line]
    return lines[-1] if lines else "no output"


def screenshot(chromium, url, out, width, height, budget_ms, timeout):
    """Write the page at ``url`` to ``out`` as a PNG, atomically."""
    # Chromium picks the format from the extension, so the partial file ends in .png.
    part = out + ".part.png"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        code, stderr = _run(chromium_command(chromium, url, part, width, height,
                                             budget_ms, profile), timeout)
    try:
        with open(part, "rb") as shot:
            is_png = shot.read(len(_PNG_MAGIC)) == _PNG_MAGIC
    except FileNotFoundError:
        is_png = False
    if code != 0 or not is_png:
        with contextlib.suppress(FileNotFoundError):
            os.remove(part)
        raise ScreenshotError("chromium wrote no screenshot (exit status %d): %s"
                              % (code, _last_error(stderr)))
    os.replace(part, out)


def main(argv):
    if len(argv) != 2:
        return _fail("usage: screenshot_tensorboard.py LOGDIR --out=PNG [--tab=images]", 2)
    logdir = argv[1]
    if not os.path.isdir(logdir):
        return _fail("no such log directory: %s" % logdir)
    if not _TAB.match(FLAGS.tab):
        return _fail("--tab must be a dashboard name such as images or scalars, got %r"
                     % FLAGS.tab, 2)
    out = os.path.abspath(FLAGS.out)
    try:
        chromium = find_chromium(FLAGS.chromium)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with tensorboard_server.serve(logdir, timeout=FLAGS.timeout) as base_url:
            url = page_url(base_url, FLAGS.tab, FLAGS.tag_filter)
            screenshot(chromium, url, out, FLAGS.width, FLAGS.height, FLAGS.budget_ms,
                       FLAGS.timeout)
    except (ScreenshotError, tensorboard_server.ServerError) as err:
        return _fail(err)
    except OSError as err:
        return _fail("cannot write %s: %s" % (out, err.strerror or err))
    print("%s: TensorBoard's %s tab at %dx%d" % (out, FLAGS.tab, FLAGS.width, FLAGS.height))
    return 0


def run():
    """Console-script entry point."""
    app.run(main, flags_parser=cli.flags_parser("screenshot_tensorboard.py"))


if __name__ == "__main__":
    run()
