"""Faithful graph/Session reproductions of classic TensorFlow 1.x programs,
one module per program family."""
