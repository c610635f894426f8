"""Certified mpmath oracles (``hippo_verify.oracles``) against independent routes.

Every expected value comes from a route that does not go through the oracle module: exact
sympy computations of the symbolic layer (``power_kernel(discretize(...))``, Vandermonde
kernels, power series of b/a, circulant solves with rationals, ``sympy.integrate``),
plain mpmath written here (a naive state iteration, ``mpmath.expm``), numpy float64 FFTs, or
Fractions. A value certified to ``result.digits`` digits must be within
10^-digits * max|value| of the exact one. Input parsing and bad input are in
``test_oracles_inputs.py``.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from hippo_verify import oracles as O
from hippo_verify import symbolic as S
from hippo_verify.oracles import mp_oracles as core

R = sp.Rational
I = sp.I  # noqa: E741 (the imaginary unit)
F = Fraction
GBT_METHODS = ["forward_euler", "backward_euler", "bilinear", ("gbt", F(1, 3))]
ALL_METHODS = [*GBT_METHODS, "zoh"]
WORK_PREC = 500  # bits for the expected values and the error measurement (~150 digits)


# ---------------------------------------------------------------------------------------
# Helpers: exact values to mpmath, and the certified-error check
# ---------------------------------------------------------------------------------------


def to_mp(value):
    """An exact value (sympy, Fraction, int, mpmath) as an mpmath number at WORK_PREC bits."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, sp.Basic):
        return value._to_mpmath(WORK_PREC)
    return mpmath.mpmathify(value)


def rel_err(got, expected):
    """max_k |got_k - expected_k| / max_k |expected_k| (flattening nested lists)."""
    got, expected = _flat(got), _flat(expected)
    assert len(got) == len(expected)
    with mpmath.workprec(WORK_PREC):
        exp = [to_mp(v) for v in expected]
        scale = max(abs(v) for v in exp)
        assert scale > 0
        return max(abs(to_mp(g) - e) for g, e in zip(got, exp)) / scale


def _flat(values):
    if isinstance(values, sp.MatrixBase):
        return list(values)
    if isinstance(values, (list, tuple)):
        return [v for item in values for v in _flat(item)]
    return [values]


def assert_certified(result, expected, digits=30):
    """result.digits >= digits and result within 10^-result.digits (max-norm) of expected."""
    assert result.digits >= digits
    err = rel_err(result.values, expected)
    assert err < mpmath.mpf(10) ** -result.digits, (err, result.digits)


def bits(values):
    """The exact binary values of a result, for bit-for-bit comparisons."""
    return [v._mpc_ if isinstance(v, mpmath.mpc) else v._mpf_ for v in _flat(values)]


def exact_kernel(A, B, C, L, dt, method):
    Ab, Bb = S.discretize(sp.Matrix(A), sp.Matrix(B), dt, method)
    return S.power_kernel(Ab, Bb, sp.Matrix([C]), L)


def expanded_power_kernel(Ab, Bb, C, L):
    """C Ab^k Bb by exact iteration, expanding the state each step (fast for complex data)."""
    state, C, out = sp.Matrix(Bb), sp.Matrix([C]), []
    for _ in range(L):
        out.append(sp.expand((C * state)[0, 0]))
        state = (sp.Matrix(Ab) * state).applyfunc(sp.expand)
    return out


def sym_method(method):
    return ("gbt", R(method[1])) if isinstance(method, tuple) else method


# Small exact systems. ZOH has symbolic closed forms for diagonal, nilpotent and triangular
# A with distinct diagonal entries.
LOWER = (
    [[-1, 0, 0], [R(1, 2), -2, 0], [R(1, 3), R(-1, 4), -R(1, 2)]],
    [1, R(1, 2), -2],
    [R(2, 3), 1, -1],
)
UPPER = (
    [[-R(3, 2), 2, R(-1, 3), 1], [0, -1, R(1, 5), 0], [0, 0, -R(1, 4), R(2, 3)], [0, 0, 0, -3]],
    [1, -1, R(1, 3), 2],
    [R(1, 2), 0, 1, -R(2, 7)],
)
DIAGONAL = ([[-1, 0], [0, R(-1, 3)]], [2, R(1, 2)], [1, -3])
NILPOTENT = ([[0, 0, 0], [1, 0, 0], [R(1, 2), -1, 0]], [1, 2, -1], [R(1, 3), 1, 1])
SINGULAR_TRIANGULAR = ([[0, 0], [R(3, 2), -1]], [1, R(-1, 2)], [2, 1])  # eigenvalue 0
DENSE = ([[-1, R(1, 2)], [-R(3, 2), R(-1, 3)]], [1, R(2, 3)], [R(-1, 2), 1])
ZOH_SYSTEMS = [LOWER, UPPER, DIAGONAL, NILPOTENT, SINGULAR_TRIANGULAR]


# ---------------------------------------------------------------------------------------
# 1. The exact symbolic route
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", GBT_METHODS, ids=str)
@pytest.mark.parametrize(
    "system", [LOWER, UPPER, DENSE, NILPOTENT], ids=["lower", "upper", "dense", "nilpotent"]
)
def test_ssm_kernel_gbt_equals_exact_power_kernel(system, method):
    A, B, C = system
    L, dt = 8, R(1, 5)
    result = O.ssm_kernel(A, B, C, L, dt=dt, method=method)
    assert len(result) == L and result.family == "ssm_kernel"
    assert_certified(result, exact_kernel(A, B, C, L, dt, sym_method(method)))


@pytest.mark.parametrize(
    "system",
    ZOH_SYSTEMS,
    ids=["lower", "upper", "diagonal", "nilpotent", "singular-triangular"],
)
def test_ssm_kernel_zoh_equals_exact_power_kernel(system):
    A, B, C = system
    L, dt = 6, R(1, 4)
    assert_certified(
        O.ssm_kernel(A, B, C, L, dt=dt, method="zoh"), exact_kernel(A, B, C, L, dt, "zoh")
    )


def test_ssm_kernel_complex_dense_equals_exact_power_kernel():
    A = [[-1 + I, R(1, 2)], [-I / 3, R(-1, 3) - 2 * I]]
    B, C = [1, R(2, 3) - I], [R(-1, 2) * I, 1]
    for method in ["bilinear", "forward_euler"]:
        result = O.ssm_kernel(A, B, C, 7, dt=R(1, 3), method=method)
        assert result.method.endswith("krylov")
        Ab, Bb = S.discretize(sp.Matrix(A), sp.Matrix(B), R(1, 3), method)
        assert_certified(result, expanded_power_kernel(Ab, Bb, C, 7))


