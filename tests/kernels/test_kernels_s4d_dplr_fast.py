"""The fast paths of the S4D and DPLR kernels: blocked Vandermonde powers, the lam_bar = 0
limit, the half spectrum of conjugate-pair DPLR systems, and the cheap validation that
replaced the isfinite pass over the Cauchy matrix.

References come from independent routes: exact rational arithmetic (``fractions``) for the
lam_bar = 0 case, the mpmath oracle on the full (both halves) system for ``conj_pairs``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from hippo_verify import InvalidArgumentError
from hippo_verify.kernels.diag import diag_kernel
from hippo_verify.kernels.dplr import dplr_kernel, dplr_kernel_from_ct, unit_circle_tangents
from hippo_verify.oracles import dplr_kernel as dplr_oracle
from hippo_verify.symbolic import s4d_init
from hippo_verify.testing import assert_kernel_close, dplr_kernel_condition

COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}


def values(t: torch.Tensor) -> list:
    return t.detach().cpu().to(torch.complex128).tolist()


# ---------------------------------------------------------------------------------------
# diag_kernel: lam_bar = 0 through the blocked powers
# ---------------------------------------------------------------------------------------


# 65 and 200 take the blocked path (64-tap blocks, a partial last block) as 4097 does
# (65 blocks of 64 + 1); 4097 repeats it at length, with exact powers costing seconds: slow.
@pytest.mark.parametrize("L", [5, 64, 65, 200, pytest.param(4097, marks=pytest.mark.slow)])
@pytest.mark.parametrize("conj_pairs", [True, False])
def test_forward_euler_zero_mode_is_exact(L, conj_pairs):
    """Forward Euler at dt lam = -1 gives lam_bar = 0 (log lam_bar = -inf): taps
    K_k = sum_n C_n dt B_n lam_bar_n^k with 0^0 = 1, 0^k = 0, compared with exact rational
    powers. L > 64 takes the blocked path, where the zero mode's block starts
    lam_bar^{m Lc} (m > 0) and the in-block powers both meet 0 * -inf."""
    dt = 0.25
    lam = torch.tensor([-4.0, -0.5, -1.0], dtype=torch.float64)  # dt lam = -1, -1/8, -1/4
    B = torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64)
    C = torch.tensor([3.0, 0.5, 1.5], dtype=torch.float64)
    K = diag_kernel(lam, B, C, L, dt=dt, method="forward_euler", conj_pairs=conj_pairs)
    bars = [1 + Fraction(dt) * Fraction(v) for v in lam.tolist()]  # 0, 7/8, 3/4
    weights = [Fraction(c) * Fraction(dt) * Fraction(b) for c, b in zip(C.tolist(), B.tolist())]
    scale = 2 if conj_pairs else 1
    exact = [scale * sum(w * bar**k for w, bar in zip(weights, bars)) for k in range(L)]
    got = (K.real if K.is_complex() else K).tolist()
    # exact values are real; one exponential per factor: a few ulps times k |log lam_bar|.
    worst = max(abs(Fraction(g) - e) for g, e in zip(got, exact)) / max(abs(e) for e in exact)
    assert float(worst) < 1e-13, float(worst)
    assert got[0] == float(exact[0])  # 0^0 = 1 exactly: no rounding at k = 0


def test_blocked_powers_match_single_exponentials():
    """The blocked product lam_bar^{m Lc} lam_bar^j equals exp(k log lam_bar) to rounding
    (float64, growing and decaying complex modes, L not a multiple of the block length)."""
    lam = torch.tensor([-0.5 + 3.0j, -0.01 + 40.0j, 0.001 - 7.0j], dtype=torch.complex128)
    B = torch.tensor([1.0, 0.5 - 1j, 2.0], dtype=torch.complex128)
    C = torch.tensor([0.3 + 1j, -1.0, 0.7j], dtype=torch.complex128)
    L, dt = 1000, 0.01
    K = diag_kernel(lam, B, C, L, dt=dt, conj_pairs=False)
    dlam = lam * dt
    k = torch.arange(L, dtype=torch.float64)
    W = C * B * torch.expm1(dlam) / lam
    direct = (W[:, None] * torch.exp(dlam[:, None] * k)).sum(0)
    assert ((K - direct).abs().max() / direct.abs().max()).item() < 1e-12


# ---------------------------------------------------------------------------------------
# dplr: conjugate pairs from the half spectrum, against the oracle on the full system
# ---------------------------------------------------------------------------------------


def half_system(N: int, r: int, dtype: torch.dtype) -> tuple:
    """S4D-Lin stored modes (N of 2N) with random rank-r P, Q, B, C (complex)."""
    rng = np.random.default_rng(3)
    lam = np.array([complex(v) for v in s4d_init("lin", 2 * N)])
    P, Q = ((rng.standard_normal((N, r)) + 1j * rng.standard_normal((N, r))) * 0.3 for _ in "PQ")
    B, C = (rng.standard_normal(N) + 1j * rng.standard_normal(N) for _ in "BC")
    return tuple(torch.tensor(x, dtype=COMPLEX[dtype]) for x in (lam, P, Q, B, C))


def full_system(Lambda, P, Q, B, C) -> tuple:
    """Both halves: (Lambda, conj Lambda), [P; conj P], [Q; conj Q], [B; conj B], [C, conj C]."""
    return (
        torch.cat([Lambda, Lambda.conj()]),
        torch.cat([P, P.conj()], dim=-2),
        torch.cat([Q, Q.conj()], dim=-2),
        torch.cat([B, B.conj()]),
        torch.cat([C, C.conj()]),
    )


# (N stored, r, dt, L): even and odd L, L = 1 and 2 (only j = 0 and z = -1).
CONJ_CASES = [(4, 1, 1e-1, 64), (3, 2, 1e-2, 33), (4, 1, 1e-3, 48), (2, 1, 1e-1, 2), (2, 1, 0.1, 1)]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", CONJ_CASES, ids=str)
def test_dplr_conj_pairs_match_oracle_on_full_system(case, dtype):
    N, r, dt, L = case
    half = half_system(N, r, dtype)
    full = full_system(*half)
    K = dplr_kernel(*half, L, dt=dt, conj_pairs=True)
    assert K.shape == (L,) and K.dtype == dtype
    oracle = dplr_oracle(*(values(x) for x in full), L, dt=dt)
    cond = dplr_kernel_condition(*full, L, dt=dt)
    assert_kernel_close(K.to(COMPLEX[dtype]), oracle, algorithm="dplr-woodbury", N=2 * N, cond=cond)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("L", [1, 2, 7, 64])
def test_dplr_from_ct_conj_pairs_is_real_part_of_full_system(dtype, L):
    """From Ct, the half-spectrum route equals the full-spectrum route on both halves (whose
    imaginary part is rounding noise); and from C its Ct is the full system's first half."""
    Lambda, P, Q, B, Ct = half_system(4, 1, dtype)
    full = full_system(Lambda, P, Q, B, Ct)
    K = dplr_kernel_from_ct(Lambda, P, Q, B, Ct, L, dt=0.05, conj_pairs=True)
    K_full = dplr_kernel_from_ct(*full, L, dt=0.05)
    u = torch.finfo(dtype).eps
    scale = K_full.abs().max()
    assert (K - K_full.real).abs().max() <= 200 * u * scale
    assert K_full.imag.abs().max() <= 200 * u * scale


