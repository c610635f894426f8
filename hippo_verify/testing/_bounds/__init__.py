"""Error models and conditioning functions, one module per kernel family.

``dense`` (discretize, SSM/discrete kernels, scans, causal convolution), ``diag`` (S4D
Vandermonde, S4 DPLR), ``rtf`` and ``h3``; ``_float64`` holds the float64 helpers the
conditioning numbers share. The models are registered by ``testing._algorithms``.
"""
