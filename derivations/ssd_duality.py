"""Mamba-2's state space duality: the recurrent, quadratic and chunked forms are one map.

Run directly to print every step: python derivations/ssd_duality.py
"""

import sympy as sp

from hippo_verify.symbolic import (
    DerivationLog,
    power_kernel,
    segsum,
    ssd_chunked,
    ssd_mask,
    ssd_matrix,
    ssd_quadratic,
    ssd_recurrent,
)

TITLE = "Mamba-2's SSD: recurrent, masked-attention and chunked forms are the same map"

L, N = 4, 2  # symbolic length and state size
a = list(sp.symbols(f"a_0:{L}"))
B = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"B_{t}{n}"))
C = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"C_{t}{n}"))
X = sp.Matrix(L, 1, lambda t, _: sp.Symbol(f"x_{t}"))


def derive(log):
    log.text(
        "One head of Mamba-2 has a scalar decay per step, $A_t = a_t I$ (in the model "
        "$a_t = e^{\\Delta_t A}$ with one $A$ per head, and the input is "
        "$\\Delta_t x_t$). With state $H_t$ ($P \\times N$, here $P = 1$):"
    )
    log.define(
        "Recurrent form",
        r"H_t",
        r"a_t H_{t-1} + x_t B_t^T,\quad H_{-1} = 0,\quad "
        r"y_t = H_t C_t",
    )
    log.define(
        "1-semiseparable mask",
        r"\mathcal L_{ts}",
        r"\prod_{s<k\le t} a_k\ (t \ge s),\quad 0\ (t < s)",
    )
    log.define("Quadratic (masked-attention) form", r"y", r"(\mathcal L \circ CB^T)\,x")
    log.text(
        f"Everything symbolic: $L = {L}$ steps, state size $N = {N}$, $a_t$, $B_t$, "
        "$C_t$, $x_t$ independent symbols. A linear map is compared through its matrix: "
        "the recurrence run on the $L$ unit impulses."
    )
    recurrent = ssd_recurrent(a, B, C, sp.eye(L))
    log.equal(
        "Recurrent form = quadratic form (the whole L x L matrix)",
        recurrent,
        ssd_matrix(a, B, C),
        statement=r"y = Mx,\quad M_{ts} = \Big(\prod_{s<k\le t}a_k\Big)\,C_t^TB_s "
        r"= (\mathcal L\circ CB^T)_{ts}",
    )
    log.equal(
        "... and on a symbolic input vector",
        ssd_recurrent(a, B, C, X),
        ssd_quadratic(a, B, C, X),
        statement=r"y^{rec}(x) = (\mathcal L\circ CB^T)\,x",
    )
    log.check(
        "a_0 never enters: it multiplies the zero initial state",
        a[0] not in recurrent.free_symbols and all(v in recurrent.free_symbols for v in a[1:]),
        latex=r"\partial M/\partial a_0 = 0",
    )
    log.text(
        "The chunked form (Mamba-2's algorithm): cut the steps into chunks of $Q$; inside "
        "a chunk use the quadratic form, and pass only the $N$-dimensional state from "
        "chunk to chunk: (1) diagonal blocks, (2) the state each chunk produces, (3) the "
        "recurrence over chunk boundaries $G_c = (\\prod_{k\\in c}a_k)G_{c-1} + S_c$, "
        "(4) the state's contribution $(\\prod_{b_c\\le k\\le t}a_k)\\,G_{c-1}C_t$. "
        "Every chunk size, including ones that do not divide $L$:"
    )
    for Q in range(1, L + 2):
        log.equal(
            f"Chunk size Q = {Q}",
            ssd_chunked(a, B, C, sp.eye(L), Q),
            recurrent,
            statement=rf"M^{{chunked}}_{{Q={Q}}} = M^{{rec}}",
        )
    log.text(
        "Log space. Mamba-2 stores $\\log a_k = \\Delta_k A$ and builds the mask as "
        "$\\exp(\\mathrm{segsum})$, $\\mathrm{segsum}_{ts} = \\sum_{s<k\\le t}\\log a_k$ "
        "($-\\infty$ above the diagonal):"
    )
    ell = list(sp.symbols(f"l_0:{L}"))
    log.equal(
        "exp(segsum) = the product mask",
        segsum(ell).applyfunc(sp.exp),
        ssd_mask([sp.exp(v) for v in ell]),
        statement=r"\exp\big(\mathrm{segsum}(\ell)\big)_{ts} = "
        r"\prod_{s<k\le t}e^{\ell_k}\ (t\ge s),\quad e^{-\infty} = 0\ (t<s)",
    )
    masked, difference = segsum(ell, method="masked"), segsum(ell, method="difference")
    log.check(
        "Both segsum forms put -oo exactly above the diagonal",
        all(
            (masked[t, s] == -sp.oo) == (difference[t, s] == -sp.oo) == (t < s)
            for t in range(L)
            for s in range(L)
        ),
        latex=r"\mathrm{segsum}_{ts} = -\infty \iff t < s",
    )
    finite = [(t, s) for t in range(L) for s in range(t + 1)]
    log.equal(
        "The masked cumulative sum (Mamba-2's segsum) = differences of one cumulative sum",
        sp.Matrix([masked[i] for i in finite]),
        sp.Matrix([difference[i] for i in finite]),
        statement=r"\sum_{s<k\le t}\ell_k = c_t - c_s,\quad c_t = \sum_{k\le t}\ell_k",
        detail="Equal exactly; in floating point the difference c_t - c_s of two long "
        "cumulative sums cancels, which is why Mamba-2 sums the masked matrix.",
    )
    dts = list(sp.symbols(f"Delta_0:{L}", positive=True))
    A_head = sp.Symbol("A", negative=True)
    log.equal(
        "Mamba-2's ssd_minimal_discrete(X*dt, A*dt, B, C): its mask is that of a_t = e^{Delta_t A}",
        segsum([d * A_head for d in dts]).applyfunc(sp.exp),
        ssd_mask([sp.exp(d * A_head) for d in dts]),
        statement=r"\exp\big(\mathrm{segsum}(A\Delta)\big) = \mathcal L(e^{\Delta_t A})",
    )
    semiseparable(log)
    not_a_convolution(log)


