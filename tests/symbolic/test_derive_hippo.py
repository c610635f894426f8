"""Tests of the projection argument ``derive_hippo`` / ``derive_hippo_steps``.

The derived matrices are compared with the closed forms, the intermediate objects with
direct sympy computations, and the resulting ODE with the coefficients of concrete
signals integrated by sympy.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
import sympy as sp

import hippo_verify
from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic import (
    MEASURES,
    _conventions,
    _projection,
    derive_hippo,
    derive_hippo_steps,
    exactly_equal,
    hippo,
    hippo_closed_form,
)
from hippo_verify.symbolic._measures import s, t, x

MEASURE_NAMES = ("legt", "legs", "lagt", "fout")


@functools.cache
def _derived(measure: str, N: int):
    return derive_hippo(measure, N)


# ---------------------------------------------------------------------------------------
# Derived == closed form
# ---------------------------------------------------------------------------------------


#: N = 1 (the 1 x 1 edge), 2..8 (odd and even: fout's last cosine with and without its
#: sine) and 16; 9..15 repeat the same code paths at intermediate sizes (slow).
CLOSED_FORM_N = [*range(1, 9), *(pytest.param(N, marks=pytest.mark.slow) for N in range(9, 16)), 16]


@pytest.mark.parametrize("N", CLOSED_FORM_N)
@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_derived_equals_closed_form(measure, N):
    """The projection argument reproduces the published closed form, and the public
    hippo() in its default (canonical) convention, exactly (N <= 16)."""
    A, B = _derived(measure, N)
    assert A.shape == (N, N) and B.shape == (N, 1)
    A_ref, B_ref = hippo_closed_form(measure, N)
    assert exactly_equal(A, A_ref)
    assert exactly_equal(B, B_ref)
    A_pub, B_pub = hippo(measure, N)
    assert exactly_equal(A, A_pub)
    assert exactly_equal(B, B_pub)


@pytest.mark.slow
@pytest.mark.parametrize("N", range(17, 33))
@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_derived_equals_closed_form_large(measure, N):
    """The projection argument reproduces the closed form exactly for 17 <= N <= 32."""
    A, B = derive_hippo(measure, N)
    A_ref, B_ref = hippo_closed_form(measure, N)
    assert exactly_equal(A, A_ref)
    assert exactly_equal(B, B_ref)


# ---------------------------------------------------------------------------------------
# Intermediate objects of derive_hippo_steps
# ---------------------------------------------------------------------------------------


def _domain_integral(measure: str, expr: sp.Expr) -> sp.Expr:
    """int expr(x) w(x) dx over the normalized domain, by sympy.integrate (independent)."""
    if measure in ("legt", "legs"):
        return sp.integrate(expr / 2, (x, -1, 1))
    if measure == "lagt":
        return sp.integrate(expr * sp.exp(-x), (x, 0, sp.oo))
    return sp.integrate(expr, (x, 0, 1))


@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_gram_diagonal_is_one(measure):
    """The basis p_n is orthonormal: every Gram diagonal entry <p_n, p_n> is exactly 1 (N=7)."""
    d = derive_hippo_steps(measure, 7)
    assert len(d.gram) == 7
    assert all(exactly_equal(g, 1) for g in d.gram), d.gram


@pytest.mark.parametrize("n", range(5))
@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_basis_norm_by_sympy_integral(measure, n):
    """Independent check: int p_n(x)^2 w(x) dx over the domain is 1 by sympy.integrate."""
    p = MEASURES[measure].basis(n)
    assert exactly_equal(_domain_integral(measure, p**2), 1)


@pytest.mark.parametrize("measure", ["legt", "legs", "lagt"])
@pytest.mark.parametrize("N", [1, 2, 5, 9])
def test_polynomial_measures_always_closed(measure, N):
    """For polynomial bases d/dt[p_n w]/w stays in span(p_0..p_{N-1}) for every n."""
    d = derive_hippo_steps(measure, N)
    assert d.closed == (True,) * N


@pytest.mark.parametrize("N", range(1, 11))
def test_fout_closed_pattern(N):
    """FouT: every state is closed except, for even N, the last one (an unpaired cosine)."""
    d = derive_hippo_steps("fout", N)
    expected = tuple(not (N % 2 == 0 and n == N - 1) for n in range(N))
    assert d.closed == expected


# Inverse of the normalized coordinate x = X(t, s), written out by hand.
_S_OF_X = {
    "legt": t + (x - 1) / 2,
    "legs": t * (x + 1) / 2,
    "lagt": t - x,
    "fout": x + t - 1,
}


@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_hand_inverse_coordinate(measure):
    """Sanity of the test's own inverse coordinates: X(t, s(x)) == x."""
    m = MEASURES[measure]
    assert sp.simplify(m.coordinate.subs(s, _S_OF_X[measure]) - x) == 0


def _is_zero_function(expr: sp.Expr) -> bool:
    """Exact zero test valid for polynomials and trigonometric polynomials."""
    return sp.expand(sp.radsimp(sp.expand(sp.sympify(expr).rewrite(sp.exp)))) == 0


