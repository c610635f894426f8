"""Discretizing x' = A x + B u: the exact step, the gbt family, ZOH, and the LegS recurrences.

Run directly to print every step: python derivations/discretization.py
"""

import numpy as np
import sympy as sp

from hippo_verify.symbolic import DerivationLog, hippo
from hippo_verify.symbolic._discretize import discretize, discretize_with_output
from hippo_verify.symbolic._legs_recurrence import legs_integrate, legs_step
from hippo_verify.symbolic._systems import power_kernel

TITLE = "Discretization: exact step, Euler, bilinear (gbt), ZOH, and the LegS recurrences"

dt = sp.Symbol(r"\Delta", positive=True)
x, z, s, sigma, lam = sp.symbols("x z s sigma lambda")
a, b, c, d = sp.symbols("a b c d")
A2 = sp.Matrix([[a, b], [c, d]])
B2 = sp.Matrix([1, 2])
HALF = sp.Rational(1, 2)
# Convergence experiment: N = 3, a cubic signal (the trapezoid rule is exact for degree <= 2).
N_CONV, DIVISIONS = 3, [8, 16, 32, 64]
ORDERS = {"forward_euler": 1, "backward_euler": 1, "bilinear": 2, "zoh": 1}


def exp_series(A, order):
    return sum(((dt * A) ** k / sp.factorial(k) for k in range(order)), sp.zeros(A.rows))


def exp_integral_series(A, order):
    return sum((dt ** (k + 1) * A**k / sp.factorial(k + 1) for k in range(order)),
               sp.zeros(A.rows))


def dt_coefficients(M, order):
    """[M_0, ..., M_{order-1}]: the Taylor coefficients in dt of each entry, M = sum_k M_k dt^k.

    Every entry is a rational function P/Q of dt with Q(0) != 0, so its series is the
    power-series quotient: c_j = (p_j - sum_{i=1..j} q_i c_{j-i}) / q_0 (one pass per entry,
    exact, instead of a generic series expansion for every k).
    """
    series = [_taylor(e, order) for e in M]
    return [sp.Matrix(M.rows, M.cols, [c[k] for c in series]) for k in range(order)]


def _taylor(expr, order):
    num, den = sp.fraction(sp.together(expr))  # not reduced: only Q(0) != 0 matters
    p, q = sp.Poly(num, dt).all_coeffs()[::-1], sp.Poly(den, dt).all_coeffs()[::-1]
    p, q = p + [0] * order, q + [0] * order
    if q[0] == 0:
        raise ValueError(f"{expr} has a pole at dt = 0")
    coeffs = []
    for j in range(order):
        rest = p[j] - sum(q[i] * coeffs[j - i] for i in range(1, j + 1))
        coeffs.append(sp.expand(sp.cancel(rest / q[0])))
    return coeffs


def cancelled(M):
    return M.applyfunc(lambda e: sp.cancel(sp.together(e)))


def projection(f, N, lower=0):
    """c_n(t) = (1/t) int_lower^t f(s) p_n(2s/t - 1) ds (polynomial f, exact)."""
    t = sp.Symbol("t", positive=True)
    rows = []
    for n in range(N):
        integrand = sp.expand(f * sp.sqrt(2 * n + 1) * sp.legendre(n, 2 * s / t - 1))
        antiderivative = sp.Poly(integrand, s).integrate().as_expr()
        rows.append(sp.expand((antiderivative.subs(s, t) - antiderivative.subs(s, lower)) / t))
    return sp.Matrix(rows), t


def derive(log):
    exact_step(log)
    gbt_family(log)
    pade_and_local_error(log)
    zero_order_hold(log)
    output_conventions(log)
    legs_stability(log)
    legs_recurrences(log)


