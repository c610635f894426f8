"""Selective scans: Mamba's B-bar = Delta B against the exact ZOH B-bar, locally and accumulated.

Run directly to print every step: python derivations/selective_discretization.py
"""

import mpmath
import sympy as sp

from hippo_verify.symbolic import (
    DerivationLog,
    discretize,
    mamba_bbar_error,
    mamba_zoh_ratio,
    selective_discretize,
    selective_scan_exact,
    zoh_input_series,
)

TITLE = "Selective scans: Mamba's discretization of B against exact ZOH"

dt = sp.Symbol(r"\Delta", positive=True)
x, s, sigma, y = sp.symbols("x s sigma y")
a, b = sp.symbols("a b")
R = sp.Rational
ORDER = 5  # series kept through Delta^5


def series_coefficients(expr, var, order):
    """Coefficients of var^0 .. var^(order-1) of the series of expr (exact)."""
    poly = sp.expand(sp.series(expr, var, 0, order).removeO())
    return [sp.simplify(poly.coeff(var, k)) for k in range(order)]


def derive(log):
    the_two_steps(log)
    scalar_local_error(log)
    matrix_local_error(log)
    exact_ratio(log)
    when_they_agree(log)
    accumulated_effect(log)


def the_two_steps(log):
    log.text(
        "Mamba's S6 is a time-varying diagonal system, one channel at a time: "
        "$x_t = \\bar A_t x_{t-1} + \\bar B_t u_t$, $y_t = C_t x_t + D u_t$ (output after the "
        "update, $x_{-1} = 0$), with $\\bar A_t = e^{\\Delta_t A}$ and a step $\\Delta_t$, "
        "$B_t$, $C_t$ that depend on the input. Two input matrices are in use: the exact "
        "zero-order hold and Mamba's simplification (its `selective_scan_ref`):"
    )
    log.define(
        "The two discretizations of B",
        r"\bar B_t",
        r"\underbrace{(\Delta_t A)^{-1}(e^{\Delta_t A} - I)\,\Delta_t B_t}_{\text{ZOH}}"
        r"\quad\text{or}\quad \underbrace{\Delta_t B_t}_{\text{Mamba}}",
    )
    Ab, Bz = selective_discretize([[a]], [b], dt, "zoh")
    _, Bm = selective_discretize([[a]], [b], dt, "mamba")
    log.equal(
        "Scalar mode a (from the symbolic layer's ZOH, discretize(..., 'zoh'))",
        sp.Matrix([Ab[0, 0], Bz[0, 0], Bm[0, 0]]),
        sp.Matrix([sp.exp(dt * a), (sp.exp(dt * a) - 1) / a * b, dt * b]),
        statement=r"\bar A = e^{\Delta a},\quad \bar B_{zoh} = \frac{e^{\Delta a} - 1}{a}\,b,"
        r"\quad \bar B_{mamba} = \Delta b",
    )
    exact = sp.integrate(sp.exp((dt - sigma) * a) * b, (sigma, 0, dt), conds="none")
    log.equal(
        "ZOH is the variation-of-constants integral with u held over the step",
        sp.simplify(exact - Bz[0, 0]),
        0,
        statement=r"\int_0^\Delta e^{(\Delta-\sigma)a}\,b\,d\sigma = \bar B_{zoh}",
    )
    log.equal(
        "Mamba's is the same integral by the right-endpoint rectangle rule",
        dt * (sp.exp((dt - sigma) * a) * b).subs(sigma, dt),
        Bm[0, 0],
        statement=r"\Delta\cdot e^{(\Delta-\sigma)a}b\,\big|_{\sigma=\Delta} = \Delta b",
        detail="That is: the input arrives as an impulse of weight Delta u_t at the end of the "
        "step, after the decay, instead of spread over the step.",
    )


