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

(``vandermonde_cond`` computes cond in float64). This is the "error grows with L" of the
S4D kernel in float32 (2e-6 on the first thousand taps, 2e-5 by 16k): without decay and
without cancellation in K, cond ~ max_n |dt lam_n|, so the growth is L max |dt lam|; the
decay |lam_bar|^k stops it after about 1/(dt |Re lam|) taps (S4D-Lin/Inv have
Re lam = -1/2, hence the plateau from L ~ 2/dt on). It is not an accumulation: every
power comes from its own exponential, so recomputing the exponential at chunk starts
cannot help (measured: chunks of 64 taps, 1.28e-5 vs 1.30e-5 for S4D-Inv N = 64,
dt = 1e-3, L = 4096 in float32; cumulative products 3.5e-5). What helps is forming the
exponent in float64 (``diag_kernel(..., float64_phase=True)``): 2.4e-7.

``vandermonde-f64phase`` -- ``diag_kernel(..., float64_phase=True)`` in float32/complex64:
the modes and the exponents are computed in float64 and the imaginary part is reduced
modulo 2 pi before the rounding to complex64; what remains is the rounding of the real
part of the exponent, u k |Re log lam_bar| relative in |lam_bar|^k (bounded by u/e times
the decayed weight), so ``vandermonde_cond(..., float64_phase=True)`` replaces
|log lam_bar_n| by |Re log lam_bar_n| in S. Same g and c. (In float64 the option is a
no-op: use ``vandermonde``.)

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

``dplr_cond`` returns term 1 / max|K| + mean_j E_j / max|K|; the bound is c u (log2 L +
cond). max |K| and h_k come from a float64 dense route (Krylov doubling of the dense Ab),
independent of the Woodbury code under test.

Measured against the oracles (25 digits; the ``slow`` sweeps of
``tests/test_kernels_diag.py`` rerun a subset of this grid): over S4D-Lin and S4D-Inv
inits (``s4d_init``, state size 16, 64 and 128, i.e. 8/32/64 stored modes, B = 1, C
complex normal, 1-3 seeds), dt in {1e-3, 1e-2, 1e-1}, L in {16, 256, 4096, 16384}, methods
zoh/bilinear/backward Euler/forward Euler (stable cases), float64 and float32 (684
kernel/oracle pairs): error / (u (1 + L cond)) <= 2.16 for ``vandermonde`` (median 0.45,
min 0.06) and <= 2.05 for ``vandermonde-f64phase`` (median 0.76). DPLR over HiPPO-LegS in
S4's DPLR form (N = 4, 8, 16, 32) and S4D-Lin/Inv diagonals with random rank-1/2 P, Q
(scale 0.3), N = 4, 8, 16, 32, L in {1, 2, 3, 16, 63, 64, 255, 256}, the same dt, both
dtypes (324 pairs): error / (u (log2 L + cond)) <= 1.54 (median 0.19, min 0.004). The
constants are c = 8 (vandermonde, 3.7x the worst) and c = 6 (dplr, 3.9x).
"""

from __future__ import annotations

import torch

from ...kernels._args import broadcast_batch, method_alpha, require_L, require_step
from ...kernels.dense import krylov_block
from ...kernels.diag import _discretize_modes, mode_vector
from ...kernels.dplr import _validated, bilinear_matrix, unit_circle_tangents
from .._error_model import ErrorModel, log2_ceil, register

__all__ = ["dplr_cond", "dplr_cond_terms", "vandermonde_cond"]

_SINGLE = (torch.float32, torch.complex64)


def _c128(x: torch.Tensor) -> torch.Tensor:
    return x.detach().to("cpu", torch.complex128)


def _step64(dt: object) -> object:
    return dt.detach().to("cpu", torch.float64) if isinstance(dt, torch.Tensor) else dt


def vandermonde_cond(
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

    W_n = C_n Bb_n (times 2 with ``conj_pairs``), and |Re log lam_bar_n| in place of
    |log lam_bar_n| with ``float64_phase``. It accounts for decay, for the size of the
    weights and for cancellation in K. Without cancellation and decay, cond is about
    max_n |log lam_bar_n| (= max_n |dt lam_n| for ZOH), the value to pass when only lam
    and dt are known. max |K| comes from an independent route (cumulative products of
    lam_bar). Arguments as ``diag_kernel``; the maximum over the batch is returned.
    """
    lam = _c128(mode_vector("lam", lam))
    N = lam.shape[-1]
    B, C = _c128(mode_vector("B", B, N)), _c128(mode_vector("C", C, N))
    L = require_L(L)
    step = _step64(require_step(dt))
    alpha = method_alpha(method)
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(lam=lam.shape[:-1], B=B.shape[:-1], C=C.shape[:-1], dt=step_shape)
    lam, B, C = (x.expand(*batch, N) for x in (lam, B, C))
    log_bar, Bb = _discretize_modes(lam, B, step, alpha)
    weights = C * Bb * (2 if conj_pairs else 1)
    k = torch.arange(L, dtype=torch.float64)
    magnitude = torch.exp(k * log_bar.real[..., None])  # |lam_bar|^k, (..., N, L)
    magnitude = torch.where(k == 0, torch.ones_like(magnitude), magnitude)
    rate = log_bar.real.abs() if float64_phase else log_bar.abs()
    rate = torch.nan_to_num(rate, posinf=0.0)[..., None]  # lam_bar = 0: no powers after k=0
    terms = weights.abs()[..., None] * magnitude * (1 + k * rate)
    lam_bar = torch.exp(log_bar)
    powers = torch.cat(
        [torch.ones_like(lam_bar)[..., None], lam_bar[..., None].expand(*lam_bar.shape, L - 1)],
        dim=-1,
    ).cumprod(-1)
    K = (weights[..., None, :] @ powers)[..., 0, :]
    K = K.real if conj_pairs else K  # the weights carry the factor 2
    S = terms.sum(-2).amax(-1) / K.abs().amax(-1)
    return float(((S - 1) / L).clamp(min=0).max())