def exact_step(log):
    log.text("Convention: $x_{k+1} = \\bar A x_k + \\bar B u_k$, $y_k = C x_k$ with $C$ unchanged, "
             "so the kernel is $K_k = C\\bar A^k\\bar B$. Every method approximates the exact step "
             "(variation of constants over one step of length $\\Delta$):")
    log.define("Exact solution over one step", r"x(t_k+\Delta)",
               r"e^{\Delta A}x(t_k) + \int_0^\Delta e^{(\Delta-\sigma)A}B\,u(t_k+\sigma)\,d\sigma")
    # Check it for a scalar a and u(sigma) = sigma^2 by differentiating in Delta.
    x0 = sp.Symbol("x_0")
    sol = sp.exp(dt * a) * x0 + sp.integrate(sp.exp((dt - sigma) * a) * b * sigma**2,
                                             (sigma, 0, dt), conds="none")
    log.equal("It solves x' = a x + b u, x(0) = x_0 (scalar, u = sigma^2)",
              sp.simplify(sol.diff(dt) - a * sol - b * dt**2), 0,
              statement=r"\partial_\Delta x - a\,x - b\,\Delta^2 = 0")
    log.equal("... with the right initial value", sol.subs(dt, 0), x0)
    # Seed 003 drops e^{tA} in front of x(0).
    true_x1 = sp.exp(-1)  # x' = -x, x(0) = 1, u = 0 at t = 1
    log.seed_error(
        "seed 003, the solution formula of the S4D note",
        r"x(t) = x(0) + \int_0^t e^{(t-\tau)A}Bu(\tau)\,d\tau",
        true_x1, sp.Integer(1),
        "A = -1, B = 1, u = 0, x(0) = 1, t = 1: the true solution is e^{-1}, the printed right "
        "side is 1. The step before it, e^{-tA}x(t) = e^{-tA}x(0) + ..., has the same slip "
        "(at t = 0 integration gives x(0), not e^{-tA}x(0)); the correct line is "
        "x(t) = e^{tA}x(0) + int ..., and with x(0) = 0 the kernel K(t) = C e^{tA} B is unaffected",
    )


def gbt_family(log):
    log.text("Approximate the integral $\\int_{t_k}^{t_{k+1}}(Ax + Bu)$ by a quadrature rule: the "
             "left endpoint gives forward Euler, the right endpoint backward Euler, their mean "
             "the trapezoid rule (bilinear); the weight $\\alpha$ on the right endpoint gives the "
             "generalized bilinear transform (gbt). Its $\\bar B$ uses $(I - \\alpha\\Delta A)^{-1}"
             "\\Delta B$ for every $\\alpha$, the convention of S4 and scipy:")
    log.define("gbt(alpha)", r"(\bar A, \bar B)",
               r"\left((I-\alpha\Delta A)^{-1}(I+(1-\alpha)\Delta A),\ (I-\alpha\Delta A)^{-1}\Delta B\right)")
    forward = discretize(A2, B2, dt, "forward_euler")
    log.equal("Forward Euler: left endpoint", sp.Matrix.hstack(*forward),
              sp.Matrix.hstack(sp.eye(2) + dt * A2, dt * B2),
              statement=r"\bar A = I + \Delta A,\ \bar B = \Delta B \ (A\ \text{generic}\ 2\times 2)")
    backward = discretize(A2, B2, dt, "backward_euler")
    M1 = sp.eye(2) - dt * A2
    log.equal("Backward Euler: right endpoint, solved for x_{k+1}",
              cancelled(sp.Matrix.hstack(M1 * backward[0], M1 * backward[1])),
              sp.Matrix.hstack(sp.eye(2), dt * B2),
              statement=r"(I - \Delta A)\bar A = I,\ (I-\Delta A)\bar B = \Delta B")
    bilinear = discretize(A2, B2, dt, "bilinear")
    M = sp.eye(2) - dt / 2 * A2
    log.equal("Bilinear: the trapezoid rule",
              cancelled(sp.Matrix.hstack(M * bilinear[0], M * bilinear[1])),
              sp.Matrix.hstack(sp.eye(2) + dt / 2 * A2, dt * B2),
              statement=r"(I - \tfrac\Delta2 A)\bar A = I + \tfrac\Delta2 A,\ "
                        r"(I - \tfrac\Delta2 A)\bar B = \Delta B")
    for alpha, name, pair in [(0, "forward_euler", forward), (HALF, "bilinear", bilinear),
                              (1, "backward_euler", backward)]:
        gbt = discretize(A2, B2, dt, ("gbt", alpha))
        log.equal(f"gbt({alpha}) is {name}", cancelled(sp.Matrix.hstack(*gbt) -
                                                        sp.Matrix.hstack(*pair)), sp.zeros(2, 3),
                  statement=rf"\mathrm{{gbt}}({sp.latex(alpha)}) = \text{{{name.replace('_', ' ')}}}")