# ---------------------------------------------------------------------------------------
# dplr: cheap validation (pole before the work, non-finite results after it)
# ---------------------------------------------------------------------------------------


def _pole_system(j: int, L: int, dt: float, dtype=torch.float64):
    """Lambda_0 = i s_j exactly (s_j = 2 tan(pi j / L) / dt as the kernel rounds it)."""
    t, _ = unit_circle_tangents(L, torch.device("cpu"))
    real = dtype
    s = (2 * t.to(real) / dt)[j].item()
    Lambda = torch.tensor([complex(0.0, s), -1.0 + 2j], dtype=COMPLEX[dtype])
    P = torch.full((2, 1), 0.1 + 0j, dtype=COMPLEX[dtype])
    ones = torch.ones(2, dtype=COMPLEX[dtype])
    return Lambda, P, P, ones, ones


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("conj_pairs", [False, True])
@pytest.mark.parametrize("j", [0, 1, 3, 5, 7])
def test_pole_at_a_root_of_unity_is_refused(j, conj_pairs, dtype):
    """A mode exactly on w_j: infinite Cauchy sums, refused (the isfinite pass over the
    (L, N) Cauchy matrix used to catch this; now an O(N log L) search does)."""
    system = _pole_system(j, 8, 0.1, dtype)
    with pytest.raises(InvalidArgumentError, match="singular at a root"):
        dplr_kernel_from_ct(*system, 8, dt=0.1, conj_pairs=conj_pairs)
    with pytest.raises(InvalidArgumentError, match="singular at a root"):
        dplr_kernel(*system, 8, dt=0.1, conj_pairs=conj_pairs)


def test_pole_with_zero_weights_is_refused():
    """The pole mode's weights all zero (Ct_n = B_n = P_n = Q_n = 0): inf * 0 in the Cauchy
    product, which a BLAS may skip; the search does not depend on it."""
    Lambda, P, Q, B, Ct = _pole_system(2, 8, 0.1)
    zero_first = torch.tensor([0.0, 1.0], dtype=torch.complex128)
    with pytest.raises(InvalidArgumentError, match="singular at a root"):
        dplr_kernel_from_ct(Lambda, P * zero_first[:, None], Q * 0, B * zero_first, Ct, 8, dt=0.1)


def test_near_pole_is_not_refused():
    """One ulp off the node: finite sums, no refusal (the search is exact, not a tolerance)."""
    Lambda, P, Q, B, Ct = _pole_system(1, 8, 0.1)
    Lambda[0] = complex(0.0, math.nextafter(Lambda[0].imag.item(), math.inf))
    K = dplr_kernel_from_ct(Lambda, P, Q, B, Ct, 8, dt=0.1)
    assert bool(torch.isfinite(K).all())


@pytest.mark.parametrize("conj_pairs", [False, True])
def test_overflow_inside_the_cauchy_sums_is_caught_on_the_output(conj_pairs):
    """inf planted mid-computation (Ct_n B_n overflows complex64 in the Cauchy weights): the
    check on the (L) output, not on the (L, N) intermediate, refuses it."""
    Lambda = torch.tensor([-0.5 + 1j, -1.0 + 3j], dtype=torch.complex64)
    P = torch.zeros(2, 1, dtype=torch.complex64)
    big = torch.tensor([3e38, 1.0], dtype=torch.complex64)
    with pytest.raises(InvalidArgumentError, match="overflowed"):
        dplr_kernel_from_ct(Lambda, P, P, big, big, 16, dt=0.1, conj_pairs=conj_pairs)
