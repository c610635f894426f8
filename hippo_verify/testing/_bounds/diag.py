"""Error models of the diagonal (S4D/H3 Vandermonde) and DPLR (S4 Woodbury) kernels.

Three algorithms (``hippo_verify.kernels.diag`` and ``.dplr``):

``vandermonde`` -- ``diag_kernel`` / ``h3_diag_kernel``: K_k = sum_n W_n exp(k log lam_bar_n),
W_n = C_n Bb_n. Analysis: the exponent k log lam_bar_n is formed from the rounded
log lam_bar_n (= dt lam_n for ZOH: rounding of dt to the working precision and of the
product, relative error ~ u) and rounded again after the scaling by k, so it carries an
*absolute* error of about u k |log lam_bar_n|, which the exponential turns into a relative
error of the same size in lam_bar_n^k (a phase error for the imaginary part). Weights,
the exponential itself and the contraction add a few u per term. First order, tap k is
off by u sum_n |W_n| |lam_bar_n|^k (a + b k |log lam_bar_n|): relative to max |K|,

    error <= c u (1 + L cond),   L cond = S - 1,
    S = max_k sum_n |W_n| |lam_bar_n|^k (1 + k |log lam_bar_n|) / max_k |K_k|

(``diag_kernel_condition`` computes cond in float64). This is the "error grows with L" of the
S4D kernel in float32 (2e-6 on the first thousand taps, 2e-5 by 16k): without decay and
without cancellation in K, cond ~ max_n |dt lam_n|, so the growth is L max |dt lam|; the
decay |lam_bar|^k stops it after about 1/(dt |Re lam|) taps (S4D-Lin/Inv have
Re lam = -1/2, hence the plateau from L ~ 2/dt on). It is not an accumulation: every
power comes from its own exponential, so recomputing the exponential at chunk starts
cannot help (measured: chunks of 64 taps, 1.28e-5 vs 1.30e-5 for S4D-Inv N = 64,
dt = 1e-3, L = 4096 in float32; cumulative products 3.5e-5). What helps is forming the
exponent in float64 (``diag_kernel(..., float64_phase=True)``): 2.4e-7.

``vandermonde-f64phase`` -- ``diag_kernel(..., float64_phase=True)`` in float32/complex64:
the inputs are read exactly into float64/complex128, the whole kernel is computed there
and the taps are rounded once. So the bound is the ``vandermonde`` bound at u(float64)
(same c, same S: ``diag_kernel_condition`` ignores ``float64_phase``) plus the output
rounding, <= u(float32) |K_k| <= u max|K| (an ``ErrorModel`` with ``accumulation``,
``output_rounding = 1``). The output rounding binds: the worst err/bound measured over
390 strategy draws is 0.93. (In float64 the option is a no-op: use ``vandermonde``.)
Grading this record needs the option: ``check_kernel(diag_kernel, "vandermonde-f64phase")``
without ``float64_phase=True`` grades the float32-phase path against this tighter model
and fails (e.g. lam = (-1/64 + 4.35i, -1/64 + 53.1i), dt = 1/16, L = 24, bilinear: 7.8e-7
> 4.8e-7 at c = 8; with the option 1.5e-7).

Per-term constants (first order, complex64, relative to |W_n| |lam_bar_n|^k): Bb rounded
(u), the weight product C Bb (<= 2 sqrt(2) u), the complex exponential (exp, cos, sin
within about an ulp each and their product: <= ~5u), the product with the weight
(<= 2 sqrt(2) u) and the N-term sum ((N - 1) u): about 9 + N. The k-term has
coefficient 2 (dt lam rounded, then the scaling by k). These worst cases are not reached at once
(independent roundings): measured on the registry's strategy (``ALGORITHMS[name]
.strategy()``: 1-4 modes, Re lam in [-1, -1/64], |Im lam| <= 64, dt in [1/256, 1/16],
L <= 24, zoh/bilinear, with and without conjugate pairs; 6000 drawn inputs against the
float64 kernel, 300 through ``check_kernel`` against the oracle, hypothesis searches
targeting the ratio), error / (u S) <= 5.53 (vandermonde, float32; 5.16 drawn; the old
float32-phase f64phase route 5.29), i.e. 0.69 of the bound at c = 8: c = 12
(2.2x the worst) covers them and a kernel whose exponential is an ulp less accurate.

``dplr-woodbury`` -- ``dplr_kernel``: Ct = C (I - Ab^L), then Cauchy sums + Woodbury at
the L roots of unity and an inverse FFT. Two error sources, both first order:

1. Ct. C Ab^L is formed by repeated squaring of the rounded Ab; a relative perturbation
   u of Ab moves Ab^L by about L u ||Ab^L|| (L factors), the result by u ||C|| (1 + L
   ||Ab^L||). The kernel is linear in Ct with K_k = Ct h_k, h_k = (I - Ab^L)^{-1} Ab^k Bb,
   so the tap error is about u ||C|| (1 + L ||Ab^L||) max_k ||h_k||. This term dominates
   for small L dt: then Ab^L ~ I - L dt A, Ct is a small difference of O(||C||) terms and
   ||h_k|| ~ ||A^{-1} B|| / L, i.e. a loss of about 1/(dt |A|) (measured: up to 2.2e-13
   in float64 and 1e-4 in float32 at dt = 1e-3; ``dplr_kernel_from_ct``, which takes Ct
   as S4 trains it, does not have this term).
2. Cauchy sums and the r x r solve: at each frequency the componentwise magnitudes
   E_j = |2/(1+z_j)| (a + |b| |x| + |y| |c| + |y| M |x|) (a, b, c, M the sums of the
   absolute terms of k_CtB, k_CtP, k_QhB, k_QhP; x = (I + k_QhP)^{-1} k_QhB, y = k_CtP (I +
   k_QhP)^{-1}); the inverse FFT averages: |dK_k| <= mean_j |dG_j|, plus log2 L for the FFT.

``dplr_kernel_condition`` returns term 1 / max|K| + mean_j E_j / max|K|; the bound is c u (log2 L +
cond). max |K| and h_k come from a float64 dense route (the plain recurrence x <- Ab x on
the dense Ab), independent of the Woodbury code under test.

Independence: the helpers are the judge's own code. They validate with the package's
argument checks (``_validation``, ``_float64.step64``), take alpha from the oracle's table
and compute in NumPy (float64/complex128): their own per-mode discretization, powers by cumulative
products, the dense bilinear Ab by ``numpy.linalg.solve``, Ab^L by
``numpy.linalg.matrix_power``, tangents by ``numpy.tan``. No private kernel function is
used, so a bug in a kernel cannot also move its bound. They return ``inf`` (never NaN)
when the kernel is identically zero or a quantity overflows float64.

Measured against the oracles (25 digits; the ``slow`` sweeps of
``tests/kernels/test_kernels_diag.py`` rerun a subset of this grid): over S4D-Lin and S4D-Inv
inits (``s4d_init``, state size 16, 64 and 128, i.e. 8/32/64 stored modes, B = 1, C
complex normal, 1-3 seeds), dt in {1e-3, 1e-2, 1e-1}, L in {16, 256, 4096, 16384}, methods
zoh/bilinear/backward Euler/forward Euler (stable cases), float64 and float32 (684
kernel/oracle pairs): error / (u (1 + L cond)) <= 2.16 for ``vandermonde`` (median 0.45,
min 0.06) and <= 2.05 for ``vandermonde-f64phase`` (median 0.76). DPLR over HiPPO-LegS in
S4's DPLR form (N = 4, 8, 16, 32) and S4D-Lin/Inv diagonals with random rank-1/2 P, Q
(scale 0.3), N = 4, 8, 16, 32, L in {1, 2, 3, 16, 63, 64, 255, 256}, the same dt, both
dtypes (324 pairs): error / (u (log2 L + cond)) <= 1.54 (median 0.19, min 0.004). The
constants are c = 12 (vandermonde and vandermonde-f64phase: 5.6x the worst on this grid,
2.2x the worst on the registry's strategy, see above; 8 until the registry's strategy was
measured) and c = 6 (dplr, 3.9x).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from ..._errors import InvalidArgumentError, InvalidTypeError
from ..._validation import require_int
from ...oracles.mp_oracles import method_alpha
from .._error_model import ErrorModel, finite_or_inf, log2_ceil
from ._float64 import array64, step64

__all__ = [
    "diag_kernel_condition",
    "dplr_kernel_condition",
    "dplr_kernel_condition_terms",
    "h3_diag_kernel_condition",
]

_SINGLE = (torch.float32, torch.complex64)


def _modes(name: str, value: Any, N: int | None = None) -> np.ndarray:
    """Finite (..., N) values (N >= 1; a tensor, an array or nested lists) as complex128."""
    value = array64(name, value).astype(np.complex128)
    if value.ndim == 0 or value.shape[-1] == 0 or (N is not None and value.shape[-1] != N):
        wanted = "at least one mode" if N is None else f"last dimension {N}"
        raise InvalidArgumentError(f"{name}: expected {wanted}, got shape {tuple(value.shape)}")
    return value


def _factor(name: str, value: Any, N: int) -> np.ndarray:
    """A low-rank factor (..., N, r), r >= 1 (a vector of length N is rank 1), complex128."""
    value = array64(name, value).astype(np.complex128)
    value = value[:, None] if value.ndim == 1 else value
    if value.ndim < 2 or value.shape[-2] != N or value.shape[-1] == 0:
        raise InvalidArgumentError(
            f"{name}: expected shape (..., N, r) with N = {N}, r >= 1, got {tuple(value.shape)}"
        )
    return value


def _broadcast(**shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of the named batch shapes, or InvalidArgumentError naming them."""
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())
        raise InvalidArgumentError(f"batch dimensions do not broadcast: {listed}") from None


