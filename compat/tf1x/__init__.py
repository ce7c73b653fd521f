"""TF 1.x-era libraries revived on TF 2.21 at run time.

``import compat.tf1x.estimator`` puts ``tf.estimator`` (the real
tensorflow-estimator 2.15, its last release) back into TensorFlow.  The
legacy runner imports these modules when a program uses the names they
serve, and upgraded files import them before TensorFlow; so nothing here
imports libcst or fissix, and nothing imports more of ``compat`` than
``compat.util`` and the Python 2 runtime helper (``compat.py2.runtime``,
which ``tf0_ops`` falls back on for Python 2's ``/``).
"""
