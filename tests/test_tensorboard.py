"""The real TensorBoard on a short run's log directory: its HTTP API serves
every kernel image, scripts/export_images.py writes the same PNGs, and
scripts/screenshot_tensorboard.py shows the image cards in headless Chromium.

One short conv run (6 steps, a summary every 2) is shared by all tests."""

import glob
import io
import os
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from compat.util import errors
from compat.tensorboard import event_images
from compat.tensorboard import kernel_grid
from compat.tensorboard import server as tensorboard_server
from conftest import write_mnist_dir
from tf1_examples import conv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS, SUMMARY_EVERY = 6, 2
KERNEL, PAD, NUM_KERNELS = 5, 1, 32  # the first conv layer: 32 kernels of 5x5


def run_script(name, *args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, os.path.join(ROOT, "scripts", name), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    data = tmp_path_factory.mktemp("mnist")
    write_mnist_dir(data, n_train=80, n_test=20)
    logs = tmp_path_factory.mktemp("runs")
    result = run_script("run.py", "--model=conv", "--data_dir=%s" % data,
                        "--validation_size=10", "--steps=%d" % STEPS,
                        "--summary_every=%d" % SUMMARY_EVERY, "--batch_size=16", "--seed=1",
                        "--logdir=%s" % logs)
    assert result.returncode == 0, result.stderr
    return logs


@pytest.fixture(scope="module")
def events(logdir):
    """{(run, tag): [ImageEvent]} as TensorBoard's own event reader sees them."""
    return event_images.read_images(str(logdir))


def expected_grid_size():
    """(width, height) of the kernel grid image of the first conv layer."""
    grid_y, grid_x = kernel_grid.grid_shape(NUM_KERNELS)
    tile = KERNEL + 2 * PAD
    return grid_x * tile, grid_y * tile


def _port_is_free(port):
    with socket.socket() as client:
        client.settimeout(2)
        refused = client.connect_ex((tensorboard_server.HOST, port)) != 0
    with socket.socket() as listener:
        # Our own requests may leave TIME_WAIT entries; those do not hold the port.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((tensorboard_server.HOST, port))
    return refused


def _process_is_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _check_images_of(url, run, tag, events):
    entries = tensorboard_server.get_json(url, "/data/plugin/images/images", run=run,
                                          tag=tag, sample=0)
    assert [entry["step"] for entry in entries] == conv.summary_steps(STEPS, SUMMARY_EVERY)
    declared = {event.step: event for event in events[(run, tag)]}
    for entry in entries:
        png = tensorboard_server.get_bytes(
            url, "/data/plugin/images/individualImage?" + entry["query"])
        picture = Image.open(io.BytesIO(png))
        assert picture.format == "PNG"
        event = declared[entry["step"]]
        assert picture.size == (event.width, event.height)
        assert picture.size == expected_grid_size() == (56, 28)
        assert png == event.encoded_image_string


def test_server_serves_every_image_of_every_summary_step(logdir, events):
    with tensorboard_server.serve(logdir) as url:
        runs = tensorboard_server.get_json(url, "/data/runs")
        image_tags = tensorboard_server.get_json(url, "/data/plugin/images/tags")
        scalar_tags = tensorboard_server.get_json(url, "/data/plugin/scalars/tags")
        assert len(runs) == 1
        run = runs[0]
        assert set(image_tags) == {run} and image_tags[run]
        assert "train/loss" in scalar_tags[run]
        assert {(run, tag) for tag in image_tags[run]} == set(events)
        for tag in image_tags[run]:
            _check_images_of(url, run, tag, events)
        pid, port = url.pid, url.port
    assert _process_is_gone(pid)
    assert _port_is_free(port)


def test_server_refuses_zero_samples_and_reports_a_failed_start(logdir):
    with pytest.raises(ValueError, match="images=0 makes TensorBoard 2.21 serve no images"):
        with tensorboard_server.serve(logdir, samples_per_plugin="images=0"):
            pass
    with pytest.raises(tensorboard_server.ServerError) as failure:
        with tensorboard_server.serve(logdir, samples_per_plugin="images=many"):
            pass
    assert "exited with status 2 before serving" in str(failure.value)
    assert "samples_per_plugin" in str(failure.value).splitlines()[-1]


def _png_name(out, run, tag, step):
    return os.path.join(str(out), run, "%s-step_%06d.png" % (tag.replace("/", "_"), step))


def test_export_writes_each_image_as_the_event_holds_it(logdir, events, tmp_path):
    out = tmp_path / "png"
    result = run_script("export_images.py", logdir, "--out=%s" % out)
    assert result.returncode == 0, result.stderr
    expected = {_png_name(out, run, tag, event.step): event.encoded_image_string
                for (run, tag), tag_events in events.items() for event in tag_events}
    assert len(expected) == len(events) * len(conv.summary_steps(STEPS, SUMMARY_EVERY))
    assert result.stdout.strip() == "%d PNG files written under %s" % (len(expected), out)
    written = glob.glob(str(out / "**" / "*"), recursive=True)
    assert sorted(p for p in written if os.path.isfile(p)) == sorted(expected)
    for path, data in expected.items():
        with open(path, "rb") as png:
            assert png.read() == data
        assert Image.open(path).format == "PNG"


def test_export_defaults_to_logdir_images_and_filters_tags(logdir, events, tmp_path):
    copy = tmp_path / "runs"
    shutil.copytree(logdir, copy)
    (run, tag) = sorted(events)[0]
    result = run_script("export_images.py", copy, "--tags=%s,no/such/tag" % tag)
    assert result.returncode == 0, result.stderr
    written = sorted(glob.glob(str(copy / "images" / "**" / "*.png"), recursive=True))
    assert written == sorted(_png_name(copy / "images", run, tag, step)
                             for step in conv.summary_steps(STEPS, SUMMARY_EVERY))


def test_export_scale_enlarges_pixels_into_blocks(logdir, events, tmp_path):
    (run, tag) = sorted(events)[0]
    result = run_script("export_images.py", logdir, "--out=%s" % tmp_path, "--tags=%s" % tag,
                        "--scale=3")
    assert result.returncode == 0, result.stderr
    event = events[(run, tag)][-1]
    original = np.array(Image.open(io.BytesIO(event.encoded_image_string)))
    big = np.array(Image.open(_png_name(tmp_path, run, tag, event.step)))
    assert big.shape[:2] == (3 * original.shape[0], 3 * original.shape[1])
    np.testing.assert_array_equal(big[::3, ::3], original)
    np.testing.assert_array_equal(big[2::3, 2::3], original)
    bad = run_script("export_images.py", logdir, "--out=%s" % tmp_path, "--scale=0")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1


def _scalars_only_logdir(directory):
    from tensorboard.compat.proto import event_pb2
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(directory / "run"))
    value = summary_pb2.Summary.Value(tag="train/loss", simple_value=1.0)
    writer.add_event(event_pb2.Event(step=1, wall_time=time.time(),
                                     summary=summary_pb2.Summary(value=[value])))
    writer.close()
    return directory


