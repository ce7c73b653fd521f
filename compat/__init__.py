"""tf1-compat library: legacy TensorFlow API knowledge, data loaders, kernel grid."""
