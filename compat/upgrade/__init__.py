"""Source to source: rewrite a TF 0.x/1.x program, notebook or tree so that
it runs on TensorFlow 2.x through ``tf.compat.v1`` with no shim, from the
same table the runner reads."""