@pytest.mark.parametrize("kind, message", [
    ("missing", "no such log directory: "),
    ("scalars_only", " holds no image summaries"),
])
def test_export_bad_logdir_is_one_line_and_writes_nothing(tmp_path, kind, message):
    logdir = tmp_path / "logs"
    if kind == "scalars_only":
        _scalars_only_logdir(logdir)
    out = tmp_path / "png"
    result = run_script("export_images.py", logdir, "--out=%s" % out)
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert err[0].startswith("export_images.py: error: ") and message in err[0]
    assert str(logdir) in err[0]
    assert not out.exists()


def test_export_images_of_an_empty_directory_is_a_data_error(tmp_path):
    with pytest.raises(errors.DataError, match="holds no event files"):
        event_images.export_images(str(tmp_path), str(tmp_path / "png"))
    assert not (tmp_path / "png").exists()


@pytest.fixture(scope="module")
def chromium():
    """Module-scoped so that, listed first, it skips before the run is made."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("no Chromium: install Debian's chromium package "
                    "(apt-get install -y chromium)")
    return path


def test_screenshot_shows_the_image_cards(chromium, logdir, tmp_path):
    shot = tmp_path / "shots" / "tensorboard.png"
    result = run_script("screenshot_tensorboard.py", logdir, "--out=%s" % shot,
                        "--width=1200", "--height=800", "--chromium=%s" % chromium)
    assert result.returncode == 0, result.stderr
    assert not glob.glob(str(shot) + ".part*")
    picture = Image.open(shot)
    assert picture.format == "PNG" and picture.size == (1200, 800)
    grey = picture.convert("L")
    colours = grey.getcolors(256)
    assert len(colours) > 20  # a rendered page, not a blank one
    # The kernel grid's black padding: the page itself has almost no pure
    # black, so this many dark pixels means the image card was drawn.
    assert sum(count for count, level in colours if level < 20) > 5000
