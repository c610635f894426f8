"""Error models and conditioning numbers of the H3 kernels (``hippo_verify.kernels.h3``).

Each bound is c * u * g(L, N, cond) relative to the max-norm of the oracle (see
``_error_model``). The conditioning numbers are the judge's own: float64 numpy (direct
sums, the diagonal kernel by cumulative products in ``_bounds.diag``), never the torch
kernels they judge. Measurements quoted are from ``tests/kernels/test_kernels_h3.py`` (canonical
configurations and the slow sweeps) on the CPU, torch 2.13: "ratio" is error / (u g).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..._errors import InvalidArgumentError
from ..._validation import require_int
from .._error_model import ErrorModel, log2_ceil
from ._float64 import (
    abs_causal_conv,
    at_least_one,
    direct_causal_conv,
    float64_array,
    one_sequence,
    ratio_at_least_one,
)
from .diag import h3_diag_taps

__all__ = ["h3_ssm_condition", "shift_kernel_condition"]

_REAL = (torch.float64, torch.float32)


def shift_kernel_condition(C: Any, L: int) -> float:
    """cond of ``shift_kernel`` for the ``shift`` model: 1 (the kernel copies C).

    Arguments:
        C: (..., d) real output row, d >= 1.
        L: number of taps, an integer >= 1.

    Returns:
        1.0: no arithmetic, so nothing to amplify.

    Raises:
        InvalidTypeError, InvalidArgumentError: complex, non-finite or empty C; L not an
            integer >= 1.
    """
    float64_array("C", C)
    require_int("L", L, minimum=1)
    return 1.0


def h3_ssm_condition(
    q: Any, k: Any, v: Any, shift_C: Any, lam: Any, B: Any, C: Any, *, dt: Any
) -> float:
    """cond of ``h3_ssm`` (models ``h3-conv``, ``h3-recurrence``), one channel, float64.

    With y = q (K_diag * (v (K_shift * k))) (``*`` causal convolution, products elementwise
    in time), K_shift = shift_C padded with zeros to L = len(q) and K_diag the ZOH
    conjugate-pair diagonal kernel of (lam, B, C, dt):

        cond = max_t |q_t| (|K_diag| * (|v| (|K_shift| * |k|)))_t / max_t |y_t|,

    the composition with every term in absolute value relative to the max-norm of the
    output. K_diag comes from the judge's own float64 route (``_bounds.diag``).

    Arguments:
        q, k, v: (L,) real sequences.
        shift_C: (d,) real output row of the shift SSM (taps beyond L unused).
            Each a tensor, a NumPy array or (nested) lists of real numbers.
        lam, B, C: (N,) modes, input and output of the diagonal SSM, real or complex (a
            tensor, NumPy array, sympy Matrix or nested lists of numbers). One system: a
            batch (..., N) is not refused, but only the first system's taps are used.
        dt: the ZOH step (keyword only), a real number > 0 (a real floating tensor is
            accepted; of several steps only the first is used).

    Returns:
        cond >= 1; inf when y = 0.

    Raises:
        InvalidTypeError, InvalidArgumentError: non-finite, complex, empty or not
            one-dimensional q/k/v/shift_C, q/k/v of different lengths; non-numeric or
            non-finite lam/B/C, no mode, B or C without N entries; a bad step (a bool,
            complex or non-real dt, an integer tensor, NaN, infinite or <= 0).
    """
    q, k, v = one_sequence("q", q), one_sequence("k", k), one_sequence("v", v)
    if not q.shape == k.shape == v.shape:
        raise InvalidArgumentError(
            f"q, k, v must have one length L; got {q.shape}, {k.shape}, {v.shape}"
        )
    shift_K = one_sequence("shift_C", shift_C)[: q.size]
    diag_K = h3_diag_taps(lam, B, C, q.size, dt=dt)
    if diag_K.size != q.size:
        raise InvalidArgumentError(
            "h3_ssm_condition: one channel: lam, B, C of shape (N,) and one step dt"
        )
    diag_K = diag_K.reshape(-1)
    y = q * direct_causal_conv(v * direct_causal_conv(k, shift_K), diag_K)
    bound = np.abs(q) * abs_causal_conv(np.abs(v) * abs_causal_conv(k, shift_K), diag_K)
    return ratio_at_least_one(float(bound.max()), float(np.abs(y).max()))


SHIFT_MODEL = ErrorModel(
    algorithm="shift",
    constant=1.0,
    growth=lambda L, N, cond: 1.0,
    growth_text="1 (the shift kernel is a copy of C padded with zeros)",
    justification=(
        "shift_kernel does no arithmetic: K_k = C_k exactly (the oracle rounds the same "
        "binary inputs to its working precision), measured error 0 in float64 and "
        "float32; the bound u only allows the oracle's final rounding to the dtype."
    ),
    dtypes=_REAL,
)

_H3_GROWTH = (
    "(log2(L) + N) * cond, N modes, cond = h3_ssm_condition(q, k, v, shift_C, lam, B, C, dt=dt)"
)
_H3_MEASURED = (
    "Measured against the mpmath composition shift_kernel -> causal_conv -> * v -> "
    "causal_conv with h3_diag_kernel -> * q (products exact), S4D-Lin modes "
    "lam_n = -1/2 + i pi n, random complex B, C, random q, k, v, shift C; slow sweep over "
    "L in {64, 256, 1024}, N in {4, 16, 64}, d in {4, 8}, dt in {0.01, 0.05, 0.1}, float64 "
    "and float32 (tests/kernels/test_kernels_h3.py). The N term covers the phase error of modes "
    "with large |Im lam| (u k |dt lam| damped by e^{k dt Re lam}) in the Vandermonde "
    "kernel and the N-term output sums; log2(L) the FFT depth; cond the componentwise "
    "condition of the composition. Outside that domain (much larger dt |lam| or slower "
    "decay) the model is not measured."
)

H3_CONV_MODEL = ErrorModel(
    algorithm="h3-conv",
    constant=2.0,
    growth=lambda L, N, cond: (log2_ceil(L) + N) * at_least_one(cond),
    growth_text=_H3_GROWTH,
    justification=(
        f"h3_ssm(mode='conv'): h3_diag_kernel and two causal_conv. {_H3_MEASURED} "
        "Worst ratio error / (u g) 0.277 (float64, L = 64, N = 16, dt = 0.05); "
        "c = 2 (7.2x)."
    ),
    dtypes=_REAL,
)

H3_RECURRENCE_MODEL = ErrorModel(
    algorithm="h3-recurrence",
    constant=4.0,
    growth=lambda L, N, cond: (log2_ceil(L) + N) * at_least_one(cond),
    growth_text=_H3_GROWTH,
    justification=(
        f"h3_ssm(mode='recurrence'): x <- lam_bar x + Bb u per step. {_H3_MEASURED} "
        "The state also accumulates one rounding per step over the decay time "
        "1 / (dt |Re lam|) (200 steps at dt = 0.01), which the log2(L) + N growth does "
        "not model and c absorbs: worst ratio error / (u g) 0.575 (float64, L = 64, "
        "N = 4, dt = 0.01); c = 4 (7.0x)."
    ),
    dtypes=_REAL,
)