def scalar_local_error(log):
    log.text(
        "The local error of the simplification, as a series in $\\Delta$ (sympy `series` "
        "of the closed forms):"
    )
    error = (sp.exp(dt * a) - 1) / a * b - dt * b
    coefficients = series_coefficients(error, dt, ORDER + 1)
    log.check(
        "No error at orders Delta^0 and Delta^1: both steps are Delta b + O(Delta^2)",
        coefficients[0] == 0 and coefficients[1] == 0,
        latex=r"\bar B_{zoh} - \bar B_{mamba} = O(\Delta^2)",
    )
    log.equal(
        "The error series: local error of order 2, leading term Delta^2 a b / 2",
        sp.Matrix(coefficients[2:]),
        sp.Matrix([a * b / 2, a**2 * b / 6, a**3 * b / 24, a**4 * b / 120]),
        statement=r"\bar B_{zoh} - \bar B_{mamba} = \frac{\Delta^2}{2}ab + \frac{\Delta^3}{6}a^2b"
        r" + \frac{\Delta^4}{24}a^3b + \frac{\Delta^5}{120}a^4b + O(\Delta^6)",
    )


def matrix_local_error(log):
    log.text(
        "A general (non-diagonal) $A$: the ZOH $\\bar B(\\Delta)$ solves $x' = Ax + B$, "
        "$x(0) = 0$, at $\\Delta$; Picard iteration $x_{k+1}(s) = \\int_0^s (Ax_k + B)$ gives "
        "its Taylor polynomial without any closed form of $e^{sA}$ (`zoh_input_series`), for "
        "a generic symbolic $2\\times 2$ $A$:"
    )
    a11, a12, a21, a22, b1, b2 = sp.symbols("a_11 a_12 a_21 a_22 b_1 b_2")
    A = sp.Matrix([[a11, a12], [a21, a22]])
    B = sp.Matrix([b1, b2])
    series = zoh_input_series(A, B, dt, ORDER)
    residual = (series.diff(dt) - A * series - B).applyfunc(sp.expand)
    log.check(
        "The series solves x' = A x + B up to the truncation (residual O(Delta^5)), x(0) = 0",
        all(sp.Poly(e, dt).monoms()[-1][0] >= ORDER for e in residual if e != 0)
        and series.subs(dt, 0).is_zero_matrix,
        latex=r"\partial_\Delta\bar B - A\bar B - B = O(\Delta^{5}),\quad \bar B(0) = 0",
    )
    error = mamba_bbar_error(A, B, dt, ORDER)
    pieces = [error.applyfunc(lambda e, k=k: e.coeff(dt, k)) for k in range(ORDER + 1)]
    log.check(
        "General A: no error at orders Delta^0, Delta^1",
        pieces[0].is_zero_matrix and pieces[1].is_zero_matrix,
        latex=r"\bar B_{zoh} - \Delta B = O(\Delta^2)",
    )
    log.equal(
        "General A: the leading terms",
        sp.Matrix.hstack(pieces[2], pieces[3]),
        sp.Matrix.hstack(A * B / 2, A**2 * B / 6).applyfunc(sp.expand),
        statement=r"\bar B_{zoh} - \bar B_{mamba} = \frac{\Delta^2}{2}AB + \frac{\Delta^3}{6}A^2B"
        r" + O(\Delta^4)\quad(A \text{ generic } 2\times2)",
    )
    companion = sp.Matrix([[0, 1], [-2, -3]])  # neither diagonal nor triangular
    closed = companion.inv() * ((dt * companion).exp() - sp.eye(2)) * sp.Matrix([1, 1])
    closed_series = closed.applyfunc(lambda e: sp.series(e, dt, 0, ORDER + 1).removeO())
    log.equal(
        "Independent route: sympy's closed-form A^{-1}(e^{Delta A} - I)B, A = [[0, 1], [-2, -3]]",
        closed_series.applyfunc(sp.expand),
        zoh_input_series(companion, [1, 1], dt, ORDER),
        statement=r"\text{series of } A^{-1}(e^{\Delta A} - I)B = \text{Picard series}"
        r"\ \text{through } \Delta^5",
    )