def dplr_cond_terms(
    Lambda: torch.Tensor,
    P: torch.Tensor,
    Q: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    L: int,
    *,
    dt: float | torch.Tensor,
) -> tuple[float, float]:
    """(Ct term, Woodbury term) of ``dplr_cond``, each relative to max |K| (float64, CPU).

    Ct term: ||C|| (1 + L ||Ab^L||_2) max_k ||(I - Ab^L)^{-1} Ab^k Bb|| / max|K|.
    Woodbury term: mean_j E_j / max|K|, E_j the componentwise magnitude of the Woodbury
    expression at z_j (module docstring). Maxima over the batch.
    """
    tensors = [_c128(x) if isinstance(x, torch.Tensor) else x for x in (Lambda, P, Q, B, C)]
    Lambda, P, Q, B, C, step, L = _validated(*tensors, "C", L, _step64(dt))
    N = Lambda.shape[-1]
    eye = torch.eye(N, dtype=torch.complex128)
    dt_v = step[..., None] if isinstance(step, torch.Tensor) else step
    half = dt_v[..., None] / 2 if isinstance(step, torch.Tensor) else step / 2
    A = torch.diag_embed(Lambda) - P @ Q.mH
    Ab = bilinear_matrix(Lambda, P, Q, step)
    Bb = torch.linalg.solve(eye - half * A, dt_v * B)
    AbL = torch.linalg.matrix_power(Ab, L)
    Ct = C - (C[..., None, :] @ AbL)[..., 0, :]
    X, _ = krylov_block(Ab, Bb, L)  # (..., N, L): Ab^k Bb, by doubling in float64
    scale = (C[..., None, :] @ X)[..., 0, :].abs().amax(-1)  # max |K|, dense route
    norm = torch.linalg.vector_norm
    H = torch.linalg.solve(eye - AbL, X)  # h_k = (I - Ab^L)^{-1} Ab^k Bb
    err_ct = norm(C, dim=-1) * (1 + L * torch.linalg.matrix_norm(AbL, ord=2))
    term_ct = err_ct * norm(H, dim=-2).amax(-1) / scale
    t, j_half = unit_circle_tangents(L, torch.device("cpu"))
    w = torch.complex(torch.zeros_like(t * dt_v), 2 * t / dt_v)
    inv = 1 / (w[..., :, None] - Lambda[..., None, :])  # (..., L, N)
    left = torch.cat([Ct[..., None], Q.conj()], dim=-1)
    right = torch.cat([B[..., None], P], dim=-1)
    r1 = left.shape[-1]
    products = (left[..., :, :, None] * right[..., :, None, :]).flatten(-2)
    k = (inv @ products).unflatten(-1, (r1, r1))
    mag = (inv.abs() @ products.abs()).unflatten(-1, (r1, r1))
    system = torch.eye(r1 - 1, dtype=torch.complex128) + k[..., 1:, 1:]
    x = torch.linalg.solve(system, k[..., 1:, 0:1]).abs()
    y = torch.linalg.solve(system.mT, k[..., 0:1, 1:].mT).mT.abs()
    a, b, c, m = mag[..., 0, 0], mag[..., 0:1, 1:], mag[..., 1:, 0:1], mag[..., 1:, 1:]
    E = a + (b @ x)[..., 0, 0] + (y @ c)[..., 0, 0] + (y @ m @ x)[..., 0, 0]
    E = E * torch.sqrt(1 + t**2)  # |2/(1+z_j)| = |1 + i t_j|
    if j_half is not None:
        E[..., j_half] = (dt_v / 2 * (Ct * B).abs()).sum(-1)
    term_w = E.mean(-1) / scale
    return float(term_ct.max()), float(term_w.max())