def _step(dt: Any) -> tuple[Any, tuple[int, ...]]:
    """(dt as a float or float64 array, its batch shape)."""
    step = step64(dt)
    if isinstance(step, np.ndarray):
        return step, tuple(step.shape)
    return step, ()


def _alpha(method: Any) -> float | None:
    """alpha from the oracle's table (not the kernel's), None for ZOH."""
    alpha = method_alpha(method)
    return None if alpha is None else float(alpha)


def _modes_discretized(
    lam: np.ndarray, B: np.ndarray, dt: Any, alpha: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log lam_bar, lam_bar, Bb) per mode, straight from the definitions (numpy):
    ZOH lam_bar = e^{dt lam}, Bb = (e^{dt lam} - 1)/lam B (dt B at lam = 0); gbt
    lam_bar = (1 + (1-alpha) dt lam)/(1 - alpha dt lam), Bb = dt B/(1 - alpha dt lam)."""
    dt_v = dt[..., None] if isinstance(dt, np.ndarray) else dt
    z = lam * dt_v
    if alpha is None:
        safe = np.where(z == 0, 1, z)
        phi = np.where(z == 0, 1, np.expm1(safe) / safe)
        return z, np.exp(z), B * dt_v * phi
    log_bar = np.log1p((1 - alpha) * z) - np.log1p(-alpha * z)
    return log_bar, (1 + (1 - alpha) * z) / (1 - alpha * z), B * dt_v / (1 - alpha * z)


def _taps_by_products(
    weights: np.ndarray, lam_bar: np.ndarray, L: int, conj_pairs: bool
) -> np.ndarray:
    """K_k = sum_n W_n lam_bar_n^k, k < L, with the powers by cumulative products (an
    independent route: the kernel exponentiates); the real part with ``conj_pairs`` (the
    weights then carry the factor 2)."""
    ones = np.ones((*lam_bar.shape, 1), dtype=lam_bar.dtype)
    steps = np.broadcast_to(lam_bar[..., None], (*lam_bar.shape, L - 1))
    powers = np.cumprod(np.concatenate([ones, steps], axis=-1), axis=-1)
    K = (weights[..., None, :] @ powers)[..., 0, :]
    return K.real if conj_pairs else K


def h3_diag_taps(lam: Any, B: Any, C: Any, L: int, *, dt: Any) -> np.ndarray:
    """The taps of ``h3_diag_kernel`` (ZOH, conjugate pairs) in float64, one system, by the
    judge's own route (per-mode ZOH from its definition, powers by cumulative products)."""
    lam = _modes("lam", lam)
    N = lam.shape[-1]
    B, C = _modes("B", B, N), _modes("C", C, N)
    L = require_int("L", L, minimum=1)
    step, _ = _step(dt)
    with np.errstate(all="ignore"):
        _, lam_bar, Bb = _modes_discretized(lam, B, step, None)
        return _taps_by_products(2 * C * Bb, lam_bar, L, conj_pairs=True)


