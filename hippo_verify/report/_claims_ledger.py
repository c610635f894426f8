# ruff: noqa: E501  (quotes are the seeds' formulas, kept on one line to match them verbatim)
"""The records of the seeds' claims ledger (data; ``_claims.py`` validates and renders it).

One record per claim: the seed file, a short quote of the original (the formula as
written), the claim in plain words, the verdict, the correction (for ``not-checkable``:
why), and the check: the test under ``tests/claims`` that decides the verdict (it fails
when the verdict below is not the one the mathematics gives). Records follow the order of
each seed's text. Conventions of the corrections are the package's (``README.md``).
"""

from __future__ import annotations

__all__ = ["CLAIMS", "SEEDS"]

#: Seed file name -> (title, sha256 of the version this ledger was written from).
SEEDS: dict[str, tuple[str, str]] = {
    "000_c22262182f9727a9.txt": (
        "重温被Mamba带火的SSM:线性系统和HiPPO矩阵 (a summary of the HiPPO derivation)",
        "8ca2c728397d7d66a85b7b19fa0d82d748a035d46c85f5429a7698eef4ff1b18",
    ),
    "001_9b43e386b1491473.txt": (
        "kexue.fm index page: the SSM series (HiPPO, S4, RTF) and the RoPE / softmax posts",
        "6311912021e56b5e3130d76f4e0b4e4d78ff7f7ad02802fd802a465895728e8c",
    ),
    "002_aa81b5a730dd8d36.txt": (
        "重温SSM(四):有理生成函数的新视角 (S4's generating function and RTF)",
        "ccb9b7215118d1aa891ad9ad6feacfaa198871c902f3fe29d89829a8d821bb55",
    ),
    "003_3775754d1daffa66.txt": (
        "S4D notes: On the Parameterization and Initialization of Diagonal SSMs",
        "509576b3d45b234ac0a0a3359d02843676e396619692fc24747ddc4561dc0aef",
    ),
    "004_6b4dde0b0ea63e22.txt": (
        "H3 (Hungry Hippo) lecture, with a 'simplified' PyTorch H3 layer",
        "ae081bb45c658e1ce186a55ac456eccb224b5042a683fe1c167ac72e5fb88283",
    ),
}
_FILES = {name[:3]: name for name in SEEDS}

CLAIMS: list[dict[str, object]] = []


def _c(
    seed: str,
    test: str,
    verdict: str,
    quote: str,
    claim: str,
    correction: str = "",
    *,
    slow: bool = False,
) -> None:
    """Add a record; ``test`` is ``file.py::test_name`` under tests/claims."""
    CLAIMS.append(
        {
            "seed": _FILES[seed],
            "quote": quote,
            "claim": claim,
            "verdict": verdict,
            "correction": correction,
            "check": f"tests/claims/{test}",
            "slow": slow,
        }
    )


# ---------------------------------------------------------------------------- seed 000
_S0 = "test_seed000.py::"
_c(
    "000",
    _S0 + "test_exponential_solution",
    "holds",
    r"\frac{dh}{dt} = h ... 其解为 $h(t) = h(0)e^t$",
    "The solution of h' = h is h(t) = h(0) e^t.",
)
_c(
    "000",
    _S0 + "test_scalar_system_fits_complex_functions",
    "holds-with-correction",
    "只要时间足够长,该线性系统就可以通过指数函数来拟合足够复杂的函数",
    "Given enough time, this linear system (h' = h) can fit sufficiently complex functions "
    "through the exponential.",
    "The scalar system only produces multiples of e^t (sin t on [0, pi/2] stays at uniform "
    "error >= 1/(1 + e^{pi/2}) = 0.17 whatever h(0)). The point holds for a d-dimensional "
    "h' = A h with output c^T h: its outputs are the exponential polynomials "
    "sum_j p_j(t) e^{lambda_j t} (e.g. A = [[0, 1], [-1, 0]] gives sin t exactly).",
)
_c(
    "000",
    _S0 + "test_taylor_order_and_point",
    "imprecise",
    "如果我们假设 $x(t)$ 在某点 $t_0$ 阶可导,那么它对应的 $t_0$ 阶泰勒展开式往往是 $x(t)$ 的良好近似",
    "If x is differentiable to order t_0 at a point t_0, its order-t_0 Taylor expansion "
    "approximates it well.",
    "The point t_0 is used as the order: read 'n times differentiable at t_0, and its order-n "
    "Taylor polynomial at t_0' (error O((t - t_0)^{n+1})).",
)
_c(
    "000",
    _S0 + "test_fourier_coefficient_limits",
    "holds-with-correction",
    r"c_k = \int_{-\infty}^{\infty} x(t)e^{-2\pi ikt} dt",
    "The Fourier-series coefficients of x are c_k = int over the whole line of "
    "x(t) e^{-2 pi i k t}.",
    "The integral over the whole line is the Fourier transform at frequency k (it diverges "
    "for a periodic x: for cos 2 pi t it grows like M on [-M, M]). Series coefficients "
    "integrate over one period: c_k = int_0^1 x(t) e^{-2 pi i k t} dt.",
)
_c(
    "000",
    _S0 + "test_window_coefficient_typo",
    "imprecise",
    r"c_k(T. = \int_{0}^{T} x(t)e^{-2\pi ikt} dt",
    "Typo in the left side of the windowed coefficient.",
    "Read c_k(T) = ... (a period for a closing parenthesis).",
)
_c(
    "000",
    _S0 + "test_window_fourier_basis",
    "holds-with-correction",
    r"c_k(T. = \int_{0}^{T} x(t)e^{-2\pi ikt} dt",
    "Mapping x to [0, T], these integrals are its Fourier coefficients on that interval.",
    "The e^{2 pi i k t} are orthogonal on [0, T] only for integer T (T = 1/2: "
    "<e^{2 pi i t}, 1> = i/pi). The coefficients on [0, T] are "
    "c_k(T) = (1/T) int_0^T x(t) e^{-2 pi i k t/T} dt.",
)
_c(
    "000",
    _S0 + "test_sliding_window_fourier_ode",
    "holds-with-correction",
    "通过对系数的导数进行推导,我们可以发现,系数的变化满足一个线性 ODE 系统",
    "Differentiating the coefficients shows that they satisfy a linear ODE system "
    "(memorizing the latest window with a Fourier series leads to a linear ODE).",
    "For the sliding window [t - 1, t] the coefficients satisfy exactly "
    "c' = Omega c + e (f(t) - f(t - 1)) (e = the basis at the window's ends): the input "
    "leaving the window, f(t - 1), is not a function of c and f(t). HiPPO-FouT's "
    "c' = A c + B f(t) (A = Omega - 2 e e^T, B = 2 e) follows only after approximating "
    "f(t - 1) by the truncated expansion; for f(s) = s^2 the residual is nonzero (for f(s) = s the approximation happens to be exact at N = 3).",
)
_c(
    "000",
    _S0 + "test_legendre_degree",
    "holds",
    "勒让德多项式 $P_n(x)$ 是关于 $x$ 的 $n$ 次函数,定义域为 $[-1, 1]$",
    "P_n is a polynomial of degree n, used on [-1, 1].",
)
_c(
    "000",
    _S0 + "test_legendre_orthogonality",
    "holds",
    r"\int_{-1}^{1} P_m(x)P_n(x) dx = \frac{2}{2n + 1}\delta_{mn}",
    "Orthogonality of the Legendre polynomials on [-1, 1] with norms 2/(2n+1).",
)
_c(
    "000",
    _S0 + "test_derivative_identity_argument",
    "imprecise",
    r"\frac{d}{dT}P_n(2T/T – 1) = \frac{2n}{T}P_{n-1}(2T/T – 1)",
    "The argument of P_n in the derivative identity.",
    "Literally 2T/T - 1 = 1 is constant (the left side is then 0); the intended argument is "
    "2t/T - 1, LegS's coordinate mapping [0, T] onto [-1, 1].",
)
_c(
    "000",
    _S0 + "test_derivative_identity",
    "wrong",
    r"\frac{d}{dT}P_n(2T/T – 1) = \frac{2n}{T}P_{n-1}(2T/T – 1)",
    "d/dT P_n(2t/T - 1) = (2n/T) P_{n-1}(2t/T - 1).",
    "d/dT P_n(2t/T - 1) = -(2t/T^2) P_n'(x) = -(1/T)[n P_n(x) + sum_{k<n} (2k+1) P_k(x)] "
    "with x = 2t/T - 1. Counterexample n = 1: the left side is -2t/T^2 (-2/T at t = T), "
    "the printed right side 2/T.",
)
_c(
    "000",
    _S0 + "test_hippo_matrix_from_identity",
    "wrong",
    "利用该恒等式,我们可以得到 HiPPO 矩阵,它描述了系数随时间的变化规律",
    "The HiPPO matrix (the law of the coefficients) follows from this identity.",
    "The printed identity gives a wrong law: for f = 1 (c = (1, 0, ...) for every T, so "
    "c_1' = 0) it gives c_1' = 3 sqrt(3)/T. The LegS matrix comes from the corrected "
    "identity, (x + 1) P_n' = n P_n + sum_{k<n} (2k+1) P_k: c' = (A c + B f)/T.",
)
_c(
    "000",
    _S0 + "test_hippo_matrices_solved_analytically",
    "holds",
    "并针对勒让德多项式的情形求出了相应的解析解(HiPPO 矩阵)",
    "For Legendre polynomials the matrices of the linear ODE have closed forms (the HiPPO "
    "matrices).",
)
_c(
    "000",
    _S0 + "test_not_checkable[later_models]",
    "not-checkable",
    "HiPPO 的结论被后来诸多 SSM 模型所使用,例如 S4 和 Mamba",
    "S4 and Mamba use HiPPO's results.",
    "Not checkable (history): a statement about later papers. (Mamba's S4D-Real "
    "initialization A_n = -(n+1) is the diagonal of LegS, see seed 003.)",
)
_c(
    "000",
    _S0 + "test_not_checkable[why_legendre]",
    "not-checkable",
    "勒让德多项式因其在实数空间中的定义和简化推导过程的优势,成为了 HiPPO 的首选",
    "Legendre polynomials are HiPPO's first choice for their simpler derivations.",
    "Not checkable (opinion): a motivation, not a mathematical statement.",
)

