"""Error models of the dense kernels (``hippo_verify.kernels.discretize/dense/scan/conv``).

Every bound is relative to the max-norm of the oracle result (see ``_error_model``):
err <= c * u(dtype) * g(L, N, cond). For the dense kernels ``cond`` is a relative
condition number: how much the result moves, relative to its max-norm, under the
perturbations that rounding makes, estimated in float64 (complex128) by exact directional
derivatives along a few seeded random directions. The helpers compute it from the system,
so tests and reports can pass it:

* ``kernel_condition(Ab, Bb, C, L)`` (model ``"krylov-doubling"``): entrywise relative
  perturbations Ab (1 + e G), Bb (1 + e g), C (1 + e h); the derivative of every tap at
  once is the kernel of the 2N-state system [[Ab, G o Ab], [0, Ab]].
* ``dense_condition(A, dt, method, L=..., B=..., C=...)`` (model ``"ssm-doubling"``:
  discretize, then doubling): ``kernel_condition`` of the discrete system plus the
  sensitivity to the discretization's rounding (gbt: entrywise perturbations of
  M = I - alpha dt A, R = I + (1 - alpha) dt A and dt B, through the solve; ZOH: a normwise
  relative perturbation of size sqrt(N + 1) of Z = [[dt A, dt B], [0, 0]], through the
  Frechet derivative of exp).
* ``scan_condition(Ab, Bb, C, u)`` (models ``"scan-sequential"``, ``"scan-chunked"``): the
  same for y = causal conv(u, K), with u perturbed too.
* ``conv_condition(u, K)`` (model ``"fft-conv"``): ||u||_2 ||K||_2 / (sqrt(L) max_k |y_k|),
  the typical size of a convolution output over the largest actual one (<= 1 for random
  inputs, large when y cancels).
* ``discretization_condition(A, dt, method)`` (model ``"discretize"``): kappa_d =
  ||(I - alpha dt A)^{-1}||_2 ||I + (1 - alpha) dt A||_2 for the gbt family; for ZOH
  (1 + ||dt A||_2) / min(1, ||e^{dt A}||_2) (scaling and squaring errs by ~u ||dt A||
  relative to 1, a large relative error of Ab when e^{dt A} has decayed far below 1).
* ``memory_condition(Ab, L)``: S_L = sum_{k < L} ||Ab^k||_2, a diagnostic that shows where
  the dt dependence comes from: tiny steps put Ab's eigenvalues near +1 and huge bilinear
  steps near -1, both long memories in which a perturbation of Ab accumulates over many
  taps (LegS16, L = 4096: S = 1742 at dt = 1e-3, 55 at dt = 1, 4021 at dt = 100).

Why a condition number and not a product of worst-case factors: a first model
N * S_L * (||C|| ||Bb|| / max |K|) was a valid bound but 10^3-10^4 times the measured
error on LegS at small steps (above 0.1 in float32: no gate at all); the directional
sensitivity tracks the measured errors within a factor ~100 over dt from 1e-3 to 100
(LegT16 bilinear float64: 16 u to 1056 u measured, err / (u g) between 0.012 and 0.017).

The measurements (the justifications quote them) ran every kernel against the certified
oracles (``ssm_kernel``, ``discrete_kernel``, ``causal_conv``, ``discretize``), the oracle
always getting the exact binary values the kernel received, so only the kernel's rounding
is measured: LegS and LegT N = 16, 64 (``hippo(measure, N)`` rounded to the dtype,
C_n = (-1)^n / (n + 1)), bilinear and ZOH, dt in {1e-3, 1e-2, 1e-1, 1, 100}, L in
{256, 4096} (LegT64 bilinear only), float64 and float32; LegT N = 8 and LegS N = 16 at
L in {256, 1024}; a complex 3 x 3 system at L = 256 in complex128/complex64; 12 random real
(N = 2..6, L in {64, 256, 1024}) and 8 random complex (L in {64, 256}) Gershgorin-stable
systems at dt in {0.01, 0.1, 1}; inputs u ~ N(0, 1). c is the worst measured
err / (u g) over all of them times a safety factor of 6-8, never tuned to a test.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..._errors import InvalidArgumentError
from ...kernels._args import method_alpha, require_step
from ...kernels.conv import fft_conv
from ...kernels.dense import krylov_kernel
from ...kernels.discretize import expm
from .._error_model import ErrorModel, log2_ceil, register

__all__ = [
    "conv_condition",
    "dense_condition",
    "discretization_condition",
    "kernel_condition",
    "memory_condition",
    "scan_condition",
]

_NORM_BLOCK = 256  # powers per batched 2-norm evaluation
_DIRECTIONS = 4  # random directions per sensitivity estimate
_MEMORY_CAP = 1 << 20  # steps summed at most when L is None


def _matrix64(name: str, M: Any) -> torch.Tensor:
    """A square matrix (tensor, sympy Matrix, nested lists) as float64 or complex128, CPU."""
    if isinstance(M, torch.Tensor):
        t = M.detach().to("cpu")
        t = t.to(torch.complex128 if t.is_complex() else torch.float64)
    else:
        rows = M.tolist() if hasattr(M, "tolist") else M
        values = [[complex(v) for v in row] for row in rows]
        t = torch.tensor(values, dtype=torch.complex128)
        if not bool(t.imag.any()):
            t = t.real.contiguous()
    if t.dim() != 2 or t.shape[0] != t.shape[1] or t.shape[0] == 0:
        raise InvalidArgumentError(
            f"{name}: expected one square matrix, got shape {tuple(t.shape)}"
        )
    if not bool(torch.isfinite(t).all()):
        raise InvalidArgumentError(f"{name}: contains NaN or infinity")
    return t


def _require_L(L: Any) -> int:
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise InvalidArgumentError(f"L: expected an int >= 1, got {L!r}")
    return L


def _steps(L: Any) -> int | None:
    if L is None:
        return None
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise InvalidArgumentError(f"L: expected an int >= 1 or None, got {L!r}")
    return L


def discretization_condition(A: Any, dt: Any, method: Any = "bilinear") -> float:
    """kappa_d of the discretization of A with step dt (see the module docstring), >= 1."""
    A = _matrix64("A", A)
    step = float(require_step(dt))
    alpha = method_alpha(method)
    N = A.shape[0]
    eye = torch.eye(N, dtype=A.dtype)
    norm = torch.linalg.matrix_norm
    if alpha is None:
        dA = step * A
        decay = norm(expm(dA), 2).item()
        return (1.0 + norm(dA, 2).item()) / min(1.0, decay) if decay > 0 else math.inf
    M = eye - alpha * step * A
    R = eye + (1 - alpha) * step * A
    try:
        inverse = torch.linalg.inv(M)
    except RuntimeError:  # torch.linalg.LinAlgError: singular
        return math.inf
    return max(1.0, norm(inverse, 2).item() * norm(R, 2).item())


def memory_condition(Ab: Any, L: Any = None) -> float:
    """S_L = sum_{k < L} ||Ab^k||_2 (float64), the memory of the discrete system, >= 1.

    L = None sums until the geometric tail estimate is below 1% of the sum (``inf`` if
    the powers do not decay within 2^20 steps).
    """
    Ab = _matrix64("Ab", Ab)
    L = _steps(L)
    N = Ab.shape[0]
    powers = torch.eye(N, dtype=Ab.dtype)[None]  # Ab^0 .. Ab^{b-1}
    while powers.shape[0] < _NORM_BLOCK:
        powers = torch.cat([powers, powers @ torch.linalg.matrix_power(Ab, powers.shape[0])])
    step = torch.linalg.matrix_power(Ab, _NORM_BLOCK)
    start = torch.eye(N, dtype=Ab.dtype)
    total, previous, k = 0.0, None, 0
    limit = L if L is not None else _MEMORY_CAP
    while k < limit:
        norms = torch.linalg.matrix_norm(start @ powers, 2)[: limit - k]
        block = float(norms.sum())
        total += block
        k += norms.shape[0]
        if not math.isfinite(total):
            return math.inf
        if L is None and previous is not None and block < previous:
            ratio = block / previous
            tail = block * ratio / (1 - ratio)
            if tail < 0.01 * total:
                return total + tail
        previous = block
        start = start @ step
    return total if L is not None else math.inf


def _vector64(name: str, v: Any) -> torch.Tensor:
    if isinstance(v, torch.Tensor):
        t = v.detach().to("cpu").reshape(-1)
        return t.to(torch.complex128 if t.is_complex() else torch.float64)
    values = [complex(x) for x in (v.tolist() if hasattr(v, "tolist") else v)]
    t = torch.tensor(values, dtype=torch.complex128)
    return t if bool(t.imag.any()) else t.real.contiguous()


def _common(*tensors: torch.Tensor) -> list[torch.Tensor]:
    wide = torch.complex128 if any(t.is_complex() for t in tensors) else torch.float64
    return [t.to(wide) for t in tensors]


class _Directions:
    """Seeded random directions (standard normal entries, complex if ``like`` is)."""

    def __init__(self, seed: int = 0):
        self.gen = torch.Generator().manual_seed(seed)

    def __call__(self, like: torch.Tensor) -> torch.Tensor:
        g = torch.randn(like.shape, generator=self.gen, dtype=torch.float64)
        if like.is_complex():
            g = torch.complex(g, torch.randn(like.shape, generator=self.gen, dtype=torch.float64))
            g = g / math.sqrt(2)
        return g


def _kernel_derivative(
    Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, E: Any, e_b: Any, e_c: Any, L: int
) -> torch.Tensor:
    """d/de of K(Ab + e E, Bb + e e_b, C + e e_c), exactly, from one 2N-state kernel.

    [[Ab, E], [0, Ab]]^k = [[Ab^k, D_k], [0, Ab^k]] with D_k = sum_i Ab^i E Ab^{k-1-i}, so
    [C, e_c] [[Ab, E], [0, Ab]]^k [e_b; Bb] = C Ab^k e_b + C D_k Bb + e_c Ab^k Bb.
    """
    N = Ab.shape[0]
    block = torch.zeros(2 * N, 2 * N, dtype=Ab.dtype)
    block[:N, :N] = Ab
    block[N:, N:] = Ab
    block[:N, N:] = E
    return krylov_kernel(block, torch.cat([e_b, Bb]), torch.cat([C, e_c]), L)


def _relative_change(change: torch.Tensor, value: torch.Tensor) -> float:
    peak = value.abs().max().item()
    return math.inf if peak == 0 else change.abs().max().item() / peak


def kernel_condition(
    Ab: Any, Bb: Any, C: Any, L: int, *, directions: int = _DIRECTIONS, seed: int = 0
) -> float:
    """cond of ``"krylov-doubling"``: sensitivity of K to entrywise relative perturbations.

    max over ``directions`` random directions of max_k |dK_k| / max_k |K_k|, where dK is
    the exact derivative of K = C Ab^k Bb along Ab -> Ab (1 + e G), Bb -> Bb (1 + e g),
    C -> C (1 + e h) (entrywise, G, g, h standard normal): the relative condition number of
    the taps for the perturbations rounding makes, in float64 (complex128).
    """
    Ab = _matrix64("Ab", Ab)
    Ab, Bb, C = _common(Ab, _vector64("Bb", Bb), _vector64("C", C))
    L = _require_L(L)
    K = krylov_kernel(Ab, Bb, C, L)
    draw = _Directions(seed)
    worst = 0.0
    for _ in range(directions):
        dK = _kernel_derivative(Ab, Bb, C, Ab * draw(Ab), Bb * draw(Bb), C * draw(C), L)
        worst = max(worst, _relative_change(dK, K))
    return worst


def dense_condition(
    A: Any,
    dt: Any,
    method: Any = "bilinear",
    *,
    L: int,
    B: Any,
    C: Any,
    directions: int = _DIRECTIONS,
    seed: int = 0,
) -> float:
    """cond of ``"ssm-doubling"``: kernel_condition(Ab, Bb, C, L) + the discretization's.

    The discretization term is the sensitivity of K to the perturbations the
    discretization's rounding amounts to: for the gbt family entrywise relative
    perturbations of M = I - alpha dt A, R = I + (1 - alpha) dt A and dt B (the solve is
    backward stable; rounding I + dt A loses the low bits of dt A, which is why tiny steps
    cost), propagated by dAb = M^-1 (dR - dM Ab), dBb = M^-1 (d(dt B) - dM Bb); for ZOH a
    normwise relative perturbation of the augmented Z = [[dt A, dt B], [0, 0]] (scaling
    and squaring: the s ~ log2 ||Z|| squarings turn a relative error u of e^{Z / 2^s} into
    u ||Z||), propagated by the Frechet derivative of exp. Float64 (complex128).
    """
    A = _matrix64("A", A)
    A, B, C = _common(A, _vector64("B", B), _vector64("C", C))
    if B.numel() != A.shape[0] or C.numel() != A.shape[0]:
        raise InvalidArgumentError("B and C must have one entry per state")
    step = float(require_step(dt))
    alpha = method_alpha(method)
    L = _require_L(L)
    N = A.shape[0]
    eye = torch.eye(N, dtype=A.dtype)
    draw = _Directions(seed)
    if alpha is None:
        Z = torch.zeros(N + 1, N + 1, dtype=A.dtype)
        Z[:N, :N], Z[:N, N] = step * A, step * B
        E = expm(Z)
        Ab, Bb = E[:N, :N], E[:N, N]
    else:
        M, R = eye - alpha * step * A, eye + (1 - alpha) * step * A
        try:
            M_inv = torch.linalg.inv(M)
        except RuntimeError:  # singular I - alpha dt A
            return math.inf
        Ab, Bb = M_inv @ R, M_inv @ (step * B)
    K = krylov_kernel(Ab, Bb, C, L)
    worst = 0.0
    for _ in range(directions):
        if alpha is None:
            G = draw(Z)
            G[N] = 0  # the zero row of Z is exact
            # size ||Z|| sqrt(N + 1): each squaring is (N + 1)-term products (gamma_{N+1},
            # sqrt(N + 1) typically) on top of the sqrt(N) that the growth already counts
            scale = torch.linalg.matrix_norm(Z, 2) * math.sqrt(N + 1)
            G = G * (scale / torch.linalg.matrix_norm(G, 2))
            big = torch.zeros(2 * N + 2, 2 * N + 2, dtype=A.dtype)
            big[: N + 1, : N + 1], big[N + 1 :, N + 1 :], big[: N + 1, N + 1 :] = Z, Z, G
            frechet = expm(big)[: N + 1, N + 1 :]
            dAb, dBb = frechet[:N, :N], frechet[:N, N]
        else:
            dM = M * draw(M) if alpha != 0 else torch.zeros_like(M)
            dAb = M_inv @ (R * draw(R) - dM @ Ab)
            dBb = M_inv @ (step * B * draw(B) - dM @ Bb)
        zero = torch.zeros_like(C)
        dK = _kernel_derivative(Ab, Bb, C, dAb, dBb, zero, L)
        worst = max(worst, _relative_change(dK, K))
    return worst + kernel_condition(Ab, Bb, C, L, directions=directions, seed=seed + 1)


def conv_condition(u: Any, K: Any) -> float:
    """||u||_2 ||K[:L]||_2 / (sqrt(L) max|y|) of y = causal conv(u, K), one sequence each."""
    u = _vector64("u", u)
    K = _vector64("K", K)[: u.numel()]
    u, K = _common(u, K)
    peak = fft_conv(u, K).abs().max().item()
    if peak == 0:
        return math.inf
    return float(u.norm() * K.norm()) / (math.sqrt(u.numel()) * peak)


def scan_condition(
    Ab: Any, Bb: Any, C: Any, u: Any, *, directions: int = _DIRECTIONS, seed: int = 0
) -> float:
    """cond of the scans: sensitivity of y to entrywise relative perturbations.

    As ``kernel_condition``, for y = causal conv(u, K) (L = len(u)) and perturbations of
    Ab, Bb, C and u: dy = conv(u, dK) + conv(u h, K), relative to max |y|.
    """
    u = _vector64("u", u)
    Ab = _matrix64("Ab", Ab)
    Ab, Bb, C, u = _common(Ab, _vector64("Bb", Bb), _vector64("C", C), u)
    L = u.numel()
    K = krylov_kernel(Ab, Bb, C, L)
    y = fft_conv(u, K)
    draw = _Directions(seed)
    worst = 0.0
    for _ in range(directions):
        dK = _kernel_derivative(Ab, Bb, C, Ab * draw(Ab), Bb * draw(Bb), C * draw(C), L)
        dy = fft_conv(u, dK) + fft_conv(u * draw(u), K)
        worst = max(worst, _relative_change(dy, y))
    return worst


# ---------------------------------------------------------------------------------------
# The models (the sweep: module docstring; 120 rows of the N = 16/64 sweep and 724 rows of
# the small-system sweep per model; the measuring scripts are not part of the package).
# ---------------------------------------------------------------------------------------


def _discretize_growth(L: int, N: int, cond: float) -> float:
    return N * max(1.0, cond)


def _dense_growth(L: int, N: int, cond: float) -> float:
    return math.sqrt(N) * log2_ceil(L) * max(1.0, cond)


def _fft_growth(L: int, N: int, cond: float) -> float:
    return log2_ceil(2 * L) * max(1.0, cond)


_DENSE_TEXT = "sqrt(N) * ceil(log2 L) * cond"
_ROUNDING = (
    "Rounding as a perturbation: each matrix product or solve is backward stable with "
    "entrywise relative errors ~ gamma_N |P| |X| (sqrt(N) u typically, the probabilistic "
    "rounding analysis of Higham and Mary), so the computed result is the exact result of "
    "inputs perturbed by ~sqrt(N) u, and its error is that times the condition number "
    "cond (estimated along random directions, which is what rounding errors look like). "
)

register(
    ErrorModel(
        algorithm="discretize",
        constant=8.0,
        growth=_discretize_growth,
        growth_text="N * cond, cond = discretization_condition(A, dt, method) (kappa_d)",
        justification=(
            "(a) gbt: one LU solve of (I - alpha dt A) X = [I + (1 - alpha) dt A | dt B]; "
            "backward error O(N u), forward error of Ab, Bb relative to their size "
            "O(N u kappa_d), kappa_d = ||M^-1|| ||R|| (about 1 for small steps, up to cond(A) "
            "for large ones). ZOH: scaling and squaring of the augmented matrix (our own "
            "degree-18 Taylor, kernels.discretize.expm; torch.linalg.matrix_exp has a wrong "
            "degree-8 coefficient, pytorch#196592, which cost up to 4e5 u here); the "
            "s ~ log2 ||dt A|| squarings err by ~u ||dt A|| relative to 1, hence "
            "kappa_d = (1 + ||dt A||) / min(1, ||e^{dt A}||) relative to Ab's own size. "
            "(b) Measured per part (Ab, Bb), each relative to its max, on the sweep of the "
            "module docstring: worst err / (u N kappa_d) = 1.07 (random N = 3, bilinear, "
            "dt = 0.01, float32: 3.2 u); HiPPO worst 0.38 (LegT16 bilinear dt = 1e-3 "
            "float64, 6 u). ZOH at dt = 100 (e^{100 A} ~ 1e-44 for LegS, below the "
            "float64 range for LegT) has relative errors of Ab up to 1, covered by kappa_d "
            "(kappa_d = inf rows exempt). c = 8 = 7.5 x the worst."
        ),
    )
)

register(
    ErrorModel(
        algorithm="krylov-doubling",
        constant=0.75,
        growth=_dense_growth,
        growth_text=_DENSE_TEXT + ", cond = kernel_condition(Ab, Bb, C, L)",
        justification=(
            "(a) " + _ROUNDING + "The doubling X_{2m} = [X_m, Ab^m X_m], Ab^{2m} = (Ab^m)^2 "
            "has ceil(log2 L) levels; the rounding of each level is such a perturbation "
            "(of the current power and block), hence the log2 L factor. A relative error "
            "of a power doubles per squaring but so does the power: in terms of Ab the "
            "levels add up, and the long memory (eigenvalues of Ab near +-1 for tiny or huge "
            "steps) is in cond. (b) Krylov kernel of the float64 discretization rounded to "
            "the dtype vs discrete_kernel on the sweep of the module docstring: worst "
            "err / (u g) = 0.108 (random complex N = 4, ZOH dt = 1, complex64). cond "
            "tracks the dt dependence: LegS16 float64 L = 4096 errors 123 u / 19 u / 2.2 u "
            "at dt = 1e-3 / 1e-2 / 1 with cond 1750 / 172 / 5; LegT64 float32 dt = 1e-3 "
            "L = 4096: 677 u. c = 0.75 = 6.9 x the worst."
        ),
    )
)

register(
    ErrorModel(
        algorithm="ssm-doubling",
        constant=0.75,
        growth=_dense_growth,
        growth_text=_DENSE_TEXT + ", cond = dense_condition(A, dt, method, L=L, B=B, C=C)",
        justification=(
            "(a) " + _ROUNDING + "discretize (gbt: a backward-stable solve, i.e. entrywise "
            "perturbations of M, R, dt B; rounding I + dt A loses the low bits of dt A, "
            "so tiny steps cost ~1/dt in cond; ZOH: the squarings act as a normwise "
            "perturbation of [[dt A, dt B], [0, 0]], sqrt(N + 1) per squaring) followed by "
            "the doubling kernel (see krylov-doubling); cond adds both sensitivities. "
            "(b) ssm_kernel vs the ssm_kernel oracle on the sweep of the module docstring. "
            "LegS16 bilinear float64 L = 4096: 558 u at dt = 1e-3 (cond 4490), 122 u at "
            "1e-2 (440), 13 u at 0.1 (47), 10 u at 1 (8.9), 88 u at 100 (134); LegT16 "
            "bilinear float64: 1056 u at dt = 1e-3, err / (u g) 0.012-0.017 for every dt. "
            "Worst err / (u g) = 0.123 (LegT16 ZOH dt = 100 float64, 564 u); bilinear "
            "worst 0.100 (random N = 6, dt = 0.01, float32, 503 u, cond 342). "
            "c = 0.75 = 6.1 x the worst."
        ),
    )
)

register(
    ErrorModel(
        algorithm="scan-sequential",
        constant=1.0,
        growth=_dense_growth,
        growth_text=_DENSE_TEXT + ", cond = scan_condition(Ab, Bb, C, u)",
        justification=(
            "(a) " + _ROUNDING + "Each step x <- Ab x + Bb u_k, y_k = C x rounds like a "
            "perturbation of (Ab, Bb, C, u_k); a perturbation made at one step reaches later "
            "outputs through powers of Ab, which is what the sensitivity of y measures; "
            "independent per-step errors add up at most logarithmically in the measured "
            "range (hence log2 L, not L). (b) scan vs causal_conv(u, discrete_kernel) on "
            "the sweep of the module docstring: LegS16 float64 dt = 1e-3: 17 u at L = 256, "
            "41 u at L = 4096 (cond 1310); LegT64 float32 dt = 1e-3 L = 4096: 172 u. "
            "Worst err / (u g) = 0.136 (random N = 5, ZOH dt = 0.1, float64, L = 64). "
            "c = 1 = 7.4 x the worst."
        ),
    )
)

register(
    ErrorModel(
        algorithm="scan-chunked",
        constant=1.0,
        growth=_dense_growth,
        growth_text=_DENSE_TEXT + ", cond = scan_condition(Ab, Bb, C, u)",
        justification=(
            "(a) " + _ROUNDING + "Chunks of T = 2^ceil(log2 sqrt L): the first T taps, the "
            "Krylov and observability blocks and Ab^T by doubling (log2 T levels), a "
            "length-<= T Toeplitz dot product per output and the chunk states carried by "
            "Ab^T (L / T steps): all perturbations of the same data, bounded by the same "
            "sensitivity; the depth log2 T + log2 (L / T) = log2 L. (b) Same references as "
            "the sequential scan: LegT64 float32 dt = 1e-3 L = 4096: 956 u (172 u "
            "sequential: Ab^T carries T-fold powers); LegS16 float64 dt = 1e-3: 18 u "
            "(L = 256), 104 u (L = 4096). Worst err / (u g) = 0.169 (random N = 3, ZOH "
            "dt = 1, float64, L = 64). c = 1 = 5.9 x the worst."
        ),
    )
)

register(
    ErrorModel(
        algorithm="fft-conv",
        constant=6.0,
        growth=_fft_growth,
        growth_text="ceil(log2 2L) * cond, cond = conv_condition(u, K) (<= 1 unless y cancels)",
        justification=(
            "(a) rfft/irfft (fft/ifft) of length n = 2^ceil(log2(L + M - 1)) <= 4L: each "
            "transform has a normwise error O(u log2 n), so ||y_hat - y||_2 <~ u log2 n "
            "||u||_2 ||K||_2 spread over the outputs (/ sqrt(n) each); relative to max |y| "
            "that is u log2 n * ||u|| ||K|| / (sqrt(L) max |y|) = u log2 n * "
            "conv_condition. (b) fft_conv(u, K) with K the oracle kernel rounded to the "
            "dtype vs causal_conv of exactly those values, on the sweep of the module "
            "docstring: 2-10 u everywhere (LegS64 float64 L = 4096: 8.2 u; random N = 2 "
            "float32 L = 1024: 9.9 u). Worst err / (u g) = 0.85 (random N = 2, float32, "
            "L = 1024, conv_condition 1.06). c = 6 = 7 x the worst."
        ),
    )
)
