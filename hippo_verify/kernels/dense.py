"""Dense SSM convolution kernels K_k = C Ab^k Bb by doubling (torch twins of the oracles).

``discrete_kernel`` mirrors ``mp_oracles.discrete_kernel`` and ``ssm_kernel`` mirrors
``mp_oracles.ssm_kernel`` (same parameter names, order and conventions: C is a row, taps
are indexed from 0, one step is x_{k+1} = Ab x_k + Bb u_k).

Algorithm (doubling): the Krylov block X_m = [Bb, Ab Bb, ..., Ab^{m-1} Bb] is doubled by
X_{2m} = [X_m, Ab^m X_m] while Ab^{2m} = (Ab^m)^2 is formed by repeated squaring, so the
L taps cost ceil(log2 L) batched matrix products: O(N^3 log L + N^2 L) work and depth
O(log L), instead of L dependent matrix-vector steps. Then K = C X_L.

Size: the block X_L (batch x N x L) and the powers (batch x N x N) count against
``kernel_elements``. Overflow: an unstable or long kernel whose taps C Ab^k Bb (or the
powers Ab^m behind them) exceed the dtype's range raises InvalidArgumentError naming the
first non-finite tap and ||Ab||_1 (||Ab^k|| <= ||Ab||_1^k), never returns inf/NaN taps.
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError
from ._args import (
    as_tensor,
    broadcast_batch,
    method_alpha,
    require_elements,
    require_finite_result,
    require_L,
    require_step,
    require_vector_of,
    step_tensor,
)
from .discretize import (
    _discretize,
    require_discretize_size,
    square_matrix,
    step_norm,
    system_dtype,
)

__all__ = ["krylov_block", "discrete_kernel", "ssm_kernel"]


def krylov_block(
    M: torch.Tensor, v: torch.Tensor, m: int, *, power: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(X, P): the Krylov block X = [v, M v, ..., M^{m-1} v] (..., N, m) by doubling.

    With ``power=True`` and m a power of two, P = M^m (one more squaring than X needs);
    otherwise P is None. Internal helper: the tensors are validated, of one dtype, with
    broadcast batch dimensions.
    """
    X = v[..., None]
    P = M
    while X.shape[-1] < m:
        built = X.shape[-1]
        X = torch.cat([X, P @ X[..., : min(built, m - built)]], dim=-1)
        if X.shape[-1] < m or power:
            P = P @ P
    if not power:
        return X, None
    if m & (m - 1):
        raise InvalidArgumentError(f"krylov_block: power=True needs m a power of two, got {m}")
    return X, P


def _krylov_kernel(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, L: int) -> torch.Tensor:
    """The doubling kernel on validated, promoted, broadcast tensors."""
    X, _ = krylov_block(Ab, Bb, L)
    return (C[..., None, :] @ X)[..., 0, :]


def require_kernel_size(name: str, batch: torch.Size, N: int, L: int) -> None:
    """Refuse a doubling kernel whose Krylov block or powers exceed ``kernel_elements``."""
    require_elements(
        f"{name}: elements of the (batch {tuple(batch)}) x {N} x max(L = {L}, N) Krylov block",
        batch.numel(),
        N,
        max(L, N),
    )


def tap_overflow(K: torch.Tensor, Ab: torch.Tensor) -> str:
    """Names the first non-finite tap and ||Ab||_1 (for the overflow message)."""
    bad = (~torch.isfinite(K)).reshape(-1, K.shape[-1]).any(0).nonzero()
    first = int(bad[0].item()) if bad.numel() else 0
    norm = Ab.detach().abs().to(torch.float64).sum(-2).amax(-1).max().item()
    return (
        f"tap k = {first} of L = {K.shape[-1]} is not finite; ||Ab||_1 = {norm:.6g}, "
        f"so ||Ab^k|| may grow like {norm:.6g}^k"
    )


