"""The era's NumPy: the aliases NumPy removed since 1.20 (``np.int`` -> ``int``,
...), which programs of the time used.
Field meanings: ``compat.api.entry``."""

ENTRIES = ()
