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
from ...kernels.dense import krylov_kernel
from ...kernels.discretize import discretize
from .._error_model import ErrorModel, log2_ceil, register

__all__ = [
    "cancellation_factor",
    "conv_condition",
    "dense_condition",
    "discretization_condition",
    "kernel_condition",
    "memory_condition",
    "scan_condition",
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


def cancellation_factor(Ab: Any, Bb: Any, C: Any, L: int) -> float:
    """gamma_K = ||C||_2 ||Bb||_2 / max_{k < L} |K_k| (float64), >= 1 up to rounding.

    How much the kernel cancels: rounding errors are of the size of the terms, |C| |Ab^k
    Bb|, not of the taps; gamma_K converts the first into units of max |K|.
    """
    Ab = _matrix64("Ab", Ab)
    Bb, C = _vector64("Bb", Bb), _vector64("C", C)
    Ab, Bb, C = _common(Ab, Bb, C)
    peak = krylov_kernel(Ab, Bb, C, _steps(L)).abs().max().item()
    scale = C.norm().item() * Bb.norm().item()
    return math.inf if peak == 0 else max(1.0, scale / peak)


def kernel_condition(Ab: Any, Bb: Any, C: Any, L: int) -> float:
    """cond of ``"krylov-doubling"``: S_L(Ab) * gamma_K of the discrete system (float64)."""
    return memory_condition(Ab, L) * cancellation_factor(Ab, Bb, C, L)


def dense_condition(
    A: Any, dt: Any, method: Any = "bilinear", *, L: int, B: Any = None, C: Any = None
) -> float:
    """cond of ``"ssm-doubling"``: (S_L(Ab) + kappa) * gamma_K (float64; module docstring).

    kappa is the gbt kappa_d, or 1 + ||dt A||_2 for ZOH; Ab, Bb are the float64
    discretization. With B and C, gamma_K is the kernel's cancellation factor; without
    them it is taken as 1 (only valid for kernels that do not cancel: pass B and C).
    """
    A = _matrix64("A", A)
    step = float(require_step(dt))
    alpha = method_alpha(method)
    L = _steps(L)
    if L is None:
        raise InvalidArgumentError("L: dense_condition needs the number of taps")
    if alpha is None:
        kappa = 1.0 + torch.linalg.matrix_norm(step * A, 2).item()
    else:
        kappa = discretization_condition(A, step, method)
    if not math.isfinite(kappa):
        return math.inf
    if (B is None) != (C is None):
        raise InvalidArgumentError("give both B and C, or neither")
    B64 = torch.zeros(A.shape[0], dtype=A.dtype) if B is None else _vector64("B", B)
    A, B64 = _common(A, B64)
    Ab, Bb = discretize(A, B64, step, method)
    gamma = 1.0 if C is None else cancellation_factor(Ab, Bb, C, L)
    return (memory_condition(Ab, L) + kappa) * gamma


def conv_condition(u: Any, K: Any) -> float:
    """||u||_2 ||K[:L]||_2 / (sqrt(L) max|y|) of y = causal conv(u, K), one sequence each."""
    u = _vector64("u", u)
    K = _vector64("K", K)[: u.numel()]
    u, K = _common(u, K)
    peak = fft_conv(u, K).abs().max().item()
    if peak == 0:
        return math.inf
    return float(u.norm() * K.norm()) / (math.sqrt(u.numel()) * peak)


def scan_condition(Ab: Any, Bb: Any, C: Any, u: Any) -> float:
    """cond of the scans: S_L(Ab) * gamma_K * max(1, conv_condition(u, K)), L = len(u)."""
    u = _vector64("u", u)
    L = u.numel()
    Ab64 = _matrix64("Ab", Ab)
    Ab64, Bb64, C64 = _common(Ab64, _vector64("Bb", Bb), _vector64("C", C))
    K = krylov_kernel(Ab64, Bb64, C64, L)
    return kernel_condition(Ab64, Bb64, C64, L) * max(1.0, conv_condition(u, K))


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