def pade_and_local_error(log):
    p0, p1, q1 = sp.symbols("p0 p1 q1")
    residual = sp.expand(p0 + p1 * x - (1 + q1 * x) * (1 + x + x**2 / 2))
    solution = sp.solve([residual.coeff(x, k) for k in range(3)], [p0, p1, q1], dict=True)[0]
    pade = (solution[p0] + solution[p1] * x) / (1 + solution[q1] * x)
    log.equal("Pade (1,1) of e^x: p0 + p1 x = (1 + q1 x) e^x + O(x^3)", pade,
              (1 + x / 2) / (1 - x / 2),
              statement=r"R_{1,1}(x) = \frac{1 + x/2}{1 - x/2}"
                        r"\quad(p_0 = 1,\ p_1 = \tfrac12,\ q_1 = -\tfrac12)")
    Ab = discretize([[lam]], [1], dt, "bilinear")[0][0, 0]
    log.equal("The bilinear step of a scalar is R_{1,1}(Delta lambda)",
              sp.cancel(Ab - pade.subs(x, dt * lam)), 0,
              statement=r"\bar A = R_{1,1}(\Delta\lambda)")
    log.equal("Its error", sp.series(pade - sp.exp(x), x, 0, 4).removeO(), x**3 / 12,
              statement=r"R_{1,1}(x) - e^x = \tfrac{x^3}{12} + O(x^4)")
    log.text("Local errors against the exact step, as series in $\\Delta$ for a generic symbolic "
             "$2\\times2$ $A$ (the ZOH $\\bar B = \\int_0^\\Delta e^{sA}ds\\,B$ is the reference for "
             "$\\bar B$):")
    for alpha in (0, sp.Rational(1, 4), 1):
        Ab, Bb = discretize(A2, B2, dt, ("gbt", alpha))
        *low, err_A = dt_coefficients(Ab - exp_series(A2, 4), 3)
        err_B = dt_coefficients(Bb - exp_integral_series(A2, 4) * B2, 3)[2]
        log.check(f"gbt({alpha}): no error below dt^2",
                  all(m.is_zero_matrix for m in low))
        log.equal(f"gbt({alpha}): the dt^2 error", sp.Matrix.hstack(err_A, err_B),
                  sp.Matrix.hstack((alpha - HALF) * A2**2, (alpha - HALF) * A2 * B2),
                  statement=rf"\bar A - e^{{\Delta A}} = ({sp.latex(alpha - HALF)})\Delta^2A^2 + O(\Delta^3),"
                            rf"\ \bar B - \bar B_{{zoh}} = ({sp.latex(alpha - HALF)})\Delta^2AB + O(\Delta^3)")
    Ab, Bb = discretize(A2, B2, dt, "bilinear")
    errors = dt_coefficients(sp.Matrix.hstack(Ab - exp_series(A2, 5),
                                              Bb - exp_integral_series(A2, 5) * B2), 4)
    log.check("bilinear: no error below dt^3", all(m.is_zero_matrix for m in errors[:3]))
    log.equal("bilinear: the dt^3 error", errors[3],
              sp.Matrix.hstack(A2**3 / 12, A2**2 * B2 / 12),
              statement=r"\bar A - e^{\Delta A} = \tfrac{\Delta^3}{12}A^3 + O(\Delta^4),\ "
                        r"\bar B - \bar B_{zoh} = \tfrac{\Delta^3}{12}A^2B + O(\Delta^4)")


