"""Diagonal (S4D, H3) SSM kernels by the Vandermonde product (torch twins of the oracles).

``diag_kernel`` mirrors ``mp_oracles.diag_kernel`` and ``h3_diag_kernel`` mirrors
``mp_oracles.h3_diag_kernel``: same parameter names, order and conventions. For the
diagonal system A = diag(lam) with input B and output row C, each mode is discretized on
its own (``"zoh"``: lam_bar = e^{dt lam}, Bb = (e^{dt lam} - 1)/lam B, = dt B at lam = 0;
``("gbt", alpha)`` and the named gbt methods: lam_bar = (1 + (1-alpha) dt lam) /
(1 - alpha dt lam), Bb = dt B / (1 - alpha dt lam)) and the kernel is the Vandermonde
product

    K_k = sum_n C_n Bb_n lam_bar_n^k,   k = 0 .. L-1.

With ``conj_pairs`` (S4D's convention) ``lam`` holds one mode of each conjugate pair and
the real kernel 2 Re sum_n C_n Bb_n lam_bar_n^k is returned (the full system whose other
half is (conj lam, conj B, conj C)); otherwise the complex sum.

Powers are never formed by repeated multiplication: lam_bar^k = exp(k log lam_bar), i.e.
exp(k dt lam) for ZOH (no logarithm at all) and exp(k [log1p((1-alpha) dt lam) -
log1p(-alpha dt lam)]) for gbt methods (``log1p`` keeps the logarithm accurate to a few
ulps *relative to |dt lam|* when |dt lam| << 1, where log(lam_bar) of the rounded lam_bar
would lose a factor 1/|dt lam|). The exponent k * log lam_bar is scaled real part and
imaginary part separately (no complex product with a zero imaginary part). Cost O(N L)
exponentials and an O(N L) contraction per system; memory O(batch N L) for the
Vandermonde matrix (like S4D's reference implementation without pykeops).

Accuracy (see ``hippo_verify.testing._bounds.diag``): the exponent k log lam_bar carries
an absolute rounding error of about u k |log lam_bar| (from the rounding of dt lam and of
the scaling by k), which becomes a relative error of the same size in lam_bar^k; the error
therefore grows like u L max|dt lam| until the decay |lam_bar|^k takes over. This is not an
accumulation that chunking (recomputing exp at chunk starts) could reset -- every power
already comes from one exponential, and its error is that of its argument (measured:
chunking changes nothing). ``float64_phase=True`` forms the exponents in float64 and
reduces their imaginary parts modulo 2 pi before rounding to complex64, which removes the
growth (measured 50x smaller errors at L = 4096 in float32).

Size: the Vandermonde matrix (batch x N x L) counts against ``kernel_elements`` (refused
before any work). Overflow: growing modes (|lam_bar| > 1) over many taps, or weights
Bb = (e^{dt lam} - 1)/lam B beyond the range, raise InvalidArgumentError naming
max_n Re(log lam_bar_n) (L - 1) (the log of the largest power) and max_n |dt lam_n|.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from ._args import (
    as_tensor,
    broadcast_batch,
    common_dtype,
    method_alpha,
    require_elements,
    require_finite_result,
    require_L,
    require_step,
    step_tensor,
)

__all__ = ["diag_kernel", "h3_diag_kernel"]

#: Complex working dtype of each accepted (promoted) input dtype. Half precision is refused:
#: torch has no complex32 exp/log1p on the CPU, and the phase error u k |dt lam| reaches
#: 2^-8 * 1e3 ~ 4 radians in bfloat16 after 1000 steps of |dt lam| = 1 (garbage).
_WORKING = {
    torch.float64: torch.complex128,
    torch.complex128: torch.complex128,
    torch.float32: torch.complex64,
    torch.complex64: torch.complex64,
}


def working_dtype(*tensors: torch.Tensor, family: str) -> torch.dtype:
    """complex128 or complex64: the complex counterpart of the promoted dtype (one device)."""
    dtype = common_dtype(*tensors)
    if dtype not in _WORKING:
        raise InvalidTypeError(
            f"{family}: dtype {dtype} is not supported; use float32/float64 or "
            "complex64/complex128 (half precision is refused: no complex32 exp/log1p in torch "
            "on the CPU, and the phase k*dt*lam would be wrong by about 2^-8 * k*|dt lam| "
            "radians in bfloat16)"
        )
    return _WORKING[dtype]


def mode_vector(name: str, value: Any, N: int | None = None) -> torch.Tensor:
    """A finite float/complex tensor (..., N) with N >= 1 (N = its own length if None)."""
    value = as_tensor(name, value, min_dim=1)
    if value.shape[-1] == 0:
        raise InvalidArgumentError(
            f"{name}: needs at least one mode, got shape {tuple(value.shape)}"
        )
    if N is not None and value.shape[-1] != N:
        raise InvalidArgumentError(
            f"{name}: expected last dimension {N} (the number of modes), got shape "
            f"{tuple(value.shape)}"
        )
    return value


def _scale(k: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """k * z for real k and complex z, part by part (no 0 * inf cross terms)."""
    return torch.complex(k * z.real, k * z.imag)


def _discretize_modes(
    lam: torch.Tensor, B: torch.Tensor, dt: torch.Tensor | float, alpha: float | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(log lam_bar, Bb) per mode; log lam_bar = dt lam for ZOH."""
    dt_v = dt[..., None] if isinstance(dt, torch.Tensor) else dt
    dlam = lam * dt_v
    if alpha is None:
        # (e^{dt lam} - 1)/lam B = dt B phi(dt lam), phi(z) = expm1(z)/z; for |z| < 1e-4
        # its Taylor polynomial 1 + z/2 + z^2/6 + z^3/24 (error < |z|^4/120 < 1e-18), which
        # also gives phi(0) = 1 and the right gradient at lam = 0.
        small = dlam.abs() < 1e-4
        safe = torch.where(small, torch.ones_like(dlam), dlam)
        series = 1 + dlam / 2 * (1 + dlam / 3 * (1 + dlam / 4))
        ratio = torch.where(small, series, torch.expm1(safe) / safe)
        return dlam, B * dt_v * ratio
    den = 1 - alpha * dlam
    log_bar = torch.log1p((1 - alpha) * dlam) - torch.log1p(-alpha * dlam)
    return log_bar, B * dt_v / den


