"""Arb ball enclosures (``hippo_verify.oracles.arb_enclosures``) against the mpmath oracles.

Two independent routes: the mpmath oracles certify digits by agreement at two
precisions, the Arb route encloses the exact taps in balls. Checked on LegS (bilinear),
LegT (ZOH), S4D (complex modes), an RTF and a continuous kernel: the balls contain the
mpmath values, are tight, their midpoints agree with the mpmath values to the certified
digits, and a value off by a little more than the certified error is refused. Small
rational systems are also checked against exact rational taps (no rounding anywhere).
"""

from __future__ import annotations

import functools
import threading
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

flint = pytest.importorskip("flint", reason="python-flint (the 'fast' extra) is not installed")

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError  # noqa: E402
from hippo_verify.oracles import (  # noqa: E402
    continuous_kernel,
    diag_kernel,
    dplr_kernel,
    rtf_kernel,
    ssm_kernel,
)
from hippo_verify.oracles.arb_enclosures import (  # noqa: E402
    Enclosure,
    arb_continuous_kernel,
    arb_diag_kernel,
    arb_rtf_kernel,
    arb_ssm_kernel,
)
from hippo_verify.symbolic import hippo, s4d_init  # noqa: E402

PREC = 256

LEGS_A, LEGS_B = hippo("legs", 8)
LEGT_A, LEGT_B = hippo("legt", 6)
LEGT_C = ["1/2", -1, "3/7", 2, "-1/3", 1]
S4D_LAM = s4d_init("lin", 8)  # -1/2 + i pi n: read through sympy (trusted inputs)
S4D_B = [1, "1/2", "1/3", "1/4"]
S4D_C = ["1/2+1/3j", "-1+2j", "1/5-1/7j", "0+2/3j"]
RTF_A = ["-1/2", "1/5", "-1/10", "1/20"]  # stable: roots of a(z) outside the unit circle
RTF_B = [1, "-1/3", "1/4", "2/7"]
DENSE_A = [[-1, "1/2", 0], ["1/3", -2, "1/4"], [0, "-1/5", "-1/2"]]
DENSE_B = [1, -1, "1/2"]
DENSE_C = ["1/3", 1, 2]

# A complex DPLR system as mpmath numbers (dyadic, so that A = diag(lam) - P Q^H is exact
# in mpmath's arithmetic): Arb reads mpc inputs (acb) and is checked against dplr_kernel.
MP_LAM = [mpmath.mpc(-0.5, k) for k in (1, -2, 3.5, -0.25, 6, 0.75)]
MP_P = [mpmath.mpc(0.5, 0.25), mpmath.mpc(-0.375, 0), 0.75, mpmath.mpc(0, -0.5), 0.25, 1]
MP_Q = [mpmath.mpc(0.25, -0.125), 0.5, mpmath.mpc(-0.5, 0.5), 0.125, mpmath.mpc(0, 1), 0.5]
MP_B = [1, mpmath.mpc(0.5, -1), 0.25, mpmath.mpc(0, 2), -1, 0.5]
MP_C = [mpmath.mpc(0.5, 0.5), 1, mpmath.mpc(-0.25, 0), 2, mpmath.mpc(0, -1), 0.125]
MP_DENSE = [
    [(MP_LAM[i] if i == j else 0) - MP_P[i] * mpmath.conj(MP_Q[j]) for j in range(6)]
    for i in range(6)
]

