"""The convention adapters of ``hippo_verify.testing.conventions``, each against an
independent route: the oracles on the transformed system, a transcription of the code
whose convention it maps (S4's half-storage Cauchy/Woodbury/irfft), exact Fraction or
sympy arithmetic, explicit recurrences, round trips; and bad input refused."""

from __future__ import annotations

import ast
import cmath
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp
import torch

from hippo_verify import oracles
from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.kernels import diag_kernel, discretize, dplr_kernel_from_ct
from hippo_verify.oracles import OracleResult, mp_oracles
from hippo_verify.symbolic import CONVENTIONS, hippo, s4d_init
from hippo_verify.testing import assert_kernel_close, discretize_condition
from hippo_verify.testing import conventions as cv

C128 = torch.complex128
F64 = torch.float64


def _t(values, dtype=C128) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def _taps(result: OracleResult) -> list[complex]:
    return [complex(v) for v in result.values]


def _rel(got, wanted) -> float:
    """max |got - wanted| / max |wanted| (Python numbers or tensors)."""
    got = [complex(v) for v in (got.tolist() if isinstance(got, torch.Tensor) else got)]
    wanted = [complex(v) for v in (wanted.tolist() if isinstance(wanted, torch.Tensor) else wanted)]
    assert len(got) == len(wanted)
    return max(abs(a - b) for a, b in zip(got, wanted)) / max(abs(b) for b in wanted)


def _exact(value) -> Fraction | complex:
    """An mpmath value as the exact Fraction (or pair) it holds."""
    return mp_oracles.exact_scalar("v", value)


# Half storage (S4D): a few modes with Re < 0, complex B and C (exact dyadic numbers).
LAM = [complex(-0.5, 1.0), complex(-0.25, 3.5), complex(-1.5, 0.75)]
B3 = [complex(1.0, 0.5), complex(0.5, -1.0), complex(-0.75, 0.25)]
C3 = [complex(0.75, -0.25), complex(-0.5, 0.375), complex(0.125, 1.0)]


# ---------------------------------------------------------------------------------------
# 1. Conjugate pairs
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_full_from_half_modes_has_the_conj_pairs_kernel(method: str) -> None:
    lam, B, C = cv.full_from_half_modes(_t(LAM), _t(B3), _t(C3))
    half = oracles.diag_kernel(LAM, B3, C3, 16, dt=0.25, method=method, conj_pairs=True)
    full = oracles.diag_kernel(lam, B, C, 16, dt=0.25, method=method, conj_pairs=False)
    assert max(abs(v.imag) for v in _taps(full)) < 1e-30
    assert _rel(_taps(full), _taps(half)) < 1e-28


def test_full_from_half_modes_layout_batch_and_dtype() -> None:
    lam = _t([[complex(-1, 2), complex(-3, 0.5)], [complex(-2, 1), complex(-1, 1)]])
    B = torch.tensor([1.0, 2.0], dtype=F64)  # real, shared: its own leading dims
    lam_f, B_f, C_f = cv.full_from_half_modes(lam, B, lam)
    assert lam_f.shape == (2, 4) and B_f.shape == (4,) and B_f.dtype == F64
    assert torch.equal(lam_f[..., 2:], lam.conj()) and torch.equal(lam_f[..., :2], lam)
    assert torch.equal(B_f, torch.tensor([1.0, 2.0, 1.0, 2.0], dtype=F64))


def test_half_from_full_modes_round_trips_exactly() -> None:
    half = (_t(LAM), _t(B3), _t(C3))
    back = cv.half_from_full_modes(*cv.full_from_half_modes(*half))
    for got, wanted in zip(back, half):
        assert torch.equal(got, wanted)


def test_half_from_full_modes_in_any_order_with_a_real_mode() -> None:
    """A shuffled full system plus an unpaired real mode (kept with C halved): the half's
    conj_pairs kernel is the full system's kernel."""
    lam, B, C = cv.full_from_half_modes(_t(LAM), _t(B3), _t(C3))
    lam = torch.cat([lam, _t([-2.0])])
    B = torch.cat([B, _t([1.5])])
    C = torch.cat([C, _t([-0.5])])
    order = torch.tensor([4, 0, 6, 2, 5, 1, 3])
    lam, B, C = lam[order], B[order], C[order]
    h_lam, h_B, h_C = cv.half_from_full_modes(lam, B, C)
    assert h_lam.shape == (4,)
    assert complex(h_C[h_lam == -2.0][0]) == -0.25  # the real mode, C halved
    half = oracles.diag_kernel(h_lam, h_B, h_C, 12, dt=0.5, conj_pairs=True)
    full = oracles.diag_kernel(lam, B, C, 12, dt=0.5, conj_pairs=False)
    assert _rel(_taps(half), _taps(full)) < 1e-28


def test_half_from_full_modes_pairs_identical_real_modes() -> None:
    lam, B, C = _t([-1.0, -1.0], F64), _t([2.0, 2.0], F64), _t([0.5, 0.5], F64)
    assert [t.tolist() for t in cv.half_from_full_modes(lam, B, C)] == [[-1.0], [2.0], [0.5]]


