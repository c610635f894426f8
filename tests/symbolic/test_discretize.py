"""Exact discretizations of x' = A x + B u: ``discretize`` and ``discretize_with_output``.

Expected values come from independent routes: formulas written out here by hand, the
power series of e^{dt A}, sympy's own ``Matrix.exp`` and ``integrate``, the defining ODE
of e^{dt A}, the Padé equations solved here, and scipy for the scipy-convention variant.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.signal
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic import _discretize as discretize_module
from hippo_verify.symbolic import hippo
from hippo_verify.symbolic._discretize import discretize, discretize_with_output

dt = sp.Symbol("dt", positive=True)
x, z, s = sp.symbols("x z s")
a, b, c, d = sp.symbols("a b c d")
A_GENERIC = sp.Matrix([[a, b], [c, d]])
B_GENERIC = sp.Matrix([1, 2])
HALF = sp.Rational(1, 2)


def _zero(M: sp.Matrix | sp.Expr) -> bool:
    """Exactly zero after cancelling (rational functions) or simplifying (exponentials)."""
    entries = M if isinstance(M, sp.MatrixBase) else [M]
    return all(sp.cancel(sp.together(e)) == 0 or sp.simplify(e) == 0 for e in entries)


def _same(M1, M2) -> bool:
    return M1.shape == M2.shape and _zero(M1 - M2)


def _taylor_exp(A: sp.Matrix, order: int) -> sp.Matrix:
    """sum_{k < order} (dt A)^k / k!: the exponential series, truncated."""
    return sum(((dt * A) ** k / sp.factorial(k) for k in range(order)), sp.zeros(A.rows))


def _taylor_exp_integral(A: sp.Matrix, order: int) -> sp.Matrix:
    """int_0^dt of the truncated series, term by term: sum dt^{k+1} A^k / (k+1)!."""
    return sum((dt ** (k + 1) * A**k / sp.factorial(k + 1) for k in range(order)), sp.zeros(A.rows))


def _dt_coefficients(M: sp.Matrix, order: int) -> list[sp.Matrix]:
    """Coefficients of dt^0 .. dt^{order-1} of each entry's series at dt = 0."""
    series = [_taylor(e, order) for e in M]
    return [sp.Matrix(M.rows, M.cols, [c[k] for c in series]) for k in range(order)]


def _taylor(expr: sp.Expr, order: int) -> list[sp.Expr]:
    """Taylor coefficients of expr at dt = 0. A rational function P/Q of dt (Q(0) != 0) by
    the power-series quotient c_j = (p_j - sum_{i=1..j} q_i c_{j-i}) / q_0, exact and
    several times faster than a generic series; anything else (exp(a dt)) by sympy.series."""
    num, den = sp.fraction(sp.together(expr))
    if num.is_polynomial(dt) and den.is_polynomial(dt) and den.subs(dt, 0) != 0:
        p = sp.Poly(num, dt).all_coeffs()[::-1] + [0] * order
        q = sp.Poly(den, dt).all_coeffs()[::-1] + [0] * order
        coeffs: list[sp.Expr] = []
        for j in range(order):
            rest = p[j] - sum(q[i] * coeffs[j - i] for i in range(1, j + 1))
            coeffs.append(sp.expand(sp.cancel(rest / q[0])))
        return coeffs
    series = sp.expand(sp.series(expr, dt, 0, order).removeO())
    return [series.coeff(dt, k) for k in range(order)]


# ---------------------------------------------------------------------------------------
# The gbt family
# ---------------------------------------------------------------------------------------


def test_forward_euler_is_gbt_0_and_the_explicit_step():
    Ab, Bb = discretize(A_GENERIC, B_GENERIC, dt, "forward_euler")
    assert _same(Ab, sp.eye(2) + dt * A_GENERIC) and _same(Bb, dt * B_GENERIC)
    Ab0, Bb0 = discretize(A_GENERIC, B_GENERIC, dt, ("gbt", 0))
    assert _same(Ab0, Ab) and _same(Bb0, Bb)