# name -> (arb call, mpmath call taking digits)
CASES = {
    "dplr6-complex-mpmath": (
        lambda prec: arb_ssm_kernel(MP_DENSE, MP_B, MP_C, 200, dt="1/20", prec=prec),
        lambda digits: dplr_kernel(MP_LAM, MP_P, MP_Q, MP_B, MP_C, 200, dt="1/20", digits=digits),
    ),
    "legs8-bilinear": (
        lambda prec: arb_ssm_kernel(LEGS_A, LEGS_B, [1] * 8, 256, dt="1/100", prec=prec),
        lambda digits: ssm_kernel(LEGS_A, LEGS_B, [1] * 8, 256, dt="1/100", digits=digits),
    ),
    "legt6-zoh": (
        lambda prec: arb_ssm_kernel(
            LEGT_A, LEGT_B, LEGT_C, 128, dt="1/10", method="zoh", prec=prec
        ),
        lambda digits: ssm_kernel(
            LEGT_A, LEGT_B, LEGT_C, 128, dt="1/10", method="zoh", digits=digits
        ),
    ),
    "s4d-lin-zoh": (
        lambda prec: arb_diag_kernel(S4D_LAM, S4D_B, S4D_C, 256, dt="1/16", prec=prec),
        lambda digits: diag_kernel(S4D_LAM, S4D_B, S4D_C, 256, dt="1/16", digits=digits),
    ),
    "rtf-d4": (
        lambda prec: arb_rtf_kernel(RTF_A, RTF_B, 256, prec=prec),
        lambda digits: rtf_kernel(RTF_A, RTF_B, 256, aliased=False, digits=digits),
    ),
    "continuous-3x3": (
        lambda prec: arb_continuous_kernel(DENSE_A, DENSE_B, DENSE_C, ["1/2", 3], prec=prec),
        lambda digits: continuous_kernel(DENSE_A, DENSE_B, DENSE_C, ["1/2", 3], digits=digits),
    ),
}


@functools.cache
def enclosure(name: str, prec: int = PREC) -> Enclosure:
    return CASES[name][0](prec)


@functools.cache
def oracle(name: str, digits: int = 30):
    return CASES[name][1](digits)


def radius(ball) -> mpmath.mpf:
    """The largest part radius of a ball, exactly (radii have 30-bit mantissas)."""
    parts = (ball.real, ball.imag) if isinstance(ball, flint.acb) else (ball,)
    return max(mpmath.ldexp(int(m), int(e)) for m, e in (p.rad().man_exp() for p in parts))


def max_norm(values: list) -> mpmath.mpf:
    with mpmath.workprec(1000):
        return max(abs(v) for v in values)


@pytest.mark.parametrize("name", CASES)
def test_balls_contain_the_mpmath_values(name: str) -> None:
    e, r = enclosure(name), oracle(name)
    assert len(e) == len(r.values)
    # Each ball, widened by the oracle's certified error 10^-digits max|v|, holds its value.
    assert e.agrees_with(r)
    # Sharper: an oracle certified far beyond the balls' relative width. Its error bound is
    # relative to max|v|, so for small (decayed) taps it can exceed their balls, which Arb
    # keeps relative to each tap; where it does not, the ball must hold the value as is.
    precise = oracle(name, e.certified_digits() + 8)
    assert e.agrees_with(precise)
    error = mpmath.mpf(10) ** -precise.digits * max_norm(precise.values)
    resolved = [k for k, x in enumerate(e.balls) if radius(x) > error]
    assert resolved  # (all taps of the non-decaying cases; the leading taps of the RTF)
    assert all(e.contains(precise.values[k], k) for k in resolved)


@pytest.mark.parametrize("name", CASES)
def test_balls_are_tight(name: str) -> None:
    e = enclosure(name)
    assert e.certified_digits() >= 20
    assert e.max_relative_radius() <= 1e-20
    # The radius is rounding, not an algorithmic blow-up: it shrinks with the precision.
    assert enclosure(name, 2 * PREC).certified_digits() >= e.certified_digits() + 60


@pytest.mark.parametrize("name", CASES)
def test_midpoints_agree_with_the_certified_digits(name: str) -> None:
    e, r = enclosure(name), oracle(name)
    with mpmath.workprec(1000):
        worst = max(abs(m - v) for m, v in zip(e.midpoints(), r.values))
        assert worst <= mpmath.mpf(10) ** -r.digits * max_norm(r.values)