@pytest.mark.parametrize("method", ALL_METHODS, ids=str)
@pytest.mark.parametrize(
    "system", [LOWER, UPPER, DIAGONAL, SINGULAR_TRIANGULAR], ids=["lower", "upper", "diag", "sing"]
)
def test_discretize_equals_symbolic_discretize(system, method):
    """Ab and Bb, each within 10^-digits of its own max-norm."""
    A, B, _ = system
    dt = R(1, 3)
    result = O.discretize(A, B, dt, method)
    Ab, Bb = S.discretize(sp.Matrix(A), sp.Matrix(B), dt, sym_method(method))
    assert result.digits >= 30
    got_Ab, got_Bb = result.values
    assert len(got_Ab) == len(A) and all(len(row) == len(A) for row in got_Ab)
    for got, exact in [(got_Ab, Ab), (got_Bb, Bb)]:
        assert rel_err(got, exact) < mpmath.mpf(10) ** -result.digits


def test_discretize_zoh_diagonal_closed_form_by_hand():
    """Ab = diag(e^{dt l}), Bb_n = (e^{dt l_n} - 1)/l_n b_n, and dt b_n where l_n = 0."""
    lam, b, dt = [R(-2), R(0), R(1, 2)], [3, R(-1, 2), 1], R(1, 7)
    result = O.discretize(sp.diag(*lam), b, dt, "zoh", digits=40)
    Ab = sp.diag(*[sp.exp(dt * v) for v in lam])
    Bb = [dt * bn if v == 0 else (sp.exp(dt * v) - 1) / v * bn for v, bn in zip(lam, b)]
    assert result.digits >= 40
    assert rel_err(result.values[0], Ab) < mpmath.mpf(10) ** -result.digits
    assert rel_err(result.values[1], Bb) < mpmath.mpf(10) ** -result.digits


MODES = [R(-1, 2) + 3 * I, R(-1, 5) + I / 2, R(-1)]
MODE_B = [1, R(1, 2) - I, 2]
MODE_C = [2 + I, -1, R(1, 3) * I]


@pytest.mark.parametrize("method", GBT_METHODS, ids=str)
def test_diag_kernel_gbt_equals_vandermonde_kernel(method):
    """The per-mode gbt discretization is the diagonal of the symbolic discretize."""
    L, dt = 7, R(1, 4)
    Ab, Bb = S.discretize(sp.diag(*MODES), sp.Matrix(MODE_B), dt, sym_method(method))
    lam_bar = list(Ab.diagonal())
    full = O.diag_kernel(MODES, MODE_B, MODE_C, L, dt=dt, method=method, conj_pairs=False)
    assert_certified(full, S.vandermonde_kernel(lam_bar, list(Bb), MODE_C, L))
    pairs = O.diag_kernel(MODES, MODE_B, MODE_C, L, dt=dt, method=method, conj_pairs=True)
    assert all(isinstance(v, mpmath.mpf) for v in pairs.values)
    assert_certified(pairs, S.conj_pair_kernel(lam_bar, list(Bb), MODE_C, L))


def test_diag_kernel_zoh_and_h3_equal_exact_conj_pair_kernel():
    """ZOH modes e^{dt l}, inputs (e^{dt l} - 1)/l B; h3 is the same kernel."""
    lam, B, C, L, dt = MODES[:2], MODE_B[:2], MODE_C[:2], 6, R(1, 10)
    lam_bar = [sp.exp(dt * v) for v in lam]
    Bb = [(sp.exp(dt * v) - 1) / v * b for v, b in zip(lam, B)]
    expected = [sp.expand(2 * sp.re(k)) for k in S.vandermonde_kernel(lam_bar, Bb, C, L)]
    diag = O.diag_kernel(lam, B, C, L, dt=dt, method="zoh", conj_pairs=True)
    h3 = O.h3_diag_kernel(lam, B, C, L, dt=dt)
    assert_certified(diag, expected)
    assert_certified(h3, expected)
    assert h3.family == "h3_diag_kernel"
    assert bits(h3.values) == bits(diag.values)


@pytest.mark.parametrize(
    "system",
    [
        LOWER,
        UPPER,
        DENSE,
        ([[R(1, 2) + I, 0], [R(1, 3), -R(1, 2) * I]], [1, I], [1 - I, 2]),
        ([[0, 1], [0, 0]], [1, 1], [1, 1]),  # nilpotent: a repeated eigenvalue
    ],
    ids=["lower", "upper", "dense", "complex-triangular", "nilpotent"],
)
def test_discrete_kernel_equals_power_kernel(system):
    Ab, Bb, C = system
    result = O.discrete_kernel(Ab, Bb, C, 9)
    assert_certified(result, S.power_kernel(sp.Matrix(Ab), sp.Matrix(Bb), sp.Matrix([C]), 9))


# ---------------------------------------------------------------------------------------
# 2. Independent numeric routes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("N", [8, 16])
def test_legs_krylov_equals_triangular_eigen(N):
    A, B = S.hippo("legs", N)
    C = [R((-1) ** n, n + 1) for n in range(N)]
    kw = dict(dt=R(1, 20), method="bilinear")
    eigen = O.ssm_kernel(A, B, C, 24, algorithm="triangular-eigen", **kw)
    krylov = O.ssm_kernel(A, B, C, 24, algorithm="krylov", **kw)
    assert eigen.method == "bilinear/triangular-eigen"
    assert krylov.method == "bilinear/krylov"
    digits = min(eigen.digits, krylov.digits)
    assert digits >= 30
    assert rel_err(eigen.values, krylov.values) < 2 * mpmath.mpf(10) ** -digits


