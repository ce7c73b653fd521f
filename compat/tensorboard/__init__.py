"""TensorBoard helpers: the fixed ``put_kernels_on_grid``, image export from
event files, and the real TensorBoard server for tests and screenshots."""
