"""Exact stability of p(lambda) = lambda^d + a_1 lambda^{d-1} + ... + a_d (rational arithmetic).

"Stable" means every root lies strictly inside the unit disk, |lambda| < 1: then the
recurrent kernel of the companion realization decays (seed 002's concern).

Schur-Cohn recursion. For p of degree m with leading coefficient c_m and p(0) = c_0 let
p*(lambda) = lambda^m conj(p(1/conj(lambda))) (conjugated coefficients, reversed) and
k = c_0 / conj(c_m), the reflection coefficient. Then p - k p* has constant term
c_0 - k conj(c_m) = 0 and leading coefficient (|c_m|^2 - |c_0|^2) / conj(c_m). For monic p
this is 1 - |k|^2, and

    p_{m-1}(lambda) = (p(lambda) - k p*(lambda)) / (lambda (1 - |k|^2))

is monic of degree m - 1 when |k| < 1. Theorem (Schur-Cohn): p is stable iff |k| < 1 and
p_{m-1} is stable. Proof: if |k| >= 1 the product of the roots has modulus |c_0| >= 1, so
some root has |lambda| >= 1. If |k| < 1: on |lambda| = 1 we have |p*| = |p|; if p has a
root zeta on the circle then p*(zeta) = 0 too, so zeta is a root of p_{m-1}, and neither
is stable; otherwise |k p*| < |p| on the circle and Rouché gives lambda p_{m-1} as many
roots in the disk as p, that is p_{m-1} has m - 1 of them iff p has m. A constant (degree
0) is stable. Starting from p_d = p, step j (j = 1..d) reads k_j = p_{d-j+1}(0).

Supported coefficients: rational numbers and Gaussian rationals p + q i (p, q rational),
for which |k|^2 = k conj(k) is rational and every comparison is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from ._matrix_args import as_vector

__all__ = ["StabilityVerdict", "schur_cohn_stable", "sum_abs_bound_holds"]


@dataclass(frozen=True)
class StabilityVerdict:
    """The outcome of ``schur_cohn_stable``; its truth value is ``stable``, so
    ``assert schur_cohn_stable(a)`` fails for an unstable polynomial.

    Attributes:
        stable: every root of the polynomial has modulus < 1.
        reason: a sentence saying why (the failing |k_j| when unstable).
        reflection_coefficients: k_1, k_2, ... computed before the recursion stopped
            (all d of them when stable).
        failed_step: the step j with |k_j| >= 1, or None when stable.
    """

    stable: bool
    reason: str
    reflection_coefficients: tuple[sp.Expr, ...]
    failed_step: int | None = None

    def __bool__(self) -> bool:
        return self.stable


def schur_cohn_stable(a: Any) -> StabilityVerdict:
    """Whether every root of lambda^d + a_1 lambda^{d-1} + ... + a_d has |lambda| < 1.

    Exact Schur-Cohn recursion (see the module docstring): k_j = p_{d-j+1}(0) and
    p_{m-1} = (p_m - k p_m*) / (lambda (1 - |k|^2)); stable iff |k_j| < 1 for j = 1..d.
    A root on the unit circle gives |k_j| = 1 at some step, so it is reported unstable.

    Arguments:
        a: the coefficients (a_1, ..., a_d), d >= 1, each rational or Gaussian rational.

    Returns:
        A ``StabilityVerdict``.

    Raises:
        InvalidTypeError: ``a`` is not vector-like or an entry is not a number.
        InvalidArgumentError: ``a`` is empty (d < 1), not a vector, has a non-finite
            entry, or an entry that is not a (Gaussian) rational, e.g. sqrt(2) or a symbol.
    """
    coeffs = _gaussian_rational_coeffs(a)
    d = len(coeffs)
    poly = [sp.Integer(1), *coeffs]  # highest power first, monic
    ks: list[sp.Expr] = []
    for step in range(1, d + 1):
        k = poly[-1]
        ks.append(k)
        modulus2 = sp.expand(k * sp.conjugate(k))
        if modulus2 >= 1:
            return StabilityVerdict(False, _unstable_reason(step, k, modulus2), tuple(ks), step)
        poly = _schur_step(poly, k, modulus2)
    reason = f"every reflection coefficient k_1..k_{d} has |k_j| < 1 (Schur-Cohn)"
    return StabilityVerdict(True, reason, tuple(ks))


def sum_abs_bound_holds(a: Any) -> bool:
    """Whether |a_1| + ... + |a_d| < 1 (seed 002's sufficient condition for stability).

    When it holds every root has |lambda| < 1 (strictly: a root with |lambda| >= 1 gives
    1 = |a_1/lambda + ... + a_d/lambda^d| <= |a_1| + ... + |a_d|). It is not necessary:
    (lambda - 9/10)^2 is stable with |a_1| + |a_2| = 261/100.

    Exact also for Gaussian rationals: |a_i| = sqrt(n_i) with n_i rational. A sum of square
    roots of rationals equals 1 only if each root is rational (an irrational square root
    is a positive multiple of sqrt(s), s > 1 square-free, and these are linearly
    independent over Q together with 1); otherwise the sum is irrational and nested
    rational enclosures (integer square roots) separate it from 1.

    Arguments:
        a: the coefficients (a_1, ..., a_d), d >= 1, each rational or Gaussian rational.

    Returns:
        ``True`` iff the strict inequality holds.

    Raises:
        InvalidTypeError / InvalidArgumentError: as for ``schur_cohn_stable``.
    """
    norms = [_to_fraction(sp.expand(c * sp.conjugate(c))) for c in _gaussian_rational_coeffs(a)]
    roots = [_rational_sqrt(n) for n in norms]
    if all(r is not None for r in roots):
        return sum(roots, Fraction(0)) < 1
    return _sum_of_square_roots_below_one(norms)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _gaussian_rational_coeffs(a: Any) -> list[sp.Expr]:
    coeffs = [sp.expand(c) for c in as_vector("a", a)]
    for i, c in enumerate(coeffs, start=1):
        if not (sp.re(c).is_Rational and sp.im(c).is_Rational):
            raise InvalidArgumentError(
                f"a_{i} must be a rational or Gaussian-rational number (p + q*I with p, q "
                f"rational), got {c}"
            )
    return coeffs


def _schur_step(poly: list[sp.Expr], k: sp.Expr, modulus2: sp.Expr) -> list[sp.Expr]:
    reversed_conj = [sp.conjugate(c) for c in reversed(poly)]  # p*, highest power first
    reduced = [sp.expand(p - k * q) for p, q in zip(poly, reversed_conj)]
    # reduced[-1] == 0 (the constant term), so dropping it divides by lambda.
    return [sp.expand(c / (1 - modulus2)) for c in reduced[:-1]]


def _unstable_reason(step: int, k: sp.Expr, modulus2: sp.Expr) -> str:
    return (
        f"|k_{step}| = {sp.sqrt(modulus2)} >= 1 at step {step} (k_{step} = {k}), so some "
        "root has |lambda| >= 1"
    )


def _to_fraction(value: sp.Expr) -> Fraction:
    rational = sp.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _rational_sqrt(value: Fraction) -> Fraction | None:
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    exact = num * num == value.numerator and den * den == value.denominator
    return Fraction(num, den) if exact else None


def _sum_of_square_roots_below_one(norms: list[Fraction]) -> bool:
    # The sum is irrational (see the docstring), so this loop ends.
    bits = 32
    while True:
        scale = 1 << bits
        low = sum((_sqrt_floor(n, scale) for n in norms), Fraction(0))
        high = low + Fraction(len(norms), scale)
        if high < 1:
            return True
        if low > 1:
            return False
        bits *= 2


def _sqrt_floor(value: Fraction, scale: int) -> Fraction:
    """A rational in (sqrt(value) - 1/scale, sqrt(value)]."""
    # sqrt(p/q) = sqrt(p q) / q; isqrt of the scaled integer is a lower bound.
    p, q = value.numerator, value.denominator
    root = math.isqrt(p * q * scale * scale)
    return Fraction(root, q * scale)
