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


# --- the float64 recursion and the refined inclusion certificate, each alone -------------


def float_filter(a):
    return S._float_schur_cohn([[F(v) for v in a]])[0]


def inclusion_without_arb(rows):
    """``_root_inclusion``'s float test alone (Horner bound, no Arb values)."""
    fractions = [[F(v) for v in a] for a in rows]
    by_degree, floats = S._in_float_range(fractions, 2)
    out = [None] * len(rows)
    for d, idx in by_degree.items():
        a = np.array([floats[i] for i in idx])
        companion = np.zeros((len(idx), d, d))
        companion[:, 0, :] = -a
        companion[:, np.arange(1, d), np.arange(d - 1)] = 1.0
        with np.errstate(all="ignore"):
            z = S._aberth(np, a, np.linalg.eigvals(companion), S._ABERTH_STEPS)
            for i, v in zip(idx, S._inclusion_tests(np, a, z)):
                out[i] = v
    return out


def inclusion_with_arb_only(rows):
    """The inclusion test with Arb's bounds on |p(z_i)| for every row (None when
    python-flint is absent)."""
    out = [None] * len(rows)
    for d in sorted({len(a) for a in rows}):
        idx = [i for i, a in enumerate(rows) if len(a) == d]
        a = np.array([rows[i] for i in idx], dtype=float)
        companion = np.zeros((len(idx), d, d))
        companion[:, 0, :] = -a
        companion[:, np.arange(1, d), np.arange(d - 1)] = 1.0
        with np.errstate(all="ignore"):
            z = S._aberth(np, a, np.linalg.eigvals(companion), S._ABERTH_STEPS)
            p_up = S._arb_values(a, z)
            if p_up is None:
                return None
            for i, v in zip(idx, S._inclusion_tests(np, a, z, p_up)):
                out[i] = v
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_float_filter_and_inclusion_routes_alone_on_edge_cases(name):
    a = CASES[name]
    stable, failed = exact(a)
    assert float_filter(a) in (None, (stable, failed))
    if len(a) >= 2 and all(isinstance(v, float) for v in a):
        assert inclusion_without_arb([a])[0] in (None, stable)
        assert (inclusion_with_arb_only([a]) or [None])[0] in (None, stable)


def test_float_filter_never_certifies_a_root_on_the_circle():
    for a in ([0, 0, 0, -1], [F(-1, 2), 1, F(-1, 2)], [-2, 1], [1, 1, 1, 1], [3, 3, 1]):
        assert float_filter(a) in (None, (False, exact(a)[1]))


FLOAT_A2 = [F(1, 3), F(-2, 7), F(1, 10**6), *(F(-1) + F(1, q) for q in (11 * 10**4, 3 * 10**6))]


@pytest.mark.parametrize("a2", FLOAT_A2)
@pytest.mark.parametrize("sign", [1, -1])
def test_float_filter_respects_its_radius(a2, sign):
    """|k_2| = 1 + 2^-100 / (1 + a_2): the float values round it to 1 or just below; with
    1 + a_2 = 1/110000 or 1/3000000 the rounding of a_1, a_2 (rationals) puts the float k_2
    1e-12 .. 1e-10 below 1, so only the radii keep the float filter from certifying
    |k_2| < 1 (at the last step, where no later D - Delta > 0 check follows)."""
    a = [sign * (1 + a2 + F(1, 2**100)), a2]
    assert float_filter(a) in (None, (False, 2))


def test_float_filter_respects_the_rounding_of_a_step():
    """Float inputs (radius 0 at the start) whose exact k_2 = a_1 / (1 + a_2) lies within
    a few units of roundoff of 1: the step's rounding radius alone separates the verdicts."""
    rng = random.Random(7)
    checked = 0
    for _ in range(400):
        a2 = rng.uniform(-0.9, 0.9)
        a1 = float(F(1 + a2) * (1 + rng.choice([-1, 1]) * rng.randint(0, 4) * F(2) ** -53))
        a = [rng.choice([-1, 1]) * a1, a2]
        stable, failed = exact(a)
        assert float_filter(a) in (None, (stable, failed)), a
        checked += 1
    assert checked == 400