@pytest.mark.parametrize("n", range(4))
@pytest.mark.parametrize("measure", MEASURE_NAMES)
def test_chain_rule_matches_moving_basis(measure, n):
    """d/dt[p_n(X) w]/w (times t for LegS), computed directly, is sum_k M[n,k] p_k(x)."""
    m = MEASURES[measure]
    N = 5  # large enough that states 0..3 are closed for every measure
    d = derive_hippo_steps(measure, N)
    assert d.closed[n]
    direct = sp.diff(m.basis(n).subs(x, m.coordinate) * m.weight, t) / m.weight
    direct = direct.subs(s, _S_OF_X[measure])
    if measure == "legs":
        direct = direct * t
    direct = sp.simplify(direct)
    assert not direct.has(t)
    expansion = sum(d.moving_basis[n, k] * m.basis(k) for k in range(N))
    assert _is_zero_function(direct - expansion)


def test_chain_rule_check_detects_a_wrong_row():
    """Control: the chain-rule comparison fails against a different row of M (LegT, n=2)."""
    m = MEASURES["legt"]
    d = derive_hippo_steps("legt", 5)
    direct = sp.diff(m.basis(2).subs(x, m.coordinate) * m.weight, t) / m.weight
    direct = sp.simplify(direct.subs(s, _S_OF_X["legt"]))
    wrong = sum(d.moving_basis[3, k] * m.basis(k) for k in range(5))
    assert not _is_zero_function(direct - wrong)


# ---------------------------------------------------------------------------------------
# Meaning of (A, B): the ODE is satisfied by coefficients of concrete signals
# ---------------------------------------------------------------------------------------

# Independent basis formulas (Rodrigues for Legendre, explicit sum for Laguerre).


def _legendre(n: int, z: sp.Expr) -> sp.Expr:
    y = sp.Dummy("y")
    rodrigues = sp.diff((y**2 - 1) ** n, y, n) / (2**n * sp.factorial(n))
    return sp.expand(rodrigues).subs(y, z)


def _laguerre(n: int, z: sp.Expr) -> sp.Expr:
    return sum(sp.binomial(n, k) * (-1) ** k * z**k / sp.factorial(k) for k in range(n + 1))


def _fourier(n: int, z: sp.Expr) -> sp.Expr:
    if n == 0:
        return sp.Integer(1)
    k = (n + 1) // 2
    return sp.sqrt(2) * (sp.cos if n % 2 == 1 else sp.sin)(2 * sp.pi * k * z)


def _legt_coefficients(f: sp.Expr, N: int) -> sp.Matrix:
    return sp.Matrix(
        [
            sp.integrate(f * sp.sqrt(2 * n + 1) * _legendre(n, 2 * (s - t) + 1), (s, t - 1, t))
            for n in range(N)
        ]
    )


def test_legt_ode_exact_for_signal_in_span():
    """LegT N=4: c_n(t) = int_{t-1}^t f p_n ds satisfies c' = A c + B f(t) for deg f = 3."""
    N = 4
    f = 1 + 2 * s - s**3 / 3
    A, B = _derived("legt", N)
    c = _legt_coefficients(f, N)
    residual = c.diff(t) - A * c - B * f.subs(s, t)
    assert exactly_equal(residual, sp.zeros(N, 1))


def test_legt_ode_not_exact_outside_span():
    """Control: for deg f = N the reconstruction of f(t-1) is inexact and c' != A c + B f."""
    N = 4
    f = s**4
    A, B = _derived("legt", N)
    c = _legt_coefficients(f, N)
    residual = c.diff(t) - A * c - B * f.subs(s, t)
    assert not exactly_equal(residual, sp.zeros(N, 1))


@pytest.mark.parametrize("N", [3, 4])
def test_legs_ode_exact(N):
    """LegS: c_n(t) = (1/t) int_0^t f p_n(2s/t-1) ds satisfies c' = (A c + B f(t))/t."""
    f = 3 - s + s**2 / 2
    A, B = _derived("legs", N)
    c = sp.Matrix(
        [
            sp.integrate(f * sp.sqrt(2 * n + 1) * _legendre(n, 2 * s / t - 1), (s, 0, t)) / t
            for n in range(N)
        ]
    )
    residual = c.diff(t) - (A * c + B * f.subs(s, t)) / t
    assert exactly_equal(residual.applyfunc(sp.cancel), sp.zeros(N, 1))


def test_lagt_ode_exact():
    """LagT N=4: c_n(t) = int_{-inf}^t s^2 L_n(t-s) e^{-(t-s)} ds satisfies c' = A c + B f."""
    N = 4
    f = s**2
    A, B = _derived("lagt", N)
    c = sp.Matrix(
        [sp.integrate(f * _laguerre(n, t - s) * sp.exp(-(t - s)), (s, -sp.oo, t)) for n in range(N)]
    )
    assert not c.has(sp.Integral)
    residual = c.diff(t) - A * c - B * f.subs(s, t)
    assert exactly_equal(residual.applyfunc(sp.expand), sp.zeros(N, 1))


