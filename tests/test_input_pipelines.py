"""TF 1.x-era input pipelines (issue 16): a tiny TFRecord file written with
``tf.python_io.TFRecordWriter`` and read back by queue runners
(``string_input_producer``, ``TFRecordReader``, ``parse_single_example``,
``shuffle_batch``, ``Coordinator``, ``start_queue_runners``) and by
``tf.data`` iterators taken as methods (``make_one_shot_iterator()``,
``make_initializable_iterator()``), run through the runner and upgraded then
run with plain python.  All of it is still in ``tf.compat.v1`` with its
meaning; these tests keep it so."""

import pytest

from era_run import last_json, through_runner, upgraded

PROGRAM = r'''
# A TF 1.x-era (2017-2018) input pipeline: a TFRecord file written with
# tf.python_io, read back by queue runners and by tf.data iterators.
import json
import numpy as np
import tensorflow as tf

N = 10
writer = tf.python_io.TFRecordWriter("records.tfrecord")
for i in range(N):
    example = tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i / 2., -i])),
    }))
    writer.write(example.SerializeToString())
writer.close()
FEATURES = {"label": tf.FixedLenFeature([], tf.int64), "x": tf.FixedLenFeature([2], tf.float32)}
out = {"iterated": sum(1 for _ in tf.python_io.tf_record_iterator("records.tfrecord"))}

# Queue runners: one epoch, shuffled in batches of 4 (the last one smaller).
filename_queue = tf.train.string_input_producer(["records.tfrecord"], num_epochs=1,
                                                shuffle=False)
reader = tf.TFRecordReader()
_, serialized = reader.read(filename_queue)
parsed = tf.parse_single_example(serialized, features=FEATURES)
labels, xs = tf.train.shuffle_batch([parsed["label"], parsed["x"]], batch_size=4,
                                    capacity=20, min_after_dequeue=2, num_threads=1, seed=7,
                                    allow_smaller_final_batch=True)
with tf.Session() as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    batches = []
    try:
        while not coord.should_stop():
            batches.append([a.tolist() for a in sess.run([labels, xs])])
    except tf.errors.OutOfRangeError:
        pass
    finally:
        coord.request_stop()
    coord.join(threads)
out["queue_batch_sizes"] = sorted(len(b[0]) for b in batches)
out["queue_records"] = sorted([l, x] for b in batches for l, x in zip(*b))


def parse(record):
    features = tf.parse_single_example(record, features=FEATURES)
    return features["label"], features["x"]


# tf.data, one-shot: every record in file order, batched by 4.
dataset = tf.data.TFRecordDataset(["records.tfrecord"]).map(parse).batch(4)
next_label, next_x = dataset.make_one_shot_iterator().get_next()
# tf.data, initializable: from a placeholder, run twice with different feeds.
values = tf.placeholder(tf.float32, [None])
squares = tf.data.Dataset.from_tensor_slices(values).map(lambda v: v * v)
iterator = squares.make_initializable_iterator()
next_square = iterator.get_next()
with tf.Session() as sess:
    one_shot = []
    while True:
        try:
            label, x = sess.run([next_label, next_x])
        except tf.errors.OutOfRangeError:
            break
        one_shot.append([label.tolist(), x.tolist()])
    out["one_shot"] = one_shot
    feeds = []
    for feed in ([1., 2., 3.], [4., -5.]):
        sess.run(iterator.initializer, {values: feed})
        got = []
        try:
            while True:
                got.append(float(sess.run(next_square)))
        except tf.errors.OutOfRangeError:
            feeds.append(got)
    out["initializable"] = feeds
print(json.dumps(out))
'''

N = 10
RECORDS = [[i, [i / 2., -float(i)]] for i in range(N)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    runner_out, runner_err = through_runner(tmp_path_factory.mktemp("runner"), PROGRAM)
    result, upgraded_out = upgraded(tmp_path_factory.mktemp("upgraded"), PROGRAM)
    return {"runner": runner_out, "runner_err": runner_err, "upgraded": upgraded_out,
            "result": result}


@pytest.fixture(scope="module", params=["runner", "upgraded"])
def out(runs, request):
    return last_json(runs[request.param])


def test_writer_wrote_every_record(out):
    assert out["iterated"] == N


def test_queue_runners_return_each_record_once(out):
    # Shuffled: compared as a set, and each record exactly once in one epoch.
    assert out["queue_records"] == RECORDS
    assert out["queue_batch_sizes"] == [2, 4, 4]


def test_one_shot_iterator_in_file_order(out):
    batches = [RECORDS[i:i + 4] for i in range(0, N, 4)]
    assert out["one_shot"] == [[[r[0] for r in b], [r[1] for r in b]] for b in batches]


def test_initializable_iterator_reinitialised_with_a_new_feed(out):
    assert out["initializable"] == [[1., 4., 9.], [16., 25.]]


def test_runner_and_upgraded_agree_and_nothing_needed_mapping(runs):
    assert runs["runner"] == runs["upgraded"]
    # Every name is served by tf.compat.v1 itself: the runner maps nothing,
    # the upgrader only switches the import.
    assert "tf1-compat:" not in runs["runner_err"]
    assert {c.name for c in runs["result"].changes} == {"tensorflow", "disable_v2_behavior"}
    assert not runs["result"].flags
