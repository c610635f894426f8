"""Mamba-2's state-space duality (SSD) layer, scalar A per head (torch twin of
``mp_oracles.ssd``).

Convention (b batch, l length, h heads of dimension p, g groups of B/C, n states):

    H_{-1} = 0 (b, h, p, n);  abar_t = exp(dt_t A)   (one scalar per batch, step and head)
    H_t = abar_t H_{t-1} + dt_t X_t B_t^T   (outer product p x n; head i uses group i // (h/g))
    y_t = H_t C_t  (+ D X_t)

Mamba-2's ``ssd_minimal_discrete(X * dt, A * dt, B, C, block_len)`` is this map.

Modes (all the same map, to rounding):

* ``"sequential"``: the recurrence, three batched dispatches per step (decay, rank-one
  update, output); O(l h p n) work, depth l.
* ``"quadratic"``: the dual (masked attention) form y = (L o C B^T) (dt X) with the
  1-semiseparable mask L_ts = prod_{s<k<=t} abar_k = exp(segsum_ts), where
  segsum_ts = sum_{s<k<=t} dt_k A is formed as Mamba-2's ``segsum`` does: each column's
  terms are masked and cumulatively summed (no difference of two long cumulative sums, so
  no cancellation), and set to -inf above the diagonal (exp gives the mask's zeros).
  O(l^2 (h p + g n)) work and O(b h l^2) memory.
* ``"chunked"``: Mamba-2's chunked algorithm with chunks of Q = ``chunk_size`` steps (any
  Q >= 1; the last chunk is padded with dt = 0, X = 0, which adds nothing and decays by
  exp(0) = 1): the quadratic form inside each chunk, each chunk's own final state
  sum_s L_{Q-1,s} dt_s X_s B_s^T (the weights are the last row of the chunk's segsum, not a
  difference of cumulative sums), the states carried across chunks by the shared
  associative scan (``_assoc_scan.parallel_scan_``) of (exp(sum of the chunk's dt A), chunk
  state), and each chunk's outputs from the state entering it, C_t exp(sum_{k<=t} dt_k A) H.
  O(l Q (h p + g n) + l h p n) work.

Mixed precision (``_selective_args``): bf16/fp16/fp32 inputs compute in float32, float64 in
float64; y is returned in the input dtype. Size (before any work, against
``kernel_elements``): the mode's largest tensor (sequential: b h p n, with
``SEQUENTIAL_STEP_CHARGE`` per step; quadratic: b h l^2; chunked: b h l Q and the chunk
states b (l/Q) h p n). Overflow: A > 0 can grow the state beyond the range: refused with
max(dt A).
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError
from .._validation import require_choice, require_int
from ._args import SEQUENTIAL_STEP_CHARGE, as_tensor, require_elements, require_finite_result
from ._assoc_scan import parallel_scan_
from ._selective_args import call_precision, optional, require_shape

__all__ = ["SSD_MODES", "ssd"]

#: The modes of ``ssd``.
SSD_MODES = ("sequential", "quadratic", "chunked")


def ssd(
    X: Any,
    dt: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any = None,
    *,
    mode: str = "sequential",
    chunk_size: int = 64,
) -> torch.Tensor:
    """y_t = H_t C_t (+ D X_t), H_t = exp(dt_t A) H_{t-1} + dt_t X_t B_t^T, H_{-1} = 0.

    Arguments:
        X: (b, l, h, p) real, l >= 1. dt: (b, l, h) real, > 0 (already softplus-ed).
        A: (h,) real. B, C: (b, l, g, n) real with h % g == 0. D: (h,) real or None.
        All one real dtype (float64/float32/bfloat16/float16), one device, finite.
        mode: ``"sequential"``, ``"quadratic"`` or ``"chunked"`` (module docstring).
        chunk_size: Q >= 1, the chunk length of the chunked mode (need not divide l).

    Returns:
        y: (b, l, h, p) in the input dtype (computed in float32 for bf16/fp16/fp32).

    Raises:
        InvalidTypeError / InvalidArgumentError before any work: non-tensors, complex,
        integer or mixed dtypes, shapes, groups not dividing h, dt <= 0, NaN/inf, devices,
        unknown mode, a chunk_size that is not an int >= 1, a size above
        ``kernel_elements``; InvalidArgumentError after it if the output overflowed.
    """
    family = "ssd"
    X = as_tensor("X", X)
    if X.dim() != 4 or 0 in X.shape:
        raise InvalidArgumentError(
            f"{family}: X must have shape (b, l, h, p) with every size >= 1, got {tuple(X.shape)}"
        )
    b, L, h, p = X.shape
    dt, A = as_tensor("dt", dt), as_tensor("A", A)
    require_shape(family, "dt", dt, (b, L, h), "(b, l, h)")
    require_shape(family, "A", A, (h,), "(h,)")
    B, C = as_tensor("B", B), as_tensor("C", C)
    if B.dim() != 4 or B.shape[:2] != (b, L) or B.shape[2] < 1 or B.shape[3] < 1:
        raise InvalidArgumentError(
            f"{family}: B must have shape (b, l, g, n) = ({b}, {L}, g, n), got {tuple(B.shape)}"
        )
    g, n = B.shape[2], B.shape[3]
    if h % g:
        raise InvalidArgumentError(f"{family}: B/C have {g} groups, which must divide h = {h}")
    require_shape(family, "C", C, (b, L, g, n), "(b, l, g, n)")
    D = optional("D", D)
    if D is not None:
        require_shape(family, "D", D, (h,), "(h,)")
    mode = require_choice("mode", mode, SSD_MODES)
    Q = require_int("chunk_size", chunk_size, minimum=1)
    prec = call_precision(family, {"X": X, "dt": dt, "A": A, "B": B, "C": C, "D": D}, {})
    if not bool((dt > 0).all()):
        raise InvalidArgumentError(f"{family}: dt must be > 0 at every entry")
    Q = min(Q, L)
    chunks = -(-L // Q)
    cost = {
        "sequential": b * max(h * p * n, L * h * max(p, n)) + SEQUENTIAL_STEP_CHARGE * L,
        "quadratic": b * max(h, g * n) * L * L,
        "chunked": b * max(h * chunks * Q * Q, chunks * h * p * n, L * h * max(p, n)),
    }[mode]
    require_elements(f"{family} ({mode}): elements of its largest tensor", cost)

    real = prec.real
    X, dt, A, B, C = (v.to(real) for v in (X, dt, A, B, C))
    run = {"sequential": _sequential, "quadratic": _quadratic, "chunked": _chunked}[mode]
    y = run(X, dt, A, B, C, Q)
    if D is not None:
        y = y + D.to(real)[:, None] * X
    require_finite_result(
        f"{family} ({mode})",
        y,
        lambda: (
            f"max(dt A) = {float((dt * A).max()):.6g}: the state may grow like that "
            "exponent per step"
        ),
    )
    return y.to(prec.dtype)


def _heads(t: torch.Tensor, g: int) -> torch.Tensor:
    """(..., h, x) -> (..., g, h/g, x): head i = group i // (h/g), position i % (h/g)."""
    return t.unflatten(-2, (g, -1))


