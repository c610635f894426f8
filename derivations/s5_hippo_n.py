"""S5: HiPPO-N from the LegS NPLR decomposition, its spectrum, conjugate-symmetric storage, ZOH/bilinear.

Run directly to print every step: python derivations/s5_hippo_n.py
"""

import mpmath
import sympy as sp

from hippo_verify.symbolic import (
    DerivationLog,
    discretize,
    hippo,
    hippo_n,
    hippo_n_eigenvalues,
    hippo_nplr,
    s5_discretize,
    s5_scan_exact,
)
from hippo_verify.symbolic._discretize import Eigenbasis

TITLE = (
    "S5: HiPPO-N (the normal part of LegS), its eigenvalues, conjugate symmetry, ZOH and bilinear"
)
R = sp.Rational
HALF = R(1, 2)
N_STRUCT = 6  # structural identities
N_NUMERIC = 12  # exact eigenvalues against mpmath.eig


def derive(log):
    log.text(
        "S5 replaces S4's $H$ single-input systems by one multi-input, multi-output system "
        "with $P$ states: $x'(t) = Ax + Bu$, $y = Cx + Du$, $u, y \\in \\mathbb R^H$, "
        "parametrized directly in the eigenbasis of $A$: $A = V\\Lambda V^{-1}$, "
        "$\\tilde B = V^{-1}B$, $\\tilde C = CV$. That needs an $A$ that is stably "
        "diagonalizable, and LegS is not (its eigenvectors are exponentially ill-conditioned); "
        "S5 takes the normal part of its NPLR decomposition instead."
    )
    ill_conditioned_legs(log)
    normal_part(log)
    spectrum(log)
    discretizations(log)
    conjugate_symmetry(log)


def ill_conditioned_legs(log):
    D = {}
    growth = []
    for N in (4, 8, 12, 16):
        A, _ = hippo("legs", N)
        D[N] = sp.diag(*[sp.sqrt(2 * n + 1) for n in range(N)])
        scaled = (D[N].inv() * A * D[N]).applyfunc(
            sp.radsimp
        )  # rational, same eigenvectors up to D
        basis = Eigenbasis.of(scaled)
        V, V_inv = D[N] * basis.P, basis.P_inv * D[N].inv()
        growth.append(max(abs(sp.N(v)) for v in V) * max(abs(sp.N(v)) for v in V_inv))
    log.check(
        "LegS's eigenvector matrix V (exact) is exponentially ill-conditioned",
        all(x < y for x, y in zip(growth, growth[1:])) and growth[-1] > 2**40,
        detail="max|V| max|V^{-1}| for N = 4, 8, 12, 16: "
        + ", ".join(f"{float(g):.3g}" for g in growth)
        + " (about 2^{3.2} more per state); HiPPO-N's V is unitary (below).",
        latex=r"\max|V|\,\max|V^{-1}| \approx 2^{3.2N}\quad(A_{LegS} = V\Lambda V^{-1})",
    )


def normal_part(log):
    N = N_STRUCT
    A, _ = hippo("legs", N)
    nplr = hippo_nplr("legs", N)
    P = nplr.low_rank
    AN = hippo_n(N)
    log.equal(
        f"HiPPO-N = A_LegS + P P^T, P from the NPLR decomposition (hippo_nplr, N = {N})",
        AN,
        (A + P * P.T).applyfunc(sp.radsimp),
        statement=r"A_N := A_{LegS} + PP^T = -\tfrac12 I + S,\quad P_n = \sqrt{n + \tfrac12}",
        detail="S5's make_HiPPO returns -(tril(sqrt(2n+1) sqrt(2k+1)) - diag(n)), the canonical "
        "A_LegS; make_DPLR_HiPPO forms S = A + P[:, None] * P[None, :] from it.",
    )
    log.equal(
        "Its entries",
        AN,
        sp.Matrix(
            N,
            N,
            lambda n, k: (
                -HALF if n == k else sp.sign(k - n) * sp.sqrt((2 * n + 1) * (2 * k + 1)) / 2
            ),
        ),
        statement=r"(A_N)_{nn} = -\tfrac12,\quad (A_N)_{nk} = \operatorname{sign}(k-n)\,"
        r"\tfrac12\sqrt{(2n+1)(2k+1)}",
    )
    log.equal(
        "A_N is normal",
        (AN * AN.T - AN.T * AN).applyfunc(sp.expand),
        sp.zeros(N),
        statement=r"A_NA_N^T = A_N^TA_N",
    )
    log.equal(
        "Its symmetric part is -I/2",
        AN + AN.T,
        -sp.eye(N),
        statement=r"A_N + A_N^T = -I\ \Rightarrow\ 2\,\mathrm{Re}\,\lambda = "
        r"v^*(A_N + A_N^T)v = -1\ \text{ for } A_Nv = \lambda v,\ |v| = 1",
    )
    log.check(
        "S5 sets Lambda_real = mean(diag S) = -1/2: every diagonal entry is -1/2",
        all(AN[n, n] == -HALF for n in range(N)),
        latex=r"\mathrm{Re}\,\lambda_n = -\tfrac12\ \text{exactly, for every } n",
    )


