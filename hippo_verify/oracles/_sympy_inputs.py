"""sympy inputs for the mpmath oracles: exact rationals stay exact, the rest is evaluated
by sympy's ``evalf`` afresh at each working precision (relative accuracy ``prec`` bits).

``mp_oracles`` itself knows nothing of sympy (it is vendorable); it evaluates any object
that implements mpmath's ``_mpmath_(prec, rounding)`` protocol, which is what
``SympyNumber`` provides.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp
from mpmath import libmp

from .._errors import InvalidArgumentError

__all__ = ["RationalTimesSqrt", "SympyNumber", "from_sympy"]


class SympyNumber:
    """A sympy constant seen through mpmath's conversion protocol."""

    __slots__ = ("expr", "_cache")

    def __init__(self, expr: sp.Expr):
        self.expr = expr
        self._cache: dict[int, Any] = {}

    def _mpmath_(self, prec: int, rounding: str) -> Any:
        if prec not in self._cache:
            self._cache[prec] = self.expr._to_mpmath(prec)
        return self._cache[prec]

    def __repr__(self) -> str:
        return f"SympyNumber({self.expr})"


class RationalTimesSqrt:
    """q * sqrt(r) with rationals q, r >= 0 (HiPPO entries): evaluated by mpmath directly,
    about 100x faster than going through ``evalf``."""

    __slots__ = ("factor", "radicand")

    def __init__(self, factor: Fraction, radicand: Fraction):
        self.factor, self.radicand = factor, radicand

    def _mpmath_(self, prec: int, rounding: str) -> Any:
        wp = prec + 10
        root = libmp.mpf_sqrt(
            libmp.from_rational(self.radicand.numerator, self.radicand.denominator, wp), wp
        )
        factor = libmp.from_rational(self.factor.numerator, self.factor.denominator, wp)
        return mpmath.mp.make_mpf(libmp.mpf_mul(factor, root, prec))

    def __repr__(self) -> str:
        return f"RationalTimesSqrt({self.factor}, {self.radicand})"


def _as_rational_times_sqrt(expr: sp.Expr) -> RationalTimesSqrt | None:
    factor, rest = expr.as_coeff_Mul()
    if (
        isinstance(factor, sp.Rational)
        and isinstance(rest, sp.Pow)
        and rest.exp == sp.S.Half
        and isinstance(rest.base, sp.Rational)
        and rest.base > 0
    ):
        return RationalTimesSqrt(
            Fraction(int(factor.p), int(factor.q)), Fraction(int(rest.base.p), int(rest.base.q))
        )
    return None


def _scalar(expr: sp.Basic) -> Any:
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.Float):
        return Fraction(*sp.Rational(expr).as_numer_denom())
    # q sqrt(r) (finite rationals only, so no symbol, NaN or infinity) before the tree
    # walks below: HiPPO matrices are mostly such entries, and the walks cost more.
    radical = _as_rational_times_sqrt(expr) if isinstance(expr, sp.Expr) else None
    if radical is not None:
        return radical
    if not isinstance(expr, sp.Expr) or expr.free_symbols:
        raise InvalidArgumentError(f"cannot evaluate {expr!r}: expected a constant expression")
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise InvalidArgumentError(f"NaN and infinities are not accepted (got {expr})")
    if expr.is_extended_real:
        return SympyNumber(expr)
    real, imag = expr.as_real_imag()
    if isinstance(real, sp.Rational) and isinstance(imag, sp.Rational):
        return str(Fraction(int(real.p), int(real.q))) if imag == 0 else complex_string(real, imag)
    return SympyNumber(expr)


def complex_string(real: sp.Rational, imag: sp.Rational) -> str:
    """'p/q+r/sj', the oracles' exact complex string form."""
    sign = "+" if imag >= 0 else "-"
    return f"{real.p}/{real.q}{sign}{abs(imag.p)}/{imag.q}j"


def from_sympy(value: Any) -> Any:
    """Replace sympy numbers and matrices inside ``value`` by oracle inputs (recursively)."""
    if isinstance(value, sp.MatrixBase):
        return [[_scalar(v) for v in row] for row in value.tolist()]
    if isinstance(value, sp.Basic):
        return _scalar(value)
    if isinstance(value, list):
        return [from_sympy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(from_sympy(v) for v in value)  # ("gbt", alpha) keeps its name
    return value
