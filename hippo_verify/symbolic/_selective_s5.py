"""S5: a MIMO diagonal system, its HiPPO-N initialisation, discretization and scan, exactly.

HiPPO-N is the normal part of the LegS NPLR decomposition (``hippo_nplr("legs", N)``):
A_LegS = -1/2 I + S - P P^T with S skew-symmetric and P_n = sqrt(n + 1/2), so

    A_N = A_LegS + P P^T = -1/2 I + S,

a normal matrix (unitarily diagonalizable) with eigenvalues -1/2 + i w, i w the eigenvalues
of S. S5 (``lindermanlab/S5`` ``ssm_init.make_DPLR_HiPPO``) computes exactly this:
S = A + P P^T, Lambda = mean(diag S) + i eigh(-i S), eigenvalues in ascending order of w;
with conjugate symmetry it keeps the first half (w < 0).

The diagonal system (Lambda of P modes, B of P x H, C of H x P, per-mode steps delta):
x_k = Lbar x_{k-1} + Bbar u_k, y_k = 2 Re(C x_k) (conjugate-symmetric storage) or Re(C x_k),
+ D u_k, with (per mode, from the symbolic layer's ``discretize``)

* ZOH: Lbar = e^{Lambda delta}, Bbar = ((Lbar - 1)/Lambda) B;
* bilinear: Lbar = (1 + Lambda delta/2)/(1 - Lambda delta/2), Bbar = delta/(1 - Lambda delta/2) B.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int, require_size
from ._discretize import discretize
from ._matrix_args import as_matrix, as_step, as_vector
from ._structure import hippo_nplr

__all__ = ["S5_DISCRETIZATIONS", "hippo_n", "hippo_n_eigenvalues", "s5_discretize", "s5_scan_exact"]

#: The discretizations S5 uses.
S5_DISCRETIZATIONS = ("zoh", "bilinear")


def hippo_n(N: int) -> sp.Matrix:
    """HiPPO-N: the normal part A_LegS + P P^T = -1/2 I + S of the LegS NPLR decomposition.

    Taken from ``hippo_nplr("legs", N)`` (shift -1/2, skew part S):
    (A_N)_nn = -1/2, (A_N)_nk = -sqrt((2n+1)(2k+1))/2 for n > k and +sqrt(...)/2 for n < k.

    Arguments:
        N: state size, 1 <= N <= the ``hippo_state`` size limit.

    Returns:
        The N x N exact sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: N not an integer, < 1 or above the limit.
    """
    nplr = hippo_nplr("legs", N)
    return (nplr.shift * sp.eye(nplr.skew.rows) + nplr.skew).applyfunc(sp.radsimp)


def hippo_n_eigenvalues(N: int) -> list[sp.Expr]:
    """The N eigenvalues of HiPPO-N, exactly, in S5's order: -1/2 + i w with w ascending.

    Re = -1/2 for every eigenvalue (A_N + A_N^T = -I); the w are the eigenvalues of the
    Hermitian matrix -i S (S the skew part), in pairs +-w, plus one w = 0 for odd N. They are
    computed from the characteristic polynomial of S, made rational by the similarity
    D^{-1} S D = T D^2 (D = diag(sqrt(2n+1)), T_nk = sign(k - n)/2): it has only powers
    lambda^j with j = N mod 2 (mod 2), so det(lambda I - S) = lambda^(N mod 2) q(-lambda^2)
    with q rational of degree N // 2 whose roots mu = w^2 are positive. w = +-sqrt(mu), as
    radicals when sympy finds them (N <= 5), else as exact ``CRootOf`` roots.

    S5 (``make_DPLR_HiPPO``: ``eigh(S * -1j)``) orders the w ascending; with conjugate
    symmetry it keeps the first N // 2 (w < 0).

    Arguments:
        N: state size, 1 <= N <= the ``symbolic_state`` size limit.

    Returns:
        N exact sympy numbers.

    Raises:
        InvalidTypeError / InvalidArgumentError: N not an integer, < 1 or above the limit.
        ArithmeticError: q without N // 2 positive roots (cannot happen for a real skew S
            with the HiPPO-N structure; kept as an internal consistency check).
    """
    N = require_size("N", require_int("N", N, minimum=1), "symbolic_state")
    skew = hippo_nplr("legs", N).skew
    scale = sp.diag(*[sp.sqrt(2 * n + 1) for n in range(N)])
    rational = (scale.inv() * skew * scale).applyfunc(sp.radsimp)
    coefficients = rational.charpoly().all_coeffs()[::-1]  # c_j of lambda^j, ascending
    # Only powers of parity N occur (S is real skew): substitute lambda^2 = -mu.
    mu = sp.Dummy("mu")
    q = sp.Poly(
        sum(c * (-mu) ** (j // 2) for j, c in enumerate(coefficients) if j % 2 == N % 2), mu
    )
    roots = q.real_roots()
    if len(roots) != N // 2 or any(not (r > 0) for r in roots):
        raise ArithmeticError(f"HiPPO-N N={N}: expected {N // 2} positive roots, got {roots}")
    omegas = [-sp.sqrt(r) for r in reversed(roots)] + [sp.sqrt(r) for r in roots]
    if N % 2:
        omegas.insert(N // 2, sp.Integer(0))
    return [-sp.Rational(1, 2) + sp.I * w for w in omegas]


def s5_discretize(
    Lambda: Any, B: Any, delta: Any, discretization: str = "zoh"
) -> tuple[list[sp.Expr], sp.Matrix]:
    """(Lbar, Bbar) of the diagonal MIMO system, one ``discretize`` call per mode.

    Mode p with step delta_p: (Lbar_p, beta_p) = ``discretize([[Lambda_p]], [1], delta_p,
    method)`` and row p of Bbar is beta_p B[p, :]. That is ZOH: Lbar = e^{Lambda delta},
    Bbar = ((Lbar - 1)/Lambda) B (delta B where Lambda_p = 0); bilinear:
    Lbar = (1 + Lambda delta/2)/(1 - Lambda delta/2), Bbar = delta/(1 - Lambda delta/2) B.

    Arguments:
        Lambda: the P modes (complex allowed); B: P x H; delta: P steps (> 0) or one step
            for every mode; discretization: ``"zoh"`` or ``"bilinear"``.

    Returns:
        (Lbar, Bbar): a list of P sympy expressions and a P x H sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: shapes, steps <= 0, an unknown
            discretization, a singular bilinear step (Lambda_p delta_p = 2).
    """
    discretization = require_choice("discretization", discretization, S5_DISCRETIZATIONS)
    Lambda, B, deltas = _s5_system(Lambda, B, delta)
    Lbar, rows = [], []
    for p, lam in enumerate(Lambda):
        Ab, beta = discretize([[lam]], [1], deltas[p], discretization)
        Lbar.append(Ab[0, 0])
        # factor_terms regroups discretize's expanded ZOH form into (1 - e^{..})/lambda, and
        # the row is not expanded: expanding would multiply e^{..} into complex denominators,
        # whose real parts then carry |e^z|^2 = e^{2x}(sin^2 + cos^2) factors.
        rows.append(sp.factor_terms(beta[0, 0]) * B[p, :])
    return Lbar, sp.Matrix.vstack(*rows)


def _s5_system(Lambda: Any, B: Any, delta: Any) -> tuple[sp.Matrix, sp.Matrix, list[sp.Expr]]:
    """Validated (Lambda, B as P x H, P steps)."""
    Lambda = as_vector("Lambda", Lambda)
    P = len(Lambda)
    B = as_matrix("B", B)
    if B.rows != P and P == 1 and 1 in B.shape:  # one mode, its H inputs given flat
        B = B.reshape(1, len(B))
    if B.rows != P:
        raise InvalidArgumentError(f"B must be P x H with P = {P}, got shape {B.shape}")
    if isinstance(delta, (list, tuple, sp.MatrixBase)) or hasattr(delta, "tolist"):
        deltas = [as_step("delta", d) for d in as_vector("delta", delta, length=P)]
    else:
        deltas = [as_step("delta", delta)] * P
    return Lambda, B, deltas


def s5_scan_exact(
    Lambda: Any,
    B: Any,
    C: Any,
    u: Any,
    delta: Any,
    D: Any = None,
    *,
    discretization: str = "zoh",
    conj_sym: bool = True,
) -> sp.Matrix:
    """S5's scan, exactly (the spec's ``s5_scan`` for one batch element).

    x_{-1} = 0, x_k = Lbar x_{k-1} + Bbar u_k (``s5_discretize``),
    y_k = 2 Re(C x_k) if conj_sym else Re(C x_k), then y_k += D u_k (D elementwise).

    Arguments:
        Lambda: P modes; B: P x H; C: H x P; u: L x H (real; a flat list is H = 1);
        delta: P steps or one step; D: H values or None; discretization: ``"zoh"`` or
        ``"bilinear"``; conj_sym: a bool.

    Returns:
        The L x H sympy Matrix of outputs (row k is y_k).

    Raises:
        InvalidTypeError / InvalidArgumentError: shapes, a non-bool conj_sym, as
            ``s5_discretize``.
    """
    if not isinstance(conj_sym, bool):
        raise InvalidTypeError(f"conj_sym must be a bool, got {conj_sym!r}")
    Lbar, Bbar = s5_discretize(Lambda, B, delta, discretization)
    P, H = Bbar.shape
    C = as_matrix("C", C, shape=(H, P))
    u = as_matrix("u", u)
    if u.cols != H:  # a flat list is a column: L steps of one input
        raise InvalidArgumentError(f"u must be L x H with H = {H}, got shape {u.shape}")
    require_size("L", u.rows, "symbolic_length")
    D = None if D is None else as_vector("D", D, length=H)
    factor = 2 if conj_sym else 1
    # Everything in rectangular form a + i b once, so that each Re below is a cheap split.
    Lbar_m = sp.diag(*[_rectangular(v) for v in Lbar])
    Bbar, C = Bbar.applyfunc(_rectangular), C.applyfunc(_rectangular)
    state = sp.zeros(P, 1)
    rows = []
    for k in range(u.rows):
        state = (Lbar_m * state + Bbar * u[k, :].T).applyfunc(sp.expand)
        y = (C * state).applyfunc(lambda e: factor * sp.re(sp.expand(e)))
        if D is not None:
            y += D.multiply_elementwise(u[k, :].T)
        rows.append(y.T.applyfunc(sp.expand))
    return sp.Matrix.vstack(*rows)


def _rectangular(expr: sp.Expr) -> sp.Expr:
    """expr as re + i im, expanded (e^{x + iy} -> e^x (cos y + i sin y))."""
    return sp.expand(sp.expand_complex(expr))