def dplr_cond(
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
    two ``dplr_cond_terms``. Arguments as ``dplr_kernel``."""
    return sum(dplr_cond_terms(Lambda, P, Q, B, C, L, dt=dt))


_VANDERMONDE_TEXT = (
    "1 + L*cond, cond = (S-1)/L from vandermonde_cond (S = max_k sum_n |W_n||lam_bar_n|^k "
    "(1 + k|log lam_bar_n|) / max|K|; ~ max|dt lam| without decay or cancellation)"
)

register(
    ErrorModel(
        algorithm="vandermonde",
        constant=8.0,
        growth=lambda L, N, cond: 1.0 + L * cond,
        growth_text=_VANDERMONDE_TEXT,
        justification=(
            "exponent k log lam_bar carries absolute error ~u k |log lam_bar| (rounded "
            "dt lam, rounded scaling), a relative error of lam_bar^k; weighted by "
            "|W_n||lam_bar_n|^k and normalized by max|K| (hippo_verify.testing._bounds.diag). "
            "Measured vs the oracle on S4D-Lin/Inv (8-64 modes, dt 1e-3..1e-1, L <= 16384, "
            "zoh/gbt, float64+float32): error <= 2.16 u (1 + L cond); c = 8."
        ),
    )
)

register(
    ErrorModel(
        algorithm="vandermonde-f64phase",
        constant=8.0,
        growth=lambda L, N, cond: 1.0 + L * cond,
        growth_text=_VANDERMONDE_TEXT.replace("|log lam_bar_n|", "|Re log lam_bar_n|")
        + "; vandermonde_cond(..., float64_phase=True)",
        justification=(
            "diag_kernel(float64_phase=True): exponent formed in float64, Im reduced mod "
            "2 pi, so only u k |Re log lam_bar| remains (<= u/e after the decay). Measured "
            "on the vandermonde grid in float32: error <= 2.05 u (1 + L cond); c = 8."
        ),
        dtypes=_SINGLE,
    )
)

register(
    ErrorModel(
        algorithm="dplr-woodbury",
        constant=6.0,
        growth=lambda L, N, cond: log2_ceil(L) + cond,
        growth_text=(
            "log2(L) + cond, cond = dplr_cond: ||C||(1 + L||Ab^L||) max_k||(I-Ab^L)^{-1} "
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
)
