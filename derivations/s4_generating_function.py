"""S4 and S4D kernels through the generating function: Woodbury, Cauchy and Vandermonde.

Run directly to print every step: python derivations/s4_generating_function.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog
from hippo_verify.symbolic._s4 import (
    dense_generating_function,
    dplr_resolvent,
    woodbury_generating_function,
)
from hippo_verify.symbolic._s4d import conj_pair_kernel, vandermonde_kernel
from hippo_verify.symbolic._systems import power_kernel

TITLE = "S4 and S4D: the kernel's generating function, Woodbury, Cauchy and Vandermonde"
R = sp.Rational

# A concrete diagonal-plus-low-rank system (exact), N = 3, rank 1.
LAMBDA = [-1, -R(1, 2) + sp.I, -R(1, 2) - sp.I]
P = [1, 2, R(1, 2)]
Q = [1, -1, 1]
B = [1, 0, 2]
C_ROW = [1, 1, -1]


def derive(log):
    z, dt = sp.Symbol("z"), sp.Symbol("Delta", positive=True)
    log.text("Seed 002: with $\\bar K_k = \\bar C\\bar A^k\\bar B$ the generating function is "
             "$\\mathcal G(z) = \\sum_k \\bar K_k z^k = \\bar C(I - z\\bar A)^{-1}\\bar B$. "
             "S4 uses the bilinear step "
             "$\\bar A = (I - \\tfrac\\Delta2 A)^{-1}(I + \\tfrac\\Delta2 A)$, "
             "$\\bar B = (I - \\tfrac\\Delta2 A)^{-1}\\Delta B$.")
    a, b = sp.symbols("a b")
    Ab = (1 + dt / 2 * a) / (1 - dt / 2 * a)
    Bb = dt * b / (1 - dt / 2 * a)
    lhs = Bb / (1 - z * Ab)
    rhs = 2 / (1 + z) * b / (2 / dt * (1 - z) / (1 + z) - a)
    log.equal("Bilinear step inside the resolvent (scalar case shown; matrices commute here)",
              sp.cancel(lhs - rhs), 0,
              statement=r"(I - z\bar A)^{-1}\bar B = \frac{2}{1+z}\Big(\tfrac{2}{\Delta}"
                        r"\tfrac{1-z}{1+z} I - A\Big)^{-1}B")

    A = sp.diag(*LAMBDA) - sp.Matrix(P) * sp.Matrix(Q).H
    step = R(1, 3)
    identity = sp.eye(3)
    Ab_m = (identity - step / 2 * A).inv() * (identity + step / 2 * A)
    Bb_m = (identity - step / 2 * A).inv() * step * sp.Matrix(B)
    R_z = dplr_resolvent(LAMBDA, step, z)
    dense = dense_generating_function(Ab_m, Bb_m, C_ROW, z)
    resolvent_form = sp.cancel(2 / (1 + z) * (sp.Matrix([C_ROW]) * (R_z + sp.Matrix(P)
                                              * sp.Matrix(Q).H).inv() * sp.Matrix(B))[0, 0])
    log.equal("With A = Lambda - P Q^*, the matrix to invert is R_z + P Q^* (N = 3, Delta = 1/3)",
              resolvent_form, dense,
              statement=r"\frac{2}{\Delta}\frac{1-z}{1+z}I - A = R_z + PQ^*,\quad "
                        r"R_z = \frac{2}{\Delta}\frac{1-z}{1+z}I - \Lambda \text{ (diagonal)}")

    u = sp.Matrix(sp.symbols("u1:4"))
    v = sp.Matrix(sp.symbols("v1:4"))
    Rd = sp.diag(*sp.symbols("r1:4"))
    woodbury = Rd.inv() - Rd.inv() * u * (1 + (v.T * Rd.inv() * u)[0, 0]) ** -1 * v.T * Rd.inv()
    log.equal("Woodbury's identity, rank 1, symbolic 3 x 3",
              ((Rd + u * v.T) * woodbury).applyfunc(sp.cancel), sp.eye(3),
              statement=r"(R + uv^*)^{-1} = R^{-1} - R^{-1}u\,(1 + v^*R^{-1}u)^{-1}v^*R^{-1}")
    log.equal("Seed 002's S4 formula equals the dense form for this system",
              woodbury_generating_function(LAMBDA, P, Q, B, C_ROW, step, z), dense,
              statement=r"\mathcal G(z) = \frac{2}{1+z}\bar C^*\Big[R_z^{-1} - R_z^{-1}P"
                        r"(1 + Q^*R_z^{-1}P)^{-1}Q^*R_z^{-1}\Big]B")
    log.text("Every product with the diagonal $R_z^{-1}$ is a Cauchy sum "
             "$\\sum_n u_n v_n/(w - \\lambda_n)$ with $w = \\tfrac{2}{\\Delta}\\tfrac{1-z}{1+z}$: "
             "one evaluation costs $O(N)$ instead of a dense solve.")

    L = 4
    Ct = sp.Matrix([C_ROW]) * (identity - Ab_m**L)
    kernel = power_kernel(Ab_m, Bb_m, C_ROW, L)
    G = woodbury_generating_function(LAMBDA, P, Q, B, list(Ct), step, z)
    values = sp.Matrix([G.subs(z, w) for w in (1, -sp.I, -1, sp.I)])
    dft = sp.Matrix([sum(K * w**k for k, K in enumerate(kernel)) for w in (1, -sp.I, -1, sp.I)])
    log.equal("With the truncation correction C~ = C(I - A^L), G at the 4th roots of unity is the "
              "DFT of K_0..K_3", values, dft,
              statement=r"\tilde C = \bar C(I - \bar A^L):\ \mathcal G_L(\omega^l) = "
                        r"\sum_{k<L}\bar K_k\,\omega^{lk},\ \omega = e^{-2\pi i/L}")
    log.text("At $z = -1$ (a root of unity for even $L$) the Woodbury form has a removable "
             "singularity: $2/(1+z)$ and $R_z^{-1}$ both blow up. Above, $z = -1$ was substituted "
             "into the cancelled rational function; a direct floating evaluation there divides by "
             "zero.")

    modes = [R(1, 2) + sp.I / 3, -R(1, 3)]
    Bb_d, C_d = [1 + sp.I, 2], [2, -sp.I]
    log.equal("S4D: the kernel of a diagonal system is one Vandermonde product",
              sp.Matrix(vandermonde_kernel(modes, Bb_d, C_d, 5)),
              sp.Matrix(power_kernel(sp.diag(*modes), Bb_d, C_d, 5)),
              statement=r"\bar K = (\bar B \circ C)^T\,V,\quad V_{nk} = \bar\lambda_n^k")
    conj = [sp.conjugate(v) for v in modes + Bb_d + C_d]
    full = vandermonde_kernel(modes + conj[0:2], Bb_d + conj[2:4], C_d + conj[4:6], 5)
    log.equal("Conjugate pairs: 2 Re over half the modes = the full system with B, C conjugated",
              sp.Matrix(conj_pair_kernel(modes, Bb_d, C_d, 5)), sp.Matrix(full),
              statement=r"2\,\mathrm{Re}\sum_{n<M} C_n\bar B_n\bar\lambda_n^k = "
                        r"\sum_{n<2M} C_n\bar B_n\bar\lambda_n^k")
    flipped = conj_pair_kernel([sp.conjugate(v) for v in modes], Bb_d, C_d, 5)
    log.check("Flipping the sign of Im(A) alone changes the kernel",
              sp.Matrix(flipped) != sp.Matrix(full),
              "Public code uses both signs (the S4D paper +i, state-spaces/s4 dplr.py -i); they "
              "agree only if B and C are conjugated as well.")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