def zero_order_hold(log):
    log.text("Zero-order hold: $u$ constant over the step makes the exact step a discretization, "
             "$\\bar A = e^{\\Delta A}$, $\\bar B = \\int_0^\\Delta e^{sA}ds\\,B$ "
             "$= A^{-1}(e^{\\Delta A} - I)B$ for invertible $A$. Closed forms: diagonal, triangular "
             "with distinct eigenvalues (exact eigenvectors by substitution), nilpotent (finite "
             "series); other $A$ go to the oracle layer.")
    A, B = hippo("legs", 3)
    Ab, Bb = discretize(A, B, dt, "zoh")
    log.equal("LegS N = 3: Abar = e^{Delta A} (sympy's Matrix.exp as the reference)",
              Ab, (dt * A).exp(), statement=rf"e^{{\Delta A}} = {sp.latex(Ab)}")
    log.equal("It solves d/dDelta Abar = A Abar", cancelled(Ab.diff(dt) - A * Ab), sp.zeros(3),
              statement=r"\partial_\Delta \bar A - A\bar A = 0,\ \bar A|_{\Delta=0} = I")
    log.check("... with Abar(0) = I", Ab.subs(dt, 0) == sp.eye(3))
    log.equal("Seed 004's form of Bbar, (e^{Delta A} - I) A^{-1} B (A^{-1} commutes with e^{Delta A})",
              Bb, ((Ab - sp.eye(3)) * A.inv() * B).applyfunc(sp.expand),
              statement=r"\bar B = (e^{\Delta A} - I)A^{-1}B = " + sp.latex(Bb))
    lams = [-HALF + sp.I * sp.pi * n for n in range(3)]
    L, BL = sp.diag(*lams), sp.Matrix([1, 1, 1])
    AbL, BbL = discretize(L, BL, dt, "zoh")
    log.equal("Seed 004's ZOH on seed 003's S4D-Lin diagonal (lambda_n = -1/2 + i pi n): Abar = exp(Delta Lambda)",
              AbL, sp.diag(*[sp.exp(dt * v) for v in lams]),
              statement=r"\bar A = \mathrm{diag}(e^{\Delta\lambda_n}),\ \lambda_n = -\tfrac12 + i\pi n")
    log.equal("... and Bbar = (exp(Delta Lambda) - I) Lambda^{-1} B",
              BbL, (AbL - sp.eye(3)) * L.inv() * BL,
              statement=r"\bar B_n = \frac{e^{\Delta\lambda_n} - 1}{\lambda_n}B_n")
    C3, L_len = sp.Matrix([[2, -1, 3]]), 4
    vandermonde = sp.Matrix(3, L_len, lambda n, k: AbL[n, n] ** k)
    log.equal("Seed 003: the kernel of a diagonal system is a Vandermonde product",
              sp.Matrix([power_kernel(AbL, BbL, C3, L_len)]),
              (sp.Matrix([[C3[n] * BbL[n] for n in range(3)]]) * vandermonde).applyfunc(sp.expand),
              statement=r"\bar K_k = C\bar A^k\bar B = \sum_n C_n\bar B_n\,\bar A_n^{\,k}"
                        r"\quad (k < L = 4)")
    Ab0, Bb0 = discretize(sp.diag(0, -1), [1, 1], dt, "zoh")
    log.equal("Where lambda = 0 the seed formula (which needs Lambda^{-1}) is replaced by its limit",
              Bb0, sp.Matrix([dt, 1 - sp.exp(-dt)]),
              statement=r"\lambda = 0:\ \bar B_n = \int_0^\Delta ds\,B_n = \Delta B_n")
    Ab_n, Bb_n = discretize([[0, 1], [0, 0]], [0, 1], dt, "zoh")
    log.equal("Nilpotent A: the series stops", sp.Matrix.hstack(Ab_n, Bb_n),
              sp.Matrix([[1, dt, dt**2 / 2], [0, 1, dt]]))
    # Seed 004 prints a "HiPPO-LegS" matrix: sqrt(2i+1)sqrt(2j+1) above the diagonal, i + 1/2 on it.
    seed = sp.Matrix(2, 2, lambda i, j: sp.sqrt((2 * i + 1) * (2 * j + 1)) if i < j
                     else (i + HALF if i == j else 0))
    legs2 = hippo("legs", 2)[0]
    log.seed_error(
        "seed 004, the HiPPO-LegS matrix its H3 code discretizes",
        r"A_{ij} = \sqrt{2i+1}\sqrt{2j+1}\ (i<j),\quad A_{ii} = i + \tfrac12,\quad A_{ij} = 0\ (i > j)",
        seed, legs2,
        "N = 2: the printed matrix is [[1/2, sqrt 3], [0, 3/2]], LegS is [[-1, 0], [-sqrt 3, -2]]. "
        "The printed one is -A^T - I/2: positive eigenvalues 1/2, 3/2, so its ZOH step "
        "e^{Delta A} has spectral radius e^{3 Delta/2} > 1 and the recurrence blows up",
    )
    log.equal("(that is, seed 004's matrix is -A^T - I/2 of LegS)", seed,
              -legs2.T - sp.eye(2) / 2)