def spectrum(log):
    log.text(
        "The imaginary parts are the eigenvalues $\\omega$ of the Hermitian matrix $-iS$ "
        "(S5: `eigh(S * -1j)`, ascending). With $D = \\mathrm{diag}(\\sqrt{2n+1})$, "
        "$S = DTD$, $T_{nk} = \\mathrm{sign}(k - n)/2$, so $D^{-1}SD = TD^2$ is rational and "
        "$\\det(\\lambda I - S)$ has rational coefficients and only powers of the parity of $N$:"
    )
    N = N_STRUCT
    S = hippo_nplr("legs", N).skew
    D = sp.diag(*[sp.sqrt(2 * n + 1) for n in range(N)])
    T = sp.Matrix(N, N, lambda n, k: sp.sign(k - n) / 2)
    log.equal(f"S = D T D (N = {N})", S, D * T * D, statement=r"S = DTD")
    lam = sp.Symbol("lambda")
    for n, expected in [
        (2, [-HALF - sp.I * sp.sqrt(3) / 2, -HALF + sp.I * sp.sqrt(3) / 2]),
        (3, [-HALF - sp.I * sp.sqrt(23) / 2, -HALF, -HALF + sp.I * sp.sqrt(23) / 2]),
    ]:
        log.equal(
            f"N = {n}: the eigenvalues (hippo_n_eigenvalues)",
            sp.Matrix(hippo_n_eigenvalues(n)),
            sp.Matrix(expected),
            statement=r"\mathrm{spec}\,A_N = \{" + ", ".join(sp.latex(v) for v in expected) + r"\}",
        )
    for n in (2, 3, 4):
        product = sp.expand(sp.Mul(*[lam - v for v in hippo_n_eigenvalues(n)]))
        charpoly = hippo_n(n).charpoly(lam).as_expr()
        log.equal(
            f"N = {n}: they are the roots of det(lambda I - A_N) (computed from A_N itself)",
            sp.Matrix(sp.Poly(product, lam).all_coeffs()),
            sp.Matrix(sp.Poly(charpoly, lam).all_coeffs()),
            statement=r"\prod_k(\lambda - \lambda_k) = \det(\lambda I - A_N)",
        )
    four = hippo_n_eigenvalues(4)
    log.equal(
        "N = 4 in radicals",
        sp.Matrix(four),
        sp.Matrix(
            [
                -HALF - sp.I * sp.sqrt(R(43, 4) + sp.sqrt(109)),
                -HALF - sp.I * sp.sqrt(R(43, 4) - sp.sqrt(109)),
                -HALF + sp.I * sp.sqrt(R(43, 4) - sp.sqrt(109)),
                -HALF + sp.I * sp.sqrt(R(43, 4) + sp.sqrt(109)),
            ]
        ),
        statement=r"\omega^2 = \tfrac{43}{4} \pm \sqrt{109}",
    )
    for n in (2, 4, 6, 8):
        det = hippo_nplr("legs", n).skew.det()
        log.equal(
            f"N = {n}: det S = (2N-1)!!/2^N, the product of the omega^2",
            sp.radsimp(det),
            sp.factorial2(2 * n - 1) / 2**n,
            statement=rf"\det S = \prod\omega_k^2 = \frac{{(2N-1)!!}}{{2^N}} = "
            rf"{sp.latex(sp.factorial2(2 * n - 1) / 2**n)}",
        )
    exact = hippo_n_eigenvalues(N_NUMERIC)
    with mpmath.workdps(40):
        A_mp = mpmath.matrix(
            [[mpmath.mpf(sp.N(e, 60)) for e in row] for row in hippo_n(N_NUMERIC).tolist()]
        )
        numeric = sorted(mpmath.eig(A_mp, left=False, right=False), key=lambda v: v.imag)
        gap = max(abs(mpmath.mpc(sp.N(e, 40)) - v) for e, v in zip(exact, numeric))
    log.check(
        f"N = {N_NUMERIC}: the exact eigenvalues against mpmath.eig of A_N (40 digits)",
        gap < mpmath.mpf(10) ** -30,
        detail=f"max |exact - numeric| = {mpmath.nstr(gap, 3)}; max |omega| = "
        f"{float(sp.im(exact[-1])):.4f}. (The exact values are CRootOf roots of a "
        "rational polynomial in omega^2; mpmath.eig is an independent QR route.)",
        latex=r"\max_k|\lambda_k^{exact} - \lambda_k^{mpmath}| < 10^{-30}",
    )
    legs = sorted(hippo("legs", 4)[0].eigenvals())
    log.check(
        "The low-rank term is not a small perturbation: LegS has spec {-1, ..., -N}",
        legs == [-4, -3, -2, -1] and all(sp.re(v) == -HALF for v in four),
        detail="HiPPO-N's eigenvalues -1/2 + i omega are a different dynamics from LegS's "
        "real -1..-N: S5's initialisation is not S4's matrix diagonalised (seed 002 calls "
        "S5 'a simplified S4 with no new mathematics'; it drops exactly the P P^T that S4 "
        "keeps, is MIMO, and runs as a scan, not a convolution). (These are "
        "the eigenvalues S4 and DSS diagonalize, the 'diagonal matrix after DPLR' that "
        "seed 003 lists as an S4D initialisation, S4D-LegS.)",
        latex=r"\mathrm{spec}\,A_{LegS} = \{-1,-2,-3,-4\} \ne \mathrm{spec}\,A_N",
    )


