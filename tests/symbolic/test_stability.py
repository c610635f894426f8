"""Exact stability of lambda^d + a_1 lambda^{d-1} + ... + a_d, checked by independent routes.

The independent exact route: the Möbius map lambda = (1 + w)/(1 - w) sends the open unit
disk onto the open left half-plane (|1 + w| < |1 - w| iff Re w < 0), so p is stable iff
q(w) = (1 - w)^d p((1 + w)/(1 - w)) has degree d (it drops exactly when p(-1) = 0) and is
Hurwitz stable, which for real q with positive leading coefficient holds iff all leading
principal minors of its Hurwitz matrix are positive (Hurwitz's criterion). A complex p is
stable iff the real polynomial p(lambda) conj(p)(lambda) is (same moduli of roots).
For d = 2 the classical triangle |a_2| < 1, |a_1| < 1 + a_2 is a third route.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic._rtf import realize
from hippo_verify.symbolic._stability import schur_cohn_stable, sum_abs_bound_holds
from hippo_verify.symbolic._systems import power_kernel

R = sp.Rational
lam, w = sp.symbols("lambda w")


def _hurwitz_stable(coeffs: list[sp.Expr]) -> bool:
    """All roots of the real polynomial sum_j coeffs[j] w^{n-j} have Re w < 0."""
    c = list(coeffs) if coeffs[0] > 0 else [-x for x in coeffs]
    n = len(c) - 1

    def at(k: int) -> sp.Expr:
        return c[k] if 0 <= k <= n else 0

    H = sp.Matrix(n, n, lambda i, j: at(2 * j - i + 1))
    return all(H[:k, :k].det() > 0 for k in range(1, n + 1))


def _disk_stable(a: list[sp.Expr]) -> bool:
    """Independent exact test: every root of lambda^d + sum a_i lambda^{d-i} has |lambda| < 1."""
    p = [sp.Integer(1), *a]
    if any(sp.im(c) != 0 for c in p):
        conj = sp.Poly([sp.conjugate(c) for c in p], lam)
        p = [sp.expand(c) for c in (sp.Poly(p, lam) * conj).all_coeffs()]
    d = len(p) - 1
    q = sp.Poly(sp.expand(sum(c * (1 + w) ** (d - j) * (1 - w) ** j for j, c in enumerate(p))), w)
    if q.degree() < d:  # p(-1) = 0: a root on the circle
        return False
    return _hurwitz_stable(q.all_coeffs())


def _coeffs_of(poly_expr: sp.Expr) -> list[sp.Expr]:
    coeffs = sp.Poly(poly_expr, lam).all_coeffs()
    assert coeffs[0] == 1
    return coeffs[1:]


rationals = st.fractions(min_value=-2, max_value=2, max_denominator=6).map(
    lambda f: sp.Rational(f.numerator, f.denominator)
)
# Roots on, inside and outside the unit circle, and quadratics lambda^2 + p lambda + 1
# whose roots lie on the circle (|p| <= 2).
special_roots = st.sampled_from([0, 1, -1, R(1, 2), R(-1, 2), R(3, 2), R(-3, 2), R(9, 10), 2])
circle_quadratics = st.sampled_from([0, 1, -1, R(1, 2), R(-2, 3), 2, -2]).map(
    lambda p: lam**2 + p * lam + 1
)


inner_roots = (
    st.fractions(min_value=-1, max_value=1, max_denominator=10)
    .filter(lambda f: abs(f) < 1)
    .map(lambda f: sp.Rational(f.numerator, f.denominator))
)
# lambda^2 + p lambda + q with complex roots of modulus sqrt(q) < 1 (p^2 < 4q).
inner_quadratics = st.tuples(
    st.sampled_from([R(1, 4), R(1, 2), R(4, 5), R(24, 25)]), st.sampled_from([0, R(1, 2), -1])
).map(lambda qp: lam**2 + qp[1] * lam + qp[0])


@st.composite
def factored(draw, roots, quadratics, max_degree: int = 5) -> list[sp.Expr]:
    """Coefficients of a product of factors drawn from the two strategies (degree 1..5)."""
    poly, degree = sp.Integer(1), 0
    while degree == 0 or (degree < max_degree and draw(st.booleans())):
        if degree + 2 <= max_degree and draw(st.booleans()):
            poly, degree = poly * draw(quadratics), degree + 2
        else:
            poly, degree = poly * (lam - draw(roots)), degree + 1
    return _coeffs_of(sp.expand(poly))


coefficient_lists = st.one_of(
    st.lists(rationals, min_size=1, max_size=5),
    factored(special_roots, circle_quadratics),
    factored(inner_roots, inner_quadratics),
    factored(st.one_of(inner_roots, special_roots), inner_quadratics),
)
halves = st.fractions(min_value=-1, max_value=1, max_denominator=4).map(
    lambda f: sp.Rational(f.numerator, f.denominator)
)
gaussian = st.builds(lambda x, y: x + sp.I * y, rationals, rationals)
small_gaussian = st.builds(lambda x, y: (x + sp.I * y) / 2, halves, halves)


# ---------------------------------------------------------------------------------------
# schur_cohn_stable against independent routes
# ---------------------------------------------------------------------------------------


@given(coefficient_lists)
@settings(max_examples=50)
@example([R(-9, 5), R(81, 100)])
@example([0, 1])
@example([-1])
def test_schur_cohn_agrees_with_mobius_hurwitz(a):
    verdict = schur_cohn_stable(a)
    assert verdict.stable == _disk_stable(a)
    assert (verdict.failed_step is None) == verdict.stable


@given(st.lists(st.one_of(small_gaussian, gaussian), min_size=1, max_size=3))
@settings(max_examples=30)
@example([sp.I])
@example([R(3, 5) + R(4, 5) * sp.I])
@example([R(1, 2) + sp.I / 2, R(1, 3)])
def test_schur_cohn_agrees_on_gaussian_rationals(a):
    assert schur_cohn_stable(a).stable == _disk_stable(a)


@given(rationals, rationals)
@settings(max_examples=50)
def test_second_order_triangle(a1, a2):
    """d = 2: stable iff |a_2| < 1 and |a_1| < 1 + a_2; k_1 = a_2, k_2 = a_1/(1 + a_2)."""
    verdict = schur_cohn_stable([a1, a2])
    assert verdict.stable == (abs(a2) < 1 and abs(a1) < 1 + a2)
    assert verdict.reflection_coefficients[0] == a2
    if abs(a2) < 1:
        assert verdict.reflection_coefficients[1] == a1 / (1 + a2)


@pytest.mark.parametrize(
    "polynomial, step",
    [
        (lam - 1, 1),
        (lam + 1, 1),
        (lam**2 + 1, 1),
        (lam**2 - lam + 1, 1),  # primitive sixth roots of unity
        ((lam - 1) * (lam - R(1, 2)), 2),  # k_1 = 1/2, then p_1 = lambda - 1
        ((lam + 1) * (lam**2 + R(1, 4)), 3),
    ],
)
def test_roots_on_the_circle_are_unstable(polynomial, step):
    verdict = schur_cohn_stable(_coeffs_of(sp.expand(polynomial)))
    assert not verdict.stable
    assert verdict.failed_step == step
    assert f"|k_{step}| = 1 >= 1 at step {step}" in verdict.reason


def test_reason_names_the_failing_coefficient():
    """lambda (lambda + 3/2): k_1 = 0, k_2 = a_1/(1 + a_2) = 3/2."""
    verdict = schur_cohn_stable([R(3, 2), 0])
    assert verdict.failed_step == 2
    assert verdict.reflection_coefficients == (0, R(3, 2))
    assert "|k_2| = 3/2 >= 1 at step 2" in verdict.reason


def test_stable_verdict():
    verdict = schur_cohn_stable([R(-9, 5), R(81, 100)])
    assert verdict.stable and verdict.failed_step is None
    assert len(verdict.reflection_coefficients) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.stable = False


# ---------------------------------------------------------------------------------------
# The seed's sufficient condition sum |a_i| < 1
# ---------------------------------------------------------------------------------------


@given(st.lists(rationals, min_size=1, max_size=6), st.integers(1, 100))
@settings(max_examples=50)
def test_sum_abs_below_one_implies_stable(raw, slack):
    """Strict form of the seed's claim: sum |a_i| < 1 => every root has |lambda| < 1."""
    total = sum(abs(x) for x in raw)
    a = raw if total < 1 else [x / (total + R(1, slack)) for x in raw]
    assert sum_abs_bound_holds(a)
    assert _disk_stable(a)
    assert schur_cohn_stable(a).stable


