"""Discretization of x' = A x + B u for one step dt (torch twin of ``mp_oracles.discretize``).

Conventions (those of the oracles): one step of size dt gives x_{k+1} = Ab x_k + Bb u_k,
with

* ``("gbt", alpha)``: Ab = (I - alpha dt A)^{-1} (I + (1 - alpha) dt A),
  Bb = (I - alpha dt A)^{-1} dt B; ``"forward_euler"``, ``"bilinear"``, ``"backward_euler"``
  are alpha = 0, 1/2, 1 (one ``torch.linalg.solve_ex`` for [Ab | Bb] together; no solve
  for forward Euler);
* ``"zoh"``: Ab = e^{dt A}, Bb = int_0^dt e^{sA} ds B, read off the exponential of the
  augmented matrix [[A, B], [0, 0]] dt (no inverse of A). The exponential is ``expm``
  here: scaling and squaring with a degree-18 Taylor polynomial (Horner), the matrix scaled
  by 2^-s to 1-norm <= 1, then squared s times. ``torch.linalg.matrix_exp`` is not used:
  in torch 2.13 its degree-8 branch (taken for a batch of one matrix with 1-norm in
  (3.4e-4, 5.0e-2] in float64, (5.1e-2, 0.58] in float32) has a wrong coefficient
  (pytorch/pytorch#196592) and loses up to 6 digits: relative error 8e-11 on
  [[-0.04, 0.04], [0, 0]] in float64, 3e-5 on the rotation generator [[0, -0.5], [0.5, 0]]
  in float32; ``expm`` gets both to within 2 u.

Overflow: finite A and dt can give an Ab/Bb beyond the dtype's range (ZOH: ||e^{dt A}|| up
to e^{||A dt||}; any method: dt A itself). ``discretize`` then raises InvalidArgumentError
naming ||A dt||_1 instead of returning inf/NaN (checked on the result: one pass over it).
Size: the (N + 1) x (N + 1) working matrix per system counts against ``kernel_elements``.

The helper ``system_dtype`` (and ``_args.broadcast_batch``) is shared by the dense kernels
(``dense``, ``scan``, ``conv``) so every kernel validates its arguments the same way.
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
    require_step,
    require_vector_of,
    step_tensor,
)

__all__ = ["discretize", "expm"]

#: Taylor degree and the 1-norm the matrix is scaled to: the truncation error
#: theta^19 / 19! < 1e-17 is below the float64 unit roundoff.
_EXPM_DEGREE = 18
_EXPM_THETA = 1.0

#: dtypes the dense kernels compute in (torch.linalg and torch.fft refuse half precision
#: on the CPU, and the error models are stated for these four).
SUPPORTED_DTYPES = (torch.float64, torch.float32, torch.complex128, torch.complex64)


def system_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The promoted dtype of the tensors (one device), which must be a supported one."""
    dtype = common_dtype(*tensors)
    if dtype not in SUPPORTED_DTYPES:
        raise InvalidTypeError(
            f"dtype {dtype} is not supported by the dense kernels; use one of "
            f"{[str(d) for d in SUPPORTED_DTYPES]}"
        )
    return dtype


def square_matrix(name: str, value: Any) -> torch.Tensor:
    """A finite float/complex tensor of shape (..., N, N) with N >= 1."""
    value = as_tensor(name, value, min_dim=2)
    if value.shape[-1] != value.shape[-2] or value.shape[-1] == 0:
        raise InvalidArgumentError(
            f"{name}: expected a square matrix (..., N, N) with N >= 1, got shape "
            f"{tuple(value.shape)}"
        )
    return value


def expm(M: torch.Tensor) -> torch.Tensor:
    """e^M of a batch of square matrices (..., n, n), by scaling and squaring.

    Each matrix is scaled by 2^-s (exact) to 1-norm <= 1, e^{M 2^-s} is the degree-18
    Taylor polynomial by Horner's rule, then it is squared s times (per matrix: a batch
    with mixed norms squares each matrix only as often as it needs). The rounding error is
    of order u (1 + ||M||) relative to 1, the usual scaling-and-squaring behaviour.
    Internal: M is a validated float/complex tensor.
    """
    norm = M.abs().sum(dim=-2).amax(dim=-1)
    s = torch.ceil(torch.log2(norm / _EXPM_THETA)).clamp(min=0)
    s = torch.where(torch.isfinite(s), s, torch.zeros_like(s))
    X = M / torch.pow(2.0, s)[..., None, None].to(M.dtype)
    eye = torch.eye(M.shape[-1], dtype=M.dtype, device=M.device)
    P = eye + X / _EXPM_DEGREE
    for k in range(_EXPM_DEGREE - 1, 0, -1):
        P = eye + (X @ P) / k
    squarings = int(s.max().item()) if s.numel() else 0
    for k in range(squarings):
        P = torch.where((s > k)[..., None, None], P @ P, P)
    return P