def discretizations(log):
    log.text(
        "Per mode $p$ with its own step $\\Delta_p$ (S5's `exp(log_step)`), from the "
        "symbolic layer's `discretize` on the $1 \\times 1$ system (`s5_discretize`):"
    )
    alpha, beta = sp.symbols("alpha beta", real=True)
    d1, d2 = sp.symbols("Delta_1 Delta_2", positive=True)
    lams = [alpha + sp.I * beta, -1 + 2 * sp.I]
    B = sp.Matrix([[1, sp.Symbol("b_12")], [sp.Symbol("b_21"), 3]])
    Lz, Bz = s5_discretize(lams, B, [d1, d2], "zoh")
    log.equal(
        "ZOH",
        sp.Matrix.hstack(sp.Matrix(Lz), Bz),
        sp.Matrix.hstack(
            sp.Matrix([sp.exp(lam * d) for lam, d in zip(lams, (d1, d2))]),
            sp.diag(*[(sp.exp(lam * d) - 1) / lam for lam, d in zip(lams, (d1, d2))]) * B,
        ),
        statement=r"\bar\Lambda = e^{\Lambda\Delta},\quad \bar B = "
        r"\mathrm{diag}\Big(\frac{\bar\Lambda - 1}{\Lambda}\Big)\tilde B",
    )
    Lb, Bb = s5_discretize(lams, B, [d1, d2], "bilinear")
    log.equal(
        "Bilinear",
        sp.Matrix.hstack(sp.Matrix(Lb), Bb),
        sp.Matrix.hstack(
            sp.Matrix([(1 + lam * d / 2) / (1 - lam * d / 2) for lam, d in zip(lams, (d1, d2))]),
            sp.diag(*[d / (1 - lam * d / 2) for lam, d in zip(lams, (d1, d2))]) * B,
        ),
        statement=r"\bar\Lambda = \frac{1 + \Lambda\Delta/2}{1 - \Lambda\Delta/2},\quad "
        r"\bar B = \mathrm{diag}\Big(\frac{\Delta}{1 - \Lambda\Delta/2}\Big)\tilde B",
    )
    for method in ("zoh", "bilinear"):
        here, _ = discretize([[alpha + sp.I * beta]], [1], d1, method)
        there, _ = discretize([[alpha - sp.I * beta]], [1], d1, method)
        log.equal(
            f"{method}: the conjugate mode discretizes to the conjugate (real step)",
            sp.expand_complex(sp.conjugate(here[0, 0])),
            sp.expand_complex(there[0, 0]),
            statement=r"\overline{\bar\lambda(\lambda)} = \bar\lambda(\overline\lambda)",
        )


