"""Selective (time-varying) scans, exactly: Mamba's discretization against exact ZOH.

The system of Mamba's S6, one channel at a time: a diagonal A = diag(a_1..a_N), per-step
steps delta_t, inputs B_t and outputs C_t,

    x_t = Abar_t x_{t-1} + Bbar_t u_t,   y_t = C_t . x_t (+ D u_t),   x_{-1} = 0,

with Abar_t = e^{delta_t A} and one of two input matrices:

* ``"zoh"`` (zero-order hold, exact for u constant over the step):
  Bbar_t = int_0^{delta_t} e^{sA} ds B_t = (delta_t A)^{-1}(e^{delta_t A} - I) delta_t B_t
  (entrywise (e^{delta a_n} - 1)/a_n b_n, and delta b_n where a_n = 0);
* ``"mamba"`` (Mamba's simplification, its ``selective_scan_ref``): Bbar_t = delta_t B_t.

Mamba's step is the exact step with the input integral int_0^delta e^{(delta-s)A} B u ds
replaced by the right-endpoint rectangle delta B u. For a diagonal mode the two differ by
an exact factor, ``mamba_zoh_ratio``: Bbar_mamba = r(delta a) Bbar_zoh, r(x) = x/(e^x - 1),
the generating function of the Bernoulli numbers; ``derivations/selective_discretization.py``
derives the series, the conditions under which the two agree and the accumulated effect.

Everything here is exact (sympy); sizes are meant to be small (symbolic lengths and orders).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int, require_size
from ._discretize import discretize, exp_and_integral
from ._matrix_args import as_matrix, as_scalar, as_step, as_vector

__all__ = [
    "SELECTIVE_DISCRETIZATIONS",
    "mamba_bbar_error",
    "mamba_zoh_ratio",
    "selective_discretize",
    "selective_scan_exact",
    "zoh_input_series",
]

#: The input discretizations of a selective scan: Mamba's Bbar = delta B, and exact ZOH.
SELECTIVE_DISCRETIZATIONS = ("mamba", "zoh")


def selective_discretize(
    A: Any, B: Any, delta: Any, discretization: str = "mamba"
) -> tuple[sp.Matrix, sp.Matrix]:
    """(Abar, Bbar) of one selective step: Abar = e^{delta A} and Mamba's or the ZOH Bbar.

    Formulas: Abar = e^{delta A} for both; ``"mamba"``: Bbar = delta B;
    ``"zoh"``: Bbar = int_0^delta e^{sA} ds B (= A^{-1}(e^{delta A} - I) B for invertible A).
    Both come from ``discretize(A, B, delta, "zoh")`` (the symbolic layer's exact ZOH),
    Mamba's keeping only its Abar.

    Arguments:
        A: d x d state matrix (diagonal, nilpotent, or triangular with distinct diagonal
            entries: the classes with a closed-form exponential, see ``discretize``).
        B: input vector of length d.
        delta: the step, a positive number or a symbol not known to be <= 0.
        discretization: ``"mamba"`` or ``"zoh"``.

    Returns:
        (Abar, Bbar): d x d and d x 1 sympy Matrices.

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``discretize``; an unknown
            ``discretization``.
        NotImplementedError: A outside the closed-form classes (see ``discretize``).
    """
    discretization = require_choice("discretization", discretization, SELECTIVE_DISCRETIZATIONS)
    Abar, Bbar_zoh = discretize(A, B, delta, "zoh")
    if discretization == "zoh":
        return Abar, Bbar_zoh
    B = as_vector("B", B, length=Abar.rows)
    return Abar, (as_step("delta", delta) * B).applyfunc(sp.expand)


def zoh_input_series(A: Any, B: Any, delta: Any, order: int) -> sp.Matrix:
    """The Taylor polynomial of the ZOH input matrix int_0^delta e^{sA} ds B through delta^order.

    For any square A (symbolic entries welcome; no closed form of e^{sA} is needed):
    Bbar(delta) is the solution at delta of x' = A x + B, x(0) = 0, and ``order`` Picard
    iterations x_{k+1}(s) = int_0^s (A x_k + B) dsigma, x_0 = 0, are exact through
    s^order. The result is sum_{j=1}^{order} delta^j A^{j-1} B / j!, derived, not typed in.

    Arguments:
        A: d x d matrix; B: vector of length d; delta: a step symbol or number;
        order: highest power of delta kept, 1 <= order <= the ``symbolic_state`` limit.

    Returns:
        A d x 1 sympy Matrix of polynomials in delta (expanded).

    Raises:
        InvalidTypeError / InvalidArgumentError: non-square A, B of the wrong length, a bad
            delta or order.
    """
    A = as_matrix("A", A, square=True)
    B = as_vector("B", B, length=A.rows)
    delta = as_step("delta", delta)
    order = require_size("order", require_int("order", order, minimum=1), "symbolic_state")
    s = sp.Dummy("s")
    x = sp.zeros(A.rows, 1)
    for _ in range(order):
        integrand = (A * x + B).applyfunc(sp.expand)
        x = integrand.applyfunc(lambda e: sp.Poly(e, s).integrate().as_expr())
    return x.subs(s, delta).applyfunc(sp.expand)


def mamba_bbar_error(A: Any, B: Any, delta: Any, order: int) -> sp.Matrix:
    """Bbar_zoh - Bbar_mamba through delta^order, for any square A.

    Bbar_zoh - delta B = delta^2/2 A B + delta^3/6 A^2 B + ... (``zoh_input_series`` minus
    Mamba's delta B): the simplification's local error is of order delta^2 with leading
    term delta^2 A B / 2. It vanishes identically iff A B = 0 (for A with spectrum in the
    closed left half plane; see ``derivations/selective_discretization.py``).

    Arguments and Raises: as ``zoh_input_series`` (order >= 1).

    Returns:
        A d x 1 sympy Matrix of polynomials in delta, O(delta^{order+1}) dropped.
    """
    series = zoh_input_series(A, B, delta, order)
    B = as_vector("B", B, length=series.rows)
    return (series - as_step("delta", delta) * B).applyfunc(sp.expand)


def mamba_zoh_ratio(x: Any) -> sp.Expr:
    """r(x) = x / (e^x - 1), with r(0) = 1: Bbar_mamba = r(delta a) Bbar_zoh for a mode a.

    Per diagonal mode (scalar a, step delta, x = delta a): Bbar_zoh = (e^x - 1)/a b and
    Bbar_mamba = delta b, so their ratio is x/(e^x - 1) = sum_n B_n^- x^n / n! (Bernoulli
    numbers with B_1^- = -1/2): r(x) = 1 - x/2 + x^2/12 - x^4/720 + ... . For a matrix A
    the same holds with x = delta A (a commuting function of A).

    Arguments:
        x: delta * a, an exact number or expression (complex allowed).

    Returns:
        The exact sympy expression (the integer 1 when x is exactly 0).

    Raises:
        InvalidTypeError / InvalidArgumentError: x not a finite number or expression.
    """
    x = as_scalar("x", x)
    if x.is_zero:
        return sp.Integer(1)
    return x / (sp.exp(x) - 1)


# ---------------------------------------------------------------------------------------
# The scan
# ---------------------------------------------------------------------------------------


def selective_scan_exact(
    u: Any,
    delta: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any = None,
    z: Any = None,
    delta_bias: Any = None,
    delta_softplus: bool = False,
    *,
    discretization: str = "mamba",
    conj_pairs: bool | None = None,
) -> list[sp.Expr]:
    """One channel of Mamba's selective scan, exactly (the spec's ``selective_scan`` per channel).

    Convention (Mamba's ``selective_scan_ref``, one channel d of its (b, d, l) layout):
    delta_t <- delta_t + delta_bias; if delta_softplus: delta_t <- log(1 + e^{delta_t});
    x_{-1} = 0; for t = 0..L-1: x_t = e^{delta_t A} x_{t-1} + Bbar_t u_t (elementwise over
    the N modes) with Bbar_t = delta_t B_t (``"mamba"``) or (e^{delta_t A} - 1)/A B_t
    (``"zoh"``, delta_t B_t where a mode is 0; from ``exp_and_integral`` of the ZOH code);
    y_t = sum_n C_t[n] x_t[n], after the update; with conjugate pairs y_t = 2 Re y_t;
    y_t += D u_t; if z is given, y_t *= z_t sigmoid(z_t).

    Arguments:
        u, delta: the L inputs and steps (any real values; delta is not sign-checked).
        A: the N diagonal entries (real or complex).
        B, C: N values (constant over time) or an L x N matrix (row t used at step t).
        D: scalar feedthrough or None; z: L gate values or None; delta_bias: scalar or None.
        delta_softplus: apply softplus to delta (after the bias).
        discretization: ``"mamba"`` or ``"zoh"``.
        conj_pairs: output 2 Re y_t (A holds one mode of each conjugate pair). None: on
            exactly when some entry of A is known not to be real (the spec's "A complex").

    Returns:
        L exact sympy expressions y_0..y_{L-1}.

    Raises:
        InvalidTypeError / InvalidArgumentError: shapes (u, delta, z of one length L within
            ``symbolic_length``; B, C of N values or L x N), an unknown discretization, a
            non-bool delta_softplus or conj_pairs.
    """
    discretization = require_choice("discretization", discretization, SELECTIVE_DISCRETIZATIONS)
    if not isinstance(delta_softplus, bool):
        raise InvalidTypeError(f"delta_softplus must be a bool, got {delta_softplus!r}")
    if conj_pairs is not None and not isinstance(conj_pairs, bool):
        raise InvalidTypeError(f"conj_pairs must be a bool or None, got {conj_pairs!r}")
    if hasattr(u, "__len__") and not isinstance(u, str):  # refuse a huge L before converting
        require_size("L", len(u), "symbolic_length")
    u = as_vector("u", u)
    L = require_size("L", len(u), "symbolic_length")
    delta = as_vector("delta", delta, length=L)
    A = as_vector("A", A)
    N = len(A)
    B_rows, C_rows = _per_step("B", B, L, N), _per_step("C", C, L, N)
    D = None if D is None else as_scalar("D", D)
    z = None if z is None else as_vector("z", z, length=L)
    bias = sp.Integer(0) if delta_bias is None else as_scalar("delta_bias", delta_bias)
    if conj_pairs is None:
        conj_pairs = any(a.is_real is False for a in A)
    state = sp.zeros(N, 1)
    out = []
    for t in range(L):
        step = delta[t] + bias
        if delta_softplus:
            step = sp.log(1 + sp.exp(step))
        Abar, integral = exp_and_integral(sp.diag(*A), step)
        weight = step * sp.eye(N) if discretization == "mamba" else integral
        gain, out_row = weight * B_rows[t], C_rows[t].T
        if conj_pairs:  # rectangular a + i b once per step: each Re below is a cheap split
            Abar, gain, out_row = (m.applyfunc(_rectangular) for m in (Abar, gain, out_row))
        state = (Abar * state + gain * u[t]).applyfunc(sp.expand)
        y = (out_row * state)[0, 0]
        if conj_pairs:
            y = 2 * sp.re(sp.expand(y))
        if D is not None:
            y += D * u[t]
        if z is not None:
            y *= z[t] / (1 + sp.exp(-z[t]))
        out.append(sp.expand(y))
    return out


def _rectangular(expr: sp.Expr) -> sp.Expr:
    """expr as re + i im, expanded (e^{x + iy} -> e^x (cos y + i sin y))."""
    return sp.expand(sp.expand_complex(sp.factor_terms(expr)))


def _per_step(name: str, value: Any, L: int, N: int) -> list[sp.Matrix]:
    """B or C as L columns of length N: a constant vector repeated, or the rows of L x N."""
    matrix = as_matrix(name, value)
    if matrix.shape == (L, N):
        return [matrix[t, :].T for t in range(L)]
    if 1 in matrix.shape and len(matrix) == N:
        column = matrix.reshape(N, 1)
        return [column] * L
    raise InvalidArgumentError(
        f"{name} must hold N = {N} values (constant over time) or be L x N = {L} x {N} "
        f"(per step), got shape {matrix.shape}"
    )
