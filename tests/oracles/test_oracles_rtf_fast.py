"""The RTF oracle's packed series division against independent routes.

``mp_oracles._series_quotient`` (Newton inverse of a(z) on Kronecker-packed ints) is checked
against exact ``Fraction`` power series on small cases and against the step-by-step
recurrence at 64 more bits on large ones; the public ``rtf_kernel`` (which takes the packed
route at d >= 48, L >= 256) against a plain mpmath recurrence at 400 bits and the cyclic
equation k * a_pad = b_pad.

Tolerances: the packed route rounds each coefficient once per product (``>> s``, at most 1
unit of 2^-s); a coefficient of g = 1/a passes through at most log2 L + 1 Newton steps, each
a product with a (l1 norm ||a||_1) and with g (||g||_1 over the first L terms), so its error
is at most (log2 L + 2) (1 + ||a||_1) (1 + ||g||_1) units, and n g adds ||n||_1 times that
plus one. ``_ulp_bound`` is that bound; a wrong coefficient (an off-by-one, a truncated
product) is off by about 2^s units.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest

from hippo_verify.oracles import mp_oracles as M
from hippo_verify.oracles import rtf_kernel

S = 128  # fixed-point bits of the unit tests


def _fixed(values: list[float], s: int = S) -> list[int]:
    return [int(Fraction(v) * 2**s) for v in values]


def _exact_series(numerator: list[int], a: list[int], L: int, s: int = S) -> list[Fraction]:
    """[z^k] n(z)/a(z), k < L, exactly, for n_i = numerator_i 2^-s, a_i = a_i 2^-s, a_0 = 1."""
    n = [Fraction(v, 2**s) for v in numerator]
    af = [Fraction(v, 2**s) for v in a]
    h: list[Fraction] = []
    for k in range(L):
        acc = sum((af[i - 1] * h[k - i] for i in range(1, min(k, len(af)) + 1)), Fraction(0))
        h.append((n[k] if k < len(n) else 0) - acc)
    return h


def _ulp_bound(numerator: list[int], a: list[int], L: int, s: int = S) -> float:
    g: list[float] = []  # 1/a in floats: its l1 norm (with a 1% margin) is all that is used
    for k in range(L):
        g.append((k == 0) - sum(a[i - 1] / 2**s * g[k - i] for i in range(1, min(k, len(a)) + 1)))
    norm_a = sum(abs(v) for v in a) / 2**s
    norm_g = 1.01 * sum(abs(v) for v in g)
    norm_n = sum(abs(v) for v in numerator) / 2**s
    return (L.bit_length() + 2) * (1 + norm_a) * (1 + norm_g) * (1 + norm_n) + 1


def _max_ulps(fast: list[int], exact: list[Fraction], s: int = S) -> float:
    assert len(fast) == len(exact)
    return float(max(abs(Fraction(v) - e * 2**s) for v, e in zip(fast, exact)))


CASES = {
    "d=1": ([0.5], [-0.75], 40),
    "d=1, L=1": ([0.5], [-0.75], 1),
    "L=1": ([0.3, -0.2, 0.1], [0.1, 0.2, -0.05], 1),
    "L=2": ([0.3, -0.2, 0.1], [0.1, 0.2, -0.05], 2),
    "d>L": ([0.01 * (-1) ** i for i in range(9)], [0.5 - 0.1 * i for i in range(9)], 5),
    "pole near circle": ([1.0, 0.5], [-0.999], 300),  # h_k ~ 0.999^k
    "unstable": ([1.0], [-1.01], 200),  # h_k = 1.01^k: grows
    "pole at 2": ([1.0, 0.5], [-2.0], 150),  # h_k ~ 2^k: the Newton error outgrows a
    "poles at 1.5 and -1.2": ([1.0], [-0.3, -1.8], 150),  # (1 - 1.5 z)(1 + 1.2 z)
    "oscillating": ([1.0, -0.5, 0.25], [0.0, 0.81], 130),  # poles +-0.9i
    "zero numerator": ([0.0, 0.0], [0.2, 0.1], 17),
    "numerator longer than L": ([0.5] * 12, [0.25, -0.125], 7),
}


@pytest.mark.parametrize("name", list(CASES))
def test_series_quotient_is_the_exact_power_series(name: str) -> None:
    numerator, a, L = CASES[name]
    n_fixed, a_fixed = _fixed(numerator), _fixed(a)
    fast = M._series_quotient(n_fixed, a_fixed, L, S)
    exact = _exact_series(n_fixed, a_fixed, L)
    assert _max_ulps(fast, exact) <= _ulp_bound(n_fixed, a_fixed, L)


def test_series_quotient_degree_zero_a_returns_the_numerator() -> None:
    n_fixed = _fixed([0.5, -0.25, 0.125])
    assert M._series_quotient(n_fixed, [0, 0], 5, S) == n_fixed + [0, 0]
    assert M._series_quotient(n_fixed, [0, 0], 2, S) == n_fixed[:2]


def test_series_quotient_matches_the_recurrence_at_higher_precision() -> None:
    """d = 64, L = 2048 (the benchmark's shape): the recurrence at S + 64 bits, rounded to S."""
    rng = random.Random(3)
    a = [rng.uniform(-1, 1) / 80 for _ in range(64)]
    b = [rng.uniform(-1, 1) for _ in range(64)]
    a_fixed, b_fixed = _fixed(a), _fixed(b)
    fast = M._series_quotient(b_fixed, a_fixed, 2048, S)
    up = 64
    b_up, a_up = [v << up for v in b_fixed], [v << up for v in a_fixed]
    slow = M._impulse_recurrence(b_up, a_up, 2048, S + up)
    worst = max(abs(f - (v >> up)) for f, v in zip(fast, slow))
    assert worst <= _ulp_bound(b_fixed, a_fixed, 2048)
    assert max(abs(v) for v in fast) > 2 ** (S - 1)  # not a vacuous comparison


def test_series_product_is_the_exact_convolution() -> None:
    rng = random.Random(7)
    for len_p, len_q, width in [(1, 1, 8), (5, 3, 100), (40, 64, 300), (3, 50, 64)]:
        p = [rng.randrange(-(2**width), 2**width) for _ in range(len_p)]
        q = [rng.randrange(-(2**width), 2**width) for _ in range(len_q)]
        p[0] = -(2**width)  # the extreme negative digit
        full = [0] * (len_p + len_q - 1)
        for i, x in enumerate(p):
            for j, y in enumerate(q):
                full[i + j] += x * y
        for start, stop in [(0, len(full)), (1, len(full) + 3), (len(full) // 2, len(full) // 2)]:
            want = (full + [0] * 3)[start:stop]
            assert M._series_product(p, q, stop, start=start) == want
    assert M._series_product([0, 0], [1, 2], 3) == [0, 0, 0]


def test_large_impulse_responses_take_the_packed_route(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = M._series_quotient

    def spy(numerator, a, L, s):
        calls.append(L)
        return real(numerator, a, L, s)

    monkeypatch.setattr(M, "_series_quotient", spy)
    rng = random.Random(0)
    a = [f"{rng.uniform(-1, 1) / 80:.6f}" for _ in range(64)]
    b = [f"{rng.uniform(-1, 1):.6f}" for _ in range(64)]
    L = max(512, M._SERIES_MIN_L)  # 4096 without gmpy2
    rtf_kernel(a, b, L, aliased=True, digits=20)
    assert calls and set(calls) == {L}
    calls.clear()
    rtf_kernel(a[:4], b[:4], L, aliased=True, digits=20)
    assert not calls  # small d: the recurrence


def _naive_impulse(a: list[Fraction], b: list[Fraction], L: int, prec: int) -> list:
    with mpmath.workprec(prec):
        aw = [mpmath.mpf(v.numerator) / v.denominator for v in a]
        bw = [mpmath.mpf(v.numerator) / v.denominator for v in b]
        h: list = []
        for k in range(L):
            acc = mpmath.fsum(aw[i - 1] * h[k - i] for i in range(1, min(k, len(aw)) + 1))
            h.append((bw[k] if k < len(bw) else 0) - acc)
        return h


def _with_pole(a: list[Fraction], pole: Fraction) -> list[Fraction]:
    """The a_i of (1 - pole z) (1 + sum a_i z^i): one more pole, at ``pole``."""
    full = [Fraction(1)] + a + [Fraction(0)]
    return [full[i] - pole * full[i - 1] for i in range(1, len(full))]


def _random_a(seed: int, d: int, scale: int) -> list[Fraction]:
    rng = random.Random(seed)
    return [Fraction(f"{rng.uniform(-1, 1) / scale:.6f}") for _ in range(d)]


@pytest.mark.parametrize("pole", [None, Fraction(999, 1000), Fraction(-9999, 10000)])
def test_public_oracle_matches_a_plain_mpmath_recurrence(pole: Fraction | None) -> None:
    """d = 64 (65 with the extra pole), L = 512, impulse response; poles of the random part
    near |z| = 0.95, the extra one at 0.999 or -0.9999 (the response barely decays)."""
    a = _random_a(11, 64, 80)
    a = a if pole is None else _with_pole(a, pole)
    rng = random.Random(12)
    b = [Fraction(f"{rng.uniform(-1, 1):.6f}") for _ in range(len(a))]
    result = rtf_kernel(a, b, 512, aliased=False, digits=30)
    reference = _naive_impulse(a, b, 512, 400)
    with mpmath.workprec(400):
        top = max(abs(v) for v in reference)
        error = max(abs(x - y) for x, y in zip(result.values, reference)) / top
    assert result.digits >= 30 and result.stable is True
    assert error <= mpmath.mpf(10) ** -result.digits


@pytest.mark.parametrize("pole", [None, Fraction(999, 1000)])
def test_public_aliased_oracle_solves_the_cyclic_equation(pole: Fraction | None) -> None:
    """k * a_pad = b_pad (cyclic, length L = 300) at 400 bits, d = 50 or 51 (a pole at
    0.999: 0.999^300 = 0.74, so the aliasing is large and the ring solve is used)."""
    a = _random_a(5, 50, 60)
    a = a if pole is None else _with_pole(a, pole)
    rng = random.Random(6)
    b = [Fraction(f"{rng.uniform(-1, 1):.6f}") for _ in range(len(a))]
    L = 300
    result = rtf_kernel(a, b, L, aliased=True, digits=30)
    assert result.stable is True and result.digits >= 30
    with mpmath.workprec(400):
        k = list(result.values)
        a_pad = [mpmath.mpf(1)] + [mpmath.mpf(v.numerator) / v.denominator for v in a]
        b_pad = [mpmath.mpf(v.numerator) / v.denominator for v in b]
        b_pad += [mpmath.mpf(0)] * (L - len(b))
        worst = max(
            abs(mpmath.fsum(a_pad[i] * k[(n - i) % L] for i in range(len(a_pad))) - b_pad[n])
            for n in range(L)
        )
        scale = max(abs(v) for v in k) * mpmath.fsum(abs(v) for v in a_pad)
    assert worst <= scale * mpmath.mpf(10) ** -result.digits


@pytest.mark.parametrize("stable_form", [True, False])
def test_packed_ring_reduction_is_long_division(stable_form: bool) -> None:
    """d = 64: ``_reduce_packed`` and the long-division loop, both at S bits, against the
    loop at S + 64 bits, for the ring of rev(a) (the stable route: monic, small
    coefficients) and of a (monic after division by a_m: coefficients up to 2^7, the
    quotient's up to 2^22); products of length 2m - 1 and m + 9. Both round the same
    quotient (long division is the series division of the reversed polynomials), so the
    packed error stays within a small multiple of the loop's (measured: 2^2 vs 2^6 units
    for rev(a), 2^30 vs 2^30 for a); a wrong coefficient is off by about the values'
    size (2^128 to 2^155 units)."""
    rng = random.Random(9)
    a = _fixed([rng.uniform(-1, 1) / 80 for _ in range(64)])
    up, one = 64, 1 << S
    a_full = a[::-1] + [one] if stable_form else [one] + a
    ring, loop = M._QuotientRing(a_full, S), M._QuotientRing(a_full, S)
    slow = M._QuotientRing([v << up for v in a_full], S + up)
    loop.reversed_inverse = slow.reversed_inverse = None  # the long-division loop
    assert ring.reversed_inverse is not None
    for length in (127, 73):
        poly = [rng.randrange(-one, one) for _ in range(length)]
        exact = [v >> up for v in slow.reduce([v << up for v in poly])]
        packed_error = max(abs(f - v) for f, v in zip(ring.reduce(poly), exact))
        loop_error = max(abs(f - v) for f, v in zip(loop.reduce(poly), exact))
        assert packed_error <= 4 * loop_error + 16
        assert max(abs(v) for v in exact) > 2 ** (S - 8)


def test_public_oracle_carries_the_exact_verdict() -> None:
    """A pole at 1 - 2^-300: the exact Schur-Cohn verdict says stable, the numerical one
    (256 and 512 bits) cannot tell it from the circle; the public oracle asks only the
    exact one, and its result says stable with no note (h_k = (1 - 2^-300)^k ~ 1)."""
    a = [-(1 - Fraction(1, 2**300))]
    assert M.rtf_stability(a) is None
    result = rtf_kernel(a, [Fraction(1)], 8, aliased=False, digits=20)
    assert result.stable is True and result.notes == ()
    numerical = M.rtf_kernel(a, [Fraction(1)], 8, aliased=False, digits=20)
    assert numerical.stable is None and numerical.notes
    assert all(abs(v - 1) < 1e-20 for v in result.values)