@pytest.mark.parametrize("name", CASES)
def test_a_value_just_outside_the_certified_error_is_refused(name: str) -> None:
    e, r = enclosure(name), oracle(name)
    precise = oracle(name, e.certified_digits() + 8)
    k = max(range(len(r.values)), key=lambda i: abs(r.values[i]))
    with mpmath.workprec(1000):
        scale = max_norm(r.values)
        wrong = precise.values[k] + mpmath.mpf(10) ** -(r.digits - 5) * scale
        slack = mpmath.mpf(10) ** -r.digits * scale
    assert e.contains(precise.values[k], k)
    assert not e.contains(wrong, k)
    assert not e.contains(wrong, k, tolerance=slack)
    assert not e.contains_all([*precise.values[:k], wrong, *precise.values[k + 1 :]])


def test_radicals_are_read_rigorously_and_sympy_constants_are_counted() -> None:
    assert enclosure("legs8-bilinear").trusted_inputs == 0  # q sqrt(r) by Arb's sqrt
    assert enclosure("s4d-lin-zoh").trusted_inputs == 3  # -1/2 + i pi n, n = 1, 2, 3
    assert enclosure("rtf-d4").trusted_inputs == 0


# ---------------------------------------------------------------------------------------
# Exact rational taps (no rounding at all on the reference side)
# ---------------------------------------------------------------------------------------


def exact_impulse_response(a: list, b: list, L: int) -> list[Fraction]:
    a, b = [Fraction(v) for v in a], [Fraction(v) for v in b]
    h: list[Fraction] = []
    for k in range(L):
        acc = sum((a[i - 1] * h[k - i] for i in range(1, min(k, len(a)) + 1)), Fraction(0))
        h.append((b[k] if k < len(b) else 0) - acc)
    return h


def exact_gbt_taps(A: list, B: list, C: list, L: int, dt: Fraction, alpha: Fraction) -> list:
    As = sp.Matrix([[sp.Rational(str(v)) for v in row] for row in A])
    Bs = sp.Matrix([sp.Rational(str(v)) for v in B])
    eye = sp.eye(As.rows)
    inv = (eye - sp.Rational(alpha) * sp.Rational(dt) * As).inv()
    Ab, Bb = inv * (eye + (1 - sp.Rational(alpha)) * sp.Rational(dt) * As), inv * Bs * dt

    def frac(x: sp.Rational) -> Fraction:
        return Fraction(int(x.p), int(x.q))

    Ab_f = [[frac(Ab[i, j]) for j in range(As.rows)] for i in range(As.rows)]
    x, c = [frac(v) for v in Bb], [Fraction(v) for v in C]
    taps = []
    for _ in range(L):
        taps.append(sum((ci * xi for ci, xi in zip(c, x)), Fraction(0)))
        x = [sum((m * xj for m, xj in zip(row, x)), Fraction(0)) for row in Ab_f]
    return taps


def test_rtf_balls_contain_the_exact_rational_response() -> None:
    exact = exact_impulse_response(RTF_A, RTF_B, 256)
    e = enclosure("rtf-d4")
    assert e.contains_all(exact)
    scale = max(abs(v) for v in exact)
    assert not e.contains(exact[100] + scale / 10**60, 100)


@pytest.mark.parametrize(
    "method, alpha",
    [
        ("bilinear", Fraction(1, 2)),
        ("forward_euler", Fraction(0)),
        ("backward_euler", Fraction(1)),
        (("gbt", "1/3"), Fraction(1, 3)),
    ],
)
def test_gbt_balls_contain_the_exact_rational_taps(method, alpha: Fraction) -> None:
    dt = Fraction(1, 4)
    exact = exact_gbt_taps(DENSE_A, DENSE_B, DENSE_C, 40, dt, alpha)
    e = arb_ssm_kernel(DENSE_A, DENSE_B, DENSE_C, 40, dt="1/4", method=method, prec=PREC)
    assert e.trusted_inputs == 0
    assert e.contains_all(exact)
    assert e.certified_digits() >= 60
    scale = max(abs(v) for v in exact)
    assert not e.contains(exact[7] + scale / 10**60, 7)


