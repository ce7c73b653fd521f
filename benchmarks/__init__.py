"""Benchmarks of the reproductions and tools, for ``scripts/bench.py``: they
sit above ``compat`` and ``tf1_examples``, which they measure."""