def conjugate_symmetry(log):
    log.text(
        "Conjugate symmetry. $A_N$ is real, so its eigenpairs come in conjugate pairs "
        "$(\\lambda, v)$, $(\\overline\\lambda, \\overline v)$ ($N$ even: $\\det S \\ne 0$, no "
        "real eigenvalue). First the lemma for one pair of discrete modes, any "
        "$\\bar\\lambda = \\ell$, $\\bar b = g$, $\\tilde c$ (complex, written as real and "
        "imaginary parts) and a real input: the conjugate mode's state is the conjugate state, "
        "so the pair's output is $2\\,\\mathrm{Re}$ of one half's:"
    )
    lr, li, gr, gi, cr, ci = sp.symbols("ell_r ell_i g_r g_i c_r c_i", real=True)
    u = sp.symbols("u_0:3", real=True)
    ell, g, c = lr + sp.I * li, gr + sp.I * gi, cr + sp.I * ci

    def states(mode, gain):
        x, out = 0, []
        for u_k in u:
            x = sp.expand(mode * x + gain * u_k)
            out.append(x)
        return out

    half, other = states(ell, g), states(sp.conjugate(ell), sp.conjugate(g))
    log.equal(
        "The conjugate mode's state is the conjugate state (L = 3)",
        sp.Matrix(other),
        sp.Matrix([sp.expand(sp.conjugate(x)) for x in half]),
        statement=r"x_k(\overline\ell, \overline g) = \overline{x_k(\ell, g)}\quad"
        r"(u \in \mathbb R)",
    )
    log.equal(
        "So the pair's output is 2 Re of the half's",
        sp.Matrix([sp.expand(c * x + sp.conjugate(c) * y) for x, y in zip(half, other)]),
        sp.Matrix([sp.expand(2 * sp.re(sp.expand(c * x))) for x in half]),
        statement=r"\tilde c\,x_k + \overline{\tilde c}\,\overline{x_k} = "
        r"2\,\mathrm{Re}(\tilde c\,x_k)",
    )
    hippo_n_two(log)