def random_triangular(rng, n, upper):
    diagonal = rng.sample(range(-12, 0), n)  # distinct: the eigen route applies
    A = [[Fraction(0)] * n for _ in range(n)]
    for i in range(n):
        A[i][i] = Fraction(diagonal[i], 3)
        for j in range(i):
            A[i][j] = Fraction(rng.randint(-9, 9), rng.randint(1, 9))
    if upper:
        A = [list(col) for col in zip(*A)]
    vec = [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
    return A, vec, vec[::-1]


@pytest.mark.parametrize("upper", [False, True], ids=["lower", "upper"])
@pytest.mark.parametrize("seed", range(3))
def test_random_triangular_krylov_equals_triangular_eigen(seed, upper):
    A, B, C = random_triangular(random.Random(seed), 6, upper)
    for method in ["zoh", ("gbt", F(1, 3))]:
        kw = dict(dt=F(1, 10), method=method)
        eigen = O.ssm_kernel(A, B, C, 16, algorithm="triangular-eigen", **kw)
        krylov = O.ssm_kernel(A, B, C, 16, algorithm="krylov", **kw)
        assert eigen.method.endswith("triangular-eigen")
        digits = min(eigen.digits, krylov.digits)
        assert rel_err(eigen.values, krylov.values) < 2 * mpmath.mpf(10) ** -digits


def test_dense_legt_equals_naive_mpmath_iteration():
    """Bilinear Ab by mpmath.inverse, then x <- Ab x, all written here at 60 digits."""
    N, L, dt = 6, 12, R(1, 10)
    A, B = S.hippo("legt", N)
    C = [1] * N
    result = O.ssm_kernel(A, B, C, L, dt=dt, method="bilinear")
    assert result.method.endswith("krylov")
    with mpmath.workdps(60):
        A_mp = mpmath.matrix(
            [[A[i, j]._to_mpmath(mpmath.mp.prec) for j in range(N)] for i in range(N)]
        )
        B_mp = mpmath.matrix([B[i]._to_mpmath(mpmath.mp.prec) for i in range(N)])
        h = mpmath.mpf(1) / 10
        eye = mpmath.eye(N)
        M_inv = mpmath.inverse(eye - h / 2 * A_mp)
        Ab = M_inv * (eye + h / 2 * A_mp)
        x = M_inv * (h * B_mp)
        expected = []
        for _ in range(L):
            expected.append(mpmath.fsum(x[i] for i in range(N)))
            x = Ab * x
    # the naive route carries ~55 good digits: enough to check 30 certified ones
    assert result.digits >= 30
    assert rel_err(result.values, expected) < mpmath.mpf(10) ** -min(result.digits, 50)


def test_continuous_kernel_equals_expm_and_diagonal_closed_form():
    A, B, C = DENSE
    times = [R(1, 3), 1, R(5, 2)]
    result = O.continuous_kernel(A, B, C, times, digits=40)
    with mpmath.workprec(WORK_PREC):
        A_mp = mpmath.matrix([[to_mp(sp.S(v)) for v in row] for row in A])
        B_mp = mpmath.matrix([to_mp(sp.S(v)) for v in B])
        C_mp = mpmath.matrix([[to_mp(sp.S(v)) for v in C]])
        expected = [(C_mp * mpmath.expm(A_mp * to_mp(t)) * B_mp)[0, 0] for t in times]
    assert result.digits >= 40
    assert rel_err(result.values, expected) < mpmath.mpf(10) ** -result.digits
    lam, b, c = [R(-1, 2) + 2 * I, R(-3), R(1, 4)], [1, 2, -1], [R(1, 2), I, 1]
    t = R(7, 3)
    diag = O.continuous_kernel(sp.diag(*lam), b, c, t)
    closed = sum(cn * bn * sp.exp(t * ln) for ln, bn, cn in zip(lam, b, c))
    assert len(diag) == 1
    assert_certified(diag, [closed])


def test_conj_pairs_equal_the_full_complex_system():
    """2 Re of the half sum = the full (lam, conj lam) diagonal sum = the dense complex SSM."""
    lam, B, C, L, dt = MODES, MODE_B, MODE_C, 9, R(1, 10)
    conj = [[sp.conjugate(v) for v in vs] for vs in (lam, B, C)]
    full_lam, full_B, full_C = lam + conj[0], B + conj[1], C + conj[2]
    for method in ["zoh", "bilinear"]:
        pairs = O.diag_kernel(lam, B, C, L, dt=dt, method=method, conj_pairs=True)
        full = O.diag_kernel(full_lam, full_B, full_C, L, dt=dt, method=method, conj_pairs=False)
        dense = O.ssm_kernel(sp.diag(*full_lam), full_B, full_C, L, dt=dt, method=method)
        assert dense.method.endswith("krylov")
        for other in (full, dense):
            digits = min(pairs.digits, other.digits)
            assert rel_err(pairs.values, other.values) < 2 * mpmath.mpf(10) ** -digits


DPLR_LAMBDA = [R(-1, 2) + I, R(-1, 2) - 2 * I, -1 + 3 * I]
DPLR_B = [1, 2, I]
DPLR_C = [1, 1 - I, 2]
DPLR_P = {1: [[R(1, 2)], [1], [I]], 2: [[R(1, 2), 1], [1, I], [I, 0]]}
DPLR_Q = {1: [[1], [R(1, 3)], [R(1, 2) - I]], 2: [[1, 0], [R(1, 3), 1], [R(1, 2) - I, R(1, 4)]]}


def dplr_dense(rank):
    P, Q = sp.Matrix(DPLR_P[rank]), sp.Matrix(DPLR_Q[rank])
    return sp.diag(*DPLR_LAMBDA) - P * Q.H


@pytest.mark.parametrize("L", [1, 2, 6, 7, 8, 9])
@pytest.mark.parametrize("rank", [1, 2])
def test_dplr_kernel_equals_dense_ssm_kernel(rank, L):
    """L = 7 is prime (the O(L^2) DFT); even L has the z = -1 node; L = 1 has one node."""
    dt = R(1, 5)
    P = [row[0] for row in DPLR_P[1]] if rank == 1 else DPLR_P[2]  # r = 1 as a flat vector
    result = O.dplr_kernel(DPLR_LAMBDA, P, DPLR_Q[rank], DPLR_B, DPLR_C, L, dt=dt)
    dense = O.ssm_kernel(dplr_dense(rank), DPLR_B, DPLR_C, L, dt=dt, method="bilinear")
    assert len(result) == L
    digits = min(result.digits, dense.digits)
    assert digits >= 30
    assert rel_err(result.values, dense.values) < 2 * mpmath.mpf(10) ** -digits


@pytest.mark.parametrize("rank", [1, 2])
def test_dplr_kernel_equals_exact_power_kernel(rank):
    L, dt = 7, R(1, 5)
    result = O.dplr_kernel(DPLR_LAMBDA, DPLR_P[rank], DPLR_Q[rank], DPLR_B, DPLR_C, L, dt=dt)
    Ab, Bb = S.discretize(dplr_dense(rank), sp.Matrix(DPLR_B), dt, "bilinear")
    assert_certified(result, expanded_power_kernel(Ab, Bb, DPLR_C, L))


def test_dplr_kernel_equals_woodbury_generating_function_over_roots_of_unity():
    """K_k = (1/L) sum_j G(z_j) z_j^-k, G the symbolic Woodbury form with Ct = C (I - Ab^L)."""
    L, dt, rank, z = 5, R(1, 5), 1, sp.Symbol("z")
    Ab, _ = S.discretize(dplr_dense(rank), sp.Matrix(DPLR_B), dt, "bilinear")
    Ct = S.truncation_correction(Ab, sp.Matrix([DPLR_C]), L)
    G = S.woodbury_generating_function(DPLR_LAMBDA, DPLR_P[rank], DPLR_Q[rank], DPLR_B, Ct, dt, z)
    numerator, denominator = (sp.Poly(p, z).all_coeffs() for p in sp.fraction(G))
    with mpmath.workprec(WORK_PREC):
        num, den = [to_mp(c) for c in numerator], [to_mp(c) for c in denominator]
        roots = [mpmath.expjpi(mpmath.mpf(-2 * j) / L) for j in range(L)]
        spectrum = [mpmath.polyval(num, w) / mpmath.polyval(den, w) for w in roots]
        expected = [mpmath.fsum(g / w**k for g, w in zip(spectrum, roots)) / L for k in range(L)]
    result = O.dplr_kernel(DPLR_LAMBDA, DPLR_P[rank], DPLR_Q[rank], DPLR_B, DPLR_C, L, dt=dt)
    assert rel_err(result.values, expected) < mpmath.mpf(10) ** -result.digits


# RTF ----------------------------------------------------------------------------------

Z = sp.Symbol("z")


def series_coefficients(a, b, L):
    expr = S.rational_generating_function(a, b, Z)
    poly = sp.series(expr, Z, 0, L).removeO()
    return [poly.coeff(Z, k) for k in range(L)]


def circulant_solve(a, b, L):
    """The k with k * a_pad = b_pad (cyclic convolution of length L), exactly."""
    a_pad = [1, *a] + [0] * (L - len(a) - 1)
    b_pad = list(b) + [0] * (L - len(b))
    M = sp.Matrix(L, L, lambda j, i: a_pad[(j - i) % L])  # (M k)_j = sum_i a_{j-i} k_i
    return list(M.LUsolve(sp.Matrix(b_pad)))


RTF_CASES = {
    "stable": ([R(1, 2), R(-1, 3), R(1, 8)], [1, 2, 3]),
    "trailing-zero": ([R(1, 2), R(1, 5), 0], [1, 2, 3]),  # a_d = 0
    "deg-b-above-deg-a": ([R(-1, 3), 0, 0], [R(1, 2), -1, 2]),  # deg b = 2 > deg a = 1
    "unstable": ([R(-3), R(5, 4)], [1, -1]),  # a(z) = (1 - z/2)(1 - 5z/2): root 2/5 inside
}


@pytest.mark.parametrize("case", RTF_CASES)
def test_rtf_impulse_response_equals_power_series_and_realization(case):
    a, b = RTF_CASES[case]
    L = 10
    result = O.rtf_kernel(a, b, L, aliased=False)
    assert_certified(result, series_coefficients(a, b, L))
    assert_certified(result, S.power_kernel(*S.realize(a, b), L))


@pytest.mark.parametrize("L", [4, 5, 7, 8])
@pytest.mark.parametrize("case", RTF_CASES)
def test_rtf_aliased_equals_exact_circulant_solve(case, L):
    a, b = RTF_CASES[case]
    assert_certified(O.rtf_kernel(a, b, L, aliased=True), circulant_solve(a, b, L))


def test_rtf_aliased_equals_numpy_fft():
    a, b, L = [0.5, -0.25, 0.125], [1.0, -2.0, 0.5], 16
    result = O.rtf_kernel(a, b, L, aliased=True)
    a_pad = np.array([1.0, *a] + [0.0] * (L - 4))
    b_pad = np.array(b + [0.0] * (L - 3))
    fft = np.fft.ifft(np.fft.fft(b_pad) / np.fft.fft(a_pad))
    assert np.max(np.abs(fft.imag)) < 1e-13
    got = np.array(result.floats())
    assert np.max(np.abs(got - fft.real)) < 1e-12 * np.max(np.abs(fft.real))


def test_rtf_aliased_is_the_periodized_impulse_response_when_stable():
    """sum_m h_{k + m L}: the poles 1/2, +-i/2 have modulus 1/2, so 40 periods leave ~2^-280."""
    a, b, L = [R(-1, 2), R(1, 4), R(-1, 8)], [1, 2, 3], 7
    assert O.rtf_stability(a) is True
    long = O.rtf_kernel(a, b, 40 * L, aliased=False, digits=40)
    with mpmath.workprec(WORK_PREC):
        periodized = [mpmath.fsum(long.values[k::L]) for k in range(L)]
    aliased = O.rtf_kernel(a, b, L, aliased=True)
    assert aliased.stable is True and aliased.notes == ()
    assert rel_err(aliased.values, periodized) < mpmath.mpf(10) ** -min(aliased.digits, 38)


def test_rtf_unstable_is_reported_and_aliased_still_exact():
    a, b = RTF_CASES["unstable"]
    assert not S.schur_cohn_stable(a).stable
    for aliased in (False, True):
        result = O.rtf_kernel(a, b, 6, aliased=aliased)
        assert result.stable is False
        assert len(result.notes) == 1 and "not stable" in result.notes[0]
    assert_certified(O.rtf_kernel(a, b, 6, aliased=True), circulant_solve(a, b, 6))


small_rationals = st.fractions(min_value=-2, max_value=2, max_denominator=4)


def roots_of_a(a):
    """The roots of a(z) = 1 + a_1 z + ... + a_d z^d by mpmath.polyroots (60 digits)."""
    with mpmath.workdps(60):
        coeffs = [to_mp(sp.sympify(v)) for v in reversed(a)] + [mpmath.mpf(1)]
        while coeffs[0] == 0:
            coeffs.pop(0)
        if len(coeffs) == 1:
            return []
        return mpmath.polyroots(coeffs, maxsteps=500, extraprec=400)


@settings(max_examples=25)
@given(a=st.lists(small_rationals, min_size=1, max_size=4))
def test_core_rtf_stability_agrees_with_exact_schur_cohn(a):
    """The vendorable module's Schur-Cohn at working precision vs the exact one.

    Same convention: a(z) = 1 + a_1 z + ... has its roots outside the disk iff
    lambda^d + a_1 lambda^{d-1} + ... + a_d (= lambda^d a(1/lambda)) has them inside.
    None (undecided) is allowed for an unstable a only: with small rational coefficients
    no stable polynomial is within rounding of the edge."""
    exact = S.schur_cohn_stable([R(v) for v in a]).stable
    verdict = core.rtf_stability(a)
    assert verdict is exact or (verdict is None and exact is False)


@settings(max_examples=20)
@given(
    q=st.lists(small_rationals, min_size=1, max_size=4),
    c=st.sampled_from([sp.sqrt(2), sp.pi / 3, sp.exp(-1)]),
)
def test_rtf_stability_irrational_coefficients_agree_with_polyroots(q, c):
    """Stable iff every root of a(z) has modulus > 1 (roots by mpmath.polyroots)."""
    a = [v * c for v in q]
    roots = roots_of_a(a)
    distance = min((abs(abs(r) - 1) for r in roots), default=mpmath.inf)
    verdict = O.rtf_stability(a)
    if distance > mpmath.mpf(10) ** -10:
        assert verdict is all(abs(r) > 1 for r in roots)


@pytest.mark.parametrize("a", [[1], [-1], [0, 1], [R(1, 2), 1], [1, 1, 1]])
def test_rtf_stability_root_on_the_circle(a):
    """1 + z, 1 - z, 1 + z^2, 1 + z/2 + z^2, (1 + z)(1 + z^2): roots of modulus 1, so not
    stable; a reflection coefficient of modulus exactly 1 lets the core say False."""
    assert min(abs(abs(r) - 1) for r in roots_of_a(a)) < mpmath.mpf(10) ** -40
    assert core.rtf_stability(a) is not True
    assert O.rtf_stability(a) is False
    result = O.rtf_kernel(a, [1] * len(a), 6, aliased=False)
    assert result.stable is not True
    assert len(result.notes) == 1 and "does not decay" in result.notes[0]


@pytest.mark.parametrize(
    "stability, a",
    [
        (core.rtf_stability, [R(-5, 2), 1]),
        (core.rtf_stability, [0, 1, 1]),
        (O.rtf_stability, [-sp.sqrt(5), 1]),
    ],
    ids=["core-5/2", "core-0-1-1", "package-sqrt5"],
)
def test_rtf_stability_unit_reflection_coefficient_off_the_circle_is_unstable(stability, a):
    """|k| = 1 exactly at the first step proves instability (a root inside the disk)."""
    assert min(abs(abs(r) - 1) for r in roots_of_a(a)) > mpmath.mpf(1) / 10
    assert stability(a) is False


# shift SSM, causal convolution ---------------------------------------------------------


@pytest.mark.parametrize("L", [2, 4, 7])
def test_shift_kernel_is_c_padded_or_truncated(L):
    C = [R(1, 3), -2, R(5, 7) - I, 4]
    result = O.shift_kernel(C, L)
    expected = (C + [0] * L)[:L]
    assert [to_mp(v) == 0 for v in result.values] == [v == 0 for v in expected]
    assert_certified(result, expected)
    d = len(C)
    shift = sp.Matrix(d, d, lambda i, j: 1 if i == j + 1 else 0)
    assert_certified(result, S.power_kernel(shift, sp.eye(d)[:, 0], sp.Matrix([C]), L))


@pytest.mark.parametrize(
    "u, K, exact_u, exact_K",
    [
        ([F(1, 2), -1, F(3, 7), 2, F(-5, 3)], [F(1, 3), 2, F(-1, 4)], None, None),  # K short
        ([1, F(-2, 3), 5], [F(1, 5), 1, -3, F(7, 2), 9, 4], None, None),  # extra taps unused
        (
            ["1/2+1j", -1, "2-1/3j", 1],
            [1, "-1/2+2j", 3],
            [R(1, 2) + I, -1, 2 - I / 3, 1],
            [1, R(-1, 2) + 2 * I, 3],
        ),
    ],
    ids=["short-K", "long-K", "complex"],
)
def test_causal_conv_equals_direct_double_loop(u, K, exact_u, exact_K):
    ue, Ke = exact_u or u, exact_K or K
    expected = []
    for k in range(len(ue)):
        total = 0
        for j in range(len(Ke)):
            if j <= k:
                total += Ke[j] * ue[k - j]
        expected.append(total)
    assert_certified(O.causal_conv(u, K), expected)


# Twins of the torch kernels: scan, h3_ssm, rtf_impulse_response, rtf_recurrence -------


def exact_scan(Ab, Bb, C, u):
    """y_k = C x_{k+1}, x_{k+1} = Ab x_k + Bb u_k, x_0 = 0, in exact sympy arithmetic."""
    Ab, Bb, C = sp.Matrix(Ab), sp.Matrix(Bb), sp.Matrix([C])
    x, out = sp.zeros(Ab.rows, 1), []
    for u_k in u:
        x = Ab * x + Bb * u_k
        out.append(sp.expand((C * x)[0, 0]))
    return out


def assert_honest(result, call):
    """The certified digits hold against a run at 30 more digits."""
    finer = call(digits=result.digits + 30)
    assert rel_err(result.values, finer.values) < mpmath.mpf(10) ** -result.digits


def exact_conv(u, K):
    return [sum(K[j] * u[k - j] for j in range(min(k + 1, len(K)))) for k in range(len(u))]


SCAN_AB = [[R(1, 2), R(1, 3), 0], [R(-1, 4), R(1, 5), R(1, 7)], [1, R(-2, 3), R(1, 9)]]
SCAN_BB, SCAN_C, SCAN_U = [1, 2, R(-1, 2)], [R(1, 3), -1, 2], [1, -2, 3, R(1, 2), 0, R(-7, 5)]


def test_scan_equals_exact_recurrence_and_kernel_convolution():
    result = O.scan(SCAN_AB, SCAN_BB, SCAN_C, SCAN_U)
    assert result.family == "scan" and len(result) == len(SCAN_U)
    assert_certified(result, exact_scan(SCAN_AB, SCAN_BB, SCAN_C, SCAN_U))
    K = S.power_kernel(sp.Matrix(SCAN_AB), sp.Matrix(SCAN_BB), sp.Matrix([SCAN_C]), len(SCAN_U))
    assert_certified(result, exact_conv(SCAN_U, list(K)))
    assert_honest(result, lambda **kw: O.scan(SCAN_AB, SCAN_BB, SCAN_C, SCAN_U, **kw))


def test_scan_complex_equals_exact_recurrence():
    Ab = [[R(1, 2) + I / 3, R(1, 4)], [-I / 5, R(-1, 3)]]
    Bb, C, u = [1, R(1, 2) - I], [R(1, 3) + I, 2], [1, -I, R(1, 2), 3 + I]
    result = O.scan(Ab, Bb, C, u)
    assert_certified(result, exact_scan(Ab, Bb, C, u))
    # the composition of the existing oracles, an independent route
    K = O.discrete_kernel(Ab, Bb, C, len(u)).values
    assert_certified(result, O.causal_conv(u, K).values)


def test_h3_ssm_with_a_zero_mode_equals_exact_fractions():
    """lam = 0: lam_bar = 1 and Bb = dt B, so every quantity is rational."""
    q, k, v = [1, R(-1, 2), 2, R(1, 3), 1], [R(1, 2), 1, -1, 0, 2], [1, 1, R(-1, 4), 3, R(1, 2)]
    shift_C, B, C, dt = [1, R(-1, 2), R(1, 4)], [R(3, 2)], [R(-2, 5)], R(1, 10)
    L = len(q)
    s = exact_conv(k, (shift_C + [0] * L)[:L])
    K_diag = [2 * C[0] * B[0] * dt] * L
    w = exact_conv([a * b for a, b in zip(s, v)], K_diag)
    result = O.h3_ssm(q, k, v, shift_C, [0], B, C, dt=dt)
    assert result.family == "h3_ssm"
    assert_certified(result, [a * b for a, b in zip(w, q)])


H3_CASE = (
    [1, R(-1, 2), 2, R(1, 3), 1, -3, R(2, 7)],
    [R(1, 2), 1, -1, 0, 2, R(5, 3), -1],
    [1, 1, R(-1, 4), 3, R(1, 2), -2, R(1, 8)],
    [1, R(-1, 2), R(1, 4), R(1, 9)],
    [R(-1, 2) + I, R(-1, 10) + 2 * I],
    [1, R(1, 2) - I],
    [R(1, 3), 1 + I],
)


def test_h3_ssm_equals_the_composition_of_the_oracles():
    """shift_kernel, causal_conv, h3_diag_kernel with exact products (report's old route)."""
    q, k, v, shift_C, lam, B, C = H3_CASE
    dt, L = R(1, 10), len(q)
    result = O.h3_ssm(q, k, v, shift_C, lam, B, C, dt=dt)
    with mpmath.workprec(WORK_PREC):
        s = O.causal_conv(k, O.shift_kernel(shift_C, L, digits=60).values, digits=60).values
        sv = [a * to_mp(b) for a, b in zip(s, v)]
        K = O.h3_diag_kernel(lam, B, C, L, dt=dt, digits=60).values
        w = O.causal_conv(sv, K, digits=60).values
        expected = [a * to_mp(b) for a, b in zip(w, q)]
    assert_certified(result, expected)
    assert_honest(result, lambda **kw: O.h3_ssm(q, k, v, shift_C, lam, B, C, dt=dt, **kw))


@pytest.mark.parametrize("case", RTF_CASES)
def test_rtf_impulse_response_equals_fraction_recurrence(case):
    a, b = RTF_CASES[case]
    L = 9
    h = []
    for n in range(L):
        h.append(
            (b[n] if n < len(b) else 0)
            - sum(a[i - 1] * h[n - i] for i in range(1, min(n, len(a)) + 1))
        )
    result = O.rtf_impulse_response(a, b, L)
    assert result.family == "rtf_impulse_response"
    assert_certified(result, h)
    assert bits(result.values) == bits(O.rtf_kernel(a, b, L, aliased=False).values)
    assert result.stable is O.rtf_kernel(a, b, L, aliased=False).stable
    assert_honest(result, lambda **kw: O.rtf_impulse_response(a, b, L, **kw))


@pytest.mark.parametrize("n", [1, 5, 8])
@pytest.mark.parametrize("case", RTF_CASES)
def test_rtf_recurrence_equals_convolution_with_exact_circulant_solve(case, n):
    a, b = RTF_CASES[case]
    L = 8
    u = [1, R(-1, 2), 3, R(2, 7), -1, 0, R(5, 3), 2][:n]
    result = O.rtf_recurrence(a, b, u, L=L)
    assert result.family == "rtf_recurrence" and len(result) == n
    assert_certified(result, exact_conv(u, circulant_solve(a, b, L)))
    assert result.stable is O.rtf_kernel(a, b, L).stable
    assert_honest(result, lambda **kw: O.rtf_recurrence(a, b, u, L=L, **kw))


def test_new_twins_match_their_torch_kernels_in_float64():
    import torch

    from hippo_verify import kernels

    def t(values):
        values = [complex(to_mp(v)) for v in values]
        if all(v.imag == 0 for v in values):
            return torch.tensor([v.real for v in values], dtype=torch.float64)
        return torch.tensor(values, dtype=torch.complex128)

    def close(got, result):
        expected = torch.tensor(result.floats(), dtype=torch.float64)
        assert torch.allclose(got, expected, rtol=1e-12, atol=1e-12 * expected.abs().max())

    Ab = torch.stack([t(row) for row in SCAN_AB])
    close(
        kernels.scan(Ab, t(SCAN_BB), t(SCAN_C), t(SCAN_U)), O.scan(SCAN_AB, SCAN_BB, SCAN_C, SCAN_U)
    )
    q, k, v, shift_C, lam, B, C = H3_CASE
    oracle = O.h3_ssm(q, k, v, shift_C, lam, B, C, dt=R(1, 10))
    for mode in ("conv", "recurrence"):
        got = kernels.h3_ssm(*map(t, H3_CASE), dt=0.1, mode=mode)
        close(got, oracle)
    a, b = RTF_CASES["stable"]
    close(kernels.rtf_impulse_response(t(a), t(b), 9), O.rtf_impulse_response(a, b, 9))
    u = [1, R(-1, 2), 3, R(2, 7), -1]
    close(kernels.rtf_recurrence(t(a), t(b), t(u), L=8), O.rtf_recurrence(a, b, u, L=8))


NEW_TWIN_BAD_CALLS = {
    "scan u empty": lambda: O.scan(SCAN_AB, SCAN_BB, SCAN_C, []),
    "scan Bb too short": lambda: O.scan(SCAN_AB, [1], SCAN_C, SCAN_U),
    "scan u nan": lambda: O.scan(SCAN_AB, SCAN_BB, SCAN_C, [1, float("nan")]),
    "scan digits = 0": lambda: O.scan(SCAN_AB, SCAN_BB, SCAN_C, SCAN_U, digits=0),
    "scan work": lambda: core.scan([[1] * 64] * 64, [1] * 64, [1] * 64, [1] * 2**15),
    "h3 k shorter than q": lambda: O.h3_ssm([1, 2], [1], [1, 2], [1], [0], [1], [1], dt=1),
    "h3 complex q": lambda: O.h3_ssm(["1j"], [1], [1], [1], [0], [1], [1], dt=1),
    "h3 dt = 0": lambda: O.h3_ssm([1], [1], [1], [1], [0], [1], [1], dt=0),
    "h3 dt bool": lambda: O.h3_ssm([1], [1], [1], [1], [0], [1], [1], dt=True),
    "h3 B wrong length": lambda: O.h3_ssm([1], [1], [1], [1], [0, 1], [1], [1, 1], dt=1),
    "h3 work": lambda: core.h3_ssm([1] * 2**14, [1] * 2**14, [1] * 2**14, [1], [0], [1], [1], dt=1),
    "impulse L = 0": lambda: O.rtf_impulse_response([R(1, 2)], [1], 0),
    "impulse L float": lambda: O.rtf_impulse_response([R(1, 2)], [1], 4.0),
    "impulse complex a": lambda: O.rtf_impulse_response(["1/2+1j"], [1], 4),
    "recurrence d >= L": lambda: O.rtf_recurrence([R(1, 2), R(1, 3)], [1, 1], [1], L=2),
    "recurrence len(u) > L": lambda: O.rtf_recurrence([R(1, 2)], [1], [1, 2, 3], L=2),
    "recurrence u empty": lambda: O.rtf_recurrence([R(1, 2)], [1], [], L=4),
    "recurrence complex u": lambda: O.rtf_recurrence([R(1, 2)], [1], ["1j"], L=4),
    "recurrence L bool": lambda: O.rtf_recurrence([R(1, 2)], [1], [1], L=True),
    "recurrence root of unity": lambda: O.rtf_recurrence([1], [1], [1, 2], L=2),  # a(-1) = 0
    "core recurrence L = 0": lambda: core.rtf_recurrence([R(1, 2)], [1], [1], L=0),
}


@pytest.mark.parametrize("name", list(NEW_TWIN_BAD_CALLS))
def test_new_twins_refuse_bad_input_before_any_work(name, monkeypatch):
    from hippo_verify._errors import InvalidArgumentError, InvalidTypeError

    def no_work(*args, **kwargs):
        raise AssertionError(f"{name}: work started before the argument check")

    monkeypatch.setattr(mpmath, "MPContext", no_work)
    with pytest.raises((InvalidArgumentError, InvalidTypeError)):
        NEW_TWIN_BAD_CALLS[name]()


# ---------------------------------------------------------------------------------------
# 3. Certification
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [15, 30, 60])
def test_requested_digits_are_certified_and_true(digits):
    A, B, C = LOWER
    result = O.ssm_kernel(A, B, C, 10, dt=R(1, 5), method="bilinear", digits=digits)
    assert result.digits >= digits
    assert result.prec >= digits * 3.32
    assert rel_err(result.values, exact_kernel(A, B, C, 10, R(1, 5), "bilinear")) < (
        mpmath.mpf(10) ** -result.digits
    )