def exact_ratio(log):
    log.text(
        "For one mode the two differ by an exact factor, a function of $x = \\Delta a$ "
        "alone (`mamba_zoh_ratio`):"
    )
    ratio = sp.cancel(dt * b / ((sp.exp(dt * a) - 1) / a * b))
    log.equal(
        "Bbar_mamba / Bbar_zoh",
        ratio.subs(dt * a, x),
        mamba_zoh_ratio(x),
        statement=r"\frac{\bar B_{mamba}}{\bar B_{zoh}} = r(\Delta a),\quad r(x) = \frac{x}{e^x - 1}",
    )
    coefficients = series_coefficients(mamba_zoh_ratio(x), x, 8)
    bernoulli = [sp.Integer(1), -R(1, 2)] + [sp.bernoulli(n) / sp.factorial(n) for n in range(2, 8)]
    log.equal(
        "r is the generating function of the Bernoulli numbers",
        sp.Matrix(coefficients),
        sp.Matrix(bernoulli),
        statement=r"r(x) = \sum_n B_n^- \frac{x^n}{n!} = 1 - \frac x2 + \frac{x^2}{12} - "
        r"\frac{x^4}{720} + \frac{x^6}{30240} - \dots",
        detail="Reference: sympy.bernoulli(n)/n! for n >= 2 (B_1^- = -1/2; sympy >= 1.12 "
        "returns bernoulli(1) = +1/2, the other convention).",
    )
    log.equal(
        "r(x) + x/2 is even: the relative error has no x^3 term",
        sp.simplify((mamba_zoh_ratio(x) + x / 2 - x / 2 * sp.coth(x / 2)).rewrite(sp.exp)),
        0,
        statement=r"r(x) + \frac x2 = \frac x2\coth\frac x2,\quad\text{so}\quad "
        r"\frac{\bar B_{mamba} - \bar B_{zoh}}{\bar B_{zoh}} = -\frac{\Delta a}{2} + "
        r"\frac{(\Delta a)^2}{12} + O(\Delta^4)",
    )


def when_they_agree(log):
    log.text(
        "When are they equal? For a mode, iff $b = 0$ or $r(\\Delta a) = 1$, i.e. "
        "$\\varphi_1(z) := (e^z - 1)/z = 1$ at $z = \\Delta a$. Write "
        "$\\varphi_1(z) = \\int_0^1 e^{tz}dt$; for $\\mathrm{Re}\\,z \\le 0$, $z \\ne 0$: "
        "$\\mathrm{Re}\\,\\varphi_1(z) = \\int_0^1 e^{t\\,\\mathrm{Re} z}\\cos(t\\,\\mathrm{Im} z)"
        "\\,dt < 1$ (the integrand is $\\le 1$, and $< 1$ except at isolated $t$). So on the stable "
        "closed half plane the two agree **iff** $\\Delta a = 0$:"
    )
    t, z = sp.Symbol("t"), sp.Symbol("z", nonzero=True)
    log.equal(
        "phi_1 as an integral",
        sp.integrate(sp.exp(t * z), (t, 0, 1)),
        (sp.exp(z) - 1) / z,
        statement=r"\int_0^1 e^{tz}\,dt = \frac{e^z - 1}{z}\ (z \ne 0)",
    )
    with mpmath.workdps(30):
        root = -1 - mpmath.lambertw(-1 / mpmath.e, 1)
        residual = abs(mpmath.exp(root) - 1 - root)
    log.check(
        "Outside it there are other exact agreements (unstable complex modes only)",
        residual < mpmath.mpf(10) ** -25 and root.real > 0,
        detail=f"e^z = 1 + z at z = -1 - W_1(-1/e) = {mpmath.nstr(root, 12)} "
        f"(mpmath, 30 digits; |e^z - 1 - z| = {mpmath.nstr(residual, 3)}): Re z > 0.",
        latex=r"e^{z} = 1 + z,\ z = -1 - W_k(-1/e)\ (k \ne 0, -1):\ \mathrm{Re}\,z > 0",
    )
    log.text(
        "For a matrix, $\\bar B_{zoh} - \\bar B_{mamba} = \\Delta(\\varphi_1(\\Delta A) - I)B "
        "= \\Delta^2 A\\,g(\\Delta A)B$ with $g(z) = \\sum_k z^k/(k+2)!$, $g(0) = \\tfrac12$; "
        "the zeros of $g$ are the nonzero roots of $e^z = 1 + z$, all in $\\mathrm{Re}\\,z > 0$. "
        "So for $A$ with spectrum in the closed left half plane $g(\\Delta A)$ is invertible "
        "and commutes with $A$: the two agree **iff** $AB = 0$ (for every $B$: iff $A = 0$). "
        "$A = 0$ is not needed:"
    )
    A0, B0 = sp.Matrix([[0, 0], [1, -1]]), sp.Matrix([1, 1])
    log.equal(
        "An A != 0 with AB = 0: ZOH gives exactly Delta B (closed form)",
        discretize(A0, B0, dt, "zoh")[1],
        dt * B0,
        statement=r"A = \begin{pmatrix}0&0\\1&-1\end{pmatrix},\ B = (1, 1)^T:\ "
        r"\bar B_{zoh} = \Delta B",
    )
    log.check(
        "... and every term of the error series vanishes",
        mamba_bbar_error(A0, B0, dt, 8).is_zero_matrix,
        latex=r"\Delta^{j} A^{j-1}B/j! = 0\quad(j \ge 2)",
    )
    log.text(
        "With $\\Delta \\to 0$ they agree to first order only: the relative difference is "
        "$-\\Delta a/2$, which is not small for Mamba's fast modes (below)."
    )


