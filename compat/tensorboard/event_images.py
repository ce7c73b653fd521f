"""Export the image summaries of a TensorBoard log directory as PNG files.

    paths = event_images.export_images("runs", "runs/images")

The log directory may be one run (event files directly in it) or several
(subdirectories with event files, as ``scripts/run.py`` writes them).  The
events are read with TensorBoard's own reader (``EventMultiplexer``), keeping
every image (``size_guidance`` 0 = keep all; its default keeps 4 per tag), so
the files are exactly what TensorBoard would show.  Each image summary already
holds an encoded PNG; it is written as it is, not decoded and re-encoded.

File names: ``<out_dir>/<run>/<tag with '/' -> '_'>-step_<step:06d>.png``.
Only TF1-style image summaries (``tf.compat.v1.summary.image``, what the
project and TF 0.x/1.x programs write) are exported.
"""

import io
import os

from compat.util import atomic
from compat.util import errors

_KEEP_ALL = 0


def _multiplexer(logdir):
    # Imported here, not at the top: the reader imports TensorFlow, which a
    # script imports first through compat.util.quiet_import to hide its banner.
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.backend.event_processing import event_multiplexer

    multiplexer = event_multiplexer.EventMultiplexer(
        size_guidance={event_accumulator.IMAGES: _KEEP_ALL})
    multiplexer.AddRunsFromDirectory(os.fspath(logdir))
    multiplexer.Reload()
    return multiplexer


def read_images(logdir, tags=None):
    """``{(run, tag): [ImageEvent, ...]}`` for every image tag of every run
    (only ``tags`` when given), events in step order, one per step.

    Raises DataError when ``logdir`` is missing or holds no such images.
    """
    if not os.path.isdir(logdir):
        raise errors.DataError("no such log directory: %s" % logdir, path=logdir)
    multiplexer = _multiplexer(logdir)
    found = {}
    for run, run_tags in sorted(multiplexer.Runs().items()):
        for tag in sorted(run_tags.get("images", [])):
            if tags is None or tag in tags:
                found[(run, tag)] = _one_per_step(multiplexer.Images(run, tag))
    if not found:
        raise errors.DataError(_nothing_found(logdir, tags, multiplexer), path=logdir)
    return found


def _one_per_step(events):
    # A restarted run can log a step twice; the later image is the one that
    # stands, as it does in TensorBoard's slider.
    by_step = {event.step: event for event in events}
    return [by_step[step] for step in sorted(by_step)]


def _nothing_found(logdir, tags, multiplexer):
    available = sorted({tag for run_tags in multiplexer.Runs().values()
                        for tag in run_tags.get("images", [])})
    if not multiplexer.Runs():
        return "%s holds no event files" % logdir
    if tags is None or not available:
        return "%s holds no image summaries" % logdir
    return ("%s holds no image summaries tagged %s (its image tags: %s)"
            % (logdir, ", ".join(sorted(tags)), ", ".join(available)))


def image_path(out_dir, run, tag, step):
    """Where the image of ``tag`` at ``step`` of ``run`` is written."""
    name = "%s-step_%06d.png" % (tag.replace("/", "_"), step)
    return os.path.normpath(os.path.join(out_dir, run, name))


def enlarged(png, scale):
    """``png`` (bytes) with every pixel repeated ``scale`` times each way: a
    5x5 kernel stays a crisp block in a document instead of a blur."""
    if scale == 1:
        return png
    from PIL import Image
    image = Image.open(io.BytesIO(png))
    out = io.BytesIO()
    image.resize((image.width * scale, image.height * scale), Image.NEAREST).save(out, "PNG")
    return out.getvalue()


def export_images(logdir, out_dir, tags=None, scale=1):
    """Write every image summary under ``logdir`` as a PNG under ``out_dir``;
    return the written paths (runs, tags and steps in order).

    ``tags``: an iterable of tag names to export (default: all).  ``scale``:
    an integer enlargement (nearest neighbour); 1 writes the event's PNG
    bytes unchanged.  Raises DataError when there is nothing to export;
    nothing is written then.
    """
    if scale < 1:
        raise errors.ConfigError("scale must be a positive integer, got %r" % scale)
    images = read_images(logdir, None if tags is None else set(tags))
    written = []
    for (run, tag), events in images.items():
        for event in events:
            path = image_path(out_dir, run, tag, event.step)
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            atomic.write_bytes(path, enlarged(event.encoded_image_string, scale))
            written.append(path)
    return written