def _exponents(log_bar: torch.Tensor, L: int, dtype: torch.dtype) -> torch.Tensor:
    """k * log lam_bar (..., N, L) in ``dtype``; from complex128 modes the imaginary part is
    reduced modulo 2 pi in float64 first (the rounding to ``dtype`` then costs 2 pi u, not
    u k |Im log lam_bar|)."""
    k = torch.arange(L, dtype=log_bar.real.dtype, device=log_bar.device)
    if log_bar.dtype == dtype:
        return _scale(k, log_bar[..., None])
    wide = log_bar[..., None]
    phase = torch.remainder(k * wide.imag, 2 * math.pi)
    return torch.complex(k * wide.real, phase).to(dtype)


def _vandermonde(
    log_bar: torch.Tensor, weights: torch.Tensor, L: int, real_part: bool
) -> torch.Tensor:
    """sum_n w_n exp(k log_bar_n), k < L (one exponential per power, in weights.dtype)."""
    k0 = torch.arange(L, device=log_bar.device) == 0
    powers = torch.exp(_exponents(log_bar, L, weights.dtype))  # (..., N, L)
    # lam_bar = 0 (forward Euler at dt lam = -1) has log -inf: 0^0 = 1, 0^k = 0.
    powers = torch.where(k0, torch.ones_like(powers), powers)
    if real_part:
        # 2 Re sum_n w_n p_n = 2 sum_n (Re w Re p - Im w Im p): two real contractions.
        out = (weights.real[..., None, :] @ powers.real)[..., 0, :]
        out = out - (weights.imag[..., None, :] @ powers.imag)[..., 0, :]
        return 2 * out
    return (weights[..., None, :] @ powers)[..., 0, :]


