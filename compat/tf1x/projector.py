"""``tf.contrib.tensorboard.plugins.projector`` (TF 1.x), for the legacy-API
table.

The embedding projector's config and writer live on in the ``tensorboard``
package, with one change: contrib's ``visualize_embeddings(summary_writer,
config)`` took the ``tf.summary.FileWriter`` and wrote
``projector_config.pbtxt`` into its log directory, where today's takes the
directory itself.
"""

from tensorboard.plugins import projector as _projector

ProjectorConfig = _projector.ProjectorConfig
EmbeddingInfo = _projector.EmbeddingInfo


def visualize_embeddings(summary_writer, config):
    """Write ``config`` into the log directory of ``summary_writer`` (a
    FileWriter, as TF 1.x took; a directory path also works)."""
    logdir = summary_writer.get_logdir() if hasattr(summary_writer, "get_logdir") \
        else summary_writer
    _projector.visualize_embeddings(logdir, config)
