"""HiPPO-FouT: the translated-Fourier matrices derived from the sliding-window measure.

Run directly to print every step: python derivations/hippo_fout.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog, derive_hippo_steps, hippo
from hippo_verify.symbolic._measures import x

TITLE = "HiPPO-FouT: translated Fourier, window theta = 1"
N = 5


def partial_sum_at_start(f, terms):
    """The first ``terms`` orthonormal Fourier terms of f on [0, 1], evaluated at x = 0."""
    basis = [sp.Integer(1)]
    for k in range(1, terms):
        basis += [sp.sqrt(2) * sp.cos(2 * sp.pi * k * x), sp.sqrt(2) * sp.sin(2 * sp.pi * k * x)]
    basis = basis[:terms]
    return sum(sp.integrate(f * p, (x, 0, 1)) * p.subs(x, 0) for p in basis)


def derive(log):
    log.text(f"Each identity below is checked exactly for all $n, k < N = {N}$; the test "
             "suite checks the derived matrices against the closed forms up to N = 32.")
    log.text(
        "The measure of LegT (uniform on $[t-1, t]$) with a trigonometric basis. With "
        "$x = s - t + 1 \\in [0, 1]$ the states are $1, \\sqrt2\\cos 2\\pi x, \\sqrt2\\sin 2\\pi x, "
        "\\sqrt2\\cos 4\\pi x, \\dots$ (state $2k-1$ the cosine, $2k$ the sine of frequency $k$)."
    )
    log.define("Leibniz' rule", r"c_n'(t)",
               r"f(t)\,p_n(1) - f(t-1)\,p_n(0) + \int_{t-1}^t f(s)\,\partial_t\big[p_n(s-t+1)\big]ds")

    d = derive_hippo_steps("fout", N)
    e = sp.Matrix([1, sp.sqrt(2), 0, sp.sqrt(2), 0])
    log.equal("Orthonormal basis", sp.Matrix(d.gram), sp.ones(N, 1),
              statement=r"\int_0^1 p_n^2\,dx = 1")
    log.equal("The basis has the same values at both window ends",
              sp.Matrix.hstack(d.new_input, d.leaving_input), sp.Matrix.hstack(e, e),
              statement=r"p(1) = p(0) = e = (1, \sqrt2, 0, \sqrt2, 0, \dots)")
    log.equal("Moving basis: dx/dt = -1, cos' and sin' rotate into each other",
              d.moving_basis,
              sp.Matrix([[0, 0, 0, 0, 0], [0, 0, 2 * sp.pi, 0, 0], [0, -2 * sp.pi, 0, 0, 0],
                         [0, 0, 0, 0, 4 * sp.pi], [0, 0, 0, -4 * sp.pi, 0]]),
              statement=r"-\partial_x \sqrt2\cos 2\pi k x = 2\pi k\,\sqrt2\sin 2\pi k x,\quad"
                        r"-\partial_x \sqrt2\sin 2\pi k x = -2\pi k\,\sqrt2\cos 2\pi k x")
    log.text(
        "A truncated Fourier series does not converge to $f(t-1)$ at the window start but to the "
        "average of the two ends of the periodized signal. Exactly, for $f(x) = x$ on the window "
        "(f = 0 at the start, 1 at the present), every partial sum at $x = 0$ is $1/2$:"
    )
    log.equal("Partial sums at the jump give the midpoint",
              sp.Matrix([partial_sum_at_start(x, m) for m in range(1, 6)]),
              sp.Matrix([sp.Rational(1, 2)] * 5),
              statement=r"\sum_{k<m} \langle x, p_k\rangle\, p_k(0) = \tfrac12 = \tfrac{f(0) + f(1)}{2}"
                        r"\quad (m = 1, \dots, 5)")
    log.text("Hence HiPPO-FouT uses $f(t-1) \\approx 2\\sum_k c_k p_k(0) - f(t)$, and collecting "
             "terms gives $A = \\Omega - 2ee^T$, $B = 2e$:")
    A_closed, B_closed = hippo("fout", N)
    log.equal("Derived A equals the closed form", d.A, A_closed,
              statement=rf"A = \Omega - 2ee^T = {sp.latex(d.A)}")
    log.equal("Derived B equals the closed form", d.B, B_closed, statement=r"B = 2e")
    log.check("A + A^T = -4 e e^T is negative semidefinite, so Re(lambda) <= 0",
              (d.A + d.A.T - (-4 * e * e.T)).is_zero_matrix)

    A4, _ = hippo("fout", 4)
    kernel = sp.Matrix([sp.sqrt(2), 0, 0, -1])
    log.check("For even N the last cosine has no sine partner and A is singular",
              A4.det() == 0 and (A4 * kernel).is_zero_matrix,
              latex=r"N = 4:\ A\,(\sqrt2, 0, 0, -1)^T = 0")
    log.check("For odd N it is not", d.A.det() != 0, latex=rf"N = {N}:\ \det A = {sp.latex(d.A.det())}")
    log.check("The moving-basis term is exact for odd N (all cos/sin pairs complete)", all(d.closed))


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