def semiseparable(log):
    log.text(
        "Why the chunked form works: every block on and below the diagonal factors "
        "through the state at its corner, so it has rank $\\le N$ (the mask alone: rank 1, "
        "'1-semiseparable')."
    )
    M = ssd_matrix(a, B, C)
    for j in range(L):
        U = sp.Matrix(L - j, N, lambda i, n: sp.Mul(*a[j + 1 : j + i + 1]) * C[j + i, n])
        V = sp.Matrix(j + 1, N, lambda s, n: sp.Mul(*a[s + 1 : j + 1]) * B[s, n])
        log.equal(
            f"Block M[{j}:, :{j + 1}] = U V^T (rank <= N = {N})",
            M[j:, : j + 1],
            (U * V.T).applyfunc(sp.expand),
            statement=rf"M_{{t\ge {j},\,s\le {j}}} = \Big(\prod_{{{j}<k\le t}}a_kC_t^T\Big)"
            rf"\Big(\prod_{{s<k\le {j}}}a_kB_s\Big)",
        )
    mask = ssd_mask(a)
    log.check(
        "The mask's blocks have rank 1",
        all(mask[j:, : j + 1].rank() == 1 for j in range(L)),
        latex=r"\operatorname{rank}\mathcal L_{t\ge j,\,s\le j} = 1",
    )


def not_a_convolution(log):
    log.text(
        "Seeds 001–002 compute an SSM as a convolution with a kernel $\\bar K_k = "
        "C\\bar A^k\\bar B$ (and seed 002 says Mamba needs *less* mathematics than S4, A "
        "being diagonal). With $a_t, B_t, C_t$ varying in time there is no kernel at all: "
        "$M$ is not Toeplitz. Only in the time-invariant case does it collapse to "
        "the S4D kernel:"
    )
    M = ssd_matrix(a, B, C)
    log.check(
        "Selective: M is not Toeplitz (M[2,1] != M[1,0])",
        sp.expand(M[2, 1] - M[1, 0]) != 0,
        latex=r"M_{21} = a_2C_2^TB_1 \ne a_1C_1^TB_0 = M_{10}",
    )
    a_c = sp.Symbol("a")
    Bc = sp.Matrix(1, N, lambda _, n: sp.Symbol(f"b_{n}"))
    Cc = sp.Matrix(1, N, lambda _, n: sp.Symbol(f"c_{n}"))
    M_lti = ssd_matrix([a_c] * L, sp.Matrix.vstack(*[Bc] * L), sp.Matrix.vstack(*[Cc] * L))
    kernel = power_kernel(a_c * sp.eye(N), Bc.T, Cc, L)
    log.equal(
        "Time-invariant: M is Toeplitz with the power kernel C (aI)^k B",
        M_lti,
        sp.Matrix(L, L, lambda t, s: kernel[t - s] if t >= s else 0),
        statement=r"a_t = a,\ B_t = B,\ C_t = C:\quad M_{ts} = \bar K_{t-s},\ "
        r"\bar K_k = C(aI)^kB",
    )


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