def h3_diag_magnitudes(lam: Any, B: Any, C: Any, L: int, *, dt: Any) -> np.ndarray:
    """M_j = sum_n |W_n| |lam_bar_n|^j (W_n = 2 C_n Bb_n, ZOH), j < L, in float64: the taps
    of ``h3_diag_taps`` with every term in absolute value (M_j >= |K_j|). The kernel's
    rounding errors scale with M_j, not with |K_j|: where the real part or the sum over
    modes cancels, |K_j| can be far below them (the "1" term of ``diag_kernel_condition``'s
    S, per tap). |lam_bar_n|^j = e^{j dt Re lam_n} (inf past float64's range)."""
    lam = _modes("lam", lam)
    N = lam.shape[-1]
    B, C = _modes("B", B, N), _modes("C", C, N)
    L = require_int("L", L, minimum=1)
    step, _ = _step(dt)
    with np.errstate(all="ignore"):
        log_bar, _, Bb = _modes_discretized(lam, B, step, None)
        k = np.arange(L, dtype=np.float64)
        magnitude = np.where(k == 0, 1.0, np.exp(k * log_bar.real[..., None]))
        return (np.abs(2 * C * Bb)[..., None] * magnitude).sum(-2)


def diag_kernel_condition(
    lam: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    L: int,
    *,
    dt: float | torch.Tensor,
    method: object = "zoh",
    conj_pairs: bool = True,
    float64_phase: bool = False,
) -> float:
    """cond of ``diag_kernel`` for the models ``vandermonde`` / ``vandermonde-f64phase``.

    cond = (S - 1) / L (so that the growth 1 + L cond equals S), computed in float64 on
    the CPU, with the first-order sensitivity

        S = max_k sum_n |W_n| |lam_bar_n|^k (1 + k |log lam_bar_n|) / max_k |K_k|,

    W_n = C_n Bb_n (times 2 with ``conj_pairs``); the same S with ``float64_phase`` (the
    kernel then runs in float64, and the model ``vandermonde-f64phase`` applies S to
    u(float64) and adds the output's rounding). It accounts for decay, for the size of the
    weights and for cancellation in K. Without cancellation and decay, cond is about
    max_n |log lam_bar_n| (= max_n |dt lam_n| for ZOH), the value to pass when only lam
    and dt are known. max |K| comes from an independent route (cumulative products of
    lam_bar). Arguments as ``diag_kernel``; the maximum over the batch is returned; inf
    if K = 0 (no relative error is defined) or a quantity overflows.

    The per-mode discretization is the judge's own (numpy, from the definitions): ZOH
    lam_bar = e^{dt lam}, Bb = (e^{dt lam} - 1)/lam B (dt B at lam = 0); gbt lam_bar =
    (1 + (1 - alpha) dt lam)/(1 - alpha dt lam), Bb = dt B/(1 - alpha dt lam), alpha from
    the oracle's table.

    Arguments:
        lam: (..., N) continuous modes (diagonal of A), real or complex, N >= 1; with
            ``conj_pairs`` one mode of each conjugate pair, as in S4D.
        B: (..., N) input. C: (..., N) output row (not conjugated).
            Each a tensor, NumPy array, sympy Matrix or nested lists of numbers; batch
            dimensions of lam, B, C and dt broadcast.
        L: number of taps, an integer >= 1 (k = 0 .. L-1).
        dt: the step (keyword only): a real number > 0, or a real floating tensor of
            positive steps whose shape broadcasts with the batch.
        method: "zoh" (default), "bilinear", "forward_euler", "backward_euler" or
            ("gbt", alpha).
        conj_pairs: if true the real kernel K_k = Re sum_n 2 C_n Bb_n lam_bar_n^k (W_n
            carries the factor 2 in S), otherwise the complex sum.
        float64_phase: accepted for the registry's ``vandermonde-f64phase`` record (its
            options reach the condition); it does not change S. Both flags must be bools.

    Returns:
        cond = max over the batch of max(0, (S - 1)/L), a float >= 0; inf if K = 0 for
        some system of the batch or S is not finite in float64 (overflow, or a gbt pole
        1 - alpha dt lam = 0, where lam_bar and Bb are not finite).

    Raises:
        InvalidTypeError: non-numeric lam/B/C (strings, ragged lists, symbols); L not an
            integer; dt a bool, complex, non-real or an integer/complex tensor; method
            neither a name nor ("gbt", alpha), alpha not a real number.
        InvalidArgumentError: non-finite entries, no mode (N = 0 or a scalar lam), B or C
            whose last dimension is not N, batch dimensions that do not broadcast; L < 1;
            dt NaN, infinite or <= 0 (any tensor entry); an unknown method name or alpha
            outside [0, 1].
    """
    for flag, value in (("conj_pairs", conj_pairs), ("float64_phase", float64_phase)):
        if not isinstance(value, bool):
            raise InvalidTypeError(f"{flag}: expected a bool, got {type(value).__name__}")
    lam = _modes("lam", lam)
    N = lam.shape[-1]
    B, C = _modes("B", B, N), _modes("C", C, N)
    L = require_int("L", L, minimum=1)
    step, step_shape = _step(dt)
    alpha = _alpha(method)
    batch = _broadcast(lam=lam.shape[:-1], B=B.shape[:-1], C=C.shape[:-1], dt=step_shape)
    lam, B, C = (np.broadcast_to(x, (*batch, N)) for x in (lam, B, C))
    with np.errstate(all="ignore"):
        log_bar, lam_bar, Bb = _modes_discretized(lam, B, step, alpha)
        weights = C * Bb * (2 if conj_pairs else 1)
        k = np.arange(L, dtype=np.float64)
        magnitude = np.exp(k * log_bar.real[..., None])  # |lam_bar|^k, (..., N, L)
        magnitude = np.where(k == 0, 1.0, magnitude)
        rate = np.abs(log_bar)
        rate = np.nan_to_num(rate, posinf=0.0)[..., None]  # lam_bar = 0: no powers after k=0
        terms = np.abs(weights)[..., None] * magnitude * (1 + k * rate)
        peak = np.abs(_taps_by_products(weights, lam_bar, L, conj_pairs)).max(-1)
        S = terms.sum(-2).max(-1) / peak
    if not (peak > 0).all() or not np.isfinite(S).all():
        return math.inf
    return finite_or_inf(float(np.maximum((S - 1) / L, 0).max()))