# ---------------------------------------------------------------------------- seed 001
_S1 = "test_seed001.py::"
_c(
    "001",
    _S1 + "test_not_checkable[rope_frequencies]",
    "not-checkable",
    r"在RoPE中频率的计算公式为$\theta_i = b^{-2i/d}$,底数$b$默认值为10000",
    "RoPE's frequencies are theta_i = b^{-2i/d} with default base b = 10000.",
    "Not checkable (outside scope): a definition of RoPE (RoFormer's theta_j = "
    "10000^{-2(j-1)/d}, j = 1..d/2, i.e. i = j - 1 counted from 0); nothing to derive in an "
    "SSM referee.",
)
_c(
    "001",
    _S1 + "test_not_checkable[rope_base_bound]",
    "not-checkable",
    "由此指出更大的训练长度本身就应该选择更大的底数,与训练策略无关",
    "A longer training length calls for a larger RoPE base, whatever the training schedule.",
    "Not checkable (empirical): the conclusion of a cited paper, resting on a desired "
    "property of attention scores and on experiments; outside the SSM mathematics.",
)
_c(
    "001",
    _S1 + "test_projection_dynamics_solved_analytically",
    "holds",
    "其投影系数的动力学正好是一个线性系统,而如果以正交多项式为基,那么线性系统的核心矩阵我们可以解析地求解出来",
    "The projection coefficients follow a linear system whose matrices have closed forms for "
    "orthogonal-polynomial bases.",
)
_c(
    "001",
    _S1 + "test_legt_ode",
    "holds-with-correction",
    r"&\text{HiPPO-LegT:}\quad x'(t) = Ax(t) + Bu(t)",
    "The LegT coefficients of u satisfy x' = A x + B u with constant A, B.",
    "Exact only when the input leaving the window, u(t - theta), is reproduced by the "
    "truncated expansion (u of degree < N on the window); HiPPO-LegT approximates it that "
    "way. Counterexample: u(s) = s^3, N = 3, the residual is (1/20, -sqrt3/20, sqrt5/20).",
)
_c(
    "001",
    _S1 + "test_legs_ode",
    "holds",
    r"&\text{HiPPO-LegS:}\quad x'(t) = \frac{A}{t}x(t) + \frac{B}{t}u(t)",
    "The LegS coefficients satisfy x' = (A x + B u)/t with constant A, B, exactly for every "
    "u (the window [0, t] loses no input).",
)
_c(
    "001",
    _S1 + "test_simplex_dimension",
    "holds",
    r"约束$\sum\limits_{i=1}^n p_i = 1$定义了$n$维空间中的一个$n-1$维子平面",
    "The simplex Delta^{n-1} spans an (n-1)-dimensional affine plane of R^n.",
)
_c(
    "001",
    _S1 + "test_softmax_never_zero",
    "holds",
    "Softmax在某些场景下也有一些不如人意之处,比如不够稀疏、无法绝对等于零等",
    "Softmax outputs are never exactly zero (exp > 0). In floating point they are: "
    "float64 softmax(0, -800) = (1, 0) by underflow.",
)
_c(
    "001",
    _S1 + "test_rtf_acronym",
    "imprecise",
    "《State-Free Inference of State-Space Models: The Transfer Function Approach》(简称RFT)",
    "The abbreviation of the method.",
    "RTF (Rational Transfer Function), as the seed itself writes elsewhere.",
)
_c(
    "001",
    _S1 + "test_not_checkable[s5_mamba]",
    "not-checkable",
    "S5是S4的简化版,相比S4基本上没有引入新的数学技巧,而Mamba系列虽然表现优异,但它已经将$A$简化为对角矩阵",
    "S5 simplifies S4; Mamba restricts A to diagonal matrices.",
    "Not checkable (history): a summary of other papers (Mamba's A is diagonal per channel, "
    "Mamba-2's a scalar times I).",
)