def test_runs_at_60_and_30_digits_agree_to_30():
    A, B = S.hippo("legs", 12)
    C = [1] * 12
    kw = dict(dt=R(1, 10), method="zoh")
    r30 = O.ssm_kernel(A, B, C, 20, digits=30, **kw)
    r60 = O.ssm_kernel(A, B, C, 20, digits=60, **kw)
    assert r60.digits >= 60 and r30.digits >= 30
    assert rel_err(r30.values, r60.values) < mpmath.mpf(10) ** -30


def test_certification_error_when_max_prec_is_too_small():
    """LegS N = 48 by eigenvectors loses ~0.75 N digits: 30 digits need more than 200 bits."""
    A, B = S.hippo("legs", 48)
    with pytest.raises(O.CertificationError):
        O.ssm_kernel(
            A, B, [1] * 48, 20, dt=R(1, 10), algorithm="triangular-eigen", digits=30, max_prec=200
        )


# ---------------------------------------------------------------------------------------
# 4. Thread safety and global state
# ---------------------------------------------------------------------------------------


def _jobs():
    A, B = S.hippo("legs", 8)
    return [
        lambda d: O.ssm_kernel(A, B, [1] * 8, 16, dt=R(1, 10), digits=d),
        lambda d: O.ssm_kernel(*DENSE, 12, dt=R(1, 4), method="zoh", digits=d),
        lambda d: O.diag_kernel(MODES, MODE_B, MODE_C, 12, dt=R(1, 10), digits=d),
        lambda d: O.rtf_kernel(*RTF_CASES["stable"], 9, digits=d),
        lambda d: O.dplr_kernel(
            DPLR_LAMBDA, DPLR_P[2], DPLR_Q[2], DPLR_B, DPLR_C, 7, dt=1, digits=d
        ),
        lambda d: O.continuous_kernel(*DENSE, [R(1, 2), 2], digits=d),
        lambda d: O.hippo_projection("legt", lambda s, ctx: ctx.sin(3 * s), R(3, 2), 3, digits=d),
        lambda d: O.discretize(*LOWER[:2], R(1, 3), "zoh", digits=d),
    ]


