"""Causal linear convolution by FFT (torch twin of ``mp_oracles.causal_conv``).

y_k = sum_{j <= k} K_j u_{k-j}, k = 0 .. len(u)-1: the SSM output for the kernel K (the
output sees the current input). Both sequences are zero-padded to n >= len(u) + len(K) - 1
(n a power of two) before the transforms, so the circular convolution the FFT computes
equals the linear one on the kept outputs: there is no wrap-around.

Size: the padded length n per batch element counts against ``kernel_elements``; an output
beyond the dtype's range (|y_k| <= max|u| max|K| L) raises InvalidArgumentError.
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError
from ._args import as_tensor, broadcast_batch, require_elements, require_finite_result
from .discretize import system_dtype

__all__ = ["causal_conv"]


def causal_conv(u: Any, K: Any) -> torch.Tensor:
    """y = causal convolution of u with K, by zero-padded FFT.

    Arguments:
        u: (..., L) input, L >= 1. K: (..., M) kernel taps, M >= 1; taps beyond L are not
            used (cut before the transform), a shorter K means zero taps after it. Both
            float32/64 or complex64/128, finite, on one device; batch dimensions broadcast.

    Returns:
        y of shape (*batch, L) in the promoted dtype of (u, K): real inputs use
        ``rfft``/``irfft`` and give a real y; if either is complex, ``fft``/``ifft`` and a
        complex y.

    Raises:
        InvalidTypeError / InvalidArgumentError before any work (non-tensors, integer or
        half dtypes, empty sequences, NaN/inf, devices, batch shapes, batch x n above
        ``kernel_elements``); InvalidArgumentError after it if y overflowed the dtype.
    """
    u = as_tensor("u", u, min_dim=1)
    K = as_tensor("K", K, min_dim=1)
    for name, value in (("u", u), ("K", K)):
        if value.shape[-1] == 0:
            raise InvalidArgumentError(f"{name}: the sequence is empty; give at least 1 value")
    dtype = system_dtype(u, K)
    batch = broadcast_batch(u=u.shape[:-1], K=K.shape[:-1])
    L = u.shape[-1]
    K = K[..., :L]
    n = 1 << (L + K.shape[-1] - 2).bit_length()  # power of two >= L + M - 1
    require_elements(
        f"causal_conv: elements of the (batch {tuple(batch)}) x n = {n} transforms",
        batch.numel(),
        n,
    )
    u = u.to(dtype).expand(*batch, L)
    K = K.to(dtype).expand(*batch, K.shape[-1])
    if dtype.is_complex:
        y = torch.fft.ifft(torch.fft.fft(u, n=n) * torch.fft.fft(K, n=n), n=n)
    else:
        y = torch.fft.irfft(torch.fft.rfft(u, n=n) * torch.fft.rfft(K, n=n), n=n)
    y = y[..., :L]
    require_finite_result("causal_conv", y, lambda: _peak(u, K))
    return y


def _peak(u: torch.Tensor, K: torch.Tensor) -> str:
    size = u.abs().amax().to(torch.float64) * K.abs().amax().to(torch.float64) * u.shape[-1]
    return f"max|u| max|K| L = {size.item():.3g} bounds |y_k|"