def output_conventions(log):
    log.text("Output convention. scipy's cont2discrete (gbt) also changes the output: "
             "$C_d = C(I - \\alpha\\Delta A)^{-1}$, $D_d = D + \\alpha C\\bar B$. With "
             "$w = \\alpha z + 1 - \\alpha$ and $s = (z-1)/(\\Delta w)$: "
             "$zI - \\bar A = (I - \\alpha\\Delta A)^{-1}\\Delta w\\,(sI - A)$, hence:")
    A = sp.Matrix([[-1, 0], [1, -2]])
    B, C, D = sp.Matrix([1, 3]), sp.Matrix([[2, -1]]), sp.Integer(5)
    S = sp.Symbol("s")

    def transfer(Am, Bm, Cm, Dm, var):
        return sp.cancel((Cm * (var * sp.eye(2) - Am).inv() * Bm)[0, 0] + Dm)

    for alpha in (sp.Rational(1, 4), HALF):
        w = alpha * z + 1 - alpha
        H = transfer(A, B, C, D, S).subs(S, (z - 1) / (dt * w))
        scipy_variant = transfer(*discretize_with_output(A, B, C, D, dt, ("gbt", alpha), "scipy"), z)
        unchanged = transfer(*discretize_with_output(A, B, C, D, dt, ("gbt", alpha)), z)
        log.equal(f"alpha = {alpha}: the scipy variant keeps the transfer function",
                  sp.cancel(scipy_variant - H), 0,
                  statement=r"C_d(zI-\bar A)^{-1}\bar B + D_d = H(s)")
        log.equal(f"alpha = {alpha}: with C unchanged it is divided by alpha z + 1 - alpha",
                  sp.cancel(unchanged - D - (H - D) / w), 0,
                  statement=r"C(zI-\bar A)^{-1}\bar B = \frac{H(s) - D}{\alpha z + 1 - \alpha}")
        log.check(f"alpha = {alpha}: so the two differ", sp.cancel(unchanged - H) != 0)


def legs_stability(log):
    A, B = hippo("legs", 4)
    euler = discretize(A, B, 1, "forward_euler")[0].eigenvals()
    bilinear = discretize(A, B, 1, "bilinear")[0].eigenvals()
    log.equal("LegS N = 4, Delta = 1: eigenvalues of I + Delta A (computed from the matrix)",
              sp.Matrix(sorted(euler)), sp.Matrix([-3, -2, -1, 0]),
              statement=r"\mathrm{spec}(I + A) = \{0, -1, -2, -3\}:\ \rho = 3 > 1")
    log.equal("... and of the bilinear Abar", sp.Matrix(sorted(bilinear)),
              sp.Matrix([-sp.Rational(1, 3), -sp.Rational(1, 5), 0, sp.Rational(1, 3)]),
              statement=r"\mathrm{spec} = \left\{\tfrac{1-n/2}{1+n/2}\right\}_{n=1}^4 = "
                        r"\{\tfrac13, 0, -\tfrac15, -\tfrac13\}:\ \rho = \tfrac13 < 1")
    log.check("Forward Euler is unstable, bilinear is stable",
              max(abs(v) for v in euler) > 1 > max(abs(v) for v in bilinear))


