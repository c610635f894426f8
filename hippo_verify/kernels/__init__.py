"""Kernel layer (torch): fast, device- and dtype-generic kernels under test.

Planned content: naive power, recurrent scan, Vandermonde, Cauchy + Woodbury, RTF FFT and
H3 kernels, each checked against the oracles. Imports only from earlier layers.
"""