def discretize(
    A: torch.Tensor, B: torch.Tensor, dt: Any, method: Any = "bilinear"
) -> tuple[torch.Tensor, torch.Tensor]:
    """(Ab, Bb) of x' = A x + B u for one step dt (conventions in the module docstring).

    Arguments:
        A: (..., N, N) state matrix (float32/64 or complex64/128, finite).
        B: (..., N) input vector.
        dt: a positive finite number, or a real tensor of positive steps whose shape
            broadcasts with the batch dimensions (one step per system).
        method: ``"bilinear"`` (default), ``"forward_euler"``, ``"backward_euler"``,
            ``("gbt", alpha)`` with alpha in [0, 1], or ``"zoh"``.

    Returns:
        (Ab, Bb) of shapes (*batch, N, N) and (*batch, N), batch the broadcast of
        A.shape[:-2], B.shape[:-1] and dt.shape, in the promoted dtype of A and B (a dt
        tensor is cast to it, never promotes it): real inputs give real outputs, complex
        inputs complex ones.

    Raises:
        InvalidTypeError: non-tensor A/B, integer or half dtypes, bad dt/method types.
        InvalidArgumentError: non-square A, B of the wrong length, dt <= 0, NaN/inf,
            unknown method, batch shapes that do not broadcast, tensors on different
            devices, I - alpha dt A singular, batch x (N + 1)^2 above ``kernel_elements``,
            or a result that overflowed the dtype (the message gives ||A dt||_1).
    """
    A = square_matrix("A", A)
    N = A.shape[-1]
    B = require_vector_of("B", as_tensor("B", B, min_dim=1), N)
    step = require_step(dt)
    alpha = method_alpha(method)
    dtype = system_dtype(A, B)
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(A=A.shape[:-2], B=B.shape[:-1], dt=step_shape)
    require_discretize_size(batch, N)
    step = step_tensor(step, dtype, A.device)
    Ab, Bb = _discretize(A.to(dtype), B.to(dtype), step, alpha, batch)
    require_finite_result("discretize", (Ab, Bb), lambda: step_norm(A, step))
    return Ab, Bb


def require_discretize_size(batch: torch.Size, N: int) -> None:
    """Refuse a discretization whose (N + 1) x (N + 1) working matrices exceed the ceiling."""
    require_elements(
        f"discretize: elements of the (batch {tuple(batch)}) x {N + 1} x {N + 1} work",
        batch.numel(),
        (N + 1) ** 2,
    )


def step_norm(A: torch.Tensor, dt: torch.Tensor | float) -> str:
    """``"||A dt||_1 = ..."``, the largest over the batch, in float64 (for messages)."""
    norm = A.detach().abs().to(torch.float64).sum(-2).amax(-1)
    scaled = norm * (dt.detach().to(torch.float64) if isinstance(dt, torch.Tensor) else dt)
    return f"||A dt||_1 = {scaled.max().item():.3g} (ZOH: ||e^(A dt)|| can reach e^||A dt||)"


def _discretize(
    A: torch.Tensor,
    B: torch.Tensor,
    dt: Any,
    alpha: float | None,
    batch: torch.Size,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The work of ``discretize`` on validated, promoted arguments."""
    N = A.shape[-1]
    A = A.expand(*batch, N, N)
    B = B.expand(*batch, N)
    dt_m = dt[..., None, None] if isinstance(dt, torch.Tensor) else dt
    dt_v = dt[..., None] if isinstance(dt, torch.Tensor) else dt
    dA = A * dt_m
    dB = B * dt_v
    eye = torch.eye(N, dtype=A.dtype, device=A.device)
    if alpha is None:
        augmented = torch.zeros(*batch, N + 1, N + 1, dtype=A.dtype, device=A.device)
        augmented[..., :N, :N] = dA
        augmented[..., :N, N] = dB
        E = expm(augmented)
        return E[..., :N, :N], E[..., :N, N]
    R = eye + (1 - alpha) * dA
    if alpha == 0:
        return R, dB
    M = eye - alpha * dA
    rhs = torch.cat([R, dB[..., None]], dim=-1)
    X, info = torch.linalg.solve_ex(M, rhs)
    if bool((info != 0).any()):
        raise InvalidArgumentError("I - alpha dt A is singular: 1/(alpha dt) is an eigenvalue of A")
    return X[..., :N], X[..., N]
