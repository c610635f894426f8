"""The exact integrators of ``hippo_verify.symbolic._domains`` against sympy.integrate."""

from __future__ import annotations

import functools

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.simplify.fu import TR8

from hippo_verify.symbolic._domains import ExponentialHalfLine, UniformInterval, UnitPeriod
from hippo_verify.symbolic._measures import x

SMALL_INT = st.integers(min_value=-5, max_value=5)
COEFFS = st.lists(SMALL_INT, min_size=1, max_size=7)


def _poly(coeffs: list[int]) -> sp.Expr:
    return sum((c * x**k for k, c in enumerate(coeffs)), sp.Integer(0))


@functools.cache
def _sympy_moment(k: int, weight: sp.Expr, lower: sp.Expr, upper: sp.Expr) -> sp.Expr:
    """sympy.integrate(x^k weight, (x, lower, upper)), once per monomial."""
    return sp.integrate(x**k * weight, (x, lower, upper))


def _sympy_integral(coeffs: list[int], weight: sp.Expr, lower: sp.Expr, upper: sp.Expr):
    """sympy.integrate of the polynomial, by linearity from its monomials (the expected
    values do not change; the drawn examples reuse the same few integrals)."""
    return sum(
        (c * _sympy_moment(k, weight, lower, upper) for k, c in enumerate(coeffs)), sp.Integer(0)
    )


# ---------------------------------------------------------------------------------------
# UniformInterval
# ---------------------------------------------------------------------------------------

INTERVALS = [
    UniformInterval(sp.Integer(-1), sp.Integer(1), sp.Rational(1, 2)),
    UniformInterval(sp.Integer(0), sp.Integer(3), sp.Rational(2, 3)),
]


@pytest.mark.parametrize("domain", INTERVALS, ids=["[-1,1]w=1/2", "[0,3]w=2/3"])
@settings(max_examples=25, deadline=None, database=None)
@given(coeffs=COEFFS)
def test_uniform_interval_polynomials(domain, coeffs):
    """UniformInterval integrates integer polynomials exactly as sympy.integrate does."""
    p = _poly(coeffs)
    expected = _sympy_integral(coeffs, domain.weight, domain.lower, domain.upper)
    assert domain.integrate(p, x) == expected


@pytest.mark.parametrize(
    "expr, value",
    [
        (sp.Integer(1), 1),
        (x, 0),
        (x**2, sp.Rational(1, 3)),
        (x**3 - 2 * x + 5, 5),
        (sp.Rational(3, 7) * x**4, sp.Rational(3, 35)),
    ],
)
def test_uniform_interval_known_values(expr, value):
    """Hand-computed (1/2) int_{-1}^{1} p dx for a few polynomials."""
    domain = UniformInterval(sp.Integer(-1), sp.Integer(1), sp.Rational(1, 2))
    assert domain.integrate(expr, x) == value


# ---------------------------------------------------------------------------------------
# ExponentialHalfLine
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("m", range(9))
def test_exponential_moments(m):
    """int_0^inf x^m e^{-x} dx equals sympy.integrate's value (m!)."""
    expected = sp.integrate(x**m * sp.exp(-x), (x, 0, sp.oo))
    assert ExponentialHalfLine().integrate(x**m, x) == expected


@settings(max_examples=25, deadline=None, database=None)
@given(coeffs=st.lists(SMALL_INT, min_size=1, max_size=5))
def test_exponential_polynomials(coeffs):
    """ExponentialHalfLine integrates integer polynomials against e^{-x} like sympy does."""
    p = _poly(coeffs)
    expected = _sympy_integral(coeffs, sp.exp(-x), sp.Integer(0), sp.oo)
    assert ExponentialHalfLine().integrate(p, x) == expected


def _laguerre(n: int) -> sp.Expr:
    """L_n(x) = sum_k binom(n, k) (-x)^k / k!, written out independently of sp.laguerre."""
    return sum(sp.binomial(n, k) * (-x) ** k / sp.factorial(k) for k in range(n + 1))


