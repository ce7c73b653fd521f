"""What the reproductions train with: runtime settings, the initializer
table, the training-loop skeleton (loop), run control (checkpoints, resume,
signals, divergence), per-variable diagnostics, what every config shares
(settings) and the run's record for --resume (run_record)."""