def test_complex_dense_system_matches_the_diagonal_route() -> None:
    lam, B, C = ["-1/2+3j", "-1/4-1j"], [1, "1/2"], ["1/3", "2-1j"]
    dense = arb_ssm_kernel([[lam[0], 0], [0, lam[1]]], B, C, 64, dt="1/8", method="zoh", prec=PREC)
    diag = arb_diag_kernel(lam, B, C, 64, dt="1/8", conj_pairs=False, prec=PREC)
    r = diag_kernel(lam, B, C, 64, dt="1/8", conj_pairs=False)
    assert isinstance(dense[0], flint.acb)
    assert dense.agrees_with(r) and diag.agrees_with(r)
    assert all(x.overlaps(y) for x, y in zip(dense.balls, diag.balls))


def test_complex_mpmath_inputs_of_any_context_are_read_exactly() -> None:
    """mpc/mpf of the global context (whose exact Fractions hold gmpy2 integers) and of a
    private ``mpmath.MPContext()`` give the balls of the same values as Python complex."""
    ctx = mpmath.MPContext()
    ctx.prec = 80
    private = [
        [ctx.mpc(v.real, v.imag) if isinstance(v, mpmath.mpc) else ctx.mpf(v) for v in row]
        for row in MP_DENSE
    ]
    floats = [[complex(v) for v in row] for row in MP_DENSE]  # dyadic: exact
    ref = arb_ssm_kernel(floats, MP_B, MP_C, 16, dt="1/20", prec=PREC)
    for A in (MP_DENSE, private, mpmath.matrix(MP_DENSE)):
        e = arb_ssm_kernel(A, MP_B, MP_C, 16, dt="1/20", prec=PREC)
        assert isinstance(e[0], flint.acb)
        assert all(x.mid() == y.mid() and x.rad() == y.rad() for x, y in zip(e.balls, ref.balls))
    diag = arb_diag_kernel(MP_LAM, MP_B, [ctx.mpc(1, -1)] * 6, 16, dt="1/20", prec=PREC)
    mp = diag_kernel(MP_LAM, MP_B, [mpmath.mpc(1, -1)] * 6, 16, dt="1/20")
    assert diag.agrees_with(mp)


def test_zoh_mode_at_zero() -> None:
    lam, B, C = [0, "-1/2+3j"], [1, 2], ["1/3", "1-1j"]
    e = arb_diag_kernel(lam, B, C, 32, dt="1/8", prec=PREC)
    assert e.agrees_with(diag_kernel(lam, B, C, 32, dt="1/8"))
    assert e.certified_digits() >= 60


# ---------------------------------------------------------------------------------------
# Enclosure helpers, thread safety, bad input
# ---------------------------------------------------------------------------------------


def test_certified_digits_is_exact_for_a_known_radius() -> None:
    # radius 2^-20 around 100: relative radius 9.54e-9, so 8 digits.
    e = Enclosure([flint.arb(100), flint.arb(0, (1, -20))], 64, "hand-made")
    assert e.certified_digits() == 8
    assert e.max_relative_radius() == pytest.approx(2**-20 / 100, rel=1e-6)
    exact = Enclosure([flint.arb(3), flint.arb(-1)], 64, "hand-made")
    assert exact.max_relative_radius() == 0.0
    assert exact.certified_digits() == 19  # floor(64 log10 2): all the precision holds


def test_contains_compares_exactly() -> None:
    e = Enclosure([flint.arb(1, (1, -100))], 128, "hand-made")
    assert e.contains(1 + Fraction(1, 2**100))
    assert not e.contains(1 + Fraction(1, 2**100) + Fraction(1, 2**400))
    assert e.contains(mpmath.mpf(1))
    assert not e.contains(mpmath.mpc(1, 1))