# ---------------------------------------------------------------------------- seed 002
_S2 = "test_seed002.py::"
_c(
    "002",
    _S2 + "test_rtf_acronym",
    "imprecise",
    "《State-Free Inference of State-Space Models: The Transfer Function Approach》(简称RFT)",
    "The abbreviation of the method (also 'RFT是Rational Transfer Function的缩写').",
    "RTF (Rational Transfer Function); the seed mixes RFT and RTF.",
)
_c(
    "002",
    _S2 + "test_unrolled_output_index_range",
    "holds-with-correction",
    r"y_L = \sum_{k=0}^L \bar{C}^*\bar{A}^k \bar{B}u_{L-k} = \bar{K}_{< L} * u_{< L}",
    "Unrolling x_{k+1} = A x_k + B u_k, y_{k+1} = C x_{k+1} from x_0 = 0 gives "
    "y_L = sum_{k=0}^{L} K_k u_{L-k}, the convolution of K_{<L} and u_{<L}.",
    "y_L = sum_{k=0}^{L-1} K_k u_{L-1-k} (x_L depends on u_0..u_{L-1} only). Counterexample "
    "L = 1: y_1 = C B u_0, the printed sum gives C B u_1 + C A B u_0.",
)
_c(
    "002",
    _S2 + "test_generating_function",
    "holds",
    r"\mathcal{G}(z|\bar{K}) =&\, \sum_{k=0}^{\infty} \bar{C}^*\bar{A}^k \bar{B}z^k = \bar{C}^*\left(I - z\bar{A}\right)^{-1}\bar{B}",
    "The generating function of K is C (I - z A)^{-1} B (as a power series, |z| < 1/rho(A)).",
)
_c(
    "002",
    _S2 + "test_truncated_generating_function",
    "holds",
    r"\mathcal{G}_L(z|\bar{K}) =&\, \sum_{k=0}^{L-1} \bar{C}^*\bar{A}^k \bar{B}z^k = \bar{C}^*(I - z^L\bar{A}^L)\left(I - z\bar{A}\right)^{-1}\bar{B}",
    "The truncated generating function telescopes to C (I - z^L A^L)(I - z A)^{-1} B.",
)
_c(
    "002",
    _S2 + "test_roots_of_unity_give_the_dft",
    "holds",
    r"那么就可以代入$z=e^{-2i\pi l/L},l=0,1,2,\dots,L-1$,其结果就是$\bar{K}$的DFT",
    "G_L at z = e^{-2 i pi l/L} is the DFT of K_{<L} (numpy's forward sign convention).",
)
_c(
    "002",
    _S2 + "test_truncation_correction_at_roots",
    "holds",
    r"所以我们也可以设$\tilde{C}^* = \bar{C}^*(I - \bar{A}^L)$,那么$\mathcal{G}_L(z|\bar{K})$的形式就跟$\mathcal{G}(z|\bar{K})$一致了",
    "At the L-th roots of unity, C~ = C (I - A^L) gives G_L(z) = C~ (I - z A)^{-1} B.",
)
_c(
    "002",
    _S2 + "test_s4_abar_is_diagonal_plus_low_rank",
    "holds",
    "S4将$\\bar{A}$分解为“对角+低秩”的形式,然后通过Woodbury恒等式进行计算",
    "S4 writes A-bar as diagonal plus low rank. (S4 parameterizes the continuous "
    "A = Lambda - P Q^*; its bilinear A-bar is then diag((1 + dt l/2)/(1 - dt l/2)) plus "
    "rank 1, so the statement holds for A-bar too.)",
)
_c(
    "002",
    _S2 + "test_s4_woodbury_formula",
    "holds",
    r"\mathcal{G}(z|\bar{K}) = \frac{2}{1+z}\bar{C}^* \left[R_z^{-1} - R_z^{-1}u(I + v^*R_z^{-1}u)^{-1} v^*R_z^{-1}\right]B",
    "With the bilinear step and A = Lambda - u v^*, G(z) = 2/(1+z) C [R^{-1} - R^{-1} u "
    "(1 + v^* R^{-1} u)^{-1} v^* R^{-1}] B, R_z = (2/dt)(1-z)/(1+z) - Lambda (continuous B).",
)
_c(
    "002",
    _S2 + "test_woodbury_cost_per_point",
    "holds",
    r"这意味着给定$z$计算$\mathcal{G}(z|\bar{K})$的复杂度为$\mathcal{O}(d)$",
    "One evaluation of the Woodbury form costs O(d) (diagonal R_z, rank one): the package's "
    "DPLR kernel at one root of unity forms no tensor larger than O(d).",
)
_c(
    "002",
    _S2 + "test_naive_cost_over_all_roots",
    "holds",
    r"那么朴素实现的计算量是$\mathcal{O}(Ld)$",
    "Evaluating at all L roots of unity directly costs O(L d): the package's DPLR kernel's "
    "largest tensor is (roots) x d and doubles with L and with d.",
)
_c(
    "002",
    _S2 + "test_not_checkable[fast_cauchy]",
    "not-checkable",
    r"S4提出可以将其转化为Cauchy核问题进行计算,复杂度进一步降低到$\mathcal{O}((L+d)\log^2(L+d))$",
    "Fast Cauchy-kernel algorithms bring the cost to O((L+d) log^2(L+d)).",
    "Not checkable (not implemented): a published bound for fast Cauchy matrix-vector "
    "products (S4, Thm. 3); the package implements only the direct O(L d) Cauchy sums, so "
    "there is nothing to run.",
)
_c(
    "002",
    _S2 + "test_rtf_cost_independent_of_state_size",
    "holds",
    r"将复杂度直接降低到了最理想的$\mathcal{O}(L\log L)$,不依赖state size",
    "RTF computes the kernel in O(L log L), independent of the state size d (for d < L): "
    "the package's RTF kernel makes the same calls for d = 8 and d = 512 at L = 4096, FFTs "
    "of length L plus O(L) work, differing only in the O(d) inputs.",
)
_c(
    "002",
    _S2 + "test_no_structure_assumed",
    "holds",
    "同时也不依赖于$\\bar{A}$是对角阵或者“对角+低秩”的假设",
    "The rational form needs no diagonal or DPLR structure: a dense unstructured 4 x 4 "
    "system has C (I - zA)^{-1} B = b(z)/a(z).",
)
_c(
    "002",
    _S2 + "test_rational_form_only_on_the_circle",
    "holds-with-correction",
    r"\mathcal{G}_L(z|\bar{K}) = \tilde{C}^*\left(I - z\bar{A}\right)^{-1}\bar{B} = \frac{b_1 + b_2 z + b_3 z^2 + \cdots + b_dz^{d-1}}{1 + a_1 z + a_2 z^2 + \cdots + a_d z^d}",
    "G_L is a rational function: G_L(z) = C~ (I - z A)^{-1} B = b(z)/a(z).",
    "G_L(z) = sum_{k<L} K_k z^k is a polynomial of degree L - 1; it equals "
    "C~ (I - zA)^{-1} B = b(z)/a(z) only at the L-th roots of unity (which is all the DFT "
    "needs). Counterexample z = 0: G_L(0) = K_0 = C B, C~ B = C B - C A^L B.",
)
_c(
    "002",
    _S2 + "test_real_coefficients",
    "holds",
    r"如果$\bar{A},\bar{B},\tilde{C}$都是实矩阵,那么它们都是实数",
    "Real A, B, C~ give real a and b.",
)
_c(
    "002",
    _S2 + "test_adjugate_inverse",
    "holds",
    r"M^{-1} = \frac{\text{adj}(M)}{\det(M)}",
    "The inverse is the adjugate over the determinant.",
)
_c(
    "002",
    _S2 + "test_degrees_of_numerator_and_denominator",
    "holds-with-correction",
    r"所以$\det(I - z\bar{A})$是关于$z$的$d$次多项式",
    "det(I - z A) has degree d in z, each adjugate entry degree d - 1.",
    "Degree at most d (resp. d - 1): the z^d coefficient of det(I - zA) is (-1)^d det A, so "
    "the degree is d iff A is invertible. Counterexample: the nilpotent shift matrix gives "
    "det(I - zA) = 1. (Padding a, b with zeros keeps the rational form valid.)",
)
_c(
    "002",
    _S2 + "test_determinant_word_slip",
    "imprecise",
    r"因此,$\mathcal{G}_L(z|\bar{K})$是$z$的$d-1$次行列式除以$z$的$d$次行列式",
    "G_L is a degree-(d-1) 'determinant' over a degree-d 'determinant'.",
    "Read 'polynomial' (多项式) for 'determinant' (行列式): a degree-(d-1) polynomial over a "
    "degree-d polynomial.",
)
_c(
    "002",
    _S2 + "test_sylvester_determinant_identity",
    "holds",
    r"\det(I + UV) = \det(I + VU)",
    "det(I + UV) = det(I + VU), also for non-square U (n x m) and V (m x n).",
)
_c(
    "002",
    _S2 + "test_block_factorization",
    "holds",
    r"\begin{pmatrix}I & U \\ -V & I\end{pmatrix} = \begin{pmatrix}I + UV & U \\ 0 & I\end{pmatrix}\begin{pmatrix}I & 0 \\ -V & I\end{pmatrix} = \begin{pmatrix}I & 0 \\ -V & I + VU\end{pmatrix}\begin{pmatrix}I & U \\ 0 & I\end{pmatrix}",
    "The two block factorizations that prove Sylvester's identity.",
)
_c(
    "002",
    _S2 + "test_schur_complement",
    "holds",
    r"\det\begin{pmatrix}A & B \\ C & D\end{pmatrix} = \det(A)\det(D-CA^{-1}B) = \det(D)\det(A-BD^{-1}C)",
    "Block determinants by Schur complements (A, D invertible).",
)
_c(
    "002",
    _S2 + "test_rank_one_determinant",
    "holds",
    r"即$\det(I + UV) = 1 + VU$",
    "For a column U and a row V, det(I + UV) = 1 + VU.",
)
_c(
    "002",
    _S2 + "test_coefficient_chain",
    "holds",
    r"\mathcal{G}_L(z|\bar{K}) =&\, z^{-1}\left[1+\tilde{C}^*\left(z^{-1}I - \bar{A}\right)^{-1}\bar{B} - 1 \right]",
    "The chain of equalities from C~ (I - zA)^{-1} B to z^{d-1}[det(z^{-1}I - A + B C~) - "
    "det(z^{-1}I - A)] / (z^d det(z^{-1}I - A)): every step, as rational functions.",
)
_c(
    "002",
    _S2 + "test_numerator_degree",
    "holds-with-correction",
    r"减去$\det(z^{-1} I - \bar{A})$后正好得到$z^{-1}$的$d-1$次多项式",
    "det(lambda I - A + B C~) - det(lambda I - A) has degree exactly d - 1.",
    "Degree at most d - 1: its lambda^{d-1} coefficient is b_1 = C~ B. Counterexample "
    "C~ = (2, -1, 0), B = (1, 2, -1): C~ B = 0 and the degree drops.",
)
_c(
    "002",
    _S2 + "test_coefficients_from_characteristic_polynomials",
    "holds",
    r"而$b$向量则是多项式$\det(\lambda I - \bar{A} + \bar{B}\tilde{C}^*)-\det(\lambda I - \bar{A})$的各系数(次数从高到低排序)",
    "a = the characteristic polynomial of A without its leading 1; b = the coefficients of "
    "det(lambda I - A + B C~) - det(lambda I - A), highest degree first.",
)
_c(
    "002",
    _S2 + "test_fft_convolution_needs_padding",
    "holds-with-correction",
    r"我们将其转化为了$\bar{K}_{< L}$与$u_{< L}$的卷积,就可以通过先DFT后相乘再IDFT来高效计算",
    "The convolution of K_{<L} and u_{<L} is computed by DFT, multiply, IDFT.",
    "A length-L DFT product is a circular convolution; the causal convolution needs "
    "zero-padding to length >= 2L - 1. Counterexample K = u = (1, 1): causal (1, 2), "
    "length-2 DFT route (2, 2).",
)
_c(
    "002",
    _S2 + "test_kernel_row_slip",
    "imprecise",
    r"所以问题变成了如何高效计算卷积核$\bar{K}_{< L}=\{\tilde{C}^*\bar{A}^k\bar{B}\}_{k=0}^{L-1}$",
    "The kernel to compute is (C~ A^k B)_{k<L}.",
    "K_k = C-bar A^k B (C~ A^k B = K_k - K_{k+L}); C~ gives K only through the generating "
    "function at the roots of unity, i.e. after the inverse DFT.",
)
_c(
    "002",
    _S2 + "test_corrected_row_typo",
    "imprecise",
    r"\mathcal{G}_L(z|\bar{K}) = \tilde{C}^*(I - z^L\bar{A}^L)\left(I - z\bar{A}\right)^{-1}\bar{B} = \underbrace{\bar{C}^*(I - \bar{A}^L)}_{\tilde{C}^*}",
    "C~ written where C-bar is meant in the first factor.",
    "G_L(z) = C-bar (I - z^L A^L)(I - zA)^{-1} B; with C~ it would apply (I - A^L) twice "
    "(off the DFT of K at z = -i in the test system).",
)
_c(
    "002",
    _S2 + "test_padded_denominator_index_range",
    "imprecise",
    r"1 + a_1 z + a_2 z^2 + \cdots + a_d z^d = \sum_{k=0}^L a_k z^k = \sum_{k=0}^L a_k e^{-2i\pi kl/L} = DFT(\bar{a}_{< L})",
    "The denominator at z = e^{-2 i pi l/L} is the length-L DFT of (1, a, 0, ...).",
    "A length-L DFT sums k = 0..L-1: sum_{k=0}^{L-1}. The value is right because a_k = 0 "
    "for k > d and d < L (with a_L != 0 the L + 1 terms would alias onto a_0).",
)
_c(
    "002",
    _S2 + "test_dft_ratio",
    "holds",
    r"DFT(\bar{K}_{< L}) = \frac{DFT(\bar{b}_{< L})}{DFT(\bar{a}_{< L})}",
    "DFT(K_{<L}) = DFT(b padded) / DFT(1, a padded) (d < L, a(z) != 0 on the roots).",
)
_c(
    "002",
    _S2 + "test_kernel_length_notation",
    "imprecise",
    r"直接就可以DFT和IDFT去算$\bar{K}_{\leq L}$",
    "The DFT route gives the kernel K_{<=L}.",
    "K_{<L}: a length-L IDFT gives the L taps K_0..K_{L-1}.",
)
_c(
    "002",
    _S2 + "test_parameter_count",
    "holds",
    r"原本$\bar{A},\bar{B},\tilde{C}$共有$d^2+2d$个参数,现在$a,b$两个向量一共就$2d$个参数",
    "(A, B, C~) has d^2 + 2d parameters, (a, b) has 2d.",
)
_c(
    "002",
    _S2 + "test_rtf_expressivity",
    "holds",
    r"而因为任意的$\bar{A},\bar{B},\tilde{C}$都可以算出对应的$a,b$,所以RFT的理论能力是不差于原始的RNN形式的",
    "Every (A, B, C~) has an (a, b) with the same generating function, so the (a, b) "
    "parameterization loses nothing.",
)
_c(
    "002",
    _S2 + "test_infinitely_many_realizations",
    "holds",
    r"注意$a,b\to\bar{A},\bar{B},\tilde{C}$是$2d$个参数到$d^2+2d$个参数的映射,肯定有无穷多组解",
    "(a, b) has infinitely many realizations (A, B, C~): every similarity T A T^{-1}, T B, "
    "C~ T^{-1} keeps (a, b).",
)
_c(
    "002",
    _S2 + "test_variable_name_clash",
    "imprecise",
    r"$a$向量正好是多项式$\det(z I - \bar{A})$除最高次项外的各系数",
    "a is the coefficient vector of det(z I - A) without the leading term.",
    "Read det(lambda I - A): z is the generating-function variable (lambda = 1/z), and "
    "det(zI - A) is not 1 + a_1 z + ... + a_d z^d = det(I - zA).",
)
_c(
    "002",
    _S2 + "test_diagonal_realization_of_the_characteristic_polynomial",
    "holds",
    r"那么让$\bar{A}=\text{diag}(\lambda_1,\lambda_2,\cdots,\lambda_d)$即可。不过,这样可能会出现虚数根",
    "diag(roots of lambda^d + a_1 lambda^{d-1} + ... + a_d) has that characteristic "
    "polynomial; the roots may be complex.",
)
_c(
    "002",
    _S2 + "test_companion_heading",
    "imprecise",
    "友之矩阵 #",
    "Section heading.",
    "友矩阵 (companion matrix), as the section itself writes.",
)
_c(
    "002",
    _S2 + "test_companion_is_a_flipped_wikipedia_matrix",
    "holds",
    "(为了对齐原论文的结果,这里相比维基百科的格式多了个翻转)",
    "The seed's companion matrix (first row -a, ones below the diagonal) is Wikipedia's "
    "C(p) (last column -c, ones below the diagonal) flipped: J C(p)^T J, the reflection "
    "across the anti-diagonal.",
)
_c(
    "002",
    _S2 + "test_first_row_expansion",
    "holds",
    r"直接根据行列式的定义对$\det(\lambda I-\bar{A})$的第一行展开即可",
    "Expanding det(lambda I - A) along its first row gives lambda^d + a_1 lambda^{d-1} + "
    "... + a_d.",
)
_c(
    "002",
    _S2 + "test_two_by_two_step",
    "holds",
    r"\lambda^2 + a_1 \lambda + a_2 = (\lambda + a_1)\lambda - (-1) \times a_2",
    "d = 2: lambda^2 + a_1 lambda + a_2 = det([[lambda + a_1, a_2], [-1, lambda]]).",
)
_c(
    "002",
    _S2 + "test_stray_parenthesis",
    "imprecise",
    r"(\lambda + a_1)\lambda - (-1) \times a_2 ) = \det",
    "A stray closing parenthesis in the d = 2 formula.",
    "Drop the ')' after a_2.",
)
_c(
    "002",
    _S2 + "test_degree_reduction",
    "holds",
    r"对于一般的$d$,我们有",
    "lambda^d + a_1 lambda^{d-1} + ... + a_d = det([[lambda^{d-1} + a_1 lambda^{d-2} + ... + "
    "a_{d-1}, a_d], [-1, lambda]]).",
)
_c(
    "002",
    _S2 + "test_closed_loop_characteristic_polynomial",
    "holds",
    r"\det(\lambda I - \bar{A} + \bar{B}\tilde{C}^*)= \lambda^d + (a_1 + b_1) \lambda^{d-1} + (a_2+b_2) \lambda^{d-2} + \cdots + (a_d + b_d)",
    "The characteristic polynomial of A - B C~ has coefficients a + b.",
)
_c(
    "002",
    _S2 + "test_companion_realization",
    "holds",
    r"这意味着我们可以找到一组解$\bar{B} = [1, 0, \cdots, 0, 0], \tilde{C}^* = [b_1 , b_2 , \cdots , b_{d-1} , b_d]$",
    "A = companion(a), B = e_1, C~ = b realize (a, b): A - B C~ = companion(a + b), B C~ = e_1 b.",
)
_c(
    "002",
    _S2 + "test_inference_row_needs_invertibility",
    "holds-with-correction",
    r"然后进一步解得$\bar{C}^* = \tilde{C}^*(I - \bar{A}^L)^{-1}$",
    "For inference, C-bar = C~ (I - A^L)^{-1}.",
    "Only when I - A^L is invertible, i.e. no eigenvalue of A is an L-th root of unity; "
    "det(I - A^L) = prod_l a(e^{-2 pi i l/L}), so these are also the (a, b) whose FFT "
    "denominator vanishes. Counterexample a = (-1): A = [1], I - A^L = 0. Otherwise C-bar "
    "reproduces IDFT(DFT(b)/DFT(a)).",
)
_c(
    "002",
    _S2 + "test_recurrence_shift_form",
    "holds",
    r"u_k - \langle a, x_k\rangle \\ x_{k,(0)} \\ x_{k,(1)} \\ \vdots \\ x_{k,(d-3)} \\ x_{k,(d-2)}",
    "x_{k+1} = companion(a) x_k + e_1 u_k = (u_k - <a, x_k>, x_{k,0}, ..., x_{k,d-2}) "
    "(components counted from 0).",
)
_c(
    "002",
    _S2 + "test_recurrence_cost_linear_in_state",
    "holds",
    r"每一步递归可以在$\mathcal{O}(d)$而不是$\mathcal{O}(d^2)$完成",
    "One companion step costs O(d): the package's step forms nothing larger than d.",
)
_c(
    "002",
    _S2 + "test_zero_initialization_shift_register",
    "holds",
    r"x_1 =&\, [u_0,0,\cdots,0] \\",
    "With a = 0 the state holds the last d inputs: x_1 = (u_0, 0, ...), x_d = (u_{d-1}, "
    "..., u_0), x_{d+1} = (u_d, ..., u_1).",
)
_c(
    "002",
    _S2 + "test_similarity_invariance",
    "holds",
    r"线性系统$\eqref{eq:linear}$具备相似不变性",
    "(T A T^{-1}, T B, C T^{-1}) has the same kernel.",
)
_c(
    "002",
    _S2 + "test_diagonalization_by_the_roots",
    "holds-with-correction",
    r"而$\bar{A}$的对角化矩阵,就是它的特征多项式的所有零点组成的对角矩阵",
    "A is similar to the diagonal matrix of the roots of its characteristic polynomial.",
    "Only for distinct roots (then the Vandermonde matrix of the roots diagonalizes the "
    "companion matrix). A companion matrix with a repeated root is a single Jordan block: "
    "a = (-9/5, 81/100), root 9/10 twice, has one eigenvector and the kernel "
    "(k + 1)(9/10)^k.",
)
_c(
    "002",
    _S2 + "test_root_outside_the_circle_explodes",
    "holds",
    r"如果某个零点$\lambda_k$的模大于1,那么经过多步递归后就可能发生数值/梯度爆炸",
    "A root of modulus > 1 can make the recurrence blow up (a = (-2): K_k = 2^k).",
)
_c(
    "002",
    _S2 + "test_roots_on_the_circle_not_enough",
    "holds-with-correction",
    r"的所有零点的模都不大于1,以获得更好的数值稳定性同时避免梯度爆炸",
    "Keeping every root's modulus <= 1 gives stability and avoids explosion.",
    "Modulus < 1 (or simple roots on the circle) is needed: (lambda - 1)^2 has both roots "
    "on the circle and K_k = k + 1 grows without bound; with roots inside, e.g. "
    "(lambda - 9/10)^2, K_k = (k+1)(9/10)^k decays.",
)
_c(
    "002",
    _S2 + "test_necessary_and_sufficient_condition_is_known",
    "wrong",
    r"然而,保证多项式的零点都在单位圆内的充要条件依然不得而知",
    "No necessary and sufficient condition on the coefficients for all roots to lie in "
    "the unit disk is known.",
    "The Schur-Cohn (Jury) test is one, exact in rational arithmetic: k = p(0), "
    "p <- (p - k p*)/(lambda (1 - |k|^2)), stable iff every |k| < 1 (for d = 2 the triangle "
    "|a_2| < 1, |a_1| < 1 + a_2). The reflection coefficients in (-1, 1)^d even "
    "parameterize the stable polynomials.",
)
_c(
    "002",
    _S2 + "test_sum_abs_sufficient_condition",
    "holds",
    r"结论:当$|a_1| + |a_2| + \cdots + |a_d| < 1$时",
    "sum |a_i| < 1 implies every root has modulus <= 1 (in fact < 1, strictly).",
)
_c(
    "002",
    _S2 + "test_sum_abs_proof",
    "holds",
    r"1 =&\, -a_1\lambda_0^{-1}-a_2\lambda_0^{-2}-\cdots-a_d \lambda_0^{-d} \\",
    "The proof by contradiction: a root |lambda_0| > 1 gives 1 = |sum a_i lambda_0^{-i}| "
    "<= sum |a_i| < 1. (It works for |lambda_0| = 1 too, which gives the strict bound.)",
)
_c(
    "002",
    _S2 + "test_sum_abs_region_is_small",
    "holds",
    r"会大大削弱模型的表达能力",
    "Imposing sum |a_i| < 1 restricts the model a lot: it is far smaller than the stable "
    "set (d = 2: the diamond of area 2 inside the stability triangle of area 4; d = 4: "
    "about 3/32 of it by volume; (lambda - 9/10)^2 is excluded). Whether that hurts more than it "
    "helps is RTF's experiment.",
)
_c(
    "002",
    _S2 + "test_not_checkable[rtf_figure]",
    "not-checkable",
    "第一张图显示了RTF的计算复杂度(时间、空间)跟state size没有明显关系",
    "RTF's measured time and memory do not depend on the state size.",
    "Not checkable (empirical): the figure is not in the seed; the structural fact is "
    "checked by test_rtf_cost_independent_of_state_size.",
)
_c(
    "002",
    _S2 + "test_not_checkable[state_size_for_free]",
    "not-checkable",
    "我们可以通过增大RTF的state size来改善RTF的效果(反正不增加复杂度)",
    "A larger state size improves RTF at no extra cost.",
    "Not checkable (empirical): the improvement is an experiment; the cost stays "
    "O(L log L) only while d < L, and the parameters grow as 2d.",
)

