"""``tf.contrib.seq2seq``'s sampling helpers (TF 1.8-1.15) for TF 2.21.

A helper tells ``BasicDecoder`` (``compat.tf1x.seq2seq_decoder``) what to
feed the cell first, which id to sample from each step's output, and what
to feed next / when an entry is finished.  Same classes, arguments and
behaviour as TF 1.x:

* ``Helper``: the abstract interface;
* ``CustomHelper(initialize_fn, sample_fn, next_inputs_fn, ...)``;
* ``TrainingHelper(inputs, sequence_length, time_major=False)``: teacher
  forcing, reads the ground-truth inputs step by step, finished after
  ``sequence_length`` steps, samples the arg-max;
* ``ScheduledEmbeddingTrainingHelper``: like ``TrainingHelper`` but with
  probability ``sampling_probability`` feeds the embedding of an id drawn
  from the output logits (sample id -1 where it did not sample);
* ``GreedyEmbeddingHelper(embedding, start_tokens, end_token)``: feeds back
  the embedding of the arg-max, finished when it equals ``end_token``;
* ``SampleEmbeddingHelper``: the same with ids drawn from
  ``softmax(logits / softmax_temperature)``;
* ``InferenceHelper``: user-supplied sampling with outputs fed back.

Nothing here creates variables.
"""

import abc

from compat.tf1x.seq2seq_decoder import _transpose_batch_time, tf, v1

__all__ = ["Helper", "CustomHelper", "TrainingHelper", "ScheduledEmbeddingTrainingHelper",
           "GreedyEmbeddingHelper", "SampleEmbeddingHelper", "InferenceHelper"]


def _unstack_ta(inp):
    """A TensorArray holding ``inp``'s slices along axis 0 (time)."""
    return tf.TensorArray(dtype=inp.dtype, size=tf.shape(inp)[0],
                          element_shape=inp.shape[1:]).unstack(inp)


def _embedding_fn(embedding):
    # TF 1.x accepted either a callable or an embedding matrix.
    if callable(embedding):
        return embedding
    return lambda ids: tf.nn.embedding_lookup(embedding, ids)


def _categorical_sample(logits, seed=None):
    """One int32 id per row drawn from softmax(logits) (what TF 1.x's
    ``Categorical(logits).sample()`` returned)."""
    depth = tf.shape(logits)[-1]
    flat = tf.reshape(logits, [-1, depth])
    ids = v1.multinomial(flat, 1, seed=seed, output_dtype=tf.int32)
    return tf.reshape(ids, tf.shape(logits)[:-1])