def h3_diag_kernel_condition(
    lam: torch.Tensor, B: torch.Tensor, C: torch.Tensor, L: int, *, dt: float | torch.Tensor
) -> float:
    """cond of ``h3_diag_kernel`` for the ``vandermonde`` model: ``diag_kernel_condition``
    with ZOH and conjugate pairs, the discretization ``h3_diag_kernel`` uses.

    cond = (S - 1)/L with S = max_k sum_n |W_n| |lam_bar_n|^k (1 + k |log lam_bar_n|) /
    max_k |K_k|, lam_bar_n = e^{dt lam_n}, W_n = 2 C_n Bb_n, Bb_n = (e^{dt lam_n} - 1)/lam_n
    B_n, K_k = Re sum_n W_n lam_bar_n^k (module docstring, ``vandermonde``).

    Arguments:
        lam: (..., N) continuous modes, one of each conjugate pair (real or complex).
        B: (..., N) input. C: (..., N) output row (not conjugated).
            Each a tensor, NumPy array, sympy Matrix or nested lists of numbers; batch
            dimensions of lam, B, C and dt broadcast.
        L: number of taps, an integer >= 1.
        dt: the ZOH step (keyword only): a real number > 0, or a real floating tensor of
            positive steps whose shape broadcasts with the batch.

    Returns:
        cond >= 0 as a float, the largest over the batch; inf if K = 0 for some system or
        S is not finite in float64.

    Raises:
        InvalidTypeError: non-numeric lam/B/C; L not an integer; dt a bool, complex,
            non-real or an integer/complex tensor.
        InvalidArgumentError: non-finite entries, no mode, B or C whose last dimension is
            not N, non-broadcasting batch dimensions; L < 1; dt NaN, infinite or <= 0.
    """
    return diag_kernel_condition(lam, B, C, L, dt=dt, method="zoh", conj_pairs=True)


