"""The fast routes of the S4D (``diag_kernel``) and RTF (``rtf_kernel``) oracles against
independent routes.

``diag_kernel`` sums its Vandermonde terms by blocks packed into big integers (Kronecker
substitution); the expected values here are plain mpmath at 300 bits with each power
computed directly as e^{k dt lam} (ZOH) or lam_bar^k by ``mpmath.power`` (bilinear), no
repeated multiplication and no packing. ``rtf_kernel``'s aliased route inverts
1 - z^{-L} modulo a(z) by a product of squares when the inverse's series converges at the
working precision; the expected values are the periodized impulse response and a solve of
the cyclic system in exact rationals. A value certified to ``digits`` digits must be within
10^-digits of the expected one, relative to the max-norm.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from hippo_verify import oracles as O
from hippo_verify.oracles import mp_oracles as core

F = Fraction
R = sp.Rational
I = sp.I  # noqa: E741 (the imaginary unit)
PREC = 300  # bits of the independent routes


def to_mp(value):
    """An exact input (sympy number, Fraction, int, decimal string) as mpmath at PREC bits."""
    value = sp.nsimplify(value) if isinstance(value, str) else sp.sympify(value)
    re_, im_ = (part._to_mpmath(PREC) for part in (sp.re(value), sp.im(value)))
    return mpmath.mpc(re_, im_) if im_ else mpmath.mpf(re_)


def rel_err(got: list, expected: list) -> mpmath.mpf:
    with mpmath.workprec(PREC):
        scale = max(abs(mpmath.mpmathify(v)) for v in expected)
        diff = max(abs(mpmath.mpmathify(g) - mpmath.mpmathify(e)) for g, e in zip(got, expected))
        return diff / scale


def assert_certified(result, expected: list) -> None:
    assert len(result.values) == len(expected)
    assert result.digits >= 1
    assert rel_err(result.values, expected) <= mpmath.mpf(10) ** -result.digits


# ---------------------------------------------------------------------------------------
# diag_kernel: the packed Vandermonde sum
# ---------------------------------------------------------------------------------------


def naive_diag(lam, B, C, L, dt, method, conj_pairs):
    """K_k = sum_n C_n Bb_n lam_bar_n^k with every power computed directly (not by
    repeated multiplication): e^{k dt lam} for ZOH, mpmath.power for a gbt."""
    with mpmath.workprec(PREC):
        step = to_mp(dt)
        terms = []
        for lam_n, b, c in zip(lam, B, C):
            z = to_mp(lam_n)
            if method == "zoh":
                gain = step if z == 0 else mpmath.expm1(step * z) / z

                def power(k, z=z):
                    return mpmath.exp(k * step * z)
            else:
                alpha = mpmath.mpf(1) / 2
                den = 1 - alpha * step * z
                gain, bar = step / den, (1 + (1 - alpha) * step * z) / den

                def power(k, bar=bar):
                    return mpmath.power(bar, k)

            terms.append((to_mp(c) * gain * to_mp(b), power))
        out = []
        for k in range(L):
            value = mpmath.fsum(w * power(k) for w, power in terms)
            out.append(2 * value.real if conj_pairs else value)
        return out


S4D_LIN = [R(-1, 2) + R(314159, 100000) * n * I for n in range(8)]


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 17, 64, 65, 130])
@pytest.mark.parametrize("conj_pairs", [True, False])
def test_diag_kernel_equals_direct_powers_at_every_block_boundary(L, conj_pairs):
    """L below, at and past a square (B = ceil(sqrt L)): full and partial last blocks."""
    lam = S4D_LIN
    B = [1, R(1, 2) - I / 3, 2, -1, R(1, 7), 3 * I, 1, R(-2, 5)]
    C = [1, -1, R(1, 3) + I, 1, 2, R(1, 5), -I, 1]
    dt = F(1, 100)
    result = O.diag_kernel(lam, B, C, L, dt=dt, conj_pairs=conj_pairs)
    assert result.digits >= 30
    assert_certified(result, naive_diag(lam, B, C, L, dt, "zoh", conj_pairs))


def test_diag_kernel_growing_modes_and_a_zero_mode():
    """|lam_bar| > 1 (growth over the blocks), a mode at 0 (gain dt), bilinear and ZOH."""
    lam, B, C = [R(1, 2) + 2 * I, 0, -3 + I], [1, 2, R(1, 3)], [1, 1, -1]
    for method in ("zoh", "bilinear"):
        result = O.diag_kernel(lam, B, C, 90, dt=F(1, 10), method=method, digits=40)
        assert result.digits >= 40
        assert_certified(result, naive_diag(lam, B, C, 90, F(1, 10), method, True))


def test_diag_kernel_s4d_lin_64_modes_long():
    """The benchmark's shape (64 S4D-Lin modes) at L = 1000, 30 digits."""
    lam = [R(-1, 2) + R(314159, 100000) * n * I for n in range(64)]
    result = O.diag_kernel(lam, [1] * 64, [1] * 64, 1000, dt=F(1, 100))
    assert result.digits >= 30
    assert_certified(result, naive_diag(lam, [1] * 64, [1] * 64, 1000, F(1, 100), "zoh", True))


def test_h3_ssm_uses_the_same_diagonal_kernel():
    """h3_ssm's diagonal path (now the packed ints directly) against the composition of
    the oracles with exact products."""
    rng = random.Random(3)
    L = 23
    q, k, v = ([F(rng.randint(-9, 9), 7) for _ in range(L)] for _ in range(3))
    lam, B, C = [R(-1, 2) + 3 * I, -1 + I], [1, R(1, 2)], [R(1, 3), -1]
    result = O.h3_ssm(q, k, v, ["1", "-1/2", "1/4"], lam, B, C, dt=F(1, 10))
    K = naive_diag(lam, B, C, L, F(1, 10), "zoh", True)
    with mpmath.workprec(PREC):
        shifted = [
            sum(c * k[i - j] for j, c in enumerate([1, F(-1, 2), F(1, 4)]) if i >= j)
            for i in range(L)
        ]
        w = [
            mpmath.mpf(s.numerator) / s.denominator * (mpmath.mpf(x.numerator) / x.denominator)
            for s, x in zip(shifted, v)
        ]
        y = [mpmath.fsum(K[j] * w[i - j] for j in range(i + 1)) for i in range(L)]
        expected = [a * (mpmath.mpf(b.numerator) / b.denominator) for a, b in zip(y, q)]
    assert_certified(result, expected)


@pytest.mark.parametrize("width", [8, 16, 64])
def test_pack_unpack_round_trip_at_the_digit_limits(width):
    """Signed digits up to |t| = 2^(width - 1) - 1, both signs, survive the packing."""
    top = (1 << (width - 1)) - 1
    digits = [top, -top, 0, -1, 1, top, -top, 5 - top]
    packed = core._pack(digits, width)
    assert packed == sum(t << (width * j) for j, t in enumerate(digits))
    assert core._unpack(packed, len(digits), width) == digits