def test_concurrent_calls_equal_sequential_ones():
    tasks = [(job, digits) for job in _jobs() for digits in (20, 45)]
    sequential = [job(digits) for job, digits in tasks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda task: task[0](task[1]), tasks * 2))
    for seq, con in zip(sequential * 2, concurrent):
        assert (con.digits, con.prec) == (seq.digits, seq.prec)
        assert bits(con.values) == bits(seq.values)


def test_global_mpmath_precision_is_neither_read_nor_written():
    prec_before = mpmath.mp.prec
    reference = [job(30) for job in _jobs()]
    assert mpmath.mp.prec == prec_before
    for dps in (5, 100):
        with mpmath.workdps(dps):
            results = [job(30) for job in _jobs()]
            assert mpmath.mp.dps == dps
        for ref, res in zip(reference, results):
            assert bits(res.values) == bits(ref.values)
            assert (res.digits, res.prec) == (ref.digits, ref.prec)
    assert mpmath.mp.prec == prec_before


def test_values_keep_their_bits_when_the_global_precision_is_low():
    result = O.ssm_kernel(*LOWER, 6, dt=R(1, 5), digits=40)
    with mpmath.workdps(5):
        kept = bits(result.values)
    assert kept == bits(result.values)
    assert rel_err(result.values, exact_kernel(*LOWER, 6, R(1, 5), "bilinear")) < 1e-40


