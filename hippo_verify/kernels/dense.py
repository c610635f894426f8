"""Dense SSM convolution kernels K_k = C Ab^k Bb by doubling (torch twins of the oracles).

``krylov_kernel`` mirrors ``mp_oracles.discrete_kernel`` and ``ssm_kernel`` mirrors
``mp_oracles.ssm_kernel`` (same parameter names, order and conventions: C is a row, taps
are indexed from 0, one step is x_{k+1} = Ab x_k + Bb u_k).

Algorithm (doubling): the Krylov block X_m = [Bb, Ab Bb, ..., Ab^{m-1} Bb] is doubled by
X_{2m} = [X_m, Ab^m X_m] while Ab^{2m} = (Ab^m)^2 is formed by repeated squaring, so the
L taps cost ceil(log2 L) batched matrix products: O(N^3 log L + N^2 L) work and depth
O(log L), instead of L dependent matrix-vector steps. Then K = C X_L.
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError
from ._args import (
    as_tensor,
    broadcast_batch,
    method_alpha,
    require_L,
    require_step,
    require_vector_of,
    step_tensor,
)
from .discretize import _discretize, square_matrix, system_dtype

__all__ = ["krylov_block", "krylov_kernel", "ssm_kernel"]


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


def krylov_kernel(Ab: Any, Bb: Any, C: Any, L: Any) -> torch.Tensor:
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
        InvalidTypeError / InvalidArgumentError before any work (see ``discretize``).
    """
    Ab, Bb, C, dtype, batch = _system(Ab, Bb, C, ("Ab", "Bb", "C"))
    L = require_L(L)
    N = Ab.shape[-1]
    return _krylov_kernel(
        Ab.to(dtype).expand(*batch, N, N),
        Bb.to(dtype).expand(*batch, N),
        C.to(dtype).expand(*batch, N),
        L,
    )


def ssm_kernel(
    A: Any, B: Any, C: Any, L: Any, *, dt: Any, method: Any = "bilinear"
) -> torch.Tensor:
    """K_k = C Ab^k Bb, k = 0 .. L-1, of (A, B, C) discretized with step dt, by doubling.

    ``discretize(A, B, dt, method)`` then ``krylov_kernel``; the oracle is
    ``hippo_verify.oracles.ssm_kernel`` with the same arguments.

    Arguments:
        A: (..., N, N); B, C: (..., N); L: int >= 1; dt: positive number or real tensor
        broadcastable to the batch; method: as in ``discretize`` (default bilinear).

    Returns:
        K of shape (*batch, L), batch the broadcast of every argument's batch dimensions,
        in the promoted dtype of (A, B, C).
    """
    A, B, C, dtype, batch = _system(A, B, C, ("A", "B", "C"))
    L = require_L(L)
    step = require_step(dt)
    alpha = method_alpha(method)
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(system=batch, dt=step_shape)
    A, B, C = A.to(dtype), B.to(dtype), C.to(dtype)
    Ab, Bb = _discretize(A, B, step_tensor(step, dtype, A.device), alpha, batch)
    return _krylov_kernel(Ab, Bb, C.expand(*batch, A.shape[-1]), L)