def test_backward_euler_is_gbt_1_and_solves_the_implicit_step():
    Ab, Bb = discretize(A_GENERIC, B_GENERIC, dt, "backward_euler")
    M = sp.eye(2) - dt * A_GENERIC
    assert _same(M * Ab, sp.eye(2)) and _same(M * Bb, dt * B_GENERIC)
    Ab1, Bb1 = discretize(A_GENERIC, B_GENERIC, dt, ("gbt", 1))
    assert _same(Ab1, Ab) and _same(Bb1, Bb)


def test_bilinear_is_gbt_half_and_solves_the_trapezoid_step():
    Ab, Bb = discretize(A_GENERIC, B_GENERIC, dt, "bilinear")
    M = sp.eye(2) - dt / 2 * A_GENERIC
    assert _same(M * Ab, sp.eye(2) + dt / 2 * A_GENERIC) and _same(M * Bb, dt * B_GENERIC)
    Ab_half, Bb_half = discretize(A_GENERIC, B_GENERIC, dt, ("gbt", 0.5))
    assert _same(Ab_half, Ab) and _same(Bb_half, Bb)


def test_gbt_interior_alpha_is_none_of_the_named_methods():
    Ab, _ = discretize(A_GENERIC, B_GENERIC, dt, ("gbt", sp.Rational(1, 4)))
    for name in ("forward_euler", "bilinear", "backward_euler"):
        assert not _same(Ab, discretize(A_GENERIC, B_GENERIC, dt, name)[0])


# 40 examples (the profile's 100 before): the equations are checked exactly and also on a
# symbolic A for alpha = 0, 1/4, 1/2, 1 above; the singular case has its own test below.
@settings(max_examples=40)
@given(
    alpha=st.fractions(min_value=0, max_value=1, max_denominator=8),
    entries=st.lists(st.integers(-4, 4), min_size=4, max_size=4),
    step=st.fractions(min_value=Fraction(1, 16), max_value=2, max_denominator=16),
)
def test_gbt_solves_its_defining_equation(alpha, entries, step):
    """(I - alpha dt A) Ab = I + (1 - alpha) dt A and (I - alpha dt A) Bb = dt B."""
    A = sp.Matrix(2, 2, entries)
    alpha, step = (
        sp.Rational(alpha.numerator, alpha.denominator),
        sp.Rational(step.numerator, step.denominator),
    )
    M = sp.eye(2) - alpha * step * A
    if M.det() == 0:
        with pytest.raises(InvalidArgumentError, match="singular"):
            discretize(A, B_GENERIC, step, ("gbt", alpha))
        return
    Ab, Bb = discretize(A, B_GENERIC, step, ("gbt", alpha))
    assert M * Ab == sp.eye(2) + (1 - alpha) * step * A
    assert M * Bb == step * B_GENERIC


def test_bilinear_is_the_pade_11_approximant_of_exp():
    # Solve p0 + p1 x - (1 + q1 x)(1 + x + x^2/2) = O(x^3) for p0, p1, q1.
    p0, p1, q1 = sp.symbols("p0 p1 q1")
    residual = sp.expand(p0 + p1 * x - (1 + q1 * x) * (1 + x + x**2 / 2))
    solution = sp.solve([residual.coeff(x, k) for k in range(3)], [p0, p1, q1], dict=True)
    assert len(solution) == 1
    pade = (solution[0][p0] + solution[0][p1] * x) / (1 + solution[0][q1] * x)
    assert sp.cancel(pade - (1 + x / 2) / (1 - x / 2)) == 0
    assert sp.series(pade - sp.exp(x), x, 0, 4).removeO() == x**3 / 12
    lam = sp.Symbol("lambda")
    Ab, Bb = discretize([[lam]], [1], dt, "bilinear")
    assert sp.cancel(Ab[0, 0] - pade.subs(x, dt * lam)) == 0
    assert sp.cancel(Bb[0, 0] - dt / (1 - dt * lam / 2)) == 0