# ---------------------------------------------------------------------------- seed 003
_S3 = "test_seed003.py::"
_c(
    "003",
    _S3 + "test_state_is_complex",
    "imprecise",
    r"\(x(t) \in \mathbb{R}^N\), 中间状态",
    "The state is real, x(t) in R^N.",
    "With the complex diagonal A of S4D (A in C^{N x N}, stated later) the state is "
    "complex, x(t) in C^N; the output is real because the modes come in conjugate pairs "
    "(y = 2 Re of the half sum).",
)
_c(
    "003",
    _S3 + "test_discrete_convolution_with_feedthrough",
    "holds",
    r"\[y = \mathcal{K}_L (\bar{A}, \bar{B}, C) * u + Du, \\ \mathcal{K}_L (A, B, C) := (CB, CAB, \ldots, CA^{L-1}B). \]",
    "The discretized system is the causal convolution with K = (C B, C A B, ..., "
    "C A^{L-1} B) plus D u (state updated before the output, x_k = A x_{k-1} + B u_k).",
)
_c(
    "003",
    _S3 + "test_full_diagonalization_is_ill_conditioned",
    "holds",
    r"S4 的初衷是对角化 \(A\) 来避免卷积过程中 \(A^l\) 的复杂运算, 不过考虑到完全对角化的一个数值问题",
    "Diagonalizing the HiPPO matrix fully is numerically problematic: LegS's eigenvector "
    "matrix V has max|V| max|V^{-1}| growing exponentially in N (more than 10^{1.5} per 4 "
    "states, above 10^8 at N = 16).",
)
_c(
    "003",
    _S3 + "test_not_checkable[dss]",
    "not-checkable",
    "不过最近 DSS 发现通过合理的初始化, 就能够避免数值问题",
    "DSS found that a suitable initialization avoids the numerical problem.",
    "Not checkable (history): a summary of another paper's finding.",
)
_c(
    "003",
    _S3 + "test_continuous_kernel",
    "holds",
    r"\[K(t) = C e^{tA} B, \\ y(t) = (K * u)(t). \]",
    "With x(0) = 0 the output is the convolution of u with K(t) = C e^{tA} B.",
)
_c(
    "003",
    _S3 + "test_product_rule_step",
    "holds",
    r"\Rightarrow & (e^{-tA} x(t))' = e^{-tA} Bu(t)",
    "(e^{-tA} x)' = e^{-tA}(x' - A x) = e^{-tA} B u (A commutes with e^{-tA}).",
)
_c(
    "003",
    _S3 + "test_integration_step",
    "holds-with-correction",
    r"\Rightarrow & e^{-tA} x(t) = e^{-tA}x(0) + \int_0^t e^{-\tau A} Bu(\tau) d \tau",
    "Integrating from 0 to t: e^{-tA} x(t) = e^{-tA} x(0) + int_0^t e^{-tau A} B u d tau.",
    "e^{-tA} x(t) = x(0) + int_0^t e^{-tau A} B u(tau) d tau (at the lower limit e^{-0A} = "
    "I). Counterexample A = -1, B = 1, u = 0, x(0) = 1, t = 1: the left side is 1, the "
    "printed right side e. The conclusion for x(0) = 0 is unaffected.",
)
_c(
    "003",
    _S3 + "test_solution_formula",
    "holds-with-correction",
    r"\Rightarrow & x(t) = x(0) + \int_0^t e^{(t-\tau) A} Bu(\tau) d \tau",
    "The solution of x' = A x + B u.",
    "x(t) = e^{tA} x(0) + int_0^t e^{(t-tau)A} B u(tau) d tau. Counterexample A = -1, "
    "B = 1, u = 0, x(0) = 1: x(1) = e^{-1}, the printed formula gives 1. With x(0) = 0, "
    "as used for K, the two agree.",
)
_c(
    "003",
    _S3 + "test_kernel_sum_over_modes",
    "holds",
    r"\[K(t) = \sum_{n=0}^{N-1} C_n K_n(t), \quad K_n(t) := \bm{e}_n^T e^{t A} B, \]",
    "The kernel is the C-weighted sum of the per-state kernels e_n^T e^{tA} B.",
)
_c(
    "003",
    _S3 + "test_overline_notation",
    "imprecise",
    r"\bar{K} = (C\bar{B}, C\overline{AB}, \ldots, C\bar{A}^{L-1} \bar{B})",
    "The second tap of the discrete kernel.",
    "C A-bar B-bar (bars over A and B separately). A bar over the product reads as a "
    "complex conjugate, conj(A B), which differs for S4D's complex modes.",
)
_c(
    "003",
    _S3 + "test_vandermonde_form",
    "holds",
    r"\bar{K} = [\bar{B}_0 C_0, \ldots, \bar{B}_{N-1} C_{N-1}]",
    "For diagonal A-bar the kernel is (B-bar o C)^T V with the Vandermonde matrix "
    "V[n, k] = A-bar_n^k.",
)
_c(
    "003",
    _S3 + "test_naive_vandermonde_cost",
    "holds",
    r"正常算, \(\bar{K}\) 需要 \(O(NL)\) 的计算量",
    "Computed directly, K costs O(N L): the package's Vandermonde kernel does 4 N L "
    "floating-point operations in its matrix products (torch's FLOP counter), doubling "
    "with N and with L.",
)
_c(
    "003",
    _S3 + "test_fast_vandermonde_bound",
    "imprecise",
    r"不过 Vandermonde matrix-vector multiplication 实际上有更快的算法, 可以达到 \(O(N + L)\) 的复杂度",
    "Fast Vandermonde products cost O(N + L).",
    "O~(N + L), i.e. O((N + L) log^2(N + L)) as in the S4D paper; the tilde (log factors) "
    "was dropped, and no O(N + L) algorithm is known. One fast route: the generating "
    "function is b(z)/a(z) with a = prod(1 - lam_n z) (product tree) and the taps come "
    "from FFTs of length L (the RTF route of seed 002).",
)
_c(
    "003",
    _S3 + "test_dplr_diagonal_and_real_init",
    "holds",
    r"\(A\) 可以用 HiPPO 矩阵的 DPLR 后的对角矩阵初始化, 或者用直接用对角线",
    "A can be initialized from the diagonal of HiPPO's DPLR form (LegS = -I/2 + S - P P^T, "
    "S skew, so the normal part's eigenvalues have real part -1/2), or from its diagonal "
    "(-(n+1): S4D-Real).",
)
_c(
    "003",
    _S3 + "test_s4d_inv",
    "holds",
    r"\text{S4D-Inv}: \quad A_n = -\frac{1}{2} + i \frac{N}{\pi} (\frac{N}{2n + 1} - 1)",
    "S4D-Inv: A_n = -1/2 + i (N/pi)(N/(2n+1) - 1), n = 0..N/2-1 (the S4D paper's sign).",
)
_c(
    "003",
    _S3 + "test_s4d_lin",
    "holds",
    r"\text{S4D-Lin}: \quad A_n = -\frac{1}{2} + i\pi n",
    "S4D-Lin: A_n = -1/2 + i pi n.",
)

