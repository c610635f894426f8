"""HiPPO-LagT: the translated-Laguerre matrices derived from an exponentially decaying measure.

Run directly to print every step: python derivations/hippo_lagt.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog, derive_hippo_steps, hippo
from hippo_verify.symbolic._measures import s, t, x

TITLE = "HiPPO-LagT: translated Laguerre"
N = 6


def derive(log):
    log.text(f"Each identity below is checked exactly for all $n, k < N = {N}$; the test "
             "suite checks the derived matrices against the closed forms up to N = 32.")
    log.text(
        "Memory that fades exponentially: the measure is $e^{-(t-s)}$ on $(-\\infty, t]$. "
        "With $x = t - s \\in [0, \\infty)$ (the age of the input) the basis is the Laguerre "
        "polynomials $L_n(x)$, orthonormal for $e^{-x}$:"
    )
    log.define("Coefficients", r"c_n(t)", r"\int_{-\infty}^t f(s)\,L_n(t-s)\,e^{-(t-s)}\,ds")
    log.define("Leibniz' rule (no finite window start)", r"c_n'(t)",
               r"f(t)\,L_n(0) + \int_{-\infty}^t f(s)\,\partial_t\!\left[L_n(t-s)e^{-(t-s)}\right]ds")

    d = derive_hippo_steps("lagt", N)
    log.equal("Change of variables: the measure in x", d.density, sp.exp(-x),
              statement=r"w(x) = e^{-x} \text{ on } [0, \infty)")
    log.equal("Orthonormal basis", sp.Matrix(d.gram), sp.ones(N, 1),
              statement=r"\int_0^\infty L_n^2 e^{-x}dx = 1")
    log.equal("Moving basis and measure", sp.Matrix([d.coordinate_rate, d.weight_rate]),
              sp.Matrix([1, -1]),
              statement=r"\partial_t\left[L_n(x)e^{-x}\right] = \left(L_n'(x) - L_n(x)\right)e^{-x}")
    L = [sp.laguerre(n, x) for n in range(N)]
    log.equal("Laguerre derivative identity", sp.Matrix([sp.diff(p, x) for p in L]),
              sp.Matrix([-sum(L[:n], sp.Integer(0)) for n in range(N)]),
              statement=r"L_n'(x) = -\sum_{k<n} L_k(x)")
    log.equal("Projected", d.moving_basis, sp.Matrix(N, N, lambda n, k: -1 if k <= n else 0),
              statement=r"L_n' - L_n = -\sum_{k \le n} L_k")
    log.check("The moving-basis term is exact (no truncation)", all(d.closed))
    log.equal("Input entering: L_n(0) = 1", d.new_input, sp.ones(N, 1), statement=r"L_n(0) = 1")

    A_closed, B_closed = hippo("lagt", N)
    log.equal("Derived A equals the published closed form", d.A, A_closed,
              statement=r"A_{nk} = -[k \le n]" + rf"\quad (N = {N}:\ {sp.latex(d.A)})")
    log.equal("Derived B equals the published closed form", d.B, B_closed, statement=r"B_n = 1")
    lam = sp.Symbol("lambda")
    log.equal("Spectrum: a single eigenvalue -1 of multiplicity N", d.A.charpoly(lam).as_expr(),
              sp.expand((lam + 1) ** N), statement=r"\det(\lambda I - A) = (\lambda + 1)^N")
    log.check("... with a single Jordan block (one eigenvector)", (d.A + sp.eye(N)).rank() == N - 1,
              latex=r"\operatorname{rank}(A + I) = N - 1")
    log.text(
        "The s4 and HiPPO codes use $A + \\tfrac12 I$ (eigenvalue $-\\tfrac12$): the basis "
        "$L_n(t-s)e^{-(t-s)/2}$ in Lebesgue measure, an exponential tilt of this one "
        "(see `reports/conventions.md`)."
    )

    # No reconstruction is involved: the ODE holds for any signal with finite coefficients.
    f = s**2
    c = sp.Matrix([sp.integrate(f * L[n].subs(x, t - s) * sp.exp(-(t - s)), (s, -sp.oo, t))
                   for n in range(N)])
    residual = (c.diff(t) - (d.A * c + d.B * f.subs(s, t))).applyfunc(sp.simplify)
    log.equal("Meaning: the projection of f(s) = s^2 solves the ODE exactly", residual,
              sp.zeros(N, 1), statement=r"c'(t) - A\,c(t) - B f(t) = 0 \text{ for } f(s) = s^2")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