# ---------------------------------------------------------------------------------------
# Local error orders, exactly, by series in dt
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, alpha",
    [
        ("forward_euler", 0),
        (("gbt", sp.Rational(1, 4)), sp.Rational(1, 4)),
        (("gbt", sp.Rational(3, 4)), sp.Rational(3, 4)),
        ("backward_euler", 1),
    ],
    ids=["forward_euler", "gbt_1/4", "gbt_3/4", "backward_euler"],
)
def test_gbt_away_from_half_has_local_error_dt2(method, alpha):
    """Ab - e^{dt A} = (alpha - 1/2) dt^2 A^2 + O(dt^3); Bb likewise with A B.

    The leading coefficient is derived by hand: (I - alpha dt A)^{-1} = I + alpha dt A + ...
    """
    Ab, Bb = discretize(A_GENERIC, B_GENERIC, dt, method)
    A_err = _dt_coefficients(Ab - _taylor_exp(A_GENERIC, 4), 3)
    B_err = _dt_coefficients(Bb - _taylor_exp_integral(A_GENERIC, 4) * B_GENERIC, 3)
    assert A_err[0].is_zero_matrix and A_err[1].is_zero_matrix
    assert _same(A_err[2], (alpha - HALF) * A_GENERIC**2) and not A_err[2].is_zero_matrix
    assert B_err[0].is_zero_matrix and B_err[1].is_zero_matrix
    assert _same(B_err[2], (alpha - HALF) * A_GENERIC * B_GENERIC)
    assert not B_err[2].is_zero_matrix


def test_bilinear_has_local_error_dt3():
    """Ab - e^{dt A} = dt^3 A^3 / 12 + O(dt^4), Bb - ZOH Bb = dt^3 A^2 B / 12 + O(dt^4)."""
    Ab, Bb = discretize(A_GENERIC, B_GENERIC, dt, "bilinear")
    A_err = _dt_coefficients(Ab - _taylor_exp(A_GENERIC, 5), 4)
    B_err = _dt_coefficients(Bb - _taylor_exp_integral(A_GENERIC, 5) * B_GENERIC, 4)
    assert all(E.is_zero_matrix for E in A_err[:3] + B_err[:3])
    assert _same(A_err[3], A_GENERIC**3 / 12) and not A_err[3].is_zero_matrix
    assert _same(B_err[3], A_GENERIC**2 * B_GENERIC / 12) and not B_err[3].is_zero_matrix


def test_zoh_has_no_local_error():
    """ZOH of a symbolic triangular A equals the exponential series through dt^5, and
    sympy's own e^{dt A} exactly."""
    A = sp.Matrix([[a, 0], [c, b]])
    Ab, Bb = discretize(A, B_GENERIC, dt, "zoh")
    A_err = _dt_coefficients(Ab - _taylor_exp(A, 6), 6)
    B_err = _dt_coefficients(Bb - _taylor_exp_integral(A, 6) * B_GENERIC, 6)
    assert all(_zero(E) for E in A_err + B_err)
    assert _same(Ab, (dt * A).exp())


# ---------------------------------------------------------------------------------------
# ZOH closed forms
# ---------------------------------------------------------------------------------------


def _satisfies_exp_ode(A: sp.Matrix, Ab: sp.Matrix, Bb: sp.Matrix, B: sp.Matrix) -> bool:
    """d/dt Ab = A Ab, Ab(0) = I (defines e^{dt A}); d/dt Bb = Ab B, Bb(0) = 0."""
    return (
        _zero(Ab.diff(dt) - A * Ab)
        and _same(Ab.subs(dt, 0), sp.eye(A.rows))
        and _zero(Bb.diff(dt) - Ab * B)
        and _zero(Bb.subs(dt, 0))
    )