# ---------------------------------------------------------------------------------------
# 6. hippo_projection against exact integrals
# ---------------------------------------------------------------------------------------

s_ = sp.Symbol("s", real=True)


def exact_projection(measure, f, t, N):
    """The docstring's definitions, integrated by sympy (f(s) = 0 for s < 0)."""
    out = []
    for n in range(N):
        if measure == "legs":
            g = sp.sqrt(2 * n + 1) * sp.legendre(n, 2 * s_ / t - 1) / t
            lo = 0
        elif measure == "legt":
            g = sp.sqrt(2 * n + 1) * sp.legendre(n, 2 * (s_ - t) + 1)
            lo = t - 1
        elif measure == "lagt":
            g = sp.assoc_laguerre(n, 0, t - s_) * sp.exp(s_ - t)
            lo = 0
        else:
            x, k = s_ - t + 1, (n + 1) // 2
            g = 1 if n == 0 else sp.sqrt(2) * (sp.cos if n % 2 else sp.sin)(2 * sp.pi * k * x)
            lo = t - 1
        out.append(sp.integrate(sp.expand(f(s_) * g), (s_, max(lo, 0), t)))
    return out


def test_legs_projection_closed_forms_by_hand():
    """f = 1: c = (1, 0, 0, ...); f(s) = s: c_0 = t/2, c_1 = t/(2 sqrt 3), c_n = 0 after."""
    t = R(5, 2)
    one = O.hippo_projection("legs", lambda s, ctx: ctx.one, t, 4)
    assert one.digits >= 30
    assert rel_err(one.values, [1, 0, 0, 0]) < mpmath.mpf(10) ** -one.digits
    ramp = O.hippo_projection("legs", lambda s, ctx: s, t, 4)
    assert_certified(ramp, [t / 2, t / (2 * sp.sqrt(3)), 0, 0])


