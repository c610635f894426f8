"""RTF (seed 002): the generating function of a linear RNN is a rational function.

Run directly to print every step: python derivations/rtf.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog
from hippo_verify.symbolic._polynomials import companion
from hippo_verify.symbolic._rtf import (
    rational_generating_function,
    realize,
    transfer_function,
    truncated_generating_function,
    truncation_correction,
    untruncate,
)
from hippo_verify.symbolic._stability import schur_cohn_stable, sum_abs_bound_holds
from hippo_verify.symbolic._systems import power_kernel

TITLE = "RTF: the rational transfer function of a linear RNN (seed 002)"
R = sp.Rational
z, lam = sp.symbols("z lambda")
L = 4  # kernel length; omega = exp(-2 pi i / 4) = -i keeps every value in Q(i)
OMEGA = sp.exp(-2 * sp.pi * sp.I / L)

# A concrete non-normal system (d = 3) and a generic symbolic one.
AB = sp.Matrix([[R(1, 2), 1, 0], [0, R(-1, 3), 2], [1, 0, R(1, 4)]])
BB = sp.Matrix([1, 2, -1])
CBAR = sp.Matrix([[1, 0, 3]])
SYM_A = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"a_{i}{j}"))
SYM_B = sp.Matrix(3, 1, lambda i, _: sp.Symbol(f"b_{i}"))
SYM_C = sp.Matrix(1, 3, lambda _, j: sp.Symbol(f"c_{j}"))


def polynomial(coeffs, var=z):
    return sum(c * var**i for i, c in enumerate(coeffs))


def resolvent_form(A, B, C, at=z):
    """C (I - z A)^{-1} B by a linear solve."""
    return (C * (sp.eye(A.rows) - at * A).LUsolve(B))[0, 0]


def same_rational(log, title, lhs, rhs, statement):
    """Record lhs == rhs for rational functions: their difference cancels to 0."""
    log.equal(title, sp.cancel(sp.together(lhs - rhs)), 0, statement=statement)


def derive(log):
    recurrence(log)
    generating_functions(log)
    rational_form(log)
    sylvester(log)
    coefficient_chain(log)
    dft_form(log)
    companion_matrix(log)
    realization(log)
    zero_initialization(log)
    stability(log)


def recurrence(log):
    log.text("The linear RNN $x_{k+1} = \\bar A x_k + \\bar B u_k$, $y_{k+1} = \\bar C^* x_{k+1}$, "
             "$x_0 = 0$. In the package convention $\\bar C^*$ is the row `Cbar` and "
             "$\\bar K_k = \\bar C^* \\bar A^k \\bar B$.")
    u = sp.symbols("u0:6")
    state, outputs = sp.zeros(3, 1), []
    for k in range(5):
        state = AB * state + BB * u[k]
        outputs.append(sp.expand((CBAR * state)[0]))
    kernel = power_kernel(AB, BB, CBAR, 5)
    correct = [sum(kernel[k] * u[n - 1 - k] for k in range(n)) for n in range(1, 6)]
    log.equal("Unrolled recurrence: y_n = sum_{k<n} K_k u_{n-1-k}", sp.Matrix(outputs),
              sp.Matrix(correct),
              statement=r"y_n = \sum_{k=0}^{n-1} \bar C^*\bar A^k\bar B\,u_{n-1-k} \quad (n = 1..5)")
    printed = sum(kernel[k] * u[1 - k] for k in range(2))  # the seed's sum at L = 1
    log.seed_error(
        "Seed 002: the unrolled output is off by one",
        r"y_L = \sum_{k=0}^{L} \bar{C}^*\bar{A}^k \bar{B}u_{L-k}",
        outputs[0], printed,
        "the system above at L = 1: y_1 = C̄*B̄ u_0, but the printed sum reads C̄*B̄ u_1 + "
        "C̄*ĀB̄ u_0 (x_L depends on u_0..u_{L-1} only); correct: sum_{k=0}^{L-1} K_k u_{L-1-k}",
    )


def generating_functions(log):
    kernel = power_kernel(AB, BB, CBAR, 6)
    series = sp.series(resolvent_form(AB, BB, CBAR), z, 0, 6).removeO()
    log.equal("G(z) = C̄*(I - zĀ)^{-1}B̄ has Taylor coefficients K_k (6 terms)",
              sp.Matrix([series.coeff(z, k) for k in range(6)]), sp.Matrix(kernel),
              statement=r"\mathcal G(z) = \sum_k \bar C^*\bar A^k\bar B z^k = \bar C^*(I - z\bar A)^{-1}\bar B")
    telescoped = (sp.eye(3) - z * SYM_A) * sum((z**k * SYM_A**k for k in range(L)), sp.zeros(3, 3))
    log.equal("Telescoping (generic symbolic 3x3, L = 4)",
              telescoped.applyfunc(sp.expand), (sp.eye(3) - z**L * SYM_A**L).applyfunc(sp.expand),
              statement=r"(I - z\bar A)\sum_{k<L} z^k\bar A^k = I - z^L\bar A^L")
    log.equal("Truncated generating function, as an identity in z",
              truncated_generating_function(AB, BB, CBAR, L, z), polynomial(kernel[:L]),
              statement=r"\mathcal G_L(z) = \sum_{k<L}\bar K_k z^k = \bar C^*(I - z^L\bar A^L)(I - z\bar A)^{-1}\bar B")
    ct = truncation_correction(AB, CBAR, L)
    dft = [sp.expand(polynomial(kernel[:L], OMEGA**j)) for j in range(L)]
    at_roots = [sp.cancel(resolvent_form(AB, BB, ct, OMEGA**j)) for j in range(L)]
    log.equal("At z^L = 1 the corrected row gives the DFT (L = 4, omega = -i)",
              sp.Matrix(at_roots), sp.Matrix(dft),
              statement=r"\tilde C^* = \bar C^*(I - \bar A^L):\ \tilde C^*(I - \omega^l\bar A)^{-1}\bar B = \sum_{k<L}\bar K_k\omega^{lk}")


def rational_form(log):
    M = sp.eye(3) - z * SYM_A
    den = sp.Poly(M.det(method="laplace"), z)
    num = sp.Poly(sp.expand((SYM_C * M.adjugate() * SYM_B)[0]), z)
    log.check("Adjugate argument (generic 3x3): det(I - zĀ) has degree 3 and constant 1, "
              "C̃ adj(I - zĀ) B̄ has degree 2",
              den.degree() == 3 and den.eval(0) == 1 and num.degree() == 2,
              latex=r"(I - z\bar A)^{-1} = \frac{\operatorname{adj}(I - z\bar A)}{\det(I - z\bar A)}")
    nilpotent = sp.Matrix([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    log.check("Precision: the degree is d only when det Ā != 0 (a_d = (-1)^d det Ā); "
              "for nilpotent Ā the denominator is 1",
              sp.expand((sp.eye(3) - z * nilpotent).det()) == 1,
              latex=r"\deg_z\det(I - z\bar A) \le d,\ \text{with equality iff}\ \det\bar A \ne 0")


def sylvester(log):
    U = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"u_{i}{j}"))
    V = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"v_{i}{j}"))
    I2, I3, Z23, Z32 = sp.eye(2), sp.eye(3), sp.zeros(2, 3), sp.zeros(3, 2)
    block = sp.BlockMatrix([[I2, U], [-V, I3]]).as_explicit()
    left = sp.BlockMatrix([[I2 + U * V, U], [Z32, I3]]).as_explicit() * sp.BlockMatrix(
        [[I2, Z23], [-V, I3]]).as_explicit()
    right = sp.BlockMatrix([[I2, Z23], [-V, I3 + V * U]]).as_explicit() * sp.BlockMatrix(
        [[I2, U], [Z32, I3]]).as_explicit()
    log.equal("Block factorizations (symbolic U 2x3, V 3x2)", (left - block).applyfunc(sp.expand),
              sp.zeros(5, 5),
              statement=r"\begin{pmatrix}I & U\\ -V & I\end{pmatrix} = \begin{pmatrix}I+UV & U\\ 0 & I\end{pmatrix}\begin{pmatrix}I & 0\\ -V & I\end{pmatrix}")
    log.equal("... and the other way", (right - block).applyfunc(sp.expand), sp.zeros(5, 5),
              statement=r"\begin{pmatrix}I & U\\ -V & I\end{pmatrix} = \begin{pmatrix}I & 0\\ -V & I+VU\end{pmatrix}\begin{pmatrix}I & U\\ 0 & I\end{pmatrix}")
    log.equal("Sylvester's identity for non-square U, V",
              (I2 + U * V).det(method="laplace"), sp.expand((I3 + V * U).det(method="laplace")),
              statement=r"\det(I + UV) = \det(I + VU)")
    P, Q = sp.Matrix([[2, 1], [1, 1]]), sp.Matrix([[1, R(1, 2)], [0, 3]])
    S, T = sp.Matrix([[1, -1], [2, 0]]), sp.Matrix([[4, 1], [1, 2]])
    full = sp.BlockMatrix([[P, Q], [S, T]]).as_explicit().det()
    log.equal("Schur complements (a concrete 4x4 with invertible diagonal blocks)",
              sp.Matrix([full, full]),
              sp.Matrix([P.det() * (T - S * P.inv() * Q).det(), T.det() * (P - Q * T.inv() * S).det()]),
              statement=r"\det\begin{pmatrix}A & B\\ C & D\end{pmatrix} = \det A\det(D - CA^{-1}B) = \det D\det(A - BD^{-1}C)")


def coefficient_chain(log):
    log.text("The chain of equalities giving $a$ and $b$, with $\\lambda = z^{-1}$, on the "
             "concrete system with $\\tilde C^* = \\bar C^*(I - \\bar A^4)$:")
    ct = truncation_correction(AB, CBAR, L)
    ilam = sp.eye(3) / z - AB
    G = resolvent_form(AB, BB, ct)
    step1 = (1 + (ct * ilam.LUsolve(BB))[0] - 1) / z
    same_rational(log, "(I - zĀ)^{-1} = z^{-1}(z^{-1}I - Ā)^{-1}", G, step1,
                  r"\mathcal G_L = z^{-1}\left[1 + \tilde C^*(z^{-1}I - \bar A)^{-1}\bar B - 1\right]")
    rank_one = (sp.eye(3) + ilam.inv() * BB * ct).det()
    same_rational(log, "Rank-one Sylvester", 1 + (ct * ilam.LUsolve(BB))[0], rank_one,
                  r"1 + \tilde C^*(z^{-1}I - \bar A)^{-1}\bar B = \det\left(I + (z^{-1}I - \bar A)^{-1}\bar B\tilde C^*\right)")
    log.equal("Factor out the resolvent", (sp.eye(3) + ilam.inv() * BB * ct).applyfunc(sp.cancel),
              (ilam.inv() * (ilam + BB * ct)).applyfunc(sp.cancel),
              statement=r"I + (z^{-1}I - \bar A)^{-1}\bar B\tilde C^* = (z^{-1}I - \bar A)^{-1}(z^{-1}I - \bar A + \bar B\tilde C^*)")
    N, D = (ilam + BB * ct).det(), ilam.det()
    same_rational(log, "Determinant of a product", rank_one, N / D,
                  r"\det(\dots) = \frac{\det(z^{-1}I - \bar A + \bar B\tilde C^*)}{\det(z^{-1} I - \bar A)}")
    same_rational(log, "Multiply by z^d / z^d", G, z**2 * (N - D) / (z**3 * D),
                  r"\mathcal G_L = \frac{z^{d-1}\left[\det(z^{-1}I - \bar A + \bar B\tilde C^*) - \det(z^{-1}I - \bar A)\right]}{z^d\det(z^{-1}I - \bar A)}")
    a, b = transfer_function(AB, BB, ct)
    log.equal("Denominator: z^d det(z^{-1}I - Ā) = 1 + a_1 z + ... + a_d z^d",
              sp.expand(z**3 * D), polynomial([1, *a]),
              statement=r"z^d\det(z^{-1}I - \bar A) = 1 + a_1z + \dots + a_dz^d")
    log.equal("Numerator: b from det(λI - Ā + B̄C̃*) - det(λI - Ā)",
              sp.expand(z**2 * (N - D)), polynomial(b),
              statement=r"z^{d-1}\left[\det(\lambda I - \bar A + \bar B\tilde C^*) - \det(\lambda I - \bar A)\right]_{\lambda = 1/z} = b_1 + b_2z + \dots + b_dz^{d-1}")
    closed_loop = (lam * sp.eye(3) - AB + BB * ct).det(method="laplace")
    log.equal("Closed loop: det(λI - Ā + B̄C̃*) (cofactor expansion) has coefficients a + b",
              sp.expand(closed_loop), lam**3 + sum((x + y) * lam ** (2 - i) for i, (x, y) in enumerate(zip(a, b))),
              statement=r"\det(\lambda I - \bar A + \bar B\tilde C^*) = \lambda^d + (a_1 + b_1)\lambda^{d-1} + \dots + (a_d + b_d)")
    a, b = transfer_function(SYM_A, SYM_B, SYM_C)
    M = sp.eye(3) - z * SYM_A
    log.equal("Generic symbolic 3x3: numerator and denominator (cofactor expansion)",
              sp.Matrix([M.det(method="laplace"), (SYM_C * M.adjugate(method="laplace") * SYM_B)[0]]).applyfunc(sp.expand),
              sp.Matrix([polynomial([1, *a]), polynomial(b)]),
              statement=r"\tilde C^*(I - z\bar A)^{-1}\bar B = \frac{b_1 + b_2 z + \dots + b_d z^{d-1}}{1 + a_1 z + \dots + a_d z^d}")


def dft_form(log):
    ct = truncation_correction(AB, CBAR, L)
    a, b = transfer_function(AB, BB, ct)
    padded_a, padded_b = [1, *a] + [0] * (L - 4), [*b] + [0] * (L - 3)
    dft_a = [polynomial(padded_a, OMEGA**j) for j in range(L)]
    dft_b = [polynomial(padded_b, OMEGA**j) for j in range(L)]
    dft_k = [polynomial(power_kernel(AB, BB, CBAR, L), OMEGA**j) for j in range(L)]
    log.equal("DFT(K) = DFT(b padded) / DFT(1, a padded) (d = 3 < L = 4)",
              sp.Matrix([sp.cancel(x / y) for x, y in zip(dft_b, dft_a)]), sp.Matrix(dft_k),
              statement=r"DFT(\bar K_{<L}) = \frac{DFT(b_1, \dots, b_d, 0, \dots)}{DFT(1, a_1, \dots, a_d, 0, \dots)}")
    log.text("The seed writes the padded sum as $\\sum_{k=0}^{L}$; a length-$L$ DFT sums to "
             "$L-1$, which is the same value here because $a_k = 0$ for $k > d$ and $d < L$.")


def companion_matrix(log):
    a = sp.symbols("a_1:7")
    log.equal("Companion layout (d = 3)", companion(a[:3]),
              sp.Matrix([[-a[0], -a[1], -a[2]], [1, 0, 0], [0, 1, 0]]))
    polys = [(lam * sp.eye(d) - companion(a[:d])).det(method="laplace") for d in range(1, 7)]
    log.equal("Characteristic polynomial (symbolic a, d = 1..6, cofactor expansion)",
              sp.Matrix(polys).applyfunc(sp.expand),
              sp.Matrix([lam**d + sum(a[i] * lam ** (d - 1 - i) for i in range(d)) for d in range(1, 7)]),
              statement=r"\det(\lambda I - \bar A) = \lambda^d + a_1\lambda^{d-1} + \dots + a_d")
    M = lam * sp.eye(6) - companion(a)
    minors = [sp.expand(M.minor_submatrix(0, j).det(method="laplace")) for j in range(6)]
    log.equal("First-row expansion (the seed's proof): the (1, j) minor is (-1)^{j-1} λ^{d-j} (d = 6)",
              sp.Matrix(minors), sp.Matrix([(-1) ** j * lam ** (5 - j) for j in range(6)]),
              statement=r"\det(\lambda I - \bar A) = (\lambda + a_1)\lambda^{d-1} + \sum_{j\ge2} a_j(-1)^{1+j}(-1)^{j-1}\lambda^{d-j}")
    head = lam**4 + sum(a[i] * lam ** (3 - i) for i in range(4))
    log.equal("Reducing the degree by one (the seed's 2x2 step, d = 5)",
              sp.expand(sp.Matrix([[head, a[4]], [-1, lam]]).det()), sp.expand(lam * head + a[4]),
              statement=r"\lambda^d + \dots + a_d = \det\begin{pmatrix}\lambda^{d-1} + \dots + a_{d-1} & a_d\\ -1 & \lambda\end{pmatrix}")


def realization(log):
    a, b = sp.symbols("a_1:4"), sp.symbols("b_1:4")
    Ab, Bb, Ct = realize(a, b)
    log.equal("B̄ C̃* = e_1 b (only the first row)", Bb * Ct, sp.Matrix([b, [0] * 3, [0] * 3]),
              statement=r"\bar B = e_1,\ \tilde C^* = (b_1, \dots, b_d)")
    log.equal("Ā - B̄C̃* is the companion matrix of a + b", Ab - Bb * Ct,
              companion([x + y for x, y in zip(a, b)]))
    log.equal("Round trip: transfer_function(realize(a, b)) = (a, b) (symbolic d = 3)",
              sp.Matrix([*transfer_function(Ab, Bb, Ct)]), sp.Matrix([list(a), list(b)]))
    same_rational(log, "The realization has the rational generating function b/a (symbolic d = 3)",
                  resolvent_form(Ab, Bb, Ct), rational_generating_function(a, b, z),
                  r"\tilde C^*(I - z\bar A)^{-1}\bar B = \frac{b_1 + b_2z + b_3z^2}{1 + a_1z + a_2z^2 + a_3z^3}")
    x, u = sp.symbols("x_0:3"), sp.Symbol("u")
    log.equal("One step costs O(d): a shift plus one inner product", Ab * sp.Matrix(x) + Bb * u,
              sp.Matrix([u - sum(ai * xi for ai, xi in zip(a, x)), x[0], x[1]]),
              statement=r"x_{k+1} = (u_k - \langle a, x_k\rangle, x_{k,0}, \dots, x_{k,d-2})")
    inference(log)


def inference(log):
    a, b = [R(-1, 2), R(1, 3), R(1, 5)], [1, R(2, 3), -1]
    Ab, Bb, Ct = realize(a, b)
    cbar = untruncate(Ab, Ct, L)
    idft = [sp.Rational(1, L) * sum(OMEGA ** (-j * k) * rational_generating_function(a, b, OMEGA**j)
                                    for j in range(L)) for k in range(L)]
    log.equal("Inference: C̄* = C̃*(I - Ā^L)^{-1} gives the IDFT of b/a at the roots of unity",
              sp.Matrix(power_kernel(Ab, Bb, cbar, L)), sp.Matrix(idft).applyfunc(sp.expand_complex),
              statement=r"\bar C^*\bar A^k\bar B = \tfrac1L\sum_l \omega^{-lk}\,\frac{b(\omega^l)}{a(\omega^l)},\quad \bar C^* = \tilde C^*(I - \bar A^L)^{-1}")
    wrong = ((sp.eye(3) - Ab**L).inv() * Ct.T).T
    log.check("The row convention matters: the column solve (I - Ā^L)^{-1} C̃ gives another kernel "
              "for this non-normal Ā", power_kernel(Ab, Bb, wrong, L) != power_kernel(Ab, Bb, cbar, L),
              latex=r"\bar C = (I - \bar A^L)^{-H}\tilde C \ne (I - \bar A^L)^{-1}\tilde C")


def zero_initialization(log):
    b = sp.symbols("b_1:4")
    u = sp.symbols("u_0:6")
    Ab, Bb, Ct = realize([0, 0, 0], b)
    log.equal("a = 0: the kernel is b followed by zeros", sp.Matrix(power_kernel(Ab, Bb, Ct, 6)),
              sp.Matrix([*b, 0, 0, 0]))
    log.equal("a = 0: Ā is nilpotent, so C̄ = C̃ for L >= d", untruncate(Ab, Ct, L), Ct)
    states, state = [], sp.zeros(3, 1)
    for k in range(6):
        state = Ab * state + Bb * u[k]
        states.append(list(state))
    expected = [[u[k - i] if k - i >= 0 else 0 for i in range(3)] for k in range(6)]
    log.equal("a = 0: the state after k + 1 steps holds the last d inputs (shift register)",
              sp.Matrix(states), sp.Matrix(expected),
              statement=r"x_{k+1} = (u_k, u_{k-1}, \dots, u_{k-d+1})")


def stability(log):
    log.text("Bound: if $\\sum|a_i| < 1$ every root has $|\\lambda| < 1$, *strictly*: a root with "
             "$|\\lambda_0| \\ge 1$ gives $1 = |\\sum a_i\\lambda_0^{-i}| \\le \\sum|a_i| < 1$. The "
             "seed proves only $|\\lambda| \\le 1$, which the same argument sharpens.")
    inside = [R(1, 4), R(-1, 3), R(1, 5)]
    log.check("An instance: sum |a| = 47/60 < 1 and Schur-Cohn confirms |λ| < 1",
              sum_abs_bound_holds(inside) and schur_cohn_stable(inside).stable)
    log.check("The strict hypothesis is needed: λ - 1 has sum |a| = 1 and a root on the circle",
              not sum_abs_bound_holds([-1]) and sp.roots(lam - 1, lam) == {1: 1}
              and not schur_cohn_stable([-1]).stable)
    double = [R(-9, 5), R(81, 100)]
    verdict = schur_cohn_stable(double)
    log.check("Not necessary: (λ - 9/10)^2 has sum |a| = 261/100 > 1, yet is stable",
              not sum_abs_bound_holds(double) and sp.roots(lam**2 + double[0] * lam + double[1], lam)
              == {R(9, 10): 2} and verdict.stable,
              detail=f"Schur-Cohn reflection coefficients {verdict.reflection_coefficients}")
    log.text("The seed calls a necessary-and-sufficient condition unknown; the Schur-Cohn (Jury) "
             "recursion is one, exact in rational arithmetic: $k = p(0)$, "
             "$p \\leftarrow (p - k p^*)/(\\lambda(1 - |k|^2))$, stable iff every $|k| < 1$.")
    log.equal("Schur-Cohn for d = 2 reproduces the classical triangle k_1 = a_2, k_2 = a_1/(1 + a_2)",
              sp.Matrix(verdict.reflection_coefficients), sp.Matrix([double[1], double[0] / (1 + double[1])]))
    Ab, Bb, Ct = realize(double, [1, 0])
    ker = sp.Symbol("k")
    log.equal("Repeated root: the kernel is (k + 1)(9/10)^k, not a pure geometric sequence",
              sp.Matrix(power_kernel(Ab, Bb, Ct, 6)),
              sp.Matrix([((ker + 1) * R(9, 10) ** ker).subs(ker, n) for n in range(6)]))
    eigenspace = len((Ab - R(9, 10) * sp.eye(2)).nullspace())
    log.seed_error(
        "Seed 002: 'the diagonalization of Ā is the diagonal matrix of the roots'",
        r"\bar A \sim \operatorname{diag}(\lambda_1, \dots, \lambda_d)",
        eigenspace, 2,
        "Ā = companion(-9/5, 81/100), double root 9/10: the eigenvectors span dimension "
        "1 (left) instead of d = 2 (right); a companion matrix with a repeated root is a single "
        "Jordan block, never diagonalizable",
    )
    Ab, Bb, Ct = realize([-2, 1], [1, 0])
    log.equal("Roots with |λ| <= 1 do not bound the kernel: (λ - 1)^2 gives K_k = k + 1",
              sp.Matrix(power_kernel(Ab, Bb, Ct, 6)), sp.Matrix([1, 2, 3, 4, 5, 6]))


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
