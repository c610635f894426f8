"""Selective scans (issue 12), symbolic layer: Mamba's B-bar = delta B against exact ZOH.

References are independent of ``_selective.py``: sympy ``series`` of closed forms, sympy's
own ``Matrix.exp``, sympy's Bernoulli numbers, and a plain mpmath loop transcribing Mamba's
``selective_scan_ref`` semantics (the spec's ``selective_scan``). Each check also meets a
planted bug (a wrong coefficient, a wrong factor, the output before the update, a missing
2 Re) that it must reject.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic import (
    exactly_equal,
    mamba_bbar_error,
    mamba_zoh_ratio,
    selective_discretize,
    selective_scan_exact,
    zoh_input_series,
)

R = sp.Rational
dt = sp.Symbol("Delta", positive=True)
a, b, x = sp.symbols("a b x")
A_GENERIC = sp.Matrix(2, 2, sp.symbols("a_11 a_12 a_21 a_22"))
B_GENERIC = sp.Matrix(sp.symbols("b_1 b_2"))


def series_coefficient(expr, k, order):
    return sp.expand(sp.series(expr, dt, 0, order).removeO()).coeff(dt, k)


# ---------------------------------------------------------------------------------------
# One step
# ---------------------------------------------------------------------------------------


def test_zoh_and_mamba_steps_of_a_diagonal_system():
    A = sp.diag(-1, -R(1, 2), 0)
    B = [1, 2, 3]
    Ab, Bz = selective_discretize(A, B, dt, "zoh")
    _, Bm = selective_discretize(A, B, dt, "mamba")
    assert exactly_equal(Ab, sp.diag(sp.exp(-dt), sp.exp(-dt / 2), 1))
    assert exactly_equal(
        Bz, sp.Matrix([1 - sp.exp(-dt), 2 * (1 - sp.exp(-dt / 2)) / R(1, 2), 3 * dt])
    )
    assert exactly_equal(Bm, dt * sp.Matrix(B))


def test_zoh_input_series_matches_sympys_matrix_exponential():
    """A neither diagonal nor triangular: series of A^{-1}(e^{dt A} - I)B by sympy."""
    A = sp.Matrix([[0, 1], [-2, -3]])
    B = sp.Matrix([1, -1])
    closed = A.inv() * ((dt * A).exp() - sp.eye(2)) * B
    reference = closed.applyfunc(lambda e: sp.expand(sp.series(e, dt, 0, 6).removeO()))
    assert exactly_equal(zoh_input_series(A, B, dt, 5), reference)
    assert not exactly_equal(zoh_input_series(A, B, dt, 4), reference)  # truncation shows


def test_zoh_input_series_solves_the_ode_for_a_generic_matrix():
    series = zoh_input_series(A_GENERIC, B_GENERIC, dt, 4)
    residual = (series.diff(dt) - A_GENERIC * series - B_GENERIC).applyfunc(sp.expand)
    assert all(sp.Poly(e, dt).monoms()[-1][0] >= 4 for e in residual if e != 0)
    assert series.subs(dt, 0).is_zero_matrix


def test_local_error_scalar_order_two_leading_term():
    """Bbar_zoh - Bbar_mamba = dt^2 a b / 2 + dt^3 a^2 b / 6 + ... (sympy series of the
    closed form); the symbolic layer's series agrees term by term."""
    closed = (sp.exp(dt * a) - 1) / a * b - dt * b
    coefficients = [sp.simplify(series_coefficient(closed, k, 6)) for k in range(6)]
    assert coefficients[:2] == [0, 0]
    assert exactly_equal(coefficients[2], a * b / 2)
    ours = mamba_bbar_error([[a]], [b], dt, 5)[0, 0]
    assert exactly_equal(ours, sum(c * dt**k for k, c in enumerate(coefficients)))
    planted = ours + dt**2 * a * b / 2  # the coefficient 1 instead of 1/2
    assert not exactly_equal(planted, sum(c * dt**k for k, c in enumerate(coefficients)))