@pytest.mark.parametrize(
    "measure, t",
    [("legs", R(7, 3)), ("legt", R(5, 2)), ("legt", 1), ("lagt", R(3, 2)), ("fout", R(9, 4))],
)
def test_projection_of_polynomials_equals_sympy_integration(measure, t):
    f = lambda s: 1 - 2 * s + s**3 / 3  # noqa: E731
    result = O.hippo_projection(measure, lambda s, ctx: f(s), t, 4)
    assert result.params["measure"] == measure
    assert_certified(result, exact_projection(measure, f, t, 4))


def test_lagt_projection_of_one_equals_sympy_integration():
    t = R(7, 2)
    result = O.hippo_projection("lagt", lambda s, ctx: ctx.one, t, 5)
    assert_certified(result, exact_projection("lagt", lambda s: 1, t, 5))


def test_legt_projection_before_the_window_is_full():
    """t < 1: the signal is 0 before s = 0, so only [0, t] counts."""
    t = R(1, 2)
    result = O.hippo_projection("legt", lambda s, ctx: 1 + s, t, 3)
    assert_certified(result, exact_projection("legt", lambda s: 1 + s, t, 3))


def test_lagt_projection_when_a_quadrature_node_is_a_laguerre_root():
    """t = 2: the tanh-sinh midpoint s = 1 gives L_1(t - s) = L_1(1) = 0 exactly (an exact
    zero made mpmath.laguerre raise ValueError in an earlier version)."""
    result = O.hippo_projection("lagt", lambda s, ctx: ctx.one, 2, 4)
    assert_certified(result, exact_projection("lagt", lambda s: 1, 2, 4))
    legs = O.hippo_projection("legs", lambda s, ctx: 1 + s, 2, 4)  # P_1(0) = P_3(0) = 0
    assert_certified(legs, exact_projection("legs", lambda s: 1 + s, 2, 4))