def benchmark_mix(count: int, degree: int) -> list[list[float]]:
    """The benchmark's channels: roots drawn in disks of radius 0.5 ... 1.05."""
    rng = np.random.default_rng(1)
    radii = [0.5, 0.9, 0.99, 0.999, 1.001, 1.05]
    rows = []
    for i in range(count):
        r = radii[i % len(radii)] * np.sqrt(rng.uniform(0, 1, degree // 2))
        z = r * np.exp(1j * rng.uniform(0, np.pi, degree // 2))
        rows.append([float(v) for v in np.real(np.poly(np.concatenate([z, z.conj()])))[1:]])
    return rows


@pytest.mark.parametrize("degree", [2, 3, 8, 17, 32, 64])
def test_each_route_alone_on_random_and_benchmark_rows(degree):
    """Every route against the exact integer recursion (checked against sympy above):
    random polynomials (roots on, near and off the circle) and the benchmark's mix."""
    rows = random_polynomials(100 + degree, 8, degree) + benchmark_mix(12, 2 * (degree // 2))
    reference = [S._exact_real_recursion([F(v) for v in a]) for a in rows]
    floats = S._float_schur_cohn([[F(v) for v in a] for a in rows])
    plain = inclusion_without_arb(rows) if degree >= 2 else [None] * len(rows)
    arb = inclusion_with_arb_only(rows) or [None] * len(rows)
    decided = 0
    for (_, failed), by_float, by_plain, by_arb in zip(reference, floats, plain, arb):
        stable = failed is None
        assert by_float in (None, (stable, failed))
        assert by_plain in (None, stable) and by_arb in (None, stable)
        decided += (by_float is not None) + (by_plain is not None) + (by_arb is not None)
    assert decided > len(rows)  # the routes are not vacuous


def test_verdicts_without_python_flint(monkeypatch):
    """With python-flint absent the Arb bound is skipped and the verdicts stay exact."""
    import sys

    monkeypatch.setitem(sys.modules, "flint", None)  # import flint raises ImportError
    assert S._arb_values(np.ones((1, 2)), np.zeros((1, 2), dtype=complex)) is None
    rows = benchmark_mix(12, 16)
    for a, verdict in zip(rows, schur_cohn_stable_many(rows)):
        assert verdict.stable is (S._exact_real_recursion([F(v) for v in a])[1] is None)


def plain_float_schur_cohn(a) -> bool:
    """The recursion in floats with no error bound (what the filters must not be)."""
    c = np.r_[1.0, a]
    for m in range(len(a), 0, -1):
        k = c[m]
        if abs(k) >= 1:
            return False
        c = np.r_[1.0, (c[1:m] - k * c[m - 1 : 0 : -1]) / (1 - k * k)]
    return True


def hard_near_circle_rows(seed: int, count: int) -> list[list[float]]:
    """A conjugate pair at radius 1 + eps (eps in 1e-15 .. 1e-9) among pairs at radius
    0.95 .. 0.999, degree 8 .. 24: the float recursion and the eigenvalues amplify
    rounding enough to put the outside pair inside."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        d = int(rng.choice([8, 16, 24]))
        roots = [(1 + 10.0 ** rng.uniform(-15, -9)) * np.exp(1j * rng.uniform(0.1, 3))]
        radius = rng.choice([0.95, 0.99, 0.999])
        roots += list(radius * np.exp(1j * rng.uniform(0, np.pi, d // 2 - 1)))
        both = np.concatenate([roots, np.conj(roots)])
        rows.append([float(v) for v in np.real(np.poly(both))[1:]])
    return rows


def test_each_route_alone_where_plain_floats_are_fooled():
    """Rows on which the unbounded float recursion and the unbounded eigenvalues give the
    wrong verdict (checked here, so the test keeps its teeth): every certified route must
    stay undecided or exact there."""
    rows = hard_near_circle_rows(5, 240)
    reference = [S._exact_real_recursion([F(v) for v in a])[1] for a in rows]
    wrong_floats = sum(plain_float_schur_cohn(a) != (f is None) for a, f in zip(rows, reference))
    wrong_eigs = sum(
        (np.abs(np.roots(np.r_[1.0, a])).max() < 1) != (f is None) for a, f in zip(rows, reference)
    )
    assert wrong_floats >= 3 and wrong_eigs >= 1
    floats = S._float_schur_cohn([[F(v) for v in a] for a in rows])
    plain = inclusion_without_arb(rows)
    arb = inclusion_with_arb_only(rows) or [None] * len(rows)
    for failed, by_float, by_plain, by_arb in zip(reference, floats, plain, arb):
        stable = failed is None
        assert by_float in (None, (stable, failed))
        assert by_plain in (None, stable) and by_arb in (None, stable)
    for a, verdict, failed in zip(rows, schur_cohn_stable_many(rows), reference):
        assert verdict.stable is (failed is None) and verdict.failed_step == failed


def radius_violations(rows: list[list[F]]) -> tuple[int, float]:
    """Run ``_float_step`` on the rows next to the exact recursion (Fractions) while the
    filter would go on, and count coefficients farther from the exact ones than their
    radius; also the largest error / radius seen."""
    by_degree, floats = S._in_float_range(rows, 1)
    violations, worst = 0, 0.0
    for d, idx in by_degree.items():
        exact_input = np.array([all(v == f for v, f in zip(rows[i], floats[i])) for i in idx])
        c, rho = S._float_start(np, np.array([floats[i] for i in idx]), exact_input)
        polys = [[F(1), *rows[i]] for i in idx]
        alive = np.ones(len(idx), dtype=bool)
        for m in range(d, 1, -1):
            alive &= (np.abs(c[:, m]) + rho[:, m]) * (1 + 16 * S._U) < 1
            c, rho, margin = S._float_step(np, c, rho)
            alive &= margin > 0
            for j, p in enumerate(polys):
                k = p[m]
                polys[j] = [F(1)] + [
                    (x - k * y) / (1 - k * k) for x, y in zip(p[1:m], p[m - 1 : 0 : -1])
                ]
                if not alive[j]:
                    continue
                for value, radius, truth in zip(c[j, 1:], rho[j, 1:], polys[j][1:]):
                    error = abs(truth - F(float(value)))
                    violations += error > F(float(radius))
                    worst = max(worst, float(error) / float(radius))
    return violations, worst


def test_float_step_radii_bound_the_errors():
    """Every radius of ``_float_step`` bounds the distance of its float coefficient from the
    exact one (Fractions), on float rows near the circle and on rational rows whose input
    rounding is amplified (1 + a_2 small)."""
    floats = [[F(v) for v in a] for a in hard_near_circle_rows(9, 40)]
    rng = random.Random(3)
    rationals = []
    for _ in range(40):
        a2 = F(-1) + F(1, rng.randint(10**3, 10**7) * 3)
        a1 = rng.choice([-1, 1]) * (1 + a2) * (1 - F(1, rng.randint(10**4, 10**9) * 7))
        rationals.append([a1, a2, F(rng.randint(-99, 99), 7 * 10**6)])
    for rows in (floats, rationals):
        violations, worst = radius_violations(rows)
        assert violations == 0
        assert worst > 0.05  # the radii are within 20x of the errors (0.24, 0.39 measured)