def test_zoh_diagonal_is_the_seed_formula():
    """Seeds 003/004: Ab = exp(dt L), Bb = (exp(dt L) - I) L^{-1} B, for invertible L.

    Checked on the S4D-Lin diagonal of seed 003, L_n = -1/2 + i pi n (complex entries).
    """
    lams = [-HALF + sp.I * sp.pi * n for n in range(3)]
    L, B = sp.diag(*lams), sp.Matrix([1, -2, 3])
    Ab, Bb = discretize(L, B, dt, "zoh")
    seed_exp = sp.diag(*[sp.exp(dt * lam) for lam in lams])
    assert _same(Ab, seed_exp)
    assert _same(Bb, (seed_exp - sp.eye(3)) * L.inv() * B)
    assert _satisfies_exp_ode(L, Ab, Bb, B)


def test_zoh_diagonal_with_a_zero_eigenvalue_uses_the_integral_form():
    """The seed formula needs L^{-1}; the integral form gives dt b where lambda = 0."""
    L, B = sp.diag(0, -2), sp.Matrix([3, 5])
    Ab, Bb = discretize(L, B, dt, "zoh")
    assert _same(Bb, sp.integrate((s * L).exp(), (s, 0, dt)) * B)
    assert _same(Bb, sp.Matrix([3 * dt, 5 * (1 - sp.exp(-2 * dt)) / 2]))


def test_zoh_legs_lower_triangular():
    A, B = hippo("legs", 3)
    Ab, Bb = discretize(A, B, dt, "zoh")
    assert _same(Ab, (dt * A).exp())
    assert _same(Bb, A.inv() * (Ab - sp.eye(3)) * B)
    assert _satisfies_exp_ode(A, Ab, Bb, B)


def test_zoh_upper_triangular_with_distinct_eigenvalues():
    A, B = sp.Matrix([[-1, 2, 0], [0, -3, 1], [0, 0, 2]]), sp.Matrix([1, 1, -1])
    Ab, Bb = discretize(A, B, dt, "zoh")
    assert _same(Ab, (dt * A).exp())
    assert _satisfies_exp_ode(A, Ab, Bb, B)


def test_zoh_singular_triangular_matches_the_integral():
    A, B = sp.Matrix([[0, 0], [1, -1]]), sp.Matrix([1, 2])
    Ab, Bb = discretize(A, B, dt, "zoh")
    assert _same(Ab, (dt * A).exp())
    assert _same(Bb, sp.integrate((s * A).exp(), (s, 0, dt)) * B)


@pytest.mark.parametrize(
    "A",
    [
        sp.Matrix([[0, 1], [0, 0]]),
        sp.Matrix([[0, 0, 0], [2, 0, 0], [-1, 3, 0]]),
        sp.Matrix([[1, 1], [-1, -1]]),  # nilpotent but not triangular
    ],
    ids=["jordan_2", "strictly_lower_3", "full_2"],
)
def test_zoh_nilpotent_is_a_finite_series(A):
    B = sp.ones(A.rows, 1)
    Ab, Bb = discretize(A, B, dt, "zoh")
    assert _same(Ab, (dt * A).exp())
    assert _same(Bb, sp.integrate((s * A).exp(), (s, 0, dt)) * B)


@pytest.mark.parametrize(
    "A",
    [
        [[0, 1], [-1, 0]],  # rotation: eigenvalues +-i, not triangular
        [[-1, 1], [0, -1]],  # a Jordan block at -1: triangular, repeated eigenvalue
        [[a, b], [c, d]],
    ],
    ids=["rotation", "jordan_at_-1", "symbolic_full"],
)
def test_zoh_outside_the_closed_forms_points_to_the_oracles(A):
    with pytest.raises(NotImplementedError, match=r"hippo_verify\.oracles"):
        discretize(A, [1, 1], dt, "zoh")


def test_zoh_numeric_step_of_legs():
    """A numeric step is the symbolic one evaluated: e^{-n} on the diagonal."""
    A, B = hippo("legs", 3)
    Ab, _ = discretize(A, B, 1, "zoh")
    assert list(Ab.diagonal()) == [sp.exp(-1), sp.exp(-2), sp.exp(-3)]
    assert _same(Ab, A.exp())