@functools.cache
def _fout_coefficient(n: int, f: sp.Expr) -> sp.Expr:
    """c_n(t) = int_{t-1}^t f p_n(s - t + 1) ds by sympy.integrate (the same for every N >= n;
    its Risch step is skipped: the heuristic route integrates these exponentials ~3x faster)."""
    integrand = sp.expand((f * _fourier(n, s - t + 1)).rewrite(sp.exp))
    return sp.integrate(integrand, (s, t - 1, t), risch=False)


def _fout_residual(N: int, f: sp.Expr) -> list[sp.Expr]:
    A, B = _derived("fout", N)
    c = sp.Matrix([_fout_coefficient(n, f) for n in range(N)])
    assert not c.has(sp.Integral)
    residual = c.diff(t) - A * c - B * f.subs(s, t)
    return [sp.expand(sp.radsimp(sp.expand(e.rewrite(sp.exp)))) for e in residual]


@pytest.mark.parametrize("N", [3, 4, pytest.param(5, marks=pytest.mark.slow)])
def test_fout_ode_exact_for_periodic_signal_in_span(N):
    """FouT: for a period-1 f in the span the midpoint rule is exact, c' = A c + B f."""
    f = 1 + sp.cos(2 * sp.pi * s) - 2 * sp.sin(2 * sp.pi * s)
    assert _fout_residual(N, f) == [0] * N


def test_fout_ode_not_exact_outside_span():
    """Control: f = cos(4 pi s) is orthogonal to the N=3 basis, so c = 0 but B f != 0."""
    f = sp.cos(4 * sp.pi * s)
    assert _fout_residual(3, f) != [0] * 3


# ---------------------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("func", [derive_hippo, derive_hippo_steps, hippo_verify.derive_hippo])
def test_unknown_measure(func):
    """An unknown measure raises InvalidArgumentError (a ValueError) naming it."""
    with pytest.raises(InvalidArgumentError, match="legx") as info:
        func("legx", 3)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("N", [0, -1])
def test_nonpositive_N(N):
    """N < 1 raises InvalidArgumentError (a ValueError) reporting the value."""
    with pytest.raises(InvalidArgumentError, match=f"got {N}") as info:
        derive_hippo("legt", N)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("N", [2.0, "3", True, None, 3.5])
def test_non_integer_N(N):
    """A non-integer N (also integral floats, strings and bools) raises a TypeError."""
    with pytest.raises(InvalidTypeError, match=re.escape(repr(N))) as info:
        derive_hippo("legt", N)
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize("measure", [3, None, b"legt"])
def test_non_string_measure(measure):
    """A measure that is not a string raises a TypeError."""
    with pytest.raises(InvalidTypeError):
        derive_hippo(measure, 3)


def test_numpy_integer_accepted():
    """numpy.int64(3) is accepted as N and gives the same matrices as N = 3."""
    A, B = derive_hippo("legt", np.int64(3))
    A_ref, B_ref = hippo_closed_form("legt", 3)
    assert A.shape == (3, 3)
    assert exactly_equal(A, A_ref) and exactly_equal(B, B_ref)


@pytest.mark.parametrize(
    "args, kwargs, pattern",
    [
        (("legt", 3), {"convention": "nonsense"}, "nonsense"),
        (("legs", 3), {"convention": "lmu"}, "legs"),
        (("fout", 3), {"convention": "s4"}, "N=3"),
        (("fout", 4), {"convention": "hippo-code"}, "fout"),
        (("lagt", 2), {"convention": "lmu"}, "lagt"),
    ],
)
def test_hippo_convention_errors(args, kwargs, pattern):
    """Bad (measure, convention, N) combinations raise InvalidArgumentError naming the culprit."""
    with pytest.raises(InvalidArgumentError, match=pattern) as info:
        hippo(*args, **kwargs)
    assert isinstance(info.value, ValueError)


def test_hippo_convention_type_error():
    """A non-string convention raises a TypeError."""
    with pytest.raises(InvalidTypeError):
        hippo("legt", 3, convention=None)


@pytest.mark.parametrize("measure, N", [("legx", 3), ("legt", 0), ("legt", 2.0)])
def test_derive_validates_before_work(monkeypatch, measure, N):
    """Invalid arguments are rejected before the derivation itself is started."""
    calls = []
    monkeypatch.setattr(_projection, "_derive", lambda *a: calls.append(a))
    with pytest.raises((ValueError, TypeError)):
        derive_hippo(measure, N)
    assert calls == []


@pytest.mark.parametrize(
    "measure, N, convention", [("legs", 3, "lmu"), ("fout", 3, "s4"), ("legt", -2, "s4")]
)
def test_hippo_validates_before_work(monkeypatch, measure, N, convention):
    """hippo() rejects bad requests before computing any closed form."""
    calls = []
    monkeypatch.setattr(_conventions, "hippo_closed_form", lambda *a: calls.append(a))
    with pytest.raises(ValueError):
        hippo(measure, N, convention=convention)
    assert calls == []
