"""What every layer shares: user-facing errors, atomic writes, the scripts'
one-line failure, and TensorFlow's quiet import."""
