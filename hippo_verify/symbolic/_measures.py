"""The HiPPO measures: window, weight, normalized coordinate and orthonormal basis.

These are the *inputs* of the projection argument (``_projection.py``); no matrix entry
appears here. Each measure is written in the original time variable s <= t; the
normalized coordinate x = X(t, s) maps the window onto a fixed domain on which the basis
is orthonormal.

Canonical conventions (the ones ``derive_hippo`` and ``hippo(..., convention="canonical")``
use):

* ``legt``: window [t - 1, t] (theta = 1), weight 1, x = 2(s - t) + 1 in [-1, 1]
  (x = 1 at the present), basis sqrt(2n+1) P_n(x).
* ``legs``: window [0, t], weight 1/t, x = 2s/t - 1, basis sqrt(2n+1) P_n(x);
  the ODE is x' = (A x + B u)/t and (A, B) are the time-invariant factors.
* ``lagt``: window (-inf, t], weight e^{-(t-s)}, x = t - s in [0, inf), basis L_n(x)
  (Laguerre polynomials, orthonormal for e^{-x}).
* ``fout``: window [t - 1, t], weight 1, x = s - t + 1 in [0, 1], basis ordered
  1, sqrt2 cos(2 pi x), sqrt2 sin(2 pi x), sqrt2 cos(4 pi x), ... (state 2k-1 is the
  cosine and state 2k the sine of frequency k).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sympy as sp

from ._domains import Domain, ExponentialHalfLine, UniformInterval, UnitPeriod

__all__ = ["MEASURES", "Measure", "t", "s", "x"]

t = sp.Symbol("t", positive=True)
s = sp.Symbol("s", real=True)
x = sp.Symbol("x", real=True)

EndpointRule = Literal["value", "midpoint"]


@dataclass(frozen=True)
class Measure:
    """One HiPPO measure, described by the ingredients of the projection argument.

    Attributes:
        name: Short key (``"legt"``, ...).
        title: Human-readable name.
        window_start: Lower end of the window as a function of t, or ``None`` for -inf.
            The upper end is always t.
        weight: Density w(t, s) of the measure on the window.
        coordinate: x = X(t, s), the normalized coordinate.
        domain: Where x lives, with its density and an exact integrator.
        basis_scale: lambda_n, the normalization of basis element n.
        basis_shape: q_n(x); basis element n is lambda_n * q_n(x).
        time_scaling: ``"invariant"`` if d/dt c = A c + B f, ``"scaled"`` if
            d/dt c = (A c + B f)/t.
        endpoint_rule: How f at the window start is written back in the basis:
            ``"value"`` uses the truncated expansion there; ``"midpoint"`` uses that a
            truncated Fourier series converges to the average of the two ends of the
            window, f(t - 1) ~ 2 sum_k c_k p_k(x_start) - f(t).
    """

    name: str
    title: str
    window_start: Callable[[sp.Expr], sp.Expr] | None
    weight: sp.Expr
    coordinate: sp.Expr
    domain: Domain
    basis_scale: Callable[[int], sp.Expr]
    basis_shape: Callable[[int], sp.Expr]
    time_scaling: Literal["invariant", "scaled"] = "invariant"
    endpoint_rule: EndpointRule = "value"

    def basis(self, n: int) -> sp.Expr:
        """Basis element n as a function of the normalized coordinate x."""
        return self.basis_scale(n) * self.basis_shape(n)


def _fourier_shape(n: int) -> sp.Expr:
    if n == 0:
        return sp.Integer(1)
    frequency = (n + 1) // 2
    trig = sp.cos if n % 2 == 1 else sp.sin
    return trig(2 * sp.pi * frequency * x)


MEASURES: dict[str, Measure] = {
    "legt": Measure(
        name="legt",
        title="translated Legendre (LegT), window theta = 1",
        window_start=lambda time: time - 1,
        weight=sp.Integer(1),
        coordinate=2 * (s - t) + 1,
        domain=UniformInterval(sp.Integer(-1), sp.Integer(1), sp.Rational(1, 2)),
        basis_scale=lambda n: sp.sqrt(2 * n + 1),
        basis_shape=lambda n: sp.legendre(n, x),
    ),
    "legs": Measure(
        name="legs",
        title="scaled Legendre (LegS)",
        window_start=lambda time: sp.Integer(0),
        weight=1 / t,
        coordinate=2 * s / t - 1,
        domain=UniformInterval(sp.Integer(-1), sp.Integer(1), sp.Rational(1, 2)),
        basis_scale=lambda n: sp.sqrt(2 * n + 1),
        basis_shape=lambda n: sp.legendre(n, x),
        time_scaling="scaled",
    ),
    "lagt": Measure(
        name="lagt",
        title="translated Laguerre (LagT)",
        window_start=None,
        weight=sp.exp(-(t - s)),
        coordinate=t - s,
        domain=ExponentialHalfLine(),
        basis_scale=lambda n: sp.Integer(1),
        basis_shape=lambda n: sp.laguerre(n, x),
    ),
    "fout": Measure(
        name="fout",
        title="translated Fourier (FouT), window theta = 1",
        window_start=lambda time: time - 1,
        weight=sp.Integer(1),
        coordinate=s - t + 1,
        domain=UnitPeriod(),
        basis_scale=lambda n: sp.Integer(1) if n == 0 else sp.sqrt(2),
        basis_shape=_fourier_shape,
        endpoint_rule="midpoint",
    ),
}
