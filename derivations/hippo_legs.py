"""HiPPO-LegS: the scaled-Legendre matrices derived from the uniform measure on [0, t].

Run directly to print every step: python derivations/hippo_legs.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog, derive_hippo_steps, hippo
from hippo_verify.symbolic._measures import s, t

TITLE = "HiPPO-LegS: scaled Legendre, the whole history"
N = 6


def polynomial_integral(integrand, lower, upper):
    """int_lower^upper integrand ds for an integrand polynomial in s (exact)."""
    antiderivative = sp.Poly(sp.expand(integrand), s).integrate().as_expr()
    return sp.expand(antiderivative.subs(s, upper) - antiderivative.subs(s, lower))


def derive(log):
    log.text(f"Each identity below is checked exactly for all $n, k < N = {N}$; the test "
             "suite checks the derived matrices against the closed forms up to N = 32.")
    log.text(
        "Memory of the whole history, all of it weighted equally: the measure is $1/t$ on "
        "$[0, t]$. With $x = 2s/t - 1 \\in [-1, 1]$ the basis is $p_n(x) = \\sqrt{2n+1}P_n(x)$:"
    )
    log.define("Coefficients", r"c_n(t)", r"\frac1t\int_0^t f(s)\,p_n\!\left(\tfrac{2s}{t}-1\right)ds")
    log.define("Leibniz' rule (the window start 0 does not move)", r"c_n'(t)",
               r"\frac{f(t)\,p_n(1)}{t} + \int_0^t f(s)\,\partial_t\!\left[\frac{p_n(2s/t-1)}{t}\right]ds")

    d = derive_hippo_steps("legs", N)
    log.equal("Change of variables: the measure in x", d.density, sp.Rational(1, 2),
              statement=r"\frac1t\left|\frac{ds}{dx}\right| = \frac1t\cdot\frac t2 = \frac12")
    log.equal("Orthonormal basis", sp.Matrix(d.gram), sp.ones(N, 1),
              statement=r"\tfrac12\int_{-1}^1 p_n^2\,dx = 1")
    log.equal("Moving basis, times t: t dx/dt = -(x+1)", d.coordinate_rate,
              -(sp.Symbol("x", real=True) + 1), statement=r"t\,\partial_t x = -\tfrac{2s}{t} = -(x+1)")
    log.equal("Moving measure, times t: t (d/dt)(1/t) / (1/t) = -1", d.weight_rate, -1,
              statement=r"t\,\frac{\partial_t (1/t)}{1/t} = -1")
    expected = sp.Matrix(N, N, lambda n, k: -(n + 1) if n == k
                         else (-sp.sqrt((2 * n + 1) * (2 * k + 1)) if k < n else 0))
    log.equal("Projected with (x+1)P'_n = n P_n + sum_{k<n} (2k+1) P_k", d.moving_basis, expected,
              statement=r"-(x+1)p_n' - p_n = -(n+1)\,p_n - \sum_{k<n}\sqrt{2n+1}\sqrt{2k+1}\;p_k")
    log.check("The moving-basis term is exact (no truncation)", all(d.closed))
    log.equal("Input entering, times t: p_n(1)", d.new_input,
              sp.Matrix([sp.sqrt(2 * n + 1) for n in range(N)]), statement=r"p_n(1) = \sqrt{2n+1}")
    log.check("No input leaves the window", d.leaving_input.is_zero_matrix)

    A_closed, B_closed = hippo("legs", N)
    log.equal("Derived A equals the published closed form", d.A, A_closed,
              statement=r"A_{nk} = -\begin{cases}\sqrt{(2n+1)(2k+1)} & n > k\\ n+1 & n = k\\"
                        r"0 & n < k\end{cases}" + rf"\quad (N = {N}:\ {sp.latex(d.A)})")
    log.equal("Derived B equals the published closed form", d.B, B_closed,
              statement=r"B_n = \sqrt{2n+1}")
    log.text("So $c'(t) = \\frac1t\\big(A c(t) + B f(t)\\big)$: the time-varying system of seed "
             "001, $x'(t) = \\frac{A}{t}x(t) + \\frac{B}{t}u(t)$, with time-invariant $A, B$.")
    log.check("A is lower triangular, so its eigenvalues are its diagonal -1, ..., -N",
              d.A.is_lower and list(d.A.diagonal()) == [-(n + 1) for n in range(N)])

    # No reconstruction is involved, so the ODE is exact for any polynomial f.
    f = 3 - s + s**2 / 2 + s**7
    c = sp.Matrix([sp.expand(polynomial_integral(f * sp.sqrt(2 * n + 1)
                                                 * sp.legendre(n, 2 * s / t - 1), 0, t) / t)
                   for n in range(N)])
    residual = (c.diff(t) - (d.A * c + d.B * f.subs(s, t)) / t).applyfunc(sp.cancel)
    log.equal("Meaning: the projection of f(s) = 3 - s + s^2/2 + s^7 solves the ODE exactly",
              residual, sp.zeros(N, 1),
              statement=r"c'(t) - \tfrac1t\left(A\,c(t) + B f(t)\right) = 0"
                        r"\text{ for } f(s) = 3 - s + \tfrac{s^2}2 + s^7 \text{ (degree } 7 > N\text{)}")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