# ---------------------------------------------------------------------------- seed 004
_S4 = "test_seed004.py::"
_c(
    "004",
    _S4 + "test_zoh_symbols",
    "imprecise",
    "一种常见的离散化方法是使用零阶保持(Zero-Order Hold, ZOH)近似: x[t+1] = Ax[t] + Bu[t]",
    "The ZOH discretization is x[t+1] = A x[t] + B u[t].",
    "With the discrete matrices: x[t+1] = A-bar x[t] + B-bar u[t] (the next paragraph "
    "defines them); with the continuous A, B the step is not ZOH (x' = -x + u from "
    "x = 1, u = 1 stays at 1, A x + B u = 0).",
)
_c(
    "004",
    _S4 + "test_zoh_formulas",
    "holds",
    "A_discrete = exp(Δ * A) B_discrete = (exp(Δ * A) - I) * A^{-1} * B",
    "ZOH: A-bar = e^{Delta A}, B-bar = (e^{Delta A} - I) A^{-1} B, for invertible A (for "
    "singular A: B-bar = int_0^Delta e^{sA} ds B).",
)
_c(
    "004",
    _S4 + "test_hippo_is_continuous_time",
    "imprecise",
    "HiPPO (High-order Polynomial Projection Operators) 矩阵是一类正交多项式投影算子的离散化表示",
    "HiPPO matrices are a discretized representation of polynomial projection operators.",
    "They are the continuous-time matrices of c' = A c + B f (LegS: divided by t), derived "
    "with no step; discretization comes afterwards.",
)
_c(
    "004",
    _S4 + "test_legendre_interval",
    "holds",
    "勒让德多项式是一组定义在区间 [-1, 1] 上的正交多项式",
    "The Legendre polynomials are orthogonal on [-1, 1].",
)
_c(
    "004",
    _S4 + "test_legendre_recurrence",
    "holds",
    "P_{n+1}(x) = ((2n+1)xP_n(x) - nP_{n-1}(x)) / (n+1)",
    "Bonnet's recurrence from P_0 = 1, P_1 = x gives the Legendre polynomials (= Rodrigues' "
    "formula).",
)
_c(
    "004",
    _S4 + "test_printed_legs_matrix",
    "wrong",
    "A[i, j] = (2i + 1)^(1/2) * (2j + 1)^(1/2) for i < j A[i, i] = i + 1/2 A[i, j] = 0 for i > j",
    "This is the HiPPO-LegS matrix.",
    "LegS is A_nk = -sqrt((2n+1)(2k+1)) for n > k, -(n+1) for n = k, 0 for n < k. The "
    "printed matrix is -A^T - I/2 of it: upper triangular with positive eigenvalues "
    "1/2, 3/2, ... (N = 2: [[1/2, sqrt3], [0, 3/2]] vs [[-1, 0], [-sqrt3, -2]]).",
)
_c(
    "004",
    _S4 + "test_printed_matrix_memory",
    "wrong",
    "这种特殊的结构使得 HiPPO 矩阵能够有效地保留历史信息",
    "This structure (the printed matrix) preserves the history effectively.",
    "The printed matrix has eigenvalues +1/2..N-1/2: its ZOH step has spectral radius "
    "e^{Delta(N-1/2)} > 1 and the state explodes (the seed's layer, state 8, delta = 0.1: "
    "an impulse overflows float32 within 150 steps). LegS (eigenvalues -1..-N) keeps it "
    "bounded.",
)
_c(
    "004",
    _S4 + "test_h3_core_innovation",
    "wrong",
    "H3层的核心创新在于使用一种特殊的矩阵——HiPPO矩阵——来初始化状态空间模型的 A 矩阵",
    "H3's core innovation is initializing the SSM's A with a HiPPO matrix.",
    "H3 combines a shift SSM (A = the fixed shift matrix: nilpotent, kernel = C itself; no "
    "HiPPO matrix is nilpotent, each has a nonzero trace) and a diagonal SSM (S4D-style "
    "initialization) with multiplicative interactions; HiPPO initialization was S4's.",
)
_c(
    "004",
    _S4 + "test_h3_is_not_a_linear_layer",
    "wrong",
    "H3层可以看作是一个特殊的Transformer层,它使用状态空间模型来代替传统的自注意力机制。H3层的核心结构如下:",
    "An H3 layer is linear projection, SSM state update, linear projection (and the code "
    "implements that).",
    "H3 is y = Q * SSM_diag(SSM_shift(K) * V) with Q, K, V projections of u: multiplicative, "
    "cubic in u (H3(2u) = 8 H3(u) for q = k = v = u), while the described layer (and the "
    "seed's code) is affine in u.",
)
_c(
    "004",
    _S4 + "test_a_is_a_parameter",
    "holds",
    "注意 A is wrapped in nn.Parameter so its gradients are tracked during training",
    "In the code A is an nn.Parameter (requires_grad, among the module's parameters).",
)
_c(
    "004",
    _S4 + "test_pseudo_inverse_advice",
    "wrong",
    "实际应用中,可以使用伪逆或者添加小的正则化项来避免奇异矩阵的问题",
    "For a singular A, a pseudo-inverse or a small regularization in (e^{Delta A} - I) "
    "A^{-1} B gives the discretization.",
    "Both give the wrong B-bar exactly where A is singular: A = diag(0, -1), B = (1, 1), "
    "step 1: B-bar = (1, 1 - 1/e), the pseudo-inverse gives (0, 1 - 1/e), (A + 1e-3 I)^{-1} "
    "also 0 in the first entry. Use B-bar = int_0^Delta e^{sA} ds B, e.g. the exponential "
    "of [[A, B], [0, 0]] Delta (no inverse).",
)
_c(
    "004",
    _S4 + "test_step_sign",
    "holds-with-correction",
    "可学习的步长 delta 允许模型自适应地调整离散化的步长",
    "A learnable step delta (initialized by torch.randn(1)) lets the model adapt the step.",
    "The step must stay positive: randn is negative half of the time (the layer built "
    "under torch.manual_seed(3) has delta = -0.632), and a negative step turns a stable A "
    "into an expanding e^{delta A} (LegS, N = 4: spectral radius e^{4 * 0.632} = 12.5). S4 "
    "and H3 train log(delta): delta = exp(log_dt) > 0.",
)
_c(
    "004",
    _S4 + "test_example_state_update",
    "wrong",
    "x = A_discrete @ x + B_discrete @ u_t",
    "The layer's state update (and the example that runs it).",
    "x has shape (batch, state): A_discrete @ x multiplies from the wrong side, and the "
    "printed example raises 'mat1 and mat2 shapes cannot be multiplied (128x128 and "
    "32x128)'. Batch-major: x = x @ A_discrete.T + u_t @ B_discrete.T (likewise "
    "y_t = x @ C.T + u_t @ D.T).",
)
_c(
    "004",
    _S4 + "test_output_projection",
    "wrong",
    "self.output_linear = nn.Linear(state_dim, output_dim) # Project state to output dimension",
    "The final projection maps the state to the output.",
    "It is applied to the outputs y_t (output_dim features), not to the state: with the "
    "state update fixed the example still raises. nn.Linear(output_dim, output_dim) "
    "(then the example prints (batch, seq_len, output_dim)).",
)
_c(
    "004",
    _S4 + "test_create_hippo_matrix_code",
    "wrong",
    "A[i, j] = (2 * i + 1)**0.5 * (2 * j + 1)**0.5",
    "create_hippo_matrix builds the HiPPO-LegS matrix.",
    "It builds the printed matrix, -A^T - I/2 of LegS (see above); LegS is "
    "-sqrt((2i+1)(2j+1)) below the diagonal and -(i+1) on it.",
)
_c(
    "004",
    _S4 + "test_hippo_n_ignored",
    "wrong",
    "self.A = self.create_hippo_matrix(state_dim, hippo_n) # Use hippo_n to determine matrix variant",
    "hippo_n selects the HiPPO variant.",
    "create_hippo_matrix never reads hippo_n: the matrix is the same for every value.",
)
_c(
    "004",
    _S4 + "test_output_uses_updated_state",
    "wrong",
    "y_t = self.C @ x + self.D @ u_t  # Project state to output",
    "The code computes the printed model x[t+1] = A x[t] + B u[t], y[t] = C x[t] + D u[t].",
    "The output is taken after the update: y[t] = C x[t+1] + D u[t], kernel "
    "(D + C B-bar, C A-bar B-bar, ...) instead of (D, C B-bar, ...); for an impulse the code "
    "gives y[0] = D + C B-bar, the printed equations y[0] = D. Either convention is fine; "
    "text and code must agree.",
)
_c(
    "004",
    _S4 + "test_linear_complexity",
    "holds",
    "与自注意力机制相比,H3层的计算复杂度是线性的,而不是二次的",
    "H3's cost is linear in the sequence length, not quadratic: O((d + N) L) as a "
    "recurrence (O(L log L) with FFT convolutions in training). The seed's code is linear "
    "in L too, but recomputes two matrix exponentials and an inverse at every step "
    "(O(L N^3)).",
)
_c(
    "004",
    _S4 + "test_not_checkable[generalization]",
    "not-checkable",
    "H3层的泛化能力可能不如传统的Transformer",
    "H3 may generalize worse than a Transformer.",
    "Not checkable (empirical): a conjecture about trained models.",
)
_c(
    "004",
    _S4 + "test_not_checkable[parameter_count]",
    "not-checkable",
    "参数量 相对较少 相对较多",
    "H3 has fewer parameters than a Transformer.",
    "Not checkable (empirical): depends on the configurations compared.",
)
_c(
    "004",
    _S4 + "test_s4_chronology",
    "wrong",
    "S4是一种更通用的状态空间模型框架,它对H3层进行了改进和推广",
    "S4 improves on and generalizes H3.",
    "S4 (arXiv 2111.00396, 2021) predates H3 (arXiv 2212.14052, 2022); H3 builds on S4's "
    "SSMs, not the reverse.",
)
_c(
    "004",
    _S4 + "test_not_checkable[mamba]",
    "not-checkable",
    "Mamba是一种选择性状态空间模型,它通过内容感知的方式选择性地更新状态向量",
    "Mamba is a selective SSM that updates its state depending on the content.",
    "Not checkable (history): a description of another paper.",
)