def test_local_error_general_matrix_leading_term():
    error = mamba_bbar_error(A_GENERIC, B_GENERIC, dt, 4)
    assert error.applyfunc(lambda e: e.coeff(dt, 0)).is_zero_matrix
    assert error.applyfunc(lambda e: e.coeff(dt, 1)).is_zero_matrix
    leading = error.applyfunc(lambda e: e.coeff(dt, 2))
    assert exactly_equal(leading, (A_GENERIC * B_GENERIC / 2).applyfunc(sp.expand))
    assert exactly_equal(
        error.applyfunc(lambda e: e.coeff(dt, 3)),
        (A_GENERIC**2 * B_GENERIC / 6).applyfunc(sp.expand),
    )
    # a lower-triangular symbolic A: the series of the closed-form ZOH (discretize) agrees
    A = sp.Matrix([[a, 0], [1, -2]])
    closed = selective_discretize(A, [1, 1], dt, "zoh")[1] - dt * sp.Matrix([1, 1])
    reference = closed.applyfunc(lambda e: sp.expand(sp.series(e, dt, 0, 4).removeO()))
    assert exactly_equal(mamba_bbar_error(A, [1, 1], dt, 3), reference)


def test_agreement_iff_ab_zero():
    A, B = sp.Matrix([[0, 0], [1, -1]]), [1, 1]  # A != 0, AB = 0
    assert selective_discretize(A, B, dt, "zoh")[1] == dt * sp.Matrix(B)
    assert mamba_bbar_error(A, B, dt, 10).is_zero_matrix
    assert not mamba_bbar_error(A, [1, 0], dt, 2).is_zero_matrix  # AB != 0: a dt^2 term


def test_ratio_is_the_bernoulli_generating_function():
    r = mamba_zoh_ratio(x)
    poly = sp.expand(sp.series(r, x, 0, 10).removeO())
    expected = [1, -R(1, 2)] + [sp.bernoulli(n) / sp.factorial(n) for n in range(2, 10)]
    assert [poly.coeff(x, n) for n in range(10)] == expected
    assert mamba_zoh_ratio(0) == 1
    _, Bz = selective_discretize([[a]], [b], dt, "zoh")
    _, Bm = selective_discretize([[a]], [b], dt, "mamba")
    assert sp.simplify(Bm[0, 0] / Bz[0, 0] - mamba_zoh_ratio(dt * a)) == 0
    # r(x) - 1 + x/2 is even (x/2 coth(x/2) - 1): no odd terms beyond x
    assert all(poly.coeff(x, n) == 0 for n in (3, 5, 7, 9))


# ---------------------------------------------------------------------------------------
# The scan, against an independent mpmath loop (the spec's semantics)
# ---------------------------------------------------------------------------------------