def test_threads_do_not_see_each_others_precision() -> None:
    flint.ctx.prec = 53
    expected = {p: enclosure("legt6-zoh", p) for p in (128, 192, 256, 320)}
    results: dict[int, Enclosure] = {}

    def run(p: int) -> None:
        for _ in range(3):
            results[p] = enclosure.__wrapped__("legt6-zoh", p)

    threads = [threading.Thread(target=run, args=(p,)) for p in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p, e in expected.items():
        assert all(
            x.mid() == y.mid() and x.rad() == y.rad() for x, y in zip(e.balls, results[p].balls)
        )
    assert flint.ctx.prec == 53


def test_precision_is_restored_after_an_error() -> None:
    flint.ctx.prec, flint.ctx.cap = 53, 10
    with pytest.raises(InvalidArgumentError):
        arb_ssm_kernel([[2]], [1], [1], 4, dt="1/2", method="backward_euler")
    arb_rtf_kernel(RTF_A, RTF_B, 50)
    assert (flint.ctx.prec, flint.ctx.cap) == (53, 10)


GOOD = {"A": DENSE_A, "B": DENSE_B, "C": DENSE_C}


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: arb_ssm_kernel([[1, 2]], [1], [1], 4, dt=1), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=0, dt=1), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4.0, dt=1), InvalidTypeError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=0), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt="-1/2"), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt="1+1j"), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=1, method="rk4"), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=1, method=("gbt", 2)), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=1, method=3), InvalidTypeError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=1, prec=32), InvalidArgumentError),
        (lambda: arb_ssm_kernel(**GOOD, L=4, dt=1, prec=256.0), InvalidTypeError),
        (lambda: arb_ssm_kernel(DENSE_A, [1, 2], DENSE_C, 4, dt=1), InvalidArgumentError),
        (
            lambda: arb_ssm_kernel(DENSE_A, DENSE_B, [1, float("nan"), 0], 4, dt=1),
            InvalidArgumentError,
        ),
        (lambda: arb_ssm_kernel(DENSE_A, DENSE_B, [1, None, 0], 4, dt=1), InvalidTypeError),
        (
            lambda: arb_ssm_kernel([[2]], [1], [1], 4, dt="1/2", method="backward_euler"),
            InvalidArgumentError,
        ),
        (lambda: arb_diag_kernel([-1], [1], [1], 4, dt=1, conj_pairs="yes"), InvalidTypeError),
        (lambda: arb_diag_kernel([-1, -2], [1], [1, 1], 4, dt=1), InvalidArgumentError),
        (
            lambda: arb_diag_kernel([2], [1], [1], 4, dt="1/2", method="backward_euler"),
            InvalidArgumentError,
        ),
        (lambda: arb_rtf_kernel(["1/2"], [1, 2], 4), InvalidArgumentError),
        (lambda: arb_rtf_kernel(["1/2+1j"], [1], 4), InvalidArgumentError),
        (lambda: arb_rtf_kernel(["1/2"], [1], 0), InvalidArgumentError),
        (lambda: arb_continuous_kernel(**GOOD, t="1+1j"), InvalidArgumentError),
        (lambda: arb_continuous_kernel(**GOOD, t=[]), InvalidArgumentError),
        (lambda: arb_continuous_kernel(**GOOD, t="1", prec=10), InvalidArgumentError),
    ],
)
def test_bad_input_raises_hippo_verify_errors(call, error) -> None:
    with pytest.raises(error):
        call()


def test_enclosure_methods_refuse_bad_input() -> None:
    e = enclosure("rtf-d4")
    with pytest.raises(InvalidArgumentError):
        e.contains(mpmath.mpf(1))  # several balls: index required
    with pytest.raises(InvalidArgumentError):
        e.contains(mpmath.mpf(1), len(e))
    with pytest.raises(InvalidTypeError):
        e.contains(sp.pi, 0)  # not exact: an _mpmath_ object
    with pytest.raises(InvalidArgumentError):
        e.contains_all([1, 2, 3])
    with pytest.raises(InvalidArgumentError):
        e.contains(1, 0, tolerance=-1)
