"""The linear recurrence x_t = a_t x_{t-1} + b_t, scanned in place (shared by the selective,
SSD and S5 kernels).

Both routes work in place on a time-major buffer ``b`` (time = dimension 0, every time
step a contiguous slab) with the decays ``a`` of the same length, broadcastable to ``b``
on the other dimensions (S5's constant Lambda-bar is a (T, 1, P) tensor), and leave
x_t in ``b[t]``; x_{-1} is folded into ``b[0]`` by the caller (``b[0] += a[0] x_{-1}``).

* ``sequential_scan_``: the recurrence itself, one fused multiply-add dispatch per step
  (``b[t].addcmul_(a[t], b[t-1])`` on prebuilt row views: no other work inside the loop).
* ``parallel_scan_``: the work-efficient associative scan (Brent-Kung / Blelloch up- and
  down-sweep without the exclusive zeroing) of the operator

      (a1, b1) o (a2, b2) = (a2 a1, a2 b1 + b2),

  on strided views of the buffer, for any T (no padding to a power of two):
  up-sweep, level k = 0, 1, ...: every position p with p + 1 = 0 mod 2^(k+1) absorbs the
  pair 2^k to its left, b_p += a_p b_{p-2^k}, a_p *= a_{p-2^k}; afterwards (a_p, b_p) is
  the reduction over (p - lowbit(p + 1), p]. Down-sweep, level k = K-1 .. 0: every
  position p = (2j + 1) 2^k - 1, j >= 1, completes with the finished prefix at p - 2^k,
  b_p += a_p b_{p-2^k}. Work: about 2T multiply-adds and T multiplies (the a-products of the
  down-sweep are never needed: only b is the output); depth 2 ceil(log2 T) dispatches of
  2-3 in-place ops each.

Products of the decays exp(delta A) are formed directly, in the tree (never as exp of a
difference of cumulative sums): a product over 2^k steps carries the rounding errors of
its 2^k factors (as the sequential loop does) plus only k roundings of its own (a balanced
product tree). It loses relative accuracy (subnormal) or underflows to 0 only where the
exact product is below the dtype's smallest normal number (2^-126 in float32), so the
contribution lost is below 2^-126 times a partial state: nothing against a channel's
max-norm, the measure of every error here. Measured at L = 16384 (float32, batch 1 x
64 channels x N 16, A = -(1..16), delta = softplus of Mamba's initialisation, dt in
[1e-3, 1e-1]; the sum of delta A over the sequence reaches -2.9e4; error relative to
each channel's max-norm, against a float64 sequential run; ``python
benchmarks/bench_selective.py --accuracy``):

    this tree (direct products)                    1.27e-6
    sequential float32 loop                        1.48e-6
    mambapy's pscan (same tree, padded to 2^k)     1.33e-6
    tree with every product as exp(S_p - S_q),
      S = float32 cumsum of delta A (log space)    3.0e-4   (error ~ u |S_t|)
    exp(S_t) logcumsumexp(log b_s - S_s)
      (Heinsen's log-space scan, complex logs)     6.1e-4
    this tree in float64                           1.7e-15

The log-space routes lose a factor of about |S_t| ~ 3e4 u to the rounding of the running
sum S_t; the direct products do not.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["parallel_scan_", "parallel_scan_plan", "sequential_scan_"]


def sequential_scan_(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """b[t] += a[t] * b[t-1] for t = 1 .. T-1 in place (x_t left in b[t]); returns b."""
    rows_a, rows_b = a.unbind(0), b.unbind(0)
    for t in range(1, len(rows_b)):
        rows_b[t].addcmul_(rows_a[t], rows_b[t - 1])
    return b


def parallel_scan_(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The same result as ``sequential_scan_`` by the associative up/down sweep (module
    docstring). Overwrites ``a`` with partial products and ``b`` with x; returns b."""
    parallel_scan_plan(a, b)()
    return b


def parallel_scan_plan(a: torch.Tensor, b: torch.Tensor) -> Callable[[], None]:
    """``parallel_scan_`` of these two buffers as a function of no arguments: the strided
    views of every level are cut once, so a caller that scans the same buffers again
    (block after block) pays only for the in-place operations."""
    T = b.shape[0]
    levels = max(0, (T - 1).bit_length())
    # (target, first, second): target += first * second, or target *= first if no second
    steps: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]] = []
    for k in range(levels):  # up-sweep
        s = 1 << k
        right_b = b[2 * s - 1 :: 2 * s]
        m = right_b.shape[0]
        if m == 0:
            break
        right_a = a[2 * s - 1 :: 2 * s]
        steps.append((right_b, right_a, b[s - 1 :: 2 * s][:m]))
        if k + 1 < levels:  # the top level's products are never read
            steps.append((right_a, a[s - 1 :: 2 * s][:m], None))
    for k in range(levels - 1, -1, -1):  # down-sweep
        s = 1 << k
        target_b = b[3 * s - 1 :: 2 * s]
        m = target_b.shape[0]
        if m:
            steps.append((target_b, a[3 * s - 1 :: 2 * s], b[2 * s - 1 :: 2 * s][:m]))

    def run() -> None:
        for target, first, second in steps:
            if second is None:
                target.mul_(first)
            else:
                target.addcmul_(first, second)

    return run