# ---------------------------------------------------------------------------------------
# Stability on LegS
# ---------------------------------------------------------------------------------------


def test_forward_euler_of_legs_is_unstable_where_bilinear_is_not():
    """N = 4, dt = 1: eigenvalues of the discretized matrices, computed exactly."""
    A, B = hippo("legs", 4)
    euler = discretize(A, B, 1, "forward_euler")[0].eigenvals()
    bilinear = discretize(A, B, 1, "bilinear")[0].eigenvals()
    assert set(euler) == {0, -1, -2, -3}
    assert max(abs(v) for v in euler) == 3
    assert set(bilinear) == {sp.Rational(1, 3), 0, -sp.Rational(1, 5), -sp.Rational(1, 3)}
    assert max(abs(v) for v in bilinear) < 1


# ---------------------------------------------------------------------------------------
# Output conventions: unchanged vs scipy
# ---------------------------------------------------------------------------------------


SCIPY_CASES = [
    (("gbt", 0.25), "gbt", 0.25),
    (("gbt", 0.8), "gbt", 0.8),
    ("forward_euler", "euler", None),
    ("backward_euler", "backward_diff", None),
    ("bilinear", "bilinear", None),
    ("zoh", "zoh", None),
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ours, theirs, alpha", SCIPY_CASES, ids=lambda v: str(v))
def test_scipy_variant_matches_cont2discrete(seed, ours, theirs, alpha):
    """Random float systems; the floats are read exactly, the result is rounded at the end."""
    rng = np.random.default_rng(seed)
    n = 3
    A = rng.normal(size=(n, n))
    if ours == "zoh":  # the exact ZOH needs a closed form: triangular, distinct diagonal
        A = np.tril(A) - np.diag(np.arange(1, n + 1))
    B, C, D = rng.normal(size=(n, 1)), rng.normal(size=(1, n)), rng.normal(size=(1, 1))
    step = float(rng.uniform(0.05, 0.8))
    expected = scipy.signal.cont2discrete((A, B, C, D), step, method=theirs, alpha=alpha)
    got = discretize_with_output(A, B, C, D[0, 0], step, ours, output="scipy")
    for mine, ref in zip(got, expected[:4]):
        mine = np.array(sp.Matrix([mine]).evalf(30).tolist(), dtype=float)
        np.testing.assert_allclose(mine.reshape(ref.shape), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(2))
def test_unchanged_variant_keeps_c_and_d_and_the_same_ab_bb(seed):
    rng = np.random.default_rng(10 + seed)
    A, B, C = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2)
    Ab, Bb, Cd, Dd = discretize_with_output(A, B, C, 0.5, 0.25, "bilinear")
    assert (Ab, Bb) == discretize(A, B, 0.25, "bilinear")
    assert Cd == sp.Matrix([[sp.Rational(v) for v in C]]) and Dd == HALF
    expected = scipy.signal.cont2discrete((A, B[:, None], C[None, :], 0.5), 0.25, "bilinear")
    np.testing.assert_allclose(np.array(Ab.evalf(), dtype=float), expected[0], rtol=1e-12)


def _transfer(A, B, C, D, var) -> sp.Expr:
    """C (var I - A)^{-1} B + D as one cancelled fraction."""
    return sp.cancel((C * (var * sp.eye(A.rows) - A).inv() * B)[0, 0] + D)


SYSTEM_2 = (sp.Matrix([[-1, 0], [1, -2]]), sp.Matrix([1, 3]), sp.Matrix([[2, -1]]), 5)


@pytest.mark.parametrize("alpha", [0, sp.Rational(1, 4), HALF, 1])
def test_scipy_variant_preserves_the_transfer_function(alpha):
    """Cd (zI - Ab)^{-1} Bb + Dd == H(s) at s = (z - 1)/(dt (alpha z + 1 - alpha))."""
    A, B, C, D = SYSTEM_2
    Ab, Bb, Cd, Dd = discretize_with_output(A, B, C, D, dt, ("gbt", alpha), output="scipy")
    s_of_z = (z - 1) / (dt * (alpha * z + 1 - alpha))
    assert sp.cancel(_transfer(Ab, Bb, Cd, Dd, z) - _transfer(A, B, C, D, s).subs(s, s_of_z)) == 0


