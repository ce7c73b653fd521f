"""Data loaders: the one IDX reader, MNIST and Fashion-MNIST, notMNIST as the
course prepared it, safe downloads, and the drop-ins for TF's removed
``tensorflow.examples.tutorials.mnist`` package."""