def _sequential(X, dt, A, B, C, Q):  # Q: the chunked mode's
    b, L, h, p = X.shape
    g, n = B.shape[2], B.shape[3]
    decay = torch.exp(dt * A)  # (b, l, h)
    dtX = _heads(dt[..., None] * X, g)  # (b, l, g, h/g, p)
    decay = decay.unflatten(-1, (g, -1))  # (b, l, g, h/g)
    H = X.new_zeros((b, g, h // g, p, n))
    y = torch.empty_like(dtX)
    for t in range(L):
        H.mul_(decay[:, t, :, :, None, None])
        H.addcmul_(dtX[:, t, :, :, :, None], B[:, t, :, None, None, :])
        y[:, t] = (H @ C[:, t, :, None, :, None])[..., 0]
    return y.flatten(2, 3)


def segsum(x: torch.Tensor) -> torch.Tensor:
    """(..., T) -> (..., T, T): out[t, s] = sum_{s<k<=t} x_k for s <= t, -inf above the
    diagonal; each column a cumulative sum of masked terms (Mamba-2's stable segsum)."""
    T = x.shape[-1]
    lower = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
    terms = x[..., :, None].expand(*x.shape, T).masked_fill(~lower.tril(-1), 0)
    return terms.cumsum(-2).masked_fill(~lower, -torch.inf)


def _mask(x: torch.Tensor) -> torch.Tensor:
    """exp(segsum(x)): the 1-semiseparable mask, zero above the diagonal."""
    return torch.exp(segsum(x))


def _quadratic(X, dt, A, B, C, Q):
    g = B.shape[2]
    mask = _mask((dt * A).transpose(1, 2))  # (b, h, t, s)
    scores = torch.einsum("btgn,bsgn->bgts", C, B)  # (b, g, t, s)
    M = mask.unflatten(1, (g, -1)) * scores[:, :, None]  # (b, g, h/g, t, s)
    dtX = _heads(dt[..., None] * X, g).permute(0, 2, 3, 1, 4)  # (b, g, h/g, s, p)
    y = M @ dtX  # (b, g, h/g, t, p)
    return y.permute(0, 3, 1, 2, 4).flatten(2, 3)


def _chunked(X, dt, A, B, C, Q):
    b, L, h, p = X.shape
    g = B.shape[2]
    chunks = -(-L // Q)
    pad = chunks * Q - L

    def split(t: torch.Tensor) -> torch.Tensor:  # (b, l, ...) -> (b, c, Q, ...), zero-padded
        t = torch.nn.functional.pad(t, (0, 0) * (t.dim() - 2) + (0, pad))
        return t.unflatten(1, (chunks, Q))

    dtA = split((dt * A)[..., None])[..., 0].permute(0, 3, 1, 2)  # (b, h, c, Q)
    dtX = split(dt[..., None] * X)  # (b, c, Q, h, p)
    Bc, Cc = split(B), split(C)  # (b, c, Q, g, n)
    mask = _mask(dtA).unflatten(1, (g, -1))  # (b, g, h/g, c, t, s)
    dtX_g = _heads(dtX, g)  # (b, c, Q, g, h/g, p)
    # 1. within chunks: y_t = sum_s (C_t . B_s) L_ts dt_s X_s
    scores = torch.einsum("bctgn,bcsgn->bgcts", Cc, Bc)  # (b, g, c, t, s)
    M = mask * scores[:, :, None]  # (b, g, h/g, c, t, s)
    y = torch.einsum("bgkcts,bcsgkp->bctgkp", M, dtX_g)
    # 2. each chunk's own final state: sum_s L_{Q-1, s} dt_s X_s B_s^T (pairwise products:
    #    one weighting, then a batched (h/g p, s) x (s, n) matmul per batch, chunk, group)
    last = mask[..., -1, :].permute(0, 3, 4, 1, 2)[..., None]  # (b, c, s, g, h/g, 1)
    own = torch.einsum("bcsgkp,bcsgn->cbgkpn", dtX_g * last, Bc)
    # 3. states across chunks: S_c = exp(sum_chunk dt A) S_{c-1} + own_c (shared scan)
    cumulative = dtA.cumsum(-1)  # (b, h, c, Q)
    whole = torch.exp(cumulative[..., -1]).unflatten(1, (g, -1))  # (b, g, h/g, c)
    decay = whole.permute(3, 0, 1, 2)[..., None, None].contiguous()  # (c, b, g, h/g, 1, 1)
    states = parallel_scan_(decay, own)  # states[c]: after chunk c
    entering = torch.cat([torch.zeros_like(states[:1]), states[:-1]])  # (c, b, g, h/g, p, n)
    # 4. outputs from the state entering each chunk: C_t exp(sum_{k<=t} dt_k A) H
    into = torch.exp(cumulative).unflatten(1, (g, -1))  # (b, g, h/g, c, t)
    from_state = torch.einsum("bctgn,cbgkpn->bctgkp", Cc, entering)
    y = y + from_state * into.permute(0, 3, 4, 1, 2)[..., None]
    return y.flatten(1, 2)[:, :L].flatten(2, 3)
