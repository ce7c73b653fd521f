"""TF1 between-graph replication on TensorFlow's own runtime: a run's place in
the cluster (``replica``) and the local launcher (``launcher``)."""
