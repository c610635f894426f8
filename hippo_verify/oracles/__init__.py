"""Oracle layer (mpmath): certified high-precision reference values.

Planned content: discretized systems and kernels of every family, each value carrying
the number of digits it certifies. Imports only from ``hippo_verify.symbolic``.
"""
