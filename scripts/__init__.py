"""Command-line entry points (absl flags live here only); each is also a tf1-* console script."""