@pytest.mark.parametrize("j", range(7))
@pytest.mark.parametrize("i", range(7))
def test_laguerre_orthonormal(i, j):
    """<L_i, L_j> against e^{-x} on [0, inf) is the Kronecker delta (i, j <= 6)."""
    value = ExponentialHalfLine().integrate(sp.expand(_laguerre(i) * _laguerre(j)), x)
    assert value == (1 if i == j else 0)


@pytest.mark.parametrize("i, j", [(0, 0), (2, 3), (4, 4), (1, 6)])
def test_laguerre_products_match_sympy(i, j):
    """Laguerre products integrate to the same value as with sympy.integrate."""
    f = sp.expand(_laguerre(i) * _laguerre(j))
    expected = sp.integrate(f * sp.exp(-x), (x, 0, sp.oo))
    assert ExponentialHalfLine().integrate(f, x) == expected


# ---------------------------------------------------------------------------------------
# UnitPeriod
# ---------------------------------------------------------------------------------------


def _c(k: int) -> sp.Expr:
    return sp.cos(2 * sp.pi * k * x)


def _s(k: int) -> sp.Expr:
    return sp.sin(2 * sp.pi * k * x)


@pytest.mark.parametrize(
    "expr, value",
    [
        (sp.Integer(3), 3),
        (_c(1) ** 2, sp.Rational(1, 2)),
        (_s(2) ** 2, sp.Rational(1, 2)),
        (_c(3) * _c(3), sp.Rational(1, 2)),
        (_s(1) * _c(1), 0),
        (_c(1) * _c(2), 0),
        (_s(1) * _s(3), 0),
        (_c(2), 0),
        (_s(1) ** 2 * _c(2), -sp.Rational(1, 4)),
        (_c(1) ** 4, sp.Rational(3, 8)),
        (2 * _c(1) ** 2 - 7, -6),
    ],
)
def test_unit_period_known_values(expr, value):
    """int_0^1 of trigonometric polynomials: hand values, also confirmed by sympy.integrate."""
    assert sp.integrate(expr, (x, 0, 1)) == value
    assert UnitPeriod().integrate(expr, x) == value


FACTORS = st.sampled_from(
    [("c", k) for k in range(1, 4)] + [("s", k) for k in range(1, 4)] + [("1", 0)]
)


def _factor(kind: str, k: int) -> sp.Expr:
    return {"c": _c, "s": _s}[kind](k) if kind != "1" else sp.Integer(1)


@settings(max_examples=25, deadline=None, database=None)
@given(
    factors=st.lists(FACTORS, min_size=1, max_size=3),
    coefficient=SMALL_INT,
    constant=SMALL_INT,
)
def test_unit_period_products(factors, coefficient, constant):
    """UnitPeriod integrates products of sin/cos(2 pi k x) (k <= 3) plus a constant exactly;
    reference: sympy's product-to-sum rule TR8, then sympy.integrate."""
    expr = coefficient * sp.Mul(*(_factor(*f) for f in factors)) + constant
    expected = sp.integrate(sp.expand(TR8(expr)), (x, 0, 1))
    assert UnitPeriod().integrate(expr, x) == expected


@pytest.mark.parametrize("i", range(7))
@pytest.mark.parametrize("j", range(7))
def test_unit_period_fourier_basis_gram(i, j):
    """The FouT shapes 1, cos, sin, cos 2, ... are orthogonal with norms 1, 1/2, 1/2, ..."""

    def shape(n):
        return sp.Integer(1) if n == 0 else (_c if n % 2 == 1 else _s)((n + 1) // 2)

    expected = 0 if i != j else (1 if i == 0 else sp.Rational(1, 2))
    assert UnitPeriod().integrate(shape(i) * shape(j), x) == expected
