"""tf.contrib's training-side families, served by the table
(compat/api/names/contrib.py): contrib.losses, contrib.training
(create_train_op, HParams), contrib.metrics (streaming_*), contrib.lookup,
contrib.crf, contrib.seq2seq, contrib.summary, contrib.learn's text and CSV data sets, legacy_seq2seq, contrib.tfprof, contrib.tensorboard's projector, contrib.layers.embed_sequence, contrib.image, contrib.keras.initializers, contrib.rnn.LSTMBlockCell, contrib.learn.ModeKeys, contrib.framework.nest and
contrib.util.  A 2018-style program using them runs through the runner and,
upgraded, on plain Python; both print the same numbers, and those are the
numbers worked out here with numpy from each function's TF 1.x
documentation."""

import numpy as np
import pytest

import era_run

PROGRAM = '''
import json
import os
import sys
import numpy as np
import tensorflow as tf
from tensorflow.contrib import lookup
from tensorflow.contrib.tensorboard.plugins import projector

out = {}
hparams = tf.contrib.training.HParams(learning_rate=0.1, hidden=[4, 2], use_bias=True)
hparams.parse("learning_rate=0.5,hidden=[3,3]")
out["hparams"] = [hparams.learning_rate, hparams.hidden, hparams.use_bias]
out["modes"] = [tf.contrib.learn.ModeKeys.TRAIN, tf.contrib.learn.ModeKeys.EVAL,
                tf.contrib.learn.ModeKeys.INFER]

# contrib.losses: (logits, onehot_labels), the order before tf.losses.
x = tf.constant([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
labels = tf.constant([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
w = tf.Variable([[0.5, -0.5], [0.25, 1.0]], name="w")
logits = tf.matmul(x, w)
loss = tf.contrib.losses.softmax_cross_entropy(logits, labels)
total = tf.contrib.losses.get_total_loss(add_regularization_losses=False)
global_step = tf.train.get_or_create_global_step()
train_op = tf.contrib.training.create_train_op(
    loss, tf.train.GradientDescentOptimizer(hparams.learning_rate), global_step=global_step)

# contrib.metrics: (predictions, labels), accumulated over two batches.
pred = tf.placeholder(tf.int64, [None])
truth = tf.placeholder(tf.int64, [None])
acc, acc_update = tf.contrib.metrics.streaming_accuracy(pred, truth)
mean, mean_update = tf.contrib.metrics.streaming_mean(tf.cast(pred, tf.float32))

table = lookup.HashTable(
    lookup.KeyValueTensorInitializer(tf.constant(["cat", "dog"]), tf.constant([3, 5], tf.int64)),
    -1)
vocab = tf.contrib.lookup.index_table_from_tensor(tf.constant(["a", "b", "c"]), default_value=9)
found = table.lookup(tf.constant(["dog", "emu", "cat"]))
ids = vocab.lookup(tf.constant(["c", "zz", "a"]))

potentials = np.array([[1.0, 0.0], [0.0, 2.0], [1.5, 0.0]], np.float32)
transitions = np.array([[0.0, -3.0], [1.0, 0.0]], np.float32)
out["viterbi"] = [int(t) for t in tf.contrib.crf.viterbi_decode(potentials, transitions)[0]]
out["viterbi_score"] = float(tf.contrib.crf.viterbi_decode(potentials, transitions)[1])
tiled = tf.contrib.seq2seq.tile_batch(tf.constant([[1, 2], [3, 4]]), multiplier=2)
uniform = tf.contrib.seq2seq.sequence_loss(tf.zeros([2, 4, 3]), tf.zeros([2, 4], tf.int32),
                                           tf.ones([2, 4]))
rotated = tf.contrib.image.rotate(tf.constant(np.arange(9.0).reshape(3, 3)), np.pi / 2)
embedded = tf.contrib.layers.embed_sequence(
    tf.constant([[1, 2], [0, 1]]), vocab_size=3, embed_dim=2,
    initializer=tf.constant_initializer(np.arange(6.0).reshape(3, 2)))
out["model_variables"] = [v.op.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)]
config = projector.ProjectorConfig()
config.embeddings.add().tensor_name = "EmbedSequence/embeddings"
projector.visualize_embeddings(tf.summary.FileWriter("proj_" + os.path.basename(sys.argv[0])),
                               config)
helper = tf.contrib.seq2seq.TrainingHelper(tf.ones([2, 3, 4]), sequence_length=[3, 2])
decoder = tf.contrib.seq2seq.BasicDecoder(tf.nn.rnn_cell.BasicRNNCell(5), helper,
                                          tf.zeros([2, 5]), output_layer=tf.layers.Dense(6))
decoded, _, decoded_lengths = tf.contrib.seq2seq.dynamic_decode(decoder)
he = tf.get_variable("he", [200, 300],
                     initializer=tf.contrib.keras.initializers.he_normal(seed=3))
block = tf.contrib.rnn.LSTMBlockCell(2)
with tf.variable_scope("block"):
    block_h, block_state = block(tf.constant([[1.0, 2.0, 3.0]]), tf.contrib.rnn.LSTMStateTuple(
        tf.constant([[0.4, -0.2]]), tf.zeros([1, 2])))
zero_block = [v.assign(tf.zeros_like(v)) for v in block.variables]
writer = tf.contrib.summary.create_file_writer("logs_" + os.path.basename(sys.argv[0]))
with writer.as_default(), tf.contrib.summary.always_record_summaries():
    tf.contrib.summary.scalar("loss", loss, step=global_step)
summaries = tf.contrib.summary.all_summary_ops()
vocabulary = tf.contrib.learn.preprocessing.VocabularyProcessor(3)
out["word_ids"] = [row.tolist() for row in vocabulary.fit_transform(["a b", "b c d e"])]
with open("iris_like.csv", "w") as f:
    f.write("2,2,setosa,versicolor\\n5.1,3.5,0\\n6.2,2.9,1\\n")
iris = tf.contrib.learn.datasets.base.load_csv_with_header(
    "iris_like.csv", target_dtype=np.int32, features_dtype=np.float32)
out["csv"] = [iris.data.tolist(), iris.target.tolist()]
projected = tf.contrib.rnn.OutputProjectionWrapper(tf.nn.rnn_cell.BasicRNNCell(3), 2)
seq_outputs, _ = tf.contrib.legacy_seq2seq.basic_rnn_seq2seq(
    [tf.ones([2, 4])] * 3, [tf.ones([2, 4])] * 2, projected)
out["seq2seq_outputs"] = [o.shape.as_list() for o in seq_outputs]
analyzer = tf.contrib.tfprof.model_analyzer
stats = analyzer.print_model_analysis(
    tf.get_default_graph(), tfprof_options=analyzer.TRAINABLE_VARS_PARAMS_STAT_OPTIONS)
out["profiled_params"] = int(stats.total_parameters)
out["trainable_params"] = int(sum(np.prod(v.shape.as_list()) for v in tf.trainable_variables()))
out["nest"] = tf.contrib.framework.nest.flatten({"b": (1, 2), "a": 3})
out["static"] = tf.contrib.util.constant_value(tf.shape(tf.zeros([6, 7]))).tolist()

with tf.Session() as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer(),
              tf.tables_initializer()])
    out["loss_before"], out["total"] = [float(v) for v in sess.run([loss, total])]
    with writer.as_default():
        tf.contrib.summary.initialize(graph=tf.get_default_graph())
    sess.run(summaries)
    out["train_op_value"] = float(sess.run(train_op))
    sess.run(summaries)
    sess.run(tf.contrib.summary.flush(writer))
    out["w_after"] = sess.run(w).tolist()
    out["step"] = int(sess.run(global_step))
    sess.run([acc_update, mean_update], {pred: [1, 0, 1], truth: [1, 1, 1]})
    sess.run([acc_update, mean_update], {pred: [2, 2], truth: [2, 0]})
    out["accuracy"], out["mean"] = [float(v) for v in sess.run([acc, mean])]
    out["found"], out["ids"] = [v.tolist() for v in sess.run([found, ids])]
    out["rotated"] = sess.run(rotated).tolist()
    out["embedded"] = sess.run(embedded).tolist()
    logits, out["decoded_lengths"] = sess.run([decoded.rnn_output, decoded_lengths])
    out["decoded_lengths"] = out["decoded_lengths"].tolist()
    out["decoded_shape"] = list(logits.shape)
    he_values = sess.run(he)
    out["he_std"], out["he_max"] = float(he_values.std()), float(abs(he_values).max())
    sess.run(zero_block)
    out["block_h"], out["block_c"] = [v.tolist() for v in sess.run([block_h, block_state.c])]
    out["tiled"], out["uniform"] = sess.run(tiled).tolist(), float(sess.run(uniform))
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contrib_training")
    runner_out, _ = era_run.through_runner(tmp, PROGRAM)
    result, upgraded_out = era_run.upgraded(tmp, PROGRAM)
    return {"runner": era_run.last_json(runner_out), "upgraded": era_run.last_json(upgraded_out),
            "upgrade": result, "dir": tmp}


def test_runner_and_upgraded_file_print_the_same(outputs):
    assert outputs["runner"] == outputs["upgraded"]
    assert not outputs["upgrade"].flags
    assert "contrib" not in "".join(line.partition("#")[0]
                                    for line in outputs["upgrade"].source.splitlines())


def test_hparams_parse_overrides_and_keeps_types(outputs):
    assert outputs["runner"]["hparams"] == [0.5, [3, 3], True]


def test_contrib_learn_mode_keys_are_the_estimator_strings(outputs):
    assert outputs["runner"]["modes"] == ["train", "eval", "infer"]


def _softmax_ce(logits, onehot):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(onehot * log_p).sum(axis=1)


def test_losses_take_logits_first_and_create_train_op_takes_one_sgd_step(outputs):
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
    onehot = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    w = np.array([[0.5, -0.5], [0.25, 1.0]])
    logits = x @ w
    loss = _softmax_ce(logits, onehot).mean()
    out = outputs["runner"]
    assert out["loss_before"] == pytest.approx(loss, rel=1e-5)
    assert out["total"] == pytest.approx(loss, rel=1e-5)        # the loss was added to LOSSES
    # create_train_op returns the loss computed before the update.
    assert out["train_op_value"] == pytest.approx(loss, rel=1e-5)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    grad = x.T @ (probs - onehot) / len(x)
    np.testing.assert_allclose(out["w_after"], w - 0.5 * grad, rtol=1e-5)   # lr from hparams
    assert out["step"] == 1


def test_streaming_metrics_accumulate_across_batches(outputs):
    # 2 of 3 right, then 1 of 2: 3 of 5.  Mean of 1,0,1,2,2.
    assert outputs["runner"]["accuracy"] == pytest.approx(3 / 5)
    assert outputs["runner"]["mean"] == pytest.approx(6 / 5)


def test_lookup_tables_map_keys_and_fall_back_to_the_default(outputs):
    assert outputs["runner"]["found"] == [5, -1, 3]
    assert outputs["runner"]["ids"] == [2, 9, 0]


def test_viterbi_decode_finds_the_best_path(outputs):
    potentials = np.array([[1.0, 0.0], [0.0, 2.0], [1.5, 0.0]])
    transitions = np.array([[0.0, -3.0], [1.0, 0.0]])
    paths = [(a, b, c) for a in range(2) for b in range(2) for c in range(2)]

    def score(p):
        return sum(potentials[t, s] for t, s in enumerate(p)) + \
            transitions[p[0], p[1]] + transitions[p[1], p[2]]
    best = max(paths, key=score)
    assert outputs["runner"]["viterbi"] == list(best)
    assert outputs["runner"]["viterbi_score"] == pytest.approx(score(best))


def test_seq2seq_tile_batch_and_sequence_loss(outputs):
    # Each batch entry repeated in place; equal logits over 3 classes cost ln 3.
    assert outputs["runner"]["tiled"] == [[1, 2], [1, 2], [3, 4], [3, 4]]
    assert outputs["runner"]["uniform"] == pytest.approx(np.log(3.0), rel=1e-6)


def test_lstm_block_cell_with_zero_weights_keeps_a_forget_gate_share_of_c(outputs):
    # Every gate's pre-activation is 0, the forget gate's plus forget_bias 1:
    # c' = sigmoid(1) c + sigmoid(0) tanh(0), h = sigmoid(0) tanh(c').
    c = np.array([[0.4, -0.2]]) / (1 + np.exp(-1.0))
    np.testing.assert_allclose(outputs["runner"]["block_c"], c, rtol=1e-6)
    np.testing.assert_allclose(outputs["runner"]["block_h"], 0.5 * np.tanh(c), rtol=1e-6)


def test_contrib_summary_writes_the_loss_at_each_global_step(outputs):
    from tensorboard.backend.event_processing import event_accumulator
    for program in ("prog.py", "upgraded_prog.py"):
        events = event_accumulator.EventAccumulator(str(outputs["dir"] / ("logs_" + program)))
        events.Reload()
        written = [(e.step, e.value) for e in events.Scalars("loss")]
        assert written == [(0, pytest.approx(outputs["runner"]["loss_before"])),
                           (1, pytest.approx(written[1][1]))], program
        assert written[1][1] < written[0][1]          # one SGD step lowered it


def test_contrib_keras_he_normal_truncates_without_rescaling(outputs):
    # TF 1.x: normal(0, sqrt(2 / fan_in)) cut at 2 sigma, so the values'
    # spread is that sigma times the spread of a unit normal cut at +-2.
    import math
    sigma = math.sqrt(2.0 / 200)
    pdf2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    cut_std = math.sqrt(1 - 2 * 2 * pdf2 / mass)              # 0.8796
    assert outputs["runner"]["he_std"] == pytest.approx(sigma * cut_std, rel=0.02)
    assert outputs["runner"]["he_max"] <= 2 * sigma


def test_contrib_image_rotate_turns_counterclockwise(outputs):
    assert outputs["runner"]["rotated"] == np.rot90(np.arange(9.0).reshape(3, 3)).tolist()


def test_embed_sequence_looks_up_rows_of_one_model_variable(outputs):
    table = np.arange(6.0).reshape(3, 2)
    assert outputs["runner"]["embedded"] == table[[[1, 2], [0, 1]]].tolist()
    assert outputs["runner"]["model_variables"] == ["EmbedSequence/embeddings"]


def test_projector_config_written_into_the_writers_directory(outputs):
    for program in ("prog.py", "upgraded_prog.py"):
        config = (outputs["dir"] / ("proj_" + program) / "projector_config.pbtxt").read_text()
        assert 'tensor_name: "EmbedSequence/embeddings"' in config, program


def test_seq2seq_decoder_runs_each_sequence_for_its_length(outputs):
    assert outputs["runner"]["decoded_lengths"] == [3, 2]
    assert outputs["runner"]["decoded_shape"] == [2, 3, 6]   # batch, longest, output layer


def test_tfprof_counts_the_trainable_parameters(outputs):
    assert outputs["runner"]["profiled_params"] == outputs["runner"]["trainable_params"] > 0


def test_vocabulary_processor_numbers_words_in_order_of_first_appearance(outputs):
    # Ids from 1 as words first appear, 0 pads; "e" falls past 3 words.
    assert outputs["runner"]["word_ids"] == [[1, 2, 0], [2, 3, 4]]


def test_load_csv_with_header_reads_features_and_target(outputs):
    np.testing.assert_allclose(outputs["runner"]["csv"][0], [[5.1, 3.5], [6.2, 2.9]],
                               rtol=1e-6)
    assert outputs["runner"]["csv"][1] == [0, 1]


def test_legacy_seq2seq_decodes_through_an_output_projection(outputs):
    assert outputs["runner"]["seq2seq_outputs"] == [[2, 2], [2, 2]]


def test_nest_and_constant_value(outputs):
    assert outputs["runner"]["nest"] == [3, 1, 2]      # dict keys in sorted order
    # A shape known when the graph is built; constant_value folds Shape ops.
    assert outputs["runner"]["static"] == [6, 7]
