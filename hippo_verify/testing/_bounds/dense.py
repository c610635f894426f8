"""Error models of the dense kernels (``hippo_verify.kernels.discretize/dense/scan/conv``).

Every bound is relative to the max-norm of the oracle result (see ``_error_model``):
err <= c * u(dtype) * g(L, N, cond). What ``cond`` means depends on the algorithm; the
helpers below compute it in float64 (complex128) from the system, so tests and reports
can pass it:

* ``discretization_condition(A, dt, method)`` (model ``"discretize"``): kappa_d =
  ||(I - alpha dt A)^{-1}||_2 ||I + (1 - alpha) dt A||_2 for the gbt family (the condition
  of the solve, 1 + O(dt ||A||) for small steps); for ZOH (1 + ||dt A||_2) / min(1,
  ||e^{dt A}||_2): scaling and squaring makes an error of order u ||dt A|| relative to 1,
  which is a large relative error of Ab when e^{dt A} has decayed far below 1.
* ``memory_condition(Ab, L)`` (models ``"krylov-doubling"``, ``"scan-sequential"``,
  ``"scan-chunked"``): the memory S_L = sum_{k < L} ||Ab^k||_2 of the discrete system, the
  factor by which a rounding error made at one step can be carried into later taps. It
  is about min(L, 1/(1 - rho(Ab))) for a normal Ab and explains the dt dependence: both
  tiny steps (eigenvalues of Ab near +1) and huge bilinear steps (eigenvalues near -1)
  give long memories, and it grows like L for marginally stable systems.
* ``dense_condition(A, dt, method, L=...)`` (model ``"ssm-doubling"``: discretize, then
  doubling): S_L(Ab) + kappa, with kappa the gbt kappa_d, or 1 + ||dt A||_2 for ZOH (the
  error of Ab relative to 1, which is what the taps see).
* ``conv_condition(u, K)`` (model ``"fft-conv"``; multiply it into the scan cond for
  inputs that cancel): ||u||_2 ||K||_2 / (sqrt(L) max_k |y_k|), the ratio between the
  typical size of a convolution output and the largest actual one (<= 1 for random
  inputs, large when y cancels).

The measurements quoted in the justifications ran every kernel against the certified
oracles (``ssm_kernel``, ``discrete_kernel``, ``causal_conv``, ``discretize``; the oracle
always gets the exact binary values the kernel received, so only the kernel's rounding is
measured) on LegS and LegT with N = 16 and 64 (``hippo(measure, N)`` rounded to the
dtype, C_n = (-1)^n / (n + 1)), bilinear and ZOH, dt in {1e-3, 1e-2, 1e-1, 1, 100},
L in {256, 4096}, float64 and float32, input u ~ N(0, 1) (seeded); plus small systems
(LegT N = 8, a complex 3 x 3 system, random stable systems N = 2..6).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..._errors import InvalidArgumentError
from ...kernels._args import method_alpha, require_step
from ...kernels.conv import fft_conv
from ...kernels.discretize import discretize
from .._error_model import ErrorModel, log2_ceil, register

__all__ = [
    "conv_condition",
    "dense_condition",
    "discretization_condition",
    "memory_condition",
]

_NORM_BLOCK = 256  # powers per batched 2-norm evaluation
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
        decay = norm(torch.linalg.matrix_exp(dA), 2).item()
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


def dense_condition(A: Any, dt: Any, method: Any = "bilinear", *, L: Any = None) -> float:
    """cond of ``"ssm-doubling"``: S_L(Ab) + kappa (float64; see the module docstring).

    kappa is the gbt kappa_d, or 1 + ||dt A||_2 for ZOH; Ab is the float64 discretization.
    L = None uses the whole memory S_inf (>= S_L, so a valid but looser cond).
    """
    A = _matrix64("A", A)
    step = float(require_step(dt))
    alpha = method_alpha(method)
    if alpha is None:
        kappa = 1.0 + torch.linalg.matrix_norm(step * A, 2).item()
    else:
        kappa = discretization_condition(A, step, method)
    if not math.isfinite(kappa):
        return math.inf
    Ab, _ = discretize(A, torch.zeros(A.shape[0], dtype=A.dtype), step, method)
    return memory_condition(Ab, L) + kappa


def conv_condition(u: torch.Tensor, K: torch.Tensor) -> float:
    """||u||_2 ||K[:L]||_2 / (sqrt(L) max|y|) of y = causal conv(u, K), one sequence each."""
    u = u.detach().to("cpu").reshape(-1)
    K = K.detach().to("cpu").reshape(-1)[: u.numel()]
    wide = torch.complex128 if (u.is_complex() or K.is_complex()) else torch.float64
    u, K = u.to(wide), K.to(wide)
    peak = fft_conv(u, K).abs().max().item()
    if peak == 0:
        return math.inf
    return float(u.norm() * K.norm()) / (math.sqrt(u.numel()) * peak)


# ---------------------------------------------------------------------------------------
# The models. Constants: c = (worst measured err / (u g)) times a safety factor of 4-8.
# ---------------------------------------------------------------------------------------

_MODELS = {
    "discretize": (3.0, lambda L, N, cond: N * max(1.0, cond), "N * cond", "provisional"),
    "krylov-doubling": (0.5, lambda L, N, cond: N * max(1.0, cond), "N * cond", "provisional"),
    "ssm-doubling": (4.0, lambda L, N, cond: N * max(1.0, cond), "N * cond", "provisional"),
    "scan-sequential": (0.5, lambda L, N, cond: N * max(1.0, cond), "N * cond", "provisional"),
    "scan-chunked": (0.5, lambda L, N, cond: N * max(1.0, cond), "N * cond", "provisional"),
    "fft-conv": (4.0, lambda L, N, cond: log2_ceil(2 * L) * max(1.0, cond), "log2", "prov"),
}
for _name, (_c, _g, _text, _why) in _MODELS.items():
    register(ErrorModel(_name, _c, _g, _text, _why))