@pytest.mark.parametrize("alpha", [sp.Rational(1, 4), HALF, 1])
def test_unchanged_variant_divides_the_transfer_function(alpha):
    """With C, D unchanged: C (zI - Ab)^{-1} Bb == (H(s) - D) / (alpha z + 1 - alpha),
    so it differs from H(s) whenever alpha > 0."""
    A, B, C, D = SYSTEM_2
    Ab, Bb, Cd, Dd = discretize_with_output(A, B, C, D, dt, ("gbt", alpha))
    s_of_z = (z - 1) / (dt * (alpha * z + 1 - alpha))
    continuous = _transfer(A, B, C, D, s).subs(s, s_of_z)
    discrete = _transfer(Ab, Bb, Cd, Dd, z)
    assert sp.cancel(discrete - continuous) != 0
    assert sp.cancel(discrete - D - (continuous - D) / (alpha * z + 1 - alpha)) == 0


def test_scalar_bilinear_difference_exhibited():
    """a = -1, b = c = 1, D = 0, dt = 1: unchanged H_d(z) = 2/(3z - 1), while
    H(s(z)) = (z + 1)/(3z - 1), which the scipy variant reproduces."""
    _, _, Cd, Dd = discretize_with_output([[-1]], [1], [1], 0, 1, "bilinear", output="scipy")
    Ab, Bb, C, D = discretize_with_output([[-1]], [1], [1], 0, 1, "bilinear")
    assert sp.cancel(_transfer(Ab, Bb, C, D, z) - 2 / (3 * z - 1)) == 0
    assert sp.cancel(_transfer(Ab, Bb, Cd, Dd, z) - (z + 1) / (3 * z - 1)) == 0
    assert (Cd, Dd) == (sp.Matrix([[sp.Rational(2, 3)]]), sp.Rational(1, 3))


# ---------------------------------------------------------------------------------------
# Validation, before any work
# ---------------------------------------------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Make the computing helpers fail, so an error seen was raised by validation."""

    def forbidden(*args, **kwargs):
        raise AssertionError("validation must fail before any work is done")

    monkeypatch.setattr(discretize_module, "_gbt", forbidden)
    monkeypatch.setattr(discretize_module, "_zoh", forbidden)


GOOD_A, GOOD_B = [[-1, 0], [1, -2]], [1, 1]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"dt": 0}, InvalidArgumentError, "dt must be > 0"),
        ({"dt": -1}, InvalidArgumentError, "dt must be > 0"),
        ({"dt": float("nan")}, InvalidArgumentError, "dt must be finite"),
        ({"dt": -sp.Symbol("h", positive=True)}, InvalidArgumentError, "dt must be > 0"),
        ({"method": ("gbt", -0.1)}, InvalidArgumentError, r"alpha must be .* \[0, 1\]"),
        ({"method": ("gbt", 1.5)}, InvalidArgumentError, r"alpha must be .* \[0, 1\]"),
        ({"method": ("gbt", sp.Symbol("alpha"))}, InvalidArgumentError, "alpha must be"),
        ({"A": [[1, 2, 3], [4, 5, 6]]}, InvalidArgumentError, "A must be square"),
        ({"B": [1, 2, 3]}, InvalidArgumentError, "B must have length 2"),
        ({"B": [[1, 2], [3, 4]]}, InvalidArgumentError, "B must be a vector"),
        ({"method": "rk4"}, InvalidArgumentError, "unknown method 'rk4'"),
        ({"method": "gbt"}, InvalidArgumentError, r"pass \('gbt', alpha\)"),
        ({"method": ("gbt",)}, InvalidArgumentError, r"must be \('gbt', alpha\)"),
        ({"method": ("gbt", 0.5, 1)}, InvalidArgumentError, r"must be \('gbt', alpha\)"),
        ({"method": ("bilinear", 0.5)}, InvalidArgumentError, r"must be \('gbt', alpha\)"),
        ({"method": ["gbt", 0.5]}, InvalidTypeError, "method must be a string or"),
        ({"method": 3}, InvalidTypeError, "method must be a string or"),
        ({"A": "A"}, InvalidTypeError, "A must be a matrix"),
    ],
)
def test_invalid_arguments_are_refused_before_work(no_work, kwargs, error, message):
    args = {"A": GOOD_A, "B": GOOD_B, "dt": 1, "method": "bilinear"} | kwargs
    with pytest.raises(error, match=message):
        discretize(args["A"], args["B"], args["dt"], args["method"])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"C": [1, 2, 3]}, InvalidArgumentError, "C must have length 2"),
        ({"D": [1, 2]}, InvalidTypeError, "D must be a"),
        ({"output": "matlab"}, InvalidArgumentError, "unknown output 'matlab'"),
        ({"dt": 0}, InvalidArgumentError, "dt must be > 0"),
    ],
)
def test_invalid_output_arguments_are_refused_before_work(no_work, kwargs, error, message):
    args = {"C": [1, 1], "D": 0, "output": "scipy", "dt": 1} | kwargs
    with pytest.raises(error, match=message):
        discretize_with_output(
            GOOD_A, GOOD_B, args["C"], args["D"], args["dt"], "bilinear", output=args["output"]
        )


