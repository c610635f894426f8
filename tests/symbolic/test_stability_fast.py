"""The fast routes of ``schur_cohn_stable`` against the exact sympy recursion.

``schur_cohn_stable`` decides real polynomials by a root-inclusion certificate (float
eigenvalues with a rounding bound), then a fixed-point Schur-Cohn recursion with a proven
radius, then an exact integer recursion. Each route is checked here on its own against the
sympy recursion (``_sympy_recursion``, exact rationals, the route the verdict used to take):
a filter may say "undecided" (None) but never the wrong verdict. The polynomials include
roots on the circle (roots of unity), 1e-15 inside and outside it (rounded to float64, so
the exact verdict belongs to the float coefficients), repeated roots and clusters.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from hippo_verify.symbolic import _stability as S
from hippo_verify.symbolic._stability import schur_cohn_stable, schur_cohn_stable_many

F = Fraction


def from_roots(roots) -> list[float]:
    """(a_1..a_d) of prod (z - r) as float64 (what a user's model holds)."""
    return [float(v) for v in np.real(np.poly(np.array(roots, dtype=complex)))[1:]]


def exact(a) -> tuple[bool, int | None]:
    """The sympy recursion's verdict and failed step."""
    coeffs = [sp.Rational(F(v)) if isinstance(v, float) else sp.Rational(v) for v in a]
    ks, failed = S._sympy_recursion(coeffs, len(coeffs))
    return failed is None, failed


def pair(r: float, theta: float) -> list[complex]:
    z = r * np.exp(1j * theta)
    return [z, np.conj(z)]


CASES = {
    "unit-circle-pair": from_roots(pair(1.0, 0.7) + [0.5]),
    "inside-1e-15": from_roots(pair(1 - 1e-15, 1.1) + [0.3, -0.2]),
    "outside-1e-15": from_roots(pair(1 + 1e-15, 1.1) + [0.3, -0.2]),
    "inside-1e-9": from_roots(pair(1 - 1e-9, 2.0) + pair(0.5, 0.3)),
    "outside-1e-9": from_roots(pair(1 + 1e-9, 2.0) + pair(0.5, 0.3)),
    "z^4-1": [0, 0, 0, -1],
    "z^6-1 exact": [0, 0, 0, 0, 0, -1],
    "(z^2+1)(z-1/2)": [F(-1, 2), 1, F(-1, 2)],
    "cyclotomic-5": [1, 1, 1, 1],
    "(z-1/2)^5": [float(v) for v in np.poly([0.5] * 5)[1:]],
    "(z-9/10)^6": [float(v) for v in np.poly([0.9] * 6)[1:]],
    "(z-1)^2": [-2, 1],
    "(z+1)^3": [3, 3, 1],
    "cluster-near-circle": from_roots([0.999, 0.9991, 0.9992, -0.5]),
    "z^8": [0] * 8,
    "big-root": from_roots([3.0, 0.1, 0.2]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_cases_agree_with_the_exact_recursion(name):
    a = CASES[name]
    stable, failed = exact(a)
    verdict = schur_cohn_stable(a)
    assert verdict.stable is stable
    assert verdict.failed_step == failed
    fractions = [F(v) for v in a]
    for bits in (64, 128, 512):  # each filter alone: undecided or right
        assert S._certified_schur_cohn(fractions, bits) in (None, (stable, failed))
    assert S._root_inclusion([fractions])[0] in (None, stable)
    assert S._exact_real_recursion(fractions)[1] == failed


def test_roots_on_the_circle_are_never_certified_stable():
    """A root exactly on the circle: both filters must stay undecided or say unstable."""
    for a in ([0, 0, 0, -1], [F(-1, 2), 1, F(-1, 2)], [-2, 1], [1, 1, 1, 1]):
        fractions = [F(v) for v in a]
        assert S._root_inclusion([fractions])[0] is not True
        for bits in (64, 256):
            assert S._certified_schur_cohn(fractions, bits) in (None, (False, exact(a)[1]))
        assert not schur_cohn_stable(a).stable


def random_polynomials(seed: int, count: int, degree: int) -> list[list[float]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        roots: list[complex] = []
        while len(roots) < degree:
            r = (
                rng.choice([0.3, 0.9, 0.99, 0.999999, 1.0, 1.000001, 1.01, 1.5])
                * rng.random() ** 0.1
            )
            if len(roots) + 2 <= degree and rng.random() < 0.7:
                roots += pair(r, rng.uniform(0, np.pi))
            else:
                roots.append(rng.choice([-1, 1]) * r)
        rows.append(from_roots(roots))
    return rows


@pytest.mark.parametrize("degree", [2, 5, 9])
def test_random_polynomials_agree_with_the_exact_recursion(degree):
    rows = random_polynomials(degree, 40, degree)
    verdicts = schur_cohn_stable_many(np.array(rows))
    inclusion = S._root_inclusion([[F(v) for v in a] for a in rows])
    stable_count = 0
    for a, verdict, included in zip(rows, verdicts, inclusion):
        stable, failed = exact(a)
        stable_count += stable
        assert verdict.stable is stable and verdict.failed_step == failed
        assert included in (None, stable)
        assert S._certified_schur_cohn([F(v) for v in a], 96) in (None, (stable, failed))
    assert 0 < stable_count < len(rows)  # both verdicts occur


def test_degree_64_channels_agree_with_the_exact_integer_recursion():
    """The benchmark's shape (fewer rows): the exact integer recursion as the reference
    (itself checked against sympy above)."""
    rows = random_polynomials(64, 6, 64)
    for a, verdict in zip(rows, schur_cohn_stable_many(rows)):
        assert verdict.stable is (S._exact_real_recursion([F(v) for v in a])[1] is None)


def test_lazy_details_equal_the_sympy_recursion():
    a = from_roots(pair(0.9, 1.0) + [1.2, 0.1])
    verdict = schur_cohn_stable(a)
    ks, failed = S._sympy_recursion([sp.Rational(F(v)) for v in a], len(a))
    assert not verdict.stable and verdict.failed_step == failed
    assert verdict.reflection_coefficients == tuple(ks)
    assert f"at step {failed}" in verdict.reason


def test_many_names_the_bad_row():
    with pytest.raises(Exception, match="row 1"):
        schur_cohn_stable_many([[0.5], [float("nan")]])


@pytest.mark.parametrize("a2", [F(1, 3), F(-2, 7), F(1, 10**6)])
@pytest.mark.parametrize("sign", [1, -1])
def test_fixed_point_filter_respects_its_radius(a2, sign):
    """k_2 = a_1 / (1 + a_2) = 1 + 2^-100 (1 + a_2)^-1 in modulus: the fixed-point value of
    k_2 rounds to just below 1 at 64 bits, so only the radius keeps the filter from
    certifying |k_2| < 1; the exact verdict is unstable at step 2."""
    a = [sign * (1 + a2 + F(1, 2**100)), a2]
    assert exact(a) == (False, 2)
    for bits in (64, 80, 96):
        assert S._certified_schur_cohn(a, bits) in (None, (False, 2))
    assert schur_cohn_stable(a).failed_step == 2