def legs_recurrences(log):
    log.text("LegS is time-varying, $c'(t) = (Ac + Bf)/t$, so it is discretized on the grid "
             "$t_k = t_0 + kh$: forward Euler $c_{k+1} = (I + \\tfrac{h}{t_k}A)c_k + \\tfrac{h}{t_k}Bf_k$; "
             "backward Euler $(I - \\tfrac{h}{t_{k+1}}A)c_{k+1} = c_k + \\tfrac{h}{t_{k+1}}Bf_{k+1}$; "
             "the trapezoid rule (bilinear) with both ends; and ZOH with $f$ frozen at $f_k$: "
             "with $\\tau = \\log t$, $dc/d\\tau = Ac + Bf$, so")
    log.define("LegS ZOH step", r"c_{k+1}", r"r^A c_k + A^{-1}(r^A - I)Bf_k,\quad r = t_{k+1}/t_k")
    A, B = hippo("legs", 3)
    h = sp.Symbol("h", positive=True)
    ck, tk, fk = sp.Matrix([1, 2, 3]), sp.Rational(3, 2), sp.Integer(2)
    c_of_h = legs_step(ck, tk, h, fk, 0, A, B, "zoh")
    log.equal("It solves the ODE with f frozen (symbolic h)",
              cancelled(c_of_h.diff(h) - (A * c_of_h + B * fk) / (tk + h)), sp.zeros(3, 1),
              statement=r"\partial_h c - \frac{A c + B f_k}{t_k + h} = 0,\ c|_{h=0} = c_k")
    power = sp.Matrix.hstack(*[legs_step(sp.eye(3)[:, j], 1, 1, 0, 0, A, B, "zoh")
                               for j in range(3)])
    log.equal("r = 2 (t_k = h = 1): the step's state matrix is 2^A = e^{A log 2}",
              power, (sp.log(2) * A).exp().applyfunc(sp.expand),
              statement=rf"2^A = {sp.latex(power)}")
    scale = sp.diag(*[sp.sqrt(2 * n + 1) for n in range(3)])
    log.check("r^A is rational up to the basis scaling sqrt(2n+1) (eigenvalues -1..-N are integers)",
              all(e.is_Rational for e in (scale.inv() * power * scale).applyfunc(sp.expand)),
              latex=r"\mathrm{diag}(\sqrt{2n+1})^{-1}\,2^A\,\mathrm{diag}(\sqrt{2n+1}) \in \mathbb{Q}^{3\times3}")
    # Convergence: exact projection at t0 = 1 as start, error at T = 2.
    f = 1 - 2 * s + 3 * s**2 - 4 * s**3
    exact, t = projection(f, N_CONV)
    c0, cT = exact.subs(t, 1), exact.subs(t, 2)
    slopes = {}
    for method in ORDERS:
        errors = []
        for n in DIVISIONS:
            states = legs_integrate(A, B, lambda tt: f.subs(s, tt), 1, c0, sp.Rational(1, n), n,
                                    method)
            errors.append(max(abs(float(sp.N(e, 30))) for e in states[-1] - cT))
        slopes[method] = float(np.polyfit(np.log([1 / n for n in DIVISIONS]), np.log(errors), 1)[0])
    table = ", ".join(f"{m}: {v:.4f}" for m, v in slopes.items())
    log.check("Measured orders (N = 3, f = 1 - 2s + 3s^2 - 4s^3, t in [1, 2], h = 1/8 .. 1/64)",
              all(abs(slopes[m] - p) < 0.15 for m, p in ORDERS.items()),
              detail=f"slopes of log max-error vs log h: {table}; expected 1, 1, 2, 1",
              latex=r"\text{slope} = p \pm 0.15")
    states = legs_integrate(A, B, lambda tt: 1, 1, sp.zeros(3, 1), sp.Rational(1, 4), 4, "zoh")
    step_exact, t = projection(sp.Integer(1), 3, lower=1)
    log.equal("ZOH is exact for constant f (from c = 0 at t = 1: f = 1 on [1, t])",
              states[-1], step_exact.subs(t, 2),
              statement=r"c_4 = c(2),\ c_n(t) = \tfrac1t\int_1^t p_n(\tfrac{2s}{t}-1)\,ds")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
