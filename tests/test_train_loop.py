"""compat.train.loop, the training-loop skeleton, driven by a recording
``Steps`` on a small program: the hooks are called with the right steps,
summaries and checkpoints land on the scheduled steps, and a resumed run
continues from its checkpoint with the loop state it saved."""

import glob
import io
import os
import time

import numpy as np
from tensorboard.backend.event_processing import event_file_loader

from compat.train import loop
from tf1_examples import gdl

STEPS, BATCH = 6, 8


def tiny_data(seed=0):
    rng = np.random.RandomState(seed)

    def split(n):
        labels = rng.randint(0, 10, size=n)
        return (rng.uniform(-0.5, 0.5, size=(n, 784)).astype(np.float32),
                (np.arange(10) == labels[:, None]).astype(np.float32))
    return gdl.GdlData(*split(64), *split(16), *split(16))


class Recording(loop.Steps):
    name = "recording"
    graph_in_events = True
    start_message = "Started"

    def __init__(self, program, config, data, num_steps):
        self.config, self.data, self.model = config, data, program.model
        self.fetches = [self.model.train_op, self.model.loss]
        self.num_steps = num_steps
        self.summary_steps = {2, 6}
        self.feeds, self.updates, self.restored, self.finished = [], [], None, None

    def loop_state(self):
        return {"feeds": list(self.feeds)}

    def restore(self, state):
        self.restored = state

    def feed(self, done):
        self.feeds.append(done)
        images, labels = gdl.batch(self.config, self.data, done)
        return {self.model.train_inputs: images, self.model.train_labels: labels}

    def after_update(self, session, results, before, after, clock):
        assert len(results) == 2 and np.isfinite(results[1])
        self.updates.append((before, after))

    def finish(self, session, chief):
        self.finished = chief
        return 0.25


def events(run_dir):
    """(step, what) of every event written, what being a summary tag,
    "graph" or "session_log"."""
    found = []
    for path in sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))):
        for event in event_file_loader.LegacyEventFileLoader(path).Load():
            if event.HasField("graph_def"):
                found.append((event.step, "graph"))
            elif event.HasField("session_log"):
                found.append((event.step, "session_log"))
            for value in event.summary.value:
                found.append((event.step, value.tag))
    return found


def train(run_dir, num_steps, resume=False):
    data = tiny_data()
    config = gdl.GdlConfig(model="logreg_sgd", steps=STEPS, batch_size=BATCH, display_step=1,
                           checkpoint_every=3, seed=1).validate(64)
    program = gdl.build(config, data, run_dir)
    steps = Recording(program, config, data, num_steps)
    out = io.StringIO()
    outcome = loop.train(program, steps, config, run_dir, out, resume=resume)
    return steps, outcome, out.getvalue()


def test_a_run_calls_each_hook_with_its_steps_and_writes_on_schedule(tmp_path):
    run_dir = str(tmp_path)
    steps, outcome, text = train(run_dir, 4)
    assert text == "Started\n"
    assert steps.feeds == [0, 1, 2, 3]
    assert steps.updates == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert steps.finished is True and steps.restored is None
    assert (outcome.step, outcome.updates, outcome.test_accuracy) == (4, 4, 0.25)
    assert outcome.diagnostics is None
    assert set(outcome.step_ms) == {"plain", "summary"}
    # Step 0 (the initial weights) and summary step 2; the last summary
    # step (6) is not reached.
    written = events(run_dir)
    assert [step for step, tag in written if tag == "train/loss"] == [2]
    assert [step for step, tag in written if tag == "layer1/weights/image"] == [0, 2]
    assert [what for _, what in written].count("graph") == 1
    # Checkpoints at step 0, every 3 steps and at the end, the newest two kept.
    assert sorted(int(path.rsplit("-", 1)[1].split(".")[0]) for path in
                  glob.glob(os.path.join(run_dir, "model.ckpt-*.index"))) == [3, 4]

    # The event file's name holds the second it was opened: a resume in the
    # same second would reopen (and truncate) the first run's file.
    time.sleep(1.1)
    resumed, outcome, text = train(run_dir, STEPS, resume=True)
    assert text == "Resumed from %s at step 4 of 6\n" % os.path.join(run_dir, "model.ckpt-4")
    assert resumed.restored == {"feeds": [0, 1, 2, 3]}
    assert resumed.feeds == [4, 5]
    assert resumed.updates == [(4, 5), (5, 6)]
    assert (outcome.step, outcome.updates) == (6, 2)
    written = events(run_dir)
    assert [step for step, tag in written if tag == "train/loss"] == [2, 6]
    # No second graph; TensorBoard is told the run restarted after step 4.
    assert [what for _, what in written].count("graph") == 1
    assert (5, "session_log") in written