class Helper(metaclass=abc.ABCMeta):
    """Interface ``BasicDecoder`` uses to sample and pick the next inputs."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def sample_ids_shape(self):
        raise NotImplementedError

    @property
    def sample_ids_dtype(self):
        raise NotImplementedError

    @abc.abstractmethod
    def initialize(self, name=None):
        """-> ``(finished, first_inputs)``."""

    @abc.abstractmethod
    def sample(self, time, outputs, state, name=None):
        """-> ``sample_ids``."""

    @abc.abstractmethod
    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        """-> ``(finished, next_inputs, next_state)``."""


class CustomHelper(Helper):
    """A helper made of three functions: ``initialize_fn()`` ->
    ``(finished, inputs)``, ``sample_fn(time, outputs, state)`` -> ids and
    ``next_inputs_fn(time, outputs, state, sample_ids)`` ->
    ``(finished, next_inputs, next_state)``."""

    def __init__(self, initialize_fn, sample_fn, next_inputs_fn,
                 sample_ids_shape=None, sample_ids_dtype=None):
        self._initialize_fn = initialize_fn
        self._sample_fn = sample_fn
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = None
        self._sample_ids_shape = tf.TensorShape(sample_ids_shape or [])
        self._sample_ids_dtype = sample_ids_dtype or tf.int32

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_ids_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_ids_dtype

    def initialize(self, name=None):
        with v1.name_scope(name, "%sInitialize" % type(self).__name__):
            finished, next_inputs = self._initialize_fn()
            # The batch size is only known once the finished flags exist.
            if self._batch_size is None:
                self._batch_size = tf.size(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with v1.name_scope(name, "%sSample" % type(self).__name__, (time, outputs, state)):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with v1.name_scope(name, "%sNextInputs" % type(self).__name__,
                           (time, outputs, state)):
            return self._next_inputs_fn(time=time, outputs=outputs, state=state,
                                        sample_ids=sample_ids)


class _IdSamplingHelper(Helper):
    """A helper whose sample ids are one int32 token id per batch entry
    (TrainingHelper and GreedyEmbeddingHelper, and their subclasses)."""

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return tf.TensorShape([])

    @property
    def sample_ids_dtype(self):
        return tf.int32


class TrainingHelper(_IdSamplingHelper):
    """Teacher forcing: step t reads ``inputs[:, t]`` (``inputs[t]`` when
    ``time_major``); entry b is finished once ``t + 1 >= sequence_length[b]``.
    Once every entry is finished the next inputs are zeros."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with v1.name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = tf.nest.map_structure(
                lambda i: tf.convert_to_tensor(i, name="inputs"), inputs)
            self._inputs = inputs
            if not time_major:
                inputs = tf.nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = tf.nest.map_structure(_unstack_ta, inputs)
            self._sequence_length = tf.convert_to_tensor(sequence_length,
                                                         name="sequence_length")
            if self._sequence_length.shape.ndims != 1:
                raise ValueError("Expected sequence_length to be a vector, but received "
                                 "shape: %s" % self._sequence_length.shape)
            self._zero_inputs = tf.nest.map_structure(
                lambda inp: tf.zeros_like(inp[0, :]), inputs)
            self._batch_size = tf.size(sequence_length)

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._sequence_length

    def _read_or_zeros(self, finished, index):
        # Reading past the TensorArray's end would fail, so once all entries
        # are finished feed zeros instead.
        return tf.cond(tf.reduce_all(finished), lambda: self._zero_inputs,
                       lambda: tf.nest.map_structure(lambda ta: ta.read(index),
                                                     self._input_tas))

    def initialize(self, name=None):
        with v1.name_scope(name, "TrainingHelperInitialize"):
            finished = tf.equal(0, self._sequence_length)
            return finished, self._read_or_zeros(finished, 0)

    def sample(self, time, outputs, name=None, **unused_kwargs):
        with v1.name_scope(name, "TrainingHelperSample", [time, outputs]):
            return tf.cast(tf.argmax(outputs, axis=-1), tf.int32)

    def next_inputs(self, time, outputs, state, name=None, **unused_kwargs):
        with v1.name_scope(name, "TrainingHelperNextInputs", [time, outputs, state]):
            next_time = time + 1
            finished = next_time >= self._sequence_length
            return finished, self._read_or_zeros(finished, next_time), state


class ScheduledEmbeddingTrainingHelper(TrainingHelper):
    """Scheduled sampling (Bengio et al. 2015): each entry, with probability
    ``sampling_probability``, is fed the embedding of an id sampled from the
    outputs instead of the ground truth; ``sample`` returns -1 where the
    ground truth is used."""

    def __init__(self, inputs, sequence_length, embedding, sampling_probability,
                 time_major=False, seed=None, scheduling_seed=None, name=None):
        with v1.name_scope(name, "ScheduledEmbeddingSamplingWrapper",
                           [embedding, sampling_probability]):
            self._embedding_fn = _embedding_fn(embedding)
            self._sampling_probability = tf.convert_to_tensor(
                sampling_probability, name="sampling_probability")
            if self._sampling_probability.shape.ndims not in (0, 1):
                raise ValueError("sampling_probability must be either a scalar or a "
                                 "vector. saw shape: %s" % self._sampling_probability.shape)
            self._seed = seed
            self._scheduling_seed = scheduling_seed
            super().__init__(inputs=inputs, sequence_length=sequence_length,
                             time_major=time_major, name=name)

    def initialize(self, name=None):
        return super().initialize(name=name)

    def sample(self, time, outputs, state, name=None):
        with v1.name_scope(name, "ScheduledEmbeddingTrainingHelperSample",
                           [time, outputs, state]):
            # Bernoulli(p) per entry: a uniform draw below p.
            draw = v1.random_uniform([self.batch_size], seed=self._scheduling_seed,
                                     dtype=self._sampling_probability.dtype)
            select = draw < self._sampling_probability
            return v1.where(select, _categorical_sample(outputs, seed=self._seed),
                            tf.fill([self.batch_size], -1))

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with v1.name_scope(name, "ScheduledEmbeddingTrainingHelperNextInputs",
                           [time, outputs, state, sample_ids]):
            finished, base_next_inputs, state = super().next_inputs(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids, name=name)

            def maybe_sample():
                # Embed only the sampled entries and scatter both parts back.
                sampling = tf.cast(v1.where(sample_ids > -1), tf.int32)
                not_sampling = tf.cast(v1.where(sample_ids <= -1), tf.int32)
                sampled = self._embedding_fn(tf.gather_nd(sample_ids, sampling))
                kept = tf.gather_nd(base_next_inputs, not_sampling)
                shape = tf.shape(base_next_inputs)
                return (tf.scatter_nd(sampling, sampled, shape)
                        + tf.scatter_nd(not_sampling, kept, shape))

            next_inputs = tf.cond(tf.reduce_all(finished), lambda: base_next_inputs,
                                  maybe_sample)
            return finished, next_inputs, state


