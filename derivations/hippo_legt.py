"""HiPPO-LegT: the translated-Legendre matrices derived from the sliding-window measure.

Run directly to print every step: python derivations/hippo_legt.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog, derive_hippo_steps, hippo
from hippo_verify.symbolic._measures import s, t

TITLE = "HiPPO-LegT: translated Legendre, window theta = 1"
N = 6


def polynomial_integral(integrand, lower, upper):
    """int_lower^upper integrand ds for an integrand polynomial in s (exact)."""
    antiderivative = sp.Poly(sp.expand(integrand), s).integrate().as_expr()
    return sp.expand(antiderivative.subs(s, upper) - antiderivative.subs(s, lower))


def derive(log):
    log.text(f"Each identity below is checked exactly for all $n, k < N = {N}$; the test "
             "suite checks the derived matrices against the closed forms up to N = 32.")
    log.text(
        "Memory of the last unit of time: the measure is uniform on the window $[t-1, t]$. "
        "With $x = 2(s - t) + 1 \\in [-1, 1]$ ($x = 1$ is the present) the basis is "
        "$p_n(x) = \\sqrt{2n+1}\\,P_n(x)$ and the coefficients of a signal $f$ are"
    )
    log.define("Coefficients", r"c_n(t)",
               r"\int_{t-1}^{t} f(s)\, p_n\!\big(2(s-t)+1\big)\, ds")
    log.text(
        "Leibniz' rule gives three terms: the input entering at $s = t$, the input leaving at "
        "$s = t - 1$, and the basis moving under the integral:"
    )
    log.define("Leibniz' rule", r"c_n'(t)",
               r"f(t)\,p_n(1) - f(t-1)\,p_n(-1) + \int_{t-1}^{t} f(s)\,"
               r"\partial_t\big[p_n(2(s-t)+1)\big]\,ds")

    d = derive_hippo_steps("legt", N)
    log.equal("Change of variables: the measure in x", d.density, sp.Rational(1, 2),
              statement=r"w(x) = 1 \cdot \left|\tfrac{ds}{dx}\right| = \tfrac12 \text{ on } [-1,1]")
    log.equal("Orthonormal basis (Legendre orthogonality)", sp.Matrix(d.gram), sp.ones(N, 1),
              statement=r"\tfrac12\int_{-1}^1 p_n^2\,dx = \tfrac{2n+1}{2}\cdot\tfrac{2}{2n+1} = 1")
    log.equal("Input entering: p_n(1) = sqrt(2n+1) P_n(1)", d.new_input,
              sp.Matrix([sp.sqrt(2 * n + 1) for n in range(N)]),
              statement=r"p_n(1) = \sqrt{2n+1}")
    log.equal("Input leaving: p_n(-1) = sqrt(2n+1) (-1)^n", d.leaving_input,
              sp.Matrix([sp.sqrt(2 * n + 1) * (-1) ** n for n in range(N)]),
              statement=r"p_n(-1) = (-1)^n\sqrt{2n+1}")
    log.equal("Moving basis: dx/dt = -2", d.coordinate_rate, -2,
              statement=r"\partial_t\, p_n(x) = -2\,p_n'(x)")
    expected_moving = sp.Matrix(
        N, N, lambda n, k: -2 * sp.sqrt((2 * n + 1) * (2 * k + 1)) if k < n and (n - k) % 2 else 0
    )
    log.equal("Projected with P'_n = sum over n-k odd of (2k+1) P_k", d.moving_basis,
              expected_moving,
              statement=r"-2p_n' = \sum_{k<n,\ n-k\ \mathrm{odd}} -2\sqrt{2n+1}\sqrt{2k+1}\; p_k")
    log.check("The moving-basis term is exact (no truncation)", all(d.closed),
              "P'_n has degree n-1, so it lies in the span of p_0..p_{N-1}.")
    log.text(
        "The value $f(t-1)$ is not a state; HiPPO replaces it by the truncated expansion "
        "$f(t-1) \\approx \\sum_k c_k\\, p_k(-1)$:"
    )
    log.equal("Reconstruction at the window start", d.reconstruction,
              sp.Matrix([(-1) ** k * sp.sqrt(2 * k + 1) for k in range(N)]),
              statement=r"f(t-1) \approx \sum_k (-1)^k\sqrt{2k+1}\; c_k")
    log.text("Collecting terms, $c' = Ac + Bf$ with "
             "$A_{nk} = -2\\sqrt{(2n+1)(2k+1)}[k<n,\\ n-k \\text{ odd}] "
             "- (-1)^{n+k}\\sqrt{(2n+1)(2k+1)}$, which simplifies to:")
    A_closed, B_closed = hippo("legt", N)
    log.equal("Derived A equals the published closed form", d.A, A_closed,
              statement=r"A_{nk} = -\sqrt{(2n+1)(2k+1)}\begin{cases}1 & n \ge k\\"
                        r"(-1)^{n-k} & n < k\end{cases}" + rf"\quad (N = {N}:\ {sp.latex(d.A)})")
    log.equal("Derived B equals the published closed form", d.B, B_closed,
              statement=r"B_n = \sqrt{2n+1}")

    # What the matrices mean: for a polynomial signal of degree < N the truncated
    # reconstruction of f(t-1) is exact, so the ODE must hold exactly.
    f = 1 + 2 * s - s**3 / 3
    c = sp.Matrix([polynomial_integral(f * sp.sqrt(2 * n + 1) * sp.legendre(n, 2 * (s - t) + 1),
                                       t - 1, t) for n in range(N)])
    residual = sp.simplify(c.diff(t) - (d.A * c + d.B * f.subs(s, t)))
    log.equal("Meaning: the projection of f(s) = 1 + 2s - s^3/3 solves the ODE exactly",
              residual, sp.zeros(N, 1),
              statement=r"\frac{d}{dt}c(t) - A\,c(t) - B f(t) = 0 \text{ for } f(s) = 1 + 2s - s^3/3")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