def diag_kernel(
    lam: Any,
    B: Any,
    C: Any,
    L: Any,
    *,
    dt: Any,
    method: Any = "zoh",
    conj_pairs: bool = True,
    float64_phase: bool = False,
) -> torch.Tensor:
    """S4D kernel of the diagonal system A = diag(lam), by the Vandermonde product.

    K_k = sum_n C_n Bb_n lam_bar_n^k (k = 0 .. L-1) with (lam_bar, Bb) the per-mode
    discretization (module docstring); with ``conj_pairs`` the real kernel
    2 Re sum_n C_n Bb_n lam_bar_n^k (``lam`` holds one mode of each conjugate pair, as in
    S4D), otherwise the complex sum. Same conventions as ``mp_oracles.diag_kernel``.

    Arguments:
        lam: (..., N) continuous modes (diagonal of A), real or complex.
        B: (..., N) input; C: (..., N) output row (not conjugated).
        L: number of taps, an int >= 1.
        dt: a positive number, or a real tensor of positive steps whose shape broadcasts
            with the batch (one step per system, e.g. S4D's per-channel dt of shape (H,)).
        method: ``"zoh"`` (default), ``"bilinear"``, ``"forward_euler"``,
            ``"backward_euler"`` or ``("gbt", alpha)``.
        conj_pairs: return 2 Re of the sum (real output) if True, the complex sum if False.
        float64_phase: (not in the oracle; an accuracy option for complex64) discretize the
            modes and form the exponents k log lam_bar in float64, reduce their imaginary
            parts modulo 2 pi, and only then round to the working precision for the
            exponential and the contraction. This removes the u k |dt lam| phase error of
            complex64 (measured: 1.3e-5 -> 2.4e-7 for S4D-Inv, N = 64, dt = 1e-3,
            L = 4096) for O(N L) float64 elementwise work; a no-op for complex128.

    Dtypes: float64/complex128 inputs compute in complex128, float32/complex64 in
    complex64 (the promoted dtype decides); a dt tensor is cast to the working precision
    (to float64 with ``float64_phase``). float16/bfloat16 are refused (see
    ``working_dtype``).

    Returns:
        (*batch, L), batch the broadcast of lam/B/C.shape[:-1] and dt.shape: float64/float32
        with ``conj_pairs``, complex128/complex64 otherwise.

    Raises:
        InvalidTypeError: non-tensor inputs, integer or half dtypes, bad dt/L/conj_pairs
            types.
        InvalidArgumentError: N = 0 or mismatched N, L < 1, dt <= 0, NaN/inf, unknown
            method, non-broadcasting batches, different devices, 1 - alpha dt lam = 0
            for a mode (gbt), batch x N x L above ``kernel_elements``; after the work, a
            kernel that overflowed the dtype (module docstring).
    """
    lam = mode_vector("lam", lam)
    N = lam.shape[-1]
    B, C = mode_vector("B", B, N), mode_vector("C", C, N)
    L = require_L(L)
    step = require_step(dt)
    alpha = method_alpha(method)
    for name, flag in (("conj_pairs", conj_pairs), ("float64_phase", float64_phase)):
        if not isinstance(flag, bool):
            raise InvalidTypeError(f"{name}: expected a bool, got {flag!r}")
    dtype = working_dtype(lam, B, C, family="diag_kernel")
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(lam=lam.shape[:-1], B=B.shape[:-1], C=C.shape[:-1], dt=step_shape)
    require_elements(
        f"diag_kernel: elements of the (batch {tuple(batch)}) x N = {N} x L = {L} "
        "Vandermonde matrix",
        batch.numel(),
        N,
        L,
    )
    mode_dtype = torch.complex128 if float64_phase else dtype
    step = step_tensor(step, mode_dtype, lam.device)
    lam, B = lam.to(mode_dtype).expand(*batch, N), B.to(mode_dtype).expand(*batch, N)
    if alpha is not None and alpha > 0:
        dt_v = step[..., None] if isinstance(step, torch.Tensor) else step
        if bool(((1 - alpha * lam * dt_v) == 0).any()):
            raise InvalidArgumentError(
                "1 - alpha dt lam = 0 for a mode: the step hits 1/(alpha dt), the pole of "
                "the gbt discretization"
            )
    log_bar, Bb = _discretize_modes(lam, B, step, alpha)
    weights = C.to(dtype).expand(*batch, N) * Bb.to(dtype)
    K = _vandermonde(log_bar, weights, L, conj_pairs)
    require_finite_result("diag_kernel", K, lambda: _growth(log_bar, lam, step, L))
    return K


def _growth(log_bar: torch.Tensor, lam: torch.Tensor, dt: Any, L: int) -> str:
    """max_n Re(log lam_bar_n) (L - 1) and max |dt lam| (for the overflow message)."""
    rate = log_bar.real.detach().to(torch.float64).amax().item()
    dt_v = dt[..., None] if isinstance(dt, torch.Tensor) else dt
    step = (lam * dt_v).abs().detach().to(torch.float64).amax().item()
    return (
        f"max_n Re(log lam_bar_n) (L - 1) = {rate * (L - 1):.6g} (|lam_bar|^k reaches "
        f"e^that), max_n |dt lam_n| = {step:.6g}"
    )


def h3_diag_kernel(lam: Any, B: Any, C: Any, L: Any, *, dt: Any) -> torch.Tensor:
    """The diagonal SSM of an H3 layer: ``diag_kernel(..., method="zoh", conj_pairs=True)``.

    H3 runs a shift SSM then this diagonal SSM (S4D-style, ZOH, 2 Re over the stored half
    of the conjugate pairs); mirrors ``mp_oracles.h3_diag_kernel``. Shapes, dtypes and
    errors as ``diag_kernel``; the result is real.
    """
    return diag_kernel(lam, B, C, L, dt=dt, method="zoh", conj_pairs=True)