def test_bound_is_not_necessary():
    """(lambda - 9/10)^2 = lambda^2 - 9/5 lambda + 81/100: sum |a_i| = 261/100 > 1, yet both
    roots are 9/10 (exact roots), so stable."""
    a = _coeffs_of(sp.expand((lam - R(9, 10)) ** 2))
    assert a == [R(-9, 5), R(81, 100)]
    assert sum(abs(x) for x in a) == R(261, 100)
    assert not sum_abs_bound_holds(a)
    assert sp.roots(lam**2 + a[0] * lam + a[1], lam) == {R(9, 10): 2}
    assert _disk_stable(a) and schur_cohn_stable(a).stable


@pytest.mark.parametrize(
    "a, on_circle",
    [
        ([-1], True),  # lambda - 1
        ([R(-1, 2), R(-1, 2)], True),  # (lambda - 1)(lambda + 1/2)
        ([R(1, 2), R(1, 2)], False),  # complex pair with |lambda|^2 = 1/2
    ],
)
def test_sum_abs_equal_to_one(a, on_circle):
    """With sum |a_i| = 1 (the non-strict bound) a root can lie on the circle, or not."""
    assert sum(abs(x) for x in a) == 1 and not sum_abs_bound_holds(a)
    roots = sp.Poly([1, *a], lam).all_roots()
    assert any(sp.simplify(sp.Abs(r) - 1) == 0 for r in roots) == on_circle
    assert schur_cohn_stable(a).stable == (not on_circle)