@pytest.mark.parametrize(
    "method, step",
    [("backward_euler", HALF), ("bilinear", 1), (("gbt", sp.Rational(1, 4)), 2)],
)
def test_singular_implicit_step_is_refused(method, step):
    """A has the eigenvalue 2, and alpha dt = 1/2 makes I - alpha dt A singular."""
    with pytest.raises(InvalidArgumentError, match="singular"):
        discretize([[2, 0], [1, -1]], [1, 1], step, method)


def test_floats_are_read_exactly():
    Ab, Bb = discretize([[0.1]], [1], 1, "forward_euler")
    assert Ab[0, 0] == 1 + sp.Rational(0.1) and Ab[0, 0] != sp.Rational(11, 10)


# ---------------------------------------------------------------------------------------
# Larger sweeps (slow)
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("N", range(2, 9))
def test_legs_spectra_sweep(N):
    """Eigenvalues of the discretized LegS matrices, computed from the matrices: forward
    Euler 1 - n dt (unstable once N dt > 2), bilinear (1 - n dt/2)/(1 + n dt/2) (always
    inside the unit disk), ZOH e^{-n dt}."""
    A, B = hippo("legs", N)
    for step in (sp.Rational(1, 4), HALF, 1, 2):
        n_dt = [sp.Integer(n) * step for n in range(1, N + 1)]
        euler = discretize(A, B, step, "forward_euler")[0].eigenvals()
        assert set(euler) == {1 - v for v in n_dt}
        assert (max(abs(v) for v in euler) > 1) == (N * step > 2)
        bilinear = discretize(A, B, step, "bilinear")[0].eigenvals()
        assert set(bilinear) == {(1 - v / 2) / (1 + v / 2) for v in n_dt}
        assert max(abs(v) for v in bilinear) < 1
        zoh = discretize(A, B, step, "zoh")[0]
        assert list(zoh.diagonal()) == [sp.exp(-v) for v in n_dt]


@pytest.mark.slow
def test_zoh_legs_8_solves_the_defining_odes():
    A, B = hippo("legs", 8)
    Ab, Bb = discretize(A, B, dt, "zoh")
    assert (Ab.diff(dt) - A * Ab).applyfunc(sp.expand).is_zero_matrix
    assert Ab.subs(dt, 0).applyfunc(sp.expand) == sp.eye(8)
    assert (Bb.diff(dt) - Ab * B).applyfunc(sp.expand).is_zero_matrix
    assert Bb.subs(dt, 0).applyfunc(sp.expand).is_zero_matrix