def _dplr_inputs(
    Lambda: Any, P: Any, Q: Any, B: Any, C: Any, L: Any, dt: Any
) -> tuple[list[np.ndarray], Any, int]:
    """Validated, broadcast complex128 (Lambda, P, Q, B, C), dt (float or array), L."""
    Lambda = _modes("Lambda", Lambda)
    N = Lambda.shape[-1]
    P, Q = _factor("P", P, N), _factor("Q", Q, N)
    if P.shape[-1] != Q.shape[-1]:
        raise InvalidArgumentError(f"P and Q must have the same rank r; got {P.shape}, {Q.shape}")
    B, C = _modes("B", B, N), _modes("C", C, N)
    L = require_int("L", L, minimum=1)
    step, step_shape = _step(dt)
    batch = _broadcast(
        Lambda=Lambda.shape[:-1],
        P=P.shape[:-2],
        Q=Q.shape[:-2],
        B=B.shape[:-1],
        C=C.shape[:-1],
        dt=step_shape,
    )
    r = P.shape[-1]
    vectors = [np.broadcast_to(x, (*batch, N)) for x in (Lambda, B, C)]
    factors = [np.broadcast_to(x, (*batch, N, r)) for x in (P, Q)]
    return [vectors[0], *factors, vectors[1], vectors[2]], step, L


