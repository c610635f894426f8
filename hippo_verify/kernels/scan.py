"""The SSM recurrence run over an input sequence (torch twin of ``mp_oracles.causal_conv``).

Convention (the oracles'): x_0 = 0, x_{k+1} = Ab x_k + Bb u_k, y_k = C x_{k+1}, so
y_k = sum_{j <= k} K_j u_{k-j} with K_j = C Ab^j Bb: the output sees the current input.
The oracle of ``scan(Ab, Bb, C, u)`` is ``causal_conv(u, discrete_kernel(Ab, Bb, C, L))``.

Modes:

* ``"sequential"``: the recurrence itself, one batched matrix-vector step per sample
  (inherently sequential, O(N^2 L) work, depth L).
* ``"chunked"``: L is cut into chunks of T = 2^ceil(log2 sqrt L) samples. With the Krylov
  block W = [Bb, ..., Ab^{T-1} Bb], the observability block O_t = C Ab^{t+1} and Ab^T (all
  by doubling), each chunk c is a causal convolution with the first T taps (a lower
  triangular Toeplitz matmul) plus the contribution O x_{cT} of the state entering it; the
  states are carried across chunks by x_{(c+1)T} = Ab^T x_{cT} + W flip(u_chunk). Work
  O(N^3 log T + L (T + N)), depth O(log T + L / T).

Size (against ``kernel_elements``, before any work): the largest tensor of the mode,
batch x max(L, N^2) sequential plus its per-block buffers of inputs and states
(2 x batch x N x T, T = 2^22 / (batch x N) steps, at least 1, at most L), and
batch x max(N^2, chunks x T, N x max(T, chunks)) chunked;
the sequential mode is also charged ``SEQUENTIAL_STEP_CHARGE`` elements per step for its
interpreter-level loop (one step costs about as long as that many element operations), so
the default ceiling allows about 8 million sequential steps (minutes, not hours).
Overflow: an unstable system whose output leaves the dtype's range raises
InvalidArgumentError naming ||Ab||_1 (the state grows at most like ||Ab||_1^k).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .._errors import InvalidArgumentError
from .._validation import require_choice
from ._args import (
    SEQUENTIAL_STEP_CHARGE,
    as_tensor,
    broadcast_batch,
    require_elements,
    require_finite_result,
)
from .dense import _system, krylov_block
from .discretize import system_dtype

__all__ = ["SCAN_MODES", "scan"]

#: The modes of ``scan``.
SCAN_MODES = ("sequential", "chunked")


def scan(Ab: Any, Bb: Any, C: Any, u: Any, *, mode: str = "sequential") -> torch.Tensor:
    """y_k = C x_{k+1}, x_{k+1} = Ab x_k + Bb u_k, x_0 = 0, for k = 0 .. L-1.

    Equivalently y = causal convolution of u with K_j = C Ab^j Bb (``causal_conv(u, K)``).

    Arguments:
        Ab: (..., N, N) discrete state matrix; Bb: (..., N) input; C: (..., N) output row.
        u: (..., L) input sequence, L >= 1. All float32/64 or complex64/128, finite, on one
            device; the batch dimensions of all four broadcast.
        mode: ``"sequential"`` or ``"chunked"`` (see the module docstring); they agree to
            rounding.

    Returns:
        y of shape (*batch, L) in the promoted dtype of (Ab, Bb, C, u).

    Raises:
        InvalidTypeError / InvalidArgumentError before any work: non-tensors, integer or
        half dtypes, shapes, NaN/inf, devices, batch shapes, unknown mode, a size above
        ``kernel_elements`` (module docstring); InvalidArgumentError after it if the
        output overflowed the dtype.
    """
    Ab, Bb, C, _, batch = _system(Ab, Bb, C, ("Ab", "Bb", "C"))
    u = as_tensor("u", u, min_dim=1)
    if u.shape[-1] == 0:
        raise InvalidArgumentError("u: the sequence is empty (L = 0); give L >= 1 samples")
    mode = require_choice("mode", mode, SCAN_MODES)
    dtype = system_dtype(Ab, Bb, C, u)
    batch = broadcast_batch(system=batch, u=u.shape[:-1])
    N, L = Ab.shape[-1], u.shape[-1]
    require_elements(
        f"scan ({mode}): elements of its largest tensor", _scan_cost(mode, batch, N, L)
    )
    Ab = Ab.to(dtype).expand(*batch, N, N)
    Bb = Bb.to(dtype).expand(*batch, N)
    C = C.to(dtype).expand(*batch, N)
    u = u.to(dtype).expand(*batch, L)
    y = _sequential(Ab, Bb, C, u) if mode == "sequential" else _chunked(Ab, Bb, C, u)
    require_finite_result(f"scan ({mode})", y, lambda: _growth(Ab))
    return y


def _scan_cost(mode: str, batch: torch.Size, N: int, L: int) -> int:
    """Elements of the largest tensor of the mode (plus the sequential step charge)."""
    if mode == "sequential":
        block = 2 * batch.numel() * N * _block_steps(batch.numel(), N, L)
        return batch.numel() * max(L, N * N) + block + SEQUENTIAL_STEP_CHARGE * L
    T = chunk_size(L)
    chunks = -(-L // T)
    return batch.numel() * max(N * N, chunks * T, N * max(T, chunks))


def _growth(Ab: torch.Tensor) -> str:
    norm = Ab.detach().abs().to(torch.float64).sum(-2).amax(-1).max().item()
    return f"||Ab||_1 = {norm:.6g}: the state x_k may grow like {norm:.6g}^k"


#: Elements of the per-block buffers of the sequential scan (inputs Bb u_k and states of
#: T steps): T = this // (batch x N), at least 1 and at most L.
SEQUENTIAL_BLOCK_ELEMENTS = 1 << 22


def _block_steps(systems: int, N: int, L: int) -> int:
    """T, the steps of one block of the sequential scan (``SEQUENTIAL_BLOCK_ELEMENTS``)."""
    return max(1, min(L, SEQUENTIAL_BLOCK_ELEMENTS // max(1, systems * N)))


def _sequential(
    Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, u: torch.Tensor
) -> torch.Tensor:
    """The recurrence with one torch call per step.

    Per block of T steps: Bb u_k for all k in one batched product, then
    x_{k+1} = Ab x_k + Bb u_k by ``addmv`` (one system) or ``baddbmm`` (a batch) written
    with ``out=`` into a preallocated state buffer (its views made once by ``unbind``), and
    y_k = C x_{k+1} for all k of the block in one reduction. Profiled against the loop
    ``x = Ab @ x + Bb * u[k]``: that costs 4-5 torch dispatches per step (index, product,
    matrix-vector product, sum, plus the output's), this one.
    """
    if torch.is_grad_enabled() and any(t.requires_grad for t in (Ab, Bb, C, u)):
        return _sequential_differentiable(Ab, Bb, C, u)  # out= does not record gradients
    batch, N, L = u.shape[:-1], Ab.shape[-1], u.shape[-1]
    systems = batch.numel()
    A = Ab.reshape(systems, N, N)
    B = Bb.reshape(systems, N)
    Cs = C.reshape(systems, N)
    U = u.reshape(systems, L)
    T = _block_steps(systems, N, L)
    y = torch.empty((systems, L), dtype=u.dtype, device=u.device)
    x = torch.zeros((systems, N), dtype=u.dtype, device=u.device)
    for start in range(0, L, T):
        stop = min(L, start + T)
        inputs = U[:, start:stop].T[:, :, None] * B  # (steps, systems, N): Bb u_k
        states = torch.empty_like(inputs)  # states[k] = x_{start + k + 1}
        _run_block(A, x, inputs, states)
        y[:, start:stop] = (states * Cs).sum(-1).T
        x = states[-1]
    return y.reshape(*batch, L)


def _sequential_differentiable(
    Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, u: torch.Tensor
) -> torch.Tensor:
    """The recurrence step by step with out-of-place ops, for inputs that need gradients."""
    x = torch.zeros_like(Bb)
    ys = []
    for k in range(u.shape[-1]):
        x = (Ab @ x[..., None])[..., 0] + Bb * u[..., k, None]
        ys.append((x * C).sum(-1))  # y_k = C x_{k+1}
    return torch.stack(ys, dim=-1)


def _run_block(A: torch.Tensor, x: torch.Tensor, inputs: torch.Tensor, states: torch.Tensor):
    """states[k] = A states[k-1] + inputs[k] (states[-1] := x), one call per step."""
    if A.shape[0] == 1:  # one system: matrix-vector products
        A1, previous = A[0], x[0]
        for b_u, out in zip(inputs[:, 0].unbind(0), states[:, 0].unbind(0), strict=True):
            previous = torch.addmv(b_u, A1, previous, out=out)
        return
    previous = x[..., None]
    for b_u, out in zip(inputs[..., None].unbind(0), states[..., None].unbind(0), strict=True):
        previous = torch.baddbmm(b_u, A, previous, out=out)


def chunk_size(L: int) -> int:
    """T = 2^ceil(log2 ceil(sqrt L)), the chunk length of the chunked scan."""
    return 1 << max(0, math.ceil(math.log2(max(1, math.isqrt(L - 1) + 1))))


def _chunked(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    L = u.shape[-1]
    T = chunk_size(L)
    chunks = -(-L // T)
    W, AT = krylov_block(Ab, Bb, T, power=True)  # (..., N, T), Ab^T
    K = (C[..., None, :] @ W)[..., 0, :]  # first T taps
    obs, _ = krylov_block(Ab.mT, (C[..., None, :] @ Ab)[..., 0, :], T)  # col t: C Ab^{t+1}
    t = torch.arange(T, device=u.device)
    lag = t[:, None] - t[None, :]
    toeplitz = torch.where(lag >= 0, K[..., lag.clamp(min=0)], K.new_zeros(()))
    u_chunks = torch.nn.functional.pad(u, (0, chunks * T - L)).unflatten(-1, (chunks, T))
    y = u_chunks @ toeplitz.mT  # within-chunk causal convolution, (..., chunks, T)
    pushed = u_chunks.flip(-1) @ W.mT  # state each chunk adds: sum_j Ab^{T-1-j} Bb u_j
    x = torch.zeros_like(Bb)
    starts = []
    for c in range(chunks):
        starts.append(x)
        x = (AT @ x[..., None])[..., 0] + pushed[..., c, :]
    y = y + torch.stack(starts, dim=-2) @ obs
    return y.flatten(-2)[..., :L]
