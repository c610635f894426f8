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
would lose a factor 1/|dt lam|). The taps are taken in blocks of Lc ~ sqrt(L):
lam_bar^{m Lc + j} = lam_bar^{m Lc} lam_bar^j, each factor one exponential of its own
exponent (m Lc log lam_bar, j log lam_bar), so the kernel is one (M x N) @ (N x Lc) matrix
product per system (M = ceil(L / Lc)) after N (M + Lc) exponentials, not N L. The
exponentials are real exp/cos/sin of the real and imaginary parts of the exponent (torch's
complex exp is not vectorized on the CPU). Cost O(N sqrt(L)) exponentials and O(N L)
multiply-adds per system; memory O(batch N sqrt(L)) besides the output.

Accuracy (see ``hippo_verify.testing._bounds.diag``): the exponent k log lam_bar carries
an absolute rounding error of about u k |log lam_bar| (from the rounding of dt lam and of
the scaling by k), which becomes a relative error of the same size in lam_bar^k; the error
therefore grows like u L max|dt lam| until the decay |lam_bar|^k takes over. The blocks do
not change that: the roundings of m Lc log lam_bar and j log lam_bar add up to at most
that of k log lam_bar, and the product of the two factors adds a few u per term (measured
against the oracle on S4D-Lin/Inv, 32 modes, L = 256/4096, dt = 1e-3..1e-1, zoh/bilinear:
errors 0.57x to 1.29x those of one exponential per power, median 0.94x). This is not an
accumulation that chunking could reset -- every power comes from at most two
exponentials, and its error is that of their arguments. ``float64_phase=True`` computes
the whole kernel in float64 from the float32 inputs and rounds the taps, which removes
the growth (measured 50x smaller errors at L = 4096 in float32).

Size: the batch x N x L terms count against ``kernel_elements`` (refused before any
work). Overflow: growing modes (|lam_bar| > 1) over many taps, or weights
Bb = (e^{dt lam} - 1)/lam B beyond the range, raise InvalidArgumentError naming
max_n Re(log lam_bar_n) (L - 1) (the log of the largest power) and max_n |dt lam_n|.
"""

from __future__ import annotations

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


def _powers(log_bar: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(Re, Im) of lam_bar^k = e^{k Re log lam_bar} (cos, sin)(k Im log lam_bar), (..., N, len(k)).

    Real exp/cos/sin, not one complex exp: the same three functions of the same rounded
    exponent, but vectorized (torch's complex exp on the CPU is a scalar loop: 5.5 s against
    0.56 s for the three on 67M float32 elements).
    """
    k = k.to(log_bar.real.dtype)
    wide = log_bar[..., None]
    mag, phase = torch.exp(k * wide.real), k * wide.imag
    re, im = mag * torch.cos(phase), mag * torch.sin(phase)
    # lam_bar = 0 (forward Euler at dt lam = -1) has log -inf, and 0 * -inf is NaN: 0^0 = 1
    # (0^k = 0 for k > 0 comes out of exp(-inf) already).
    first = k == 0
    return torch.where(first, 1.0, re), torch.where(first, 0.0, im)


def _blocks(L: int) -> tuple[int, int]:
    """(taps per block Lc, blocks M), M Lc >= L: one block up to 64 taps, else Lc the power of
    two at or above sqrt(L) (at least 64), so that Lc + M exponentials per mode stay near
    2 sqrt(L) and the products below are matrix products, not matrix-vector ones."""
    if L <= 64:
        return L, 1
    Lc = max(64, 1 << -(-(L.bit_length() - 1) // 2))
    return Lc, -(-L // Lc)


def _vandermonde(
    log_bar: torch.Tensor, weights: torch.Tensor, L: int, real_part: bool
) -> torch.Tensor:
    """sum_n w_n lam_bar_n^k, k < L (2 Re of it if ``real_part``), by blocks k = m Lc + j:

        sum_n w_n lam_bar_n^{m Lc + j} = sum_n (w_n lam_bar_n^{m Lc}) lam_bar_n^j,

    one (M x N) @ (N x Lc) product per system. Each factor is one exponential (block starts
    exp(m Lc log lam_bar), in-block powers exp(j log lam_bar)), never a repeated product: the
    phase errors u m Lc |log lam_bar| and u j |log lam_bar| add up to the u k |log lam_bar|
    of exp(k log lam_bar), plus one complex product per term. N (Lc + M) exponentials
    instead of N L. Computes in the precision of ``log_bar`` and ``weights`` (the same).
    """
    Lc, M = _blocks(L)
    vr, vi = _powers(log_bar, torch.arange(Lc, device=log_bar.device))  # (..., N, Lc)
    x = weights[..., None, :]  # (..., 1, N)
    if M > 1:
        er, ei = _powers(log_bar, Lc * torch.arange(M, device=log_bar.device))
        x = x * torch.complex(er, ei).mT  # (..., M, N): w_n lam_bar_n^{m Lc}
    if real_part:
        # 2 Re sum_n x_n v_n = 2 sum_n (Re x Re v - Im x Im v): two real products.
        out = x.real @ vr - x.imag @ vi
        return 2 * out.flatten(-2)[..., :L]
    return (x @ torch.complex(vr, vi)).flatten(-2)[..., :L]


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
            modes, exponentiate and contract in float64 from the float32 inputs, and round
            the taps to the working precision. This removes the u k |dt lam| phase error of
            complex64 (measured: 1.3e-5 -> 2.4e-7 for S4D-Inv, N = 64, dt = 1e-3,
            L = 4096) for about twice the float32 cost; a no-op for complex128.

    Dtypes: float64/complex128 inputs compute in complex128, float32/complex64 in
    complex64 (the promoted dtype decides); a dt tensor is cast to the working precision
    (to float64 with ``float64_phase``, which also computes in complex128 and rounds the
    taps). float16/bfloat16 are refused (see
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
    weights = C.to(mode_dtype).expand(*batch, N) * Bb
    K = _vandermonde(log_bar, weights, L, conj_pairs)
    K = K.to(dtype if not conj_pairs else dtype.to_real())
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