def hippo_n_two(log):
    log.text(
        "Then HiPPO-N, $N = 2$, $H = 2$ inputs and outputs, real symbolic $B$ and $C$. "
        "S5 keeps $\\lambda = -\\tfrac12 - i\\tfrac{\\sqrt3}{2}$ (the first of `eigh`'s "
        "ascending order), $\\tilde b = v^*B$, $\\tilde c = Cv$. The real system, "
        "discretized directly (bilinear: the symbolic layer's dense step; ZOH: sympy's "
        "matrix exponential, $A_N$ having no triangular closed form), is diagonalized by "
        "$V = [v, \\overline v]$ into the conjugate pair:"
    )
    AN = hippo_n(2)
    lam = hippo_n_eigenvalues(2)[0]
    v = (AN - lam * sp.eye(2)).nullspace()[0]
    v = (v / sp.sqrt(sp.expand((v.H * v)[0, 0]))).applyfunc(sp.radsimp)
    log.equal(
        "A unit eigenvector",
        (AN * v - lam * v).applyfunc(sp.expand),
        sp.zeros(2, 1),
        statement=rf"A_Nv = \lambda v,\ v = {sp.latex(v)},\ |v| = 1",
    )
    V = sp.Matrix.hstack(v, v.conjugate())
    log.equal(
        "V = [v, conj v] is unitary: V^{-1} = V^* (S5's B-tilde = V^* B)",
        (V.H * V).applyfunc(sp.expand),
        sp.eye(2),
        statement=r"V^*V = I",
    )
    B = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"b_{i}{j}", real=True))
    C = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"c_{i}{j}", real=True))
    b_half, c_half = (V.H * B)[0, :], (C * V)[:, 0]
    log.equal(
        "The other half of B-tilde and C-tilde is the conjugate (B, C real)",
        sp.Matrix.hstack((V.H * B)[1, :], (C * V)[:, 1].T),
        sp.Matrix.hstack(b_half.conjugate(), c_half.T.conjugate()),
        statement=r"\tilde B = \begin{pmatrix}\tilde b\\ \overline{\tilde b}\end{pmatrix},"
        r"\ \tilde C = (\tilde c,\ \overline{\tilde c})",
    )
    dt = R(1, 3)
    units = (R(1, 6), sp.sqrt(3) / 6)
    for method in ("bilinear", "zoh"):
        if method == "bilinear":
            Ab = discretize(AN, [1, 0], dt, method)[0]
            Bb = sp.Matrix.hstack(*[discretize(AN, B[:, h], dt, method)[1] for h in range(2)])
        else:
            Ab = (dt * AN).exp()
            Bb = AN.inv() * (Ab - sp.eye(2)) * B
        modes, Bb_diag = s5_discretize([lam, sp.conjugate(lam)], V.H * B, dt, method)
        log.equal(
            f"{method}: V^* Abar V = diag(Lbar, conj Lbar) and V^* Bbar = Bbar of B-tilde "
            "(Delta = 1/3)",
            _exponential_polynomial(sp.Matrix.hstack(V.H * Ab * V, V.H * Bb), *units),
            _exponential_polynomial(sp.Matrix.hstack(sp.diag(*modes), Bb_diag), *units),
            statement=r"V^*\bar A V = \mathrm{diag}(\bar\lambda, \overline{\bar\lambda}),"
            r"\ V^*\bar B = \bar B(\Lambda, V^*B)",
            detail="Compared as rational functions of p = e^{1/6} and w = e^{i sqrt3/6} "
            "after rewriting sin, cos, sinh, cosh as exponentials.",
        )
    log.text(
        "With $x = V\\tilde x$ the real output $Cx_k = \\tilde C\\tilde x_k$ is the pair's, "
        "which by the lemma is $2\\,\\mathrm{Re}$ of S5's half. End to end, with "
        "`s5_scan_exact` on concrete rational $B$, $C$, $u$:"
    )
    Bq, Cq = sp.Matrix([[1, -2], [R(1, 2), 3]]), sp.Matrix([[2, R(-1, 3)], [1, 1]])
    u = sp.Matrix(3, 2, lambda k, h: R(k + 1, h + 2) * (-1) ** k)
    for method in ("bilinear", "zoh"):
        half = s5_scan_exact(
            [lam],
            (v.H * Bq).applyfunc(sp.expand),
            (Cq * v).applyfunc(sp.expand),
            u,
            dt,
            discretization=method,
            conj_sym=True,
        )
        if method == "bilinear":
            Ab = discretize(AN, [1, 0], dt, method)[0]
            Bb = sp.Matrix.hstack(*[discretize(AN, Bq[:, h], dt, method)[1] for h in range(2)])
        else:
            Ab = (dt * AN).exp()
            Bb = AN.inv() * (Ab - sp.eye(2)) * Bq
        state, rows = sp.zeros(2, 1), []
        for k in range(u.rows):
            state = Ab * state + Bb * u[k, :].T
            rows.append((Cq * state).T)
        log.equal(
            f"{method}: S5's half-stored output = the real system's (L = 3)",
            half,
            sp.Matrix.vstack(*rows),
            statement=r"2\,\mathrm{Re}\big(\tilde c\,\tilde x_k\big) = C x_k",
        )
    log.check(
        "Odd N has a real eigenvalue -1/2, which 2 Re over 'half' would double: S5 needs even P",
        hippo_n_eigenvalues(3)[1] == -HALF,
        latex=r"N = 3:\ -\tfrac12 \in \mathrm{spec}\,A_N",
    )


def _exponential_polynomial(M, re_unit, im_unit):
    """Entries as rational functions of p = e^{re_unit}, w = e^{i im_unit} (a canonical form).

    sin, cos, sinh, cosh are rewritten as exponentials, and each e^{m re_unit + i n im_unit}
    (m, n integers, else ValueError) becomes p^m w^n.
    """
    p, w = sp.symbols("p w")

    def canonical(entry):
        entry = sp.expand(sp.sympify(entry).rewrite(sp.sin, sp.cos, sp.sinh, sp.cosh, sp.exp))
        replace = {}
        for atom in entry.atoms(sp.exp):
            re_part, im_part = atom.args[0].as_real_imag()
            m, n = sp.nsimplify(re_part / re_unit), sp.nsimplify(im_part / im_unit)
            if not (m.is_Integer and n.is_Integer):
                raise ValueError(f"unexpected exponential {atom}")
            replace[atom] = p**m * w**n
        return sp.cancel(sp.together(sp.radsimp(sp.expand(entry.xreplace(replace)))))

    return M.applyfunc(canonical)


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