def mp(value):
    """An exact input (int, Fraction, complex of floats) as an mpmath number."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, complex):
        return mpmath.mpc(value)
    return mpmath.mpf(value)


def reference_scan(u, delta, A, B, C, D=None, z=None, bias=None, softplus=False, disc="mamba"):
    """A transcription of selective_scan_ref for one channel, in mpmath (60 digits)."""
    with mpmath.workdps(60):
        N = len(A)
        state = [mpmath.mpc(0)] * N
        out = []
        complex_a = any(mp(v).imag != 0 for v in A)
        for t, u_t in enumerate(u):
            step = mp(delta[t]) + (mp(bias) if bias is not None else 0)
            if softplus:
                step = mpmath.log(1 + mpmath.exp(step))
            Bt = B[t] if isinstance(B[0], list) else B
            Ct = C[t] if isinstance(C[0], list) else C
            y = mpmath.mpc(0)
            for n in range(N):
                an = mpmath.mpc(mp(A[n]))
                decay = mpmath.exp(step * an)
                gain = step if disc == "mamba" else (decay - 1) / an
                state[n] = decay * state[n] + gain * mp(Bt[n]) * mp(u_t)
                y += mp(Ct[n]) * state[n]
            y = 2 * y.real if complex_a else y.real
            if D is not None:
                y += mp(D) * mp(u_t)
            if z is not None:
                y *= mp(z[t]) / (1 + mpmath.exp(-mp(z[t])))
            out.append(y)
        return out


def close(exact, reference, digits=40):
    with mpmath.workdps(60):
        return all(
            abs(mpmath.mpf(sp.N(e, 60)) - r) <= mpmath.mpf(10) ** -digits * (1 + abs(r))
            for e, r in zip(exact, reference)
        )


def draw_inputs(seed, L=5, N=3, per_step=True):
    rng = random.Random(seed)

    def q(lo, hi):
        return Fraction(rng.randint(int(lo * 100), int(hi * 100)), 100)

    u = [q(-2, 2) for _ in range(L)]
    delta = [q(0.01, 0.5) for _ in range(L)]
    A = [-q(0.5, 4) for _ in range(N)]
    B = [[q(-1, 1) for _ in range(N)] for _ in range(L)] if per_step else [q(-1, 1)] * N
    C = [[q(-1, 1) for _ in range(N)] for _ in range(L)] if per_step else [q(-1, 1)] * N
    return u, delta, A, B, C


@pytest.mark.parametrize("disc", ["mamba", "zoh"])
@pytest.mark.parametrize("per_step", [True, False])
def test_scan_matches_the_reference_loop(disc, per_step):
    u, delta, A, B, C = draw_inputs(1, per_step=per_step)
    ours = selective_scan_exact(u, delta, A, B, C, discretization=disc)
    assert close(ours, reference_scan(u, delta, A, B, C, disc=disc))


def test_scan_with_d_gate_bias_softplus():
    u, delta, A, B, C = draw_inputs(2, L=3, N=2)
    z = [Fraction(1, 3), -1, 2]
    ours = selective_scan_exact(
        u, delta, A, B, C, D=Fraction(3, 4), z=z, delta_bias=Fraction(-1, 5), delta_softplus=True
    )
    ref = reference_scan(u, delta, A, B, C, Fraction(3, 4), z, Fraction(-1, 5), True)
    assert close(ours, ref)
    # planted: the gate applied before D
    planted = [(y / (zz / (1 + sp.exp(-sp.Rational(zz))))) for y, zz in zip(ours, z)]
    assert not close(planted, ref, digits=5)


def test_scan_complex_modes_take_two_re():
    u, delta, _, B, C = draw_inputs(3, L=3, N=2)
    A = [-1 + 2 * sp.I, -R(1, 2) + sp.I / 3]
    Bc = [[v + sp.I * R(1, 5) for v in row] for row in B]
    ours = selective_scan_exact(u, delta, A, Bc, C, discretization="zoh")
    A_mp = [complex(v) for v in A]
    B_mp = [[complex(v) for v in row] for row in Bc]
    reference = reference_scan(u, delta, A_mp, B_mp, C, disc="zoh")
    assert close(ours, reference, digits=14)  # complex() inputs: float precision
    # planted: the real part without the factor 2 (one mode of each pair forgotten)
    assert not close([y / 2 for y in ours], reference, digits=5)


def test_output_after_the_update():
    """y_0 = C_0 Bbar_0 u_0 (not 0, as an output before the update would give)."""
    y = selective_scan_exact([1, 0], [R(1, 2), R(1, 2)], [-1], [1], [1])
    assert y[0] == R(1, 2)
    assert exactly_equal(y[1], sp.exp(-R(1, 2)) / 2)


# ---------------------------------------------------------------------------------------
# Accumulated effect
# ---------------------------------------------------------------------------------------


def test_mamba_scan_is_the_zoh_scan_of_a_rescaled_b():
    """Mamba's scan = the ZOH scan with B_{t,n} -> r(dt_t a_n) B_{t,n}: ours (ZOH with the
    rescaled B) against the reference loop's Mamba scan. (The derivation proves it with
    everything symbolic.)"""
    u, delta, A, B, C = draw_inputs(5, L=4, N=2)
    rescaled = [
        [mamba_zoh_ratio(sp.Rational(d) * v) * w for v, w in zip(A, row)]
        for d, row in zip(delta, B)
    ]
    ours = selective_scan_exact(u, delta, A, rescaled, C, discretization="zoh")
    assert close(ours, reference_scan(u, delta, A, B, C, disc="mamba"))
    planted = [
        [(1 - sp.Rational(d) * v / 2) * w for v, w in zip(A, row)] for d, row in zip(delta, B)
    ]  # only the leading term of r
    wrong = selective_scan_exact(u, delta, A, planted, C, discretization="zoh")
    assert not close(wrong, reference_scan(u, delta, A, B, C, disc="mamba"), digits=6)


@pytest.mark.parametrize("seed", range(4))
def test_accumulated_gap_within_the_derived_bounds(seed):
    """Real a <= 0, nonnegative B, C, u: |dt a|/2 <= y_mamba/y_zoh - 1 <= |dt a|/2 + (dt a)^2/12."""
    rng = random.Random(seed)
    L, N = 6, 3
    deltas = [Fraction(rng.randint(1, 100), 1000) for _ in range(L)]
    A = [-Fraction(rng.randint(1, 16)) for _ in range(N)]
    B = [[Fraction(rng.randint(1, 9), 4) for _ in range(N)] for _ in range(L)]
    C = [[Fraction(rng.randint(1, 9), 4) for _ in range(N)] for _ in range(L)]
    u = [Fraction(rng.randint(1, 5)) for _ in range(L)]
    ym = reference_scan(u, deltas, A, B, C, disc="mamba")
    yz = reference_scan(u, deltas, A, B, C, disc="zoh")
    xs = [float(d * v) for d in deltas for v in A]
    low, high = min(abs(v) / 2 for v in xs), max(abs(v) / 2 + v * v / 12 for v in xs)
    gaps = [float(m / z_ - 1) for m, z_ in zip(ym, yz)]
    assert all(low <= g <= high for g in gaps), (gaps, low, high)
    # planted: a "mamba" scan that silently uses the ZOH B-bar has gap 0 < low
    assert not all(low <= float(z / z - 1) for z in yz)


def test_ratio_bounds_on_the_stable_axis():
    with mpmath.workdps(30):
        for k in range(1, 200):
            v = -mpmath.mpf(k) / 10
            gap = v / (mpmath.exp(v) - 1) - 1
            assert abs(v) / 2 <= gap <= abs(v) / 2 + v * v / 12


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: selective_discretize([[1]], [1], dt, "euler"), InvalidArgumentError, "unknown"),
        (lambda: selective_discretize([[1]], [1, 2], dt), InvalidArgumentError, "length"),
        (lambda: selective_discretize([[1]], [1], 0), InvalidArgumentError, "> 0"),
        (lambda: zoh_input_series([[1]], [1], dt, 0), InvalidArgumentError, ">= 1"),
        (lambda: zoh_input_series([[1]], [1], dt, 10**6), InvalidArgumentError, "limit"),
        (lambda: zoh_input_series([[1, 2]], [1], dt, 2), InvalidArgumentError, "square"),
        (lambda: mamba_bbar_error([[1]], [1], dt, True), InvalidTypeError, "integer"),
        (lambda: mamba_zoh_ratio("x"), InvalidTypeError, "number"),
        (lambda: selective_scan_exact([1], [1], [-1], [[1, 2]], [1]), InvalidArgumentError, "B"),
        (lambda: selective_scan_exact([1, 2], [1], [-1], [1], [1]), InvalidArgumentError, "length"),
        (
            lambda: selective_scan_exact([1], [1], [-1], [1], [1], delta_softplus=1),
            InvalidTypeError,
            "bool",
        ),
        (
            lambda: selective_scan_exact([1], [1], [-1], [1], [1], discretization="bilinear"),
            InvalidArgumentError,
            "unknown",
        ),
        (
            lambda: selective_scan_exact([1], [1], [-1], [1], [1], conj_pairs="yes"),
            InvalidTypeError,
            "bool",
        ),
        (
            lambda: selective_scan_exact([1] * 5000, [1] * 5000, [-1], [1], [1]),
            InvalidArgumentError,
            "limit",
        ),
    ],
)
def test_bad_input_is_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