def _bilinear(
    Lambda: np.ndarray, P: np.ndarray, Q: np.ndarray, B: np.ndarray, dt: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Dense (Ab, Bb) of A = diag(Lambda) - P Q^H: (I - dt/2 A)^{-1} [(I + dt/2 A), dt B]."""
    N = Lambda.shape[-1]
    eye = np.eye(N)
    A = Lambda[..., :, None] * eye - P @ np.conj(np.swapaxes(Q, -1, -2))
    half = dt[..., None, None] / 2 if isinstance(dt, np.ndarray) else dt / 2
    dt_v = dt[..., None] if isinstance(dt, np.ndarray) else dt
    try:
        Ab = np.linalg.solve(eye - half * A, eye + half * A)
        Bb = np.linalg.solve(eye - half * A, (dt_v * B)[..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise InvalidArgumentError("I - dt/2 A is singular: 2/dt is an eigenvalue of A") from None
    return Ab, Bb


def _krylov(Ab: np.ndarray, Bb: np.ndarray, L: int) -> np.ndarray:
    """X[..., :, k] = Ab^k Bb, k < L, by the plain recurrence."""
    X = np.empty((*Bb.shape, L), dtype=np.result_type(Ab, Bb))
    x = Bb
    for k in range(L):
        X[..., k] = x
        x = (Ab @ x[..., None])[..., 0]
    return X


def _woodbury_magnitude(
    Lambda: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    B: np.ndarray,
    Ct: np.ndarray,
    dt: Any,
    L: int,
) -> np.ndarray:
    """E_j (..., L): the componentwise magnitude of the Woodbury expression at the roots
    of unity z_j (module docstring), with w_j = (2i/dt) tan(pi j/L), |2/(1+z_j)| =
    sqrt(1 + tan^2) and E = sum |dt/2 Ct B| at z = -1 (j = L/2)."""
    j = np.arange(L)
    t = np.tan(np.pi * j / L)
    half = L // 2 if L % 2 == 0 else None
    if half is not None:
        t[half] = 0.0  # overwritten below
    dt_v = dt[..., None] if isinstance(dt, np.ndarray) else dt
    w = 2j * t / dt_v
    inv = 1 / (w[..., :, None] - Lambda[..., None, :])  # (..., L, N)
    left = np.concatenate([Ct[..., None], np.conj(Q)], axis=-1)  # Ct, Q^H rows
    right = np.concatenate([B[..., None], P], axis=-1)  # B, P columns
    k = np.einsum("...ln,...na,...nb->...lab", inv, left, right)
    mag = np.einsum("...ln,...na,...nb->...lab", np.abs(inv), np.abs(left), np.abs(right))
    system = np.eye(left.shape[-1] - 1) + k[..., 1:, 1:]
    x = np.abs(np.linalg.solve(system, k[..., 1:, 0:1]))
    y = np.abs(
        np.swapaxes(
            np.linalg.solve(np.swapaxes(system, -1, -2), np.swapaxes(k[..., 0:1, 1:], -1, -2)),
            -1,
            -2,
        )
    )
    a, b, c, m = mag[..., 0, 0], mag[..., 0:1, 1:], mag[..., 1:, 0:1], mag[..., 1:, 1:]
    E = a + (b @ x)[..., 0, 0] + (y @ c)[..., 0, 0] + (y @ m @ x)[..., 0, 0]
    E = E * np.sqrt(1 + t**2)
    if half is not None:
        E[..., half] = np.abs(dt_v / 2 * Ct * B).sum(-1)
    return E


def dplr_kernel_condition_terms(
    Lambda: torch.Tensor,
    P: torch.Tensor,
    Q: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    L: int,
    *,
    dt: float | torch.Tensor,
) -> tuple[float, float]:
    """(Ct term, Woodbury term) of ``dplr_kernel_condition``, each relative to max |K|
    (float64, CPU).

    Ct term: ||C|| (1 + L ||Ab^L||_2) max_k ||(I - Ab^L)^{-1} Ab^k Bb|| / max|K|.
    Woodbury term: mean_j E_j / max|K|, E_j the componentwise magnitude of the Woodbury
    expression at z_j (module docstring). Maxima over the batch; inf (never NaN) if K = 0,
    I - Ab^L is singular or a quantity overflows.

    Everything in float64/complex128 numpy, by the judge's own route: the dense bilinear
    Ab = (I - dt/2 A)^{-1} (I + dt/2 A), Bb = (I - dt/2 A)^{-1} dt B of
    A = diag(Lambda) - P Q^H (numpy.linalg.solve), Ab^L by numpy.linalg.matrix_power,
    Ct = C (I - Ab^L), Ab^k Bb by the plain recurrence and from it K_k = C Ab^k Bb (max|K|,
    the scale of both terms), the frequencies w_j = (2i/dt) tan(pi j/L) by numpy.tan.

    Arguments:
        Lambda: (..., N) diagonal of A, real or complex, N >= 1.
        P, Q: (..., N, r) low-rank factors, A = diag(Lambda) - P Q^H (Q conjugated), the
            same r >= 1; a vector of length N is rank 1.
        B: (..., N) input. C: (..., N) output row (not conjugated).
            Each a tensor, NumPy array, sympy Matrix or nested lists of numbers; batch
            dimensions of all five and dt broadcast.
        L: number of taps, an integer >= 1.
        dt: the bilinear step (keyword only): a real number > 0, or a real floating tensor
            of positive steps whose shape broadcasts with the batch.

    Returns:
        (term_ct, term_woodbury), two floats >= 0, each the largest over the batch;
        (inf, inf) if K = 0 for some system or I - Ab^L is (numerically exactly)
        singular; the Woodbury term inf if an r x r system I + k_QhP is singular at some
        frequency; either inf if it overflows float64.

    Raises:
        InvalidTypeError: non-numeric Lambda/P/Q/B/C; L not an integer; dt a bool,
            complex, non-real or an integer/complex tensor.
        InvalidArgumentError: non-finite entries, no mode, P or Q not (..., N, r) with
            r >= 1, P and Q of different ranks, B or C whose last dimension is not N,
            non-broadcasting batch dimensions; L < 1; dt NaN, infinite or <= 0; I - dt/2 A
            singular (2/dt an eigenvalue of A).
    """
    (Lambda, P, Q, B, C), step, L = _dplr_inputs(Lambda, P, Q, B, C, L, dt)
    with np.errstate(all="ignore"):
        Ab, Bb = _bilinear(Lambda, P, Q, B, step)
        AbL = np.linalg.matrix_power(Ab, L)
        Ct = C - (C[..., None, :] @ AbL)[..., 0, :]
        X = _krylov(Ab, Bb, L)
        scale = np.abs((C[..., None, :] @ X)[..., 0, :]).max(-1)  # max |K|, dense route
        if not (scale > 0).all():  # K = 0 (or NaN): no relative error is defined
            return math.inf, math.inf
        try:
            H = np.linalg.solve(np.eye(Ab.shape[-1]) - AbL, X)  # (I - Ab^L)^{-1} Ab^k Bb
        except np.linalg.LinAlgError:
            return math.inf, math.inf
        err_ct = np.linalg.norm(C, axis=-1) * (1 + L * np.linalg.norm(AbL, 2, axis=(-2, -1)))
        term_ct = err_ct * np.linalg.norm(H, axis=-2).max(-1) / scale
        try:
            term_w = _woodbury_magnitude(Lambda, P, Q, B, Ct, step, L).mean(-1) / scale
        except np.linalg.LinAlgError:
            return finite_or_inf(float(term_ct.max())), math.inf
    return tuple(finite_or_inf(float(np.max(t))) for t in (term_ct, term_w))


def dplr_kernel_condition(
    Lambda: torch.Tensor,
    P: torch.Tensor,
    Q: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    L: int,
    *,
    dt: float | torch.Tensor,
) -> float:
    """cond of ``dplr_kernel`` for the ``dplr-woodbury`` model (float64): the sum of the
    two ``dplr_kernel_condition_terms``. Arguments as ``dplr_kernel``.

    cond = ||C|| (1 + L ||Ab^L||_2) max_k ||(I - Ab^L)^{-1} Ab^k Bb|| / max|K|
    + mean_j E_j / max|K| (module docstring, ``dplr-woodbury``; the model's growth is
    log2 L + cond). Each term is maximized over the batch on its own, so for a batch the
    sum can exceed the worst single system's cond.

    Arguments:
        Lambda: (..., N) diagonal of A, real or complex.
        P, Q: (..., N, r) low-rank factors, A = diag(Lambda) - P Q^H (Q conjugated), the
            same r >= 1; a vector of length N is rank 1.
        B: (..., N) input. C: (..., N) output row (not conjugated).
            Each a tensor, NumPy array, sympy Matrix or nested lists of numbers; batch
            dimensions of all five and dt broadcast.
        L: number of taps, an integer >= 1.
        dt: the bilinear step (keyword only): a real number > 0, or a real floating tensor
            of positive steps broadcasting with the batch.

    Returns:
        cond >= 0 as a float; inf if either term is inf (K = 0, I - Ab^L or a Woodbury
        system singular, overflow).

    Raises:
        InvalidTypeError, InvalidArgumentError: as ``dplr_kernel_condition_terms``
            (non-numeric or non-finite inputs, shapes and ranks, L, dt, I - dt/2 A
            singular).
    """
    return sum(dplr_kernel_condition_terms(Lambda, P, Q, B, C, L, dt=dt))


def _vandermonde_growth(L: int, N: int, cond: float) -> float:
    # NaN for a NaN or negative cond, so the bound refuses instead of passing
    return 1.0 + L * cond if cond >= 0 else math.nan


def _dplr_growth(L: int, N: int, cond: float) -> float:
    return log2_ceil(L) + cond if cond >= 0 else math.nan


_VANDERMONDE_TEXT = (
    "1 + L*cond, cond = (S-1)/L from diag_kernel_condition (S = max_k sum_n |W_n||lam_bar_n|^k "
    "(1 + k|log lam_bar_n|) / max|K|; ~ max|dt lam| without decay or cancellation)"
)

VANDERMONDE_MODEL = ErrorModel(
    algorithm="vandermonde",
    constant=12.0,
    growth=_vandermonde_growth,
    growth_text=_VANDERMONDE_TEXT,
    justification=(
        "exponent k log lam_bar carries absolute error ~u k |log lam_bar| (rounded "
        "dt lam, rounded scaling), a relative error of lam_bar^k; weighted by "
        "|W_n||lam_bar_n|^k and normalized by max|K| (hippo_verify.testing._bounds.diag); "
        "per term a constant-size error (Bb, weights, exp, product, N-term sum: ~9 + N u "
        "at worst, first order). Measured vs the oracle on S4D-Lin/Inv (8-64 modes, dt "
        "1e-3..1e-1, L <= 16384, zoh/gbt, float64+float32): error <= 2.16 u (1 + L cond); "
        "on the registry's strategy (1-4 modes, |Im lam| <= 64, L <= 24; drawn and "
        "hypothesis-targeted): <= 5.53 u (1 + L cond) (float32). c = 12 (2.2x)."
    ),
)

VANDERMONDE_F64PHASE_MODEL = ErrorModel(
    algorithm="vandermonde-f64phase",
    constant=12.0,
    growth=_vandermonde_growth,
    growth_text=_VANDERMONDE_TEXT + "; in float64, plus the float32 output rounding",
    justification=(
        "diag_kernel(float64_phase=True) reads the float32/complex64 inputs exactly into "
        "float64/complex128, computes the whole kernel there and rounds the taps once: "
        "the float64 part is the vandermonde model at u(float64), c = 12 (same analysis, "
        "same cond), and the final rounding costs <= u(float32) |K_k| <= u max|K| "
        "(output_rounding = 1; for complex64 each part rounds relatively, so |delta| <= "
        "u |K_k|). Bound 12 u64 (1 + L cond) + u32."
    ),
    dtypes=_SINGLE,
    accumulation=((torch.float32, torch.float64), (torch.complex64, torch.complex128)),
    output_rounding=1.0,
)

DPLR_WOODBURY_MODEL = ErrorModel(
    algorithm="dplr-woodbury",
    constant=6.0,
    growth=_dplr_growth,
    growth_text=(
        "log2(L) + cond, cond = dplr_kernel_condition: ||C||(1 + L||Ab^L||) max_k||(I-Ab^L)^{-1} "
        "Ab^k Bb|| / max|K| (the Ct = C(I - Ab^L) cancellation) + mean_j of the "
        "componentwise Cauchy/Woodbury magnitudes / max|K|"
    ),
    justification=(
        "first-order errors of Ct (repeated squaring, L u ||Ab^L||, amplified by "
        "(I - Ab^L)^{-1}) and of the Cauchy sums + r x r solve at each root of unity, "
        "averaged by the inverse FFT. Measured vs the oracle on HiPPO-LegS (DPLR form) "
        "and S4D-Lin/Inv + random rank-1/2 P, Q (N 4-32, L 1-256, dt 1e-3..1e-1, "
        "float64+float32): error <= 1.54 u (log2 L + cond); c = 6."
    ),
)