class GreedyEmbeddingHelper(_IdSamplingHelper):
    """Inference: starts from ``embedding(start_tokens)``, samples the
    arg-max and feeds its embedding back; an entry is finished when it
    samples ``end_token``."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = _embedding_fn(embedding)
        self._start_tokens = tf.convert_to_tensor(start_tokens, dtype=tf.int32,
                                                  name="start_tokens")
        self._end_token = tf.convert_to_tensor(end_token, dtype=tf.int32, name="end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._batch_size = tf.size(start_tokens)
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._start_inputs = self._embedding_fn(self._start_tokens)

    def initialize(self, name=None):
        finished = tf.tile([False], [self._batch_size])
        return finished, self._start_inputs

    def _check_outputs(self, outputs):
        if not isinstance(outputs, tf.Tensor):
            raise TypeError("Expected outputs to be a single Tensor, got: %s" % type(outputs))

    def sample(self, time, outputs, state, name=None):
        del time, state
        self._check_outputs(outputs)
        return tf.argmax(outputs, axis=-1, output_type=tf.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        del time, outputs
        finished = tf.equal(sample_ids, self._end_token)
        # When all are done the inputs are unused; TF 1.x fed the start inputs.
        next_inputs = tf.cond(tf.reduce_all(finished), lambda: self._start_inputs,
                              lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """``GreedyEmbeddingHelper`` that draws ids from
    ``softmax(outputs / softmax_temperature)`` instead of the arg-max."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None,
                 seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        del time, state
        self._check_outputs(outputs)
        logits = outputs if self._softmax_temperature is None else \
            outputs / self._softmax_temperature
        return _categorical_sample(logits, seed=self._seed)


class InferenceHelper(Helper):
    """Feeds the (optionally transformed) outputs back as inputs:
    ``sample_fn(outputs)`` gives the ids, ``end_fn(sample_ids)`` the
    finished flags, ``next_inputs_fn(outputs)`` (default identity) the next
    inputs."""

    def __init__(self, sample_fn, sample_shape, sample_dtype, start_inputs, end_fn,
                 next_inputs_fn=None):
        self._sample_fn = sample_fn
        self._end_fn = end_fn
        self._sample_shape = tf.TensorShape(sample_shape)
        self._sample_dtype = sample_dtype
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = tf.shape(start_inputs)[0]
        self._start_inputs = tf.convert_to_tensor(start_inputs, name="start_inputs")

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_dtype

    def initialize(self, name=None):
        return tf.tile([False], [self._batch_size]), self._start_inputs

    def sample(self, time, outputs, state, name=None):
        del time, state
        return self._sample_fn(outputs)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        del time
        next_inputs = outputs if self._next_inputs_fn is None else \
            self._next_inputs_fn(outputs)
        return self._end_fn(sample_ids), next_inputs, state