# ---------------------------------------------------------------------------------------
# Slow sweeps (pytest -m slow)
# ---------------------------------------------------------------------------------------


@st.composite
def rational_systems(draw):
    d = draw(st.integers(2, 4))
    entries = st.fractions(min_value=-2, max_value=2, max_denominator=6)
    A = [[draw(entries) for _ in range(d)] for _ in range(d)]
    shape = draw(st.sampled_from(["dense", "lower", "upper"]))
    for i in range(d):
        for j in range(d):
            if (shape == "lower" and j > i) or (shape == "upper" and j < i):
                A[i][j] = Fraction(0)
    vectors = [[draw(entries) for _ in range(d)] for _ in range(2)]
    return A, vectors[0], vectors[1]


@pytest.mark.slow
@settings(max_examples=40)
@given(
    system=rational_systems(),
    method=st.sampled_from(GBT_METHODS),
    dt=st.sampled_from([F(1, 10), F(1, 3), F(1)]),
)
def test_sweep_random_systems_equal_exact_power_kernel(system, method, dt):
    A, B, C = system
    A_sym = sp.Matrix([[R(v) for v in row] for row in A])
    alpha = {"forward_euler": 0, "backward_euler": 1, "bilinear": R(1, 2)}.get(method)
    alpha = R(method[1]) if alpha is None else alpha
    if alpha and (sp.eye(len(A)) - alpha * R(dt) * A_sym).det() == 0:
        return  # the implicit step is undefined (checked in test_oracles_inputs.py)
    B_sym, C_sym = [R(v) for v in B], [R(v) for v in C]
    expected = exact_kernel(A_sym, B_sym, C_sym, 8, R(dt), sym_method(method))
    if all(v == 0 for v in expected):
        return
    result = O.ssm_kernel(A, B, C, 8, dt=dt, method=method, digits=40)
    assert_certified(result, expected, digits=40)


@pytest.mark.slow
@pytest.mark.parametrize("N", [32, 48])
def test_sweep_legs_krylov_equals_triangular_eigen_at_60_digits(N):
    A, B = S.hippo("legs", N)
    C = [1] * N
    for method in ["bilinear", "zoh", "backward_euler"]:
        kw = dict(dt=R(1, 50), method=method, digits=60)
        eigen = O.ssm_kernel(A, B, C, 64, algorithm="triangular-eigen", **kw)
        krylov = O.ssm_kernel(A, B, C, 64, algorithm="krylov", **kw)
        assert eigen.method.endswith("triangular-eigen")
        digits = min(eigen.digits, krylov.digits)
        assert digits >= 60
        assert rel_err(eigen.values, krylov.values) < 2 * mpmath.mpf(10) ** -digits


@pytest.mark.slow
@pytest.mark.parametrize("L", range(2, 14))
def test_sweep_rtf_aliased_equals_circulant_solve(L):
    for a, b in RTF_CASES.values():
        if len(a) < L:
            assert_certified(O.rtf_kernel(a, b, L, aliased=True), circulant_solve(a, b, L))


@pytest.mark.slow
@settings(max_examples=150)
@given(a=st.lists(small_rationals, min_size=1, max_size=6))
def test_sweep_core_rtf_stability_agrees_with_exact_schur_cohn(a):
    exact = S.schur_cohn_stable([R(v) for v in a]).stable
    verdict = core.rtf_stability(a)
    assert verdict is exact or (verdict is None and exact is False)
