"""Exact integration on the normalized domains of the HiPPO measures.

After the change of variables s -> x, every HiPPO inner product becomes an integral of a
known function class against a fixed density on a fixed interval. Each domain integrates
its class exactly (no quadrature, no floats):

* ``UniformInterval(lo, hi, weight)``: polynomials against a constant density, by
  antidifferentiation.
* ``ExponentialHalfLine``: polynomials against e^{-x} on [0, inf), by
  int_0^inf x^m e^{-x} dx = m!.
* ``UnitPeriod``: trigonometric polynomials in 2*pi*x against dx on [0, 1], by writing
  them as sums of exp(2*pi*i*m*x) and keeping the m = 0 terms.

Functions are handled in a per-domain exact representation (``element``): a ``Poly`` in x
for the polynomial domains, an expanded sum of complex exponentials for ``UnitPeriod``;
products and integrals are taken on those, which keeps N = 32 derivations fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

__all__ = ["Domain", "ExponentialHalfLine", "UniformInterval", "UnitPeriod"]


class Domain:
    """An interval in the normalized variable with its density and an exact integrator."""

    def density(self, x: sp.Symbol) -> sp.Expr:
        """The density w(x) such that inner products are int u v w dx over the domain."""
        raise NotImplementedError

    def element(self, expr: sp.Expr, x: sp.Symbol) -> Any:
        """The exact representation of ``expr`` used for products and integrals."""
        raise NotImplementedError

    def integrate_element(self, element: Any, x: sp.Symbol) -> sp.Expr:
        """Exact int u(x) w(x) dx for a represented function u."""
        raise NotImplementedError

    def is_zero_element(self, element: Any) -> bool:
        """Whether a represented function is identically zero."""
        raise NotImplementedError

    def product(self, u: Any, v: Any) -> Any:
        """The represented product u v."""
        return u * v

    def combination(self, coefficients: list[sp.Expr], elements: list[Any]) -> Any:
        """The represented sum_k coefficients[k] elements[k]."""
        return sum((c * e for c, e in zip(coefficients, elements)), start=0 * elements[0])

    def integrate(self, expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
        """Exact int expr(x) w(x) dx over the domain."""
        return self.integrate_element(self.element(expr, x), x)

    def describe(self) -> str:
        """A LaTeX description of the domain and its density."""
        raise NotImplementedError


class _PolynomialDomain(Domain):
    def element(self, expr: sp.Expr, x: sp.Symbol) -> sp.Poly:
        return sp.Poly(expr, x)

    def is_zero_element(self, element: sp.Poly) -> bool:
        return element.is_zero


@dataclass(frozen=True)
class UniformInterval(_PolynomialDomain):
    """[lower, upper] with a constant density; integrates polynomials in x."""

    lower: sp.Expr
    upper: sp.Expr
    weight: sp.Expr

    def density(self, x: sp.Symbol) -> sp.Expr:
        return self.weight

    def integrate_element(self, element: sp.Poly, x: sp.Symbol) -> sp.Expr:
        antiderivative = element.integrate()
        value = antiderivative.eval(self.upper) - antiderivative.eval(self.lower)
        return sp.cancel(self.weight * value)

    def describe(self) -> str:
        bounds = f"[{sp.latex(self.lower)}, {sp.latex(self.upper)}]"
        return rf"x \in {bounds},\ w(x) = {sp.latex(self.weight)}"


@dataclass(frozen=True)
class ExponentialHalfLine(_PolynomialDomain):
    """[0, inf) with density e^{-x}; integrates polynomials in x."""

    def density(self, x: sp.Symbol) -> sp.Expr:
        return sp.exp(-x)

    def integrate_element(self, element: sp.Poly, x: sp.Symbol) -> sp.Expr:
        moments = (coeff * sp.factorial(power) for (power,), coeff in element.terms())
        return sp.cancel(sp.Add(*moments))

    def describe(self) -> str:
        return r"x \in [0, \infty),\ w(x) = e^{-x}"


@dataclass(frozen=True)
class UnitPeriod(Domain):
    """[0, 1] with density 1; integrates trigonometric polynomials in 2*pi*x."""

    def density(self, x: sp.Symbol) -> sp.Expr:
        return sp.Integer(1)

    def element(self, expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
        return sp.expand(sp.sympify(expr).rewrite(sp.exp))

    def product(self, u: sp.Expr, v: sp.Expr) -> sp.Expr:
        return sp.expand(u * v)

    def combination(self, coefficients: list[sp.Expr], elements: list[sp.Expr]) -> sp.Expr:
        return sp.expand(sp.Add(*(c * e for c, e in zip(coefficients, elements))))

    def integrate_element(self, element: sp.Expr, x: sp.Symbol) -> sp.Expr:
        total = sp.Integer(0)
        for term in sp.Add.make_args(element):
            coeff, dependent = term.as_independent(x, as_Add=False)
            if dependent == 1:
                total += coeff
                continue
            frequency = _frequency_of(dependent, x)
            if frequency is None:  # not a pure exponential: let sympy integrate it
                total += sp.integrate(term, (x, 0, 1))
            elif frequency == 0:
                total += coeff
            # exp(2 pi i m x) with integer m != 0 integrates to zero over a period
        return sp.expand(total)

    def is_zero_element(self, element: sp.Expr) -> bool:
        return element == 0

    def describe(self) -> str:
        return r"x \in [0, 1],\ w(x) = 1"


def _frequency_of(factor: sp.Expr, x: sp.Symbol) -> sp.Integer | None:
    """m if ``factor`` is exp(2*pi*i*m*x) with integer m, else None."""
    if factor.func is not sp.exp:
        return None
    ratio = sp.simplify(factor.args[0] / (2 * sp.pi * sp.I * x))
    if ratio.free_symbols or not ratio.is_integer:
        return None
    return sp.Integer(ratio)