def test_double_root_on_circle_gives_a_growing_kernel():
    """All roots with |lambda| <= 1 is not enough: (lambda - 1)^2 gives K_k = k + 1."""
    Ab, Bb, Ct = realize([-2, 1], [1, 0])
    assert power_kernel(Ab, Bb, Ct, 8) == list(range(1, 9))
    assert not schur_cohn_stable([-2, 1]).stable


@given(st.lists(rationals, min_size=1, max_size=6))
@settings(max_examples=30)
def test_sum_abs_bound_real(a):
    assert sum_abs_bound_holds(a) == (sum(abs(x) for x in a) < 1)


@pytest.mark.parametrize(
    "a, holds",
    [
        ([R(1, 2) + sp.I / 2, R(2, 7)], True),  # sqrt(2)/2 + 2/7 < 1 iff 1/2 < 25/49
        ([R(1, 2) + sp.I / 2, R(3, 10)], False),  # 1/2 < 49/100 is false
        ([R(3, 5) + R(4, 5) * sp.I], False),  # modulus exactly 1
        ([R(3, 10) + R(4, 10) * sp.I, R(1, 2) * sp.I], False),  # 1/2 + 1/2 = 1 exactly
        ([R(3, 10) + R(4, 10) * sp.I, R(49, 100) * sp.I], True),
        ([sp.I / 3, sp.I / 3, R(1, 3) + sp.I / 100], False),  # 2/3 + sqrt(1/9 + 1/10^4)
        # Convergents of sqrt(2)/2 = |1/2 + i/2|: the sums are 1 + 8.0e-13 and 1 - 2.7e-11,
        # closer to 1 than the first enclosures (width 2^-31) can tell.
        ([R(1, 2) + sp.I / 2, 1 - R(470832, 665857)], False),
        ([R(1, 2) + sp.I / 2, 1 - R(114243, 161564)], True),
    ],
)
def test_sum_abs_bound_gaussian(a, holds):
    assert sum_abs_bound_holds(a) == holds


# ---------------------------------------------------------------------------------------
# Larger sweeps (slow)
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@given(
    st.one_of(
        st.lists(rationals, min_size=1, max_size=8),
        factored(special_roots, circle_quadratics, max_degree=8),
        factored(inner_roots, inner_quadratics, max_degree=8),
    )
)
@settings(max_examples=300)
def test_schur_cohn_agrees_with_mobius_hurwitz_large(a):
    assert schur_cohn_stable(a).stable == _disk_stable(a)


@pytest.mark.slow
@given(st.lists(st.one_of(small_gaussian, gaussian), min_size=1, max_size=5))
@settings(max_examples=150)
def test_schur_cohn_agrees_on_gaussian_rationals_large(a):
    assert schur_cohn_stable(a).stable == _disk_stable(a)


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [schur_cohn_stable, sum_abs_bound_holds])
@pytest.mark.parametrize(
    "a, error",
    [
        ([], InvalidArgumentError),  # d < 1
        ([[1, 2], [3, 4]], InvalidArgumentError),
        ([R(1, 2), math.nan], InvalidArgumentError),
        ([sp.sqrt(2) / 2], InvalidArgumentError),  # algebraic, not supported
        ([sp.Symbol("t")], InvalidArgumentError),
        ([sp.pi / 4], InvalidArgumentError),
        ("a", InvalidTypeError),
        ([1, object()], InvalidTypeError),
    ],
)
def test_validation(fn, a, error):
    with pytest.raises(error):
        fn(a)


def test_float_is_read_exactly():
    """0.5 is exactly 1/2; 0.1 is slightly above 1/10, so 10 copies sum to more than 1."""
    assert schur_cohn_stable([0.5]).reflection_coefficients == (R(1, 2),)
    assert sum(sp.Rational(0.1) for _ in range(10)) > 1
    assert not sum_abs_bound_holds([0.1] * 10)
    assert sum_abs_bound_holds([R(1, 10)] * 9 + [R(1, 20)])