def _system(
    Ab: Any, Bb: Any, C: Any, names: tuple[str, str, str]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.dtype, torch.Size]:
    """Validated (matrix, input, output) with their promoted dtype and batch shape."""
    Ab = square_matrix(names[0], Ab)
    N = Ab.shape[-1]
    Bb = require_vector_of(names[1], as_tensor(names[1], Bb, min_dim=1), N)
    C = require_vector_of(names[2], as_tensor(names[2], C, min_dim=1), N)
    dtype = system_dtype(Ab, Bb, C)
    batch = broadcast_batch(
        **{names[0]: Ab.shape[:-2], names[1]: Bb.shape[:-1], names[2]: C.shape[:-1]}
    )
    return Ab, Bb, C, dtype, batch


def discrete_kernel(Ab: Any, Bb: Any, C: Any, L: Any) -> torch.Tensor:
    """K_k = C Ab^k Bb, k = 0 .. L-1, of a discrete system, by doubling.

    Arguments:
        Ab: (..., N, N) discrete state matrix; Bb: (..., N) input; C: (..., N) output row.
            float32/64 or complex64/128, finite, on one device; batch dimensions broadcast.
        L: number of taps, an int >= 1.

    Returns:
        K of shape (*batch, L) in the promoted dtype of (Ab, Bb, C): real in, real out;
        any complex input gives a complex kernel. C is not conjugated (K = sum_ij C_i
        (Ab^k)_ij Bb_j).

    Raises:
        InvalidTypeError / InvalidArgumentError before any work (see ``discretize``; also
        batch x N x max(L, N) above ``kernel_elements``); InvalidArgumentError after it if
        the taps overflowed the dtype (module docstring).
    """
    Ab, Bb, C, dtype, batch = _system(Ab, Bb, C, ("Ab", "Bb", "C"))
    L = require_L(L)
    N = Ab.shape[-1]
    require_kernel_size("discrete_kernel", batch, N, L)
    K = _krylov_kernel(
        Ab.to(dtype).expand(*batch, N, N),
        Bb.to(dtype).expand(*batch, N),
        C.to(dtype).expand(*batch, N),
        L,
    )
    require_finite_result("discrete_kernel", K, lambda: tap_overflow(K, Ab))
    return K


def ssm_kernel(
    A: Any, B: Any, C: Any, L: Any, *, dt: Any, method: Any = "bilinear"
) -> torch.Tensor:
    """K_k = C Ab^k Bb, k = 0 .. L-1, of (A, B, C) discretized with step dt, by doubling.

    ``discretize(A, B, dt, method)`` then ``discrete_kernel``; the oracle is
    ``hippo_verify.oracles.ssm_kernel`` with the same arguments.

    Arguments:
        A: (..., N, N); B, C: (..., N); L: int >= 1; dt: positive number or real tensor
        broadcastable to the batch; method: as in ``discretize`` (default bilinear).

    Returns:
        K of shape (*batch, L), batch the broadcast of every argument's batch dimensions,
        in the promoted dtype of (A, B, C).

    Raises:
        As ``discretize`` and ``discrete_kernel``: before any work for bad arguments and
        sizes; after the discretization if Ab/Bb overflowed (the message gives ||A dt||_1),
        after the doubling if the taps did (first bad tap, ||Ab||_1).
    """
    A, B, C, dtype, batch = _system(A, B, C, ("A", "B", "C"))
    L = require_L(L)
    step = require_step(dt)
    alpha = method_alpha(method)
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(system=batch, dt=step_shape)
    N = A.shape[-1]
    require_discretize_size(batch, N)
    require_kernel_size("ssm_kernel", batch, N, L)
    A, B, C = A.to(dtype), B.to(dtype), C.to(dtype)
    step = step_tensor(step, dtype, A.device)
    Ab, Bb = _discretize(A, B, step, alpha, batch)
    require_finite_result("ssm_kernel (discretization)", (Ab, Bb), lambda: step_norm(A, step))
    K = _krylov_kernel(Ab, Bb, C.expand(*batch, N), L)
    require_finite_result("ssm_kernel", K, lambda: tap_overflow(K, Ab))
    return K
