"""``tf.contrib.layers`` functions that tf-slim does not carry, with their
TF 1.x variables and defaults, for the legacy-API table."""

from compat.util.quiet_import import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None,
                   regularizer=None, trainable=True, scope=None, reuse=None):
    """Embeddings of a batch of id sequences ([batch, time] ->
    [batch, time, embed_dim]) from one ``[vocab_size, embed_dim]`` variable
    named ``<scope or EmbedSequence>/embeddings``, a model variable as
    contrib made it; ``unique=True`` looks each distinct id up once."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError("Must specify vocab size and embedding dimension when not "
                         "reusing. Got vocab_size=%s and embed_dim=%s" % (vocab_size, embed_dim))
    with v1.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim] if vocab_size and embed_dim else None
        embeddings = v1.get_variable(
            "embeddings", shape=shape, initializer=initializer, regularizer=regularizer,
            trainable=trainable,
            collections=[v1.GraphKeys.GLOBAL_VARIABLES, v1.GraphKeys.MODEL_VARIABLES])
        if unique:
            distinct, positions = tf.unique(tf.reshape(ids, [-1]))
            looked_up = tf.gather(v1.nn.embedding_lookup(embeddings, distinct), positions)
            return tf.reshape(looked_up, tf.concat([tf.shape(ids), [-1]], 0))
        return v1.nn.embedding_lookup(embeddings, ids)