def test_half_from_full_modes_refuses_a_system_not_closed_under_conjugation() -> None:
    lam, B, C = cv.full_from_half_modes(_t(LAM), _t(B3), _t(C3))
    C = C.clone()
    C[4] += 1e-15  # the conjugate of C[1], off by one rounding
    with pytest.raises(InvalidArgumentError, match="no conjugate partner"):
        cv.half_from_full_modes(lam, B, C)
    with pytest.raises(InvalidArgumentError, match="no conjugate partner"):
        cv.half_from_full_modes(_t([complex(-1, 1)]), _t([1.0]), _t([1.0]))
    with pytest.raises(InvalidArgumentError, match="1-D"):
        cv.half_from_full_modes(lam[None], B[None], C[None])


# ---------------------------------------------------------------------------------------
# 1b. S4's half storage of a DPLR system
# ---------------------------------------------------------------------------------------


def _s4_half_storage_kernel(Lambda, P, Q, B, Ct, L, dt):
    """A transcription of state-spaces/s4's ``SSKernelNPLR.forward`` (odd L, rank r):
    half-storage Cauchy sums with ``cauchy_naive``'s conjugate expansion, Woodbury,
    2/(1+omega), ``irfft``. P, Q: (N, r) in our convention (A = diag - P Q^H)."""
    k = torch.arange(L // 2 + 1, dtype=F64)
    omega = torch.exp(-2j * math.pi * k / L)
    z = 2 * (1 - omega) / (1 + omega)
    r = P.shape[1]
    left = torch.cat([Ct[None], Q.conj().T])  # (1 + r, N): Ct and the rows of Q^H
    right = torch.cat([B[None], P.T])  # (1 + r, N): B and the columns of P
    v = left[:, None, :] * right[None, :, :]
    w = Lambda * dt
    v = torch.cat([v, v.conj()], dim=-1)
    w = torch.cat([w, w.conj()])
    cauchy = (v[..., None] / (z - w[:, None])).sum(-2) * dt  # (1+r, 1+r, L//2+1)
    r00, r01, r10, r11 = cauchy[:1, :1], cauchy[:1, 1:], cauchy[1:, :1], cauchy[1:, 1:]
    eye = torch.eye(r, dtype=C128)[..., None]
    inner = torch.linalg.solve((eye + r11).permute(2, 0, 1), r10.permute(2, 0, 1))
    k_f = r00[0, 0] - (r01.permute(2, 0, 1) @ inner)[:, 0, 0]
    return torch.fft.irfft(k_f * 2 / (1 + omega), n=L)


def _bilinear(A: torch.Tensor, dt: float) -> torch.Tensor:
    eye = torch.eye(A.shape[0], dtype=A.dtype)
    return torch.linalg.solve(eye - dt / 2 * A, eye + dt / 2 * A)


@pytest.mark.parametrize("rank", [1, 2])
def test_full_from_half_dplr_is_s4s_half_storage_kernel(rank: int) -> None:
    Lambda = _t(LAM[:2])
    P = _t([[complex(0.3, 0.1), 0.25], [complex(-0.2, 0.4), complex(0, 0.5)]])[:, :rank]
    Q = _t([[complex(0.25, -0.1), -0.5], [complex(0.1, 0.2), 0.125]])[:, :rank]
    B, C = _t(B3[:2]), _t(C3[:2])
    L, dt = 7, 0.125
    full = cv.full_from_half_dplr(Lambda, P, Q, B, C)
    assert full[1].shape == (4, rank)
    oracle = oracles.dplr_kernel(*full, L, dt=dt, digits=25)
    assert max(abs(v.imag) for v in _taps(oracle)) < 1e-30  # real: closed under conj
    # S4 trains Ct of the full system; its second half is the conjugate of the first
    A_full = torch.diag(full[0]) - full[1] @ full[2].conj().T
    Ct = cv.ct_from_c(_bilinear(A_full, dt), full[4], L)
    assert torch.allclose(Ct[2:], Ct[:2].conj(), rtol=0, atol=1e-15)
    s4 = _s4_half_storage_kernel(Lambda, P, Q, B, Ct[:2], L, dt)
    assert _rel(s4, [v.real for v in _taps(oracle)]) < 1e-13
    # the project's torch kernel on the full system from Ct: the same
    assert _rel(dplr_kernel_from_ct(*full[:4], Ct, L, dt=dt), _taps(oracle)) < 1e-13
    # not 2 Re of the half system's kernel: the cross blocks P Q^T of P' Q'^H count
    half = oracles.dplr_kernel(Lambda, P, Q, B, C, L, dt=dt)
    assert _rel([2 * v.real for v in _taps(half)], _taps(oracle)) > 1e-4


def test_full_from_half_dplr_with_p_zero_is_the_diagonal_half_storage() -> None:
    zero = torch.zeros(2, dtype=C128)
    full = cv.full_from_half_dplr(_t(LAM[:2]), zero, zero, _t(B3[:2]), _t(C3[:2]))
    assert full[1].shape == (4,)  # 1-D factors stay 1-D
    got = oracles.dplr_kernel(*full, 9, dt=0.25)
    wanted = oracles.diag_kernel(LAM[:2], B3[:2], C3[:2], 9, dt=0.25, method="bilinear")
    assert _rel(_taps(got), _taps(wanted)) < 1e-28


def test_full_from_half_dplr_batches_and_refusals() -> None:
    Lambda = _t([LAM[:2], LAM[1:]])
    P = torch.ones(2, 2, 3, dtype=C128)
    out = cv.full_from_half_dplr(Lambda, P, P, Lambda, Lambda)
    assert out[0].shape == (2, 4) and out[1].shape == (2, 4, 3)
    with pytest.raises(InvalidArgumentError, match="same rank"):
        cv.full_from_half_dplr(Lambda, P, P[..., :2], Lambda, Lambda)
    with pytest.raises(InvalidArgumentError, match="N = 2"):
        cv.full_from_half_dplr(Lambda, torch.ones(3, dtype=C128), P, Lambda, Lambda)


# ---------------------------------------------------------------------------------------
# 2. C~ = C (I - Ab^L)
# ---------------------------------------------------------------------------------------

# A dyadic 3 x 3 Ab (exact in float64) with spectral radius < 1, and a dyadic C.
AB = [[0.5, 0.25, 0.0], [-0.125, 0.75, 0.5], [0.0, -0.25, 0.375]]
CROW = [1.0, -0.5, 0.25]


def _fraction_ct(Ab, C, L) -> list[Fraction]:
    """C (I - Ab^L) in plain Fraction arithmetic (an independent exact route)."""
    A = [[Fraction(v) for v in row] for row in Ab]
    n = len(A)
    power = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for _ in range(L):
        power = [[sum(power[i][k] * A[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    row = [Fraction(v) for v in C]
    return [row[j] - sum(row[i] * power[i][j] for i in range(n)) for j in range(n)]


def test_ct_from_c_against_exact_fractions_and_back() -> None:
    L = 12
    exact = _fraction_ct(AB, CROW, L)
    got = cv.ct_from_c(_t(AB, F64), _t(CROW, F64), L)
    assert got.dtype == F64
    assert _rel(got, [float(v) for v in exact]) < 1e-15
    assert _rel(cv.c_from_ct(_t(AB, F64), got, L), CROW) < 1e-15


def test_ct_exact_versions_are_exact() -> None:
    L = 12
    exact = cv.ct_from_c_exact(AB, CROW, L)
    assert exact == [sp.Rational(v.numerator, v.denominator) for v in _fraction_ct(AB, CROW, L)]
    assert cv.c_from_ct_exact(torch.tensor(AB), exact, L) == [sp.Rational(v) for v in CROW]
    # exact strings and complex entries; the result feeds an oracle directly
    Ab = [["1/2", "1/3"], ["0", "1/5-1/7j"]]
    Ct = cv.ct_from_c_exact(Ab, ["1", "2j"], 5)
    assert cv.c_from_ct_exact(Ab, Ct, 5) == [1, 2 * sp.I]
    assert oracles.discrete_kernel(Ab, [1, 1], Ct, 3).digits >= 30


def test_ct_from_c_batches_and_complex() -> None:
    Ab = torch.stack([_t(AB, C128), 0.5 * _t(AB, C128)])
    C = _t([complex(1, 1), 0.5, complex(0, -1)])
    got = cv.ct_from_c(Ab, C, 5)
    assert got.shape == (2, 3) and got.dtype == C128
    for i in range(2):
        assert _rel(got[i], cv.ct_from_c(Ab[i], C, 5)) == 0
    assert _rel(cv.c_from_ct(Ab, got, 5)[1], C) < 1e-15


def test_c_from_ct_refuses_a_root_of_unity() -> None:
    flip = [[0.0, 1.0], [1.0, 0.0]]  # eigenvalues +1 and -1: Ab^2 = I
    with pytest.raises(InvalidArgumentError, match="root of"):
        cv.c_from_ct(_t(flip, F64), _t([1.0, 2.0], F64), 2)
    with pytest.raises(InvalidArgumentError, match="singular"):
        cv.c_from_ct_exact(flip, [1, 2], 2)
    with pytest.raises(InvalidTypeError, match="float64"):
        cv.ct_from_c(_t(AB, torch.float32), _t(CROW, torch.float32), 3)


# ---------------------------------------------------------------------------------------
# 3. Oracle arithmetic
# ---------------------------------------------------------------------------------------

RTF_A = ["-1/2", "1/4"]
RTF_B = ["1", "-1/3"]


def test_rtf_with_feedthrough_is_the_rtf_of_h0_a_plus_b() -> None:
    """h0 + b/a = (h0 a + b)/a: the impulse response of a' = (a, 0),
    b' = (b_1 + h0, b_2 + h0 a_1, h0 a_2)."""
    h0 = Fraction(3, 8)
    base = oracles.rtf_impulse_response(RTF_A, RTF_B, 10)
    got = cv.rtf_with_feedthrough(base, h0)
    a = [Fraction(v) for v in RTF_A]
    b = [Fraction(v) for v in RTF_B]
    wanted = oracles.rtf_impulse_response([*a, 0], [b[0] + h0, b[1] + h0 * a[0], h0 * a[1]], 10)
    assert _rel(_taps(got), _taps(wanted)) < 1e-30
    assert _exact(got.values[0]) - _exact(base.values[0]) == h0  # exact, binary h0
    assert got.values[1:] == base.values[1:]
    assert got.digits == base.digits and got.stable is base.stable
    assert got.method.endswith("+h0") and got.params["adapters"] == ("+h0",)


def test_feedthrough_that_cancels_the_peak_costs_digits() -> None:
    base = oracles.rtf_impulse_response(RTF_A, RTF_B, 10, digits=30)
    K0 = _exact(base.values[0])
    got = cv.rtf_with_feedthrough(base, -K0)
    assert got.values[0] == 0
    M = max(abs(v) for v in base.values)
    M_new = max(abs(v) for v in got.values)
    assert got.digits == min(base.digits, math.floor(base.digits - math.log10(M / M_new)))
    assert got.digits < base.digits
    # a non-binary h0 is rounded far below the digits, and counted
    third = cv.rtf_with_feedthrough(base, "1/3")
    assert abs(third.values[0] - base.values[0] - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -50
    assert base.digits - 1 <= third.digits <= base.digits


def test_shift_taps_matches_a_delayed_impulse_and_a_shifted_system() -> None:
    Ab = [["1/2", "1/4"], ["-1/8", "3/4"]]
    Bb, C = ["1", "1/2"], ["1", "-1"]
    L, d = 8, 3
    K = oracles.discrete_kernel(Ab, Bb, C, L)
    later = cv.shift_taps(K, d)
    impulse = ["0"] * L
    impulse[d] = "1"
    assert _rel(_taps(later), _taps(oracles.scan(Ab, Bb, C, impulse))) < 1e-30
    assert later.values[:d] == [0] * d and later.values[d:] == K.values[: L - d]
    earlier = cv.shift_taps(K, -2)  # K_{k+2} = C Ab^k (Ab^2 Bb)
    Ab2Bb = sp.Matrix(Ab) ** 2 * sp.Matrix([sp.Rational(v) for v in Bb])
    wanted = oracles.discrete_kernel(Ab, list(Ab2Bb), C, L - 2)
    assert len(earlier) == L - 2 and _rel(_taps(earlier), _taps(wanted)) < 1e-30
    assert cv.shift_taps(K, 0).values == K.values


def test_shift_taps_digits_when_the_peak_falls_off() -> None:
    K = oracles.diag_kernel([-2.0], [1.0], [1.0], 12, dt=1.0, conj_pairs=False)
    dropped = cv.shift_taps(K, -4)
    M = max(abs(v) for v in K.values)
    M_new = max(abs(v) for v in dropped.values)
    assert dropped.digits == math.floor(K.digits - math.log10(M / M_new)) < K.digits
    assert cv.shift_taps(K, 4).digits == K.digits


def test_add_oracles_is_the_oracle_of_the_combined_system() -> None:
    r1 = oracles.diag_kernel(LAM[:2], B3[:2], C3[:2], 16, dt=0.25)
    r2 = oracles.diag_kernel(LAM[2:], B3[2:], C3[2:], 16, dt=0.25)
    both = oracles.diag_kernel(LAM, B3, C3, 16, dt=0.25)
    total = cv.add_oracles(r1, r2)
    assert _rel(_taps(total), _taps(both)) < 1e-29
    assert all(isinstance(v, mpmath.mpf) for v in total.values)
    assert _exact(total.values[5]) == _exact(r1.values[5]) + _exact(r2.values[5])  # exact
    assert cv.add_oracles(r1, r1).digits == r1.digits  # nothing cancels


def test_add_oracles_digits_under_cancellation() -> None:
    """Two kernels equal to 1e-6 relative: the difference keeps about 6 digits fewer, the
    stated bound floor(log10(M / (10^-d1 M1 + 10^-d2 M2)))."""
    r1 = oracles.diag_kernel([-1, -2], [1, 1], [1, -1], 8, dt=0.125, conj_pairs=False)
    r2 = oracles.diag_kernel([-1, "-2.000001"], [1, 1], [1, -1], 8, dt=0.125, conj_pairs=False)
    diff = cv.add_oracles(r1, cv.scale_oracle(r2, -1))
    M1, M2 = (max(abs(v) for v in r.values) for r in (r1, r2))
    M = max(abs(v) for v in diff.values)
    c = (M1 + M2) / M
    assert 5 < math.log10(c) < 7
    expected = math.floor(math.log10(M / (10**-r1.digits * M1 + 10**-r2.digits * M2)))
    assert diff.digits == expected
    assert min(r1.digits, r2.digits) - math.ceil(math.log10(c)) <= diff.digits
    # the difference against its own oracle (the two systems side by side, C negated)
    joint = oracles.diag_kernel(
        [-1, -2, -1, "-2.000001"], [1] * 4, [1, -1, -1, 1], 8, dt=0.125, conj_pairs=False
    )
    assert _rel(_taps(diff), _taps(joint)) < 10.0 ** -(diff.digits - 1)
    zero = cv.add_oracles(r1, cv.scale_oracle(r1, -1))
    assert zero.digits == 0 and all(v == 0 for v in zero.values)
    with pytest.raises(InvalidArgumentError, match="certifies 0 digits"):
        assert_kernel_close(torch.zeros(8, dtype=C128), zero)


def test_scale_oracle_against_the_scaled_system() -> None:
    r = oracles.diag_kernel(LAM, B3, C3, 10, dt=0.5)
    doubled = cv.scale_oracle(r, 2)
    assert [_exact(v) for v in doubled.values] == [2 * _exact(v) for v in r.values]
    assert doubled.digits == r.digits
    c = complex(0.5, -1.5)
    scaled = cv.scale_oracle(r, c)
    # 2 Re(C ...) times c = c (sum + conj sum): the full system with (c C, c conj C)
    full = cv.full_from_half_modes(_t(LAM), _t(B3), _t(C3))
    wanted = oracles.diag_kernel(full[0], full[1], c * full[2], 10, dt=0.5, conj_pairs=False)
    assert _rel(_taps(scaled), _taps(wanted)) < 1e-29
    third = cv.scale_oracle(r, sp.Rational(1, 3))
    assert _rel(_taps(third), [v / 3 for v in _taps(r)]) < 1e-15
    assert r.digits - 1 <= third.digits <= r.digits
    zero = cv.scale_oracle(r, 0)
    assert all(v == 0 for v in zero.values) and zero.digits == r.digits


def test_adapted_oracles_grade_a_kernel_with_a_feedthrough() -> None:
    """The use: a kernel with a D term graded against oracle + D."""
    lam, B, C = _t(LAM), _t(B3), _t(C3)
    D = 0.75
    mine = diag_kernel(lam, B, C, 32, dt=0.25)
    mine = torch.cat([mine[:1] + D, mine[1:]])
    oracle = cv.rtf_with_feedthrough(oracles.diag_kernel(LAM, B3, C3, 32, dt=0.25), D)
    assert_kernel_close(mine, oracle)
    with pytest.raises(AssertionError):
        assert_kernel_close(torch.cat([mine[:1] - D, mine[1:]]), oracle)


def test_oracle_adapters_refuse_bad_input() -> None:
    r = oracles.diag_kernel(LAM, B3, C3, 6, dt=0.5)
    parts = oracles.discretize([[-1]], [1], 0.5)
    with pytest.raises(InvalidTypeError, match="OracleResult"):
        cv.shift_taps(_taps(r), 1)
    with pytest.raises(InvalidArgumentError, match="several parts"):
        cv.scale_oracle(parts, 2)
    with pytest.raises(InvalidArgumentError, match="-L < delay < L"):
        cv.shift_taps(r, 6)
    with pytest.raises(InvalidTypeError, match="delay"):
        cv.shift_taps(r, 1.0)
    with pytest.raises(InvalidArgumentError, match="same length"):
        cv.add_oracles(r, cv.shift_taps(r, -1))
    with pytest.raises(InvalidArgumentError, match="NaN"):
        cv.rtf_with_feedthrough(r, float("nan"))
    with pytest.raises(InvalidTypeError):
        cv.scale_oracle(r, None)
    with pytest.raises(InvalidTypeError, match="mpmath number"):
        cv.add_oracles(r, OracleResult("x", [1.0] * 6, 30, 128, "hand"))


# ---------------------------------------------------------------------------------------
# 4. The step folded into B
# ---------------------------------------------------------------------------------------


def test_bbar_zoh_diagonal_against_the_zoh_oracle() -> None:
    lam = [*LAM, 0.0]
    B = [*B3, complex(0.5, 0.5)]
    got = cv.bbar_zoh(_t(lam), _t(B), 0.25, diagonal=True)
    A = [[lam[i] if i == j else 0 for j in range(4)] for i in range(4)]
    wanted = oracles.discretize(A, B, 0.25, "zoh").values[1]
    assert _rel(got, [complex(v) for v in wanted]) < 1e-15
    assert cv.bbar_zoh(_t([0.0]), _t([2.0]), 0.25, diagonal=True).item() == 0.5  # dt B


@pytest.mark.parametrize("measure", ["legs", "nilpotent"])
def test_bbar_zoh_dense_against_the_zoh_oracle(measure: str) -> None:
    if measure == "legs":
        A_exact, B_exact = hippo("legs", 4)
        A = torch.tensor([[float(v) for v in A_exact.row(i)] for i in range(4)], dtype=F64)
        B = torch.tensor([float(v) for v in B_exact], dtype=F64)
    else:  # singular A: A^{-1}(e^{dtA} - I) B only as the integral
        A = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]], dtype=F64)
        B = torch.tensor([1.0, -1.0, 0.5], dtype=F64)
    got = cv.bbar_zoh(A, B, 0.1)
    wanted = oracles.discretize(A, B, 0.1, "zoh").values[1]
    assert _rel(got, [float(v) for v in wanted]) < 1e-14
    assert _rel(cv.b_from_bbar_zoh(A, got, 0.1), B) < 1e-13


def test_b_from_bbar_zoh_round_trip_and_batches() -> None:
    lam = _t([LAM, [complex(-2, 0), complex(-0.1, 6), complex(-3, -1)]])
    dt = torch.tensor([0.5, 0.01], dtype=F64)
    B = _t(B3)
    Bbar = cv.bbar_zoh(lam, B, dt, diagonal=True)
    assert Bbar.shape == (2, 3)
    assert _rel(cv.b_from_bbar_zoh(lam, Bbar, dt, diagonal=True)[1], B) < 1e-15
    assert _rel(Bbar[1], cv.bbar_zoh(lam[1], B, 0.01, diagonal=True)) < 1e-15


def test_mamba_discretization_through_the_zoh_oracle() -> None:
    """Mamba pairs Ab = e^{dt A} with Bbar = dt B: the ZOH system with B from
    b_from_bbar_zoh(bbar_euler(B)) has Mamba's kernel (the discrete oracle on
    (e^{dt lam}, dt B))."""
    lam = [complex(-0.5, 1.0), -1.25, complex(-0.25, -2.0)]
    B, C, dt, L = [1.0, 0.5, complex(0, 1)], [0.5, -1.0, 0.25], 0.125, 12
    bbar = cv.bbar_euler(_t(B), dt)
    assert torch.equal(bbar, dt * _t(B))
    B_zoh = cv.b_from_bbar_zoh(_t(lam), bbar, dt, diagonal=True)
    got = oracles.diag_kernel(lam, B_zoh, C, L, dt=dt, conj_pairs=False)
    Ab = [[cmath.exp(dt * lam[i]) if i == j else 0 for j in range(3)] for i in range(3)]
    mamba = oracles.discrete_kernel(Ab, bbar, C, L)
    assert _rel(_taps(got), _taps(mamba)) < 1e-14
    # and Euler's Bbar is forward Euler's
    A = [[-1.0, 0.5], [0.0, -2.0]]
    euler = oracles.discretize(A, [1.0, 3.0], 0.25, "forward_euler").values[1]
    assert cv.bbar_euler(_t([1.0, 3.0], F64), 0.25).tolist() == [float(v) for v in euler]


def test_step_folding_refuses_bad_input() -> None:
    two_pi = _t([complex(0, 2 * math.pi)])
    with pytest.raises(InvalidArgumentError, match="2 pi i"):
        cv.b_from_bbar_zoh(two_pi, _t([1.0]), 1.0, diagonal=True)
    rotation = torch.tensor([[0.0, -2 * math.pi], [2 * math.pi, 0.0]], dtype=F64)
    with pytest.raises(InvalidArgumentError, match="singular"):
        cv.b_from_bbar_zoh(rotation, _t([1.0, 0.0], F64), 1.0)
    with pytest.raises(InvalidArgumentError, match="> 0"):
        cv.bbar_zoh(_t(LAM), _t(B3), 0.0, diagonal=True)
    with pytest.raises(InvalidTypeError, match="bool"):
        cv.bbar_zoh(_t(LAM), _t(B3), 0.1, diagonal=1)
    with pytest.raises(InvalidArgumentError, match="square"):
        cv.bbar_zoh(torch.ones(2, 3, dtype=F64), torch.ones(3, dtype=F64), 0.1)
    with pytest.raises(InvalidArgumentError, match="broadcast"):
        cv.bbar_euler(torch.ones(2, 3), torch.ones(3) * 0.1)
    with pytest.raises(InvalidTypeError, match="dtype"):
        cv.bbar_euler(torch.ones(3, dtype=torch.int64), 0.1)


# ---------------------------------------------------------------------------------------
# 5. The sign of the imaginary parts
# ---------------------------------------------------------------------------------------


def test_conjugate_modes_keeps_the_real_kernel_and_conjugates_the_complex_one() -> None:
    lam, B, C = cv.conjugate_modes(_t(LAM), _t(B3), _t(C3))
    assert torch.equal(lam, _t(LAM).conj())
    for method in ("zoh", "bilinear"):
        real = oracles.diag_kernel(LAM, B3, C3, 12, dt=0.25, method=method)
        real_c = oracles.diag_kernel(lam, B, C, 12, dt=0.25, method=method)
        assert _rel(_taps(real_c), _taps(real)) < 1e-29
        cplx = oracles.diag_kernel(LAM, B3, C3, 12, dt=0.25, method=method, conj_pairs=False)
        cplx_c = oracles.diag_kernel(lam, B, C, 12, dt=0.25, method=method, conj_pairs=False)
        assert _rel(_taps(cplx_c), [v.conjugate() for v in _taps(cplx)]) < 1e-29
    # conjugating lam alone is another kernel
    alone = oracles.diag_kernel(lam, B3, C3, 12, dt=0.25)
    assert _rel(_taps(alone), _taps(oracles.diag_kernel(LAM, B3, C3, 12, dt=0.25))) > 1e-2


def test_conjugate_modes_maps_the_paper_init_to_s4s() -> None:
    paper = torch.tensor([complex(v) for v in s4d_init("lin", 8)], dtype=C128)
    s4 = torch.tensor([complex(v) for v in s4d_init("lin", 8, convention="s4")], dtype=C128)
    ones = torch.ones(4, dtype=C128)
    assert torch.equal(cv.conjugate_modes(paper, ones, ones)[0], s4)
    with pytest.raises(InvalidArgumentError, match="last dimension"):
        cv.conjugate_modes(paper, ones[:3], ones)


# ---------------------------------------------------------------------------------------
# 6. LegT's scale
# ---------------------------------------------------------------------------------------


def test_legt_scales_agree_with_the_symbolic_conventions() -> None:
    A, B = hippo("legt", 4)
    for name, scale in cv.LEGT_SCALES.items():
        convention_A, convention_B = CONVENTIONS[name]["legt"].apply(A, B)
        factor = cv.legt_factor("canonical", name)
        assert factor == scale
        assert cv.legt_rescale(A, B, factor) == (convention_A, convention_B)
    A_s4, B_s4 = hippo("legt", 4, convention="s4")
    assert cv.legt_rescale(A_s4, B_s4, cv.legt_factor("s4", "hippo-code")) == (A, B)


def test_legt_rescale_is_a_step_rescaling() -> None:
    """The kernel of (A/2, B/2) at dt is that of (A, B) at dt/2 (any discretization)."""
    A_exact, B_exact = hippo("legt", 3)
    A = torch.tensor([[float(v) for v in A_exact.row(i)] for i in range(3)], dtype=F64)
    B = torch.tensor([float(v) for v in B_exact], dtype=F64)
    A2, B2 = cv.legt_rescale(A, B, Fraction(1, 2))
    assert torch.equal(A2 * 2, A) and torch.equal(B2 * 2, B)  # exact: a power of two
    C = [1.0, -0.5, 0.25]
    for method in ("bilinear", "zoh"):
        half = oracles.ssm_kernel(A2, B2, C, 8, dt=0.25, method=method)
        step = oracles.ssm_kernel(A, B, C, 8, dt=0.125, method=method)
        assert _rel(_taps(half), _taps(step)) < 1e-29
    assert cv.legt_rescale(A, B[:, None], 2)[1].shape == (3, 1)


def test_legt_refuses_bad_input() -> None:
    A, B = hippo("legt", 2)
    with pytest.raises(InvalidArgumentError, match="lmu"):
        cv.legt_factor("canonical", "lmu")
    with pytest.raises(InvalidTypeError):
        cv.legt_factor(None, "s4")
    with pytest.raises(InvalidArgumentError, match="> 0"):
        cv.legt_rescale(torch.eye(2), torch.ones(2), -1.0)
    with pytest.raises(InvalidTypeError):
        cv.legt_rescale(torch.eye(2), torch.ones(2), True)
    with pytest.raises(InvalidTypeError, match="both"):
        cv.legt_rescale(A, torch.ones(2), 2)
    with pytest.raises(InvalidArgumentError, match="positive"):
        cv.legt_rescale(A, B, -sp.Rational(1, 2))


# ---------------------------------------------------------------------------------------
# 7. Output before or after the update
# ---------------------------------------------------------------------------------------


def _pre_update_impulse_response(Ab, Bb, C, D, L) -> list[float]:
    """y_k = C x_k + D u_k, x_{k+1} = Ab x_k + Bb u_k, x_0 = 0, u = impulse (float64)."""
    Ab, Bb, C = (torch.tensor(v, dtype=F64) for v in (Ab, Bb, C))
    x = torch.zeros(len(Bb), dtype=F64)
    out = []
    for k in range(L):
        u = 1.0 if k == 0 else 0.0
        out.append(float(C @ x) + D * u)
        x = Ab @ x + Bb * u
    return out


def test_pre_update_from_post_update_is_the_pre_update_recurrence() -> None:
    Ab, Bb, C, D, L = [[0.5, 0.25], [-0.125, 0.75]], [1.0, 0.5], [1.0, -1.0], 0.375, 9
    wanted = _pre_update_impulse_response(Ab, Bb, C, D, L)
    K = oracles.discrete_kernel(Ab, Bb, C, L)
    pre = cv.pre_update_from_post_update(K, D)
    assert len(pre) == L and _rel(_taps(pre), wanted) < 1e-15
    assert _exact(pre.values[0]) == Fraction(D) and pre.values[1:] == K.values[:-1]
    tensor = torch.tensor([float(v) for v in K.values], dtype=F64)
    assert _rel(cv.pre_update_from_post_update(tensor, D), wanted) < 1e-15
    assert cv.pre_update_from_post_update(tensor).tolist()[0] == 0.0
    back = cv.post_update_from_pre_update(pre)
    assert back.values == K.values[:-1]
    assert torch.equal(cv.post_update_from_pre_update(tensor), tensor[1:])
    one = cv.pre_update_from_post_update(oracles.discrete_kernel(Ab, Bb, C, 1), "1/4")
    assert one.values == [0.25] and one.digits > 0


def test_pre_update_with_batched_d() -> None:
    K = torch.arange(12, dtype=F64).reshape(3, 4)
    D = torch.tensor([1.0, 2.0, 3.0], dtype=F64)
    pre = cv.pre_update_from_post_update(K, D)
    assert pre[:, 0].tolist() == [1.0, 2.0, 3.0] and torch.equal(pre[:, 1:], K[:, :-1])
    assert cv.pre_update_from_post_update(K, 1j).dtype == C128
    assert cv.pre_update_from_post_update(K, 0.1)[0, 0].item() == 0.1  # not via float32
    assert cv.pre_update_from_post_update(K.float(), 0.1).dtype == torch.float32
    assert cv.pre_update_from_post_update(K[0], D).shape == (3, 4)  # batches broadcast
    with pytest.raises(InvalidArgumentError, match="broadcast"):
        cv.pre_update_from_post_update(K, torch.ones(2, dtype=F64))
    with pytest.raises(InvalidTypeError):
        cv.pre_update_from_post_update(K, "1")
    with pytest.raises(InvalidArgumentError, match="L >= 2"):
        cv.post_update_from_pre_update(K[:, :1])


# ---------------------------------------------------------------------------------------
# 8. Grading a discretization
# ---------------------------------------------------------------------------------------

A_DISC = [[-1.0, 0.5, 0.0], [0.25, -2.0, 0.5], [0.0, -0.5, -0.75]]
B_DISC = [1.0, -0.5, 0.25]


@pytest.mark.parametrize("method", ["bilinear", "zoh", ("gbt", 0.25)])
@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_compare_discretization_passes_the_project_kernel(method, dtype) -> None:
    oracle = oracles.discretize(A_DISC, B_DISC, 0.125, method)
    Ab, Bb = discretize(_t(A_DISC, dtype), _t(B_DISC, dtype), 0.125, method)
    ab, bb = cv.assert_discretization_close(Ab, Bb, oracle)
    cond = discretize_condition(A_DISC, B_DISC, 0.125, method)
    explicit = cv.compare_discretization(Ab, Bb, oracle, cond=cond)
    assert ab.bound == explicit[0].bound and bb.bound == explicit[1].bound
    inputs = dict(A=A_DISC, B=B_DISC, dt=0.125, method=method)
    assert cv.compare_discretization(Ab, Bb, oracle, inputs=inputs)[0].bound == ab.bound


def test_assert_discretization_close_fails_a_perturbed_part() -> None:
    oracle = oracles.discretize(A_DISC, B_DISC, 0.125, "bilinear")
    Ab, Bb = discretize(_t(A_DISC, F64), _t(B_DISC, F64), 0.125, "bilinear")
    bad_Ab = Ab.clone()
    bad_Ab[1, 2] *= 1 + 1e-9
    with pytest.raises(AssertionError, match="discretize Ab in torch.float64") as caught:
        cv.assert_discretization_close(bad_Ab, Bb, oracle)
    assert "Bb" not in str(caught.value)
    ab, bb = cv.compare_discretization(Ab, Bb * (1 + 1e-9), oracle)
    assert ab and not bb


def test_compare_discretization_refuses_bad_input() -> None:
    oracle = oracles.discretize(A_DISC, B_DISC, 0.125)
    Ab, Bb = discretize(_t(A_DISC, F64), _t(B_DISC, F64), 0.125)
    kernel = oracles.diag_kernel(LAM, B3, C3, 4, dt=0.5)
    with pytest.raises(InvalidArgumentError, match="discretize result"):
        cv.compare_discretization(Ab, Bb, kernel)
    with pytest.raises(InvalidArgumentError, match="Ab"):
        cv.compare_discretization(Ab[:2, :2], Bb, oracle)
    with pytest.raises(InvalidArgumentError, match="Bb"):
        cv.compare_discretization(Ab, Bb[:2], oracle)
    with pytest.raises(InvalidArgumentError, match="not both"):
        cv.compare_discretization(Ab, Bb, oracle, cond=1.0, inputs={})
    bare = OracleResult("discretize", oracle.values, oracle.digits, oracle.prec, "x")
    with pytest.raises(InvalidArgumentError, match="give cond or inputs"):
        cv.compare_discretization(Ab, Bb, bare)
    with pytest.raises(InvalidTypeError):
        cv.compare_discretization(Ab.tolist(), Bb, oracle)
    with pytest.raises(InvalidTypeError):
        cv.compare_discretization(Ab, Bb, oracle.values)


# ---------------------------------------------------------------------------------------
# Tensor inputs of every adapter, and the module's imports
# ---------------------------------------------------------------------------------------

_TENSOR_ADAPTERS = [
    lambda x: cv.full_from_half_modes(x, x, x),
    lambda x: cv.conjugate_modes(x, x, x),
    lambda x: cv.bbar_euler(x, 0.5),
    lambda x: cv.pre_update_from_post_update(x),
]


@pytest.mark.parametrize("adapter", _TENSOR_ADAPTERS)
def test_tensor_adapters_refuse_non_tensors_nan_and_empty(adapter) -> None:
    with pytest.raises(InvalidTypeError):
        adapter([1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="NaN"):
        adapter(torch.tensor([1.0, float("nan")]))
    with pytest.raises(InvalidArgumentError, match="empty"):
        adapter(torch.zeros(0))


def test_the_module_is_runtime_api() -> None:
    """No pytest, no hypothesis, no test-only module of the testing layer."""
    tree = ast.parse(Path(cv.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(f"{'.' * node.level}{node.module or ''}")
    assert not imported & {"pytest", "hypothesis", ".strategies", ".kernel_inputs", ".grader"}
    assert set(cv.__all__) <= set(dir(cv))
