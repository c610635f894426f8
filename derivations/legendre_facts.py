"""The Legendre facts the HiPPO-LegT and LegS derivations use, each checked exactly.

Run directly to print every step: python derivations/legendre_facts.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog

TITLE = "Legendre polynomials: the facts HiPPO uses"
N_MAX = 12  # identities are checked for n = 0 .. N_MAX

x, T, t = sp.symbols("x T t", positive=True)


def rodrigues(n):
    """P_n by Rodrigues' formula, an independent route to sympy's recurrence."""
    return sp.expand(sp.diff((x**2 - 1) ** n, x, n) / (2**n * sp.factorial(n)))


def integral(polynomial, lower, upper):
    """int_lower^upper polynomial dx from its exact antiderivative (the route sympy's
    ``integrate`` takes for a polynomial, without its general-purpose dispatch)."""
    antiderivative = sp.Poly(polynomial, x).integrate()
    return antiderivative.eval(upper) - antiderivative.eval(lower)


def derive(log):
    P = [sp.legendre(n, x) for n in range(N_MAX + 2)]
    log.text("$P_n$ below is sympy's `legendre` (three-term recurrence); each fact is checked "
             f"exactly for $n \\le {N_MAX}$.")

    log.equal("Recurrence and Rodrigues' formula give the same polynomials",
              sp.Matrix(P[: N_MAX + 1]), sp.Matrix([rodrigues(n) for n in range(N_MAX + 1)]),
              statement=r"P_n^{\mathrm{recurrence}}(x) = \frac{1}{2^n n!}\frac{d^n}{dx^n}(x^2-1)^n")

    gram = sp.Matrix(N_MAX + 1, N_MAX + 1, lambda m, n: integral(P[m] * P[n], -1, 1))
    log.equal("Orthogonality", gram,
              sp.diag(*[sp.Rational(2, 2 * n + 1) for n in range(N_MAX + 1)]),
              statement=r"\int_{-1}^{1} P_m P_n\,dx = \frac{2}{2n+1}\,\delta_{mn}")
    log.text(r"So $\sqrt{2n+1}\,P_n$ is orthonormal for the density $\tfrac12$ on $[-1, 1]$.")

    log.equal("Right endpoint", sp.Matrix([p.subs(x, 1) for p in P[: N_MAX + 1]]),
              sp.ones(N_MAX + 1, 1), statement=r"P_n(1) = 1")
    log.equal("Left endpoint", sp.Matrix([p.subs(x, -1) for p in P[: N_MAX + 1]]),
              sp.Matrix([(-1) ** n for n in range(N_MAX + 1)]),
              statement=r"P_n(-1) = (-1)^n")

    dP = [sp.diff(p, x) for p in P]
    log.equal("Derivative identity (2n+1) P_n = P'_{n+1} - P'_{n-1}",
              sp.Matrix([dP[n + 1] - dP[n - 1] for n in range(1, N_MAX + 1)]),
              sp.Matrix([(2 * n + 1) * P[n] for n in range(1, N_MAX + 1)]),
              statement=r"P'_{n+1} - P'_{n-1} = (2n+1) P_n \quad (n \ge 1)")
    log.text("Summing it over $n-1, n-3, \\dots$ telescopes (with $P'_0 = 0$, $P'_1 = P_0$) to the "
             "expansion of $P'_n$ in lower Legendre polynomials:")
    log.equal("Derivative in the basis",
              sp.Matrix(dP[: N_MAX + 1]),
              sp.Matrix([sum((2 * k + 1) * P[k] for k in range(n) if (n - k) % 2 == 1)
                         for n in range(N_MAX + 1)]),
              statement=r"P'_n = \sum_{k<n,\ n-k\ \mathrm{odd}} (2k+1) P_k")
    log.equal("The combination LegS needs",
              sp.Matrix([sp.expand((x + 1) * dP[n]) for n in range(N_MAX + 1)]),
              sp.Matrix([sp.expand(n * P[n] + sum((2 * k + 1) * P[k] for k in range(n)))
                         for n in range(N_MAX + 1)]),
              statement=r"(x+1) P'_n = n P_n + \sum_{k<n} (2k+1) P_k")
    log.equal("Slope at the right endpoint",
              sp.Matrix([d.subs(x, 1) for d in dP[: N_MAX + 1]]),
              sp.Matrix([sp.Rational(n * (n + 1), 2) for n in range(N_MAX + 1)]),
              statement=r"P'_n(1) = \tfrac{n(n+1)}{2}")

    # Seed 000 prints d/dT P_n(2T/T - 1) = (2n/T) P_{n-1}(2T/T - 1).
    n = 1
    printed_lhs = sp.diff(sp.legendre(n, 2 * T / T - 1), T)
    printed_rhs = 2 * n / T * sp.legendre(n - 1, 2 * T / T - 1)
    log.seed_error(
        "seed 000, the derivative identity behind the HiPPO matrix",
        r"\frac{d}{dT}P_n\!\left(\tfrac{2T}{T} - 1\right) = \frac{2n}{T}\,"
        r"P_{n-1}\!\left(\tfrac{2T}{T} - 1\right)",
        printed_lhs, printed_rhs,
        "n = 1 (any T > 0). The argument 2T/T - 1 is the constant 1, so the left side "
        "is 0 while the right side is 2/T",
    )
    log.text("What the derivation actually needs is the time derivative of the basis "
             "$P_n(2t/T - 1)$ at the present $t = T$ of a window $[0, T]$:")
    at_present = [sp.diff(sp.legendre(k, 2 * t / T - 1), T).subs(t, T) for k in range(N_MAX + 1)]
    log.equal("Time derivative of the basis at the present",
              sp.Matrix(at_present),
              sp.Matrix([-sp.Integer(k * (k + 1)) / T for k in range(N_MAX + 1)]),
              statement=r"\left.\frac{\partial}{\partial T} P_n\!\left(\tfrac{2t}{T}-1\right)"
                        r"\right|_{t=T} = -\frac{n(n+1)}{T}")
    log.text("The LegS derivation uses it in the form of the expansion of $(x+1)P'_n$ above.")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