def accumulated_effect(log):
    log.text(
        "Over a whole sequence, mode by mode: $\\bar B^{mamba}_{t,n} = r(\\Delta_t a_n)"
        "\\bar B^{zoh}_{t,n}$, so Mamba's scan **is** the ZOH scan with $B_{t,n}$ replaced "
        "by $r(\\Delta_t a_n)B_{t,n}$ (a reparametrization of the learned $B$; exact, any "
        "length). Checked with the exact scan, $L = 3$, $N = 2$, symbolic everything:"
    )
    L, N = 3, 2
    a_modes = [-sp.Symbol(f"alpha_{n}", positive=True) for n in range(N)]
    deltas = [sp.Symbol(f"Delta_{t}", positive=True) for t in range(L)]
    Bs = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"B_{t}{n}"))
    Cs = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"C_{t}{n}"))
    us = sp.symbols(f"u_0:{L}")
    rescaled = sp.Matrix(L, N, lambda t, n: mamba_zoh_ratio(deltas[t] * a_modes[n]) * Bs[t, n])
    mamba = selective_scan_exact(us, deltas, a_modes, Bs, Cs, discretization="mamba")
    zoh = selective_scan_exact(us, deltas, a_modes, rescaled, Cs, discretization="zoh")
    log.equal(
        "Mamba's scan = the ZOH scan of the rescaled B",
        sp.Matrix(mamba).applyfunc(sp.simplify),
        sp.Matrix(zoh).applyfunc(sp.simplify),
        statement=r"y^{mamba}(u; B) = y^{zoh}\big(u;\ r(\Delta_t a_n)B_{t,n}\big)",
    )
    log.text(
        "Hence $y^{mamba}_t - y^{zoh}_t = \\sum_{n}\\sum_{s \\le t} (r(\\Delta_s a_n) - 1)\\,"
        "C_{t,n}\\big(\\prod_{s<k\\le t} e^{\\Delta_k a_n}\\big)\\bar B^{zoh}_{s,n}u_s$: every "
        "term of the ZOH output is scaled by its own factor. For real $a \\le 0$, with "
        "$x = \\Delta a \\le 0$ and $r(x) - 1 = (\\tfrac x2\\coth\\tfrac x2 - 1) + \\tfrac{|x|}{2}$ "
        "and $1 \\le y\\coth y \\le 1 + y^2/3$:"
    )
    grid = [R(k, 20) for k in range(1, 400)]
    with mpmath.workdps(30):
        holds = all(
            1 <= mpmath.mpf(v) / mpmath.tanh(v) <= 1 + mpmath.mpf(v) ** 2 / 3
            for v in (mpmath.mpf(g.p) / g.q for g in grid)
        )
    log.check(
        "1 <= y coth y <= 1 + y^2/3 for y > 0 (mpmath, 30 digits, y = k/20 up to 20)",
        holds,
        detail="Beyond the grid y coth y < 1.0001 y < 1 + y^2/3 (coth 20 < 1 + 1e-17).",
        latex=r"\frac{|x|}{2} \le r(x) - 1 \le \frac{|x|}{2} + \frac{x^2}{12}\quad (x \le 0)",
    )
    log.text(
        "So $|y^{mamba}_t - y^{zoh}_t| \\le \\rho\\sum|\\text{terms}|$ with "
        "$\\rho = \\max_{s,n}(|\\Delta_s a_n|/2 + (\\Delta_s a_n)^2/12)$, and when every term "
        "has one sign (e.g. $C, B, u \\ge 0$) the relative gap lies in "
        "$[\\min|\\Delta a|/2,\\ \\rho]$: the two maps differ by a relative "
        "$\\Theta(\\max_t \\Delta_t|a|)$, not by rounding. A sequence with Mamba's "
        "initialisation ($\\Delta_t \\in [10^{-3}, 10^{-1}]$, S4D-Real $a_n = -(n+1)$, "
        "$N = 16$):"
    )
    deltas = [R(1, 1000), R(1, 10), R(1, 20), R(1, 50), R(3, 100), R(1, 10)]
    modes = [-1, -16]
    Bpos = sp.Matrix(len(deltas), 2, lambda t, n: R(1 + (t + n) % 3, 2))
    Cpos = sp.Matrix(len(deltas), 2, lambda t, n: R(2 + (t * n) % 2, 3))
    upos = [R(1 + t % 2, 1) for t in range(len(deltas))]
    got_m = selective_scan_exact(upos, deltas, modes, Bpos, Cpos, discretization="mamba")
    got_z = selective_scan_exact(upos, deltas, modes, Bpos, Cpos, discretization="zoh")
    gaps = [sp.N((m - z_) / z_, 30) for m, z_ in zip(got_m, got_z)]
    xs = [d * m for d in deltas for m in modes]
    low = min(abs(v) / 2 for v in xs)
    high = max(abs(v) / 2 + v**2 / 12 for v in xs)
    log.check(
        "The relative gap lies between the bounds (exact scans evaluated to 30 digits)",
        all(low <= g <= high for g in gaps),
        detail="Relative gaps y^mamba/y^zoh - 1 at t = 0..5: "
        + ", ".join(f"{float(g):.4f}" for g in gaps)
        + f"; bounds [{float(low):.4f}, {float(high):.4f}].",
        latex=r"\min\frac{|\Delta a|}{2} \le \frac{y^{mamba}_t - y^{zoh}_t}{y^{zoh}_t} \le "
        r"\max\Big(\frac{|\Delta a|}{2} + \frac{(\Delta a)^2}{12}\Big)",
    )
    fast = sp.N(mamba_zoh_ratio(R(-8, 5)) - 1, 20)
    log.check(
        "At Mamba's initialisation the fastest mode's B-bar doubles: r(-1.6) - 1 ~ 1.005",
        1 < fast < R(8, 10) + R(64, 25) / 12,
        detail=f"Delta = 0.1, a = -16: r(-1.6) - 1 = {float(fast):.6f} (bound 0.8 + 0.2133).",
        latex=r"r(-1.6) = \frac{1.6}{1 - e^{-1.6}} \approx 2.005",
    )


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
