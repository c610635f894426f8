"""The sequential scan's one-call-per-step loop (``kernels.scan._sequential``).

References are independent of the code under test: the recurrence in numpy long double
(x_{k+1} = Ab x_k + Bb u_k, y_k = C x_{k+1}, one system at a time) and, for an impulse,
the taps C Ab^k Bb from repeated long-double products. Block boundaries, batch shapes,
broadcasting, complex systems and the differentiable fallback are exercised.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from hippo_verify.kernels.scan import scan

# the module itself (the package re-exports the function under the same name)
scan_module = importlib.import_module("hippo_verify.kernels.scan")


def _system(N: int, batch: tuple[int, ...], dtype: torch.dtype, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    real = dtype.to_real() if dtype.is_complex else dtype
    A = torch.randn(*batch, N, N, generator=g, dtype=torch.float64) * (0.9 / N**0.5)
    B = torch.randn(*batch, N, generator=g, dtype=torch.float64)
    C = torch.randn(*batch, N, generator=g, dtype=torch.float64)
    if dtype.is_complex:
        A = A + 1j * torch.randn(A.shape, generator=g, dtype=torch.float64) * (0.3 / N**0.5)
        C = C - 0.5j * torch.randn(C.shape, generator=g, dtype=torch.float64)
    return A.to(dtype), B.to(dtype), C.to(dtype), real


def _reference(A, B, C, u) -> np.ndarray:
    """The recurrence of one system in long double (complex: clongdouble)."""
    kind = np.clongdouble if A.is_complex() else np.longdouble
    A, B, C = (t.numpy().astype(kind) for t in (A, B, C))
    x = np.zeros(A.shape[-1], dtype=kind)
    ys = []
    for u_k in u.numpy().astype(kind):
        x = A @ x + B * u_k
        ys.append(C @ x)
    return np.array(ys)


def _bound(N: int, dtype: torch.dtype, scale: float) -> float:
    """Forward error bound of the recurrence, componentwise: each step's rounding is at most
    (N + 2) u times the step's magnitudes, and the magnitudes propagate through |Ab|, so
    |y - y_exact| <= (N + 2) u max_k (|C| sum_j |Ab|^j (|Bb| |u|))_k to first order
    (``scale``, the recurrence run on absolute values); factor 8 for the second order."""
    u = torch.finfo(dtype.to_real() if dtype.is_complex else dtype).eps / 2
    return 8 * (N + 2) * u * scale


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.complex128])
@pytest.mark.parametrize("batch", [(), (3,), (2, 2)])
def test_sequential_matches_long_double_recurrence(dtype, batch):
    N, L = 8, 50
    A, B, C, real = _system(N, batch, dtype)
    u = torch.randn(*batch, L, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = scan(A, B, C, u.to(real))
    assert y.shape == (*batch, L) and y.dtype == dtype
    flat = (A.reshape(-1, N, N), B.reshape(-1, N), C.reshape(-1, N), u.reshape(-1, L))
    for i, (Ai, Bi, Ci, ui) in enumerate(zip(*flat, strict=True)):
        ref = _reference(Ai, Bi, Ci, ui.to(real))
        scale = float(np.abs(_reference(Ai.abs(), Bi.abs(), Ci.abs(), ui.abs())).max())
        err = np.abs(y.reshape(-1, L)[i].numpy().astype(ref.dtype) - ref).max()
        assert err <= _bound(N, dtype, scale), (i, err, _bound(N, dtype, scale))


def test_impulse_gives_the_taps_seen_at_the_current_step():
    # y_k = C Ab^k Bb: the output sees the current input (an off-by-one step fails)
    N, L = 6, 12
    A, B, C, _ = _system(N, (), torch.float64)
    u = torch.zeros(L, dtype=torch.float64)
    u[0] = 1
    y = scan(A, B, C, u)
    An, x = A.numpy().astype(np.longdouble), B.numpy().astype(np.longdouble)
    taps = []
    for _ in range(L):
        taps.append(C.numpy().astype(np.longdouble) @ x)
        x = An @ x
    np.testing.assert_allclose(y.numpy(), np.array(taps, dtype=np.float64), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("batch", [(), (3,)])
@pytest.mark.parametrize("block_elements", [1, 3 * 8 * 7, 10**9])
def test_blocks_do_not_change_a_bit(batch, block_elements, monkeypatch):
    N, L = 8, 45
    A, B, C, _ = _system(N, batch, torch.float64, seed=3)
    u = torch.randn(*batch, L, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    whole = scan(A, B, C, u)
    monkeypatch.setattr(scan_module, "SEQUENTIAL_BLOCK_ELEMENTS", block_elements)
    assert torch.equal(scan(A, B, C, u), whole)


def test_broadcast_system_and_inputs():
    # one system, a batch of inputs (and the reverse): every row as if run alone
    N, L = 5, 20
    A, B, C, _ = _system(N, (), torch.float64, seed=5)
    u = torch.randn(4, L, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    y = scan(A, B, C, u)
    for i in range(4):
        assert torch.allclose(y[i], scan(A, B, C, u[i]), rtol=1e-14, atol=1e-14)
    Ab, Bb, Cb, _ = _system(N, (3,), torch.float64, seed=7)
    y = scan(Ab, Bb, Cb, u[0])
    for i in range(3):
        assert torch.allclose(y[i], scan(Ab[i], Bb[i], Cb[i], u[0]), rtol=1e-14, atol=1e-14)


def test_gradients_flow_through_the_differentiable_fallback():
    N, L = 3, 7
    A, B, C, _ = _system(N, (), torch.float64, seed=8)
    u = torch.randn(L, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    fast = scan(A, B, C, u)
    A.requires_grad_()
    u.requires_grad_()
    assert torch.allclose(scan(A, B, C, u), fast, rtol=1e-14, atol=1e-15)
    assert torch.autograd.gradcheck(lambda A, u: scan(A, B, C, u), (A, u))
